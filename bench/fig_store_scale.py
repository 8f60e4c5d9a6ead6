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
- **`reader note`**: the whole command, process start to exit, noting a small article.

Every measurement runs in its own process with ``PYTHONPATH`` set to the code measured.
The targets of issue 15 ("100,000 annotations") are on the largest size: a save <= 15 ms,
a first save <= 50 ms, ``reader note`` <= 0.4 s; at 10,000 nothing slower than main.
Once per size it also times, for this tree, what opening the file is made of (read,
``json.loads``, everything else), as notes under the table.
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

from context import ROOT, Bench
from stats import Row, Sample

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
elif mode == "parts":
    from reader.store.schema import parse_database
    started = time.perf_counter()
    raw = path.read_bytes()
    read = time.perf_counter()
    json.loads(raw)
    parsed = time.perf_counter()
    with AnnotationStore(path, read_only=True) as store:
        pass
    opened = time.perf_counter()
    print(json.dumps([len(raw), read - started, parsed - read, opened - parsed]))
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


def _fresh_copy(bench: Bench, which: str, n: int) -> Path:
    folder = bench.work / "state" / f"scale-{which}-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / "annotations.json"
    shutil.copy(_base(bench, which, n), path)
    return path


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


def _parts(bench: Bench, n: int) -> str:
    size, read, parsed, opened = _run(bench, "this", "parts", _fresh_copy(bench, "this", n), 0)
    return (
        f"{size / 1e6:.1f} MB: read {1000 * read:.0f} ms, json.loads {1000 * parsed:.0f} ms; "
        f"opening the store {1000 * opened:.0f} ms in all"
    )


def store_scale(bench: Bench) -> list[Row]:
    """Figure 14: warm save, a command's first save and `reader note` at each size."""
    sizes = [100, 1000] if bench.quick else [1000, 10000, 100000]
    largest = max(sizes)
    article = bench.work / "state" / "scale-article" / "story.md"
    article.parent.mkdir(parents=True, exist_ok=True)
    article.write_text("# A story\n\nA short article that the command notes.\n")
    rows: list[Row] = []
    for n in sizes:
        saves = 10 if n >= 100000 else 25
        got: dict[str, dict[str, list[float]]] = {
            which: {"warm": [], "first": [], "note": []} for which in ("main", "this")
        }
        for _ in range(bench.runs):
            for which in ("main", "this"):  # interleaved, so that a busy machine slows both
                got[which]["warm"] += _run(
                    bench, which, "warm", _fresh_copy(bench, which, n), saves
                )
                got[which]["first"] += _run(bench, which, "first", _fresh_copy(bench, which, n), 0)
                got[which]["note"].append(
                    _reader_note(bench, which, _fresh_copy(bench, which, n), article)
                )
        parts = _parts(bench, n)
        this, main = got["this"], got["main"]
        bench.say(
            f"store scale N={n:,}: warm save {statistics.median(this['warm']):.1f} ms (main "
            f"{statistics.median(main['warm']):.1f}), first save "
            f"{statistics.median(this['first']):.0f} ms (main "
            f"{statistics.median(main['first']):.0f}), reader note "
            f"{statistics.median(this['note']):.0f} ms (main "
            f"{statistics.median(main['note']):.0f}); {parts}"
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
                    notes=[f"opening the file: {parts}"] if key == "first" else [],
                )
            )
    return rows
