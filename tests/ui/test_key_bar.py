"""The keys line: the keys in force, redrawn only when they change, and clickable."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.settings import Settings
from reader.ui.screens.help import HelpScreen
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.key_bar import KeyBar

from .conftest import started
from .test_app import SIZE, two_articles


@pytest.fixture
def settings(make_settings, tmp_path: Path) -> Settings:  # type: ignore[no-untyped-def]
    return make_settings(two_articles(tmp_path))  # type: ignore[no-any-return]


def shown(bar: KeyBar) -> list[str]:
    return [key.description for key in bar.keys]


async def test_the_bar_shows_the_screen_keys_and_those_of_the_focused_widget(
    settings: Settings,
) -> None:
    async with started(settings, SIZE) as (app, pilot, main):
        bar = main.query_one(KeyBar)
        in_list = shown(bar)
        assert {"Tag", "Note", "Undo", "Export", "Quit", "Help"} <= set(in_list)
        assert "Next entity" not in in_list
        line = bar.render_line(0).text
        assert "Tag" in line and "Help" in line
        await pilot.press("enter")  # opens the article and focuses it
        await pilot.pause()
        assert isinstance(app.focused, ArticleView)
        assert "Next entity" in shown(bar)
        assert "Next entity" in bar.render_line(0).text
        await pilot.press("escape")
        await pilot.pause()
        assert shown(bar) == in_list


async def test_the_bar_is_redrawn_only_when_its_keys_change(settings: Settings) -> None:
    async with started(settings, SIZE) as (_app, pilot, main):
        bar = main.query_one(KeyBar)
        drawn: list[int] = []
        render = bar.render

        def counting():  # type: ignore[no-untyped-def]
            drawn.append(1)
            return render()

        bar.render = counting  # type: ignore[method-assign]
        bar.refresh()
        await pilot.pause()
        assert len(drawn) == 1
        for _ in range(3):
            main.refresh_bindings()  # what a change of state does: the keys stay the same
            await pilot.pause()
        assert len(drawn) == 1
        await pilot.press("enter")
        await pilot.pause()
        assert len(drawn) == 2


async def test_clicking_a_key_presses_it(settings: Settings) -> None:
    async with started(settings, SIZE) as (app, pilot, main):
        bar = main.query_one(KeyBar)
        x = bar.render_line(0).text.index("Help")
        await pilot.click(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_help_and_the_palette_key_stay_on_the_right_when_the_keys_do_not_fit(
    settings: Settings,
) -> None:
    async with started(settings, (80, 30)) as (_app, pilot, main):
        await pilot.press("enter")  # the article's keys join the screen's
        await pilot.pause()
        line = main.query_one(KeyBar).render_line(0).text
        assert len(line) <= 80
        assert line.rstrip().endswith("? Help  ^p palette"), line
        assert line.startswith(" e Next entity")


async def test_the_bar_draws_each_set_of_keys_once_as_the_focus_comes_and_goes(
    settings: Settings,
) -> None:
    # Every article switch moves the focus from the list to the article and back: the
    # two sets of keys are drawn once each, then reused (the clicks still find theirs).
    async with started(settings, SIZE) as (app, pilot, main):
        bar = main.query_one(KeyBar)
        drawn: list[tuple[str, ...]] = []
        draw = bar._draw

        def counting(*args):  # type: ignore[no-untyped-def]
            drawn.append(tuple(shown(bar)))
            return draw(*args)

        bar._draw = counting  # type: ignore[method-assign]
        lines = []
        for key in ("enter", "escape", "enter", "escape"):
            await pilot.press(key)
            await pilot.pause()
            lines.append(bar.render_line(0).text)
        # The list's keys were drawn at start; the article's once, on the first Enter.
        assert len(drawn) == 1 and "Next entity" in drawn[0], drawn
        assert "Next entity" in lines[0] and "Next entity" not in lines[1]
        assert lines[2:] == lines[:2]
        x = lines[3].index("Help")
        await pilot.click(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
