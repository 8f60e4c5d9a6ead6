"""Pilot tests of read state and reading positions: `m`, reading to the end, the unread in
the sidebar, where each article was left; on disk, and there after a restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from textual.pilot import Pilot

from reader.annotations import article_ref
from reader.library import Article
from reader.settings import Settings
from reader.store import AnnotationStore
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.main import MainScreen
from reader.ui.screens.reading import Reading
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

from .conftest import read_only_database, ready, settle, started

SIZE = (140, 40)

MakeSettings = Callable[..., Settings]
"""The make_settings fixture (tests/conftest.py)."""


def library(folder: Path) -> Path:
    """A long article (far more lines than a screen) and two short ones."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = "\n\n".join(f"Paragraph {n} says little of note." for n in range(120))
    (folder / "a_long.txt").write_text(f"Long piece\n\n{paragraphs}\n", encoding="utf-8")
    (folder / "b_short.txt").write_text("Short piece\n\nTwo lines only.\n", encoding="utf-8")
    (folder / "c_third.txt").write_text("Third piece\n\nAlso short.\n", encoding="utf-8")
    return folder


@pytest.fixture
def settings(make_settings: MakeSettings, tmp_path: Path) -> Settings:
    """Settings for :func:`library` in this test's folder."""
    return make_settings(library(tmp_path / "lib"))


def stored(settings: Settings) -> AnnotationStore:
    """The database as another process would see it (read-only, no lock)."""
    return AnnotationStore(settings.db_path, read_only=True)


def row_title(app: ReaderApp, title: str) -> str:
    """The title line of the sidebar row of *title*, as drawn."""
    articles = app.screen.query_one(ArticleList)
    for y in range(articles.size.height):
        text = articles.render_line(y).text
        if title in text:
            return text.rstrip()
    raise AssertionError(f"{title} is not on screen")


def article_of(app: ReaderApp, title: str) -> Article:
    """The listed article called *title*."""
    return next(a for a in app.screen.query_one(ArticleList).articles if a.title == title)


async def open_titled(app: ReaderApp, pilot: Pilot[None], title: str) -> ArticleView:
    """Open the article *title* from the sidebar, as the user does (Enter)."""
    articles = app.screen.query_one(ArticleList)
    articles.focus()
    articles.highlighted = [a.title for a in articles.articles].index(title)
    await pilot.press("enter")
    await settle(pilot)
    view = app.screen.query_one(ArticleView)
    assert view.has_focus
    return view


def notices(app: ReaderApp) -> list[str]:
    """The notifications shown so far."""
    return [str(n.message) for n in app._notifications]


class Clock:
    """A clock the test moves: reading time passes only when it says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The reading clock of the next app started, ticking every 50 ms of real time."""
    monkeypatch.setattr(Reading, "TICK", 0.05)
    clock = Clock()
    original = Reading.__init__

    def init(self: Reading, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.clock = clock

    monkeypatch.setattr(Reading, "__init__", init)
    return clock


async def ticks(pilot: Pilot[None]) -> None:
    """Let the reading timer run a few times, and what it saves reach the disk."""
    await pilot.pause(0.2)
    await settle(pilot)


async def test_m_toggles_read_in_the_article_and_in_the_sidebar(settings: Settings) -> None:
    async with started(settings, SIZE) as (app, pilot, _):
        articles = app.screen.query_one(ArticleList)
        assert articles.border_subtitle == "3 unread"
        assert row_title(app, "Long piece").startswith("● Long piece")
        long, short = article_of(app, "Long piece"), article_of(app, "Short piece")
        await open_titled(app, pilot, "Long piece")
        await pilot.press("m")
        await settle(pilot)
        assert stored(settings).is_read(long.sha256)
        assert any(n == "Marked read: Long piece" for n in notices(app))
        assert articles.border_subtitle == "2 unread"
        assert row_title(app, "Long piece").startswith("  Long piece")
        assert row_title(app, "Short piece").startswith("● Short piece")
        await pilot.press("m")
        await settle(pilot)
        assert not stored(settings).is_read(long.sha256)
        assert any(n == "Marked unread: Long piece" for n in notices(app))
        assert articles.border_subtitle == "3 unread"
        # In the sidebar, `m` marks the highlighted row, not the article shown.
        articles.focus()
        articles.highlighted = articles.articles.index(short)
        await pilot.press("m")
        await settle(pilot)
        assert stored(settings).read_articles() == {short.sha256}
        assert row_title(app, "Short piece").startswith("  Short piece")
        assert articles.border_subtitle == "2 unread"
    # A restart reads the marks back.
    async with started(settings, SIZE) as (app, pilot, _):
        assert app.screen.query_one(ArticleList).border_subtitle == "2 unread"
        assert row_title(app, "Short piece").startswith("  Short piece")
        assert row_title(app, "Long piece").startswith("● Long piece")


async def test_unread_titles_are_bold_after_a_marker_read_ones_plain(settings: Settings) -> None:
    async with started(settings, SIZE) as (app, pilot, _):
        articles = app.screen.query_one(ArticleList)
        short = articles.articles.index(article_of(app, "Short piece"))
        y = articles.row_region(short).y  # row 0 is highlighted: look at row 1

        def title_segments() -> list[Segment]:
            return [s for s in articles.render_line(y) if s.text.strip()]

        marker, *title = title_segments()
        assert marker.text.strip() == "●" and marker.style is not None and marker.style.bold
        assert all(s.style is not None and s.style.bold for s in title)
        articles.focus()
        articles.highlighted = short
        await pilot.press("m")
        await settle(pilot)
        articles.highlighted = 0
        await pilot.pause()
        segments = title_segments()
        assert "●" not in "".join(s.text for s in segments)
        assert all(s.style is not None and not s.style.bold for s in segments)


async def test_reading_to_the_end_for_long_enough_marks_read(
    settings: Settings, clock: Clock
) -> None:
    async with started(settings, SIZE) as (app, pilot, main):
        long, short = article_of(app, "Long piece"), article_of(app, "Short piece")
        # Shown at start under the focused list: not being read, not marked, even
        # scrolled to its end (the mouse wheel scrolls without moving the focus).
        assert main.article == long
        shown = main.query_one(ArticleView)
        shown.scroll_to(y=shown.max_scroll_y, animate=False, immediate=True)
        assert shown.end_seen and not shown.has_focus
        clock.now += 60
        await ticks(pilot)
        assert not stored(settings).is_read(long.sha256)
        view = await open_titled(app, pilot, "Long piece")
        # Long enough, but the end not reached: not marked.
        clock.now += Reading.READ_AFTER + 1
        await ticks(pilot)
        assert not view.end_seen
        assert not stored(settings).is_read(long.sha256)
        await pilot.press("G")
        await ticks(pilot)
        assert stored(settings).is_read(long.sha256)
        assert row_title(app, "Long piece").startswith("  Long piece")
        # A short article's end is on screen at once: it is marked after the seconds only.
        await open_titled(app, pilot, "Short piece")
        assert main.query_one(ArticleView).end_seen
        clock.now += Reading.READ_AFTER - 0.5
        await ticks(pilot)
        assert not stored(settings).is_read(short.sha256)
        clock.now += 1
        await ticks(pilot)
        assert stored(settings).is_read(short.sha256)
        # `m` back to unread sticks: reading on does not mark it again.
        await pilot.press("m")
        clock.now += 60
        await ticks(pilot)
        assert not stored(settings).is_read(short.sha256)


async def test_positions_are_saved_on_leaving_and_restored_on_opening(settings: Settings) -> None:
    async with started(settings, SIZE) as (app, pilot, _):
        long = article_of(app, "Long piece")
        view = await open_titled(app, pilot, "Long piece")
        await pilot.press(*"jjjjjjjjjj")
        await pilot.pause()
        left = view.top_offset
        assert left > 0 and view.text[left:].startswith("Paragraph ")
        await open_titled(app, pilot, "Short piece")
        assert stored(settings).position(long.sha256) == left
        view = await open_titled(app, pilot, "Long piece")
        assert view.top_offset == left
        # Scrolled further, then the app quits: saved as it closes.
        await pilot.press("space")
        await pilot.pause()
        later = view.top_offset
        assert later > left
    assert stored(settings).position(long.sha256) == later
    async with started(settings, SIZE) as (app, pilot, _):
        view = await open_titled(app, pilot, "Long piece")
        assert view.top_offset == later
        # Left at its end, an article reopens at the top.
        await pilot.press("G")
        await pilot.pause()
        await open_titled(app, pilot, "Short piece")
        assert stored(settings).position(long.sha256) == 0
        view = await open_titled(app, pilot, "Long piece")
        assert view.top_offset == 0


async def test_a_position_past_the_end_is_clamped(settings: Settings) -> None:
    async with started(settings, SIZE) as (app, _pilot, _):
        long = article_of(app, "Long piece")
    with AnnotationStore(settings.db_path) as store:
        # As an edited (shorter) article's relinked position may be.
        store.set_position(article_ref(long), len(long.text) + 10_000)
    async with started(settings, SIZE) as (app, _pilot, _):
        view = app.screen.query_one(ArticleView)
        assert view.end_on_screen and view.scroll_y == view.max_scroll_y > 0
        assert "Paragraph 119 says" in "".join(
            view.render_line(y).text for y in range(view.size.height)
        )


async def test_a_read_only_database_offers_no_m_and_saves_nothing(
    settings: Settings, clock: Clock
) -> None:
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    with read_only_database(settings.db_path):  # mode 0444: really not writable
        before = settings.db_path.read_bytes() if settings.db_path.exists() else None
        async with started(settings, SIZE) as (app, pilot, main):
            assert app.store is not None and app.store.read_only
            assert any("read-only" in n for n in notices(app)), notices(app)
            said: list[str] = []  # what is notified from now on (toasts expire)
            real_notify = app.notify

            def spy(message: str, **kwargs: object) -> None:
                said.append(message)
                real_notify(message, **kwargs)  # type: ignore[arg-type]

            app.notify = spy  # type: ignore[method-assign]
            view = await open_titled(app, pilot, "Long piece")
            await pilot.press("m")  # not offered: read marks are written to the database
            await settle(pilot)
            assert isinstance(app.screen, MainScreen) and app.is_running
            assert main.query_one(ArticleList).border_subtitle == "3 unread"
            # Reading to the end and leaving save nothing and say nothing.
            await pilot.press("j", "j", "G")
            clock.now += 60
            await ticks(pilot)
            await open_titled(app, pilot, "Short piece")
            clock.now += 60
            await ticks(pilot)
            assert said == []
            assert view.end_seen
        after = settings.db_path.read_bytes() if settings.db_path.exists() else None
        assert before == after
        with stored(settings) as first:
            assert first.read_articles() == frozenset() and first.positions() == {}


async def test_is_unread_in_the_filter_follows_m(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    settings = make_settings(library(tmp_path / "lib"), model="no-such-pipeline")
    async with started(settings, SIZE) as (app, pilot, main):

        async def idle() -> None:  # the search index and the filter's searches too
            for _ in range(20):
                if not main.library_search.busy:
                    return
                await settle(pilot)
            raise AssertionError("the search is still busy")

        await idle()
        articles = main.query_one(ArticleList)
        articles.focus()
        articles.highlighted = articles.articles.index(article_of(app, "Short piece"))
        await pilot.press("m")
        await settle(pilot)
        await idle()
        articles.focus()
        await pilot.press("slash", *"is:unread")
        await idle()
        assert [a.title for a in articles.articles] == ["Long piece", "Third piece"]


async def test_keys_that_write_typed_before_the_articles_are_shown_are_dropped(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`m` typed while "Loading articles…" would mark an article the user has not seen:
    dropped (and said), even when it is handled after the list came; motions still run,
    and `m` typed once the articles are shown marks as ever."""
    import threading

    from textual import events

    from reader.workspace import Workspace

    gate = threading.Event()
    list_library = Workspace.list_library

    def slow_list(workspace: Workspace) -> object:
        gate.wait(timeout=30)
        return list_library(workspace)

    monkeypatch.setattr(Workspace, "list_library", slow_list)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.screen.article is None
        await pilot.press("m")  # on nothing yet
        typed_early = events.Key("m", "m")  # typed now, handled once the list is there
        typed_early.set_sender(app)
        moved_early = events.Key("j", "j")  # a motion typed now: it runs
        moved_early.set_sender(app)
        gate.set()
        main = await ready(pilot)
        articles = main.query_one(ArticleList)
        assert articles.has_focus and articles.highlighted == 0
        assert app.screen.article is not None
        app.post_message(typed_early)
        app.post_message(moved_early)
        await settle(pilot)
        assert articles.highlighted == 1  # the motion ran
        assert not stored(settings).read_articles()
        assert notices(app).count("“m” was typed before the articles were shown: not done") == 1
        await pilot.press("m")  # on the article the motion moved to
        await settle(pilot)
        assert stored(settings).read_articles() == {articles.articles[1].sha256}


def test_m_on_a_page_not_yet_extracted_marks_nothing(tmp_path: Path) -> None:
    """Its hash is a stand-in (the file's bytes): a read mark on it would be on no article
    once the page is read (the page shown unread then). Said, nothing written."""
    from types import SimpleNamespace

    from reader.ui.screens.reading import ReadingState

    page = Article.deferred_page(tmp_path / "p.html", "A page", b"<html>...</html>")
    assert page.deferred
    told: list[str] = []
    written: list[object] = []
    app = SimpleNamespace(
        store=object(),
        notify=lambda message, **_: told.append(message),
        write=lambda *call: written.append(call) or True,
    )
    articles = SimpleNamespace(
        has_focus=True,
        highlighted=0,
        articles=[page],
        focused_article=page,  # the highlighted row, the list focused
        set_read=lambda _read: None,
    )
    reading = Reading(app, view=None, articles=articles, shown=lambda: None)  # type: ignore[arg-type]
    reading.loaded(ReadingState(frozenset(), {}))
    reading.toggle()
    assert written == [] and told == ["Still reading the page: A page; m in a moment"]
