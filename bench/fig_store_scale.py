"""Figure 14: the annotation store at scale, 1,000 to 100,000 annotations.

A database of N notes on 200 articles (``fig_save.build_database``, ~520 bytes of JSON
each) is built once per size and copied for each run. Measured at each size:

- **warm save**: ``add_note`` in a store already open and saved once, the median of
  several saves; each returns once the file is on disk (fsynced, renamed);
- **a command's first save**: a fresh Python process opens the store and adds one note,
  timed inside the process from before ``AnnotationStore`` opens to the note on disk (what
  every ``reader tag``/``note`` pays besides starting Python);
- **`reader note`**: the whole command, process start to exit, noting a small article.

Each is set against the same measurement on an empty database (the baseline column): the
ratio is what N annotations cost. The targets of issue 15 ("100,000 annotations") are on
the largest size: a save <= 15 ms, a first save <= 50 ms, ``reader note`` <= 0.4 s.

Once per size it also times what a first save is made of (read the file, ``json.loads``,
the checks of every document, encoding it all again), as notes under the table: they
say where a faster storage has to save.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from context import Bench
from fig_save import _articles, _target, build_database
from stats import Row, Sample

from reader.store import AnnotationStore

_FIRST_SAVE = """
import sys, time
from pathlib import Path
from reader.store import AnnotationStore, ArticleRef
ref = ArticleRef("articles/story-001.md", "%064x" % 1, "Story number 1")
target = {"position": {"start": 1, "end": 9}, "quote": {"exact": "a passage"}}
started = time.perf_counter()
with AnnotationStore(Path(sys.argv[1])) as store:
    store.add_note(ref, "A note from a fresh process.", target)
print((time.perf_counter() - started) * 1000)
"""


def _base(bench: Bench, n: int) -> Path:
    """The database of *n* notes (built on first use, then only copied)."""
    folder = bench.work / "state" / "scale-base"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"annotations-{n}.json"
    if not path.exists():
        started = time.perf_counter()
        if n:
            build_database(path, n)
        else:
            with AnnotationStore(path) as store:
                store.add_note(_articles()[0], "The only note.", _target(0))
        bench.say(
            f"store scale: built {n:,} annotations ({path.stat().st_size / 1e6:.1f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )
    return path


def _fresh_copy(bench: Bench, n: int) -> Path:
    folder = bench.work / "state" / f"scale-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / "annotations.json"
    shutil.copy(_base(bench, n), path)
    return path


def _warm_saves(path: Path, saves: int) -> list[float]:
    articles = _articles()
    times = []
    with AnnotationStore(path) as store:
        for i in range(saves + 1):
            started = time.perf_counter()
            store.add_note(articles[i % 200], f"A new note {i}.", _target(i))
            times.append((time.perf_counter() - started) * 1000)
    return times[1:]


def _first_save(bench: Bench, path: Path) -> float:
    out = subprocess.run(
        [bench.python, "-c", _FIRST_SAVE, str(path)],
        env=bench.env("scale-process"),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def _reader_note(bench: Bench, path: Path, article: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [*bench.reader, "note", "--db", str(path), str(article), "A note from the command."],
        env=bench.env("scale-process"),
        capture_output=True,
        check=True,
    )
    return (time.perf_counter() - started) * 1000


def _parts(path: Path) -> str:
    """What a first save is made of at this size, timed once (see the module docstring)."""
    from reader.store.encoder import DatabaseEncoder
    from reader.store.schema import parse_database

    started = time.perf_counter()
    raw = path.read_bytes()
    read = time.perf_counter()
    json.loads(raw)
    parsed = time.perf_counter()
    data, _ = parse_database(raw, path)
    checked = time.perf_counter()
    DatabaseEncoder().encode(data)
    encoded = time.perf_counter()
    return (
        f"{len(raw) / 1e6:.1f} MB: read {1000 * (read - started):.0f} ms, json.loads "
        f"{1000 * (parsed - read):.0f} ms, checks {1000 * (checked - parsed - (parsed - read)):.0f}"
        f" ms, encode all {1000 * (encoded - checked):.0f} ms"
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
        warm: list[float] = []
        warm_empty: list[float] = []
        first: list[float] = []
        first_empty: list[float] = []
        note: list[float] = []
        note_empty: list[float] = []
        for _ in range(bench.runs):
            # Interleaved: empty, then N, so that a busy machine slows both.
            warm_empty.extend(_warm_saves(_fresh_copy(bench, 0), saves))
            warm.extend(_warm_saves(_fresh_copy(bench, n), saves))
            first_empty.append(_first_save(bench, _fresh_copy(bench, 0)))
            first.append(_first_save(bench, _fresh_copy(bench, n)))
            note_empty.append(_reader_note(bench, _fresh_copy(bench, 0), article))
            note.append(_reader_note(bench, _fresh_copy(bench, n), article))
        parts = _parts(_fresh_copy(bench, n))
        bench.say(
            f"store scale N={n:,}: warm save {statistics.median(warm):.1f} ms, first save "
            f"{statistics.median(first):.0f} ms, reader note {statistics.median(note):.0f} ms; "
            f"{parts}"
        )
        at_target = n == largest and not bench.quick
        label = f"{n:,} stored"
        rows += [
            Row(
                "14 store",
                f"{label}, warm save (fsynced, atomic)",
                Sample(warm, "ms"),
                Sample(warm_empty, "ms"),
                "same, 1 stored",
                "value_max" if at_target else None,
                15 if at_target else None,
                n=n,
            ),
            Row(
                "14 store",
                f"{label}, a command's first save (open + add_note)",
                Sample(first, "ms"),
                Sample(first_empty, "ms"),
                "same, 1 stored",
                "value_max" if at_target else None,
                50 if at_target else None,
                n=n,
                notes=[f"what a first save is made of: {parts}"],
            ),
            Row(
                "14 store",
                f"{label}, `reader note` whole process",
                Sample(note, "ms"),
                Sample(note_empty, "ms"),
                "same, 1 stored",
                "value_max" if at_target else None,
                400 if at_target else None,
                n=n,
            ),
        ]
    return rows
