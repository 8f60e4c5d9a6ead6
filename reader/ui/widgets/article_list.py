"""The sidebar: every article as a row of title, source line and tags, drawn on demand.

A :class:`RowList`, not an OptionList: at 2,000 articles ``OptionList.add_options``
wrapped every prompt, ~85% of filling the sidebar, and start took 2.07× a bare Textual app
(performance issue 5, figure 1 of bench/run.py). Every row has a fixed height (a one-line
title, a source line, a tags line when tagged), so laying the rows out measures no text; a
title or source too long for the width is cut with "…" by cell width when it is drawn.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.style import Style

from reader.library import Article
from reader.library.folders import library_folder, library_roots
from reader.text import sanitize_line
from reader.ui.widgets.row_list import RowList, content_strip, fit


def repeated_title_folders(articles: Sequence[Article], roots: Sequence[Path]) -> dict[str, str]:
    """The folder (relative to *roots*, ``/``-separated, sanitised) of each article whose
    title (ignoring case) is also the title of an article in another folder, by article
    id: the sidebar names the folder only where the title alone does not tell them apart."""
    titles = Counter(article.title.casefold() for article in articles)
    repeated = [a for a in articles if titles[a.title.casefold()] > 1]
    if not repeated:
        return {}
    absolute = library_roots(roots)
    folders = {a.id: library_folder(os.path.abspath(a.path), absolute) for a in repeated}
    seen: dict[str, set[str]] = {}
    for article in repeated:
        seen.setdefault(article.title.casefold(), set()).add(folders[article.id])
    return {
        article.id: sanitize_line(folders[article.id], 80)
        for article in repeated
        if len(seen[article.title.casefold()]) > 1
    }


def counted(article: Article) -> bool:
    """Whether the article's word count is known: not for one listed and not yet read,
    nor for a saved page not yet extracted (its count is 0 until then)."""
    return article.known and not article.deferred


def counts(article: Article) -> str:
    """Return the end of the line under the title: word count and reading time (nothing
    for an article whose count is not known yet: :func:`counted`)."""
    if not counted(article):
        return ""
    return f" · {article.word_count:,} words · {article.reading_minutes:,} min"


def tags_line(tags: Sequence[str]) -> str:
    """Return the tags line: each tag sanitised onto one line, with a leading #."""
    return " ".join(f"#{sanitize_line(tag, 40)}" for tag in tags)


class ArticleList(RowList):
    """The articles, one fixed-height row each; Enter or a click opens one. A filter may
    show only some of them (:meth:`narrow`)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = RowList.COMPONENT_CLASSES | {
        "article-list--unread",
        "article-list--unread-marker",
        "article-list--read",
    }
    """How read state is drawn (styles/app.tcss): an unread title and its marker, a read
    title."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # RowList's Enter ("Select"), said as what it does here.
        Binding("enter", "select", "Open the article", show=False),
        # A priority binding running the screen's action, as `/` in the article: the field
        # gets the focus at once, so the keys typed right after it are the field's.
        Binding("slash", "screen.filter", "Filter the list", show=False, priority=True),
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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library: list[Article] = []
        """Every article, in the library's order, whether listed or filtered out."""
        self.articles: list[Article] = self.library
        """The articles listed, in display order (those the filter found, when filtered):
        the library itself when no filter is in force (:attr:`filtered`), from the start
        (two empty lists read as a filter: the border said "0 of 0" on a first start)."""
        self._anchor: Article | None = None
        """The article last highlighted by the user: a filter keeps it highlighted when it
        finds it, even after a keystroke whose results did not have it."""
        self._from_top = False
        """Whether the list is kept shown from its top as it is resized (:meth:`show_from_top`)."""
        self._tags: dict[str, list[str]] = {}
        self._folders: dict[str, str] = {}
        """The folder of each article whose title is repeated in another folder, by id."""
        self._roots: Sequence[Path] = ()
        """The paths the library was read from (where folders start)."""
        self._index: dict[str, int] = {}
        self._read: frozenset[str] | None = None
        """The content hashes of the articles marked read; None: not known (no marks)."""
        self._pages: list[Article] = []
        """The saved pages of the library not extracted when it was listed (their hashes
        stand-ins until they are)."""

    # --- content -------------------------------------------------------------------

    def set_articles(
        self,
        articles: Sequence[Article],
        tags: Mapping[str, list[str]] | None = None,
        roots: Sequence[Path] = (),
    ) -> None:
        """Replace the list with *articles*; *tags* maps content hashes to their tags;
        *roots* are the paths the library was read from (where folders start)."""
        self._roots = tuple(roots)
        self._folders = repeated_title_folders(articles, roots)
        self.library = list(articles)
        self.articles = self.library
        self._pages = [a for a in self.library if a.deferred]
        tags = tags or {}
        # Articles listed before they were read have no hash yet: none has tags then.
        self._tags = {a.id: list(tags.get(a.sha256, ())) if tags else [] for a in self.library}
        self._index = {a.id: i for i, a in enumerate(self.articles)}
        self._layout_rows(highlighted=0)

    def update_library(
        self, articles: Sequence[Article], tags: Mapping[str, list[str]] | None = None
    ) -> None:
        """The library changed on disk, or was read after it was listed (a first start):
        list *articles* instead, keeping the user's place; *tags* (by content hash), if
        given, replace every article's tags.

        The highlighted article stays highlighted (if it went, the row at its place is),
        the article at the top of the list stays at the top, and a filter in force keeps
        its list minus what went (with the new versions of articles that changed; what
        was added is listed once the filter searches again)."""
        highlighted = self.highlighted_article
        position = self.highlighted or 0
        top_line = int(self.scroll_y)
        top_row = self.row_at(top_line)
        top = self.articles[top_row] if top_row is not None else None
        below_top = top_line - self._offsets[top_row] if top_row is not None else 0
        by_id = {a.id: a for a in articles}
        filtered = self.filtered
        # A title added or removed may now be, or no longer be, in another folder too.
        self._folders = repeated_title_folders(articles, self._roots)
        self.library = list(articles)
        self._pages = [a for a in self.library if a.deferred]
        if filtered:
            self.articles = [by_id[a.id] for a in self.articles if a.id in by_id]
        else:
            self.articles = self.library
        if tags is None:
            self._tags = {a.id: self._tags.get(a.id, []) for a in self.library}
        else:
            self._tags = {a.id: list(tags.get(a.sha256, ())) for a in self.library}
        self._index = {a.id: i for i, a in enumerate(self.articles)}
        self._cache.clear()  # titles and counts learnt since
        if self._anchor is not None:
            self._anchor = by_id.get(self._anchor.id)
        keep = self._index.get(highlighted.id) if highlighted is not None else None
        self._layout_rows(highlighted=position if keep is None else keep)
        new_top = self._index.get(top.id) if top is not None else None
        if new_top is not None:
            self.scroll_to(y=self._offsets[new_top] + below_top, animate=False, immediate=True)
            self.scroll_to_highlight()

    def show_article(self, article_id: str) -> bool:
        """Highlight the article *article_id* if it is listed (added by Ctrl+O, opened from
        an entity page's snippet); returns whether it is."""
        index = self._index.get(article_id)
        if index is None:
            return False
        self.highlighted = index
        return True

    @property
    def filtered(self) -> bool:
        """Whether only some articles are listed (a filter is in force)."""
        return self.articles is not self.library

    @property
    def highlighted_article(self) -> Article | None:
        """The article on the highlighted row, if any."""
        index = self.highlighted
        return None if index is None else self.articles[index]

    @property
    def focused_article(self) -> Article | None:
        """The article on the highlighted row while the list has the focus, else None:
        what a key about an article as a whole acts on before the article shown (`m`,
        `t`, `a` without a selection)."""
        index = self.highlighted
        if not self.has_focus or index is None or index >= len(self.articles):
            return None
        return self.articles[index]

    def narrow(self, articles: Sequence[Article] | None, *, from_top: bool = False) -> None:
        """List only *articles* (some of :attr:`library`, in the order given), or every
        article again for None. The highlighted article stays highlighted when it is still
        listed (or the one before, if a keystroke in between found no such article), else
        the first row is. *from_top* (a new order): the list shows its top, the first row
        highlighted, whatever was highlighted before."""
        current = None if from_top else self._anchor or self.highlighted_article
        self.articles = self.library if articles is None else list(articles)
        self._index = {a.id: i for i, a in enumerate(self.articles)}
        keep = self._index.get(current.id) if current is not None else None
        self._layout_rows(highlighted=0 if keep is None else keep)
        if from_top:
            self._anchor = self.highlighted_article
            self.scroll_to(y=0, animate=False, immediate=True)

    def show_from_top(self) -> None:
        """Show the list from its top, the highlighted row on screen, and keep doing so as
        the list is resized (the filter's field and notices appearing above it) until the
        user moves the cursor: a restored query's list. A scroll to the cursor's row made
        while the list was briefly shorter stayed once it grew back, clamped to the bottom
        (its first row cut)."""
        self._from_top = True
        self.scroll_to(y=0, animate=False, immediate=True)
        self.scroll_to_highlight()

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        if self._from_top:
            self.scroll_to(y=0, animate=False, immediate=True)
            self.scroll_to_highlight()

    def watch_highlighted(self) -> None:
        super().watch_highlighted()
        # Only the user's moves come here (a new layout sets the highlight without it).
        self._anchor = self.highlighted_article
        self._from_top = False

    def set_tags(self, article_id: str, tags: Sequence[str]) -> None:
        """Show *tags* under the article *article_id*."""
        if article_id not in self._tags or self._tags.get(article_id) == list(tags):
            return
        self._tags[article_id] = list(tags)
        if article_id in self._index:
            self._layout_rows()

    def set_all_tags(self, tags: Mapping[str, list[str]]) -> None:
        """Show the tags of every article; *tags* maps content hashes to their tags."""
        new = {a.id: list(tags.get(a.sha256, ())) for a in self.library}
        if new != self._tags:
            self._tags = new
            self._layout_rows()

    def _layout_rows(self, highlighted: int | None = -1) -> None:
        """Two lines a row, three when tagged: no text measured."""
        tags = self._tags
        self.set_row_heights((3 if tags[a.id] else 2 for a in self.articles), highlighted)
        self._count_unread()

    # --- read state ------------------------------------------------------------------

    def set_read(self, read: frozenset[str]) -> None:
        """Show which articles are read: *read* holds their content hashes. The others are
        drawn unread (a marker, a bold title) and counted in the border's subtitle. Only
        the title lines of the rows whose state changed are drawn again."""
        before, self._read = self._read, read
        if before is None:
            self.redraw_rows()
        elif changed := before ^ read:
            # The cache is keyed (row, line, style, width): drop the changed rows' titles.
            rows = {i for i, a in enumerate(self.articles) if a.sha256 in changed}
            cached = list(self._cache.keys())
            for key in cached:
                if key[0] in rows and key[1] == 0:
                    self._cache.discard(key)
            self.refresh()
        self._count_unread()

    def learnt(self) -> None:
        """Some articles' hashes became known (listed ones read, saved pages extracted):
        draw every row again and count the unread again (a saved page marked read is
        known read only once its text's hash is)."""
        self._pages = [a for a in self._pages if a.deferred]
        self.redraw_rows()
        self._count_unread()

    def _count_unread(self) -> None:
        read = self._read
        if read is None or not self.articles:
            self.border_subtitle = ""
            return
        unread = sum(a.sha256 not in read for a in self.articles)
        # A page not yet extracted has a stand-in hash (in no read mark): neither read nor
        # unread yet. Kept apart, so that a filter's keystroke counts no slower.
        unread -= sum(a.deferred and a.id in self._index for a in self._pages)
        self.border_subtitle = f"{unread:,} unread" if unread else "all read"

    # --- rows ----------------------------------------------------------------------

    def render_row_line(self, index: int, part: int, style: Style, width: int) -> Strip:
        article = self.articles[index]
        if part == 0:
            line = self._title_line(article, width)
        elif part == 1:
            # Cut the file name rather than the counts, but keep ~12 cells of it (24 with
            # a folder, which tells two same titles apart): in a narrow sidebar the
            # reading time goes first, then the word count.
            source = article.source
            folder = self._folders.get(article.id)
            if folder:  # the same title in another folder: say which this one is
                source = f"{folder}/{source}"
            room = min(24 if folder else 12, cell_len(source))
            tail_words = f" · {article.word_count:,} words" if counted(article) else ""
            tails = (counts(article), tail_words, "")
            tail = next(t for t in tails if width - len(t) >= room or not t)
            source = fit(source, max(width - len(tail), 1))
            line = Content.styled(fit(source + tail, width), "dim")
        else:
            line = Content.styled(fit(tags_line(self._tags[article.id]), width), "italic")
        return content_strip(line, style)

    def _title_line(self, article: Article, width: int) -> Content:
        """The title: bold while the read state is not known; once it is, an unread one
        after a marker, a read one in the list's plain colour."""
        if self._read is None or not counted(article):
            # Not known yet (listed, or a saved page not extracted: its hash is a stand-in
            # that matches no read mark).
            return Content.styled(fit(article.title, width), "bold")
        title = fit(article.title, max(width - 2, 1))
        if article.sha256 in self._read:
            read_style = self.get_visual_style("article-list--read", partial=True)
            return Content.styled("  " + title, read_style)
        return Content.assemble(
            ("● ", self.get_visual_style("article-list--unread-marker", partial=True)),
            (title, self.get_visual_style("article-list--unread", partial=True)),
        )

    def row_chosen(self, index: int) -> None:
        self.post_message(self.Selected(self, index, self.articles[index]))
