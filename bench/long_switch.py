"""A switch to a long article: what it costs the screen's thread, under Pilot.

    PYTHONPATH=. python bench/long_switch.py [--words 1000 2000 5000 10000 16000 19900]
        [--runs 6] [--work DIR] [--profile WORDS]

The real app under Textual's Pilot (headless: each frame is composed and rendered, not
written to a terminal), at 120x40, on a library of generated ``.txt`` articles of those
word counts (bench/generate.py; the ~1,000-word one is figure 2's ordinary switch; 19,900
is the longest the screen's thread wrapped before 8,000 was the limit), their entities in
the cache (the real en_core_web_md, found once into DIR). Each run is a new app (a warm
start: the catalogue known, no text read; the collector tuned and the startup objects
frozen as the `reader` command does, ``tune_gc``) that opens each article once with Enter, its
row highlighted just before (the list's look-ahead kept out: PREPARE_AFTER an hour).

Measured, as the main thread's CPU (``time.thread_time``: the workers' threads left out):
from just before Enter to Pilot's ``pause`` after it (Pilot's own work included); in
``MainScreen.open_article`` alone; and the longest step of the event loop (one callback,
which the screen cannot interrupt to take a key) from Enter until the article's workers
are done (its text, its entities) and 50 ms after. Every other run measures the
look-ahead instead (``NextArticle._prepare``: what the screen's thread does once the
cursor rests on an article 0.1 s) on each article before it is opened. Medians and
ranges: switches from runs 1, 3, 5…, look-aheads from runs 2, 4, 6…. ``--profile
WORDS`` prints a cProfile of that article's switch in the first run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import statistics
import time
from pathlib import Path
from typing import Any

from generate import article

from reader.library import catalogue
from reader.settings import Settings

SIZE = (120, 40)


def write_library(work: Path, sizes: list[int]) -> Settings:
    folder = work / "library"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"{index:02d}-{words:06d}.txt" for index, words in enumerate(sizes)}
    for old in folder.iterdir():
        if old.name not in wanted:
            old.unlink()
    for index, words in enumerate(sizes):
        made = article(11, index, words)
        path = folder / f"{index:02d}-{words:06d}.txt"
        if not path.exists():
            path.write_text(made.text, encoding="utf-8")
    settings = Settings(article_paths=[folder], db_path=work / "db.json", cache_dir=work / "cache")
    from reader.workspace import Workspace

    workspace = Workspace(settings, model_in_process=True)
    for found in workspace.library().articles:  # entities cached once (the model: seconds)
        workspace.finder.find(found.sha256, found.text)
    workspace.close()
    return settings


async def one_run(
    settings: Settings, profile: int | None, lookahead: bool
) -> dict[str, dict[str, float]]:
    import reader.ui.next_article
    from reader.ui.app import build_app
    from reader.ui.screens.main import MainScreen
    from reader.ui.widgets.article_list import ArticleList

    reader.ui.next_article.PREPARE_AFTER = 3600.0
    thresholds = gc.get_threshold()
    opened: dict[str, float] = {}
    original = MainScreen.open_article

    def timed(self: MainScreen, item: Any, mark_at: int | None = None) -> None:
        started = time.thread_time()
        original(self, item, mark_at)
        opened[item.path.name] = (time.thread_time() - started) * 1000

    MainScreen.open_article = timed  # type: ignore[method-assign]
    steps = {"on": 0.0, "longest": 0.0}
    run_handle = asyncio.events.Handle._run

    def step(handle: asyncio.events.Handle) -> None:
        if not steps["on"]:
            return run_handle(handle)  # type: ignore[no-any-return]
        begun = time.thread_time()
        try:
            return run_handle(handle)  # type: ignore[no-any-return]
        finally:
            steps["longest"] = max(steps["longest"], (time.thread_time() - begun) * 1000)

    asyncio.events.Handle._run = step  # type: ignore[method-assign]
    found: dict[str, dict[str, float]] = {}
    ahead: dict[str, float] = {}
    app = build_app(settings, tune_gc=True)  # as the `reader` command: frozen at start
    try:
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(20):
                await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            screen = app.screen
            assert isinstance(screen, MainScreen)
            articles = screen.query_one(ArticleList)
            names = sorted(a.path.name for a in screen.library.articles)  # type: ignore[union-attr]
            # The first opened at start is the first: start on the last, then go through.
            for name in [names[-1], *names[:-1]]:
                item = next(a for a in screen.library.articles if a.path.name == name)  # type: ignore[union-attr]
                articles.show_article(item.id)
                articles.focus()
                await pilot.pause(0.05)
                await app.workers.wait_for_complete()
                words = int(name.split("-")[1].split(".")[0])
                profiler = cProfile.Profile() if profile == words else None
                started = time.thread_time()
                steps.update(on=1.0, longest=0.0)
                if profiler:
                    profiler.enable()
                await pilot.press("enter")
                await pilot.pause()
                frame = (time.thread_time() - started) * 1000
                await app.workers.wait_for_complete()  # its text and entities, if in workers
                await pilot.pause(0.05)
                if profiler:
                    profiler.disable()
                steps["on"] = 0.0
                found[name] = {
                    "switch": frame,
                    "open_article": opened.get(name, 0.0),
                    "longest step": steps["longest"],
                }
                if lookahead:
                    # The list's look-ahead on the next one, not opened: text and rules.
                    following = names[(names.index(name) + 1) % len(names)]
                    nxt = next(a for a in screen.library.articles if a.path.name == following)  # type: ignore[union-attr]
                    if nxt is not screen.article:
                        articles.show_article(nxt.id)
                        started = time.thread_time()
                        screen.next_article._prepare()
                        ahead[following] = (time.thread_time() - started) * 1000
                await app.workers.wait_for_complete()
                await pilot.pause(0.1)
                if profiler:
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(
                        "reader|textual", 45
                    )
    finally:
        MainScreen.open_article = original  # type: ignore[method-assign]
        asyncio.events.Handle._run = run_handle  # type: ignore[method-assign]
        gc.unfreeze()  # the next run's app starts as the first did
        gc.set_threshold(*thresholds)
        gc.collect()
    if lookahead:  # its switches were prepared: only the look-ahead is kept of this run
        return {name: {"look-ahead": ms} for name, ms in ahead.items()}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--words", type=int, nargs="+", default=[1000, 2000, 5000, 10000, 16000, 19900]
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/reader-long-switch"))
    parser.add_argument("--profile", type=int)
    args = parser.parse_args()
    catalogue.RACY_SECONDS = 0.0
    os.environ.setdefault("READER_CACHE_DIR", str(args.work / "cache"))
    settings = write_library(args.work, args.words)
    runs: list[dict[str, dict[str, float]]] = []
    for run in range(args.runs):
        if (args.work / "db.json").exists():
            (args.work / "db.json").unlink()
        runs.append(
            asyncio.run(one_run(settings, args.profile if run == 0 else None, run % 2 == 1))
        )
    print(f"load average {os.getloadavg()[0]:.2f}; {args.runs} runs; medians, ms of CPU")
    print(
        f"{'article':>14} {'words':>6} {'Enter to frame':>15} {'open_article':>13}"
        f" {'longest step':>13} {'look-ahead':>11}"
    )
    for name in sorted(runs[0]):
        from reader.library.articles import count_words

        words = count_words((args.work / "library" / name).read_text("utf-8"))
        cells = []
        for key in ("switch", "open_article", "longest step", "look-ahead"):
            values = [r[name][key] for r in runs if key in r.get(name, {})]
            cells.append(
                f"{statistics.median(values):.1f} [{min(values):.0f}-{max(values):.0f}]"
                if values
                else "-"
            )
        print(f"{name:>14} {words:>6} {cells[0]:>15} {cells[1]:>13} {cells[2]:>13} {cells[3]:>11}")


if __name__ == "__main__":
    main()
