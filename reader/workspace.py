"""The one front door to the core: the library, the store and the entity finder, wired once.

A :class:`Workspace` is built from :class:`~reader.settings.Settings` by the app and by
every command, and everything else asks it: nothing else loads the library, opens the
database for the finder's corrections or builds a finder. lemon24/reader's ``make_reader``
is the model: one object that knows where things live and hands out the parts.

Textual-free. Each part is made on first use, so a command that needs only the store
never scans the library, and nothing here imports spaCy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from reader.settings import Settings

if TYPE_CHECKING:
    from reader.entities.cache import EntityCache
    from reader.entities.finder import EntityFinder
    from reader.entities.library.index import EntityIndex
    from reader.entities.span import Span
    from reader.library import Article, Library
    from reader.library.catalogue import Catalogue
    from reader.library.watch import LibraryChanges, LibraryRescan
    from reader.search.index import SearchIndex
    from reader.store import AnnotationStore

__all__ = ["CATALOGUE_SAVE_SECONDS", "Workspace"]

#: While a first start learns the articles it listed, the catalogue is saved this often
#: (each save writes it whole), so that quitting early keeps what was read.
CATALOGUE_SAVE_SECONDS = 2.0


class Workspace:
    """Where a session of reader reads and writes, and the core objects built from it.

    Thread-safe where the app needs it: the library is loaded once even when asked for
    from two threads, and the finder may be used from worker threads.
    """

    def __init__(self, settings: Settings, *, model_in_process: bool = False) -> None:
        """Wire the core for *settings*.

        Args:
            settings: Where articles, the database and the cache are.
            model_in_process: Run the entity model in this process (a one-shot command
                has no screen to keep responsive) instead of the app's worker process.
        """
        self.settings = settings
        """Where things are read from and written to."""
        self.model_in_process = model_in_process
        """Whether the entity model runs here rather than in a worker process."""
        self.store: AnnotationStore | None = None
        """The database once opened by :meth:`open_store` (its corrections feed the finder)."""
        self._library: Library | None = None
        self._catalogue: Catalogue | None = None
        """The catalogue a quick listing (:meth:`list_library`) still has to fill in."""
        self._saved = time.monotonic()
        self._library_lock = threading.Lock()
        self._rescan: LibraryRescan | None = None
        self._search_index: SearchIndex | None = None
        self._search_lock = threading.Lock()
        self._entity_index: EntityIndex | None = None

    # --- the library -------------------------------------------------------------------

    @property
    def exports_dir(self) -> Path:
        """Where exports are written by default; never read as articles."""
        return self.settings.exports_dir

    def catalogue(self) -> Catalogue | None:
        """The catalogue of article files (titles, hashes by stat), or None with --no-cache."""
        from reader.library.catalogue import Catalogue

        return Catalogue.in_cache_dir(self.settings.cache_dir) if self.settings.use_cache else None

    def library(self) -> Library:
        """The articles under the settings' paths, read once (the exports folder left out).

        The first call scans the files (through the catalogue, so a warm start reads no
        article text); later calls return the same :class:`~reader.library.Library`.
        """
        with self._library_lock:
            if self._library is None:
                self._library = self._load(quick=False)
            elif self._library.pending:  # listed quickly: learn the rest now
                self._library.learn(self._catalogue)
            return self._library

    def list_library(self) -> Library:
        """The articles under the settings' paths, those the catalogue does not know only
        listed from their first lines (:attr:`Library.pending`): the first start's list,
        at the speed of its titles. :meth:`learn_library` (or :meth:`library`) then reads
        them; until then, an article's hash is read from its file when asked for."""
        with self._library_lock:
            if self._library is None:
                self._library = self._load(quick=True)
            return self._library

    def listed(self) -> Library | None:
        """The library if it is listed already, else None; never waits (the app's screen
        asks, to show a list made while it was being built in its first frame)."""
        return self._library

    def learn_library(self, limit: int, cancelled: threading.Event | None = None) -> list[Article]:
        """Read up to *limit* more articles a :meth:`list_library` only listed (their hash,
        word count, title), in order; returns them (none when none is left). Blocking."""
        with self._library_lock:
            if self._library is None or not self._library.pending:
                return []
            learnt = self._library.learn(self._catalogue, cancelled, limit=limit)
            now = time.monotonic()
            if self._catalogue is not None and now - self._saved > CATALOGUE_SAVE_SECONDS:
                # What was learnt is kept even if the app is quit before the end.
                self._catalogue.save()
                self._saved = now
            return learnt

    def _load(self, *, quick: bool) -> Library:
        from reader.library import Library, pages

        # Saved pages are extracted once, into the cache dir beside the entities.
        pages.use_cache(self.settings.cache_dir if self.settings.use_cache else None)
        self._catalogue = self.catalogue()
        return Library.load(
            self.settings.article_paths, self._catalogue, exclude=[self.exports_dir], quick=quick
        )

    def refresh_library(self, touched: Collection[Path] | None = None) -> LibraryChanges:
        """Bring the library up to date with its files, after :meth:`library` loaded it:
        for the paths *touched* (files or folders a watcher saw change), or for every file
        (None: a walk, files whose stat changed since the last walk read again).

        Later :meth:`library` calls return the new library (the old object is left as it
        was, for whoever holds it). Blocking (reads the files changed): call it in a thread.
        """
        from reader.library import Library
        from reader.library.watch import LibraryChanges, LibraryRescan

        with self._library_lock:
            if self._library is None:  # nothing loaded yet: the first load reads it all
                return LibraryChanges(Library())
            if self._rescan is None:
                self._rescan = LibraryRescan(self.settings.article_paths, [self.exports_dir])
            changes = self._rescan.rescan(self._library, touched)
            self._library = changes.library
            return changes

    # --- the store -------------------------------------------------------------------

    def open_store(self, *, read_only: bool = False, wait: float = 0.0) -> AnnotationStore:
        """Open the database (raises :class:`~reader.store.StoreError`); the finder then
        applies its corrections. The caller closes it (it is a context manager)."""
        from reader.store import AnnotationStore

        self.store = AnnotationStore(self.settings.db_path, read_only=read_only, wait=wait)
        return self.store

    def open_store_for_corrections(self) -> str | None:
        """Open the database read-only for the finder's corrections, if there is one.

        Returns why it could not be opened (the corrections are then not applied), or None.
        """
        from reader.store import StoreError

        if not self.settings.db_path.exists():
            return None
        try:
            self.open_store(read_only=True)
        except StoreError as error:
            return f"{error}; entity corrections are not applied"
        return None

    def close(self) -> None:
        """Close the database and the search index, if open."""
        store, self.store = self.store, None
        if store is not None:
            store.close()
        if self._search_index is not None:
            self._search_index.close()
        if self._entity_index is not None:
            self._entity_index.close()

    # --- entities --------------------------------------------------------------------

    @cached_property
    def entity_cache(self) -> EntityCache | None:
        """The on-disk cache of the model's spans, or None with --no-cache."""
        from reader.entities.cache import EntityCache

        return EntityCache(self.settings.cache_dir) if self.settings.use_cache else None

    @cached_property
    def finder(self) -> EntityFinder:
        """Finds an article's entities as the user sees them: cache or model, the rules, and
        the corrections in :attr:`store` (whatever store is open when it runs)."""
        from reader.entities.finder import build_finder

        return build_finder(
            self.settings,
            cache=self.entity_cache,
            corrector=self._correct,
            in_process=self.model_in_process,
        )

    def _correct(
        self, sha256: str, text: str, spans: Sequence[Span], wait: bool = True
    ) -> list[Span] | None:
        from reader.annotations import correct_entities

        return correct_entities(self.store, sha256, text, spans, wait=wait)

    # --- search ----------------------------------------------------------------------

    def search_index(self) -> SearchIndex:
        """The search index (``search.sqlite3`` in the cache dir; in memory with --no-cache),
        opened on first use; bring it up to date with its ``update(workspace)``."""
        with self._search_lock:
            if self._search_index is None:
                from reader.search.index import SearchIndex

                cache_dir = self.settings.cache_dir if self.settings.use_cache else None
                self._search_index = SearchIndex.in_cache_dir(cache_dir)
            return self._search_index

    # --- the library's entities --------------------------------------------------------

    def entity_index(self) -> EntityIndex:
        """The entity index of this library (a file in the cache dir; in memory with
        --no-cache), opened on first use; bring it up to date with its
        ``update(workspace)``, then ask it for ``entities()`` and ``page(...)``."""
        with self._search_lock:
            if self._entity_index is None:
                from reader.entities.library.index import EntityIndex, index_file

                self._entity_index = EntityIndex(index_file(self.settings))
            return self._entity_index
