"""The cached switch's probe, loaded into the app by bench/probe_switch.py (PYTHONPATH).

From the Enter key event to the frame handed to Textual's writer thread, it records per
switch (one JSON line to $PROBE_TRACE): the main thread's CPU and wall time, the garbage
collector's passes in that window, each thread's CPU and run-queue wait in it
(``/proc/self/task/*/schedstat``), and, with $PROBE_PHASES ("module:Qual.name,..."), the
main thread's CPU in those functions (``name@``: when each was first entered, ms of CPU
after Enter); with $PROBE_RENDER, each widget class's ``render_widget`` CPU. Private
Textual API (pinned 8.2.8), a measuring tool only.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
from typing import Any

_path = os.environ.get("PROBE_TRACE")
_main = threading.main_thread()
_state: dict[str, Any] = {"on": False, "cpu": 0.0, "wall": 0.0, "phases": {}, "gc": []}
_open: dict[str, Any] = {}


def _sched() -> dict[int, tuple[int, int]]:
    found = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as file:
                run, wait, _ = file.read().split()
        except OSError:
            continue
        found[int(tid)] = (int(run), int(wait))
    return found


def _collected(phase: str, info: dict[str, int]) -> None:
    if not _state["on"]:
        return
    if phase == "start":
        _state["gc_start"] = (time.perf_counter(), info["generation"])
    elif "gc_start" in _state:
        started, generation = _state.pop("gc_start")
        main = threading.current_thread() is _main
        _state["gc"].append((generation, round((time.perf_counter() - started) * 1000, 3), main))


def _wrap(owner: Any, name: str, label: str) -> None:
    original = getattr(owner, name)

    def measured(*args: Any, **kwargs: Any) -> Any:
        if not _state["on"] or threading.current_thread() is not _main:
            return original(*args, **kwargs)
        started = time.thread_time()
        phases = _state["phases"]
        phases.setdefault(label + "@", (started - _state["cpu"]) * 1000)
        depth = _open.get(label, 0)
        _open[label] = depth + 1
        if depth == 0:
            _open[label + " started"] = started
        try:
            return original(*args, **kwargs)
        finally:
            _open[label] -= 1
            if depth == 0 and _state["on"]:
                phases[label] = phases.get(label, 0.0) + (time.thread_time() - started) * 1000

    setattr(owner, name, measured)


def _install_phases() -> None:
    for spec in filter(None, os.environ.get("PROBE_PHASES", "").split(",")):
        module, _, qualified = spec.partition(":")
        owner: Any = sys.modules[module]
        *path, name = qualified.split(".")
        for part in path:
            owner = getattr(owner, part)
        _wrap(owner, name, qualified)


def _install() -> None:
    import textual._styles_cache as styles_cache
    import textual.app as textual_app
    from textual.drivers import _writer_thread as writer_thread

    out = open(_path, "a")  # noqa: SIM115 (open for the app's life)
    gc.callbacks.append(_collected)
    installed = {"phases": False}
    on_event = textual_app.App.on_event

    async def probed_event(self: Any, event: Any) -> None:
        if getattr(event, "key", None) == "enter" and not _state["on"]:
            if not installed["phases"]:
                installed["phases"] = True
                _install_phases()
            _state.update(
                on=True, cpu=time.thread_time(), wall=time.perf_counter(), phases={}, gc=[]
            )
            _state["sched"] = _sched()
        await on_event(self, event)

    textual_app.App.on_event = probed_event  # type: ignore[method-assign]
    write = writer_thread.WriterThread.write

    def probed_write(self: Any, text: str) -> None:
        if _state["on"] and threading.current_thread() is _main:
            now = time.thread_time()
            for label, depth in list(_open.items()):
                if not label.endswith(" started") and depth > 0:
                    started = _open[label + " started"]
                    phases = _state["phases"]
                    phases[label] = phases.get(label, 0.0) + (now - started) * 1000
            cpu = (now - _state["cpu"]) * 1000
            wall = (time.perf_counter() - _state["wall"]) * 1000
            _state["on"] = False
            names = {t.native_id: t.name for t in threading.enumerate()}
            threads = {}
            for tid, (run, waited) in _sched().items():
                run0, waited0 = _state["sched"].get(tid, (0, 0))
                name = "MAIN" if tid == _main.native_id else names.get(tid, str(tid))
                threads[name] = (round((run - run0) / 1e6, 2), round((waited - waited0) / 1e6, 2))
            phases = {k: round(v, 3) for k, v in _state["phases"].items()}
            record = {"cpu": round(cpu, 3), "wall": round(wall, 3), "phases": phases}
            record.update(gc=_state["gc"], threads=threads)
            out.write(json.dumps(record) + "\n")
            out.flush()
        write(self, text)

    writer_thread.WriterThread.write = probed_write  # type: ignore[method-assign]
    if os.environ.get("PROBE_RENDER"):
        render_widget = styles_cache.StylesCache.render_widget

        def probed_render(self: Any, widget: Any, crop: Any) -> Any:
            if not _state["on"] or threading.current_thread() is not _main:
                return render_widget(self, widget, crop)
            started = time.thread_time()
            try:
                return render_widget(self, widget, crop)
            finally:
                name = type(widget).__name__
                if name == "ScrollBar":
                    name += " of " + type(widget.parent).__name__
                key = "render " + name
                phases = _state["phases"]
                phases[key] = phases.get(key, 0.0) + (time.thread_time() - started) * 1000

        styles_cache.StylesCache.render_widget = probed_render  # type: ignore[method-assign]


if _path:
    _install()
