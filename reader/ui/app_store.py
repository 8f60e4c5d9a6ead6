"""The app's access to the store: the database opened (writable, else read-only, saying
why), every call on it made in one writer thread (writes in order, reads after them, saves
the user did not ask for after the next frame), and the saves of other readers polled."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App

from reader.settings import Settings
from reader.store import AnnotationStore, StoreCorrupt, StoreError, StoreLocked
from reader.text import sanitize_line
from reader.ui.messages import StoreChangedElsewhere, WriteFailed, Written
from reader.ui.screens.main import MainScreen
from reader.workspace import Workspace

if TYPE_CHECKING:  # built (and imported) by the workspace when first asked for
    from reader.entities.finder import EntityFinder

T = TypeVar("T")
Failed = Callable[[str], None] | None

WRITE_WAIT_SECONDS = 10.0
"""How long one of the app's saves waits for another reader's save (a save takes
milliseconds; this is for a slow disk or a big import)."""

STORE_POLL_SECONDS = 1.0
"""How often the app looks (a stat) for saves made by other readers."""


class StoreAccess(App[None]):
    """The app's part that owns the store for the UI's lifetime, with the workspace's other
    parts it hands out (a base of :class:`~reader.ui.app.ReaderApp`, which sets the state
    below)."""

    # Set by ReaderApp.
    workspace: Workspace
    store_problem: str | None
    store_brief: str | None
    _writer: ThreadPoolExecutor
    _after_frame: list[tuple[Callable[..., Any], Callable[[Any], None], Failed]]
    _polling: bool
    _first_frame: threading.Event
    _poll_problem: str | None

    @property
    def settings(self) -> Settings:
        """Where things are read from and written to."""
        return self.workspace.settings

    @property
    def finder(self) -> EntityFinder:
        """Finds entities (cache, model, rules, the user's corrections); thread-safe."""
        return self.workspace.finder

    @property
    def store(self) -> AnnotationStore | None:
        """The annotations database, once opened (None if it could not be)."""
        return self.workspace.store

    def open_store(self) -> None:
        """Open the database (called from a worker thread): writable, else read-only.

        Writes take turns with other readers (commands, a second app): each waits up to
        :data:`WRITE_WAIT_SECONDS` for another's save, in the writer thread. The store is
        read-only only when the file or its folder cannot be written, and says why.
        """
        workspace = self.workspace
        try:
            store = workspace.open_store(wait=WRITE_WAIT_SECONDS)
            if store.read_only:
                self.store_problem = f"{store.path}: {store.read_only_reason}"
                self._brief("read-only", store.path, store.read_only_brief)
            # A large database opens from its summary (tags, read marks: the sidebar);
            # the annotations themselves (seconds at 100,000) are read in the writer
            # thread when first needed, never before the first frame is drawn. Read-only,
            # or without a usable summary, the open above has read them all already.
            store.before_loading = self._wait_for_first_frame
        except StoreLocked as error:  # only while a migration waits for another's save
            workspace.open_store(read_only=True)
            self.store_problem = f"{error} — opened read-only, changes are off"
            self._brief("read-only", error.path, error.brief)
        except StoreCorrupt as error:
            self.store_problem = f"{error}; annotations are off"
            self._brief("annotations off", error.path, error.brief or "cannot be read")
        except StoreError as error:
            self.store_problem = f"{error} — annotations are off"
            self._brief("annotations off", error.path, error.brief or "cannot be opened")

    def _brief(self, state: str, path: Path, why: str | None) -> None:
        self.store_brief = f"{state}: {sanitize_line(path.name, 60)} {why}" if why else state

    def _wait_for_first_frame(self) -> None:
        """In the writer thread, before a large database's annotations are read: let the
        first frame be drawn first (two refreshes after the request, at most 3 s)."""
        if self._first_frame.is_set():
            return

        def after_two_refreshes() -> None:
            self.call_after_refresh(self._first_frame.set)

        try:
            self.call_from_thread(self.call_after_refresh, after_two_refreshes)
        except RuntimeError:  # the app is not running (closing)
            return
        self._first_frame.wait(timeout=3)

    def writable(self) -> bool:
        """Whether changes can be saved; says why not (before the user types anything)."""
        store = self.store
        if store is None or store.read_only:
            self.notify(
                self.store_problem or "annotations are not available",
                title="Cannot save",
                severity="error",
                markup=False,
            )
            return False
        return True

    def write(
        self,
        change: Callable[[AnnotationStore], T],
        done: Callable[[T], None],
        failed: Callable[[str], None] | None = None,
        *,
        quiet: bool = False,
    ) -> bool:
        """Run *change* on the store in the writer thread, then *done* with its result.

        *done* runs on the UI thread once the change is on disk. A failure (a full disk,
        say) is notified and *failed* gets the reason, so that nothing typed is lost.
        Returns False (and says why) when the store is read-only or unavailable.
        *quiet*: nothing is notified (a save the user did not ask for: a draft's).
        """
        store = self.store
        if store is None or store.read_only:
            if not quiet:
                self.writable()
            return False
        if not store.loaded and not quiet:
            self.notify(
                "Reading the annotations (a large database): saved as soon as they are read",
                timeout=3,
                markup=False,
            )
        self._submit(change, store, done, failed, quiet)
        return True

    def save_after_frame(
        self,
        change: Callable[[AnnotationStore], T],
        done: Callable[[T], None],
        failed: Failed = None,
    ) -> None:
        """:meth:`write` *change* once the next frame is drawn: a save the user did not ask
        for (where an article or the library was left), made as an article switch is
        handled, does not share that switch's frame with the writer thread (~2 ms of its
        CPU and the interpreter's lock in every cached switch's frame, N = 10,000). Queued
        ones are written in order, before anything else, as the app closes and when
        :meth:`wait_for_writes` is awaited."""
        self._after_frame.append((change, done, failed))
        if len(self._after_frame) == 1:
            self.call_after_refresh(self._save_queued)

    def write_queued_saves(self, wait: float = 0.0) -> None:
        """Hand the saves :meth:`save_after_frame` queued to the writer now, and wait up to
        *wait* seconds for every write before them and them to be done (the process is
        about to be stopped: Ctrl+Z)."""
        self._save_queued()
        if wait > 0:
            with contextlib.suppress(FutureTimeout):
                self._writer.submit(lambda: None).result(timeout=wait)

    def _save_queued(self) -> None:
        queued, self._after_frame = self._after_frame, []
        for change, done, failed in queued:
            self.write(change, done, failed)

    def read(
        self,
        query: Callable[[AnnotationStore], T],
        done: Callable[[T], None],
        failed: Callable[[str], None] | None = None,
        *,
        quiet: bool = False,
    ) -> None:
        """Run *query* on the store in the writer thread (after pending writes), then *done*
        on the UI thread; a failure is notified (unless *quiet*) and *failed* gets the
        reason. Does nothing while there is no store. Safe to call from any thread."""
        if self.store is not None:
            self._submit(query, self.store, done, failed, quiet)

    def _submit(
        self,
        call: Callable[[AnnotationStore], T],
        store: AnnotationStore,
        done: Callable[[T], None],
        failed: Callable[[str], None] | None,
        quiet: bool = False,
    ) -> None:
        def finished(future: Future[T]) -> None:
            # post_message, not call_from_thread: it never blocks, so the writer thread
            # cannot deadlock with on_unmount waiting for it.
            try:
                result = future.result()
            except (StoreError, ValueError, KeyError, OSError) as error:
                self.post_message(WriteFailed(str(error), failed, quiet))
                return
            self.post_message(Written(lambda: done(result)))

        self._writer.submit(call, store).add_done_callback(finished)

    async def wait_for_writes(self) -> None:
        """Wait until every change queued so far is on disk (for tests and benchmarks)."""
        self._save_queued()
        await asyncio.wrap_future(self._writer.submit(lambda: None))

    def on_written(self, message: Written) -> None:
        message.callback()

    def on_write_failed(self, message: WriteFailed) -> None:
        if not message.quiet:
            self.notify(message.reason, title="Not saved", severity="error", markup=False)
        if message.failed is not None:
            message.failed(message.reason)

    def _poll_store(self) -> None:
        """Every :data:`STORE_POLL_SECONDS`: in the writer thread, read the database again
        if someone else saved it (a stat when nobody did), and show the change."""
        store = self.store
        if store is None or self._polling:
            return

        def check() -> tuple[bool, list[str], str | None]:
            try:
                changed = store.refresh()
            except StoreError as error:
                return False, store.take_notices(), str(error)
            return changed, store.take_notices(), None

        def finished(future: Future[tuple[bool, list[str], str | None]]) -> None:
            self.post_message(Written(lambda: self._polled(*future.result())))

        self._polling = True
        try:
            self._writer.submit(check).add_done_callback(finished)
        except RuntimeError:  # the writer has shut down: the app is closing
            self._polling = False

    def _polled(self, changed: bool, notices: list[str], problem: str | None) -> None:
        self._polling = False
        for notice in notices:
            self.notify(notice, title="Annotations", severity="warning", markup=False)
        if problem != self._poll_problem and problem is not None:
            self.notify(problem, title="Annotations", severity="error", markup=False)
        self._poll_problem = problem
        if changed:
            for screen in self.screen_stack:
                if isinstance(screen, MainScreen):
                    screen.post_message(StoreChangedElsewhere())
