"""The app's lifetime: its start (signals, suspend and resume, the store's polling), the
garbage collector kept off the startup objects, and its end (q, SIGTERM, SIGHUP, Ctrl+Z)
with every place saved, a note being typed kept as a draft and the writes finished before
the database is closed."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
from typing import TYPE_CHECKING

from reader.text import sanitize_line
from reader.ui.app_config import RememberedChoices
from reader.ui.app_store import STORE_POLL_SECONDS
from reader.ui.screens.dialogs import ConfirmScreen
from reader.ui.screens.main import MainScreen
from reader.ui.screens.note_editor import NoteScreen
from reader.ui.suspend import shell_can_resume

if TYPE_CHECKING:
    from rich.console import RenderableType


_STOP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
"""Signals after which the app exits as on ``q`` rather than dying with its writes."""


class AppLifecycle(RememberedChoices):
    """The app's part that starts, suspends and stops it without losing a write (a base of
    :class:`~reader.ui.app.ReaderApp`)."""

    # Set by ReaderApp.
    tune_gc: bool
    _workers_paused = False
    """The entity workers were stopped by Ctrl+Z and not yet let go on."""
    _theme_problem: str | None

    def library_shown(self) -> None:
        """The library is on screen: what exists now lives as long as the app.

        With ``tune_gc``, it is moved out of the garbage collector's way (``gc.freeze``
        after this frame) and full collections are made rarer (after 100 middle-
        generation passes, not 10): full passes over it took 40-70 ms in the middle of
        article switches (bench/run.py figure 2). What is frozen is never collected (it
        lives as long as the app anyway); cycles made later still are.
        """
        if self.tune_gc:
            gc.set_threshold(700, 10, 100)
            self.call_after_refresh(gc.freeze)

    def on_mount(self) -> None:
        if self.tune_gc and not gc.isenabled():  # the `reader` command starts without it
            self.call_after_refresh(self._collect_again)
        if not self.is_headless:
            # The terminal closed (SIGHUP) or the app told to stop (SIGTERM): by default
            # the process dies there, and what waits to be written (where the library is
            # left, the saves queued for a frame, the writer's queue) with it.
            loop = asyncio.get_running_loop()
            for number in _STOP_SIGNALS:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(number, self._told_to_stop, number)
        # Ctrl+Z (reader/ui/suspend.py): a note being typed is kept before the stop (called
        # in the publish: Textual sends SIGTSTP right after it, a callback posted for the
        # next turn of the loop would run only after `fg`); back from it, the whole screen
        # is drawn again (the shell wrote over the terminal).
        self.app_suspend_signal.subscribe(self, self._suspending, immediate=True)
        self.app_resume_signal.subscribe(self, self._resumed)
        # Other readers (commands, cron, a second app) save the same database in turn.
        self.set_interval(STORE_POLL_SECONDS, self._poll_store)
        # From now on a theme change is the user's (the one above came from the config).
        self._watching_theme = True
        if self._theme_problem:
            self.notify(self._theme_problem, title="Config", severity="warning", markup=False)

    @staticmethod
    def _collect_again() -> None:
        """After the first frame: what exists now is kept out of the collector's passes
        (see :meth:`library_shown`), which start again."""
        gc.freeze()
        gc.enable()

    def _told_to_stop(self, number: int) -> None:
        """SIGTERM: exit as ``q`` does (every screen's place saved, the writes finished
        before the database is closed). SIGHUP, the terminal gone: the same saves and
        writes, then the process ends as SIGHUP ends it, without Textual's shutdown, which
        writes to that terminal (its writer thread's stop once never returned: a process
        left running, holding the database's lock). A note being typed is kept as a draft
        first, either way (:meth:`keep_drafts`)."""
        if number != signal.SIGHUP:
            self.exit()
            return
        self.keep_drafts()
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.save_before_leaving()
        self._finish_writes()
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGHUP)

    def on_unmount(self) -> None:
        if not self.is_headless:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop = asyncio.get_running_loop()
                for number in _STOP_SIGNALS:
                    loop.remove_signal_handler(number)
        if self._workers_paused:  # suspended and never resumed (an app under test)
            self._resumed_workers()
        self._finish_writes()

    def _finish_writes(self) -> None:
        """Let queued writes finish before the database is closed: never lose a note."""
        self._save_queued()
        self._writer.shutdown(wait=True)
        self._config_writer.shutdown(wait=True)
        self.workspace.close()

    def exit(
        self, result: None = None, return_code: int = 0, message: RenderableType | None = None
    ) -> None:
        """Exit, the background updates told to stop first: Textual waits for its thread
        workers (the index updates) after it has unmounted the screens, which takes a
        while; told now, they have stopped by then."""
        self.keep_drafts()
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.stop_background()
        super().exit(result, return_code, message)

    def keep_drafts(self) -> None:
        """The app is going (q, SIGTERM, SIGHUP): the text of a note being written is
        handed to the writer thread now, as a draft, before the database is closed."""
        for screen in self.screen_stack:
            if isinstance(screen, NoteScreen):
                screen.keep_draft_now()

    def action_suspend_process(self) -> None:
        """Ctrl+Z: stop the process, back to the shell (``fg`` resumes), as Textual does;
        refused, with a notice, when no shell could bring it back (reader/ui/suspend.py).
        Under Pilot (headless) Textual's own does nothing."""
        if not self.is_headless and not shell_can_resume():
            self.notify(
                "Ctrl+Z: no shell with job control started reader, so nothing could resume "
                "it; not suspended.",
                title="Suspend",
                severity="warning",
                markup=False,
            )
            return
        super().action_suspend_process()

    def _suspending(self, _app: object) -> None:
        """Published just before the process stops (no other turn of the loop): a note
        being typed is handed to the writer as a draft, and waited for (up to 1 s), with
        every save queued (the main screen writes where the library was left)."""
        for screen in self.screen_stack:
            if isinstance(screen, NoteScreen) and screen.keeper is not None:
                screen.keeper.keep_now()
        self.write_queued_saves(wait=1.0)
        # The entity worker, in a session of its own, stops with the app (no background
        # piece runs while the user is away).
        from reader.entities.worker import pause_workers

        pause_workers()
        self._workers_paused = True

    def _resumed(self, _app: object) -> None:
        """Back from Ctrl+Z (``fg``): the entity worker goes on (a request of the user's
        may wait for it already), every line drawn again, at the terminal's size now."""
        self._resumed_workers()
        self.refresh(layout=True)
        self.screen.refresh(layout=True)

    def _resumed_workers(self) -> None:
        """The workers stopped by :meth:`_suspending` go on: on ``fg``, or as the app ends
        (they are the process's, kept for the next app: one left stopped would hold every
        request of it)."""
        from reader.entities.worker import continue_workers

        continue_workers()
        self._workers_paused = False

    async def action_quit(self) -> None:
        """Quit (`q`, `ctrl+q`); asks first while a note has text that is not saved, saying
        whether it is kept as a draft (its keeper's state: a read-only store, a draft's
        save that failed)."""
        editors = [s for s in self.screen_stack if isinstance(s, NoteScreen) and s.has_unsaved_text]
        if editors:

            def answered(leave: bool | None) -> None:
                if leave:
                    self.exit()

            problems = [s.draft_problem for s in editors if s.draft_problem is not None]
            if problems:
                why = sanitize_line(problems[0], 120)
                question = (
                    f"A note is not saved, and drafts are not kept ({why}). Quit? It will be lost."
                )
            else:
                question = "A note is not saved. Quit? (It is kept as a draft for next time.)"
            self.push_screen(ConfirmScreen(question), answered)
            return
        self.exit()

    def action_help_quit(self) -> None:
        """Ctrl+C outside a selection (Textual's binding): say how to quit, naming both keys
        (Textual's own hint names only the first key bound to quit it finds)."""
        self.notify(
            "Press q or Ctrl+Q to quit (Ctrl+C copies a selection).",
            title="Do you want to quit?",
            markup=False,
        )
