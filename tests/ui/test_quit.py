"""Quitting while work runs in threads, which Textual waits for as the app exits: the
search index's update is told to stop as the app begins to exit, not only once Textual
unmounts the screen (~0.2 s later on a loaded machine); entities the model found as the app
quits are written at once, not after a frame that never comes (up to 1 s)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from reader.entities.finder import EntityFinder
from reader.entities.span import Span
from reader.search.index import SearchIndex
from reader.ui.app import ReaderApp, build_app
from reader.ui.messages import EntitiesReady
from reader.ui.screens.main import MainScreen

from .test_app import two_articles


async def quit_once(app: ReaderApp, started: threading.Event) -> None:
    """Run *app* until *started* is set (up to ~4 s), then press q."""
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            if started.is_set():
                break
            await pilot.pause(0.02)
        assert started.is_set()
        await pilot.press("q")


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
    await quit_once(app, running)
    assert told == [True]


async def test_entities_found_as_the_app_quits_are_written_without_their_frame(
    make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model's answer comes in after the screen has set the events of the entities
    waiting for their frame (the race seen as a quit taking 1 s): its worker must not wait
    for a frame (WRITE_AFTER_MOST), and must still write them."""
    entered, unmounted = threading.Event(), threading.Event()
    posted: list[threading.Event] = []
    saved: list[bool] = []

    def find_then_save(
        self: EntityFinder, sha256: str, text: str, cancelled: object = None
    ) -> tuple[list[Span], Any]:
        entered.set()
        assert unmounted.wait(10)  # the answer comes in as the app quits

        def save() -> None:
            saved.append(posted[0].is_set())  # written because told, not after the wait

        return [], save

    real_unmount = MainScreen.on_unmount

    def on_unmount(screen: MainScreen) -> None:
        real_unmount(screen)
        unmounted.set()

    real_post = MainScreen.post_message

    def post_message(screen: MainScreen, message: Any) -> bool:
        if isinstance(message, EntitiesReady) and message.painted is not None:
            posted.append(message.painted)
        return real_post(screen, message)

    monkeypatch.setattr(EntityFinder, "cached", lambda *args, **kwargs: None)
    monkeypatch.setattr(EntityFinder, "ask", lambda *args: None)
    monkeypatch.setattr(EntityFinder, "find_then_save", find_then_save)
    monkeypatch.setattr(MainScreen, "on_unmount", on_unmount)
    monkeypatch.setattr(MainScreen, "post_message", post_message)
    app = build_app(make_settings(two_articles(tmp_path)))
    await quit_once(app, entered)
    assert saved == [True]
