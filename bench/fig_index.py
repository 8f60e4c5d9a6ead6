"""Figure 3: `reader index` throughput, against a bare ``nlp.pipe`` loop in one process.

Over the first K articles of the largest generated library (copied into their own folder),
each run times, as whole processes from start to exit (interpreter, spaCy load, reading
and recognising; for reader also planning and writing the cache):

- the baseline: bench/bare_pipe.py, ``nlp.pipe`` over the whole texts, one process;
- the stricter baseline: the same loop over the texts' paragraphs (what reader feeds the
  model; shorter docs run faster);
- `reader index --jobs 1` and `reader index --jobs 2`, each into an empty cache (each run
  ends by bringing the entity and search indexes up to date);
- that last step on its own: `reader index` again once everything is cached, the entity
  index file removed (it is built again from the cache; the search index is current),
  against the whole `--jobs 1` run.

Throughput is articles per second; targets: ``--jobs 1`` ≥ 0.9× the baseline, ``--jobs 2``
≥ 1.6× it (on 2 cores).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import time
from pathlib import Path

from context import Bench, load_average
from stats import Row, Sample


def _timed(command: list[str], env: dict[str, str], cpu: list[float] | None = None) -> float:
    """Seconds from start to exit of *command* (which must succeed); its CPU seconds (the
    whole process tree, workers included) are appended to *cpu*."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return seconds


def _subset(bench: Bench, k: int) -> Path:
    """A folder holding the first *k* articles of the largest library (hard links)."""
    source = bench.library(max(bench.sizes)).folder
    folder = bench.work / "libraries" / f"index-{k}"
    if not folder.exists():
        folder.mkdir(parents=True)
        for path in sorted(source.glob("*.txt"))[:k]:
            try:
                os.link(path, folder / path.name)
            except OSError:
                shutil.copy2(path, folder / path.name)
    return folder


def indexing(bench: Bench) -> list[Row]:
    """Figure 3: throughput of reader index -j1 and -j2 against the bare loop."""
    k = min(bench.index_articles, max(bench.sizes))
    folder = _subset(bench, k)
    bare_pipe = str(Path(__file__).with_name("bare_pipe.py"))
    env = bench.env("index")
    bare, paragraphs, one, two = [], [], [], []
    one_seconds, update_seconds, update_cpu = [], [], []
    loads = []
    cores: dict[str, list[float]] = {"bare": [], "1": [], "2": []}
    for run in range(min(bench.runs, 3)):  # ~1.5 min a run at K=400
        loads.append(load_average())
        cpu: list[float] = []
        seconds = _timed([bench.python, bare_pipe, str(folder)], env, cpu)
        bare.append(k / seconds)
        cores["bare"].append(cpu[-1] / seconds)
        if not bench.quick:
            paragraphs.append(
                k / _timed([bench.python, bare_pipe, str(folder), "--paragraphs"], env)
            )
        for jobs, into in ((1, one), (2, two)):
            bench.clear_state("index")
            env = bench.env("index")
            seconds = _timed([*bench.reader_index, str(folder), "--jobs", str(jobs)], env, cpu)
            into.append(k / seconds)
            cores[str(jobs)].append(cpu[-1] / seconds)
            if jobs == 1:
                one_seconds.append(seconds)
        # The indexes' update on its own (what reader index now ends with).
        for stale in Path(env["READER_CACHE_DIR"]).glob("entities-*.sqlite3*"):
            stale.unlink()
        update_seconds.append(_timed([*bench.reader_index, str(folder)], env, cpu))
        update_cpu.append(cpu[-1])
        bench.say(
            f"index K={k} run {run + 1}: bare {bare[-1]:.1f}/s"
            + (f", paragraphs {paragraphs[-1]:.1f}/s" if paragraphs else "")
            + f", --jobs 1 {one[-1]:.1f}/s, --jobs 2 {two[-1]:.1f}/s"
            + f", the indexes' update {update_seconds[-1]:.1f} s"
        )
    used = {name: [round(c, 2) for c in values] for name, values in cores.items()}
    notes = [
        f"load average (1, 5, 15 min) at each run: {loads}",
        f"CPUs used (CPU seconds / wall seconds) per run: bare {used['bare']}, "
        f"--jobs 1 {used['1']}, --jobs 2 {used['2']}",
    ]
    rows = [
        Row(
            "3 index",
            f"{k} articles, --jobs 1",
            Sample(one, "articles/s"),
            Sample(bare, "articles/s"),
            "bare nlp.pipe, 1 process",
            "ratio_min",
            0.9,
            n=k,
            notes=notes,
        ),
        Row(
            "3 index",
            f"{k} articles, --jobs 2",
            Sample(two, "articles/s"),
            Sample(bare, "articles/s"),
            "bare nlp.pipe, 1 process",
            "ratio_min",
            1.6,
            n=k,
            notes=notes,
        ),
    ]
    rows.append(
        Row(
            "3 index",
            f"{k} articles, the entity index built at the end of reader index (whole process)",
            Sample(update_seconds, "s"),
            Sample(one_seconds, "s"),
            "the whole --jobs 1 run",
            n=k,
            notes=[f"CPU seconds per run: {[round(c, 2) for c in update_cpu]}"],
        )
    )
    if paragraphs:
        rows.append(
            Row(
                "3 index",
                f"{k} articles, --jobs 1 (stricter baseline)",
                Sample(one, "articles/s"),
                Sample(paragraphs, "articles/s"),
                "bare nlp.pipe over paragraphs",
                n=k,
            )
        )
    return rows
