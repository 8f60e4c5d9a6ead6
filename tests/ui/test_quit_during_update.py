"""Quitting while the search index is being updated: the update is told to stop as the
app begins to exit, not only once Textual unmounts the screen (~0.2 s later on a loaded
machine), because Textual then waits for its thread workers; the update has stopped by then."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from reader.search.index import SearchIndex
from reader.ui.app import build_app
from reader.ui.screens.main import MainScreen

from .test_app import two_articles


async def test_q_tells_a_running_update_to_stop_before_the_screen_goes(
    make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = threading.Event()
    events: list[threading.Event] = []
    told: list[bool] = []

    def update(self: SearchIndex, workspace: object, **options: Any) -> object:
        cancelled = options["cancelled"]
        events.append(cancelled)
        running.set()
        cancelled.wait(10)  # an update mid-build, until it is told to stop
        raise RuntimeError("stopped")

    real_unmount = MainScreen.on_unmount

    def on_unmount(screen: MainScreen) -> None:
        told.append(events[0].is_set())
        real_unmount(screen)

    monkeypatch.setattr(SearchIndex, "update", update)
    monkeypatch.setattr(MainScreen, "on_unmount", on_unmount)
    app = build_app(make_settings(two_articles(tmp_path)))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            if running.is_set():
                break
            await pilot.pause(0.02)
        assert running.is_set()
        await pilot.press("q")
    assert told == [True]
