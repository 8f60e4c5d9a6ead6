"""Figure 5: peak memory of `reader` with the largest library open and spaCy loaded.

`reader LIBRARY` runs in a pty with a warm library index and an empty entity cache, so the
first article's entities make it load and run spaCy. Once its highlights are on screen
(the legend lists PERSON) and the app is idle, the peak resident set size (VmHWM in /proc)
of the process tree is read: the app, its entity worker process (where spaCy runs) and
any other process under it (multiprocessing's resource tracker, before the worker was
started without multiprocessing), summed (each one's peak: a bound on the tree's peak,
never below it). The baseline is bench/bare_app.py listing the same titles and running
the same pipeline on the same first article (``--spacy``) in one process, read the same
way. Target: ≤ 300 MB.
"""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

from context import Bench
from fig_startup import warm_up
from stats import Row, Sample
from terminal import Terminal, peak_rss_mb

from reader.library.catalogue import CATALOGUE_FILE


def memory(bench: Bench) -> list[Row]:
    """Figure 5 at the largest size."""
    n = max(bench.sizes)
    library = bench.library(n)
    first_article = next(iter(sorted(library.folder.glob("*.txt"))))
    from pipeline import pipeline_name

    bare_command = [
        *bench.bare_app(library.manifest),
        *("--spacy", str(first_article), "--model", pipeline_name()),
    ]
    state = f"memory-{n}"
    bench.clear_state(state)
    env = bench.env(state)
    warm_up(bench, library, env)  # the library index
    cache = Path(env["READER_CACHE_DIR"])
    reader, bare = [], []
    by_role: dict[str, list[float]] = {}
    for run in range(bench.runs):
        with Terminal(bare_command, env=env) as terminal:
            terminal.wait_for("spaCy ready", timeout=300)
            terminal.wait_quiet(0.5)
            bare.append(tree_peak_rss_mb(terminal.pid)[0])
        for entry in cache.glob("*"):  # forget the entities, keep the library index
            if entry.name != CATALOGUE_FILE and entry.is_dir():
                shutil.rmtree(entry)
        with Terminal([*bench.reader, str(library.folder)], env=env) as terminal:
            mark = terminal.mark
            terminal.wait_for(library.sidebar_marker, timeout=300)
            terminal.wait_for("PERSON", since=mark, timeout=300)
            terminal.wait_quiet(0.5)
            total, parts = tree_peak_rss_mb(terminal.pid)
            reader.append(total)
            for name, mb in parts:
                by_role.setdefault(name, []).append(mb)
        each = " + ".join(f"{name} {mb:.0f}" for name, mb in parts)
        bench.say(
            f"memory N={n:,} run {run + 1}: reader {reader[-1]:.0f} MB ({each}), "
            f"bare {bare[-1]:.0f} MB"
        )
    return [
        Row(
            "5 memory",
            f"N={n:,}, spaCy loaded, peak RSS",
            Sample(reader, "MB"),
            Sample(bare, "MB"),
            "bare app + same spaCy",
            "value_max",
            300,
            n=n,
            notes=[
                "reader: the app, its entity worker and resource tracker, summed; each: "
                + ", ".join(
                    f"{name} {statistics.median(mbs):.0f} MB [{min(mbs):.0f}–{max(mbs):.0f}]"
                    for name, mbs in by_role.items()
                )
            ],
        )
    ]


def tree_peak_rss_mb(pid: int) -> tuple[float, list[tuple[str, float]]]:
    """The peak RSS of *pid* and every process under it, summed, in MB; and each one's."""
    parts = []
    for member in [pid, *_descendants(pid)]:
        try:
            parts.append((_role(member), peak_rss_mb(member)))
        except (OSError, RuntimeError):  # ended meanwhile
            continue
    return sum(mb for _, mb in parts), parts


def _descendants(pid: int) -> list[int]:
    """The processes under *pid*, found by their parent ids in /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _role(pid: int) -> str:
    """What a process of the tree is, for the log line."""
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    if "resource_tracker" in command:
        return "resource tracker"
    if "spawn_main" in command or "worker_child" in command:
        return "entity worker"
    return "app"
