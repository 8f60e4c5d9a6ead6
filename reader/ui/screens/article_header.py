"""The main screen's article header: the title, byline and counts of the article shown,
its notices and the status line (Finding entities…, No entities: …), and the screen shown
when the library holds no article."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from reader.library import Article
from reader.library.folders import library_folder, library_roots
from reader.text import sanitize_line
from reader.ui.live_library import REMOVED_SHOWN
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.header_box import HeaderBox

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp


class ArticleHeader(Screen[None]):
    """The main screen's part that writes the header over the article (a base of
    :class:`~reader.ui.screens.main.MainScreen`)."""

    # Set by MainScreen.
    app: ReaderApp
    article: Article | None
    shown_removed: bool
    _status: str

    def article_removed(self) -> None:
        """The article shown was removed from the library (its file deleted or moved
        away): the header says so, and that its text stays until another is opened."""
        self.shown_removed = True
        self._set_status(self._status)

    def _set_status(self, status: str) -> None:
        self._status = status
        self.query_one(ArticleView).finding = status.startswith("Finding")
        if self.article is None:
            return
        article = self.article
        # Who, when and where, as the file says (front matter, a page's metadata); not
        # before the text is read: reading a saved page is the worker's job.
        meta = article.meta if article.loaded else {}
        folder = library_folder(
            os.path.abspath(article.path), library_roots(self.app.settings.article_paths)
        )
        where = sanitize_line(f"{folder}/" if folder else "", 120) + article.source
        # Each item kept whole when the line wraps (HeaderBox): never "· 4" / "min read".
        items = [sanitize_line(meta[k], 120) for k in ("author", "date", "site") if meta.get(k)]
        items += [where, f"{article.word_count:,} words", f"{article.reading_minutes:,} min read"]
        parts: list[str | tuple[str, str] | Content] = []
        for notice in article.notices:
            parts += ["\n", (f"⚠ {notice}", "italic")]
        if self.shown_removed:
            parts += ["\n", (f"⚠ {REMOVED_SHOWN}", "italic")]
        # "Finding entities…" is written on the header's rule, not as a line of its own:
        # when the entities come it goes without the header's height changing, so their
        # frame moves nothing (the text, its scrollbar, the panels): an uncached switch's
        # last ~5 ms of redraws (bench/switch_timeline.py). Other statuses stay lines.
        finding = status.startswith("Finding")
        if status and not finding:
            parts += ["\n", (sanitize_line(status, limit=300), "italic")]
        header = self.query_one("#article-header", HeaderBox)
        header.border_subtitle = Content(status).stylize("italic") if finding else ""
        title = Content.assemble((sanitize_line(article.title, 300), "bold"), "\n")
        header.show_items(title, items, "dim", Content.assemble(*parts))

    def _set_header(self, content: Content) -> None:
        self.query_one("#article-header", HeaderBox).update(content)

    def _show_empty(self) -> None:
        paths = ", ".join(sanitize_line(str(p)) for p in self.app.settings.article_paths)
        self.query_one(ArticleView).display = False
        self._set_header(Content.assemble(("No articles yet", "bold")))
        empty = self.query_one("#empty", Static)
        empty.update(
            Content.assemble(
                "No .txt, .md or .html articles were found in: ",
                (paths, "bold"),
                "\n\nTo add some, put article files (plain text or Markdown, one article per "
                "file, the first line is the title; or saved web pages) into that folder, "
                "or start reader on other files or folders:\n\n"
                "    reader ~/articles  news/today.md\n\n"
                "Press q to quit.",
            )
        )
        empty.display = True
