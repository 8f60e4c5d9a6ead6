"""Writing the search index: what an update reads from the store once, the rows kept of
each article's entities, new articles in batches, and the per-article writes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reader.foreground import give_way
from reader.search.entity_rows import EntityRows, KeptRows, MentionRow, fts_entities
from reader.search.reading import Prepared, ReadAhead, prepare, read_once, request_for
from reader.search.text_match import index_text

if TYPE_CHECKING:
    from reader.entities.engines.base import EngineInfo
    from reader.entities.finder import EntityFinder
    from reader.library import Article
    from reader.store import AnnotationStore
    from reader.store.model import Annotation


__all__ = [
    "BULK",
    "INSERT_BATCH",
    "Entities",
    "NewArticle",
    "StoreSnapshot",
    "UpdateReport",
    "annotate",
    "corrections_snapshot",
    "delete",
    "folder_names",
    "insert_new",
    "let_others_run",
    "put_mentions",
    "relocate",
    "store_snapshot",
    "write_entities",
]


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
    moved: int = 0
    """Articles whose place in the list, folder or shown path changed, or that left the
    library (kept, out of its scope): with the four above, what an update changed of what
    a search reads but entities (:meth:`SearchIndex.carry`)."""
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
class Entities:
    """What an update needs to index entities: the finder, its engine, the key's start
    (everything but the article's own corrections) and the rows kept beside the index."""

    finder: EntityFinder
    engine: EngineInfo
    base: str
    kept: EntityRows | None
    plain: EntityFinder
    """The finder without the corrector (for an article without corrections)."""

    def key(self, snapshot: StoreSnapshot, sha256: str) -> str:
        """The key an article's entities are indexed (and kept) under."""
        return f"{self.base}/{snapshot.corrections.get(sha256, '')}"

    def reuse_many(
        self, snapshot: StoreSnapshot, batch: Sequence[tuple[object, Prepared]]
    ) -> dict[str, KeptRows]:
        """For the articles read in *batch* whose rows are kept under their key (and whose
        model output is still cached): by hash, the rows as kept."""
        if self.kept is None or self.finder.cache is None:
            return {}
        kept = self.kept.get_many([read[0] for _, read in batch])
        cached = self.finder.cache.have(
            [sha256 for sha256, (key, _, _) in kept.items() if key == self.key(snapshot, sha256)],
            self.engine,
        )
        return {sha256: kept[sha256] for sha256 in cached}

    def reuse(self, snapshot: StoreSnapshot, sha256: str) -> tuple[str, list[MentionRow]] | None:
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
class StoreSnapshot:
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


def store_snapshot(store: AnnotationStore | None) -> StoreSnapshot:
    snapshot = StoreSnapshot()
    if store is None:
        return snapshot
    for article in store.articles():
        if article["tags"]:
            snapshot.tags[str(article["sha256"])] = [str(tag) for tag in article["tags"]]
    corrections: list[Annotation] = []
    for annotation in store.iter_annotations():  # not all 100,000 at once
        sha = annotation.article_sha256
        snapshot.kinds.setdefault(sha, set()).add(annotation.kind)
        if annotation.body:
            snapshot.bodies.setdefault(sha, []).append(annotation.body)
        if annotation.kind == "correction":
            corrections.append(annotation)
    _fingerprint_corrections(snapshot, corrections)
    # Read state arrives in the store with the read-state work; until then all are unread.
    read_articles = getattr(store, "read_articles", None)
    if read_articles is not None:
        snapshot.read = frozenset(read_articles())
        snapshot.read_known = True
    return snapshot


def corrections_snapshot(store: AnnotationStore | None) -> StoreSnapshot:
    """A :class:`StoreSnapshot` with only the corrections' fingerprints (what an article's
    entity key needs: :meth:`Entities.key`), read from the store's corrections alone, not
    from every annotation (``reader search``'s count of articles with entities found)."""
    snapshot = StoreSnapshot()
    if store is not None:
        _fingerprint_corrections(snapshot, store.annotations(kind="correction"))
    return snapshot


def _fingerprint_corrections(snapshot: StoreSnapshot, found: Sequence[Annotation]) -> None:
    """Fill *snapshot*'s corrections from *found* (the store's, oldest first)."""
    corrections: dict[str, list[Any]] = {}
    global_corrections: list[Any] = []
    for annotation in found:
        data = [annotation.correction, annotation.target]
        corrections.setdefault(annotation.article_sha256, []).append(data)
        if annotation.correction is not None and annotation.correction.get("scope") == "global":
            global_corrections.append(data)
    for sha, items in corrections.items():
        snapshot.corrections[sha] = _digest(items)
    snapshot.global_corrections = _digest(global_corrections) if global_corrections else ""


def _digest(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


YIELD_SECONDS = 0.002
"""How long an update runs before it gives the GIL away (:func:`_let_others_run`)."""

_yielded = 0.0


def let_others_run() -> None:
    """Give the GIL away now and then between two articles of an update: the app updates
    its index in a thread while the user reads, and the screen's thread must not wait a
    whole switch interval (5 ms) for it at every turn. At most every :data:`YIELD_SECONDS`
    (a ``time.sleep(0)`` per article cost a 10,000-article update over a second on a
    loaded machine; a clock read costs nanoseconds). While the app serves a key the user
    waits for (an entity's page), it waits until that is painted (:mod:`reader.foreground`)."""
    global _yielded
    give_way()
    now = time.perf_counter()
    if now - _yielded >= YIELD_SECONDS:
        if threading.active_count() > 1:  # alone (a command), nobody waits for the GIL
            time.sleep(0)
        _yielded = time.perf_counter()


def _giving_way(rows: Sequence[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    """*rows* for an ``executemany``, each after :func:`give_way`: the batch's full-text
    rows (~100 µs of SQLite each, 25 ms or more a batch) stop within a row of a key the
    user waits for (an article switch's frame, N = 10,000, came during the app's first
    build), not at the next batch."""
    for row in rows:
        give_way()
        yield row


INSERT_BATCH = 256
"""New articles written per ``executemany`` of each table."""

BULK = 1000
"""New articles from which the lookup indexes are dropped while they are written and made
again after (one sort each, rather than a B-tree insert per row: 200,000 entity rows for
10,000 articles)."""

_LOOKUPS = {
    "mentions_folded": "mentions(folded)",
    "mentions_label": "mentions(label)",
    "tags_tag": "tags(tag)",
    "folders_name": "folders(name)",
}
"""The secondary indexes of the schema (:data:`_SCHEMA`), by name."""

_MENTIONS_FROM_JSON = (
    "INSERT INTO mentions(article, folded, label, text, count) "
    "SELECT ?, value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?)"
)
"""An article's kept entity rows (their JSON as :mod:`.entity_rows` keeps it), expanded by
SQLite itself: no Python tuple per row (~20 an article)."""


@dataclass
class NewArticle:
    """An article to index for the first time (or again): the library's, its absolute
    path, where it is shown (path, folder) and its place in the library."""

    article: Article
    path: str
    where: tuple[str, str]
    place: int


@contextmanager
def _without_lookups(connection: sqlite3.Connection, *, bulk: bool) -> Iterator[None]:
    """With *bulk*, the lookup indexes (:data:`_LOOKUPS`) dropped inside the update's
    transaction and made again at its end (readers keep seeing them: WAL)."""
    if not bulk:
        yield
        return
    for name in _LOOKUPS:
        connection.execute(f"DROP INDEX IF EXISTS {name}")
    yield
    for name, on in _LOOKUPS.items():
        connection.execute(f"CREATE INDEX {name} ON {on}")


def insert_new(
    connection: sqlite3.Connection,
    new: Sequence[NewArticle],
    snapshot: StoreSnapshot,
    context: Entities | None,
    report: UpdateReport,
    cancelled: threading.Event | None = None,
    *,
    read_ahead: bool = True,
) -> None:
    """Index the articles *new* (their old rows, if any, already deleted), with their
    entities when the rows kept beside the index have them (in the same row of the
    full-text index, which is not written twice): :data:`INSERT_BATCH` at a time, one
    ``executemany`` per table, the row ids given here (the update holds the write lock).
    From :data:`BULK` articles, a child process reads them a batch ahead
    (:class:`~reader.search.reading.ReadAhead`), unless not *read_ahead*. Stops at the
    next article when *cancelled* is set, that article's batch unwritten (the articles not
    written are new to the next update): an app quitting waits for no batch's reads."""
    (last,) = connection.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
    bulk = len(new) >= BULK
    ahead_too = bulk and read_ahead
    chunks = [new[start : start + INSERT_BATCH] for start in range(0, len(new), INSERT_BATCH)]
    ahead = ReadAhead(
        [[request_for(item.article, item.path) for item in chunk] for chunk in chunks]
        if ahead_too
        else []
    )
    with _without_lookups(connection, bulk=bulk), ahead:
        read_batches = ahead.batches() if ahead_too and ahead.start() else None
        for chunk in chunks:
            if cancelled is not None and cancelled.is_set():
                break
            got = next(read_batches) if read_batches is not None else [None] * len(chunk)
            batch: list[tuple[NewArticle, Prepared]] = []
            for item, prepared in zip(chunk, got, strict=True):
                if cancelled is not None and cancelled.is_set():
                    break  # the app is quitting: it must not wait for a batch's reads
                let_others_run()
                if prepared is None:
                    prepared = prepare(read_once(item.article), item.path)
                batch.append((item, prepared))
            if len(batch) < len(chunk):  # cancelled: this batch is the next update's
                break
            kept = {} if context is None else context.reuse_many(snapshot, batch)
            articles: list[tuple[object, ...]] = []
            texts: list[tuple[object, ...]] = []
            with_entities: list[tuple[object, ...]] = []
            mentions: list[tuple[int, str]] = []
            folders: list[tuple[int, int, str]] = []
            annotated: list[tuple[int, str]] = []
            for item, prepared in batch:
                sha256, title, title_folded, text, words, day, plain = prepared[:7]
                title_words, text_words = prepared[7:]
                last += 1
                shown, folder = item.where
                reused = kept.get(sha256)
                articles.append(
                    (
                        last,
                        item.path,
                        shown,
                        shown.casefold(),
                        folder,
                        sha256,
                        title,
                        title_folded,
                        day,
                        words,
                        plain,
                        None if reused is None else reused[0],
                        item.place,
                    )
                )
                indexed = (last, title_words, text_words, title, text, folder, shown)
                if reused is None:
                    texts.append(indexed)
                else:
                    _, kept_json, columns = reused
                    with_entities.append((*indexed, *columns))
                    mentions.append((last, kept_json))
                folders += [(last, depth, name) for depth, name in enumerate(folder_names(folder))]
                if snapshot.key(sha256):
                    annotated.append((last, sha256))
            connection.executemany(
                "INSERT INTO articles(id, path, shown_path, path_folded, folder, sha256, title, "
                "title_folded, date, words, plain, entities_key, position) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                articles,
            )
            connection.executemany(
                "INSERT INTO fts(rowid, title, text, title_shown, text_shown, folder, path) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                _giving_way(texts),
            )
            connection.executemany(
                "INSERT INTO fts(rowid, title, text, title_shown, text_shown, folder, path, "
                "entities, labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _giving_way(with_entities),
            )
            connection.executemany(_MENTIONS_FROM_JSON, _giving_way(mentions))
            connection.executemany(
                "INSERT INTO folders(article, depth, name) VALUES (?, ?, ?)", folders
            )
            for row_id, sha256 in annotated:
                annotate(connection, row_id, sha256, snapshot)
            report.entities += len(mentions)
            report.entities_kept += len(mentions)


def relocate(
    connection: sqlite3.Connection, row_id: int, where: tuple[str, str], before: tuple[str, str]
) -> None:
    """Record the article's path and folder as the current library sees them (*before*:
    as the index had them). The same folder under another path form (`lib` and
    `/home/me/lib` in turn) writes the articles row alone, for ``path:``: the words
    indexed stand (the FTS row's own ``folder`` and ``path`` are not searched; updating
    them wrote the whole text again, 0.2 s of CPU at 1,250 articles each time the form
    alternated)."""
    shown, folder = where
    connection.execute(
        "UPDATE articles SET shown_path = ?, path_folded = ?, folder = ? WHERE id = ?",
        (shown, shown.casefold(), folder, row_id),
    )
    if folder == before[1]:
        return
    connection.execute(
        "UPDATE fts SET folder = ?, path = ? WHERE rowid = ?", (folder, shown, row_id)
    )
    connection.execute("DELETE FROM folders WHERE article = ?", (row_id,))
    connection.executemany(
        "INSERT INTO folders(article, depth, name) VALUES (?, ?, ?)",
        [(row_id, depth, name) for depth, name in enumerate(folder_names(folder))],
    )


def annotate(
    connection: sqlite3.Connection, row_id: int, sha256: str, snapshot: StoreSnapshot
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
        "INSERT INTO parts(body, article, kind, shown) VALUES (?, ?, ?, ?)",
        [(index_text(body), row_id, "notes", body) for body in snapshot.bodies.get(sha256, [])]
        + [(index_text(tag), row_id, "tags", tag) for tag in tags],
    )


def delete(connection: sqlite3.Connection, row_id: int) -> None:
    for table in ("tags", "folders", "mentions"):
        connection.execute(f"DELETE FROM {table} WHERE article = ?", (row_id,))
    connection.execute("DELETE FROM fts WHERE rowid = ?", (row_id,))
    connection.execute("DELETE FROM parts WHERE article = ?", (row_id,))
    connection.execute("DELETE FROM articles WHERE id = ?", (row_id,))


def write_entities(
    connection: sqlite3.Connection, batch: list[tuple[int, str, list[MentionRow]]]
) -> None:
    if not batch:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        for row_id, key, rows in batch:
            connection.execute("DELETE FROM mentions WHERE article = ?", (row_id,))
            put_mentions(connection, row_id, key, rows, fts=True)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def put_mentions(
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


def folder_names(folder: str) -> list[str]:
    """The names of *folder*'s parts from the root down, case-folded (``in:`` compares)."""
    return [part.casefold() for part in folder.split("/") if part]
