"""The entity index: every article's entity mentions in SQLite, for the library's entity
list, entity pages and the co-occurrence graph.

Derived data in the cache dir (``entities-<library>.sqlite3``, one file per set of library
paths so that ``reader entity PATH`` never churns the app's; WAL mode), rebuilt when broken
or of another format, in memory with ``--no-cache``. It keeps, per article: path, title,
date (front matter, else the file's day, as the search index) and hash; each mention
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

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reader import __version__
from reader.entities.library.mentions import article_mentions, form_counts
from reader.entities.library.names import display_name, name_key
from reader.entities.library.resolve import Edit, Entity, KeyStats, Resolution, resolve

if TYPE_CHECKING:
    from reader.entities.library.pages import EntityPage, PageArticle, Snippet
    from reader.entities.span import Span
    from reader.library import Article
    from reader.settings import Settings
    from reader.store import AnnotationStore
    from reader.workspace import Workspace

__all__ = ["INDEX_FORMAT", "EntityIndex", "EntityIndexReport", "index_file"]

INDEX_FORMAT = 3
"""Bump when the schema or what a column means changes: an older file is rebuilt."""

BATCH = 200
"""Articles written per transaction by :meth:`EntityIndex.update`."""

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


def index_file(settings: Settings) -> Path | None:
    """The index file for the settings' library (None with ``--no-cache``)."""
    if not settings.use_cache:
        return None
    roots = json.dumps(sorted(os.path.abspath(path) for path in settings.article_paths))
    digest = hashlib.blake2b(roots.encode("utf-8", "surrogateescape"), digest_size=6)
    return settings.cache_dir / f"entities-{digest.hexdigest()}.sqlite3"


@dataclass
class EntityIndexReport:
    """What :meth:`EntityIndex.update` did."""

    articles: int = 0
    """Articles in the library."""
    indexed: int = 0
    """Articles whose entities were (re)indexed."""
    removed: int = 0
    """Articles gone from the library, taken out."""
    missing: int = 0
    """Articles whose entities are not cached yet (indexed on a later update)."""
    unavailable: str | None = None
    """Why no entities could be indexed (no cache, no model named), or None."""
    rebuilt: str | None = None
    """Why the index file was rebuilt, or None."""
    seconds: float = 0.0
    """How long the update took."""
    problems: list[str] = field(default_factory=list)
    """Articles that could not be read, and the store when it could not be opened."""


def corrections_keys(store: AnnotationStore | None) -> tuple[str, dict[str, str]]:
    """Fingerprints of the store's entity corrections: of the global ones, and per article
    hash of that article's (what an article's indexed entities depend on besides its text
    and the model)."""
    if store is None:
        return "", {}
    everywhere: list[object] = []
    per_article: dict[str, list[object]] = {}
    for annotation in store.annotations(kind="correction"):
        data = [annotation.correction, annotation.target, annotation.modified]
        per_article.setdefault(annotation.article_sha256, []).append(data)
        if annotation.correction is not None and annotation.correction.get("scope") == "global":
            everywhere.append(data)
    return _digest(everywhere) if everywhere else "", {
        sha: _digest(items) for sha, items in per_article.items()
    }


def _digest(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class EntityIndex:
    """The entity index of one library (a file, or in memory). :meth:`update` it from a
    workspace or :meth:`put_article` one article; ask it with :meth:`entities`,
    :meth:`page`, :meth:`snippets`; :meth:`close` when done."""

    def __init__(self, path: Path | None) -> None:
        """The index in the file *path* (created when missing), or in memory when None."""
        self.path = path
        """The index file, or None in memory."""
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._memory: sqlite3.Connection | None = None
        self._prepared = False
        self._opened = 0
        self._rebuilt: str | None = None
        self._edits: tuple[Edit, ...] = ()
        self._resolution: tuple[object, Resolution] | None = None

    # --- connections ------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection (from any thread); the index may be used again after."""
        with self._lock:
            for connection in self._connections:
                with suppress(sqlite3.Error):
                    connection.close()
            self._connections.clear()
            if self._memory is not None:
                with suppress(sqlite3.Error):
                    self._memory.close()
                self._memory = None
            self._prepared = False
            self._opened += 1
            self._resolution = None

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        connection = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

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
                self._memory = sqlite3.connect(
                    ":memory:", isolation_level=None, check_same_thread=False
                )
                self._memory.executescript(_SCHEMA)
                self._write_meta(self._memory)
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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            with suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            self._write_meta(connection)
            connection.execute("COMMIT")
        finally:
            connection.close()

    @staticmethod
    def _write_meta(connection: sqlite3.Connection) -> None:
        connection.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
            [("format", str(INDEX_FORMAT)), ("reader", __version__), ("generation", "0")],
        )

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (the one connection, locked, for an index in memory)."""
        self._prepare()
        if self._memory is not None:
            with self._lock:
                yield self._memory
                return
        local = self._local
        connection = getattr(local, "connection", None)
        if connection is None or getattr(local, "opened", None) != self._opened:
            with self._lock:
                connection = self._connect()
                self._connections.append(connection)
                local.connection, local.opened = connection, self._opened
        yield connection

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
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
        with self._writing() as connection:
            self._put(connection, article, article.text, spans, day, entities_key)

    def remove_article(self, path: Path) -> None:
        """Take the article at *path* out of the index (nothing when it is not in it)."""
        with self._writing() as connection:
            row = connection.execute(
                "SELECT id FROM articles WHERE path = ?", (os.path.abspath(path),)
            ).fetchone()
            if row is not None:
                self._delete(connection, row[0])

    def _put(
        self,
        connection: sqlite3.Connection,
        article: Article,
        text: str,
        spans: Sequence[Span],
        day: str | None,
        entities_key: str,
    ) -> None:
        from reader.search.documents import article_date

        path = os.path.abspath(article.path)
        if day is None:
            try:
                mtime: float | None = os.stat(path).st_mtime
            except OSError:
                mtime = None
            found = article_date(text, mtime)
            day = found.isoformat() if found else None
        row = connection.execute("SELECT id FROM articles WHERE path = ?", (path,)).fetchone()
        if row is not None:
            self._delete(connection, row[0])
        cursor = connection.execute(
            "INSERT INTO articles(path, shown_path, sha256, title, date, entities_key) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (path, str(article.path), article.sha256, article.title, day, entities_key),
        )
        row_id = cursor.lastrowid
        mentions = article_mentions(text, spans)
        connection.executemany(
            "INSERT OR IGNORE INTO mentions(article, start, end, key, label, sentence) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(row_id, m.start, m.end, m.key, m.label, m.sentence) for m in mentions],
        )
        counts = form_counts(mentions)
        connection.executemany(
            "INSERT INTO names(article, key, label, form, count) VALUES (?, ?, ?, ?, ?)",
            [(row_id, key, label, form, n) for (key, label, form), n in counts.items()],
        )
        self._add_to_summary(connection, counts, 1)

    @staticmethod
    def _add_to_summary(
        connection: sqlite3.Connection, counts: dict[tuple[str, str, str], int], sign: int
    ) -> None:
        per_key: dict[tuple[str, str], int] = {}
        for (key, label, _form), n in counts.items():
            per_key[(key, label)] = per_key.get((key, label), 0) + n
        connection.executemany(
            "INSERT INTO keys(key, label, mentions, articles) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key, label) DO UPDATE SET mentions = mentions + excluded.mentions, "
            "articles = articles + excluded.articles",
            [(key, label, sign * n, sign) for (key, label), n in per_key.items()],
        )
        connection.executemany(
            "INSERT INTO forms(key, label, form, count, shown, own) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(key, label, form) DO UPDATE SET count = count + excluded.count",
            [
                (
                    key,
                    label,
                    form,
                    sign * n,
                    display_name(form, label),
                    name_key(form, label) == key,
                )
                for (key, label, form), n in counts.items()
            ],
        )
        if sign < 0:
            connection.executemany(
                "DELETE FROM keys WHERE key = ? AND label = ? AND articles <= 0",
                list(per_key),
            )
            connection.executemany(
                "DELETE FROM forms WHERE key = ? AND label = ? AND form = ? AND count <= 0",
                list(counts),
            )

    def _delete(self, connection: sqlite3.Connection, row_id: int) -> None:
        counts = {
            (key, label, form): n
            for key, label, form, n in connection.execute(
                "SELECT key, label, form, count FROM names WHERE article = ?", (row_id,)
            )
        }
        self._add_to_summary(connection, counts, -1)
        for table in ("mentions", "names"):
            connection.execute(f"DELETE FROM {table} WHERE article = ?", (row_id,))
        connection.execute("DELETE FROM articles WHERE id = ?", (row_id,))

    def update(
        self, workspace: Workspace, *, cancelled: threading.Event | None = None
    ) -> EntityIndexReport:
        """Bring the index up to date with the workspace's library, entity cache and store
        (its corrections, and its entity edits, which :meth:`set_edits` then holds).

        Articles are matched by path, hash and what their entities depend on (model,
        corrections); articles gone from the library are taken out. Uses the workspace's
        open store, else opens it read-only. Stops between batches when *cancelled* is set.
        Gives the GIL no more than Python's switch interval (5 ms) does: a ``time.sleep(0)``
        per article, as the search index does, costs a whole time slice on a busy machine.
        """
        from reader.entities.engines import NoModel
        from reader.library import Problem, read_article

        started = time.perf_counter()
        report = EntityIndexReport()
        if workspace.store is None:
            unavailable = workspace.open_store_for_corrections()
            if unavailable:
                report.problems.append(unavailable)
        store = workspace.store
        if store is not None:
            from reader.store.entity_edits import EntityEdits

            self.set_edits(EntityEdits(store).edits())
        articles = workspace.library().articles
        report.articles = len(articles)
        finder = workspace.finder
        cache = finder.cache
        try:
            engine = finder.pipeline
        except NoModel as error:
            report.unavailable = str(error)
            engine = None
        if cache is None:
            report.unavailable = "no entity cache (--no-cache)"
        everywhere, per_article = corrections_keys(store)
        base = f"{__version__}/{engine.key if engine else ''}/{everywhere}"
        with self.connection() as connection:
            known = {
                path: (row_id, sha, key)
                for row_id, path, sha, key in connection.execute(
                    "SELECT id, path, sha256, entities_key FROM articles"
                )
            }
        todo: list[tuple[Article, str]] = []
        for article in articles:
            path = os.path.abspath(article.path)
            key = f"{base}/{per_article.get(article.sha256, '')}"
            row = known.pop(path, None)
            if row is None or row[1] != article.sha256 or row[2] != key:
                todo.append((article, key))
        with self._writing() as connection:
            for row_id, _sha, _key in known.values():
                self._delete(connection, row_id)
                report.removed += 1
        if cache is None or engine is None:
            report.seconds = time.perf_counter() - started
            return report
        for start in range(0, len(todo), BATCH):
            if cancelled is not None and cancelled.is_set():
                break
            batch = []
            for article, key in todo[start : start + BATCH]:
                if not cache.has(article.sha256, engine):
                    report.missing += 1
                    continue
                read = article if article.loaded else read_article(article.path)
                if isinstance(read, Problem):
                    report.problems.append(str(read))
                    continue
                spans = finder.cached(read.sha256, read.text)
                if spans is None:
                    report.missing += 1
                    continue
                batch.append((read, spans, key))
            with self._writing() as connection:
                for read, spans, key in batch:
                    self._put(connection, read, read.text, spans, None, key)
            report.indexed += len(batch)
        report.rebuilt, self._rebuilt = self._rebuilt, None
        report.seconds = time.perf_counter() - started
        return report

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
        stamp = (self.generation(), self._opened, self._edits)
        cached = self._resolution
        if cached is not None and cached[0] == stamp:
            return cached[1]
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

    def entity_at(self, path: Path, start: int, text: str = "", label: str = "") -> Entity | None:
        """The entity of the mention starting at *start* in the article at *path* (the
        marked entity in the article view, or the one chosen in the entity panel), as the
        index resolved it in that article; when the article is not indexed (yet), the
        entity the mention's *text* and *label* name, if exactly one; else None."""
        with self.connection() as connection:
            row = connection.execute(
                "SELECT m.key, m.label FROM mentions m JOIN articles a ON a.id = m.article "
                "WHERE a.path = ? AND m.start = ?",
                (os.path.abspath(path), start),
            ).fetchone()
        resolution = self.resolution()
        if row is not None:
            found = resolution.of(row[0], row[1])
            if found is not None:
                return found
        if not text:
            return None
        candidates = resolution.find(text, label or None)
        return candidates[0] if len(candidates) == 1 else None
