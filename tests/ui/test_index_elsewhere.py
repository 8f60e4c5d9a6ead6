"""`reader index` run in another shell while the app is open: the app's filter, entity list
and coverage notices catch up without a restart (the command the notices name fixes them)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reader.library import catalogue
from reader.ui.screens.entity_library import EntityLibraryScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_lists import EntityList
from reader.ui.widgets.filter_bar import FilterBar

from .conftest import ready, settle
from .test_entity_pages import entity_cache, make_app_two_unfound

__all__ = ["entity_cache"]  # the module fixture, found once here too

INCOMPLETE = "entities found for 3 of 5 articles: results incomplete until `reader index`"


async def test_reader_index_in_another_shell_is_noticed_by_the_open_app(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.cli import main

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    app = make_app_two_unfound(tmp_path, entity_cache)
    async with app.run_test(size=(140, 44)) as pilot:
        main_screen = await ready(pilot)

        async def idle() -> None:
            for _ in range(40):
                await settle(pilot)
                if not main_screen.library_search.busy:
                    break

        await idle()
        main_screen.query_one(ArticleList).focus()
        await pilot.press("slash", *"label:PERSON")
        await idle()
        assert main_screen.query_one(FilterBar).status == INCOMPLETE
        await pilot.press("escape", "escape")
        await idle()

        # Another shell: `reader index` (the real model, two articles).
        code = await asyncio.to_thread(
            main,
            [
                "index",
                str(tmp_path / "library"),
                "--cache-dir",
                str(tmp_path / "cache"),
                "--db",
                str(tmp_path / "db.json"),
            ],
        )
        assert code == 0

        main_screen.query_one(ArticleList).focus()
        await pilot.press("slash", *"label:PERSON")
        await idle()
        await idle()
        assert main_screen.query_one(FilterBar).status == ""
        await pilot.press("escape", "escape")
        main_screen.query_one(ArticleView).focus()
        await pilot.press("P")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, EntityLibraryScreen)
        assert screen.query_one(EntityList).border_subtitle == ""
