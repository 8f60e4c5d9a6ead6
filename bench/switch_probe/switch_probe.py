"""Timestamps of one uncached switch, in the app and in its entity worker (a probe).

Not part of reader: bench/switch_timeline.py runs the app with this folder on PYTHONPATH,
and its sitecustomize.py patches the app at start (:func:`patch_app`); the app's entity
worker (an isolated interpreter) is started with :func:`patch_child` run first. Each event
is a line appended to the file named by ``SWITCH_PROBE``: ``perf_counter pid thread event
thread_cpu process_cpu detail``. ``time.perf_counter`` is CLOCK_MONOTONIC on Linux, the
clock bench/terminal.py stamps the pty's output with, so the bench's times and these
compare. It wraps Textual 8.2.8's private methods (the frame timer's callback, the writer
thread's loop, the input parser, the compositor's reflow).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

_PATH = os.environ.get("SWITCH_PROBE")
_lock = threading.Lock()
_file = open(_PATH, "a", buffering=1) if _PATH else None  # noqa: SIM115 -- open for life
_state: dict[str, Any] = {"armed": False}


def log(event: str, detail: str = "") -> None:
    """Append one event, stamped now."""
    if _file is None:
        return
    now, cpu, process = time.perf_counter(), time.thread_time(), time.process_time()
    name = threading.current_thread().name
    with _lock:
        _file.write(f"{now:.6f} {os.getpid()} {name} {event} {cpu:.6f} {process:.6f} {detail}\n")


def _wrap(owner: Any, name: str, before: str, after: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        log(before)
        result = original(*args, **kwargs)
        log(after)
        return result

    setattr(owner, name, wrapper)


def patch_child() -> None:
    """In the entity worker: the request read, the model's start and end."""
    from reader.entities import worker_child
    from reader.entities.engines import spacy_engine

    recognise = spacy_engine.SpacyEngine.recognise

    def recognise_logged(self: Any, chunks: Any) -> Any:
        log("nlp_start", str(sum(map(len, chunks))))
        result = recognise(self, chunks)
        log("nlp_end")
        return result

    spacy_engine.SpacyEngine.recognise = recognise_logged  # type: ignore[method-assign]
    answer = worker_child._answer

    def answer_logged(*args: Any) -> None:
        log("child_got_request")
        answer(*args)
        log("child_sent_end")

    worker_child._answer = answer_logged


def patch_app() -> None:
    """In the app: Enter read, the switch's steps, each frame, each write to the pty."""
    from textual import _xterm_parser
    from textual._compositor import Compositor
    from textual.drivers import _writer_thread
    from textual.screen import Screen
    from textual.widget import Widget

    import reader.children
    from reader.entities import finder, worker
    from reader.ui.screens import article_opening, main

    feed = _xterm_parser.XTermParser.feed

    def feed_logged(self: Any, data: str) -> Any:
        if "\r" in data:
            log("enter_read")
        return feed(self, data)

    _xterm_parser.XTermParser.feed = feed_logged  # type: ignore[method-assign]

    def run(self: Any) -> None:  # WriterThread.run, with a stamp after each write
        write, flush = self._file.write, self._file.flush
        get, qsize = self._queue.get, self._queue.qsize
        while True:
            text = get()
            if text is None:
                break
            write(text)
            if qsize() == 0:
                flush()
            log("written", str(len(text)))
        flush()

    _writer_thread.WriterThread.run = run  # type: ignore[method-assign]
    update = Screen._on_timer_update

    def update_logged(self: Any) -> None:
        log("timer_frame_start")
        highlights = _state["armed"]
        if highlights:  # the frame after EntitiesReady: each widget's render CPU
            _state["armed"], _state["widgets"] = False, {}
        update(self)
        if highlights:
            widgets = _state.pop("widgets")
            log("hl_widgets", " ".join(f"{k}={v * 1000:.2f}" for k, v in widgets.items()))
        log("timer_frame_end")

    Screen._on_timer_update = update_logged  # type: ignore[method-assign]
    render_lines = Widget.render_lines

    def render_lines_timed(self: Any, crop: Any) -> Any:
        widgets = _state.get("widgets")
        if widgets is None:
            return render_lines(self, crop)
        started = time.thread_time()
        result = render_lines(self, crop)
        key = self.id or type(self).__name__
        if key == "ScrollBar" and self.parent is not None:
            key = f"ScrollBar({self.parent.id or type(self.parent).__name__})"
        widgets[key] = widgets.get(key, 0) + time.thread_time() - started
        return result

    Widget.render_lines = render_lines_timed  # type: ignore[method-assign]
    reflow = Compositor.reflow

    def reflow_timed(self: Any, parent: Any, size: Any) -> Any:
        widgets = _state.get("widgets")
        if widgets is None:
            return reflow(self, parent, size)
        started = time.thread_time()
        result = reflow(self, parent, size)
        widgets["REFLOW"] = widgets.get("REFLOW", 0) + time.thread_time() - started
        return result

    Compositor.reflow = reflow_timed  # type: ignore[method-assign]
    _wrap(Screen, "_refresh_layout", "layout_start", "layout_end")
    _wrap(main.MainScreen, "open_article", "open_article", "open_article_end")
    _wrap(main.MainScreen, "_apply_spans", "apply_spans", "apply_spans_end")
    _wrap(worker._Worker, "ask", "ask", "ask_end")
    _wrap(finder.EntityFinder, "finish", "rules_start", "rules_end")
    ready = article_opening.ArticleOpening.on_entities_ready

    def ready_logged(self: Any, message: Any) -> None:
        log("entities_ready")
        ready(self, message)
        _state["armed"] = True
        log("entities_ready_end")

    # Where the handler is defined (on MainScreen, Textual would call both).
    article_opening.ArticleOpening.on_entities_ready = ready_logged  # type: ignore[method-assign]
    receive = worker._Worker._receive

    def receive_logged(self: Any, *args: Any) -> Any:
        message = receive(self, *args)
        log("received", message[0])
        return message

    worker._Worker._receive = receive_logged  # type: ignore[method-assign]
    reader.children._CODE = (
        "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
        "import switch_probe; switch_probe.patch_child(); "
        "from {module} import main; main(sys.argv[2:])"
    )
