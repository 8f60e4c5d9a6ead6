"""The sidebar: every article as title, source, word count (one OptionList for thousands)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.library import Article
from reader.text import sanitize_line


def article_prompt(article: Article, tags: Sequence[str] = ()) -> Content:
    """Return the sidebar entry for *article*: plain text styled, never parsed as markup."""
    meta = f"{article.source} · {article.word_count:,} words · {article.reading_minutes} min"
    parts: list[str | tuple[str, str] | Content] = [
        (article.title, "bold"),
        "\n",
        (meta, "dim"),
    ]
    if tags:
        shown = " ".join(f"#{sanitize_line(tag, 40)}" for tag in tags)
        parts += ["\n", (shown, "italic")]
    return Content.assemble(*parts)


class ArticleList(OptionList):
    """The articles, one option each; Enter opens the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.articles: list[Article] = []
        """The articles listed, in display order."""
        self._tags: dict[str, list[str]] = {}

    def set_articles(
        self, articles: Sequence[Article], tags: Mapping[str, list[str]] | None = None
    ) -> None:
        """Replace the list with *articles*; *tags* maps content hashes to their tags."""
        self.articles = list(articles)
        tags = tags or {}
        self._tags = {a.id: list(tags.get(a.sha256, [])) for a in self.articles}
        self.clear_options()
        self.add_options(
            Option(article_prompt(article, self._tags[article.id]), id=article.id)
            for article in self.articles
        )
        if self.articles:
            self.highlighted = 0

    def set_tags(self, article_id: str, tags: Sequence[str]) -> None:
        """Show *tags* under the article *article_id*."""
        if self._tags.get(article_id) == list(tags):
            return
        for article in self.articles:
            if article.id == article_id:
                self._tags[article_id] = list(tags)
                self.replace_option_prompt(article_id, article_prompt(article, tags))
                return

    def set_all_tags(self, tags: Mapping[str, list[str]]) -> None:
        """Show the tags of every article; *tags* maps content hashes to their tags."""
        for article in self.articles:
            self.set_tags(article.id, tags.get(article.sha256, []))
