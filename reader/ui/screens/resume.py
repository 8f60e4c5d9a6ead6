"""`Resume`, the main screen's collaborator for where the library was left: the app
reopens on the article last opened (at its position: the reading state's), with the
list's cursor on it and the filter's query in force again (the list as it was left).

Kept in the store per library (:mod:`reader.store.sessions`): the key is the SHA-256 of
the library's paths, resolved and sorted, so that one database serving several libraries
keeps each one's place, and ``reader lib`` and ``reader /home/me/lib`` are one library.
Read at start with the read marks (the writer thread); restored when the library is
loaded, after the list's first frame (a warm start's first frame is the list's, as
before), unless the user has already moved the list's cursor, chosen an article or opened
the filter field (what they did wins: the screen's check); saved through
``save_after_frame`` (the writer thread, after the frame being made) once the user has
rested :data:`SAVE_AFTER` seconds on an article shown or a filter kept or cleared, and at
once as the app closes or is suspended (Ctrl+Z): a save is a journalled write with an
fsync, not worth one for every switch; nothing is written when
nothing changed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader.annotations import article_ref
from reader.library import Article
from reader.store import AnnotationStore, Session

if TYPE_CHECKING:
    from textual.timer import Timer

    from reader.ui.app import ReaderApp

SAVE_AFTER = 2.0
"""Seconds without another switch before where the library is left is written."""


def library_key(paths: Sequence[Path]) -> str:
    """The key of the library read from *paths*: the same for the same folders named
    another way (relative, through a symlink), in any order."""
    real = sorted({os.path.realpath(path) for path in paths})
    return hashlib.sha256(os.fsencode("\n".join(real))).hexdigest()


class Resume:
    """Reads, finds again and saves where the library was left.

    The contract: *app* (its settings' article paths, the store only through
    ``save_after_frame``).
    The screen calls :meth:`read` in the writer thread at start, :meth:`find` once the
    library is loaded (then saving starts: before, the article opened at start would
    replace what is to be restored), and :meth:`save` after that.
    """

    def __init__(self, app: ReaderApp) -> None:
        self._app = app
        self.key = library_key(app.settings.article_paths)
        """This library's key in the store."""
        self.session: Session | None = None
        """Where the library was left, as read at start (None: never, or no store)."""
        self._saving = False
        self._saved: tuple[str, str] | None = None
        """The article's id and the query last saved (or restored)."""
        self._pending: tuple[Article, str] | None = None
        """The article and query to save once the user rests (:data:`SAVE_AFTER`)."""
        self._asked = 0.0
        """When :meth:`save` was last asked (``time.monotonic``)."""
        self._timer: Timer | None = None

    def read(self, store: AnnotationStore) -> Session | None:
        """Where this library was left (in the writer thread)."""
        return store.session(self.key)

    def find(self, articles: Sequence[Article]) -> tuple[Article | None, str]:
        """The article the library was left on, if it is still in *articles* (by its path,
        else by its content), and the query then; from now on, :meth:`save` saves."""
        self._saving = True
        session = self.session
        if session is None:
            return None, ""
        name = os.path.basename(session.path)
        found = next(
            (a for a in articles if a.path.name == name and str(a.path.resolve()) == session.path),
            None,
        )
        if found is None:  # moved or renamed: by its text (known to a warm start)
            found = next((a for a in articles if a.known and a.sha256 == session.sha256), None)
        if found is not None:
            self._saved = (found.id, session.query)
        return found, session.query

    def save(self, article: Article | None, query: str, *, closing: bool = False) -> None:
        """Remember *article* and *query* as where the library is left, if that changed
        (an article not read yet, listed on a first start, is not: its hash is unknown):
        written once no other save is asked for :data:`SAVE_AFTER` seconds, or now when
        *closing* (the app quits or is suspended)."""
        if not self._saving or article is None or not article.known:
            if closing:  # what was asked for before is still written
                self.flush(closing=True)
            return
        self._pending = (article, query)
        self._asked = time.monotonic()
        if closing:
            self.flush(closing=True)
        elif self._timer is None:
            self._timer = self._app.set_timer(SAVE_AFTER, self._rested)

    def _rested(self) -> None:
        self._timer = None
        waited = time.monotonic() - self._asked
        if waited < SAVE_AFTER:  # asked again since the timer started
            self._timer = self._app.set_timer(SAVE_AFTER - waited, self._rested)
            return
        self.flush()

    def flush(self, *, closing: bool = False) -> None:
        """Write what :meth:`save` was last asked to save, if anything (in the writer
        thread; *closing*: even while a large database is still being read)."""
        if self._timer is not None and closing:
            self._timer.stop()
            self._timer = None
        pending, self._pending = self._pending, None
        if pending is None:
            return
        article, query = pending
        store = self._app.store
        if store is None or store.read_only or self._saved == (article.id, query):
            return
        if not store.loaded and not closing:
            self._pending = pending  # a large database being read: saved next, or at the end
            return
        self._saved = (article.id, query)
        key = self.key

        def forget(_reason: str) -> None:
            self._saved = None

        # After the frame being drawn (an article switch's): not in it (reader/ui/app_store.py).
        self._app.save_after_frame(
            lambda s: s.set_session(key, article_ref(article), query), _ignore, forget
        )


def _ignore(_changed: bool) -> None:
    """What a save the user did not ask for does once it is on disk: nothing."""
