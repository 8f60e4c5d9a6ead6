"""Pilot tests of the Ctrl+O dialog itself: Enter adds from any of its controls (Space
ticks the feed box), and an unticked box looks empty."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Checkbox

from reader.settings import Settings
from reader.ui.add_dialog import AddRequest, AddScreen

from .conftest import started

SIZE = (100, 30)
URL = "http://127.0.0.1:9/feed.xml"


def settings_for(tmp_path: Path) -> Settings:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha\n\nMaria Lopez met officials.\n", encoding="utf-8")
    return Settings(
        article_paths=[folder],
        db_path=tmp_path / "annotations" / "annotations.json",
        cache_dir=tmp_path / "cache",
        sources={"articles": "arguments"},
    )


async def asked(pilot: Pilot[Any], *keys: str) -> list[AddRequest | None]:
    """Open the dialog (its result kept, not added), type *keys*; the results so far."""
    results: list[AddRequest | None] = []
    pilot.app.push_screen(AddScreen(), results.append)
    await pilot.pause()
    await pilot.press(*keys)
    await pilot.pause()
    return results


async def test_enter_on_the_ticked_feed_box_adds_the_feed(tmp_path: Path) -> None:
    async with started(settings_for(tmp_path), SIZE) as (app, pilot, _screen):
        results = await asked(pilot, *URL, "tab", "space")
        box = app.screen.query_one("#feed", Checkbox)
        assert box.has_focus and box.value  # Space ticks it
        await pilot.press("enter")
        await pilot.pause()
        assert results == [AddRequest(URL, feed=True)]


async def test_enter_on_the_unticked_box_adds_without_ticking(tmp_path: Path) -> None:
    async with started(settings_for(tmp_path), SIZE) as (_app, pilot, _screen):
        results = await asked(pilot, *URL, "tab", "enter")
        assert results == [AddRequest(URL, feed=False)]


async def test_enter_in_the_field_adds_and_an_empty_field_says_so(tmp_path: Path) -> None:
    async with started(settings_for(tmp_path), SIZE) as (app, pilot, _screen):
        results = await asked(pilot, "tab", "enter")  # from the box, nothing typed
        assert results == [] and isinstance(app.screen, AddScreen)
        assert any(n.title == "Nothing to add" for n in app._notifications)
        await pilot.press("shift+tab", *URL, "enter")
        assert results == [AddRequest(URL, feed=False)]


def mark(box: Checkbox) -> tuple[Any, Any]:
    """The colours the box's "X" is drawn in (ToggleButton._button's style for it)."""
    style = box.get_visual_style("toggle--button")
    return style.foreground, style.background


async def test_an_unticked_box_looks_empty_and_a_ticked_one_ticked(tmp_path: Path) -> None:
    async with started(settings_for(tmp_path), SIZE) as (app, pilot, _screen):
        await asked(pilot)
        box = app.screen.query_one("#feed", Checkbox)
        fg, bg = mark(box)
        assert fg == bg  # the X in its background's colour: nothing to see
        box.value = True
        await pilot.pause()
        fg, bg = mark(box)
        assert fg != bg
