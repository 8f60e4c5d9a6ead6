"""The sidebar: every article as title, source, word count (one OptionList for thousands)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.library import Article


def article_prompt(article: Article, tags: Sequence[str] = ()) -> Content:
    """Return the sidebar entry for *article*: plain text styled, never parsed as markup."""
    meta = f"{article.source} · {article.word_count:,} words · {article.reading_minutes} min"
    parts: list[str | tuple[str, str] | Content] = [
        (article.title, "bold"),
        "\n",
        (meta, "dim"),
    ]
    if tags:
        parts += ["\n", (" ".join(f"#{tag}" for tag in tags), "italic")]
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

    def set_articles(self, articles: Sequence[Article]) -> None:
        """Replace the list with *articles*."""
        self.articles = list(articles)
        self.clear_options()
        self.add_options(
            Option(article_prompt(article), id=article.id) for article in self.articles
        )
        if self.articles:
            self.highlighted = 0

    @property
    def highlighted_article(self) -> Article | None:
        """The article under the cursor."""
        index = self.highlighted
        return None if index is None else self.articles[index]
