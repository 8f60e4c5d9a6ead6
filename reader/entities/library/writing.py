"""Writing the entity index: one article's rows and the per-key totals kept with them,
and bringing the whole index up to date with a workspace (what
:meth:`~reader.entities.library.index.EntityIndex.update` runs)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reader import __version__
from reader.entities.corrections import may_change
from reader.entities.library.mentions import article_mentions, form_counts
from reader.entities.library.names import display_name, name_key
from reader.foreground import give_way
from reader.library.catalogue_format import CATALOGUE_FORMAT
from reader.library.folders import index_path

if TYPE_CHECKING:
    from reader.entities.cache import EntityCache
    from reader.entities.engines.base import EngineInfo
    from reader.entities.library.index import EntityIndex
    from reader.entities.span import Span
    from reader.library import Article
    from reader.store import AnnotationStore
    from reader.workspace import Workspace

__all__ = [
    "BATCH",
    "CorrectionsKeys",
    "EntityIndexReport",
    "articles_behind",
    "corrections_keys",
    "delete_rows",
    "put_rows",
    "update_index",
]

BATCH = 200
"""Articles written per transaction by :meth:`EntityIndex.update`."""


@dataclass
class EntityIndexReport:
    """What :meth:`EntityIndex.update` did."""

    articles: int = 0
    """Articles in the library."""
    indexed: int = 0
    """Articles whose entities were (re)indexed."""
    removed: int = 0
    """Articles gone from the library, taken out."""
    retitled: int = 0
    """Articles indexed with the same text whose title or date changed since (the catalogue's
    format, or front matter outside the text): those written, their entities kept."""
    rekeyed: int = 0
    """Articles whose entities the corrections made or undone since cannot change (their
    text holds none of them): taken as they were indexed."""
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


@dataclass
class CorrectionsKeys:
    """Fingerprints of the store's entity corrections (what an article's indexed entities
    depend on besides its text and the model)."""

    everywhere: str = ""
    """Of the global ones ("" when none)."""
    per_article: dict[str, str] = field(default_factory=dict)
    """Per article hash, of that article's (its global ones included)."""
    items: list[str] = field(default_factory=list)
    """The global ones, each as one JSON line: what :attr:`everywhere` is the digest of."""


def corrections_keys(store: AnnotationStore | None) -> CorrectionsKeys:
    """The fingerprints of the store's entity corrections (none without a store)."""
    if store is None:
        return CorrectionsKeys()
    everywhere: list[object] = []
    per_article: dict[str, list[object]] = {}
    for annotation in store.annotations(kind="correction"):
        data = [annotation.correction, annotation.target, annotation.modified]
        per_article.setdefault(annotation.article_sha256, []).append(data)
        if annotation.correction is not None and annotation.correction.get("scope") == "global":
            everywhere.append(data)
    return CorrectionsKeys(
        _digest(everywhere) if everywhere else "",
        {sha: _digest(items) for sha, items in per_article.items()},
        [_json(item) for item in everywhere],
    )


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def _digest(data: object) -> str:
    return hashlib.blake2b(_json(data).encode("utf-8"), digest_size=12).hexdigest()


def _texts_changed(old: list[str], new: list[str]) -> frozenset[str]:
    """The texts of the global corrections in one list and not the other (made, deleted,
    undone or changed between the two)."""
    texts = set()
    for line in set(old) ^ set(new):
        correction = json.loads(line)[0]
        if isinstance(correction, dict) and isinstance(correction.get("text"), str):
            texts.add(correction["text"])
        else:  # not a correction as written: every article may change
            return frozenset([""])
    return frozenset(texts)


def put_rows(
    connection: sqlite3.Connection,
    article: Article,
    text: str,
    spans: Sequence[Span],
    day: str | None,
    entities_key: str,
) -> None:
    """Write one article's rows (its old ones taken out first) and add them to the totals."""
    path = index_path(article.path)
    if day is None:
        day = article_day(article)
    row = connection.execute("SELECT id FROM articles WHERE path = ?", (path,)).fetchone()
    if row is not None:
        delete_rows(connection, row[0])
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
    _add_to_summary(connection, counts, 1)


def article_day(article: Article) -> str | None:
    """An article's date as the index keeps it (ISO): front matter, else the file's day.
    Reads an unread article's text (its meta)."""
    from reader.search.documents import article_date

    try:
        mtime: float | None = os.stat(index_path(article.path)).st_mtime
    except OSError:
        mtime = None
    found = article_date(article.meta, mtime)
    return found.isoformat() if found else None


def _add_to_summary(
    connection: sqlite3.Connection, counts: dict[tuple[str, str, str], int], sign: int
) -> None:
    """Add (*sign* 1) or take away (-1) an article's counts from the per-key totals."""
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


def delete_rows(connection: sqlite3.Connection, row_id: int) -> None:
    """Take one article's rows out, and out of the totals."""
    counts = {
        (key, label, form): n
        for key, label, form, n in connection.execute(
            "SELECT key, label, form, count FROM names WHERE article = ?", (row_id,)
        )
    }
    _add_to_summary(connection, counts, -1)
    for table in ("mentions", "names"):
        connection.execute(f"DELETE FROM {table} WHERE article = ?", (row_id,))
    connection.execute("DELETE FROM articles WHERE id = ?", (row_id,))


@dataclass
class _Plan:
    """What an update would do: the articles to index (with their entities key), the rows
    of articles gone, and the entity cache and engine (None when there are no entities)."""

    todo: list[tuple[Article, str]]
    gone: list[int]
    cache: EntityCache | None
    engine: EngineInfo | None
    unless: dict[str, tuple[frozenset[str], str]] = field(default_factory=dict)
    """Per article path (absolute) in *todo*: indexed before with the same text, model and
    own corrections, only the global corrections changed since; these texts are theirs,
    and the key its row had. When the article's text holds none of them its entities are
    as indexed: only its key is written (a correction made everywhere reads every article,
    but runs the rules again only on those that name it), if its row still has the key it
    had (another writer, the app's panel or another process, may have indexed it since
    with other corrections: stamping those rows would keep them)."""
    renamed: list[tuple[str, int]] = field(default_factory=list)
    """Rows kept under an article's path through a symlink: its key, and the row."""
    reshown: list[tuple[str, int]] = field(default_factory=list)
    """Rows of articles this library names another way than the one that indexed them
    (one index for ``lib``, ``/abs/lib`` and a symlink to it): the path to show, the row."""
    retitled: list[tuple[str, int]] = field(default_factory=list)
    """Rows of articles with the text they were indexed with and another title (the
    catalogue's format changed what a title is, or the front matter outside the text was
    edited): the title, the row. Their entities depend on the text only: kept."""
    redays: list[tuple[str | None, int]] = field(default_factory=list)
    """Rows of articles with the text they were indexed with and another date, their file
    read by this process (a front matter's date edited): the date, the row."""
    dated: dict[int, tuple[Article, Mapping[str, str]]] = field(default_factory=dict)
    """What :attr:`EntityIndex.dated` holds once this plan's dates are written."""
    redated: list[tuple[Article, int, str | None]] | None = None
    """When the index was written under another catalogue format (or none recorded): the
    articles with the text they were indexed with, their row and the date it holds, to
    read the date again (the front matter's reading may have changed); None otherwise."""
    everywhere: tuple[str, list[str]] | None = None
    """The global corrections' digest and lines, to keep in the index's meta table under
    ``everywhere:<digest>`` so that a later update can tell what changed; None when they
    are kept already."""
    prefix: str = ""
    """What every entities key starts with (version, rules, engine), its global
    corrections' digest next."""
    keys: CorrectionsKeys = field(default_factory=CorrectionsKeys)
    """The corrections the keys in *todo* are made of (the spans are found with the
    store's corrections as they are when found: a batch found after they changed is not
    written under these keys)."""


def _plan(index: EntityIndex, workspace: Workspace, report: EntityIndexReport) -> _Plan:
    """Compare the index with the workspace's library, cache and store (loading the
    library, opening the store read-only if needed; the index takes the store's edits)."""
    from reader.entities.engines import NoModel
    from reader.search.entity_rows import rules_digest

    if workspace.store is None:
        unavailable = workspace.open_store_for_corrections()
        if unavailable:
            report.problems.append(unavailable)
    store = workspace.store
    if store is not None:
        from reader.store.entity_edits import EntityEdits

        index.set_edits(EntityEdits(store).edits())
    articles = workspace.library().articles
    report.articles = len(articles)
    cache = workspace.finder.cache
    engine: EngineInfo | None
    try:
        engine = workspace.finder.pipeline
    except NoModel as error:
        report.unavailable = str(error)
        engine = None
    if cache is None:
        report.unavailable = "no entity cache (--no-cache)"
    keys = corrections_keys(store)
    # The rules' code too (what they make of the model's spans): a changed rule reindexes.
    prefix = f"{__version__}/{rules_digest()}/{engine.key if engine else ''}/"
    base = f"{prefix}{keys.everywhere}"
    with index.connection() as connection:
        known = {
            path: (row_id, sha, key, shown, title, day)
            for row_id, path, sha, key, shown, title, day in connection.execute(
                "SELECT id, path, sha256, entities_key, shown_path, title, date FROM articles"
            )
        }
        recorded = connection.execute("SELECT value FROM meta WHERE key = 'catalogue'").fetchone()
        kept = {
            name.removeprefix("everywhere:"): value
            for name, value in connection.execute(
                "SELECT key, value FROM meta WHERE key LIKE 'everywhere:%'"
            )
        }
    changed: dict[str, frozenset[str]] = {}
    todo: list[tuple[Article, str]] = []
    plan = _Plan(todo, [], cache, engine, prefix=prefix, keys=keys)
    if recorded is None or recorded[0] != str(CATALOGUE_FORMAT):
        plan.redated = []
    if keys.everywhere not in kept:  # written once, also by an index older than this key
        plan.everywhere = (keys.everywhere, keys.items)
    for article in articles:
        path = index_path(article.path)
        own = keys.per_article.get(article.sha256, "")
        key = f"{base}/{own}"
        row = known.pop(path, None)
        if row is None and (absolute := os.path.abspath(article.path)) != path:
            # Kept through a symlink (an index before keys resolved folders): the row is
            # the article's, under its key from now on.
            row = known.pop(absolute, None)
            if row is not None:
                plan.renamed.append((path, row[0]))
        if row is not None and row[3] != str(article.path):
            plan.reshown.append((str(article.path), row[0]))
        if row is not None and row[1] == article.sha256:
            # The same text, so the same entities; its title (the catalogue's, no read)
            # and, after a change of the catalogue's format, its date may not be.
            if row[4] != article.title:
                plan.retitled.append((article.title, row[0]))
            if plan.redated is not None:
                plan.redated.append((article, row[0], row[5]))
            elif article.has_meta:
                # Its date (a front matter's date edited), known without a read once this
                # process read the file (a changed file is): worked out once per meta read.
                meta = article.meta
                checked = index.dated.get(id(article))
                plan.dated[id(article)] = (article, meta)
                if (checked is None or checked[1] is not meta) and (
                    day := article_day(article)
                ) != row[5]:
                    plan.redays.append((day, row[0]))
        if row is None or row[1] != article.sha256 or row[2] != key:
            todo.append((article, key))
            before = row[2] if row is not None and row[1] == article.sha256 else ""
            was = before.removeprefix(prefix).removesuffix(f"/{own}")
            if before.startswith(prefix) and before.endswith(f"/{own}") and was in kept:
                if was not in changed:
                    changed[was] = _texts_changed(json.loads(kept[was]), keys.items)
                plan.unless[path] = (changed[was], before)
    plan.gone = [row[0] for row in known.values()]
    return plan


def articles_behind(index: EntityIndex, workspace: Workspace) -> int | None:
    """How many articles an :func:`update_index` would index or take out (those whose
    entities are not cached yet left out: an update skips them too); None when the
    library has no entities to index (no model, no cache). Loads the library and the
    store's edits, writes nothing."""
    plan = _plan(index, workspace, EntityIndexReport())
    if plan.cache is None or plan.engine is None:
        return None
    cache, engine = plan.cache, plan.engine
    return len(plan.gone) + sum(
        1 for article, _key in plan.todo if cache.has(article.sha256, engine)
    )


def update_index(
    index: EntityIndex, workspace: Workspace, cancelled: threading.Event | None = None
) -> EntityIndexReport:
    """Bring the index up to date with the workspace's library, entity cache and store
    (its corrections, and its entity edits, which the index then applies).

    Articles are matched by path, hash and what their entities depend on (model,
    corrections); articles gone from the library are taken out. Uses the workspace's
    open store, else opens it read-only. Stops at the next article when *cancelled* is set
    (what it batched is written).
    Gives the GIL no more than Python's switch interval (5 ms) does: a ``time.sleep(0)``
    per article, as the search index does, costs a whole time slice on a busy machine.
    """
    started = time.perf_counter()
    report = EntityIndexReport()
    # The store's corrections changed during a pass (the user made or undid one in the
    # app): the spans found since follow them, not the plan's keys; plan again.
    while _update_pass(index, workspace, cancelled, report):
        report = EntityIndexReport(
            indexed=report.indexed, removed=report.removed, rekeyed=report.rekeyed
        )
    report.seconds = time.perf_counter() - started
    return report


def _update_pass(
    index: EntityIndex,
    workspace: Workspace,
    cancelled: threading.Event | None,
    report: EntityIndexReport,
) -> bool:
    """One plan and its batches (adding to *report*); True when it stopped because the
    store's corrections changed since its plan (some of its batches left unwritten)."""
    from reader.library import Problem, read_article

    plan = _plan(index, workspace, report)
    todo = plan.todo
    if plan.gone or plan.reshown or plan.retitled or plan.redays:  # a write only when
        with index.transaction() as connection:  # something changed: the generation says so
            for row_id in plan.gone:
                delete_rows(connection, row_id)
                report.removed += 1
            connection.executemany("UPDATE articles SET shown_path = ? WHERE id = ?", plan.reshown)
            connection.executemany("UPDATE articles SET title = ? WHERE id = ?", plan.retitled)
            connection.executemany("UPDATE articles SET date = ? WHERE id = ?", plan.redays)
        report.retitled += len(plan.retitled) + len(plan.redays)
    index.dated = plan.dated
    if plan.redated is not None and not _redate(index, plan.redated, cancelled, report):
        return False  # cancelled: the format is not recorded, the next update reads again
    cache, engine, finder = plan.cache, plan.engine, workspace.finder
    if cache is None or engine is None:
        return False
    if plan.everywhere is not None or plan.renamed:
        with index.transaction() as connection:  # before any article is keyed by it
            if plan.everywhere is not None:
                digest, lines = plan.everywhere
                connection.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
                    (f"everywhere:{digest}", json.dumps(lines, ensure_ascii=False)),
                )
            connection.executemany("UPDATE articles SET path = ? WHERE id = ?", plan.renamed)
    for start in range(0, len(todo), BATCH):
        if cancelled is not None and cancelled.is_set():
            break
        batch = []
        rekeyed = []
        for article, key in todo[start : start + BATCH]:
            if cancelled is not None and cancelled.is_set():
                break  # what is batched is written; the rest is the next update's
            # The app's update runs in a thread: while the user waits for a switch's
            # highlights (a hold, reader.foreground), its per-article stat and reads wait
            # (10,000 of them overlapped the next uncached switch: bench/HISTORY.md).
            give_way()
            if not cache.has(article.sha256, engine):
                report.missing += 1
                continue
            read = article if article.loaded else read_article(article.path)
            if isinstance(read, Problem):
                report.problems.append(str(read))
                continue
            unless = plan.unless.get(index_path(read.path))
            if (
                unless is not None
                and read.sha256 == article.sha256
                and not may_change(unless[0], read.text)
            ):
                rekeyed.append((key, index_path(read.path), read.sha256, unless[1]))
                continue
            spans = finder.cached(read.sha256, read.text)
            if spans is None:
                report.missing += 1
                continue
            batch.append((read, spans, key))
        if (batch or rekeyed) and corrections_keys(workspace.store) != plan.keys:
            return True
        if batch or rekeyed:
            with index.transaction() as connection:
                for read, spans, key in batch:
                    put_rows(connection, read, read.text, spans, None, key)
                # Only rows as planned: one written since (rowcount 0) waits for the next
                # update, which its key sends to the rules again.
                connection.executemany(
                    "UPDATE articles SET entities_key = ? "
                    "WHERE path = ? AND sha256 = ? AND entities_key = ?",
                    rekeyed,
                )
        report.indexed += len(batch)
        report.rekeyed += len(rekeyed)
    _forget_corrections(index, plan)
    return False


def _redate(
    index: EntityIndex,
    redated: list[tuple[Article, int, str | None]],
    cancelled: threading.Event | None,
    report: EntityIndexReport,
) -> bool:
    """Read again the dates of the articles indexed under another catalogue format with
    the text they have now (their files read, not kept), write those that changed, then
    record the format; False (the format not recorded) when *cancelled* first."""
    from reader.library import Problem, read_article

    changed: list[tuple[str | None, int]] = []
    for article, row_id, before in redated:
        if cancelled is not None and cancelled.is_set():
            break
        # Catalogued by this process (after the same change of format), its meta is known:
        # no second read.
        read = article if article.loaded or article.has_meta else read_article(article.path)
        if isinstance(read, Problem) or read.sha256 != article.sha256:
            continue  # changed since the plan: its own update indexes it again
        day = article_day(read)
        if day != before:
            changed.append((day, row_id))
    done = cancelled is None or not cancelled.is_set()
    if changed or done:
        with index.transaction() as connection:
            connection.executemany("UPDATE articles SET date = ? WHERE id = ?", changed)
            if done:
                connection.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('catalogue', ?)",
                    (str(CATALOGUE_FORMAT),),
                )
        report.retitled += len(changed)
    return done


def _forget_corrections(index: EntityIndex, plan: _Plan) -> None:
    """Take out of the meta table the global corrections no article's key names any more
    (but the current ones): each set made is kept whole, and every update reads them."""
    with index.connection() as connection:
        named = {plan.keys.everywhere}
        for (key,) in connection.execute("SELECT DISTINCT entities_key FROM articles"):
            if key and key.startswith(plan.prefix):
                named.add(key.removeprefix(plan.prefix).partition("/")[0])
        stale = [
            (name,)
            for (name,) in connection.execute("SELECT key FROM meta WHERE key LIKE 'everywhere:%'")
            if name.removeprefix("everywhere:") not in named
        ]
    if stale:
        with index.transaction() as connection:
            connection.executemany("DELETE FROM meta WHERE key = ?", stale)
