"""Pilot tests of rendered articles: a .md article shows its words, not its syntax, styled;
a link's address is shown when `]l` marks it and opened only by `L`; a saved page is read
in a worker and shows its article with its byline."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.library import pages, parsers
from reader.settings import Settings
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.library_search import LibrarySearch
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

from .conftest import ready, settle

SIZE = (140, 40)

MakeSettings = Callable[..., Settings]

ARTICLE = """\
---
title: Talks resume in Berlin
author: Jane Doe
date: 2026-05-04
url: https://news.example.org/world/talks
---
# Leaders meet again

Chancellor **Olaf Scholz** met [Emmanuel Macron](/people/macron) in *Berlin*.
Read [the statement](mailto:press@example.org) or [the archive](ftp://old.example.org/a).

- Paris
- London
"""

PAGE = """\
<!doctype html><html><head><meta charset="utf-8"><title>Harbour reopens | Daily</title>
<meta name="author" content="John Smith"><meta property="og:site_name" content="The Daily">
<meta property="article:published_time" content="2026-03-02"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Harbour reopens after storm</h1>
<p>The harbour of Portsmouth reopened on Tuesday after a storm closed it for three days, the
port authority said in a statement on its website.</p>
<p>Ferries to France resumed at noon, and the operator said delays would ease by the
weekend. Fishermen said the damage to the piers was lighter than feared.</p></article>
<div class="share">Share on Facebook</div><footer>All rights reserved.</footer>
</body></html>
"""


def library(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a_talks.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "b_harbour.html").write_text(PAGE, encoding="utf-8")
    return folder


def view_lines(app: ReaderApp) -> list[str]:
    view = app.screen.query_one(ArticleView)
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def notices(app: ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_markdown_article_is_shown_rendered_and_its_links_open_on_request(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    app = build_app(make_settings(library(tmp_path / "articles")))
    opened: list[str] = []
    app.open_url = lambda url, new_tab=True: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert main.article is not None and main.article.title == "Talks resume in Berlin"
        shown = "\n".join(view_lines(app))
        assert "Leaders meet again" in shown
        assert "Chancellor Olaf Scholz met Emmanuel Macron in Berlin. Read the" in shown
        assert "• Paris" in shown
        for syntax in ("---", "#", "**", "](", "title:"):
            assert syntax not in shown, syntax
        # Styled: the heading bold, the link underlined (drawn under the entity colours).
        view = app.screen.query_one(ArticleView)
        heading = view.render_line(0)
        assert any(seg.style.bold for seg in heading if "Leaders" in seg.text)
        y = next(i for i, line in enumerate(view_lines(app)) if "Emmanuel Macron" in line)
        assert any(seg.style.underline for seg in view.render_line(y) if "Macron" in seg.text)
        # The byline from the front matter is in the header.
        header = str(app.screen.query_one("#article-header").render())
        assert "Jane Doe · 2026-05-04" in header
        # No link is opened by itself.
        view.focus()
        await settle(pilot)
        assert opened == []
        # ]l marks the first link and shows its address (resolved against the article's url).
        await pilot.press("right_square_bracket", "l")
        await settle(pilot)
        assert notices(app)[-1] == "https://news.example.org/people/macron"
        assert any(
            seg.style.reverse for seg in view.render_line(y) if "Emmanuel Macron" in seg.text
        )
        await pilot.press("L")
        await settle(pilot)
        assert opened == ["https://news.example.org/people/macron"]
        await pilot.press("right_square_bracket", "l")
        await pilot.press("L")
        await settle(pilot)
        assert opened[-1] == "mailto:press@example.org"
        # A scheme the browser should not be handed is shown, not opened.
        await pilot.press("right_square_bracket", "l", "L")
        await settle(pilot)
        assert opened[-1] == "mailto:press@example.org"
        assert notices(app)[-1] == "Not opened: only http, https and mailto links are"
        await pilot.press("left_square_bracket", "l")
        await settle(pilot)
        assert notices(app)[-1] == "mailto:press@example.org"


async def test_a_saved_page_is_read_in_a_worker_and_shows_its_article(
    make_settings: MakeSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    extract = pages.extract_page

    def off_the_screen(data: bytes | str, url: str | None = None, charset: str | None = None):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return extract(data, url, charset)

    monkeypatch.setattr(pages, "extract_page", off_the_screen)
    # The search index reads every article in a thread of its own: not in this test, so
    # that opening the page is what reads it.
    monkeypatch.setattr(LibrarySearch, "update_index", lambda self: None)
    # Nor the pages' own worker, which extracts the pages listed unread once the library
    # is loaded (test_live_library's read page): here opening the page is what reads it.
    monkeypatch.setattr(MainScreen, "_extract_pages", lambda self, articles: None)
    app = build_app(make_settings(library(tmp_path / "articles")))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        articles = app.screen.query_one(ArticleList)
        page = next(a for a in articles.articles if a.path.suffix == ".html")
        # Listed before it was extracted, under its <title>.
        assert page.title == "Harbour reopens | Daily"
        await pilot.press("j", "enter")
        await settle(pilot)
        assert main.article is page and page.title == "Harbour reopens after storm"
        assert len(threads) == 1 and threads[0] != threading.main_thread().name
        shown = "\n".join(view_lines(app))
        assert "The harbour of Portsmouth reopened on Tuesday" in shown
        assert "Share on Facebook" not in shown and "Home" not in shown
        header = str(app.screen.query_one("#article-header").render())
        assert "John Smith · 2026-03-02 · The Daily · b_harbour.html" in header


async def test_a_large_markdown_file_is_rendered_in_a_worker(
    make_settings: MakeSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A warm start reads no text (the catalogue); opening a .md file renders it, which
    # markdown-it-py does at a few hundred KB a second: a large one in the reading worker.
    monkeypatch.setattr("reader.library.catalogue.RACY_SECONDS", 0.0)
    monkeypatch.setattr(LibrarySearch, "update_index", lambda self: None)
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.md").write_text("# Short\n\nA few words.\n", encoding="utf-8")
    paragraph = "Talks on **trade** went on in [Berlin](https://b.de) all day long. " * 20
    (folder / "b.md").write_text("# Long\n\n" + f"{paragraph}\n\n" * 30, encoding="utf-8")
    assert (folder / "b.md").stat().st_size > 32 * 1024
    settings = make_settings(folder, model="no-such-pipeline")
    async with build_app(settings).run_test(size=SIZE) as pilot:
        await ready(pilot)
    threads: list[str] = []
    render = parsers.render_markdown

    def recorded(source: str):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return render(source)

    monkeypatch.setattr(parsers, "render_markdown", recorded)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert main.article is not None and main.article.title == "Long"
        assert "Talks on trade went on in Berlin" in "\n".join(view_lines(app))
        assert threads and threading.main_thread().name not in threads[-1:]
