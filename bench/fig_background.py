"""Figure 16: the entities found in the background while the user rests
(reader/ui/background.py), in the real app in a pty.

- **throughput**: the app on the first K articles of the largest library (a fresh cache),
  left alone: the rate at which the pass writes the entity cache, from its first file to
  its last (the cache files' times; the first article, opened at start by the user's
  side, loads the model and is left out), against `reader index --jobs 1`'s code on the
  same articles in this process (``precompute._index_here``, the model loaded first, as
  the app's worker has it by then), in the same run. Articles per second; the ratio is
  the price of pieces of ~3,000 characters that wait for the user (and of the rules and
  the entity index the app writes per article).
- **switch while busy**: the uncached switch of figure 2 (Enter to the frame whose entity
  panel lists the article's first entity, on bench/fig_switch.py's twelve articles), but
  landing while the pass is busy: the cursor rests :data:`RESTED` s on a cached article
  (the pass starts after 2 s and takes the uncached one below it), then ``k`` and Enter
  open the uncached one above. Against the same keys and waits with the pass off (the
  config file's ``background_entities = false``), sessions taking turns going first;
  medians of every switch, the ratio of the runs' medians. The worker's CPU in the rest
  before each Enter is noted (the pass was busy: > 0).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from context import Bench
from fig_index import _subset
from fig_memory import _descendants, tree_peak_rss_mb
from fig_switch import QUIET, SwitchArticle, prepare
from stats import Row, Sample
from terminal import Terminal, TerminalTimeout, thread_times_ms

from reader.entities.cache import EntityCache
from reader.entities.engines.spacy_engine import SpacyEngine

#: Articles the throughput is measured on.
K = 24
#: Seconds the cursor rests before ``k`` and Enter: the pass starts after 2 s (and looks
#: every 0.1 s), so its first pieces are in flight by then.
RESTED = 2.15
#: (target, cursor, filler) rows of the twelve: the cursor's is cached, the filler below
#: it is what the pass takes first, the target above it is what the user opens.
TRIPLES = ((1, 2, 3), (4, 5, 6), (7, 8, 9))


def _config(bench: Bench, state: str, on: bool) -> Path:
    path = bench.work / "state" / state / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"background_entities = {'true' if on else 'false'}\n", encoding="utf-8")
    return path


def _entries(cache_dir: Path) -> list[Path]:
    return list(cache_dir.glob("*/??/*.json"))


def _app_rate(bench: Bench, folder: Path, k: int, peaks: list[float]) -> float:
    """Articles per second the app's pass caches, first to last of its files; the process
    tree's peak memory once it is through is appended to *peaks*."""
    state = "background-rate"
    bench.clear_state(state)
    env = bench.env(state, READER_CONFIG=str(_config(bench, state, True)))
    cache_dir = bench.work / "state" / state / "cache"
    with Terminal([*bench.reader, str(folder)], env=env) as terminal:
        deadline = time.monotonic() + 600
        while len(_entries(cache_dir)) < k:
            if time.monotonic() > deadline:
                raise TerminalTimeout(f"the pass cached {len(_entries(cache_dir))} of {k}")
            time.sleep(0.2)
        time.sleep(1.0)  # the entity index and search index writes of the last ones
        peaks.append(tree_peak_rss_mb(terminal.pid)[0])
    times = sorted(p.stat().st_mtime for p in _entries(cache_dir))[1:]  # the first: opened
    return (len(times) - 1) / (times[-1] - times[0])


def _index_rate(bench: Bench, folder: Path) -> float:
    """Articles per second of `reader index --jobs 1`'s loop (model loaded first)."""
    from reader.entities import precompute
    from reader.settings import Settings
    from reader.workspace import Workspace

    state = "background-index"
    bench.clear_state(state)
    root = bench.work / "state" / state
    settings = Settings(article_paths=[folder], db_path=root / "db.json", cache_dir=root / "c")
    workspace = Workspace(settings, model_in_process=True)
    try:
        work = precompute.plan(workspace)
        engine = precompute._engine(workspace)
        engine.load()
        report = precompute.IndexRun()
        cache = precompute._cache(workspace)
        started = time.perf_counter()
        precompute._index_here(engine, work, cache, report, precompute.BATCH_SIZE, lambda _: None)
        seconds = time.perf_counter() - started
    finally:
        workspace.close()
    return report.done / seconds


def _worker_pid(app_pid: int) -> int | None:
    for pid in _descendants(app_pid):
        try:
            if b"worker_child" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    return None


def _switches(
    bench: Bench, articles: list[SwitchArticle], on: bool
) -> tuple[list[float], list[float], list[int]]:
    """One session on the twelve: ms from Enter to each target's entities, the worker's
    CPU ms in the rest before each Enter, and the targets cached before Enter (hits)."""
    state = f"background-switch-{'on' if on else 'off'}"
    bench.clear_state(state)
    env = bench.env(state, READER_CONFIG=str(_config(bench, state, on)))
    cache = EntityCache(bench.work / "state" / state / "cache")
    info = SpacyEngine().info
    for _, cursor, _ in TRIPLES:
        item = articles[cursor]
        cache.put(item.article.sha256, info, item.model_spans)
    folder = articles[0].article.path.parent
    shown, busy, hits = [], [], []
    with Terminal([*bench.reader, str(folder)], env=env) as terminal:
        # Keys every 0.5 s until the first article's entities are shown (the model loaded)
        # and a while after (the search index built): the pass never runs before the
        # first rest below.
        deadline = time.monotonic() + 300
        while True:
            terminal.press("\x1b")
            try:
                terminal.wait_for(articles[0].marker, timeout=0.5)
                break
            except TerminalTimeout:
                if time.monotonic() > deadline:
                    raise
        for _ in range(8):
            terminal.press("\x1b")
            time.sleep(0.5)
        worker = _worker_pid(terminal.pid)
        for target, cursor, _ in TRIPLES:
            terminal.press("\x1b")  # to the list (alone: ESC and a key are Alt+key)
            terminal.wait_quiet(QUIET)
            terminal.press("g" + "j" * cursor)
            rested = thread_times_ms(worker)[0] if worker else 0.0
            time.sleep(RESTED)
            if worker:
                busy.append(thread_times_ms(worker)[0] - rested)
            mark = terminal.mark
            terminal.press("k")
            entered = time.time()
            pressed = terminal.press("\r")
            seen = terminal.wait_for(articles[target].marker, since=mark, timeout=120)
            shown.append((seen - pressed) * 1000)
            terminal.wait_quiet(QUIET)
            written = cache._file(articles[target].article.sha256, info)
            if written.stat().st_mtime < entered:  # the pass got there first: not a miss
                hits.append(target)
    return shown, busy, hits


def background(bench: Bench) -> list[Row]:
    """Figure 16: the pass's throughput against `reader index -j1`, and the uncached
    switch landing while it is busy against the pass off."""
    k = min(K, max(bench.sizes))
    folder = _subset(bench, k)
    bench.library(max(bench.sizes)).settle()
    app_rates, index_rates, peaks = [], [], []
    for run in range(min(bench.runs, 3)):
        first_app = run % 2 == 0
        if first_app:
            app_rates.append(_app_rate(bench, folder, k, peaks))
        index_rates.append(_index_rate(bench, folder))
        if not first_app:
            app_rates.append(_app_rate(bench, folder, k, peaks))
        bench.say(
            f"background K={k} run {run + 1}: the pass {app_rates[-1]:.2f} articles/s, "
            f"reader index -j1 {index_rates[-1]:.2f}"
        )
    articles = prepare(bench)
    on_ms, off_ms, busy_ms, hits = [], [], [], []
    for run in range(bench.runs):
        order = (True, False) if run % 2 == 0 else (False, True)
        for on in order:
            shown, busy, cached = _switches(bench, articles, on)
            (on_ms if on else off_ms).append(statistics.median(shown))
            if on:
                busy_ms += busy
                hits += cached
        bench.say(
            f"background switch run {run + 1}: pass busy {on_ms[-1]:.0f} ms, pass off "
            f"{off_ms[-1]:.0f} ms"
        )
    words = statistics.mean(articles[t].article.word_count for t, _, _ in TRIPLES)
    return [
        Row(
            "16 background",
            f"K={k}, the pass's throughput (cache writes, first to last)",
            Sample(app_rates, "articles/s"),
            Sample(index_rates, "articles/s"),
            "reader index --jobs 1's loop, model loaded",
            notes=[
                "peak RSS of the app and its worker, summed, once the pass is through: "
                f"median {statistics.median(peaks):.0f} MB [{min(peaks):.0f}–{max(peaks):.0f}]"
            ],
        ),
        Row(
            "16 background",
            f"uncached switch landing while the pass is busy, {words:,.0f}-word article",
            Sample(on_ms, "ms"),
            Sample(off_ms, "ms"),
            "the same keys, the pass off",
            notes=[
                "worker CPU in the 2.15 s rest before Enter (pass on): median "
                f"{statistics.median(busy_ms) if busy_ms else float('nan'):.0f} ms",
                f"targets the pass had cached before Enter (not misses): {len(hits)} of "
                f"{len(TRIPLES) * bench.runs}",
            ],
        ),
    ]
