"""Figure 12: entity pages: the library's entity list, one entity's page, updating the entity
index after one article, and the memory they add.

On the largest generated library with its entities cached (stand-in spans, as figure 6:
capitalised runs labelled PERSON/ORG at the model's density, so the generated cast's
"Maria Okafor ... Okafor" gives the resolution real work) and the entity index built
(``EntityIndex.update``, timed and shown against reading the files alone):

- **The entity list**, ``EntityIndex.entities()``: on a freshly opened index (what a new
  process does: the app's start, `reader entity`; timed in this process, so without the
  imports), and after one article changed (in the same process); either way the
  resolution is worked out from the summary tables. Baseline:
  reading the index's summary tables alone (``key_stats``). Target: ≤ 300 ms.
- **One entity's page**, ``EntityIndex.page(entity)`` (articles, snippets of the first 20,
  co-occurring entities, timeline) for the most mentioned person and for the 50th entity,
  the resolution warm (the list was shown first). Baseline: reading the 20 files whose
  snippets the page cuts. Target: ≤ 200 ms (core time; the UI's keypress-to-paint is
  measured with the UI).
- **Index update after one article**, ``EntityIndex.put_article`` with the article's spans
  (one fewer each other run, so the rows really change). Baseline: the finder's rules
  on that article's cached spans (what the app pays to get them). Target: ≤ 20 ms.
- **Index update after a correction made everywhere**: a relabel of a name of the first
  article stored, then ``EntityIndex.update`` in a new workspace (processor time).
  Baseline: reading the files alone. No target (it runs in the background).
- **Memory added**: a child process loads the library (as the app has), then opens the
  index and asks for the list and a page; its resident set (VmRSS) after, less before.
  Target: ≤ 60 MB.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from context import ROOT, Bench
from fig_search import prepared_library
from stats import Row, Sample

from reader.entities.library.index import EntityIndex, index_file
from reader.library import read_article
from reader.settings import Settings
from reader.workspace import Workspace

SNIPPETS = 20
"""Articles of a page given snippets at once (the rest when scrolled to)."""


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def probe(folder: str, db: str, cache_dir: str) -> None:
    """The child of the memory figure: RSS with the library loaded, then with the index's
    list and a page asked for; printed as JSON."""
    settings = Settings(article_paths=[Path(folder)], db_path=Path(db), cache_dir=Path(cache_dir))
    workspace = Workspace(settings, model_in_process=True)
    workspace.library()
    index = workspace.entity_index()
    index.update(workspace)  # up to date already: reads the library's rows only
    index.close()
    before = _rss_mb()
    entities = index.entities()
    person = next((e for e in entities if e.label == "PERSON"), entities[0])
    index.page(person)
    index.page(entities[min(50, len(entities) - 1)])
    after = _rss_mb()
    print(json.dumps({"before": before, "after": after}))


CPU: dict[str, list[float]] = {}
"""Processor milliseconds of each measured call, by name (shown in the notes: on a machine
shared with other work the wall time says more about the others than about reader)."""


def _timed(work: Callable[..., object], *args: Any, cpu: str = "", **kwargs: Any) -> float:
    """Milliseconds *work* takes on *args* (wall); its processor time kept under *cpu*."""
    started, used = time.perf_counter(), time.process_time()
    work(*args, **kwargs)
    wall = (time.perf_counter() - started) * 1000
    if cpu:
        CPU.setdefault(cpu, []).append((time.process_time() - used) * 1000)
    return wall


def _cpu(name: str) -> str:
    values = CPU.get(name, [])
    if not values:
        return ""
    return (
        f"processor time {statistics.median(values):.1f} ms [{min(values):.1f}–{max(values):.1f}]"
    )


def _read_all(paths: list[Path]) -> None:
    for path in paths:
        read_article(path)


def entity_pages(bench: Bench) -> list[Row]:
    """Figure 12 at the largest size."""
    n = max(bench.sizes)
    library, _env, settings = prepared_library(bench, n, "entity")
    workspace = Workspace(settings, model_in_process=True)
    articles = workspace.library().articles
    started = time.perf_counter()
    for article in articles:
        read_article(article.path)
    reading = time.perf_counter() - started
    report = workspace.entity_index().update(workspace)
    bench.say(
        f"entity index N={n:,}: built in {report.seconds:.1f} s ({report.indexed:,} articles; "
        f"reading the files alone {reading:.1f} s)"
    )
    workspace.close()
    path = index_file(settings)
    listing, tables, changed_listing = [], [], []
    top_page, mid_page, page_reads = [], [], []
    updates: list[float] = []
    rules: list[float] = []
    entity_count = 0
    for run in range(bench.runs):
        index = EntityIndex(path)
        tables.append(_timed(index.key_stats))
        index.close()
        index = EntityIndex(path)
        listing.append(_timed(index.entities, cpu="list"))
        entities = index.entities()
        entity_count = len(entities)
        person = next(e for e in entities if e.label == "PERSON")
        middle = entities[min(50, len(entities) - 1)]
        top_page.append(_timed(index.page, person, snippets=SNIPPETS, cpu="top"))
        mid_page.append(_timed(index.page, middle, snippets=SNIPPETS, cpu="middle"))
        page = index.page(person, snippets=0)
        assert page is not None
        shown = [a.path for a in page.articles[:SNIPPETS]]
        page_reads.append(_timed(_read_all, shown))
        workspace = Workspace(settings, model_in_process=True)
        article = workspace.library().articles[run % len(articles)]
        text = article.text
        finder = workspace.finder
        finder.cached(article.sha256, text)  # the cache file read once, as the app has it
        started = time.perf_counter()
        spans = finder.cached(article.sha256, text) or []
        rules.append((time.perf_counter() - started) * 1000)
        changed = spans[:-1] if run % 2 == 0 else spans
        updates.append(_timed(index.put_article, article, changed, cpu="update"))
        # The index changed: the list is worked out again.
        changed_listing.append(_timed(index.entities, cpu="changed"))
        workspace.close()
        index.close()
    everywhere = _correction_everywhere(bench, settings, path)
    bench.say(
        f"entity pages N={n:,}: list {statistics.median(listing):.0f} ms, page "
        f"{statistics.median(top_page):.0f} ms (top person) / {statistics.median(mid_page):.0f} "
        f"ms (50th), update {statistics.median(updates):.1f} ms"
    )
    memory = _memory(bench, library.folder, settings)
    notes = [
        "entities: stand-in spans in the cache (see bench/fig_search.py)",
        f"{entity_count:,} entities listed; index built in {report.seconds:.1f} s",
        _cpu("list"),
    ]
    return [
        Row("12 entity", f"entity list, new process, {n:,} articles", Sample(listing, "ms"),
            Sample(tables, "ms"), "reading the summary tables alone", "value_max", 300, n=n,
            notes=notes),
        Row("12 entity", "entity list after one article changed", Sample(changed_listing, "ms"),
            Sample(tables, "ms"), "reading the summary tables alone", "value_max", 300, n=n,
            notes=[_cpu("changed")]),
        Row("12 entity", f"entity page, top person, {n:,} articles", Sample(top_page, "ms"),
            Sample(page_reads, "ms"), f"reading its first {SNIPPETS} files", "value_max",
            200, n=n, notes=[_cpu("top")]),
        Row("12 entity", f"entity page, 50th entity, {n:,} articles", Sample(mid_page, "ms"),
            Sample(page_reads, "ms"), f"reading the top person's first {SNIPPETS} files",
            "value_max", 200, n=n, notes=[_cpu("middle")]),
        Row("12 entity", "index update after one article", Sample(updates, "ms"),
            Sample(rules, "ms"), "the rules on that article", "value_max", 20, n=n,
            notes=[_cpu("update")]),
        Row("12 entity", f"index update after a correction made everywhere, {n:,} articles",
            Sample(everywhere, "ms"), Sample([reading * 1000], "ms"),
            "reading the files alone", n=n,
            notes=["processor time, the update in a new process's workspace: the articles "
                   "naming the corrected form indexed again, the others read and rekeyed",
                   _cpu("everywhere")]),
        memory,
    ]  # fmt: skip


def _correction_everywhere(bench: Bench, settings: Settings, path: Path | None) -> list[float]:
    """Processor milliseconds of :meth:`EntityIndex.update` after a relabel made everywhere
    (of a name in a few articles, to another label each run), as the app runs it after
    the correction: what a global correction costs the index (every article was indexed
    again before)."""
    from reader.anchoring.targets import describe
    from reader.annotations import article_ref
    from reader.store import AnnotationStore

    walls = []
    for run in range(bench.runs):
        workspace = Workspace(settings, model_in_process=True)
        article = workspace.library().articles[0]
        spans = workspace.finder.cached(article.sha256, article.text) or []
        span = spans[len(spans) // 2]
        correction = {"action": "relabel", "label": ("LOC", "ORG", "PERSON")[run % 3],
                      "scope": "global", "text": span.text}  # fmt: skip
        with AnnotationStore(settings.db_path) as store:
            store.add_correction(
                article_ref(article), describe(article.text, span.start, span.end), correction
            )
        workspace.close()
        workspace = Workspace(settings, model_in_process=True)
        index = EntityIndex(path)
        walls.append(_timed(index.update, workspace, cpu="everywhere"))
        index.close()
        workspace.close()
    return CPU["everywhere"]


def _memory(bench: Bench, folder: Path, settings: Settings) -> Row:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(bench.reader_path or ROOT)
    before, after = [], []
    for _ in range(max(1, bench.runs)):
        result = subprocess.run(
            [sys.executable, __file__, "--probe", str(folder), str(settings.db_path),
             str(settings.cache_dir)],
            capture_output=True, text=True, env=env, check=True,
        )  # fmt: skip
        data = json.loads(result.stdout.strip().splitlines()[-1])
        before.append(data["before"])
        after.append(data["after"] - data["before"])
    return Row(
        "12 entity",
        "memory added by the list and two pages",
        Sample(after, "MB"),
        Sample(before, "MB"),
        "the process with the library loaded",
        "value_max",
        60,
        n=max(bench.sizes),
    )


if __name__ == "__main__" and sys.argv[1:2] == ["--probe"]:
    probe(*sys.argv[2:5])
