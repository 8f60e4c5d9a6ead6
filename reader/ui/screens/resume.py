"""`Resume`, the main screen's collaborator for where the library was left: the app
reopens on the article last opened (at its position: the reading state's), with the
list's cursor on it and the filter's query in force again (the list as it was left).

Kept in the store per library (:mod:`reader.store.sessions`): the key is the SHA-256 of
the library's paths, resolved and sorted, so that one database serving several libraries
keeps each one's place, and ``reader lib`` and ``reader /home/me/lib`` are one library.
Read at start with the read marks (the writer thread); restored when the library is
loaded, after the list's first frame (a warm start's first frame is the list's, as
before); saved through ``save_after_frame`` (the store's writer thread, once the frame being drawn
is: an article switch's frame does not share the machine with it) whenever an article is
shown, the filter is kept or cleared, and as the app closes; nothing is written when
nothing changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader.annotations import article_ref
from reader.library import Article
from reader.store import AnnotationStore, Session

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp


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
        (an article not read yet, listed on a first start, is not: its hash is unknown)."""
        store = self._app.store
        if not self._saving or article is None or not article.known:
            return
        if store is None or store.read_only or self._saved == (article.id, query):
            return
        if not store.loaded and not closing:
            return  # a large database being read: saved at the next switch, or at the end
        self._saved = (article.id, query)
        key = self.key

        def forget(_reason: str) -> None:
            self._saved = None

        # After the frame being drawn (an article switch's): not in it (reader/ui/app.py).
        self._app.save_after_frame(
            lambda s: s.set_session(key, article_ref(article), query), _ignore, forget
        )


def _ignore(_changed: bool) -> None:
    """What a save the user did not ask for does once it is on disk: nothing."""
