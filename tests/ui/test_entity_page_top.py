"""An entity page opens at its top: the first article's title row on screen, above the
first snippet highlighted (a page of more rows than the list's height opened scrolled
down by one line: its first snippets had no heading until `g`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.library import catalogue
from reader.ui.app import ReaderApp
from reader.ui.widgets.entity_lists import MentionList

from .conftest import ready
from .test_entity_pages import entity_cache, make_app, marked_page

__all__ = ["entity_cache"]


@pytest.fixture
def app(tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch) -> ReaderApp:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    return make_app(tmp_path, entity_cache)


@pytest.mark.parametrize("height", [16, 18])
async def test_a_page_taller_than_its_list_opens_at_its_first_title(
    app: ReaderApp, height: int
) -> None:
    async with app.run_test(size=(120, height)) as pilot:
        await ready(pilot)
        screen = await marked_page(pilot, "Lavrov")
        mentions = screen.query_one(MentionList)

        assert mentions.virtual_size.height > mentions.scrollable_content_region.height
        assert mentions.scroll_y == 0
        assert mentions.highlighted == 1
        assert "×1" in mentions.render_line(0).text


async def test_a_page_opened_again_after_its_end_was_shown_opens_at_its_top(
    app: ReaderApp,
) -> None:
    async with app.run_test(size=(120, 16)) as pilot:
        await ready(pilot)
        screen = await marked_page(pilot, "Lavrov")
        mentions = screen.query_one(MentionList)
        await pilot.press("G")
        assert mentions.scroll_y > 0
        await pilot.press("escape")
        again = await marked_page(pilot, "Lavrov")
        assert again is screen  # the one screen, reused
        assert (mentions.scroll_y, mentions.highlighted) == (0, 1)
        assert "×1" in mentions.render_line(0).text
