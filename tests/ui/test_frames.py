"""reader/ui/frames.py: what a keystroke changed goes into the screen's next frame, its
layout too with :func:`lay_out_in_next_frame` (one frame, not a repaint at the old sizes
and a layout a frame later). The frame is run by hand (the screen's frame timer's
callback), right after the change: nothing else has run in between. :func:`draw_now`
draws the frame from the caller and waits until the writer thread took it."""

from __future__ import annotations

import threading
import time
from queue import Queue

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from reader.ui.frames import draw_in_next_frame, draw_now, lay_out_in_next_frame


class TwoLines(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("one line", id="top")
        yield Static("below it", id="below")


async def test_the_next_frame_lays_out_a_widget_that_grew() -> None:
    app = TwoLines()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        top, below = app.query_one("#top", Static), app.query_one("#below", Static)
        assert (top.size.height, below.region.y) == (1, 1)
        top.update("one line\nand another")
        lay_out_in_next_frame(top)
        app.screen._on_timer_update()  # the screen's next frame
        assert (top.size.height, below.region.y) == (2, 2)


async def test_draw_in_next_frame_alone_leaves_the_layout_to_a_later_frame() -> None:
    app = TwoLines()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        top, below = app.query_one("#top", Static), app.query_one("#below", Static)
        top.update("one line\nand another")
        draw_in_next_frame(top)
        app.screen._on_timer_update()
        assert (top.size.height, below.region.y) == (1, 1)  # what lay_out_in_next_frame adds
        await pilot.pause()
        assert (top.size.height, below.region.y) == (2, 2)


class _Writer:
    """Stands for Textual's writer thread: the frames queued for the terminal."""

    def __init__(self) -> None:
        self._queue: Queue[str] = Queue()


async def test_draw_now_waits_until_the_writer_took_its_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = TwoLines()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        writer = _Writer()
        monkeypatch.setattr(app._driver, "_writer_thread", writer, raising=False)
        writer._queue.put("a frame")
        taker = threading.Timer(0.002, writer._queue.get)  # the writer, 2 ms later
        taker.start()
        draw_now(app.screen)
        assert writer._queue.qsize() == 0  # returned once it was taken
        taker.join()
        writer._queue.put("a frame nobody takes")
        started = time.monotonic()
        draw_now(app.screen)
        assert time.monotonic() - started < 0.5  # not forever: WRITE_WAIT
