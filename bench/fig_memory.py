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

A second row, the same app left open while the background entity pass runs
(reader/ui/background.py, ``background_entities = true``): the library index warm, the
entity cache empty, no key pressed; once the pass has cached :data:`PASS_ARTICLES`
articles (or all but one of a smaller library), the resident set (VmRSS, not the peak) of
the app and its worker, summed, against the same at the first highlights of the same
session. Target: ≤ 300 MB (an hour's pass at 10,000 articles must not outgrow it).
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from context import Bench
from fig_startup import warm_up
from stats import Row, Sample
from terminal import Terminal, TerminalTimeout, peak_rss_mb

from reader.library.catalogue import CATALOGUE_FILE

#: Articles the background pass caches before the second row is read (~1-2 min).
PASS_ARTICLES = 1000


def memory(bench: Bench) -> list[Row]:
    """Figure 5 at the largest size: at the first highlights, and after the pass."""
    return [*_first_highlights(bench), *memory_pass(bench)]


def _first_highlights(bench: Bench) -> list[Row]:
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


def memory_pass(bench: Bench) -> list[Row]:
    """The app and its worker once the background pass has cached K articles."""
    n = max(bench.sizes)
    library = bench.library(n)
    k = min(PASS_ARTICLES, n - 1)
    state = f"memory-pass-{n}"
    config = bench.work / "state" / f"{state}.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    at_first, after, peaks = [], [], []
    for run in range(min(bench.runs, 3)):
        bench.clear_state(state)
        config.write_text("background_entities = false\n", encoding="utf-8")
        env = bench.env(state, READER_CONFIG=str(config))
        warm_up(bench, library, env)  # the library and search indexes, not the entities
        cache = Path(env["READER_CACHE_DIR"])
        for entry in cache.glob("*"):
            if entry.name != CATALOGUE_FILE and entry.is_dir():
                shutil.rmtree(entry)
        config.write_text("background_entities = true\n", encoding="utf-8")
        with Terminal([*bench.reader, str(library.folder)], env=env) as terminal:
            mark = terminal.mark
            terminal.wait_for(library.sidebar_marker, timeout=300)
            terminal.wait_for("PERSON", since=mark, timeout=300)
            at_first.append(tree_rss_mb(terminal.pid))
            deadline = time.monotonic() + 900
            while (done := len(list(cache.glob("*/??/*.json")))) < k + 1:  # + the first
                if time.monotonic() > deadline:
                    raise TerminalTimeout(f"the pass cached {done} of {k}")
                time.sleep(0.5)
            time.sleep(1.0)  # the last ones' entity index writes
            after.append(tree_rss_mb(terminal.pid))
            peaks.append(tree_peak_rss_mb(terminal.pid)[0])
        bench.say(
            f"memory N={n:,} pass run {run + 1}: {after[-1]:.0f} MB after {k:,} articles, "
            f"{at_first[-1]:.0f} MB at the first highlights, peak {peaks[-1]:.0f} MB"
        )
    bench.clear_state(state)
    return [
        Row(
            "5 memory",
            f"N={n:,}, after the background pass cached {k:,} articles, RSS",
            Sample(after, "MB"),
            Sample(at_first, "MB"),
            "the same session at its first highlights",
            "value_max",
            300,
            n=n,
            notes=[
                "the app and its entity worker, VmRSS summed; peak (VmHWM) summed: "
                f"{statistics.median(peaks):.0f} MB [{min(peaks):.0f}–{max(peaks):.0f}]"
            ],
        )
    ]


def tree_rss_mb(pid: int) -> float:
    """The resident set (VmRSS) of *pid* and every process under it, summed, in MB."""
    total = 0.0
    for member in [pid, *_descendants(pid)]:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:  # ended meanwhile
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024 / 1e6
    return total


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
