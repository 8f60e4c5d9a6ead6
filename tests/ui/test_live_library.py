"""Pilot tests of the live library: files added, changed and removed while the app runs
show in the list (the watcher's real file events, on a real folder), the user's place
kept; Ctrl+O adds a page served on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from textual.pilot import Pilot
from textual.widgets import Header, Static

from reader.settings import Settings
from reader.ui.app import ReaderApp
from reader.ui.live_library import REMOVED_SHOWN
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

from .conftest import settle, started

TEXT = "{title}\n\nMaria Lopez met officials in Lisbon on Monday. {more}\n"

STORY_TITLE = "Berlin opens new gas pipeline"

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Berlin opens new gas pipeline | The Daily Example</title></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Berlin opens new gas pipeline</h1>
<p class="byline">By Jane Reporter, 3 May 2026</p>
<p>The German government on Monday opened a new gas pipeline linking Berlin with the Baltic
coast, officials said, after three years of construction.</p>
<p>Chancellor Anna Schmidt told reporters that the project would secure supplies for the
coming winter and lower prices for households across the country.</p>
<p>Critics, including several environmental groups, argued that the money should have gone
to renewable energy instead, and promised to go to court.</p></article>
<aside>Share on Facebook</aside><footer>Amazing deals on shoes</footer></body></html>
"""

SIZE = (120, 40)

#: Long enough to wait for a thread event in a test (a hang guard, not a timing test).
PATIENCE = 60


def write(folder: Path, name: str, title: str, more: str = "Talks went on.") -> Path:
    path = folder / name
    path.write_text(TEXT.format(title=title, more=more), encoding="utf-8")
    return path


def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    for name, title in (("a.txt", "Alpha"), ("b.txt", "Bravo"), ("d.txt", "Delta")):
        write(folder, name, title)
    return folder


def settings_for(tmp_path: Path, folder: Path) -> Settings:
    return Settings(
        article_paths=[folder],
        db_path=tmp_path / "annotations" / "annotations.json",
        cache_dir=tmp_path / "cache",
        sources={"articles": "arguments"},
    )


def titles(screen: MainScreen) -> list[str]:
    return [a.title for a in screen.query_one(ArticleList).articles]


async def watched(screen: MainScreen) -> None:
    """Wait until the watcher is in place (a thread event)."""
    assert await asyncio.to_thread(screen.live_library.ready.wait, PATIENCE)


async def after_change(pilot: Pilot[Any], screen: MainScreen, change: Callable[[], object]) -> Any:
    """Make *change* on disk; wait until the live library has shown it; its changes."""
    shown = screen.live_library.next_change()
    change()
    changes = await asyncio.wait_for(shown, PATIENCE)
    await settle(pilot)
    return changes


async def add_url(pilot: Pilot[Any], url: str, *keys: str) -> None:
    """Ctrl+O, type *url*, press *keys* (the dialog's options), Enter; wait for the add."""
    await pilot.press("ctrl+o")
    await pilot.pause()
    await pilot.press(*url, *keys, "enter")
    await settle(pilot)


def serve_page(httpserver: HTTPServer) -> str:
    """Serve :data:`PAGE` on 127.0.0.1; its URL."""
    httpserver.expect_request("/news/pipeline").respond_with_data(
        PAGE, content_type="text/html; charset=utf-8"
    )
    return httpserver.url_for("/news/pipeline")


def notices(app: ReaderApp, severity: str) -> list[str]:
    return [n.message for n in app._notifications if n.severity == severity]


async def test_a_file_dropped_in_appears_and_one_removed_leaves_cursor_kept(
    tmp_path: Path,
) -> None:
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (app, pilot, screen):
        await watched(screen)
        articles = screen.query_one(ArticleList)
        await pilot.press("j")  # Bravo highlighted; Alpha stays open
        assert articles.highlighted_article is not None
        assert articles.highlighted_article.title == "Bravo"

        # Above the cursor: the rows below it move down.
        changes = await after_change(pilot, screen, lambda: write(folder, "aa.txt", "Able"))
        assert [a.title for a in changes.added] == ["Able"]
        assert titles(screen) == ["Alpha", "Able", "Bravo", "Delta"]
        assert articles.highlighted_article.title == "Bravo"
        assert screen.article is not None and screen.article.title == "Alpha"
        assert [a.title for a in app.workspace.library().articles] == titles(screen)

        await after_change(pilot, screen, lambda: (folder / "a.txt").unlink())
        assert titles(screen) == ["Able", "Bravo", "Delta"]
        assert articles.highlighted_article.title == "Bravo"
        # The open article went: its text stays until the user moves, and it is said: a
        # notice naming it as the one on screen (not only "1 removed") and its header.
        assert screen.article.title == "Alpha"
        assert "Alpha" in screen.query_one(ArticleView).text
        said = [n.message for n in app._notifications]
        assert any(
            m.startswith("The article on screen, “Alpha”, was removed") and "as last read" in m
            for m in said
        ), said
        assert not any("1 removed" in m for m in said), said
        header = str(screen.query_one("#article-header", Static).render())
        assert REMOVED_SHOWN in header, header
        # Another removed: named, the open one not counted again; opening another
        # article leaves the removed one and its header line.
        await after_change(pilot, screen, lambda: (folder / "aa.txt").unlink())
        assert "“Able” removed" in [n.message for n in app._notifications]
        articles.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.article.title == "Bravo"
        assert REMOVED_SHOWN not in str(screen.query_one("#article-header", Static).render())


async def test_the_open_article_changed_on_disk_is_read_again_with_a_notice(
    tmp_path: Path,
) -> None:
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (app, pilot, screen):
        await watched(screen)
        articles = screen.query_one(ArticleList)
        await pilot.press("j", "j")  # Delta highlighted; Alpha open
        changes = await after_change(
            pilot,
            screen,
            lambda: write(folder, "a.txt", "Alpha", more="A second paragraph arrived from Porto."),
        )
        assert [a.title for a in changes.changed] == ["Alpha"]
        assert "Porto" in screen.query_one(ArticleView).text
        assert screen.article is not None and "Porto" in screen.article.text
        assert articles.highlighted_article is not None
        assert articles.highlighted_article.title == "Delta"
        assert any("changed on disk" in n.message for n in app._notifications)


async def test_the_filter_keeps_its_query_and_finds_a_new_article(tmp_path: Path) -> None:
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (_, pilot, screen):
        await watched(screen)
        await pilot.press("slash", *"title:echo", "enter")
        await settle(pilot)
        assert titles(screen) == []
        await after_change(pilot, screen, lambda: write(folder, "e.txt", "Echo"))
        assert titles(screen) == ["Echo"]
        assert screen.query_one(ArticleList).filtered


async def test_ctrl_o_adds_a_page_served_locally_and_it_can_be_opened(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    url = serve_page(httpserver)
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (app, pilot, screen):
        await add_url(pilot, url)
        added = [p for p in folder.iterdir() if p.name not in ("a.txt", "b.txt", "d.txt")]
        assert len(added) == 1, added
        articles = screen.query_one(ArticleList)
        # Listed at its place (the title's slug sorts between b and d), and highlighted.
        assert [a.path.name for a in articles.articles] == [
            "a.txt",
            "b.txt",
            added[0].name,
            "d.txt",
        ]
        assert articles.highlighted_article is not None
        assert articles.highlighted_article.path == added[0]
        await pilot.press("enter")
        await settle(pilot)
        assert screen.article is not None and screen.article.path == added[0]
        assert "Baltic coast" in screen.query_one(ArticleView).text
        said = [n.message for n in app._notifications if f"Added “{STORY_TITLE}”" in n.message]
        assert said and f"in {added[0].parent}" in said[0]  # where it went
        # Said once, by the add (not again by the live library).
        assert not any(n.title == "Library" for n in app._notifications)


async def test_ctrl_o_under_a_filter_that_does_not_list_it_says_so(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    url = serve_page(httpserver)
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (app, pilot, screen):
        await pilot.press("slash", *"title:alpha", "enter")
        await settle(pilot)
        assert titles(screen) == ["Alpha"]
        await add_url(pilot, url)
        assert titles(screen) == ["Alpha"]  # the filter in force stays
        said = [n.message for n in app._notifications if f"Added “{STORY_TITLE}”" in n.message]
        assert said and (
            "Not listed: the filter “title:alpha” is on (/ then Esc clears it, to see it)"
            in said[0].splitlines()
        ), said
        # As it says: / then Esc, and the article added is there.
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert STORY_TITLE in titles(screen)


async def test_ctrl_o_says_why_a_url_could_not_be_added(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (app, pilot, screen):
        await add_url(pilot, httpserver.url_for("/gone"))
        assert titles(screen) == ["Alpha", "Bravo", "Delta"]
        errors = notices(app, "error")
        assert errors and "Could not add" in errors[-1] and "404" in errors[-1], errors
        assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "b.txt", "d.txt"]


async def test_the_header_keeps_the_version_after_ctrl_o(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """Once an add is done the header shows the version again (it was left blank:
    "reader" without "— v0.1.0")."""
    url = serve_page(httpserver)
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (app, pilot, screen):
        header = screen.query_one(Header)
        assert app.sub_title and header.screen_sub_title == app.sub_title
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press(*url, "enter")
        await settle(pilot)
        assert len(list(folder.iterdir())) == 4  # added
        assert header.screen_sub_title == app.sub_title
        await add_url(pilot, httpserver.url_for("/gone"))  # and after one that failed
        assert notices(app, "error")
        assert header.screen_sub_title == app.sub_title


async def test_a_saved_page_is_listed_without_counts_until_it_is_read(tmp_path: Path) -> None:
    """A saved page dropped in is listed before it is extracted: no "0 words · 1 min"; its
    counts once opened."""
    folder = library(tmp_path)
    (folder / "c.html").write_text(PAGE, encoding="utf-8")
    async with started(settings_for(tmp_path, folder), SIZE) as (_app, pilot, screen):
        articles = screen.query_one(ArticleList)
        row = [a.path.name for a in articles.articles].index("c.html")
        page = articles.articles[row]
        y = articles.row_region(row).y + 1 - int(articles.scroll_offset.y)
        # Extracted in the background too (test_a_saved_page_marked_read_shows_read_once_
        # extracted): no counts until then, never "0 words".
        if page.deferred:
            assert articles.render_line(y).text.strip() == "c.html"
        articles.highlighted = row
        await pilot.press("enter")
        for _ in range(100):  # extracting a first page imports trafilatura (~1 s; more in CI)
            await settle(pilot)
            if not page.deferred and "words" in articles.render_line(y).text:
                break
            await pilot.pause(0.05)
        assert screen.article is page and not page.deferred and page.word_count > 0
        assert articles.render_line(y).text.strip() == f"c.html · {page.word_count} words · 1 min"


async def test_a_highlight_on_the_open_article_is_re_anchored_when_it_changes(
    tmp_path: Path,
) -> None:
    from reader.anchoring import describe
    from reader.annotations import article_ref
    from reader.library import read_article
    from reader.library.articles import Article
    from reader.store import AnnotationStore

    folder = library(tmp_path)
    settings = settings_for(tmp_path, folder)
    alpha = read_article(folder / "a.txt")
    assert isinstance(alpha, Article)
    start = alpha.text.index("Lisbon")
    with AnnotationStore(settings.db_path) as store:
        store.add_highlight(article_ref(alpha), describe(alpha.text, start, start + 6))
    async with started(settings, SIZE) as (app, pilot, screen):
        await watched(screen)
        view = screen.query_one(ArticleView)
        assert [(m.start, m.end) for m in view.marks] == [(start, start + 6)]
        text = (folder / "a.txt").read_text(encoding="utf-8")
        inserted = "A first paragraph, written later.\n\n"
        changed = text.replace("Maria", inserted + "Maria")
        await after_change(pilot, screen, lambda: (folder / "a.txt").write_text(changed, "utf-8"))
        moved = start + len(inserted)
        assert [(m.start, m.end) for m in view.marks] == [(moved, moved + 6)]
        assert view.text[moved : moved + 6] == "Lisbon"
        assert any("re-anchored" in n.message for n in app._notifications)


async def test_ctrl_o_a_feed_is_refused_unticked_then_its_entries_added_ticked(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    link = serve_page(httpserver)
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>The Daily Example</title><link>{link}</link>
<description>News</description>
<item><title>{STORY_TITLE}</title><link>{link}</link><guid>story-1</guid>
<description>The German government on Monday opened…</description></item>
</channel></rss>"""
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed, content_type="application/rss+xml"
    )
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (app, pilot, screen):
        await add_url(pilot, httpserver.url_for("/feed.xml"))
        errors = notices(app, "error")
        assert errors and "ticking “a feed”" in errors[-1], errors
        assert len(titles(screen)) == 3

        await add_url(pilot, httpserver.url_for("/feed.xml"), "tab", "space", "shift+tab")
        assert len(titles(screen)) == 4
        added = [a for a in screen.query_one(ArticleList).articles if a.path.suffix == ".md"]
        assert len(added) == 1
        assert "Baltic coast" in added[0].text  # the full page, not the feed's teaser


async def test_without_file_events_the_library_is_polled_and_it_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.ui import live_library

    # The system cannot watch (out of inotify watches, say): what watch_library returns.
    monkeypatch.setattr(live_library, "watch_library", lambda *_: "cannot watch (test)")
    monkeypatch.setattr(live_library, "POLL_SECONDS", 0.1)
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (app, pilot, screen):
        await watched(screen)
        assert screen.live_library.watching is False
        await settle(pilot)
        warnings = notices(app, "warning")
        assert any("cannot watch (test): looking for changes every" in w for w in warnings)
        await after_change(pilot, screen, lambda: write(folder, "c.txt", "Charlie"))
        assert titles(screen) == ["Alpha", "Bravo", "Charlie", "Delta"]


async def test_teasers_still_failing_after_a_refresh_are_one_line_of_the_notice(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    items = "\n".join(
        f"<item><title>Story {n}</title><link>{httpserver.url_for(f'/news/{n}')}</link>"
        f"<guid>story-{n}</guid><description>Teaser {n}.</description></item>"
        for n in range(3)
    )
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>The Daily Example</title><link>{httpserver.url_for("/")}</link>
<description>News</description>{items}</channel></rss>"""
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed, content_type="application/rss+xml"
    )
    for n in range(3):
        httpserver.expect_request(f"/news/{n}").respond_with_data("down", status=503)
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (app, pilot, screen):
        for _ in range(2):  # subscribed and the teasers kept; then their pages again
            await add_url(pilot, httpserver.url_for("/feed.xml"), "tab", "space", "shift+tab")
        assert len(titles(screen)) == 6
        lines = [n.message for n in app._notifications][-1].splitlines()
        assert "3 teasers kept, their pages still failing: “Story 0”, “Story 1”, “Story 2”" in lines
        assert not [line for line in lines if "HTTP 503" in line], lines


async def test_ctrl_o_a_feed_says_how_many_entries_are_teasers_only_and_why(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """Walkthrough item 2: the notice said "Added 2 articles … 2 new of 2 entries", nothing
    of the one kept as its feed's teaser (its page answered 404)."""
    link = serve_page(httpserver)
    gone = httpserver.url_for("/news/gone")
    httpserver.expect_request("/news/gone").respond_with_data("gone", status=404)
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>The Daily Example</title><link>{link}</link>
<description>News</description>
<item><title>{STORY_TITLE}</title><link>{link}</link><guid>story-1</guid>
<description>The German government on Monday opened…</description></item>
<item><title>Harbour strike ends</title><link>{gone}</link><guid>story-2</guid>
<description>Dockers went back to work.</description></item>
</channel></rss>"""
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed, content_type="application/rss+xml"
    )
    folder = library(tmp_path)
    async with started(settings_for(tmp_path, folder), SIZE) as (app, pilot, screen):
        await add_url(pilot, httpserver.url_for("/feed.xml"), "tab", "space", "shift+tab")
        assert len(titles(screen)) == 5
        lines = [n.message for n in app._notifications][-1].splitlines()
        assert lines[0] == "Added 2 articles"
        assert (
            "1 teaser only: its page failed (HTTP 404 NOT FOUND); adding the feed again "
            "(or reader refresh) retries it for 30 days"
        ) in lines, lines


async def test_a_title_repeated_by_a_file_added_names_both_folders(tmp_path: Path) -> None:
    """The sidebar names the folder of an article whose title is also in another folder:
    a file added while the app runs with a title already listed names both at once, and
    the one left alone again once the other is removed (as a restart would)."""
    folder = library(tmp_path)
    (folder / "hostile").mkdir()
    (folder / "world" / "asia").mkdir(parents=True)
    write(folder / "hostile", "unicode.txt", "Zoe")
    async with started(settings_for(tmp_path, folder), SIZE) as (_, pilot, screen):
        await watched(screen)
        articles = screen.query_one(ArticleList)

        def rows() -> list[str]:
            return [articles.render_line(y).text.strip(" │") for y in range(articles.size.height)]

        assert any(row.startswith("unicode.txt ·") for row in rows()), "|".join(rows())
        added = folder / "world" / "asia" / "unicode.txt"
        await after_change(
            pilot, screen, lambda: write(folder / "world" / "asia", added.name, "Zoe")
        )
        assert any(row.startswith("hostile/unicode.txt ·") for row in rows()), "|".join(rows())
        assert any(row.startswith("world/asia/unicode.txt") for row in rows()), "|".join(rows())
        await after_change(pilot, screen, added.unlink)
        assert any(row.startswith("unicode.txt ·") for row in rows()), "|".join(rows())
        assert not any(row.startswith("hostile/") for row in rows()), "|".join(rows())


async def test_a_saved_page_marked_read_shows_read_once_extracted(tmp_path: Path) -> None:
    """A page marked read, its extraction no longer cached (the cache dir wiped): listed
    first with a stand-in hash (neither read nor unread: no marker, not counted), then
    extracted in the background without being opened, its row drawn read and the border's
    count without it (before: drawn unread, counted, forever)."""
    from reader.library import Problem, read_article
    from reader.store import AnnotationStore, ArticleRef

    folder = library(tmp_path)
    page_file = folder / "c.html"
    page_file.write_text(PAGE, encoding="utf-8")
    extracted = read_article(page_file)
    assert not isinstance(extracted, Problem) and extracted.word_count > 0
    settings = settings_for(tmp_path, folder)
    assert settings.db_path is not None
    settings.db_path.parent.mkdir(parents=True)
    with AnnotationStore(settings.db_path) as store:
        store.set_read(ArticleRef(str(page_file), extracted.sha256, extracted.title), True)
    async with started(settings, SIZE) as (_app, pilot, screen):
        articles = screen.query_one(ArticleList)
        row = [a.path.name for a in articles.articles].index("c.html")
        page = articles.articles[row]
        y = articles.row_region(row).y - int(articles.scroll_offset.y)
        for _ in range(200):  # extracting a first page imports trafilatura (~1 s)
            await settle(pilot)
            if not page.deferred and articles.border_subtitle == "3 unread":
                break
            await pilot.pause(0.05)
        assert screen.article is not page  # never opened
        assert not page.deferred and page.sha256 == extracted.sha256
        assert articles.render_line(y).text.strip() == STORY_TITLE  # no unread marker
        assert articles.border_subtitle == "3 unread"
