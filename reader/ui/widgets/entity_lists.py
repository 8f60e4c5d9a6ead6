"""The lists of the entity pages: an entity's articles with a snippet per mention, the
entities that appear with it, the library's entities; and its timeline of mentions.

Each list is a :class:`RowList` of one-line rows (the motion keys of every list of the
app, drawn on demand). Names, titles and snippets are the articles' text: sanitised, and
styled by offsets on :class:`Content`, never parsed as markup.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.style import Style

from reader.entities.library.pages import Cooccurring, PageArticle, Snippet
from reader.entities.library.resolve import Entity
from reader.entities.span import label_order
from reader.text import sanitize_line
from reader.ui.widgets.row_list import RowList, content_strip, fit, heading_line

BARS = "▁▂▃▄▅▆▇█"
"""The timeline's bars, lowest to highest."""


def by_month(timeline: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Mentions per month (``YYYY-MM``), from the first month to the last with the months
    between at 0, from a page's mentions per ISO day."""
    counts: Counter[str] = Counter()
    for day, mentions in timeline:
        if len(day) >= 7:
            counts[day[:7]] += mentions
    if not counts:
        return []
    first, last = min(counts), max(counts)
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while True:
        key = f"{year:04d}-{month:02d}"
        months.append((key, counts.get(key, 0)))
        if key >= last or len(months) > 1200:
            break
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def timeline_content(timeline: Sequence[tuple[str, int]], width: int) -> Content:
    """The mentions by month as one line of block characters (the last *width* months, one
    cell each), with the first and last month shown and the busiest month named; a
    single month is named once with its count (one bar would say nothing)."""
    months = by_month(timeline)
    if not months:
        return Content.styled("No dated mentions", "dim")
    if len(months) == 1:
        [(month, count)] = months
        return Content.styled(f"all in {month}: {count} mention{'s' * (count != 1)}", "dim")
    shown = months[-max(width, 1) :]
    top = max(n for _, n in shown) or 1
    bars = "".join(
        " " if n == 0 else BARS[min(len(BARS) - 1, (n * len(BARS) - 1) // top)] for _, n in shown
    )
    peak_month, peak = max(shown, key=lambda m: (m[1], m[0]))
    return Content.assemble(
        (shown[0][0], "dim"),
        " ",
        (bars, "bold"),
        " ",
        (shown[-1][0], "dim"),
        (f"   busiest {peak_month}: {peak} mention{'s' * (peak != 1)}", "dim"),
    )


def marked_line(snippet: Snippet, width: int, mark: Style) -> Content:
    """*snippet* as one line *width* cells wide, its mentions styled with *mark*, shifted
    left (with "…") when the first mention would be cut off."""
    text = snippet.text
    shift = 0
    if snippet.marks:
        start, end = snippet.marks[0]
        if cell_len(text[:end]) > width - 1:
            shift = max(0, start - width // 3)
    content = Content(text[shift:])
    for start, end in snippet.marks:
        if end > shift:
            content = content.stylize(mark, max(start - shift, 0), end - shift)
    if shift:
        content = Content("…") + content
    return content.truncate(width, ellipsis=True)


@dataclass(frozen=True)
class _Heading:
    article: int


@dataclass(frozen=True)
class _Mention:
    article: int
    mention: int


class MentionList(RowList):
    """An entity's articles, each a heading (title, date, mention count) and a row per
    mention with its snippet; choosing either opens the article at that mention."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *RowList.COMPONENT_CLASSES,
        "mention-list--mark",
        "mention-list--title",
    }

    @dataclass
    class Chosen(Message):
        """Open the article at *path* at the mention starting at *start*."""

        path: str
        start: int

    @dataclass
    class SnippetsWanted(Message):
        """The article at *path* came into view without its snippets: read them."""

        article: PageArticle

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.articles: list[PageArticle] = []
        """The page's articles, in the order shown."""
        self._rows: list[_Heading | _Mention] = []
        self._snippets: dict[str, tuple[Snippet, ...]] = {}
        self._asked: set[str] = set()

    def set_articles(self, articles: Sequence[PageArticle]) -> None:
        """Show *articles* (snippets read since are kept) from the top: the first title,
        the first mention under it highlighted (the list scrolled as the last page left
        it, bringing that row into view scrolled the title above it off screen)."""
        self.articles = list(articles)
        for article in articles:
            if article.snippets:
                self._snippets[_key(article)] = article.snippets
        rows: list[_Heading | _Mention] = []
        for i, article in enumerate(articles):
            rows.append(_Heading(i))
            rows.extend(_Mention(i, m) for m in range(len(article.mentions)))
        self._rows = rows
        self.scroll_to(y=0, animate=False, immediate=True)
        self.set_row_heights([1] * len(rows), highlighted=1 if len(rows) > 1 else None)

    def set_snippets(self, path: str, snippets: tuple[Snippet, ...]) -> None:
        """The snippets of the article at *path*, read by a worker."""
        self._snippets[path] = snippets
        self.redraw_rows()

    def row_article(self, index: int) -> PageArticle:
        """The article of row *index*."""
        return self.articles[self._rows[index].article]

    def render_row_line(self, index: int, part: int, style: Style, width: int) -> Strip:
        row = self._rows[index]
        article = self.articles[row.article]
        if isinstance(row, _Heading):
            count = len(article.mentions)
            tail = f"  {article.date or 'undated'} · ×{count}"
            title = fit(sanitize_line(article.title), max(width - cell_len(tail), 1))
            line = Content.assemble(
                (title, self.get_visual_style("mention-list--title", partial=True)), (tail, "dim")
            )
            return content_strip(line.truncate(width), style)
        snippets = self._snippets.get(_key(article))
        if snippets is None or row.mention >= len(snippets):
            if snippets is None and _key(article) not in self._asked:
                self._asked.add(_key(article))
                self.post_message(self.SnippetsWanted(article))
            start = article.mentions[row.mention][0]
            line = Content.styled(f"    at {start}…", "dim")
        else:
            mark = self.get_visual_style("mention-list--mark", partial=True)
            line = Content("    ") + marked_line(snippets[row.mention], max(width - 4, 1), mark)
        return content_strip(line.truncate(width), style)

    def row_chosen(self, index: int) -> None:
        row = self._rows[index]
        article = self.articles[row.article]
        mention = row.mention if isinstance(row, _Mention) else 0
        self.post_message(self.Chosen(str(article.path), article.mentions[mention][0]))


def _key(article: PageArticle) -> str:
    return os.path.abspath(article.path)


class CooccurringList(RowList):
    """The entities that appear with the page's entity, heaviest first; choosing one opens
    its page."""

    @dataclass
    class Chosen(Message):
        """Open the page of the entity *entity_id*."""

        entity_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.others: list[Cooccurring] = []

    def set_others(self, others: Sequence[Cooccurring]) -> None:
        """Show *others*, the first highlighted."""
        self.others = list(others)
        self.set_row_heights([1] * len(others), highlighted=0 if others else None)

    def render_row_line(self, index: int, part: int, style: Style, width: int) -> Strip:
        other = self.others[index]
        tail = f" {sanitize_line(other.label, 12)} {other.weight:>4}"
        room = max(width - cell_len(tail), 1)
        name = fit(sanitize_line(other.name), room)
        line = Content.assemble(name, " " * (room - cell_len(name)), (tail, "dim"))
        return content_strip(line.truncate(width), style)

    def row_chosen(self, index: int) -> None:
        self.post_message(self.Chosen(self.others[index].id))


class EntityList(RowList):
    """The library's entities by label (a heading each), most mentioned first, with their
    article and mention counts; filtered by :meth:`filter`."""

    @dataclass
    class Chosen(Message):
        """The user chose *entity*."""

        entity: Entity

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._all: list[tuple[Entity, str]] = []
        self._rows: list[Entity | str] = []
        self._counts: dict[str, int] = {}

    def set_entities(self, entities: Sequence[Entity]) -> None:
        """Take the library's *entities* (most mentioned first) and show them all."""
        self._all = [(e, "\n".join((e.name, *e.variants)).casefold()) for e in entities]
        self.filter("")

    @property
    def shown(self) -> int:
        """How many entities are listed (after the filter)."""
        return sum(self._counts.values())

    def filter(self, text: str) -> None:
        """List the entities whose name or a variant holds *text* (case ignored)."""
        wanted = text.casefold().strip()
        groups: dict[str, list[Entity]] = {}
        for entity, names in self._all:
            if not wanted or wanted in names:
                groups.setdefault(entity.label, []).append(entity)
        rows: list[Entity | str] = []
        for label in sorted(groups, key=label_order):
            rows.append(label)
            rows.extend(groups[label])
        self._rows = rows
        self._counts = {label: len(found) for label, found in groups.items()}
        self.set_row_heights([1] * len(rows), highlighted=1 if len(rows) > 1 else None)

    def can_highlight(self, index: int) -> bool:
        return isinstance(self._rows[index], Entity)

    def render_row_line(self, index: int, part: int, style: Style, width: int) -> Strip:
        row = self._rows[index]
        if isinstance(row, Entity):
            tail = (
                f" {row.mentions:>6,} mention{'s' if row.mentions != 1 else ' '}"
                f" {row.articles:>6,} article{'s' if row.articles != 1 else ' '}"
            )
            room = max(width - 2 - cell_len(tail), 1)
            name = fit(sanitize_line(row.name), room)
            line = Content.assemble("  ", name, " " * (room - cell_len(name)), (tail, "dim"))
        else:
            line = heading_line(row, self._counts[row])
        return content_strip(line.truncate(width), style)

    def row_chosen(self, index: int) -> None:
        row = self._rows[index]
        if isinstance(row, Entity):
            self.post_message(self.Chosen(row))
