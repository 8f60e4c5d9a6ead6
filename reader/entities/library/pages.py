"""What the entity index answers: the library's entities, one entity's page (its articles
with snippets, who appears with it, a timeline) and the snippets of one article.

Functions of an :class:`~reader.entities.library.index.EntityIndex`, reached through its
methods. Snippets are cut from the article's text read from its file when asked (the index
keeps offsets, not texts); an article whose file changed since it was indexed has none
until the index is updated.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from heapq import nlargest
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from reader.entities.library.mentions import NUMERIC_LABELS
from reader.entities.library.resolve import Entity
from reader.library.folders import index_path

if TYPE_CHECKING:
    import sqlite3

    from reader.entities.library.index import EntityIndex

__all__ = [
    "SAME_SENTENCE_WEIGHT",
    "Cooccurring",
    "EntityPage",
    "PageArticle",
    "Snippet",
    "cut_snippet",
    "entity_page",
    "library_entities",
]

Order = Literal["newest", "mentions"]

SAME_SENTENCE_WEIGHT = 2
"""What a sentence shared with the entity adds to a co-occurring entity's weight, on top of
the 1 each shared article counts: weight = articles together + 2 × sentences together."""

COOCCURRENCE_ARTICLES = 1000
"""Co-occurrence on a page is counted over at most this many of its articles (the first in
the page's order) by default: an entity in half of a 10,000-article library would
otherwise cost its page several hundred milliseconds (see :attr:`EntityPage.counted`)."""

CONTEXT = 70
"""Code points of text kept on each side of a mention in its snippet (cut at a word)."""


@dataclass(frozen=True)
class Snippet:
    """A bit of an article around one mention, on one line."""

    text: str
    """The text (sanitised, one line; ``…`` where it was cut)."""
    marks: tuple[tuple[int, int], ...]
    """Where the entity's mentions are in :attr:`text` (start, end code points): style
    them by offsets, never by markup."""
    start: int
    """The mention's offset in the article's displayed text (open the article here)."""
    end: int
    """One past the mention's last code point in the article's text."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "text": self.text,
            "marks": [list(mark) for mark in self.marks],
            "start": self.start,
            "end": self.end,
        }


@dataclass(slots=True)
class PageArticle:
    """One article on an entity's page (not frozen, so that thousands are made fast: do
    not change one)."""

    where: str
    """The article's file as the library found it (:attr:`path` as a string)."""
    title: str
    """Its title."""
    date: str | None
    """Its date (ISO), or None."""
    sha256: str
    """Its content hash when indexed."""
    mentions: tuple[tuple[int, int], ...]
    """Each mention of the entity: (start, end) in the article's displayed text, in order."""
    snippets: tuple[Snippet, ...] = ()
    """A snippet per mention, when asked for (see :func:`entity_page`)."""

    @property
    def path(self) -> Path:
        """The article's file (as the library found it)."""
        return Path(self.where)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (``reader entity NAME --format json``'s ``articles``)."""
        return {
            "path": self.where,
            "title": self.title,
            "date": self.date,
            "mentions": len(self.mentions),
            "snippets": [snippet.to_json() for snippet in self.snippets],
        }


@dataclass(frozen=True)
class Cooccurring:
    """An entity that appears with the page's entity."""

    id: str
    """Its :attr:`Entity.id` (open its page with it)."""
    name: str
    """Its name."""
    label: str
    """Its label."""
    weight: int
    """Articles together + :data:`SAME_SENTENCE_WEIGHT` × sentences together."""
    articles: int
    """Articles that mention both."""
    sentences: int
    """Sentences that mention both."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "id": self.id,
            "name": self.name,
            "label": self.label,
            "weight": self.weight,
            "articles": self.articles,
            "sentences": self.sentences,
        }


@dataclass(frozen=True)
class EntityPage:
    """One entity's page."""

    entity: Entity
    """The entity (name, label, variants, counts)."""
    articles: list[PageArticle]
    """Every article that mentions it, in the order asked for."""
    cooccurring: list[Cooccurring]
    """Who appears with it, heaviest first."""
    timeline: list[tuple[str, int]]
    """Mentions per article date (ISO day, oldest first; undated articles left out)."""
    counted: int = 0
    """How many of its articles :attr:`cooccurring` was counted over (all of them unless
    the page was asked for with a bound)."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (what ``reader entity NAME --format json`` prints)."""
        return {
            **self.entity.to_json(),
            "articles": [article.to_json() for article in self.articles],
            "cooccurring": [other.to_json() for other in self.cooccurring],
            "cooccurring_articles": self.counted,
            "timeline": [{"date": day, "mentions": n} for day, n in self.timeline],
        }


def library_entities(
    index: EntityIndex, *, label: str | None = None, limit: int | None = None
) -> list[Entity]:
    """The library's entities, most mentioned first: of *label*, or of every named label
    (amounts and dates, :data:`NUMERIC_LABELS`, only when asked for by label)."""
    found = []
    for entity in index.resolution().entities:
        if label is not None:
            if entity.label != label:
                continue
        elif entity.label in NUMERIC_LABELS:
            continue
        found.append(entity)
        if limit is not None and len(found) >= limit:
            break
    return found


def _keys_where(keys: Sequence[tuple[str, str]], table: str = "") -> tuple[str, list[str]]:
    prefix = f"{table}." if table else ""
    where = " OR ".join(f"({prefix}key = ? AND {prefix}label = ?)" for _ in keys)
    return f"({where})", [part for key in keys for part in key]


def entity_page(
    index: EntityIndex,
    entity: Entity,
    *,
    order: Order = "newest",
    snippets: int | None = 20,
    cooccurring: int | None = 30,
    counted: int | None = COOCCURRENCE_ARTICLES,
) -> EntityPage:
    """*entity*'s page.

    Args:
        index: The entity index.
        entity: The entity (from :meth:`EntityIndex.entities` or :meth:`EntityIndex.find`).
        order: ``newest`` (by date, newest first, then most mentions) or ``mentions``.
        snippets: Give snippets to the first this many articles (None: all); the rest get
            theirs from :meth:`EntityIndex.snippets` when shown.
        cooccurring: Keep this many co-occurring entities (None: all).
        counted: Count co-occurrence over at most this many of the page's articles, the
            first in its order (None: every one, as ``reader entity`` does).
    """
    where, params = _keys_where(entity.keys, "m")
    articles = []
    with index.connection() as connection:
        # One row per article, its mentions' offsets as two lists (far fewer rows).
        rows: dict[str, int] = {}
        for row_id, absolute, shown, title, day, sha, starts, ends in connection.execute(
            "SELECT a.id, a.path, a.shown_path, a.title, a.date, a.sha256, group_concat(m.start), "
            "group_concat(m.end) FROM (SELECT article, start, end FROM mentions m "
            f"WHERE {where} ORDER BY article, start) m JOIN articles a ON a.id = m.article "
            "GROUP BY m.article",
            params,
        ):
            offsets = tuple(
                zip(map(int, starts.split(",")), map(int, ends.split(",")), strict=True)
            )
            # The path as the indexing command was given it, unless that names another
            # file from here (a relative path given in another folder): then the key.
            if shown != absolute and index_path(shown) != absolute:
                shown = absolute
            articles.append(PageArticle(shown, title, day, sha, offsets))
            rows[shown] = row_id
        _order(articles, order)
        chosen = articles if counted is None else articles[:counted]
        ids = None if len(chosen) == len(articles) else [rows[a.where] for a in chosen]
        others = _cooccurring(connection, index, entity, cooccurring, ids)
    count = len(articles) if snippets is None else min(snippets, len(articles))
    for i in range(count):
        found = articles[i]
        articles[i] = PageArticle(
            found.where,
            found.title,
            found.date,
            found.sha256,
            found.mentions,
            article_snippets(found.path, found.sha256, found.mentions),  # reads the file
        )
    timeline: Counter[str] = Counter()
    for found in articles:
        if found.date:
            timeline[found.date] += len(found.mentions)
    return EntityPage(
        entity, articles, others, sorted(timeline.items()), len(articles if ids is None else ids)
    )


def _order(articles: list[PageArticle], order: Order) -> None:
    """Sort a page's articles in place: newest first (undated last), then most mentions;
    or most mentions first, then newest. Sorts are stable: the last key sorted by leads."""
    articles.sort(key=lambda a: a.where)
    if order == "mentions":
        articles.sort(key=lambda a: a.date or "", reverse=True)
        articles.sort(key=lambda a: len(a.mentions), reverse=True)
    else:
        articles.sort(key=lambda a: len(a.mentions), reverse=True)
        articles.sort(key=lambda a: a.date or "", reverse=True)


def _cooccurring(
    connection: sqlite3.Connection,
    index: EntityIndex,
    entity: Entity,
    limit: int | None,
    ids: list[int] | None,
) -> list[Cooccurring]:
    """Who appears with *entity* in its articles (or in those of *ids*), heaviest first."""
    resolution = index.resolution()
    where, params = _keys_where(entity.keys)
    if ids is not None:
        where += " AND article IN (SELECT value FROM json_each(?))"
        params = [*params, json.dumps(ids)]
    together: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, label, n in connection.execute(
        f"WITH own AS (SELECT DISTINCT article FROM names WHERE {where}) "
        "SELECT n.key, n.label, COUNT(DISTINCT n.article) FROM own "
        "JOIN names n ON n.article = own.article GROUP BY n.key, n.label",
        params,
    ):
        other = resolution.of(key, label)
        if other is not None and other.id != entity.id and other.label not in NUMERIC_LABELS:
            together[other.id][0] += n
    for key, label, n in connection.execute(
        f"WITH own AS (SELECT DISTINCT article, sentence FROM mentions WHERE {where}) "
        "SELECT m.key, m.label, COUNT(DISTINCT m.article * 100000 + m.sentence) FROM own "
        "JOIN mentions m ON m.article = own.article AND m.sentence = own.sentence "
        "GROUP BY m.key, m.label",
        params,
    ):
        other = resolution.of(key, label)
        if other is not None and other.id != entity.id and other.label not in NUMERIC_LABELS:
            together[other.id][1] += n

    def rank(item: tuple[str, list[int]]) -> tuple[int, int, str]:
        ident, (articles, sentences) = item
        return (articles + SAME_SENTENCE_WEIGHT * sentences, articles, ident)

    items = together.items()
    heaviest = (
        sorted(items, key=rank, reverse=True) if limit is None else nlargest(limit, items, key=rank)
    )
    found = []
    for ident, (articles, sentences) in heaviest:
        other = resolution.get(ident)
        assert other is not None
        weight = articles + SAME_SENTENCE_WEIGHT * sentences
        found.append(Cooccurring(ident, other.name, other.label, weight, articles, sentences))
    return found


def article_snippets(
    path: Path, sha256: str, mentions: Sequence[tuple[int, int]], context: int = CONTEXT
) -> tuple[Snippet, ...]:
    """A snippet around each of *mentions* in the article at *path*, read now; none when
    the file is gone or no longer has the hash *sha256* (the index is behind)."""
    from reader.library import Problem, read_article

    article = read_article(path)
    if isinstance(article, Problem) or article.sha256 != sha256:
        return ()
    text = article.text
    return tuple(cut_snippet(text, start, end, mentions, context) for start, end in mentions)


def cut_snippet(
    text: str,
    start: int,
    end: int,
    mentions: Sequence[tuple[int, int]] = (),
    context: int = CONTEXT,
) -> Snippet:
    """The snippet of *text* around ``text[start:end]``: up to *context* code points each
    side, cut at a word, on one line; every one of *mentions* inside it marked (and the
    mention itself)."""
    left = max(0, start - context)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    right = min(len(text), end + context)
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space > end else right
    head = "…" if left > 0 else ""
    tail = "…" if right < len(text) else ""
    inside = sorted({*mentions, (start, end)})
    window = text[left:right]
    if "\n" not in window and "\t" not in window and "\r" not in window and "  " not in window:
        shift = len(head) - left  # one line already: offsets move by the cut alone
        marks = tuple(
            (max(s, left) + shift, min(e, right) + shift)
            for s, e in inside
            if s < right and e > left
        )
        return Snippet(head + window + tail, marks, start, end)
    # One line: each run of white space as one space; where each code point went, so that
    # the marks still fall on the mentions.
    chars: list[str] = []
    where: list[int] = []
    for c in text[left:right]:
        space = c.isspace()
        if not (space and chars and chars[-1] == " "):
            chars.append(" " if space else c)
        where.append(len(chars) - 1)
    where.append(len(chars))
    marks = tuple(
        (where[max(s, left) - left] + len(head), where[min(e, right) - left] + len(head))
        for s, e in inside
        if s < right and e > left
    )
    body = "".join(chars)
    return Snippet(head + body + tail, marks, start, end)
