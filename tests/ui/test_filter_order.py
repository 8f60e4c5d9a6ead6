"""Pilot tests of where the list stands after the filter: a query in a new order shows
the list from its top, a narrower filter in the same order keeps the highlighted article."""

from __future__ import annotations

from pathlib import Path

from reader.ui.app import build_app
from reader.ui.widgets.article_list import ArticleList

from .test_app import SIZE
from .test_filter import idle

#: Forty articles (more than the list shows), titled so that library order (by file name)
#: and title order differ: file NN holds "Title (39-NN)", so the last file sorts first.
COUNT = 40


def library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    root.mkdir()
    for n in range(COUNT):
        words = " ".join(["word"] * (10 + n))
        text = f"Report {COUNT - 1 - n:02d} on the economy\n\n{words} economy.\n"
        (root / f"a{n:02d}.txt").write_text(text, encoding="utf-8")
    return root


async def test_a_new_sort_shows_the_top_of_the_list(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = build_app(make_settings(library(tmp_path), model="no-such-pipeline"))
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        articles = main.query_one(ArticleList)
        articles.focus()
        # Highlight an article in the middle of the title order, scrolled down to it.
        articles.show_article(articles.articles[20].id)
        await pilot.pause()
        assert articles.highlighted_article.title == "Report 19 on the economy"
        assert articles.scroll_y > 0
        await pilot.press("slash", *"sort:title")
        await idle(pilot)
        assert articles.border_title == "40 of 40 · sort: title"
        assert articles.highlighted == 0
        assert articles.highlighted_article.title == "Report 00 on the economy"
        assert articles.scroll_y == 0
        # Another order: its top again (the longest article first).
        await pilot.press(*["backspace"] * len("title"), *"-words")
        await idle(pilot)
        assert articles.border_title == "40 of 40 · sort: -words"
        assert articles.highlighted_article.title == "Report 00 on the economy"
        assert articles.highlighted == 0 and articles.scroll_y == 0
        # The user moves down; a narrower filter in the same order keeps that article.
        await pilot.press("enter")
        assert app.focused is articles
        await pilot.press("j", "j", "j")
        assert articles.highlighted_article.title == "Report 03 on the economy"
        await pilot.press("slash", "end", *" words:>20")
        await idle(pilot)
        assert articles.border_title == "35 of 40 · sort: -words"
        assert articles.highlighted_article.title == "Report 03 on the economy"
