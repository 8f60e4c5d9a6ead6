"""Figure 14: the annotation store at scale, 1,000 to 100,000 annotations, against main's.

A database of N notes on 200 articles (~520 bytes of JSON each) is built once per size
and per store, and copied for each run. Measured at each size, for the store of this
tree and, as the baseline, the store of the ``main`` branch (``git archive``, so both are
measured in the same run; ``--store-baseline`` in the environment variable
``READER_BENCH_STORE_BASELINE`` names another revision):

- **warm save**: ``add_note`` in a store already open and saved once, the median of
  several saves; each returns once the change is on disk (fsynced);
- **a command's first save**: a fresh Python process opens the store and adds one note,
  timed inside the process from before ``AnnotationStore`` opens to the note on disk (what
  every ``reader tag``/``note`` pays besides starting Python);
- **`reader note`**: the whole command, process start to exit, noting a small article;
- **the app's first frame**: `reader` on a library of 100 articles in a pty
  (bench/terminal.py), start to the frame that lists them, with this database, against
  the same app with no database (the target's baseline), and main's app on the same;
- **memory**: the resident memory a process gains by opening the store read-only and
  reading one article's annotations (all of them read), against the file's size; and the
  app's resident memory once quiet (its annotations read), less the app's with no
  database.

Every measurement runs in its own process with ``PYTHONPATH`` set to the code measured.
The copies of the database are made before a size's runs, with the files this tree's
store keeps beside it (``.journal``, ``.summary``), then left 2 s and opened once (a
command, as any that ran since the file was last written whole, has then checked the
summary's stamp: see reader/store/summary.py); a note says what a command pays when it is
the first after the file was copied or rewritten (the file's CRC read once).

The targets of issue 15 ("100,000 annotations") are on the largest size: a save <= 15 ms,
a first save <= 50 ms, ``reader note`` <= 0.4 s, the app's first frame <= 1.2x the
empty-database start, memory <= 2x the file; at 10,000 nothing slower than main.
``READER_BENCH_STORE_SIZES`` (e.g. ``1000,10000,100000,300000``) changes the sizes.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tarfile
import time
from io import BytesIO
from pathlib import Path

from context import ROOT, Bench, load_average
from stats import Row, Sample
from terminal import Terminal

MEMORY_FROM = 10_000
"""The app's memory over no database is reported from this many annotations (~14 MB);
below it, what the annotations add (~2 MB at 1,000, nothing at 100) is within the run-to-run
noise of two apps' RSS, and a difference can come out at or below zero."""

_SCRIPT = """
import json, sys, time
from pathlib import Path
from reader.store import AnnotationStore, ArticleRef

def target(i):
    return {
        "position": {"start": 100 + i, "end": 160 + i},
        "quote": {
            "exact": f"a passage of the article that the reader highlighted, number {i}",
            "prefix": "the words just before it ",
            "suffix": " and the words after it",
        },
    }

articles = [
    ArticleRef(f"articles/story-{a:03}.md", f"{a:064x}", f"Story number {a}") for a in range(200)
]
mode, path, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
import reader
if not reader.__file__.startswith(sys.argv[4]):
    sys.exit(f"measuring {reader.__file__}, not the code in {sys.argv[4]}")
if mode == "build":  # one save for all of them, as the store's own bench does
    with AnnotationStore(path) as store, store._storage.batch():
        for i in range(max(count, 1)):
            store.add_note(articles[i % 200], f"Why this matters, note {i}.", target(i))
elif mode == "first":
    started = time.perf_counter()
    with AnnotationStore(path) as store:
        store.add_note(articles[1], "A note from a fresh process.", target(1))
    print(json.dumps([(time.perf_counter() - started) * 1000]))
elif mode == "warm":
    times = []
    with AnnotationStore(path) as store:
        for i in range(count + 1):
            started = time.perf_counter()
            store.add_note(articles[i % 200], f"A new note {i}.", target(i))
            times.append((time.perf_counter() - started) * 1000)
    print(json.dumps(times[1:]))
elif mode == "settle":
    AnnotationStore(path).close()
elif mode == "memory":
    def rss():
        status = dict(
            line.split(":", 1) for line in open("/proc/self/status").read().splitlines()
        )
        return [int(status[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")]
    before = rss()[0]
    started = time.perf_counter()
    with AnnotationStore(path, read_only=True) as store:
        store.annotations(articles[1].sha256)
        opened = time.perf_counter()
        now, peak = rss()
    print(json.dumps([now - before, peak - before, path.stat().st_size / 1e6, opened - started]))
"""


def _code(bench: Bench, which: str) -> Path:
    """The folder whose ``reader`` package is measured: this tree, or main's store."""
    if which == "this":
        return bench.reader_path or ROOT
    folder = bench.work / "store-baseline"
    if not (folder / "reader").exists():
        revision = os.environ.get("READER_BENCH_STORE_BASELINE", "main")
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "reader"],
            capture_output=True,
            check=True,
        ).stdout
        folder.mkdir(parents=True, exist_ok=True)
        styles = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "styles"],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=BytesIO(styles)) as tar:  # the app reads them
            tar.extractall(folder, filter="data")
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        bench.say(f"store scale: the baseline is the store of {revision}")
    return folder


def _run(bench: Bench, which: str, *args: object) -> list[float]:
    code = _code(bench, which)
    env = bench.env("scale-process", PYTHONPATH=str(code))
    out = subprocess.run(
        [bench.python, "-c", _SCRIPT, *map(str, args), str(code)],
        env=env,
        cwd=bench.work,  # not this tree: "-c" puts the current folder first on the path
        capture_output=True,
        text=True,
        check=True,
    )
    return [float(value) for value in json.loads(out.stdout or "[]")]


def _base(bench: Bench, which: str, n: int) -> Path:
    """The database of *n* notes for one store (built on first use, then only copied)."""
    folder = bench.work / "state" / f"scale-base-{which}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"annotations-{n}.json"
    if not path.exists():
        started = time.perf_counter()
        _run(bench, which, "build", path, n)
        bench.say(
            f"store scale: built {n:,} annotations for {which} "
            f"({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
    return path


def _copy(bench: Bench, which: str, n: int, label: str) -> Path:
    """A copy of the database of *n* notes, with the files beside it."""
    base = _base(bench, which, n)
    folder = bench.work / "state" / f"scale-{which}-{n}-{label}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / "annotations.json"
    for suffix in ("", ".journal", ".summary"):
        source = base.with_name(base.name + suffix)
        if source.exists():
            shutil.copy(source, path.with_name(path.name + suffix))
    return path


def _copies(bench: Bench, n: int, labels: list[str]) -> dict[tuple[str, str], Path]:
    """Copies for each store and label, left 2 s and then opened once each (see the
    module docstring)."""
    made = {
        (which, label): _copy(bench, which, n, label)
        for which in ("main", "this")
        for label in labels
    }
    time.sleep(2.1)
    for (which, _), path in made.items():
        if which == "this":  # main's store keeps no summary
            _run(bench, which, "settle", path, 0)
    return made


def _reader_note(bench: Bench, which: str, path: Path, article: Path) -> float:
    env = bench.env("scale-process", PYTHONPATH=str(_code(bench, which)))
    started = time.perf_counter()
    subprocess.run(
        [bench.python, "-m", "reader", "note", "--db", str(path), str(article), "A note."],
        env=env,
        cwd=bench.work,
        capture_output=True,
        check=True,
    )
    return (time.perf_counter() - started) * 1000


def _first_frame(bench: Bench, which: str, db: Path | None) -> tuple[float, float]:
    """The app of *which* on the 100-article library with the database *db* (None: none):
    milliseconds to the frame listing the articles, and its resident MB once quiet."""
    library = bench.library(100)
    if db is None:  # a new one each time: the app may write reading positions
        db = bench.work / "state" / "scale-none" / "annotations.json"
        shutil.rmtree(db.parent, ignore_errors=True)
    env = bench.env(f"scale-app-{which}", reader_path=_code(bench, which), READER_DB=str(db))
    command = [bench.python, "-m", "reader", str(library.folder)]
    # Not from this tree: "-m" puts the current folder first on the path.
    with Terminal(command, env=env, cwd=bench.work) as terminal:
        painted = terminal.wait_for(library.sidebar_marker, timeout=180)
        terminal.wait_quiet(1.0, timeout=180)  # the panel's loading indicator stops
        status = Path(f"/proc/{terminal.pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return (painted - terminal.started) * 1000, rss / 1024


def store_scale(bench: Bench) -> list[Row]:
    """Figure 14: warm save, a command's first save, `reader note`, the app's first frame
    and memory at each size."""
    sizes = [100, 1000] if bench.quick else [1000, 10000, 100000]
    if os.environ.get("READER_BENCH_STORE_SIZES"):
        sizes = [int(size) for size in os.environ["READER_BENCH_STORE_SIZES"].split(",")]
    largest = max(sizes)
    article = bench.work / "state" / "scale-article" / "story.md"
    article.parent.mkdir(parents=True, exist_ok=True)
    article.write_text("# A story\n\nA short article that the command notes.\n")
    library = bench.library(100)
    library.settle()
    for which in ("main", "this"):  # the entity cache warmed, the catalogue written
        _first_frame(bench, which, None)
    rows: list[Row] = []
    for n in sizes:
        saves = 10 if n >= 100000 else 25
        keys = ("warm", "first", "note", "note_none", "frame", "frame_none", "rss", "rss_none")
        got: dict[str, dict[str, list[float]]] = {
            which: {key: [] for key in keys} for which in ("main", "this")
        }
        unsettled: list[float] = []
        for _ in range(bench.runs):
            copies = _copies(bench, n, ["warm", "first", "note", "app"])
            for which in ("main", "this"):  # interleaved, so that a busy machine slows both
                mine = got[which]
                mine["warm"] += _run(bench, which, "warm", copies[which, "warm"], saves)
                mine["first"] += _run(bench, which, "first", copies[which, "first"], 0)
                mine["note"].append(_reader_note(bench, which, copies[which, "note"], article))
                none = bench.work / "state" / "scale-note-none" / "annotations.json"
                shutil.rmtree(none.parent, ignore_errors=True)
                mine["note_none"].append(_reader_note(bench, which, none, article))
                frame, rss = _first_frame(bench, which, copies[which, "app"])
                none_frame, none_rss = _first_frame(bench, which, None)
                mine["frame"].append(frame)
                mine["rss"].append(rss - none_rss)
                mine["frame_none"].append(none_frame)
                mine["rss_none"].append(none_rss)
            unsettled += _run(bench, "this", "first", _copy(bench, "this", n, "unsettled"), 0)
        memory = {
            which: _run(bench, which, "memory", _copy(bench, which, n, "mem"), 0)
            for which in ("main", "this")
        }
        this, main = got["this"], got["main"]
        load = load_average()
        bench.say(
            f"store scale N={n:,} (load {load}): warm save {statistics.median(this['warm']):.1f}"
            f" ms (main {statistics.median(main['warm']):.1f}), first save "
            f"{statistics.median(this['first']):.0f} ms (main "
            f"{statistics.median(main['first']):.0f}; the first after a copy "
            f"{statistics.median(unsettled):.0f}), reader note "
            f"{statistics.median(this['note']):.0f} ms (main "
            f"{statistics.median(main['note']):.0f}), first frame "
            f"{statistics.median(this['frame']):.0f} ms (no db "
            f"{statistics.median(this['frame_none']):.0f}, main "
            f"{statistics.median(main['frame']):.0f}), app +"
            f"{statistics.median(this['rss']):.0f} MB (main +"
            f"{statistics.median(main['rss']):.0f}); store "
            f"+{memory['this'][0]:.0f} MB peak +{memory['this'][1]:.0f} (main "
            f"+{memory['main'][0]:.0f} peak +{memory['main'][1]:.0f}), file "
            f"{memory['this'][2]:.1f} MB, opened in {memory['this'][3]:.2f} s (main "
            f"{memory['main'][3]:.2f} s)"
        )
        at_target = n == largest and not bench.quick
        label = f"{n:,} stored"
        cases = [
            ("warm", "warm save (fsynced)", 15),
            ("first", "a command's first save (open + add_note)", 50),
            ("note", "`reader note` whole process", 400),
        ]
        for key, what, limit in cases:
            rows.append(
                Row(
                    "14 store",
                    f"{label}, {what}",
                    Sample(this[key], "ms"),
                    Sample(main[key], "ms"),
                    "main's store",
                    "value_max" if at_target else None,
                    limit if at_target else None,
                    n=n,
                    notes=[
                        f"the first command after the file was copied or rewritten: "
                        f"{statistics.median(unsettled):.0f} ms (its CRC read once)"
                    ]
                    if key == "first"
                    else [
                        "the same command on a new database (Python, imports, the article): "
                        f"{Sample(this['note_none'], 'ms').show()} (main "
                        f"{Sample(main['note_none'], 'ms').show()})"
                    ]
                    if key == "note"
                    else [],
                )
            )
        rows.append(
            Row(
                "14 store",
                f"{label}, the app's first frame (100 articles listed)",
                Sample(this["frame"], "ms"),
                Sample(this["frame_none"], "ms"),
                "the same app, no database",
                "ratio_max" if at_target else None,
                1.2 if at_target else None,
                n=n,
                notes=[f"main's app with this database: {Sample(main['frame'], 'ms').show()}"],
            )
        )
        if n < MEMORY_FROM:
            continue  # what n annotations add is below the apps' own RSS noise: no figure
        rows.append(
            Row(
                "14 store",
                f"{label}, the app's memory once its annotations are read (RSS over no db)",
                Sample(this["rss"], "MB"),
                Sample(main["rss"], "MB"),
                "main's app",
                "value_max" if at_target else None,
                round(2 * memory["this"][2], 1) if at_target else None,
                n=n,
                notes=[
                    f"the store alone: +{memory['this'][0]:.0f} MB resident, peak "
                    f"+{memory['this'][1]:.0f} MB (main +{memory['main'][0]:.0f}, peak "
                    f"+{memory['main'][1]:.0f}); the file {memory['this'][2]:.1f} MB"
                ],
            )
        )
    return rows
