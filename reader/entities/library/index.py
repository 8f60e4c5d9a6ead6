"""The entity index: every article's entity mentions in SQLite, for the library's entity
list, entity pages and the co-occurrence graph.

Derived data in the cache dir (``entities-<library>.sqlite3``, one file per set of library
paths so that ``reader entity PATH`` never churns the app's; WAL mode), rebuilt when broken
or of another format, in memory with ``--no-cache``. It keeps, per article: path, title,
date (front matter, else the file's day, as the search index) and hash (an article with
the same hash keeps its mentions but takes a new title, and its date once when the
catalogue's format recorded in the meta table changes); each mention
(offsets, name key, label, sentence number); mentions per key and form. Summary tables
(mentions and articles per key, counts per form) are kept up to date on every write, so
the entity list reads a few thousand rows, never every mention.

What is indexed is exactly what ``reader entities`` prints (the finder: the cached model
output, the consistency rules, the user's corrections), taken from the entity cache only;
an article whose entities are not cached yet is indexed on a later :meth:`update`, or by
:meth:`EntityIndex.put_article` when the app has found them (<= 20 ms).

Resolution (which keys are one entity) and the user's edits are applied when asked
(:mod:`.resolve`), cached until the index or the edits change.

Thread-safe: one connection per thread; one writer at a time.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reader import __version__
from reader.entities.library.edits import Edit
from reader.entities.library.mentions import article_mentions
from reader.entities.library.resolve import Entity, KeyStats, Resolution, resolve
from reader.entities.library.writing import EntityIndexReport, delete_rows, put_rows
from reader.library.catalogue_format import CATALOGUE_FORMAT
from reader.library.folders import index_path
from reader.sqlite_files import create_database
from reader.sqlite_pool import ConnectionPool, connect_wal

if TYPE_CHECKING:
    from reader.entities.library.pages import EntityPage, PageArticle, Snippet
    from reader.entities.span import Span
    from reader.library import Article
    from reader.settings import Settings
    from reader.workspace import Workspace

__all__ = ["INDEX_FORMAT", "EntityIndex", "EntityIndexReport", "index_file"]

INDEX_FORMAT = 3
"""Bump when the schema or what a column means changes: an older file is rebuilt."""

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    shown_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT,
    entities_key TEXT
);
CREATE TABLE mentions(article INTEGER NOT NULL, sentence INTEGER NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, key TEXT NOT NULL, label TEXT NOT NULL,
    PRIMARY KEY(article, sentence, start)) WITHOUT ROWID;
CREATE INDEX mentions_key ON mentions(key, label);
CREATE TABLE names(article INTEGER NOT NULL, key TEXT NOT NULL, label TEXT NOT NULL,
    form TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(article, key, label, form))
    WITHOUT ROWID;
CREATE INDEX names_key ON names(key, label);
CREATE TABLE keys(key TEXT NOT NULL, label TEXT NOT NULL, mentions INTEGER NOT NULL,
    articles INTEGER NOT NULL, PRIMARY KEY(key, label)) WITHOUT ROWID;
CREATE TABLE forms(key TEXT NOT NULL, label TEXT NOT NULL, form TEXT NOT NULL,
    count INTEGER NOT NULL, shown TEXT NOT NULL, own INTEGER NOT NULL,
    PRIMARY KEY(key, label, form)) WITHOUT ROWID;
"""


@contextmanager
def without_gc() -> Iterator[None]:
    """No garbage collection while the block runs (when it was on): working out the list
    makes some 50,000 objects, none of them garbage, and in a process holding a library
    every collection the allocations trigger walks it all (a third of the time, measured
    in bench figure 9)."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def index_file(settings: Settings) -> Path | None:
    """The index file for the settings' library (None with ``--no-cache``): one for the
    same folders however named (relative, absolute, through a symlink, in any order, one
    given twice), as the app's ``library_key``. A library named by its real paths keeps
    the name an index had before they were resolved."""
    if not settings.use_cache:
        return None
    roots = json.dumps(sorted({os.path.realpath(path) for path in settings.article_paths}))
    digest = hashlib.blake2b(roots.encode("utf-8", "surrogateescape"), digest_size=6)
    return settings.cache_dir / f"entities-{digest.hexdigest()}.sqlite3"


class EntityIndex:
    """The entity index of one library (a file, or in memory). :meth:`update` it from a
    workspace or :meth:`put_article` one article; ask it with :meth:`entities`,
    :meth:`page`, :meth:`snippets`; :meth:`close` when done."""

    def __init__(self, path: Path | None) -> None:
        """The index in the file *path* (created when missing), or in memory when None."""
        self.path = path
        """The index file, or None in memory."""
        self._pool = ConnectionPool(self._connect)
        self._lock = self._pool.lock
        self._write_lock = threading.Lock()
        self._prepared = False
        self._rebuilt: str | None = None
        self._edits: tuple[Edit, ...] = ()
        self._resolution: tuple[object, Resolution] | None = None
        self.dated: dict[int, tuple[Article, Mapping[str, str]]] = {}
        """Per library article (by id; kept, so that no other takes its id) the meta whose
        date the last update found indexed (:func:`.writing.update_index`): an unchanged
        article's date is not worked out again (a stat each) on every update."""

    # --- connections ------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection (from any thread); the index may be used again after."""
        with self._lock:
            self._pool.close()
            self._prepared = False
            self._resolution = None

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        return connect_wal(self.path)

    def _prepare(self) -> None:
        if self._prepared:
            return
        with self._lock:
            if self._prepared:
                return
            try:
                if self.path is None:
                    raise OSError("no cache dir")
                self._open_or_rebuild()
            except (OSError, sqlite3.Error):
                self._pool.start_memory(_SCHEMA, self._write_meta)
            self._prepared = True

    def _open_or_rebuild(self) -> None:
        assert self.path is not None
        reason = None
        if self.path.exists():
            try:
                connection = self._connect()
                try:
                    found = dict(connection.execute("SELECT key, value FROM meta").fetchall())
                finally:
                    connection.close()
                if found.get("format") != str(INDEX_FORMAT):
                    reason = f"it was built by another format ({found.get('format')})"
            except sqlite3.DatabaseError as error:
                reason = f"it could not be read ({error})"
            if reason is None:
                return
            self._rebuilt = f"{self.path} was rebuilt: {reason}"
        create_database(self.path, self._connect, _SCHEMA, self._write_meta)

    @staticmethod
    def _write_meta(connection: sqlite3.Connection) -> None:
        connection.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
            [
                ("format", str(INDEX_FORMAT)),
                ("catalogue", str(CATALOGUE_FORMAT)),
                ("reader", __version__),
                ("generation", "0"),
            ],
        )

    def connection(self) -> AbstractContextManager[sqlite3.Connection]:
        """This thread's connection (the one connection, locked, for an index in memory)."""
        self._prepare()
        return self._pool.connection()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (one writer at a time), the generation bumped."""
        with self._write_lock, self.connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def generation(self) -> int:
        """A number that changes with every write (also another process's)."""
        with self.connection() as connection:
            row = connection.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    # --- the user's edits -------------------------------------------------------------

    @property
    def edits(self) -> tuple[Edit, ...]:
        """The user's edits applied to every answer (see :meth:`set_edits`)."""
        return self._edits

    def set_edits(self, edits: Sequence[Edit]) -> None:
        """Apply *edits* (the store's, oldest first) from now on: the app calls this after
        each merge, split, rename, relabel or undo (cheap: the next answer resolves
        again)."""
        self._edits = tuple(edits)

    # --- writing ----------------------------------------------------------------------

    def put_article(
        self,
        article: Article,
        spans: Sequence[Span],
        *,
        day: str | None = None,
        entities_key: str = "",
    ) -> None:
        """Index (or index again) one article's entities: *spans* as the finder gave them
        for ``article.text``. What the app calls after an article's entities are found or
        corrected (a few milliseconds; needs the text already read).

        Args:
            article: The article (its path, hash, title and text).
            spans: Its entities.
            day: Its date (ISO); default: front matter, else the file's day.
            entities_key: What the spans depend on besides the text (model, corrections):
                :meth:`update` indexes the article again when it changes.
        """
        with self.transaction() as connection:
            put_rows(connection, article, article.text, spans, day, entities_key)

    def refresh_article(self, article: Article, spans: Sequence[Span]) -> bool:
        """Index *article* again when it is in the index with other mentions than *spans*
        would give (or another hash): what the app calls when it shows an article's
        entities, so that a correction or an undo (of this article, or everywhere) is in
        the index before the panel asks it which entity each mention is. An article not in
        the index is left to :meth:`put_article` and :meth:`update`. Reads one article's
        rows; writes only when they differ. True when it wrote."""
        path = index_path(article.path)
        with self.connection() as connection:
            row = connection.execute(
                "SELECT id, sha256 FROM articles WHERE path = ?", (path,)
            ).fetchone()
            if row is None:
                return False
            indexed = set(
                connection.execute(
                    "SELECT start, end, key, label FROM mentions WHERE article = ?", (row[0],)
                )
            )
        wanted: dict[tuple[int, int], tuple[int, int, str, str]] = {}
        for m in article_mentions(article.text, spans):  # one per sentence and start, as put
            wanted.setdefault((m.sentence, m.start), (m.start, m.end, m.key, m.label))
        if row[1] == article.sha256 and indexed == set(wanted.values()):
            return False
        self.put_article(article, spans)
        return True

    def remove_article(self, path: Path) -> None:
        """Take the article at *path* out of the index (nothing when it is not in it)."""
        with self.transaction() as connection:
            row = connection.execute(
                "SELECT id FROM articles WHERE path = ?", (index_path(path),)
            ).fetchone()
            if row is not None:
                delete_rows(connection, row[0])

    def update(
        self, workspace: Workspace, *, cancelled: threading.Event | None = None
    ) -> EntityIndexReport:
        """Bring the index up to date with the workspace's library, entity cache and store
        (its corrections, and its entity edits, which :meth:`set_edits` then holds). See
        :func:`.writing.update_index`."""
        from reader.entities.library.writing import update_index

        report = update_index(self, workspace, cancelled)
        report.rebuilt, self._rebuilt = self._rebuilt, None
        return report

    def behind(self, workspace: Workspace) -> int | None:
        """How many articles :meth:`update` would (re)index or take out now (0: the index is
        current), without writing; None when the library has no entities to index. Loads
        the library; the index takes the store's edits. See
        :func:`.writing.articles_behind`."""
        from reader.entities.library.writing import articles_behind

        return articles_behind(self, workspace)

    # --- reading ----------------------------------------------------------------------

    def key_stats(self) -> dict[tuple[str, str], KeyStats]:
        """Mentions, articles and forms per (name key, label), from the summary tables."""
        stats: dict[tuple[str, str], KeyStats] = {}
        with self.connection() as connection:
            for key, label, mentions, articles in connection.execute(
                "SELECT key, label, mentions, articles FROM keys"
            ):
                stats[(key, label)] = KeyStats(mentions, articles, {})
            best: dict[tuple[str, str], tuple[int, int, str]] = {}
            for key, label, form, count, shown, own in connection.execute(
                "SELECT key, label, form, count, shown, own FROM forms"
            ):
                found = stats.get((key, label))
                if found is not None:
                    found.forms[form] = count
                    rank = (own, count, shown)
                    if (key, label) not in best or rank > best[(key, label)]:
                        best[(key, label)] = rank
            for key, (_own, _count, shown) in best.items():
                stats[key].name = shown
        return stats

    def resolution(self) -> Resolution:
        """The library's entities after the resolution rules and the edits (cached until
        the index or the edits change; ~50-150 ms to work out for 10,000 articles)."""
        stamp = (self.generation(), self._pool.generation, self._edits)
        cached = self._resolution
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with without_gc():
            resolution = resolve(self.key_stats(), self._edits, union_articles=self._union)
        self._resolution = (stamp, resolution)
        return resolution

    def _union(self, groups: Sequence[Sequence[tuple[str, str]]]) -> list[int]:
        """Per group of keys: the articles mentioning any of them (one query for all)."""
        with self.connection() as connection:
            connection.execute(
                "CREATE TEMP TABLE IF NOT EXISTS wanted(key TEXT, label TEXT, grp INTEGER)"
            )
            connection.execute("DELETE FROM temp.wanted")
            connection.executemany(
                "INSERT INTO temp.wanted(key, label, grp) VALUES (?, ?, ?)",
                [(key, label, i) for i, keys in enumerate(groups) for key, label in keys],
            )
            counts = dict(
                connection.execute(
                    "SELECT w.grp, COUNT(DISTINCT n.article) FROM temp.wanted w "
                    "JOIN names n ON n.key = w.key AND n.label = w.label GROUP BY w.grp"
                ).fetchall()
            )
            connection.execute("DELETE FROM temp.wanted")
        return [int(counts.get(i, 0)) for i in range(len(groups))]

    # --- asking -----------------------------------------------------------------------

    def article_count(self) -> int:
        """How many articles have their entities indexed (an article's are indexed once
        they are in the entity cache: once it was opened, or by `reader index`)."""
        with self.connection() as connection:
            return int(connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def entities(self, *, label: str | None = None, limit: int | None = None) -> list[Entity]:
        """The library's entities, most mentioned first (of *label*; else every named
        label, amounts and dates left out). See :func:`.pages.library_entities`."""
        from reader.entities.library.pages import library_entities

        return library_entities(self, label=label, limit=limit)

    def find(self, name: str, label: str | None = None) -> list[Entity]:
        """The entities *name* (a name, a variant, or an :attr:`Entity.id`) may mean, most
        mentioned first; empty when none."""
        return self.resolution().find(name, label)

    def page(
        self,
        entity: Entity | str,
        *,
        order: Literal["newest", "mentions"] = "newest",
        snippets: int | None = 20,
        cooccurring: int | None = 30,
        counted: int | None = 1000,
    ) -> EntityPage | None:
        """One entity's page (by :class:`Entity` or id), or None when it is not in the
        library (any more). See :func:`.pages.entity_page`."""
        from reader.entities.library.pages import entity_page

        if isinstance(entity, str):
            found = self.resolution().get(entity)
            if found is None:
                return None
            entity = found
        with without_gc():
            return entity_page(
                self,
                entity,
                order=order,
                snippets=snippets,
                cooccurring=cooccurring,
                counted=counted,
            )

    def snippets(self, article: PageArticle) -> tuple[Snippet, ...]:
        """The snippets of one article of a page (reads its file): for those a page gave
        without snippets, when they come into view."""
        from reader.entities.library.pages import article_snippets

        return article_snippets(article.path, article.sha256, article.mentions)

    def articles_of(self, name: str) -> dict[str, int] | None:
        """The articles (their index keys, :func:`~reader.library.folders.index_path`) that
        mention the one entity *name* means, each with its number of mentions as the
        entity's page counts them (every spelling, merges and splits applied), for the
        search index's ``entity:`` and ``sort:mentions``
        (``SearchIndex.entity_resolver = index.articles_of``);
        None when it means none or several (the search then matches the text as typed)."""
        found = self.resolution().find(name)
        if len(found) != 1:
            return None
        where = " OR ".join("(m.key = ? AND m.label = ?)" for _ in found[0].keys)
        params = [part for key in found[0].keys for part in key]
        with self.connection() as connection:
            return dict(
                connection.execute(
                    f"SELECT a.path, count(*) FROM mentions m JOIN articles a "
                    f"ON a.id = m.article WHERE {where} GROUP BY m.article",
                    params,
                )
            )

    def entity_at(self, path: Path, start: int, text: str = "", label: str = "") -> Entity | None:
        """The entity of the mention starting at *start* in the article at *path* (the
        marked entity in the article view, or the one chosen in the entity panel), as the
        index resolved it in that article; when the article is not indexed (yet), or was
        indexed with another label there (before a correction), the entity the mention's
        *text* and *label* name, if exactly one; else None."""
        with self.connection() as connection:
            row = connection.execute(
                "SELECT m.key, m.label FROM mentions m JOIN articles a ON a.id = m.article "
                "WHERE a.path = ? AND m.start = ?",
                (index_path(path), start),
            ).fetchone()
        resolution = self.resolution()
        if row is not None and (not label or row[1] == label):
            found = resolution.of(row[0], row[1])
            if found is not None:
                return found
        if not text:
            return None
        candidates = resolution.find(text, label or None)
        return candidates[0] if len(candidates) == 1 else None
