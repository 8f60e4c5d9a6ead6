"""`LiveLibrary`, the main screen's collaborator that keeps the library in step with its
files while the app runs: articles added, changed or removed (by `reader add` from cron,
a download, an editor) show in the list within a second, without losing the user's place.

A thread of its own (not a Textual worker: it lasts the whole session) waits for file
events (:func:`reader.library.watch.watch_library`), has the workspace read what changed
(:meth:`reader.workspace.Workspace.refresh_library`) and posts :class:`LibraryChanged`;
on the screen's thread the list keeps its highlighted article, its scroll and its filter,
the search index and the views' counts follow, and the article being read is read again
(its annotations re-anchored) or, when its file went, stays on screen with a notice.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from textual.widgets import Static

from reader.library.watch import POLL_SECONDS, LibraryChanges, watch_library
from reader.text import sanitize_line
from reader.ui.messages import LibraryChanged, WatchStopped
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp
    from reader.ui.screens.main import MainScreen


REMOVED_SHOWN = (
    "removed from the library (its file deleted or moved away): this is its text as last "
    "read, until you open another article"
)
"""What the header of an article removed while open says under its title."""


def _title(title: str) -> str:
    return f"“{sanitize_line(title, 80)}”"


class LiveLibrary:
    """Watches the library folders and applies their changes to the main *screen*."""

    def __init__(self, app: ReaderApp, screen: MainScreen) -> None:
        self._app = app
        self._screen = screen
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._waiters: list[asyncio.Future[LibraryChanges]] = []
        self.watching: bool | None = None
        """Whether file events are watched (False: polled; None: not started)."""
        self.adding = 0
        """Adds (Ctrl+O) running: they say what they added themselves."""
        self.ready = threading.Event()
        """Set once changes are seen: the folders are watched (or polled), and what changed
        between the library's load and then has been looked for."""

    # --- the thread ----------------------------------------------------------------

    def start(self) -> None:
        """Start watching (once the library is on screen); stopped by :meth:`stop`."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="library-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (the screen is going): the thread ends within a fraction of a
        second, and never holds the app's exit (a daemon thread)."""
        self._stop.set()

    def _run(self) -> None:
        self.watching = True
        paths = self._app.settings.article_paths
        problem = watch_library(paths, self._stop, self.rescan, self._watched)
        if problem is None or self._stop.is_set():
            return
        self.watching = False
        self._screen.post_message(WatchStopped(problem))
        self._watched()
        while not self._stop.wait(POLL_SECONDS):
            self.rescan(None)

    def _watched(self) -> None:
        """In the thread, once the folders are watched: a whole walk, for the files that
        changed between the library's load and the watch (and the stat of each, for
        polling)."""
        self.rescan(None)
        self.ready.set()

    def rescan(self, touched: Collection[Path] | None) -> None:
        """In a thread: bring the library up to date for *touched* (None: every file) and
        post what changed. The watcher calls it, and so does an add (Ctrl+O) once its
        files are written, so that they show even where file events are late or missing."""
        try:
            changes = self._app.workspace.refresh_library(touched)
        except Exception as error:  # a bug must not end the watching
            self._screen.post_message(WatchStopped(f"the library could not be read: {error}"))
            return
        if changes:
            self._screen.post_message(LibraryChanged(changes))

    # --- on the screen's thread ------------------------------------------------------

    def stopped(self, message: WatchStopped) -> None:
        """Say that the library is polled instead of watched."""
        self._app.notify(
            f"{message.reason}: looking for changes every {POLL_SECONDS:g} s instead",
            title="Library",
            severity="warning",
            markup=False,
        )

    def changed(self, message: LibraryChanged) -> None:
        """Show the library as it is now, keeping the user's place."""
        changes = message.changes
        screen = self._screen
        articles = screen.query_one(ArticleList)
        was_empty = not articles.library
        screen.library = changes.library
        articles.update_library(changes.library.articles)
        screen.library_search.library_loaded(changes.library.articles)
        screen.annotator.load_tags()
        # Entity pages and entity: follow too (the index's update is incremental: removed
        # articles leave it, changed ones are indexed again once their entities are found).
        screen.entity_pages.start()
        self._open_article(changes, was_empty)
        self._say(changes)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(changes)
        self._waiters.clear()

    def _open_article(self, changes: LibraryChanges, was_empty: bool) -> None:
        """Read the open article again if it changed; say so if it went; open the first
        article when the library was empty until now."""
        screen = self._screen
        shown = screen.article
        if shown is None:
            if was_empty and changes.library.articles:
                screen.query_one("#empty", Static).display = False
                screen.query_one(ArticleView).display = True
                screen.open_article(changes.library.articles[0])
            return
        new = next((a for a in changes.changed if a.id == shown.id), None)
        if new is not None:
            view = screen.query_one(ArticleView)
            top = view.top_offset
            screen.open_article(new)
            if view.text is new.text:  # shown at once (a long one is read in a worker)
                view.scroll_to_top_line(min(top, len(new.text)))
            self._app.notify(
                f"{_title(new.title)} changed on disk: read again",
                title="Library",
                markup=False,
            )
        elif any(a.id == shown.id for a in changes.removed):
            screen.article_removed()
            self._app.notify(
                f"The article on screen, {_title(shown.title)}, was removed from the library "
                "(its file deleted or moved away): the pane shows its text as last read "
                "until you open another article",
                title="Library",
                severity="warning",
                timeout=10,
                markup=False,
            )

    def _say(self, changes: LibraryChanges) -> None:
        """One short notice for what changed elsewhere (the open article has its own)."""
        parts = []
        if changes.added and not self.adding:
            one = len(changes.added) == 1
            parts.append(_title(changes.added[0].title) if one else f"{len(changes.added)}")
            parts[-1] += " added"
        shown = self._screen.article
        # The open article removed has its own notice: counted here as the others only.
        others = [a for a in changes.removed if shown is None or a.id != shown.id]
        if others:
            one = len(others) == 1
            parts.append(_title(others[0].title) if one else f"{len(others)}")
            parts[-1] += " removed" if len(others) == len(changes.removed) else " also removed"
        if changes.problems:
            skipped = "; ".join(str(p) for p in changes.problems[:3])
            parts.append(f"skipped: {skipped}")
        if parts:
            self._app.notify(
                sanitize_line(", ".join(parts), 300),
                title="Library",
                timeout=4,
                markup=False,
            )

    def next_change(self) -> asyncio.Future[LibraryChanges]:
        """A future set when the next change has been shown (for tests)."""
        waiter: asyncio.Future[LibraryChanges] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        return waiter
