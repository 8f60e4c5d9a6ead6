"""Figure 11: the live library (reader/library/watch.py) in the largest library: what it
costs to see a change, watching file events, against polling with a whole walk.

In this process, on the generated library of each size (a copy: files are written):

- **poll**: one whole walk and stat of the library finding nothing changed
  (``LibraryRescan.rescan(library, None)``), what polling would pay on every tick, against
  a bare ``os.scandir`` walk with ``DirEntry.stat()`` of the same files;
- **watch, a file added**: from writing a new article file to the workspace's library
  holding it (the event from watchfiles, then only that path read and placed in order),
  against the poll above (what one poll would pay, besides waiting up to its interval);
- **watch, idle**: the process's CPU time per second while the watch runs and nothing
  changes (the same process sleeping as long is given in the notes: often 0, no ratio).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from functools import partial
from pathlib import Path

from context import Bench
from generate import article
from stats import Row, Sample

from reader.library.watch import LibraryRescan, watch_library
from reader.settings import Settings
from reader.workspace import Workspace

IDLE_SECONDS = 2.0
"""How long the idle watch is measured, each run (quick: a quarter of it)."""


def _bare_walk(root: Path) -> int:
    """os.scandir recursively, stat of every file: the least a poll can do."""
    count = 0
    stack = [os.fspath(root)]
    while stack:
        with os.scandir(stack.pop()) as listing:
            for entry in listing:
                if entry.is_dir():
                    stack.append(entry.path)
                else:
                    entry.stat()
                    count += 1
    return count


def _changed(workspace: Workspace, seen: threading.Event, paths: set[Path]) -> None:
    """What the app's watch thread does with a change: the workspace reads it."""
    workspace.refresh_library(paths)
    seen.set()


def _cpu() -> float:
    """The process's CPU time, every thread (the watch's Rust thread included)."""
    return time.process_time()


def living(bench: Bench) -> list[Row]:
    """Figure 11 at each size: poll vs bare walk, watched add vs poll, idle watch vs sleep."""
    rows: list[Row] = []
    for n in bench.sizes:
        folder = bench.work / "state" / f"live-{n}"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(bench.library(n).folder, folder)
        workspace = Workspace(
            Settings(
                article_paths=[folder],
                db_path=bench.work / "state" / "live-db.json",
                cache_dir=bench.work / "state" / f"live-cache-{n}",
            )
        )
        rescan = LibraryRescan([folder])
        rescan.rescan(workspace.library(), None)  # learns the stats
        idle = IDLE_SECONDS / 4 if bench.quick else IDLE_SECONDS
        polls, bares, adds, idles, sleeps = [], [], [], [], []
        seen = threading.Event()
        changed = partial(_changed, workspace, seen)

        for run in range(bench.runs):
            started = time.perf_counter()
            _bare_walk(folder)
            bares.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            if rescan.rescan(workspace.library(), None):
                raise RuntimeError("the poll found changes where there were none")
            polls.append((time.perf_counter() - started) * 1000)

            before, started = _cpu(), time.perf_counter()
            threading.Event().wait(idle)  # the baseline: no watch
            sleeps.append((_cpu() - before) / (time.perf_counter() - started) * 1000)

            stop, ready = threading.Event(), threading.Event()
            watcher = threading.Thread(
                target=watch_library, args=([folder], stop, changed, ready.set), daemon=True
            )
            watcher.start()
            try:
                if not ready.wait(60):
                    raise RuntimeError("the watch did not start")
                before, started = _cpu(), time.perf_counter()
                threading.Event().wait(idle)
                idles.append((_cpu() - before) / (time.perf_counter() - started) * 1000)

                made = article(99, n + run, prefix="live-")
                seen.clear()
                started = time.perf_counter()
                (folder / made.name).write_text(made.text, encoding="utf-8")
                if not seen.wait(60):
                    raise RuntimeError("the watch did not see a file written")
                adds.append((time.perf_counter() - started) * 1000)
                if made.title not in {a.title for a in workspace.library().articles}:
                    raise RuntimeError("the file written is not in the library")
            finally:
                stop.set()
                watcher.join(10)
            bench.say(
                f"live N={n} run {run + 1}: poll {polls[-1]:.0f} ms (bare walk "
                f"{bares[-1]:.0f}), watched add {adds[-1]:.0f} ms, idle watch "
                f"{idles[-1]:.1f} CPU ms/s (sleeping {sleeps[-1]:.1f})"
            )
        rows += [
            Row(
                "11 live",
                f"poll: a whole walk and stat, N={n:,}",
                Sample(polls, "ms"),
                Sample(bares, "ms"),
                "bare os.scandir walk + stat",
                n=n,
            ),
            Row(
                "11 live",
                f"watch: a file written → in the library, N={n:,}",
                Sample(adds, "ms"),
                Sample(polls, "ms"),
                "one poll (plus up to its interval of waiting)",
                n=n,
            ),
            Row(
                "11 live",
                f"watch, idle: CPU per second, N={n:,}",
                Sample(idles, "ms/s"),
                n=n,
                # The baseline is often 0 (no ratio): given as a note.
                notes=[f"the process sleeping as long: {sleeps} CPU ms/s"],
            ),
        ]
    return rows
