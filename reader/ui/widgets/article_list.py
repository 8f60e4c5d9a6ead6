"""The sidebar: every article as a row of title, source line and tags, drawn on demand.

A ScrollView drawing only the rows on screen (``render_line``), not an OptionList: at 2,000
articles ``OptionList.add_options`` wrapped every prompt, ~85% of filling the sidebar, and
start took 2.07× a bare Textual app (performance issue 5, figure 1 of bench/run.py).
Every row has a fixed height (a one-line title, a source line, a tags line when tagged), so
the rows' offsets are one O(n) pass that measures no text; a title or source too long for
the width is cut with "…" by cell width when its row is drawn.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.library import Article
from reader.text import sanitize_line


def counts(article: Article) -> str:
    """Return the end of the line under the title: word count and reading time."""
    return f" · {article.word_count:,} words · {article.reading_minutes} min"


def tags_line(tags: Sequence[str]) -> str:
    """Return the tags line: each tag sanitised onto one line, with a leading #."""
    return " ".join(f"#{sanitize_line(tag, 40)}" for tag in tags)


def article_prompt(article: Article, tags: Sequence[str] = ()) -> Content:
    """Return the whole entry for *article* (its row's lines, uncut), as plain text."""
    meta = article.source + counts(article)
    parts: list[str | tuple[str, str]] = [(article.title, "bold"), "\n", (meta, "dim")]
    if tags:
        parts += ["\n", (tags_line(tags), "italic")]
    return Content.assemble(*parts)


def fit(text: str, width: int) -> str:
    """Return *text* cut to *width* cells with "…" when longer (never a half wide character)."""
    if cell_len(text) <= width:
        return text
    # set_cell_size pads a wide character cut in half with a space: drop it, and any
    # space at the cut, so that "…" follows the text.
    return set_cell_size(text, max(width - 1, 0)).rstrip(" ") + "…"


@dataclass(frozen=True)
class ArticleRow:
    """One row as :meth:`ArticleList.get_option_at_index` returns it (OptionList's shape)."""

    id: str
    """The article's id."""
    prompt: Content
    """The row's text: title, source line, tags."""


class ArticleList(ScrollView, can_focus=True):
    """The articles, one fixed-height row each; Enter or a click opens one."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--highlighted",
        "article-list--hover",
    }

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False),
        Binding("k,up", "cursor_up", "Up", show=False),
        Binding("g,home", "first", "First", show=False),
        Binding("G,end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
    ]

    @dataclass
    class Selected(Message):
        """An article was chosen (Enter, or a click on its row): the screen opens it."""

        article_list: ArticleList = field(repr=False)
        option_index: int
        """Its index in :attr:`ArticleList.articles`."""
        article: Article

        @property
        def control(self) -> ArticleList:
            """The list it was chosen in (for ``@on(..., "#articles")``)."""
            return self.article_list

    highlighted: reactive[int | None] = reactive(None)
    """The index of the highlighted article; setting it scrolls that row into view."""

    _hover: reactive[int | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.articles: list[Article] = []
        """The articles listed, in display order."""
        self._tags: dict[str, list[str]] = {}
        self._index: dict[str, int] = {}
        self._offsets: list[int] = [0]
        """The first line of each row, then the total number of lines."""
        self._cache: LRUCache[tuple[int, int, str, bool, int], Strip] = LRUCache(1024)

    # --- content -------------------------------------------------------------------

    def set_articles(
        self, articles: Sequence[Article], tags: Mapping[str, list[str]] | None = None
    ) -> None:
        """Replace the list with *articles*; *tags* maps content hashes to their tags."""
        self.articles = list(articles)
        tags = tags or {}
        self._tags = {a.id: list(tags.get(a.sha256, ())) for a in self.articles}
        self._index = {a.id: i for i, a in enumerate(self.articles)}
        # Set without the watcher, which would scroll to the old row before the layout.
        self.set_reactive(ArticleList.highlighted, 0 if self.articles else None)
        self._layout_rows()

    def set_tags(self, article_id: str, tags: Sequence[str]) -> None:
        """Show *tags* under the article *article_id*."""
        if article_id not in self._index or self._tags.get(article_id) == list(tags):
            return
        self._tags[article_id] = list(tags)
        self._layout_rows()

    def set_all_tags(self, tags: Mapping[str, list[str]]) -> None:
        """Show the tags of every article; *tags* maps content hashes to their tags."""
        new = {a.id: list(tags.get(a.sha256, ())) for a in self.articles}
        if new != self._tags:
            self._tags = new
            self._layout_rows()

    @property
    def option_count(self) -> int:
        """How many articles are listed."""
        return len(self.articles)

    def get_option_at_index(self, index: int) -> ArticleRow:
        """Return row *index* as an id and its text (raises IndexError past the end)."""
        article = self.articles[index]
        return ArticleRow(article.id, article_prompt(article, self._tags[article.id]))

    # --- layout --------------------------------------------------------------------

    def _layout_rows(self) -> None:
        """Work out where each row starts: 2 lines, 3 when tagged; no text measured."""
        offsets = [0]
        total = 0
        tags = self._tags
        for article in self.articles:
            total += 3 if tags[article.id] else 2
            offsets.append(total)
        self._offsets = offsets
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, total)
        self.scroll_to_highlight()
        self.refresh()

    def row_at(self, line: int) -> int | None:
        """Return the index of the row drawn on virtual line *line*, or None past the end."""
        if not 0 <= line < self._offsets[-1]:
            return None
        return bisect_right(self._offsets, line) - 1

    def row_region(self, index: int) -> Region:
        """Return the virtual region of row *index*."""
        top = self._offsets[index]
        return Region(0, top, self.scrollable_content_region.width, self._offsets[index + 1] - top)

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, self._offsets[-1])

    def on_show(self) -> None:
        self.scroll_to_highlight()

    # --- rendering -----------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        index = self.row_at(line)
        if index is None:
            return Strip.blank(width, self.rich_style)
        if index == self.highlighted:
            state = "article-list--highlighted"
        elif index == self._hover:
            state = "article-list--hover"
        else:
            state = ""
        part = line - self._offsets[index]
        key = (index, part, state, self.has_focus, width)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row_line(self.articles[index], part, state, width)
            self._cache[key] = strip
        return strip

    def _render_row_line(self, article: Article, part: int, state: str, width: int) -> Strip:
        style = self.get_visual_style(state) if state else self.get_visual_style()
        if part == 0:
            line = Content.styled(fit(article.title, width), "bold")
        elif part == 1:
            # Cut the file name rather than the counts, so that those stay readable.
            tail = counts(article)
            source = fit(article.source, max(width - len(tail), 1))
            line = Content.styled(fit(source + tail, width), "dim")
        else:
            line = Content.styled(fit(tags_line(self._tags[article.id]), width), "italic")
        strip = Strip(line.render_segments(style), line.cell_length)
        return strip.extend_cell_length(width, style.rich_style)

    # --- highlight and choice ------------------------------------------------------

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self.articles:
            return None
        return max(0, min(highlighted, len(self.articles) - 1))

    def watch_highlighted(self) -> None:
        self.scroll_to_highlight()

    def scroll_to_highlight(self) -> None:
        """Scroll so that the highlighted row is wholly on screen."""
        if self.highlighted is None or not self.is_mounted:
            return
        self.scroll_to_region(
            self.row_region(self.highlighted), animate=False, force=True, immediate=True
        )

    def action_cursor_down(self) -> None:
        """Highlight the next article (from the last, the first)."""
        if self.articles:
            current = self.highlighted
            self.highlighted = 0 if current is None else (current + 1) % len(self.articles)

    def action_cursor_up(self) -> None:
        """Highlight the previous article (from the first, the last)."""
        if self.articles:
            current = self.highlighted
            self.highlighted = (-1 if current is None else current - 1) % len(self.articles)

    def action_first(self) -> None:
        """Highlight the first article."""
        self.highlighted = 0

    def action_last(self) -> None:
        """Highlight the last article."""
        self.highlighted = len(self.articles) - 1

    def _move_page(self, direction: int) -> None:
        if self.highlighted is None:
            self.highlighted = 0 if direction < 0 else len(self.articles) - 1
            return
        line = self._offsets[self.highlighted] + direction * self.scrollable_content_region.height
        line = max(0, min(line, self._offsets[-1] - 1))
        self.highlighted = self.row_at(line)

    def action_page_down(self) -> None:
        """Highlight the article a screen further down."""
        self._move_page(1)

    def action_page_up(self) -> None:
        """Highlight the article a screen further up."""
        self._move_page(-1)

    def action_select(self) -> None:
        """Choose the highlighted article: posts :class:`ArticleList.Selected`."""
        index = self.highlighted
        if index is not None:
            self.post_message(self.Selected(self, index, self.articles[index]))

    # --- mouse ---------------------------------------------------------------------

    def _row_under(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        return self.row_at(int(self.scroll_offset.y) + offset.y)

    def on_click(self, event: events.Click) -> None:
        index = self._row_under(event)
        if index is not None:
            self.highlighted = index
            self.action_select()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover = self._row_under(event)

    def on_leave(self, event: events.Leave) -> None:
        self._hover = None
