"""The search index: the library's articles, notes, tags and entities in SQLite FTS5.

Derived data, kept in the user cache dir beside the entity cache
(``<cache dir>/search.sqlite3``, WAL mode) and always rebuildable: a file that is broken,
foreign or from another format is deleted and built again, never an error to the user; a
cache dir that cannot be written (or ``--no-cache``) means an index in memory.

Why SQLite FTS5 and not a Python search library: it ships with Python's ``sqlite3`` (no
dependency), keeps a 10,000-article index on disk rather than in the app's memory, answers
a query in milliseconds without loading anything, lets several threads and processes (the
app and ``reader search``) read while one writes, and its ``unicode61 remove_diacritics 2``
tokenizer already folds case and accents.

What is indexed per article (its row id is the FTS row id): the FTS columns ``title``,
``text`` (the displayed text), ``notes`` (bodies of notes and highlights), ``tags``,
``entities`` (their texts), ``labels``, ``folder`` and ``path``; and plain tables: the
article (path, hash, date, words, has note/highlight/correction, its place in the library),
its tags, its folder names and its entities with their labels and mention counts.

**Dates**: the ``date:`` of the YAML front matter when the text starts with one, else the
local day of the file's modification time, taken when the article's content is indexed
(an edit re-indexes it; touching a file without changing it keeps the date).

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

import hashlib
import json
import os
import re
import sqlite3
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader import __version__
from reader.library import Problem, read_article
from reader.library.folders import file_stat, find_article_names, library_folder, library_roots
from reader.search.compile import (
    FREE_COLUMNS,
    TEXT_COLUMNS,
    EntityArticles,
    compile_query,
    fts_query,
    positive_leaves,
)
from reader.search.documents import article_date, phrase_pattern
from reader.search.entity_rows import (
    ROWS_FILE,
    EntityRows,
    MentionRow,
    fts_entities,
    mention_rows,
    rules_digest,
)
from reader.search.query import DateRange, Field, Node, Query, Term, WordRange
from reader.search.snippets import find_snippet, snippet_pattern
from reader.search.text_match import fold, is_case_sensitive, words
from reader.sqlite_files import create_database

if TYPE_CHECKING:
    from reader.entities.engines.base import EngineInfo
    from reader.entities.finder import EntityFinder
    from reader.library import Article
    from reader.settings import Settings
    from reader.store import AnnotationStore
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

INDEX_FILE = "search.sqlite3"
"""The index's file name in the cache dir."""

INDEX_FORMAT = 2
"""Bump when the schema or what a column means changes: an older file is rebuilt."""

UPDATE_CACHE_KIB = 32 * 1024
"""SQLite's page cache while updating (the default, 2 MiB, is restored afterwards)."""

TEXT_BATCH = 200
"""Hits whose texts are read in one query when their snippets are found."""

ENTITY_BATCH = 500
"""Articles whose entities are written per transaction in the second pass (readers see
progress, and a cancelled update keeps what it did)."""

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    shown_path TEXT NOT NULL,
    path_folded TEXT NOT NULL,
    folder TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL,
    title_folded TEXT NOT NULL,
    date TEXT,
    words INTEGER NOT NULL,
    has_note INTEGER NOT NULL DEFAULT 0,
    has_highlight INTEGER NOT NULL DEFAULT 0,
    has_correction INTEGER NOT NULL DEFAULT 0,
    store_key TEXT NOT NULL DEFAULT '',
    entities_key TEXT,
    position INTEGER
);
CREATE INDEX articles_position ON articles(position);
CREATE TABLE tags(article INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY(article, tag))
    WITHOUT ROWID;
CREATE INDEX tags_tag ON tags(tag);
CREATE TABLE folders(article INTEGER NOT NULL, depth INTEGER NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY(article, depth)) WITHOUT ROWID;
CREATE INDEX folders_name ON folders(name);
CREATE TABLE mentions(article INTEGER NOT NULL, folded TEXT NOT NULL, label TEXT NOT NULL,
    text TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(article, folded, label))
    WITHOUT ROWID;
CREATE INDEX mentions_folded ON mentions(folded);
CREATE INDEX mentions_label ON mentions(label);
CREATE VIRTUAL TABLE fts USING fts5(
    title, text, notes, tags, entities, labels, folder, path,
    tokenize = 'unicode61 remove_diacritics 2', columnsize = 0
);
INSERT INTO fts(fts, rank) VALUES ('crisismerge', 64);
CREATE VIRTUAL TABLE parts USING fts5(
    body, article UNINDEXED, kind UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2', columnsize = 0
);
"""

NO_DATE = date(1970, 1, 1)
"""The date of an article with neither front matter nor a file time (as the reference's)."""

_FIELD_OF_LEAF = {DateRange: "date", WordRange: "words"}


class IndexReset(Exception):
    """The index file turned out broken while searching: it was emptied, and is rebuilt by
    the next :meth:`SearchIndex.update` (call it, then search again)."""


@dataclass(frozen=True)
class Hit:
    """An article a query found, and why."""

    path: Path
    """The article's file (as the library found it)."""
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

    def to_json(self) -> dict[str, Any]:
        """The hit as JSON-ready data (what ``reader search --format json`` prints)."""
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "title": self.title,
            "fields": list(self.fields),
            "snippet": self.snippet,
            "marks": [list(mark) for mark in self.marks],
        }


@dataclass
class UpdateReport:
    """What :meth:`SearchIndex.update` did."""

    articles: int = 0
    """Articles in the library."""
    added: int = 0
    """Articles indexed for the first time."""
    changed: int = 0
    """Articles whose content changed and were indexed again."""
    removed: int = 0
    """Articles whose file is gone, taken out."""
    annotated: int = 0
    """Articles whose notes, tags or annotation kinds changed."""
    entities: int = 0
    """Articles whose entities were (re)indexed."""
    entities_kept: int = 0
    """Of those, the articles whose entities were taken from the rows kept beside the index
    (:mod:`reader.search.entity_rows`) rather than worked out by the rules."""
    entities_missing: int = 0
    """Articles whose entities are not cached yet (indexed on a later update)."""
    entities_unavailable: str | None = None
    """Why no entities could be indexed (no model named), or None."""
    rebuilt: str | None = None
    """Why the index file was rebuilt from scratch (broken, foreign, old), or None."""
    text_seconds: float = 0.0
    """Time taken by the first pass (articles, text, notes, tags)."""
    entity_seconds: float = 0.0
    """Time taken by the second pass (entities)."""
    problems: list[str] = field(default_factory=list)
    """Articles that could not be indexed, with why."""
    generation: int = 0
    """The index's count of updates after this one's first pass (see
    :meth:`SearchIndex.remember`)."""

    @property
    def seconds(self) -> float:
        """The whole update's time."""
        return self.text_seconds + self.entity_seconds


@dataclass
class _Entities:
    """What an update needs to index entities: the finder, its engine, the key's start
    (everything but the article's own corrections) and the rows kept beside the index."""

    finder: EntityFinder
    engine: EngineInfo
    base: str
    kept: EntityRows | None
    plain: EntityFinder
    """The finder without the corrector (for an article without corrections)."""

    def key(self, snapshot: _StoreSnapshot, sha256: str) -> str:
        """The key an article's entities are indexed (and kept) under."""
        return f"{self.base}/{snapshot.corrections.get(sha256, '')}"

    def reuse(self, snapshot: _StoreSnapshot, sha256: str) -> tuple[str, list[MentionRow]] | None:
        """The article's key and its kept rows, when they are kept under that key and its
        model output is still cached (as the finder would need), else None."""
        if self.kept is None or self.finder.cache is None:
            return None
        key = self.key(snapshot, sha256)
        rows = self.kept.get(sha256, key)
        if rows is None or not self.finder.cache.has(sha256, self.engine):
            return None
        return key, rows


@dataclass
class _StoreSnapshot:
    """What the index needs from the store, read once per update."""

    tags: dict[str, list[str]] = field(default_factory=dict)
    bodies: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, set[str]] = field(default_factory=dict)
    corrections: dict[str, str] = field(default_factory=dict)
    """Per article with corrections: a fingerprint of them."""
    global_corrections: str = ""
    read: frozenset[str] = frozenset()
    read_known: bool = False

    def key(self, sha256: str) -> str:
        """A fingerprint of the article's notes, tags and kinds ('' when it has none)."""
        tags, bodies = self.tags.get(sha256), self.bodies.get(sha256)
        kinds = self.kinds.get(sha256)
        if not tags and not bodies and not kinds:
            return ""
        return _digest([tags or [], bodies or [], sorted(kinds or ())])


def _snapshot(store: AnnotationStore | None) -> _StoreSnapshot:
    snapshot = _StoreSnapshot()
    if store is None:
        return snapshot
    for article in store.articles():
        if article["tags"]:
            snapshot.tags[str(article["sha256"])] = [str(tag) for tag in article["tags"]]
    corrections: dict[str, list[Any]] = {}
    global_corrections: list[Any] = []
    for annotation in store.annotations():
        sha = annotation.article_sha256
        snapshot.kinds.setdefault(sha, set()).add(annotation.kind)
        if annotation.body:
            snapshot.bodies.setdefault(sha, []).append(annotation.body)
        if annotation.kind == "correction":
            data = [annotation.correction, annotation.target]
            corrections.setdefault(sha, []).append(data)
            if annotation.correction is not None and annotation.correction.get("scope") == "global":
                global_corrections.append(data)
    for sha, items in corrections.items():
        snapshot.corrections[sha] = _digest(items)
    snapshot.global_corrections = _digest(global_corrections) if global_corrections else ""
    # Read state arrives in the store with the read-state work; until then all are unread.
    read_articles = getattr(store, "read_articles", None)
    if read_articles is not None:
        snapshot.read = frozenset(read_articles())
        snapshot.read_known = True
    return snapshot


def _digest(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


YIELD_SECONDS = 0.002
"""How long an update runs before it gives the GIL away (:func:`_let_others_run`)."""

_yielded = 0.0


def _let_others_run() -> None:
    """Give the GIL away now and then between two articles of an update: the app updates
    its index in a thread while the user reads, and the screen's thread must not wait a
    whole switch interval (5 ms) for it at every turn. At most every :data:`YIELD_SECONDS`
    (a ``time.sleep(0)`` per article cost a 10,000-article update over a second on a
    loaded machine; a clock read costs nanoseconds)."""
    global _yielded
    now = time.perf_counter()
    if now - _yielded >= YIELD_SECONDS:
        if threading.active_count() > 1:  # alone (a command), nobody waits for the GIL
            time.sleep(0)
        _yielded = time.perf_counter()


def _read_once(article: Article) -> Article:
    """*article* with its text, read for the index without keeping it in the library's
    :class:`Article` (an unread one stays unread: the app holds 10,000 of them, and keeping
    every text it indexed would add tens of MB to it). What was read is the truth: its hash
    is the text's."""
    if article.loaded:
        return article
    read = read_article(article.path)
    if isinstance(read, Problem):
        article.text  # noqa: B018 - gone since listed: the library's article says why
        return article
    return read


class SearchIndex:
    """The full-text index of one cache dir (or in memory): :meth:`update` it from a
    workspace, :meth:`search` it with a parsed query. Thread-safe; :meth:`close` when done."""

    def __init__(self, path: Path | None) -> None:
        """The index in the file *path* (created when missing), or in memory when None."""
        self.path = path
        """The index file, or None for an index in memory."""
        self._lock = threading.RLock()
        """Held while connections are opened, closed or the file rebuilt (briefly)."""
        self._update_lock = threading.Lock()
        """One update at a time; searches do not take it (WAL: they read the last commit)."""
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._generation = 0
        self._memory: sqlite3.Connection | None = None
        self._prepared = False
        self._rebuilt: str | None = None
        self._read: frozenset[str] = frozenset()
        self._scope: tuple[int, dict[str, int]] | None = None
        self._scope_source: Sequence[Article] | None = None
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
        return self._memory is not None

    @property
    def read(self) -> frozenset[str]:
        """The hashes of the articles marked read, as of the last :meth:`update`
        (empty until the store keeps read state)."""
        return self._read

    def close(self) -> None:
        """Close every connection (from any thread). The index may be used again after."""
        with self._lock:
            self._close_all()
            self._prepared = False

    # --- connections ------------------------------------------------------------------

    def _close_all(self) -> None:
        for connection in self._connections:
            with suppress(sqlite3.Error):
                connection.close()
        self._connections.clear()
        if self._memory is not None:
            with suppress(sqlite3.Error):
                self._memory.close()
            self._memory = None
        self._generation += 1

    def _connect_file(self) -> sqlite3.Connection:
        assert self.path is not None
        connection = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30
        )
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            # Derived data: losing the last transaction to a power cut only costs a rebuild.
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA temp_store=MEMORY")
        except BaseException:
            connection.close()
            raise
        return connection

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
                    self._close_all()
                    self._start_memory()
            else:
                self._start_memory()
            self._prepared = True

    def _start_memory(self) -> None:
        self._memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._memory.executescript(_SCHEMA)
        self._write_meta(self._memory)

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
        except sqlite3.DatabaseError as error:
            reason = f"it could not be read ({error})"
        if reason is not None:
            self._rebuilt = f"{self.path} was rebuilt: {reason}"
            self._create()

    def _create(self) -> None:
        assert self.path is not None
        create_database(self.path, self._connect_file, _SCHEMA, self._write_meta)

    @staticmethod
    def _write_meta(connection: sqlite3.Connection) -> None:
        connection.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
            [("format", str(INDEX_FORMAT)), ("reader", __version__)],
        )

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (the one connection, locked, for an index in memory)."""
        self._prepare()
        if self._memory is not None:
            with self._lock:
                if self._memory is not None:
                    yield self._memory
                    return
        local = self._local
        connection = getattr(local, "connection", None)
        if connection is None or getattr(local, "generation", None) != self._generation:
            with self._lock:
                connection = self._connect_file()
                self._connections.append(connection)
                local.connection, local.generation = connection, self._generation
        yield connection

    def _reset(self, why: str) -> None:
        """Throw the index away and start an empty one (a broken file found in use)."""
        with self._lock:
            self._close_all()
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
    ) -> UpdateReport:
        """Bring the index up to date with the workspace's library, store and entity cache.

        Articles are matched by path and content hash: new ones are indexed, changed ones
        indexed again, those whose file is gone taken out (an article outside this library
        whose file still exists is kept, out of the default scope of :meth:`search`). Notes,
        tags and annotation kinds are compared per article with the store; entities are
        taken from the entity cache (second pass, skipped when *entities* is False).
        Uses the workspace's open store, else opens it read-only for the finder's
        corrections. Stops between batches when *cancelled* is set. Never raises for a
        broken index file: it is rebuilt.
        """
        report = UpdateReport()
        with self._update_lock:
            store = workspace.store
            if store is None:
                unavailable = workspace.open_store_for_corrections()
                if unavailable:
                    report.problems.append(unavailable)
                store = workspace.store
            snapshot = _snapshot(store)
            self._read = snapshot.read
            try:
                self._update(workspace, snapshot, report, entities, cancelled)
            except sqlite3.DatabaseError as error:
                self._reset(f"it broke while being updated ({error})")
                report = UpdateReport(problems=report.problems)
                self._update(workspace, snapshot, report, entities, cancelled)
            report.rebuilt, self._rebuilt = self._rebuilt, None
            return report

    def _update(
        self,
        workspace: Workspace,
        snapshot: _StoreSnapshot,
        report: UpdateReport,
        entities: bool,
        cancelled: threading.Event | None,
    ) -> None:
        started = time.perf_counter()
        library = workspace.library()
        articles = library.articles
        report.articles = len(articles)
        context = self._entities(workspace, snapshot, report) if entities else None
        with self._connection() as connection:
            known = {
                path: (row_id, sha256, store_key, position, (shown, folder))
                for row_id, path, sha256, store_key, position, shown, folder in connection.execute(
                    "SELECT id, path, sha256, store_key, position, shown_path, folder FROM articles"
                )
            }
            roots = library_roots(workspace.settings.article_paths)
            # A bigger page cache while writing (FTS5 merges its segments faster), given
            # back afterwards: the app keeps the index open for its whole session.
            connection.execute(f"PRAGMA cache_size = -{UPDATE_CACHE_KIB}")
            connection.execute("BEGIN IMMEDIATE")
            try:
                positions: list[tuple[int, int]] = []
                for place, article in enumerate(articles):
                    _let_others_run()
                    path = os.path.abspath(article.path)
                    where = (str(article.path), library_folder(path, roots))
                    row = known.pop(path, None)
                    if row is None or row[1] != article.sha256:
                        if row is not None:
                            self._delete(connection, row[0])
                        read = _read_once(article)
                        reused = None if context is None else context.reuse(snapshot, read.sha256)
                        self._insert(
                            connection, read, path, where, read.text, snapshot, place, reused
                        )
                        if reused is not None:
                            report.entities += 1
                            report.entities_kept += 1
                        if row is None:
                            report.added += 1
                        else:
                            report.changed += 1
                        continue
                    row_id, sha256, store_key, position, stored_where = row
                    if stored_where != where:
                        self._place(connection, row_id, where)
                    if store_key != snapshot.key(sha256):
                        self._annotate(connection, row_id, sha256, snapshot)
                        report.annotated += 1
                    if position != place:
                        positions.append((place, row_id))
                connection.executemany("UPDATE articles SET position = ? WHERE id = ?", positions)
                connection.execute(
                    "INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) "
                    "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
                )
                (report.generation,) = connection.execute(
                    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'"
                ).fetchone()
                for path, (row_id, *_) in known.items():
                    if os.path.exists(path):
                        connection.execute(
                            "UPDATE articles SET position = NULL WHERE id = ?", (row_id,)
                        )
                    else:
                        self._delete(connection, row_id)
                        report.removed += 1
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
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

    def _insert(
        self,
        connection: sqlite3.Connection,
        article: Article,
        path: str,
        where: tuple[str, str],
        text: str,
        snapshot: _StoreSnapshot,
        place: int,
        reused: tuple[str, list[MentionRow]] | None = None,
    ) -> int:
        """Index a new article (with its entities when *reused* gives their key and rows:
        in the same row of the full-text index, which is not written twice)."""
        try:
            mtime: float | None = os.stat(path).st_mtime
        except OSError:
            mtime = None
        day = article_date(article.meta, mtime) or NO_DATE
        shown, folder = where
        sha256 = article.sha256
        cursor = connection.execute(
            "INSERT INTO articles(path, shown_path, path_folded, folder, sha256, title, "
            "title_folded, date, words, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                path,
                shown,
                shown.casefold(),
                folder,
                sha256,
                article.title,
                fold(article.title, casefold=True),
                day.isoformat(),
                article.word_count,
                place,
            ),
        )
        row_id = cursor.lastrowid
        assert row_id is not None
        if reused is None:
            connection.execute(
                "INSERT INTO fts(rowid, title, text, folder, path) VALUES (?, ?, ?, ?, ?)",
                (row_id, article.title, text, folder, shown),
            )
        else:
            key, rows = reused
            connection.execute(
                "INSERT INTO fts(rowid, title, text, folder, path, entities, labels) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (row_id, article.title, text, folder, shown, *fts_entities(rows)),
            )
            self._put_mentions(connection, row_id, key, rows, fts=False)
        connection.executemany(
            "INSERT INTO folders(article, depth, name) VALUES (?, ?, ?)",
            [(row_id, depth, name) for depth, name in enumerate(_folder_names(folder))],
        )
        if snapshot.key(sha256):
            self._annotate(connection, row_id, sha256, snapshot)
        return row_id

    @staticmethod
    def _place(connection: sqlite3.Connection, row_id: int, where: tuple[str, str]) -> None:
        """Record the article's path and folder as the current library sees them."""
        shown, folder = where
        connection.execute(
            "UPDATE articles SET shown_path = ?, path_folded = ?, folder = ? WHERE id = ?",
            (shown, shown.casefold(), folder, row_id),
        )
        connection.execute(
            "UPDATE fts SET folder = ?, path = ? WHERE rowid = ?", (folder, shown, row_id)
        )
        connection.execute("DELETE FROM folders WHERE article = ?", (row_id,))
        connection.executemany(
            "INSERT INTO folders(article, depth, name) VALUES (?, ?, ?)",
            [(row_id, depth, name) for depth, name in enumerate(_folder_names(folder))],
        )

    @staticmethod
    def _annotate(
        connection: sqlite3.Connection, row_id: int, sha256: str, snapshot: _StoreSnapshot
    ) -> None:
        """Write the article's notes, tags and annotation kinds from the store."""
        tags = snapshot.tags.get(sha256, [])
        kinds = snapshot.kinds.get(sha256, set())
        connection.execute(
            "UPDATE articles SET has_note = ?, has_highlight = ?, has_correction = ?, "
            "store_key = ? WHERE id = ?",
            (
                "note" in kinds,
                "highlight" in kinds,
                "correction" in kinds,
                snapshot.key(sha256),
                row_id,
            ),
        )
        connection.execute(
            "UPDATE fts SET notes = ?, tags = ? WHERE rowid = ?",
            ("\n".join(snapshot.bodies.get(sha256, [])), "\n".join(tags), row_id),
        )
        connection.execute("DELETE FROM tags WHERE article = ?", (row_id,))
        connection.executemany(
            "INSERT OR IGNORE INTO tags(article, tag) VALUES (?, ?)",
            [(row_id, tag.casefold()) for tag in tags],
        )
        connection.execute("DELETE FROM parts WHERE article = ?", (row_id,))
        connection.executemany(
            "INSERT INTO parts(body, article, kind) VALUES (?, ?, ?)",
            [(body, row_id, "notes") for body in snapshot.bodies.get(sha256, [])]
            + [(tag, row_id, "tags") for tag in tags],
        )

    @staticmethod
    def _delete(connection: sqlite3.Connection, row_id: int) -> None:
        for table in ("tags", "folders", "mentions"):
            connection.execute(f"DELETE FROM {table} WHERE article = ?", (row_id,))
        connection.execute("DELETE FROM fts WHERE rowid = ?", (row_id,))
        connection.execute("DELETE FROM parts WHERE article = ?", (row_id,))
        connection.execute("DELETE FROM articles WHERE id = ?", (row_id,))

    def _entities(
        self, workspace: Workspace, snapshot: _StoreSnapshot, report: UpdateReport
    ) -> _Entities | None:
        """What the update needs to index entities, or None (and why in *report*)."""
        from reader.entities.engines import NoModel
        from reader.entities.finder import EntityFinder

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
        in_file = self.path is not None and self._memory is None
        kept = EntityRows(self.path.parent / ROWS_FILE) if in_file and self.path else None
        # Applying no corrections is what the corrector does for an article without any;
        # skipping it spares a scan of the store per article.
        plain = EntityFinder(finder.recognizer, finder.cache)
        return _Entities(finder, engine, base, kept, plain)

    def _update_entities(
        self,
        connection: sqlite3.Connection,
        context: _Entities,
        snapshot: _StoreSnapshot,
        report: UpdateReport,
        cancelled: threading.Event | None,
    ) -> None:
        """The second pass: the entities of every article in the library whose entities
        are not indexed, or were indexed under other rules, corrections or model (from the
        rows kept beside the index when they have the same key, else by the rules)."""
        finder, engine, cache = context.finder, context.engine, context.finder.cache
        assert cache is not None
        todo = [
            (row_id, sha256, key)
            for row_id, sha256, old in connection.execute(
                "SELECT id, sha256, entities_key FROM articles WHERE position IS NOT NULL "
                "ORDER BY position"
            )
            if (key := context.key(snapshot, sha256)) != old
        ]
        for start in range(0, len(todo), ENTITY_BATCH):
            if cancelled is not None and cancelled.is_set():
                break
            batch: list[tuple[int, str, list[MentionRow]]] = []
            found_now: list[tuple[str, str, list[MentionRow]]] = []
            for row_id, sha256, key in todo[start : start + ENTITY_BATCH]:
                _let_others_run()
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
                    "SELECT text FROM fts WHERE rowid = ?", (row_id,)
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
            self._write_entities(connection, batch)
            if context.kept is not None and found_now:
                context.kept.put(found_now)
            report.entities += len(batch)

    @classmethod
    def _write_entities(
        cls, connection: sqlite3.Connection, batch: list[tuple[int, str, list[MentionRow]]]
    ) -> None:
        if not batch:
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            for row_id, key, rows in batch:
                connection.execute("DELETE FROM mentions WHERE article = ?", (row_id,))
                cls._put_mentions(connection, row_id, key, rows, fts=True)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    @staticmethod
    def _put_mentions(
        connection: sqlite3.Connection,
        row_id: int,
        key: str,
        rows: list[MentionRow],
        *,
        fts: bool,
    ) -> None:
        """Write an article's entity rows (and, with *fts*, its full-text columns)."""
        connection.executemany(
            "INSERT INTO mentions(article, folded, label, text, count) VALUES (?, ?, ?, ?, ?)",
            [(row_id, folded, label, text, count) for folded, label, text, count in rows],
        )
        if fts:
            connection.execute(
                "UPDATE fts SET entities = ?, labels = ? WHERE rowid = ?",
                (*fts_entities(rows), row_id),
            )
        connection.execute("UPDATE articles SET entities_key = ? WHERE id = ?", (key, row_id))

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
        if self._memory is not None or "stamp" not in rows:
            return None
        try:
            kept = json.loads(rows["stamp"])
        except ValueError:
            return None
        if kept.get("stamp") != stamp or str(kept.get("generation")) != rows.get("generation"):
            return None
        self._read = frozenset(kept.get("read", ()))
        return [str(problem) for problem in kept.get("problems", ())]

    def remember(self, stamp: str | None, report: UpdateReport, problems: Sequence[str]) -> None:
        """Record that the update *report* brought the index up to date with the library
        whose :func:`library_stamp` was *stamp* (taken before the library was loaded), and
        the library's *problems*; unless another update came since, or *stamp* is None.
        Only for an update run whole, entities included (as `reader search` runs it)."""
        if stamp is None or self.path is None or report.generation == 0:
            return
        data = json.dumps(
            {
                "stamp": stamp,
                "generation": report.generation,
                "problems": list(problems),
                "read": sorted(self._read),
            },
            ensure_ascii=False,
        )
        with suppress(sqlite3.Error), self._connection() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO meta(key, value) SELECT 'stamp', ? "
                "WHERE (SELECT value FROM meta WHERE key = 'generation') = ?",
                (data, str(report.generation)),
            )

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

    def entity_coverage(self, workspace: Workspace) -> tuple[int, int]:
        """How many of the library's articles have their entities indexed as an update
        would index them now (under the key of the model, rules and corrections in
        force), and how many articles it has: the app's count too (an update's
        :attr:`UpdateReport.entities_missing`). Those indexed under others and not found
        again (their model output is no longer cached) and those never cached (never
        opened, and not found by `reader index`) are missing."""
        if workspace.store is None:
            workspace.open_store_for_corrections()
        snapshot = _snapshot(workspace.store)
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
            return iter([Hit(path=Path(row[6]), sha256=row[2], title=row[3]) for row in ordered])
        return self._explained(query, ordered, read)

    def _ordered(
        self,
        connection: sqlite3.Connection,
        query: Query,
        articles: Sequence[Article] | None,
        read: frozenset[str],
    ) -> list[Any]:
        """The rows the query finds, in the list's order (or the query's sort)."""
        compiled = compile_query(
            query,
            lambda *args: _case_filter(connection, *args),
            frozenset(read),
            self.entity_resolver,
        )
        order = compiled.order or "NULL"
        scope = "a.position IS NOT NULL" if articles is None else "1"
        rows = connection.execute(
            f"SELECT a.id, a.path, a.sha256, a.title, a.position, {order}, a.shown_path "
            f"FROM articles a WHERE {scope} AND ({compiled.where})",
            [*compiled.order_params, *compiled.params],
        ).fetchall()
        if articles is None:
            ranked = [(row[4], row) for row in rows]
        else:
            places = self._places(articles)
            ranked = [(places[row[1]], row) for row in rows if row[1] in places]
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
            matched = _explain(connection, query, ids, frozenset(read), self.entity_resolver)
        pattern = _snippet_pattern(query)
        texts: dict[int, str] = {}
        fetched = 0
        for place, row in enumerate(ordered):
            row_id = row[0]
            names: list[str] = []
            for name, found in matched:
                if row_id in found and name not in names:
                    names.append(name)
            snippet = None
            if pattern is not None:
                if place == fetched:
                    # The texts a batch at a time (the first alone, to come at once).
                    fetched = min(len(ordered), place + (TEXT_BATCH if place else 1))
                    texts = self._texts([row[0] for row in ordered[place:fetched]])
                text = texts.pop(row_id, None)
                if text:
                    snippet = find_snippet(text, pattern)
            yield Hit(
                path=Path(row[6]),
                sha256=row[2],
                title=row[3],
                fields=tuple(names),
                snippet=snippet.text if snippet else "",
                marks=snippet.marks if snippet else (),
            )

    def _texts(self, ids: list[int]) -> dict[int, str]:
        """The indexed texts of the articles *ids*, by id (one query)."""
        with self._connection() as connection:
            return dict(
                connection.execute(
                    f"SELECT rowid, text FROM fts WHERE rowid IN ({','.join('?' * len(ids))})",
                    ids,
                ).fetchall()
            )

    def _places(self, articles: Sequence[Article]) -> dict[str, int]:
        """Each article's absolute path and its place in *articles* (kept for the same list:
        the app passes its list on every keystroke)."""
        if self._scope_source is articles and self._scope and self._scope[0] == len(articles):
            return self._scope[1]
        places: dict[str, int] = {}
        for place, article in enumerate(articles):
            places.setdefault(os.path.abspath(article.path), place)
        self._scope_source, self._scope = articles, (len(articles), places)
        return places


def _case_filter(
    connection: sqlite3.Connection,
    match: str,
    columns: Sequence[str],
    parts: bool | str,
    term: str,
) -> list[int]:
    """The ids among the candidates of *match* (in *columns* of ``fts``) and, with *parts*
    (True, or one kind: ``notes``, ``tags``), of the notes and tags, where *term*'s words
    are found in the term's own case (smart case; accents folded)."""
    pattern = phrase_pattern(term)
    assert pattern is not None
    found: list[int] = []
    if columns:
        names = ", ".join(columns)
        for row_id, *values in connection.execute(
            f"SELECT rowid, {names} FROM fts WHERE fts MATCH ?", (match,)
        ):
            if any(value and pattern.search(_folded(value)) for value in values):
                found.append(row_id)
    if parts:
        body_match = fts_query(("body",), term)
        kind = "" if parts is True else " AND kind = ?"
        for row_id, body in connection.execute(
            f"SELECT article, body FROM parts WHERE parts MATCH ?{kind}",
            (body_match,) if parts is True else (body_match, parts),
        ):
            if pattern.search(_folded(body)):
                found.append(row_id)
    return sorted(set(found))


def _folded(value: str) -> str:
    """*value* with accents folded, as smart case compares; text already in NFKD form with
    no combining mark (most English text) is its own folding, and is not copied."""
    if value.isascii() or unicodedata.is_normalized("NFKD", value):
        return value
    return fold(value)


def _leaf_fields(leaf: Node) -> list[tuple[str, Node]]:
    """What each positive leaf is reported as, and the query node that checks it."""
    if isinstance(leaf, Term):
        return [(column, leaf) for column in FREE_COLUMNS]
    if isinstance(leaf, Field):
        return [(leaf.name, leaf)]
    return [(_FIELD_OF_LEAF.get(type(leaf), "?"), leaf)]


def _explain(
    connection: sqlite3.Connection,
    query: Query,
    ids: set[int],
    read: frozenset[str],
    resolver: EntityArticles | None = None,
) -> list[tuple[str, set[int]]]:
    """For each positive leaf of *query* and each field it is reported as, in order: the
    field's name and the ids among *ids* where the leaf matched there. One query per leaf
    and field, for every article at once (intersected with *ids* here: an FTS5 query
    restricted to a list of row ids is run once per id)."""
    matched: list[tuple[str, set[int]]] = []
    for leaf in positive_leaves(query.where):
        for name, node in _leaf_fields(leaf):
            found: set[int]
            if isinstance(leaf, Term):
                in_fts = name in TEXT_COLUMNS
                match = fts_query((name,) if in_fts else ("body",), leaf.text)
                if match is None:
                    continue
                if is_case_sensitive(leaf.text):
                    columns = (name,) if in_fts else ()
                    found = set(
                        _case_filter(connection, match, columns, not in_fts and name, leaf.text)
                    )
                elif in_fts:
                    found = {
                        row_id
                        for (row_id,) in connection.execute(
                            "SELECT rowid FROM fts WHERE fts MATCH ?", (match,)
                        )
                    }
                else:
                    found = {
                        row_id
                        for (row_id,) in connection.execute(
                            "SELECT article FROM parts WHERE parts MATCH ? AND kind = ?",
                            (match, name),
                        )
                    }
            else:
                compiled = compile_query(
                    Query(node), lambda *args: _case_filter(connection, *args), read, resolver
                )
                found = {
                    row_id
                    for (row_id,) in connection.execute(
                        f"SELECT a.id FROM articles a WHERE ({compiled.where})", compiled.params
                    )
                }
            matched.append((name, found & ids))
    return matched


def _snippet_pattern(query: Query) -> re.Pattern[str] | None:
    """What a snippet is found around: the query's free words and phrases and ``entity:``
    values (as they are looked for in the text: whole words, any case, accents folded)."""
    phrases = []
    for leaf in positive_leaves(query.where):
        if isinstance(leaf, Term) or (isinstance(leaf, Field) and leaf.name == "entity"):
            value = leaf.text if isinstance(leaf, Term) else leaf.value
            phrases.append(words(value))
    return snippet_pattern(phrases)


def library_stamp(settings: Settings) -> str | None:
    """A fingerprint, by stat alone, of everything :meth:`SearchIndex.update` reads: the
    article files under the settings' paths (walked as the library walks them: hidden
    names and other endings skipped; each file's inode, size and times), the database,
    the entity cache's folders, the installed packages (which model is picked) and the
    settings; None when some file changed too recently for its stat to be trusted (as the
    catalogue's racy rule), or the cache is off.

    Equal stamps mean the same library, store and cached entities, so an index remembered
    with one (:meth:`SearchIndex.remember`) answers without the library being loaded.
    """
    if not settings.use_cache:
        return None
    from reader.library.catalogue import RACY_SECONDS

    digest = hashlib.blake2b(digest_size=16)
    racy = time.time_ns() - int(RACY_SECONDS * 1e9)
    fresh = False

    def add(name: str, info: os.stat_result | None) -> None:
        nonlocal fresh
        if info is None:
            digest.update(f"{name}\0-\n".encode("utf-8", "surrogateescape"))
            return
        if info.st_mtime_ns > racy or info.st_ctime_ns > racy:
            fresh = True
        digest.update(
            f"{name}\0{info.st_ino}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\n".encode(
                "utf-8", "surrogateescape"
            )
        )

    def stat(path: str) -> os.stat_result | None:
        try:
            return os.stat(path)
        except OSError:
            return None

    digest.update(
        json.dumps(
            [
                __version__,
                INDEX_FORMAT,
                [str(path) for path in settings.article_paths],
                str(settings.exports_dir),
                str(settings.db_path),
                str(settings.cache_dir),
                settings.engine,
                settings.model,
            ]
        ).encode("utf-8", "surrogateescape")
    )
    # The article files as the library finds them (the same walk, the exports left out).
    files, problems = find_article_names(settings.article_paths, [settings.exports_dir])
    for given in settings.article_paths:
        add(os.fspath(given), stat(os.fspath(given)))
    for path, _resolved, entry in files:
        add(path, stat(path) if entry is None else file_stat(entry))
    for problem in problems:
        digest.update(f"{problem}\n".encode("utf-8", "surrogateescape"))
    add(str(settings.db_path), stat(str(settings.db_path)))
    # The entity cache: <cache dir>/<engine key>/<sha[:2]>/<sha>.json; an entry added for
    # an article changes its folder's times.
    cache = os.fspath(settings.cache_dir)
    try:
        with os.scandir(cache) as engines:
            for engine in sorted(engines, key=lambda entry: entry.name):
                if engine.is_dir() and not engine.is_symlink():
                    with os.scandir(engine.path) as shards:
                        for shard in sorted(shards, key=lambda entry: entry.name):
                            add(shard.path, shard.stat())
    except OSError:
        digest.update(b"no cache\n")
    # Which model is picked (and its version) follows the installed packages.
    for folder in sys.path:
        if folder and os.path.isdir(folder):
            add(folder, stat(folder))
    return None if fresh else digest.hexdigest()


def _folder_names(folder: str) -> list[str]:
    """The names of *folder*'s parts from the root down, case-folded (``in:`` compares)."""
    return [part.casefold() for part in folder.split("/") if part]
