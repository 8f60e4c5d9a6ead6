"""Figure 15: listing and exporting notes whose quotes are gone, against main's code.

A database of N notes on the 20 articles of a generated library, in a real store file:
each note's quote (20 to 150 characters, with its 32 characters of context) is a passage
of *another* article, at a random position, so that re-anchoring finds no exact
occurrence and runs the whole fuzzy search (reader/anchoring/fuzzy.py), which, in the end,
orphans most of them (a few land on a look-alike passage: both codes agree on which).
Measured at each size, for this tree and, as the baseline, ``main`` (``git archive``;
``READER_BENCH_STORE_BASELINE`` names another revision), each run in its own process,
interleaved:

- **`reader annotations --format json`**: the CPU time (user + sys, the machine is
  shared) of the whole command; the two codes' outputs are checked to be the same bytes.
  Main's code takes ~4 ms of CPU a note, so at 100,000 it runs once.
- **`reader export`** in every format (json, w3c, jsonl, markdown, csv) and **`reader
  annotations`** (json and text) over N notes whose quotes are in place (anchored: the
  commands' memory, not the fuzzy search): the peak resident memory of each process, and
  whether the two codes wrote the same bytes (the export time stripped). The figure
  ``export-memory`` measures these alone (``READER_BENCH_EXPORT_SIZES``, default
  ``10000,100000``), without the slow listing.

The target of the issue: `reader annotations` over 100,000 such notes in ~10 s.
``READER_BENCH_ANCHOR_SIZES`` (e.g. ``10000,100000``) changes the sizes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from pathlib import Path

from context import Bench, load_average
from fig_store_scale import _code
from stats import Row, Sample

_EXPORT_FORMATS = ("json", "w3c", "jsonl", "markdown", "csv")
"""Every export format (reader.export.formats, not imported: the baseline's may differ)."""

_BUILD = """
import random, sys
from pathlib import Path
from reader.library import read_article
from reader.store import AnnotationStore, ArticleRef

folder, path, count, gone = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
articles = [read_article(p) for p in sorted(folder.iterdir()) if p.suffix == ".txt"]
shuffled = random.Random(1)
with AnnotationStore(path) as store, store._storage.batch():
    for i in range(count):
        article = articles[i % len(articles)]
        # A quote from another article ("gone"), or from this one where it is.
        source = articles[(i + 7) % len(articles)].text if gone == "gone" else article.text
        length = shuffled.randrange(20, 150)
        at = shuffled.randrange(0, len(source) - length)
        where = shuffled.randrange(0, len(article.text) - length) if gone == "gone" else at
        target = {
            "position": {"start": where, "end": where + length},
            "quote": {
                "exact": source[at : at + length],
                "prefix": source[max(0, at - 32) : at],
                "suffix": source[at + length : at + length + 32],
            },
        }
        ref = ArticleRef(str(article.path), article.sha256, article.title)
        store.add_note(ref, f"Why this matters, note {i}.", target)
"""


def _database(bench: Bench, folder: Path, n: int, kind: str) -> Path:
    """The database of *n* notes (*kind*: quotes ``gone`` or ``anchored``), built once."""
    path = bench.work / "state" / f"anchoring-{kind}-{n}" / "annotations.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        env = bench.env("anchoring-build", PYTHONPATH=str(_code(bench, "this")))
        subprocess.run(
            [bench.python, "-c", _BUILD, str(folder), str(path), str(n), kind],
            env=env,
            cwd=bench.work,
            check=True,
        )
        bench.say(f"anchoring: {n:,} notes ({kind}) in {time.perf_counter() - started:.0f} s")
    return path


_PEAK = """
import atexit, os, runpy, sys


def peak():
    with open("/proc/self/status") as status:
        found = [line.split()[1] for line in status if line.startswith("VmHWM:")]
    with open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(found[0])


atexit.register(peak)
sys.argv = ["reader", *sys.argv[1:]]
runpy.run_module("reader", run_name="__main__", alter_sys=True)
"""
"""`python -m reader` that writes its peak resident memory (VmHWM, kB) to a file as it
exits. Not ``ru_maxrss`` from ``wait4``: a child started by vfork (as subprocess does)
counts the peak of the parent, whose memory it borrowed until its exec, so every command
measured after this process had grown (the outputs it keeps) read as that much."""


def _command(bench: Bench, which: str, *argv: str) -> tuple[float, float, bytes]:
    """Run `reader ARGV` with the code of *which*: CPU seconds, peak RSS (MB), stdout."""
    peak = bench.work / "state" / f"anchoring-peak-{which}"
    peak.unlink(missing_ok=True)
    env = bench.env(
        f"anchoring-{which}", PYTHONPATH=str(_code(bench, which)), BENCH_PEAK_FILE=str(peak)
    )
    with subprocess.Popen(
        [bench.python, "-c", _PEAK, *argv],
        env=env,
        cwd=bench.work,  # not this tree: "-c" puts the current folder first on the path
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as process:
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"reader {' '.join(argv)} failed ({which})")
    return usage.ru_utime + usage.ru_stime, int(peak.read_text()) / 1024, out


def anchoring(bench: Bench) -> list[Row]:
    """Figure 15: `reader annotations` over notes whose quotes are gone, CPU; `reader
    export` (every format) and `reader annotations` of as many anchored notes, peak
    memory; this tree against main."""
    sizes = [100, 300] if bench.quick else [10000, 100000]
    if os.environ.get("READER_BENCH_ANCHOR_SIZES"):
        sizes = [int(size) for size in os.environ["READER_BENCH_ANCHOR_SIZES"].split(",")]
    library = bench.library(20)
    library.settle()
    rows: list[Row] = []
    for n in sizes:
        gone = _database(bench, library.folder, n, "gone")
        anchored = _database(bench, library.folder, n, "anchored")
        listing = ["annotations", "--db", str(gone), "--format", "json"]
        cpu: dict[str, list[float]] = {"this": [], "main": []}
        outputs: dict[str, bytes] = {}
        main_runs = 1 if n >= 50000 else bench.runs
        for run in range(bench.runs):
            for which in ("main", "this"):
                if which == "main" and run >= main_runs:
                    continue
                seconds, _, out = _command(bench, which, *listing)
                cpu[which].append(seconds)
                outputs.setdefault(which, out)
        same = outputs["this"] == outputs["main"]
        states = json.loads(outputs["this"])
        found = [
            note.get("state")
            for article in states["articles"]
            for note in article["notes"]
            if note.get("target") is not None
        ]
        orphaned = found.count("orphaned")
        load = load_average()
        bench.say(
            f"anchoring N={n:,} (load {load}): reader annotations "
            f"{Sample(cpu['this'], 's').show()} CPU (main {Sample(cpu['main'], 's').show()}), "
            f"{orphaned:,} orphaned, outputs the same: {same}"
        )
        largest = n == max(sizes) and not bench.quick
        rows.append(
            Row(
                "15 anchoring",
                f"{n:,} notes whose quotes are gone, `reader annotations` (CPU)",
                Sample(cpu["this"], "s"),
                Sample(cpu["main"], "s"),
                "main's code",
                "value_max" if largest else None,
                10 if largest else None,
                n=n,
                notes=[
                    f"{orphaned:,} of {len(found):,} orphaned, the rest moved to a look-alike;"
                    f" the output is {'the same' if same else 'NOT the same'} as main's"
                ],
            )
        )
        rows.extend(_memory_rows(bench, n, anchored))
    return rows


_COMMANDS = {
    **{f"export {fmt}": ("export", "--format", fmt) for fmt in _EXPORT_FORMATS},
    "annotations json": ("annotations", "--format", "json"),
    "annotations text": ("annotations", "--format", "text"),
}
"""The commands whose peak memory is measured, by name (the database is added)."""

_EXPORT_TIME = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
"""The export time, which differs from one run to the next."""


def export_memory(bench: Bench) -> list[Row]:
    """Figure 15's memory rows alone: `reader export` in every format and `reader
    annotations` over N anchored notes, peak RSS, this tree against main."""
    sizes = [100, 300] if bench.quick else [10000, 100000]
    if os.environ.get("READER_BENCH_EXPORT_SIZES"):
        sizes = [int(size) for size in os.environ["READER_BENCH_EXPORT_SIZES"].split(",")]
    library = bench.library(20)
    library.settle()
    rows: list[Row] = []
    for n in sizes:
        rows.extend(_memory_rows(bench, n, _database(bench, library.folder, n, "anchored")))
    return rows


def _memory_rows(bench: Bench, n: int, anchored: Path) -> list[Row]:
    """The peak RSS of each of :data:`_COMMANDS` over *anchored* (*n* notes), this code
    against main's, interleaved run by run; the outputs compared."""
    rss: dict[tuple[str, str], list[float]] = {}
    outputs: dict[tuple[str, str], str] = {}  # digests: the outputs run to 100 MB
    for _ in range(bench.runs):
        for name, argv in _COMMANDS.items():
            for which in ("main", "this"):
                target = bench.work / "state" / f"anchoring-export-{which}"
                command = [*argv, "--db", str(anchored)]
                if argv[0] == "export":
                    command += ["-o", str(target)]
                peak, out = _command(bench, which, *command)[1:]
                if argv[0] == "export":
                    out = target.read_bytes()
                    target.unlink()
                rss.setdefault((name, which), []).append(peak)
                digest = hashlib.sha256(_EXPORT_TIME.sub(b"", out)).hexdigest()
                outputs.setdefault((name, which), digest)
                del out
    load = load_average()
    rows = []
    for name in _COMMANDS:
        this, main = Sample(rss[name, "this"], "MB"), Sample(rss[name, "main"], "MB")
        same = outputs[name, "this"] == outputs[name, "main"]
        bench.say(
            f"export memory N={n:,} (load {load}): {name} {this.show()} (main {main.show()}), "
            f"the same bytes: {same}"
        )
        rows.append(
            Row(
                "15 anchoring",
                f"{n:,} anchored notes, `reader {name}` (peak RSS)",
                this,
                main,
                "main's code",
                n=n,
                notes=[
                    f"the database file {anchored.stat().st_size / 1e6:.0f} MB; the output is "
                    f"{'the same' if same else 'NOT the same'} as main's"
                ],
            )
        )
    return rows
