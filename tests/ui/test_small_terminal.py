"""Pilot tests at 80x24, a new user's terminal: `l` shows the side panels (legend,
entities, notes) with the article kept at least MIN_ARTICLE columns wide (the list gives
way to them, and comes back with the next `l`); the list's title fits its border."""

from __future__ import annotations

from pathlib import Path

from reader.settings import Settings
from reader.ui.screens.main import MIN_ARTICLE
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.list_title import fitting, short_count

from .conftest import settle, started
from .test_app import screen_text

SIZE = (80, 24)


def library(tmp_path: Path, count: int) -> Settings:
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(count):
        topic = "Berlin" if i % 400 == 0 else "Lisbon"
        (folder / f"a{i:04}.txt").write_text(
            f"Story {i} from {topic}\n\nMaria Lopez met officials in {topic} on Monday.\n",
            encoding="utf-8",
        )
    return Settings(
        article_paths=[folder],
        db_path=tmp_path / "annotations" / "annotations.json",
        cache_dir=tmp_path / "cache",
        sources={"articles": "arguments"},
    )


async def test_l_shows_the_panels_and_the_article_keeps_its_width(tmp_path: Path) -> None:
    async with started(library(tmp_path, 3), SIZE) as (_app, pilot, screen):
        view = screen.query_one(ArticleView)
        sidebar = screen.query_one("#sidebar")
        panels = screen.query_one("#panels")
        assert not panels.display and sidebar.display  # at 80 columns
        view.focus()
        await pilot.press("l")
        await settle(pilot)
        assert panels.display
        for name in ("#legend", "#entity-panel", "#annotation-panel"):
            assert screen.query_one(name).outer_size.height > 0, name
        assert view.outer_size.width >= MIN_ARTICLE, view.outer_size
        assert not sidebar.display  # the list gave way
        await pilot.press("l")
        await settle(pilot)
        assert sidebar.display and not panels.display
        assert view.outer_size.width >= MIN_ARTICLE


async def test_l_from_the_list_moves_the_focus_to_the_article(tmp_path: Path) -> None:
    async with started(library(tmp_path, 3), SIZE) as (_app, pilot, screen):
        articles = screen.query_one(ArticleList)
        articles.focus()
        await pilot.press("l")
        await settle(pilot)
        assert screen.focused is screen.query_one(ArticleView)


async def test_escape_brings_the_list_back_in_place_of_the_panels(tmp_path: Path) -> None:
    async with started(library(tmp_path, 3), SIZE) as (_app, pilot, screen):
        screen.query_one(ArticleView).focus()
        await pilot.press("l")
        await settle(pilot)
        assert not screen.query_one("#sidebar").display
        await pilot.press("escape")
        await settle(pilot)
        assert screen.query_one("#sidebar").display and not screen.query_one("#panels").display
        assert screen.focused is screen.query_one(ArticleList)


async def test_the_panels_and_the_list_both_show_on_a_wider_narrow_screen(
    tmp_path: Path,
) -> None:
    async with started(library(tmp_path, 3), (108, 30)) as (_app, pilot, screen):
        screen.query_one(ArticleView).focus()
        await pilot.press("l")
        await settle(pilot)
        assert screen.query_one("#sidebar").display and screen.query_one("#panels").display
        assert screen.query_one(ArticleView).outer_size.width >= MIN_ARTICLE
        await pilot.resize_terminal(80, 24)  # narrower: the list gives way
        await settle(pilot)
        assert not screen.query_one("#sidebar").display
        assert screen.query_one(ArticleView).outer_size.width >= MIN_ARTICLE


async def test_the_list_title_fits_its_border_at_80_columns(tmp_path: Path) -> None:
    async with started(library(tmp_path, 1200), SIZE) as (_app, pilot, screen):
        articles = screen.query_one(ArticleList)
        articles.focus()
        await pilot.press("slash", *"Berlin", "enter")
        await settle(pilot)
        assert len(articles.articles) == 3
        region = articles.region
        line = screen_text(_app).splitlines()[region.y]
        border = line[region.x : region.x + region.width]
        assert "…" not in border, border
        assert "3 of 1" in border, border


def test_the_title_shortens_to_fit() -> None:
    titles = ["Articles · 3 of 1,200", "3 of 1,200", "3 of 1.2k"]
    assert fitting(titles, 0) == titles[0]
    assert fitting(titles, 60) == titles[0]
    assert fitting(titles, 16) == "3 of 1,200"
    assert fitting(titles, 15) == "3 of 1.2k"
    assert fitting(titles, 10) == "3 of 1.2k"  # none fits: the shortest, cut
    assert [short_count(n) for n in (950, 1000, 1200, 1299, 12345, 3_400_000)] == [
        "950",
        "1k",
        "1.2k",
        "1.2k",
        "12k",
        "3.4M",
    ]


def test_a_list_not_loaded_yet_is_not_filtered() -> None:
    """Before the library is loaded the list is not a filter's: its border, fitted at the
    first resize, said "Articles · 0 of 0" on a first start (two empty lists compared by
    identity) and kept it."""
    articles = ArticleList()
    assert not articles.filtered
