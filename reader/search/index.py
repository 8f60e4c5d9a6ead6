"""The search index: the library's articles, notes, tags and entities in SQLite FTS5.

Derived data, kept in the user cache dir beside the entity cache
(``<cache dir>/search.sqlite3``, WAL mode) and always rebuildable: a file that is broken,
foreign or from another format (its own, or the catalogue's: what a title or a displayed
text is) is deleted and built again, never an error to the user; a
cache dir that cannot be written (or ``--no-cache``) means an index in memory.

Why SQLite FTS5 and not a Python search library: it ships with Python's ``sqlite3`` (no
dependency), keeps a 10,000-article index on disk rather than in the app's memory, answers
a query in milliseconds without loading anything, lets several threads and processes (the
app and ``reader search``) read while one writes. Its tokenizers do not fold as the
in-article find and the reference do (:mod:`reader.search.text_match`), so the words are
folded in Python and indexed folded (:func:`~reader.search.text_match.index_words`).

What is indexed per article (its row id is the FTS row id): the FTS columns ``title``,
``text`` (the displayed text), ``notes`` (bodies of notes and highlights), ``tags``,
``entities`` (their texts), ``labels``, ``folder`` and ``path``; and plain tables: the
article (path, hash, date, words, has note/highlight/correction, its place in the library),
its tags, its folder names and its entities with their labels and mention counts.

**Dates**: the ``date:`` of the YAML front matter when the text starts with one, else the
local day of the file's modification time, taken when the article's content is indexed
and again when an update finds the file read by this process (a changed file is: a front
matter's date edited with the text unchanged is taken then).

**Entities** are exactly what ``reader entities`` prints (the finder's cached model output,
the consistency rules and the user's corrections), taken only from the entity cache: an
article whose entities are not cached yet is indexed without them and gets them on a later
:meth:`SearchIndex.update`. They are filled in a second pass after the text is committed,
because the rules cost ~1.5-2 ms an article, four times the rest of indexing; what the
rules gave is kept beside the index (:mod:`reader.search.entity_rows`, keyed by the
article's hash, the rules' code, the model and the corrections), so that a build from
scratch takes it while indexing the text and runs the rules only where the key changed.

Thread-safe: each thread uses its own connection (WAL lets them read while one writes).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader import __version__, heap
from reader.library.catalogue_format import CATALOGUE_FORMAT
from reader.library.folders import index_path, library_folder, library_roots
from reader.search.compile import (
    EntityArticles,
    compile_query,
    smart_case_narrows,
)
from reader.search.explain import case_filter, explain, snippet_pattern_of
from reader.search.notices import NOTICE_FIELDS, unknown_values
from reader.search.query import Query, uses_fields
from reader.search.schema import INDEX_FILE, INDEX_FORMAT, SCHEMA
from reader.search.snippets import find_snippet
from reader.search.stamp import library_stamp
from reader.sqlite_files import create_database
from reader.sqlite_pool import ConnectionPool, connect_wal

# The update's modules (writing, entity_rows, and through them the read-ahead child's) are
# imported where an update needs them: a search of an index found up to date (`reader
# search`, most runs) needs none of them, and they cost ~10 ms to import from source.
if TYPE_CHECKING:
    from reader.library import Article
    from reader.search.entity_rows import MentionRow
    from reader.search.writing import Entities, NewArticle, StoreSnapshot, UpdateReport
    from reader.workspace import Workspace

__all__ = [
    "INDEX_FILE",
    "INDEX_FORMAT",
    "Hit",
    "IndexReset",
    "SearchIndex",
    "UpdateReport",
    "library_stamp",
]


def __getattr__(name: str) -> object:
    """``UpdateReport``, exported here, imported with the update's modules when asked for."""
    if name == "UpdateReport":
        from reader.search.writing import UpdateReport

        return UpdateReport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


UPDATE_CACHE_KIB = 32 * 1024
"""SQLite's page cache while updating (the default, 2 MiB, is restored afterwards)."""
LEAN_CACHE_KIB = 8 * 1024
"""The same for a lean update (the app's, beside the entity worker: memory first)."""

TEXT_BATCH = 200
"""Hits whose texts are read in one query when their snippets are found."""

ENTITY_BATCH = 500
"""Articles whose entities are written per transaction in the second pass (readers see
progress, and a cancelled update keeps what it did)."""


class IndexReset(Exception):
    """The index file turned out broken while searching: it was emptied, and is rebuilt by
    the next :meth:`SearchIndex.update` (call it, then search again)."""


@dataclass(frozen=True)
class Hit:
    """An article a query found, and why."""

    location: str
    """The article's file as the library found it (:attr:`path` as a string: printing a
    hit needs no :class:`~pathlib.Path`)."""
    sha256: str
    """Its content hash."""
    title: str
    """Its title (sanitised, one line)."""
    fields: tuple[str, ...] = ()
    """What matched: ``title``, ``text``, ``notes``, ``tags`` for free words and phrases,
    else the field's name (``tag``, ``entity``, ``label``, ``has``, ``is``, ``in``,
    ``path``, ``date``, ``words``); empty when not asked (``explain=False``)."""
    snippet: str = ""
    """A bit of the text around the first word found, on one line (sanitised); ``""`` when
    no word of the query is in the text."""
    marks: tuple[tuple[int, int], ...] = ()
    """Where the words found are in :attr:`snippet` (start, end code points): drawn by
    offsets, never by markup."""

    @property
    def path(self) -> Path:
        """The article's file (as the library found it)."""
        return Path(self.location)

    def to_json(self) -> dict[str, Any]:
        """The hit as JSON-ready data (what ``reader search --format json`` prints)."""
        return {
            "path": self.location,
            "sha256": self.sha256,
            "title": self.title,
            "fields": list(self.fields),
            "snippet": self.snippet,
            "marks": [list(mark) for mark in self.marks],
        }


class SearchIndex:
    """The full-text index of one cache dir (or in memory): :meth:`update` it from a
    workspace, :meth:`search` it with a parsed query. Thread-safe; :meth:`close` when done."""

    def __init__(self, path: Path | None) -> None:
        """The index in the file *path* (created when missing), or in memory when None."""
        self.path = path
        """The index file, or None for an index in memory."""
        self._pool = ConnectionPool(self._connect_file)
        self._lock = self._pool.lock
        """Held while connections are opened, closed or the file rebuilt (briefly)."""
        self._update_lock = threading.Lock()
        """One update at a time; searches do not take it (WAL: they read the last commit)."""
        self._prepared = False
        self._rebuilt: str | None = None
        self._read: frozenset[str] = frozenset()
        self._entity_stamp: str | None = None
        """The entity cache's stamp remembered with the index (read by :meth:`current`)."""
        self._scope: tuple[int, dict[str, tuple[int, str]]] | None = None
        self._scope_source: Sequence[Article] | None = None
        self._dated: dict[int, tuple[Article, Mapping[str, str]]] = {}
        """Per library article (by id; kept, so that no other takes its id) the meta whose
        date the last update found indexed: an unchanged article's date is not worked out
        again (a stat each) on every update."""
        self.entity_resolver: EntityArticles | None = None
        """When set, ``entity:`` finds the articles of the entity its value names as the
        library's entity resolution knows it (``EntityIndex.articles_of``: "Lavrov" finds
        "Sergey Lavrov", merges and splits applied); None: the value's text as shown."""

    @classmethod
    def in_cache_dir(cls, cache_dir: Path | None) -> SearchIndex:
        """The index kept in *cache_dir* (beside the entity cache), or in memory for None."""
        return cls(None if cache_dir is None else cache_dir / INDEX_FILE)

    @property
    def in_memory(self) -> bool:
        """Whether the index lives in memory (no file, or the cache dir is not writable)."""
        self._prepare()
        return self._pool.memory is not None

    @property
    def read(self) -> frozenset[str]:
        """The hashes of the articles marked read, as of the last :meth:`update`
        (empty until the store keeps read state)."""
        return self._read

    def close(self) -> None:
        """Close every connection (from any thread). The index may be used again after."""
        with self._lock:
            self._pool.close()
            self._prepared = False

    # --- connections ------------------------------------------------------------------

    def _connect_file(self) -> sqlite3.Connection:
        assert self.path is not None
        return connect_wal(self.path, "temp_store=MEMORY")

    def _prepare(self) -> None:
        """Open (or build) the index once: check its format, else start it afresh."""
        if self._prepared:  # the common case, without waiting for whoever holds the lock
            return
        with self._lock:
            if self._prepared:
                return
            if self.path is not None:
                try:
                    self._open_or_rebuild()
                except (OSError, sqlite3.Error) as error:
                    self._rebuilt = f"the cache dir cannot be written ({error}): kept in memory"
                    self._pool.close()
                    self._pool.start_memory(SCHEMA, self._write_meta)
            else:
                self._pool.start_memory(SCHEMA, self._write_meta)
            self._prepared = True

    def _open_or_rebuild(self) -> None:
        assert self.path is not None
        if not self.path.exists():
            self._create()
            return
        reason = None
        try:
            connection = self._connect_file()
            try:
                rows = dict(connection.execute("SELECT key, value FROM meta").fetchall())
                if not rows:
                    raise sqlite3.DatabaseError("empty")
            finally:
                connection.close()
            if rows.get("format") != str(INDEX_FORMAT):
                reason = f"it was built by another format ({rows.get('format')})"
            elif rows.get("catalogue") != str(CATALOGUE_FORMAT):
                # What a title or a displayed text is changed with the catalogue's format
                # (the Markdown drawn, a title from front matter): rows of an unchanged
                # file would keep the old ones, so the index is built again, once.
                reason = f"titles and texts are read anew (catalogue format {CATALOGUE_FORMAT})"
        except sqlite3.DatabaseError as error:
            reason = f"it could not be read ({error})"
        if reason is not None:
            self._rebuilt = f"{self.path} was rebuilt: {reason}"
            self._create()

    def _create(self) -> None:
        assert self.path is not None
        create_database(self.path, self._connect_file, SCHEMA, self._write_meta)

    @staticmethod
    def _write_meta(connection: sqlite3.Connection) -> None:
        connection.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
            [
                ("format", str(INDEX_FORMAT)),
                ("catalogue", str(CATALOGUE_FORMAT)),
                ("reader", __version__),
            ],
        )

    def _connection(self) -> AbstractContextManager[sqlite3.Connection]:
        """This thread's connection (the one connection, locked, for an index in memory)."""
        self._prepare()
        return self._pool.connection()

    def _reset(self, why: str) -> None:
        """Throw the index away and start an empty one (a broken file found in use)."""
        with self._lock:
            self._pool.close()
            self._prepared = False
            if self.path is not None:
                try:
                    self._create()
                    self._rebuilt = f"{self.path} was rebuilt: {why}"
                    self._prepared = True
                except (OSError, sqlite3.Error):
                    pass
            self._prepare()

    # --- keeping it up to date --------------------------------------------------------

    def update(
        self,
        workspace: Workspace,
        *,
        entities: bool = True,
        cancelled: threading.Event | None = None,
        lean: bool = False,
    ) -> UpdateReport:
        """Bring the index up to date with the workspace's library, store and entity cache.

        Articles are matched by path and content hash: new ones are indexed, changed ones
        indexed again, those whose file is gone taken out (an article outside this library
        whose file still exists is kept, out of the default scope of :meth:`search`). Notes,
        tags and annotation kinds are compared per article with the store; entities are
        taken from the entity cache (second pass, skipped when *entities* is False).
        Uses the workspace's open store, else opens it read-only for the finder's
        corrections. Stops at its next article when *cancelled* is set. Never raises for a
        broken index file: it is rebuilt. *lean* (the app, whose memory figure counts every
        process it starts): no read-ahead child for a bulk build, and a smaller page cache
        (:data:`LEAN_CACHE_KIB`), at the cost of the build's speed.
        """
        from reader.search.writing import UpdateReport, store_snapshot

        report = UpdateReport()
        with self._update_lock:
            store = workspace.store
            if store is None:
                unavailable = workspace.open_store_for_corrections()
                if unavailable:
                    report.problems.append(unavailable)
                store = workspace.store
            snapshot = store_snapshot(store)
            self._read = snapshot.read
            try:
                self._update(workspace, snapshot, report, entities, cancelled, lean)
            except sqlite3.DatabaseError as error:
                self._reset(f"it broke while being updated ({error})")
                report = UpdateReport(problems=report.problems)
                self._update(workspace, snapshot, report, entities, cancelled, lean)
            report.rebuilt, self._rebuilt = self._rebuilt, None
            return report

    def _update(
        self,
        workspace: Workspace,
        snapshot: StoreSnapshot,
        report: UpdateReport,
        entities: bool,
        cancelled: threading.Event | None,
        lean: bool = False,
    ) -> None:
        from reader.search import writing
        from reader.search.reading import indexed_day
        from reader.search.writing import NewArticle, annotate, delete, let_others_run, relocate

        started = time.perf_counter()
        library = workspace.library()
        articles = library.articles
        report.articles = len(articles)
        context = self._entities(workspace, snapshot, report) if entities else None
        with self._connection() as connection:
            known = {
                path: (row_id, sha256, store_key, position, (shown, folder), title, day)
                for row_id, path, sha256, store_key, position, shown, folder, title, day in (
                    connection.execute(
                        "SELECT id, path, sha256, store_key, position, shown_path, folder, "
                        "title, date FROM articles"
                    )
                )
            }
            roots = library_roots(workspace.settings.article_paths)
            # A bigger page cache while writing (FTS5 merges its segments faster), given
            # back afterwards: the app keeps the index open for its whole session.
            cache_kib = LEAN_CACHE_KIB if lean else UPDATE_CACHE_KIB
            connection.execute(f"PRAGMA cache_size = -{cache_kib}")
            connection.execute("BEGIN IMMEDIATE")
            try:
                positions: list[tuple[int, int]] = []
                new: list[NewArticle] = []
                dated: dict[int, tuple[Article, Mapping[str, str]]] = {}
                for place, article in enumerate(articles):
                    let_others_run()
                    absolute = os.path.abspath(article.path)
                    path = index_path(absolute)
                    where = (str(article.path), library_folder(absolute, roots))
                    row = known.pop(path, None)
                    if row is None and absolute != path:
                        # Kept through a symlink (an index before keys resolved folders):
                        # the row is the article's, under its key from now on.
                        row = known.pop(absolute, None)
                        if row is not None:
                            connection.execute(
                                "UPDATE articles SET path = ? WHERE id = ?", (path, row[0])
                            )
                    # A title changed with the text unchanged (front matter edited: it is
                    # not part of the displayed text) is indexed again too; a title only
                    # listed (a first start's, from the first lines) is not the article's.
                    if (
                        row is None
                        or row[1] != article.sha256
                        or (article.known and row[5] != article.title)
                    ):
                        if row is not None:
                            delete(connection, row[0])
                            report.changed += 1
                        else:
                            report.added += 1
                        new.append(NewArticle(article, path, where, place))
                        if article.has_meta:  # its date is the file's as read now
                            dated[id(article)] = (article, article.meta)
                        continue
                    row_id, sha256, store_key, position, stored_where, _, day = row
                    # Its date too (a front matter's date edited: the text is the same),
                    # known without a read once this process read the file (a changed
                    # file is): worked out once per meta read.
                    if article.has_meta:
                        meta = article.meta
                        checked = self._dated.get(id(article))
                        dated[id(article)] = (article, meta)
                        if (checked is None or checked[1] is not meta) and (
                            (now := indexed_day(meta, path)) != day
                        ):
                            connection.execute(
                                "UPDATE articles SET date = ? WHERE id = ?", (now, row_id)
                            )
                            report.changed += 1
                    if stored_where != where:
                        relocate(connection, row_id, where, stored_where)
                        report.moved += 1
                    if store_key != snapshot.key(sha256):
                        annotate(connection, row_id, sha256, snapshot)
                        report.annotated += 1
                    if position != place:
                        positions.append((place, row_id))
                if new:
                    writing.insert_new(
                        connection, new, snapshot, context, report, cancelled, read_ahead=not lean
                    )
                connection.executemany("UPDATE articles SET position = ? WHERE id = ?", positions)
                report.moved += len(positions)
                connection.execute(
                    "INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) "
                    "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
                )
                (report.generation,) = connection.execute(
                    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'"
                ).fetchone()
                for path, (row_id, _, _, position, *_) in known.items():
                    # Another library's article is kept; a row keyed through a symlink
                    # (an index before keys resolved their folders) is the same file again.
                    if os.path.exists(path) and index_path(path) == path:
                        connection.execute(
                            "UPDATE articles SET position = NULL WHERE id = ?", (row_id,)
                        )
                        if position is not None:
                            report.moved += 1
                    else:
                        delete(connection, row_id)
                        report.removed += 1
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            self._dated = dated
            report.text_seconds = time.perf_counter() - started
            if context is not None:
                started = time.perf_counter()
                try:
                    self._update_entities(connection, context, snapshot, report, cancelled)
                finally:
                    if context.kept is not None:
                        context.kept.close()
                report.entity_seconds = time.perf_counter() - started
            connection.execute("PRAGMA cache_size = -2000")
            connection.execute("PRAGMA shrink_memory")
        self._scope = None
        # What the update freed (the page cache, the library compared) goes back to the
        # system, not kept in the allocator's arenas (reader/heap.py; figure 5): once the
        # user rests (the trim takes each arena's lock in turn, the screen's thread waits).
        heap.want_back()

    def _entities(
        self, workspace: Workspace, snapshot: StoreSnapshot, report: UpdateReport
    ) -> Entities | None:
        """What the update needs to index entities, or None (and why in *report*)."""
        from reader.entities.engines import NoModel
        from reader.entities.finder import EntityFinder
        from reader.search.entity_rows import ROWS_FILE, EntityRows, rules_digest
        from reader.search.writing import Entities

        finder = workspace.finder
        if finder.cache is None:
            report.entities_unavailable = "no entity cache (--no-cache)"
            return None
        try:
            engine = finder.pipeline
        except NoModel as error:
            report.entities_unavailable = str(error)
            return None
        base = f"{__version__}/{rules_digest()}/{engine.key}/{snapshot.global_corrections}"
        self._prepare()
        in_file = self.path is not None and self._pool.memory is None
        kept = EntityRows(self.path.parent / ROWS_FILE) if in_file and self.path else None
        # Applying no corrections is what the corrector does for an article without any;
        # skipping it spares a scan of the store per article.
        plain = EntityFinder(finder.recognizer, finder.cache)
        return Entities(finder, engine, base, kept, plain)

    def _update_entities(
        self,
        connection: sqlite3.Connection,
        context: Entities,
        snapshot: StoreSnapshot,
        report: UpdateReport,
        cancelled: threading.Event | None,
    ) -> None:
        """The second pass: the entities of every article in the library whose entities
        are not indexed, or were indexed under other rules, corrections or model (from the
        rows kept beside the index when they have the same key, else by the rules)."""
        from reader.search.entity_rows import mention_rows
        from reader.search.writing import let_others_run, write_entities

        finder, engine, cache = context.finder, context.engine, context.finder.cache
        assert cache is not None
        listed = connection.execute(
            "SELECT id, sha256, entities_key FROM articles WHERE position IS NOT NULL "
            "ORDER BY position"
        ).fetchall()
        todo = [
            (row_id, sha256, key)
            for row_id, sha256, old in listed
            if (key := context.key(snapshot, sha256)) != old
        ]
        written = 0
        for start in range(0, len(todo), ENTITY_BATCH):
            if cancelled is not None and cancelled.is_set():
                break
            batch: list[tuple[int, str, list[MentionRow]]] = []
            found_now: list[tuple[str, str, list[MentionRow]]] = []
            for row_id, sha256, key in todo[start : start + ENTITY_BATCH]:
                if cancelled is not None and cancelled.is_set():
                    break  # what is batched is written; the rest is the next update's
                let_others_run()
                reused = context.reuse(snapshot, sha256)
                if reused is not None:
                    batch.append((row_id, *reused))
                    report.entities_kept += 1
                    continue
                if not cache.has(sha256, engine):
                    report.entities_missing += 1
                    continue
                # The text as indexed (read from the index, not kept from the first pass:
                # holding every new article's text would add tens of MB to a first start).
                found = connection.execute(
                    "SELECT text_shown FROM fts WHERE rowid = ?", (row_id,)
                ).fetchone()
                text = "" if found is None else found[0]
                corrected = snapshot.global_corrections or sha256 in snapshot.corrections
                spans = (finder if corrected else context.plain).cached(sha256, text)
                if spans is None:
                    report.entities_missing += 1
                    continue
                rows = mention_rows(spans)
                batch.append((row_id, key, rows))
                found_now.append((sha256, key, rows))
            write_entities(connection, batch)
            if context.kept is not None and found_now:
                context.kept.put(found_now)
            report.entities += len(batch)
            written += len(batch)
        self._keep_coverage(connection, report.generation, len(listed) - len(todo) + written)

    @staticmethod
    def _keep_coverage(connection: sqlite3.Connection, generation: int, found: int) -> None:
        """Note in the index what :meth:`entity_coverage` would say now (the articles with
        their entities indexed under the key in force), for the index as this update
        (*generation*) leaves it: a later `reader search` on an unchanged library then
        reads no store to say it."""
        with suppress(sqlite3.Error):
            connection.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('coverage', ?)",
                (json.dumps({"generation": generation, "found": found}),),
            )

    # --- knowing it is up to date without loading the library ------------------------

    def current(self, stamp: str | None) -> list[str] | None:
        """Whether the index is as the last :meth:`remember` left it, for a library whose
        :func:`library_stamp` is *stamp*: then the library's problems as remembered (to
        print again), else None (load the library and :meth:`update`). An update by anyone
        since (the app, another command) makes the index not current.

        When current, :meth:`search` without *articles* searches that library, in its
        order, with its read state: nothing is loaded.
        """
        if stamp is None or self.path is None:
            return None
        try:
            with self._connection() as connection:
                rows = dict(
                    connection.execute(
                        "SELECT key, value FROM meta WHERE key IN ('generation', 'stamp')"
                    ).fetchall()
                )
        except sqlite3.DatabaseError:
            return None
        if self._pool.memory is not None or "stamp" not in rows:
            return None
        try:
            kept = json.loads(rows["stamp"])
        except ValueError:
            return None
        if kept.get("stamp") != stamp or str(kept.get("generation")) != rows.get("generation"):
            return None
        self._read = frozenset(kept.get("read", ()))
        self._entity_stamp = kept.get("entities")
        return [str(problem) for problem in kept.get("problems", ())]

    def entities_current(self, entity_stamp: str | None) -> bool:
        """After :meth:`current` said the index is current: whether its entities are too,
        for an entity cache whose :func:`entity_cache_stamp` (trusted) is *entity_stamp*:
        every entry the cache had when that stamp was remembered is indexed, and the cache
        has not changed since. A query for entities (entity:, label:, sort:mentions) needs
        this; any other reads no entity."""
        return entity_stamp is not None and self._entity_stamp == entity_stamp

    def remember(
        self,
        stamp: str | None,
        report: UpdateReport,
        problems: Sequence[str],
        entity_stamp: str | None = None,
    ) -> None:
        """Record that the update *report* brought the index up to date with the library
        whose :func:`library_stamp` was *stamp* (taken before the library was loaded), and
        the library's *problems*, and with the entity cache whose trusted
        :func:`entity_cache_stamp` was *entity_stamp* (taken before the update; None: the
        entities are not known current); unless another update came since, or *stamp* is
        None. Only for an update run whole, entities included (as `reader search` runs
        it)."""
        if stamp is None or self.path is None or report.generation == 0:
            return
        data = json.dumps(
            {
                "stamp": stamp,
                "generation": report.generation,
                "problems": list(problems),
                "read": sorted(self._read),
                "entities": entity_stamp,
            },
            ensure_ascii=False,
        )
        with suppress(sqlite3.Error), self._connection() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO meta(key, value) SELECT 'stamp', ? "
                "WHERE (SELECT value FROM meta WHERE key = 'generation') = ?",
                (data, str(report.generation)),
            )

    def carry(self, report: UpdateReport, entity_stamp: str | None, complete: bool) -> bool:
        """After an update that is not :meth:`remember`'s (the app's, whose library is its
        own, loaded when it started): keep what was remembered current when that update
        changed no article's text, notes, tags, place or order (*report*: only entities)
        and came right after the one remembered (no other update between). Then the index
        is, but for entities, as remembered, and a `reader search` during the app's entity
        pass does not redo the app's work (nor load the library).

        *complete*: the update's entity pass ran to its end, so every entry the cache had
        when its trusted :func:`entity_cache_stamp` was *entity_stamp* (taken before the
        update) is indexed: remembered as the entities' stamp. Else the one remembered
        stays (entities only added since: it still holds). Whether carried."""
        if self.path is None or report.generation == 0 or self._pool.memory is not None:
            return False
        if report.added or report.changed or report.removed or report.annotated or report.moved:
            return False
        carried = False
        with suppress(sqlite3.Error), self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                rows = dict(
                    connection.execute(
                        "SELECT key, value FROM meta WHERE key IN ('generation', 'stamp')"
                    ).fetchall()
                )
                kept = json.loads(rows["stamp"]) if "stamp" in rows else None
                if (
                    isinstance(kept, dict)
                    and rows.get("generation") == str(report.generation)
                    and kept.get("generation") == report.generation - 1
                ):
                    kept["generation"] = report.generation
                    if complete:
                        kept["entities"] = entity_stamp
                    connection.execute(
                        "UPDATE meta SET value = ? WHERE key = 'stamp'",
                        (json.dumps(kept, ensure_ascii=False),),
                    )
                    carried = True
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return carried

    # --- searching --------------------------------------------------------------------

    def search(
        self,
        query: Query,
        articles: Sequence[Article] | None = None,
        *,
        read: frozenset[str] | None = None,
        explain: bool = True,
    ) -> list[Hit]:
        """The articles *query* finds, in the library's order unless it sorts.

        Args:
            query: A parsed query (:func:`reader.search.query.parse`).
            articles: Search only these (and in their order); default: the library of the
                last :meth:`update`.
            read: The hashes of the articles marked read (for ``is:``); default: the
                store's as of the last update.
            explain: Also say which fields matched and find a snippet (the app's filter
                needs neither, and is faster without).

        Raises:
            IndexReset: the index file was found broken and was emptied; update and ask again.
        """
        with self._reset_when_broken():
            return list(self._hits(query, articles, self._read if read is None else read, explain))

    def paths(
        self,
        query: Query,
        articles: Sequence[Article] | None = None,
        *,
        read: frozenset[str] | None = None,
    ) -> list[str]:
        """The paths (as the library found them) of the articles :meth:`search` finds, in
        the same order, and nothing else: what the app's filter needs on every keystroke
        (no :class:`Hit` and no :class:`~pathlib.Path` made per article).

        Raises:
            IndexReset: as :meth:`search`.
        """
        with self._reset_when_broken(), self._connection() as connection:
            rows = self._ordered(connection, query, articles, self._read if read is None else read)
        return [row[6] for row in rows]

    def notices(self, query: Query) -> list[str]:
        """What :func:`reader.search.notices.unknown_values` says of *query* against this
        index's labels and the folders of its listed articles (no look-up when the query
        has no ``label:`` nor ``in:``): ``no label PEROSN: did you mean PERSON?``.

        Raises:
            IndexReset: as :meth:`search`.
        """
        if not uses_fields(query.where, NOTICE_FIELDS):
            return []
        with self._reset_when_broken(), self._connection() as connection:
            # The distinct labels by the label index, one step per label (not a scan).
            labels = [
                row[0]
                for row in connection.execute(
                    "WITH RECURSIVE l(x) AS (SELECT min(label) FROM mentions UNION ALL "
                    "SELECT (SELECT min(label) FROM mentions WHERE label > x) FROM l "
                    "WHERE x IS NOT NULL) SELECT x FROM l WHERE x IS NOT NULL"
                )
            ]
            folders = [
                row[0]
                for row in connection.execute(
                    "SELECT DISTINCT folder FROM articles WHERE position IS NOT NULL"
                )
            ]
        return unknown_values(query, labels=labels, folders=folders)

    def entity_coverage(self, workspace: Workspace) -> tuple[int, int]:
        """How many of the library's articles have their entities indexed as an update
        would index them now (under the key of the model, rules and corrections in
        force), and how many articles it has: the app's count too (an update's
        :attr:`UpdateReport.entities_missing`). Those indexed under others and not found
        again (their model output is no longer cached) and those never cached (never
        opened, and not found by `reader index`) are missing.

        As the last update noted it when no update came since (what `reader search` asks
        of an index it has just found up to date: nothing it reads changed), else worked out
        from the index and the store's corrections (not its notes and highlights)."""
        with self._connection() as connection:
            kept = dict(
                connection.execute(
                    "SELECT key, value FROM meta WHERE key IN ('coverage', 'generation')"
                ).fetchall()
            )
            total = connection.execute(
                "SELECT count(*) FROM articles WHERE position IS NOT NULL"
            ).fetchone()[0]
        with suppress(ValueError, TypeError, KeyError, AttributeError):
            noted = json.loads(kept["coverage"])
            if str(noted["generation"]) == kept["generation"]:
                return int(noted["found"]), total
        from reader.search.writing import UpdateReport, corrections_snapshot

        if workspace.store is None:
            workspace.open_store_for_corrections()
        # The keys need the corrections alone (not every note and highlight: 1.4 s for
        # 100,000 annotations).
        snapshot = corrections_snapshot(workspace.store)
        context = self._entities(workspace, snapshot, UpdateReport())
        with self._connection() as connection:
            rows = connection.execute(
                "SELECT sha256, entities_key FROM articles WHERE position IS NOT NULL"
            ).fetchall()
        if context is None:  # no model or no cache: no entities at all
            return 0, len(rows)
        return sum(key == context.key(snapshot, sha) for sha, key in rows), len(rows)

    def hits(
        self,
        query: Query,
        articles: Sequence[Article] | None = None,
        *,
        read: frozenset[str] | None = None,
    ) -> Iterator[Hit]:
        """The hits of :meth:`search` with ``explain=True``, each explained as it is asked
        for: the articles are found at once (the first hit comes before any is explained),
        then each hit's fields and snippet are worked out when the caller takes it, so a
        printer streams them (what `reader search` does).

        Raises:
            IndexReset: as :meth:`search` (before the first hit, or while explaining).
        """
        with self._reset_when_broken():
            yield from self._hits(query, articles, self._read if read is None else read, True)

    @contextmanager
    def _reset_when_broken(self) -> Iterator[None]:
        """Turn a broken index file met while searching into an emptied index and
        :class:`IndexReset` (a query SQLite refuses is a bug here, and is raised as it is)."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and "fts5" in str(error).lower():
                raise
            self._reset(f"it broke while being searched ({error})")
            raise IndexReset(str(error)) from error

    def _hits(
        self,
        query: Query,
        articles: Sequence[Article] | None,
        read: frozenset[str],
        explain: bool,
    ) -> Iterator[Hit]:
        """The hits in order: the rows are fetched when this is called (eagerly, so that
        the caller's first :func:`next` finds them), each hit explained when taken."""
        with self._connection() as connection:
            ordered = self._ordered(connection, query, articles, read)
        if not explain or not ordered:
            return iter([Hit(location=row[6], sha256=row[2], title=row[3]) for row in ordered])
        return self._explained(query, ordered, read)

    def _ordered(
        self,
        connection: sqlite3.Connection,
        query: Query,
        articles: Sequence[Article] | None,
        read: frozenset[str],
    ) -> list[Any]:
        """The rows the query finds, in the list's order (or the query's sort)."""
        scope = "a.position IS NOT NULL" if articles is None else "1"
        within: set[int] | None = None
        if smart_case_narrows(query.where):
            # The query in any case first (smart case only takes articles away): the
            # case checks then read those candidates alone, not every article with the word.
            loose = compile_query(
                query,
                lambda *args: [],
                frozenset(read),
                self.entity_resolver,
                smart_case=False,
            )
            within = {
                row_id
                for (row_id,) in connection.execute(
                    f"SELECT a.id FROM articles a WHERE {scope} AND ({loose.where})",
                    loose.params,
                )
            }
        compiled = compile_query(
            query,
            lambda match, columns, parts, term: case_filter(
                connection, match, columns, parts, term, within
            ),
            frozenset(read),
            self.entity_resolver,
        )
        order = compiled.order or "NULL"
        rows = connection.execute(
            f"SELECT a.id, a.path, a.sha256, a.title, a.position, {order}, a.shown_path, a.plain "
            f"FROM articles a WHERE {scope} AND ({compiled.where})",
            [*compiled.order_params, *compiled.params],
        ).fetchall()
        if compiled.order_counts is not None:
            counts = compiled.order_counts
            rows = [(*row[:5], counts.get(row[1], 0), *row[6:]) for row in rows]
        if articles is None:
            ranked = [(row[4], row) for row in rows]
        else:
            # Matched by the absolute path (the key), each row shown as the caller's own
            # article is: the stored shown path is the last update's, and another process
            # naming the same library another way (`lib` and `/home/me/lib`) updates it.
            places = self._places(articles)
            ranked = [
                (place[0], (*row[:6], place[1], *row[7:]))
                for row in rows
                if (place := places.get(row[1])) is not None
            ]
        ranked.sort(key=lambda item: item[0])
        ordered = [row for _, row in ranked]
        if compiled.order is not None:
            keyed = [row for row in ordered if row[5] is not None]
            keyed.sort(key=lambda row: row[5], reverse=compiled.descending)
            ordered = keyed + [row for row in ordered if row[5] is None]
        return ordered

    def _explained(self, query: Query, ordered: list[Any], read: frozenset[str]) -> Iterator[Hit]:
        """Each row as a hit with its fields (which leaves matched: one query per leaf and
        field for all the rows at once) and its snippet (found when the hit is taken)."""
        with self._connection() as connection:
            ids = {row[0] for row in ordered}
            matched = explain(connection, query, ids, frozenset(read), self.entity_resolver)
        # Each row's fields in the leaves' order, in one pass over what matched (not every
        # leaf and field asked about every row: thousands of hits).
        fields: dict[int, list[str]] = {}
        for name, found in matched:
            for row_id in found:
                names = fields.get(row_id)
                if names is None:
                    fields[row_id] = [name]
                elif name not in names:
                    names.append(name)
        pattern = snippet_pattern_of(query)
        texts: dict[int, str] = {}
        fetched = 0
        for place, row in enumerate(ordered):
            row_id = row[0]
            snippet = None
            if pattern is not None:
                if place == fetched:
                    # The texts a batch at a time (the first alone, to come at once).
                    fetched = min(len(ordered), place + (TEXT_BATCH if place else 1))
                    texts = self._texts([row[0] for row in ordered[place:fetched]])
                text = texts.pop(row_id, None)
                if text:
                    snippet = find_snippet(text, pattern, bool(row[7]))
            yield Hit(
                location=row[6],
                sha256=row[2],
                title=row[3],
                fields=tuple(fields.get(row_id, ())),
                snippet=snippet.text if snippet else "",
                marks=snippet.marks if snippet else (),
            )

    def _texts(self, ids: list[int]) -> dict[int, str]:
        """The indexed texts of the articles *ids*, by id (one query).

        Read from the FTS table's own content table (``fts_content``, whose ``c1`` is the
        ``text_shown`` column: see the schema), not through the FTS table: a third less
        time for thousands of hits, each row found by the FTS module one by one otherwise."""
        marks = ",".join("?" * len(ids))
        with self._connection() as connection:
            try:
                return dict(
                    connection.execute(
                        f"SELECT id, c1 FROM fts_content WHERE id IN ({marks})", ids
                    ).fetchall()
                )
            except sqlite3.OperationalError:  # a schema without it: through the FTS table
                return dict(
                    connection.execute(
                        f"SELECT rowid, text_shown FROM fts WHERE rowid IN ({marks})", ids
                    ).fetchall()
                )

    def _places(self, articles: Sequence[Article]) -> dict[str, tuple[int, str]]:
        """Each article's absolute path, its place in *articles* and its path as the caller's
        library found it (kept for the same list: the app passes its list on every
        keystroke)."""
        if self._scope_source is articles and self._scope and self._scope[0] == len(articles):
            return self._scope[1]
        places: dict[str, tuple[int, str]] = {}
        for place, article in enumerate(articles):
            places.setdefault(index_path(article.path), (place, str(article.path)))
        self._scope_source, self._scope = articles, (len(articles), places)
        return places
