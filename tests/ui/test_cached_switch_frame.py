"""Enter on an article whose entities are cached draws its frame from the key's handler
(reader/ui/frames.py ``draw_now``), not after the Blur and Focus the focus change queued:
that frame has the new article, its entity panel and the article's focus style; the
sidebar, still styled as focused in it, loses its focus style in the frame after. No
garbage collection runs until that frame is made, and the saves the switch makes (where
the library was left) go to the store's thread after it.

Real parts: the real entity cache (found by the real pipeline), the real app under Pilot.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest
from textual.pilot import Pilot

from reader.ui.app import ReaderApp
from reader.ui.screens import resume
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_panel import EntityPanel

from .conftest import ready
from .test_entity_pages import app, entity_cache

__all__ = ["app", "entity_cache"]  # the module's fixtures, found by pytest here too

Frame = tuple[str | None, bool, bool, int]
"""What a frame drew: the article shown, whether the article and the sidebar were
styled as focused, and the entity panel's rows."""


async def frames_of_a_switch(
    pilot: Pilot[Any], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, list[Frame]]:
    """Open the second article of the list with Enter: its name, the frames drawn
    meanwhile."""
    frames: list[Frame] = []
    frame = MainScreen._on_timer_update

    def recorded(self: MainScreen) -> None:
        article = self.article.path.name if self.article is not None else None
        view, articles = self.query_one(ArticleView), self.query_one(ArticleList)
        rows = self.query_one(EntityPanel).row_count
        frames.append((article, view.has_focus, articles.has_focus, rows))
        frame(self)

    main = await ready(pilot)
    articles = main.query_one(ArticleList)
    articles.focus()
    name = articles.articles[1].path.name
    await pilot.press("g", "j")
    await ready(pilot)
    monkeypatch.setattr(MainScreen, "_on_timer_update", recorded)
    await pilot.press("enter")
    await ready(pilot)
    assert main.article is not None and main.article.path.name == name
    return name, frames


async def test_a_cached_switch_is_drawn_before_the_focus_change_is_handled(
    app: ReaderApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app.run_test(size=(160, 50)) as pilot:
        name, frames = await frames_of_a_switch(pilot, monkeypatch)
        first = next(f for f in frames if f[0] == name)
        # The article and its panel, the article styled as focused (its tint), and the
        # sidebar not yet restyled: the frame came before the Blur was handled.
        assert first[1:3] == (True, True) and first[3] > 0, frames
        # The sidebar loses its focus style in a later frame.
        assert frames[-1][1:3] == (True, False), frames


async def test_a_cached_switch_frame_is_made_without_collections_and_before_its_saves(
    app: ReaderApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The switch's frame is made with the garbage collector off (on again after it), and
    the save of where the library was left is not handed to the store's thread in it (the
    thread's CPU and the interpreter's lock): it is asked for once the user rests on the
    article (resume.SAVE_AFTER, made here by the test), and queued until the app's next
    refresh (``save_after_frame``)."""
    monkeypatch.setattr(resume, "SAVE_AFTER", 3600.0)  # the rest is the test's, below
    async with app.run_test(size=(160, 50)) as pilot:
        main = await ready(pilot)
        articles = main.query_one(ArticleList)
        articles.focus()
        await pilot.press("g", "j")
        await ready(pilot)
        await app.wait_for_writes()
        events: list[str] = []
        frame = MainScreen._on_timer_update

        def recorded(self: MainScreen) -> None:
            events.append("frame" if gc.isenabled() else "frame, no collections")
            frame(self)

        write = app.write

        def written(*args: Any) -> bool:
            events.append("save")
            return write(*args)

        monkeypatch.setattr(MainScreen, "_on_timer_update", recorded)
        monkeypatch.setattr(app, "write", written)
        await pilot.press("enter")
        await ready(pilot)
        await app.wait_for_writes()
        assert main.article is articles.articles[1]
        assert events[0] == "frame, no collections", events
        assert "save" not in events  # the user may switch again
        events.clear()
        main.resume._asked -= resume.SAVE_AFTER  # rested (the timer's wait, not slept)
        main.resume._rested()
        assert events == []  # asked for, not handed to the store's thread yet
        main.refresh()
        for _ in range(50):
            if "save" in events:
                break
            await pilot.pause(0.02)
        assert "save" in events, events
        assert gc.isenabled()
