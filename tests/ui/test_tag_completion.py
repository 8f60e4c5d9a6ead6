"""Pilot test: tag completion offers the tags in use, but not one the article already has
nor one typed before in the same field."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from reader.ui.app import build_app
from reader.ui.screens.dialogs import TagScreen
from reader.ui.widgets.article_list import ArticleList

from .conftest import ready, settle

SIZE = (140, 45)


def library(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text("First\n\nOne.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Second\n\nTwo.\n", encoding="utf-8")
    return folder


async def test_completion_leaves_out_the_articles_own_tags(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = build_app(make_settings(library(tmp_path / "articles"), model="no-such-pipeline"))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("t")
        await pilot.pause(0.1)
        await pilot.press(*"energy, europe", "enter")  # on the first article
        await settle(pilot)
        main.query_one(ArticleList).focus()
        await pilot.press("j", "enter")  # the second article
        await settle(pilot)
        assert main.article is not None and main.article.title == "Second"
        await pilot.press("t")
        await pilot.pause(0.1)
        await pilot.press(*"Europe", "enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagScreen)
        field = app.screen.query_one("#tag-input", Input)
        await pilot.press("e")
        await pilot.pause(0.2)
        await pilot.press("right")  # accepts the suggestion: energy, not europe (it has it)
        await pilot.pause(0.1)
        assert field.value == "energy"
        await pilot.press(*", e")
        await pilot.pause(0.2)
        await pilot.press("right")  # energy is typed already, europe is the article's
        await pilot.pause(0.1)
        assert field.value == "energy, e"
