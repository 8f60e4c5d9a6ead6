"""Precompute the entities of a whole library into the entity cache (`reader index`).

What the app would find article by article, found ahead of time for every article not yet
cached, so that opening any of them shows its highlights at once. The model's spans are
exactly the app's (the engine's ``extract_many`` runs the same model over the same
paragraphs, only batched), and they go into the same cache, keyed by content hash and
engine (:class:`~reader.entities.engines.base.EngineInfo`). The engine is the one the
settings name, known through its protocol only.

- **Resumable**: an article whose entities are cached is skipped, and each article is
  cached as soon as it is done, so an interrupted run loses at most the batch in flight.
- **Batched**: the paragraphs of a chunk of articles go to the model together.
- **Parallel**: with ``jobs > 1``, that many worker processes (spawned, so nothing is
  inherited from this one) each load the model once, read and recognise chunks of
  articles, and send the spans back; this process alone writes the cache. They start as
  the app's entity worker does (:func:`reader.entities.worker_child.start_worker`).
- **Ctrl-C safe**: workers ignore SIGINT; the parent stops them, keeps what is written
  (every cache entry is written atomically) and reports an interrupted run. A worker
  exits by itself if the parent is killed.

Textual-free; the command line shows the progress.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reader.entities.cache import EntityCache
from reader.entities.engines.base import EngineInfo, EntityEngine
from reader.entities.engines.registry import make_engine
from reader.entities.span import Span
from reader.entities.worker_child import SPAWN, start_worker
from reader.library import Article, Problem, read_article

if TYPE_CHECKING:
    from reader.workspace import Workspace

__all__ = ["BATCH_SIZE", "IndexRun", "Plan", "index_articles", "plan"]

#: Paragraphs per model batch (64 to 128 were the fastest of 16-1000 for the small
#: English pipeline on generated news paragraphs, 2-core EPYC, 60 articles x 3 runs).
BATCH_SIZE = 128

#: Articles per chunk: one ``extract_many`` call, and one task for a worker process.
CHUNK_ARTICLES = 16

Progress = Callable[[int], None]
"""Called with the number of articles just finished (cached or failed)."""


@dataclass(frozen=True)
class Plan:
    """What an index run has to do: the articles to recognise, and what it skips."""

    todo: list[Article]
    """Articles whose entities are not cached, one per distinct content."""
    cached: int
    """Articles skipped because their entities are cached already."""
    duplicates: int
    """Articles skipped because another file has the same content."""
    problems: list[Problem]
    """Files that could not be read as articles."""
    engine: EngineInfo
    """The engine and model whose entities are cached (found without loading the model)."""


@dataclass
class IndexRun:
    """What an index run did."""

    done: int = 0
    """Articles whose entities were found and cached."""
    failed: list[tuple[Path, str]] = field(default_factory=list)
    """Articles that could not be recognised, with the reason."""
    interrupted: bool = False
    """True when the run was stopped (Ctrl-C) before the end; run again to resume."""
    seconds: float = 0.0
    """Wall time spent recognising (loading the model included)."""
    jobs: int = 1
    """Processes that ran the model."""


def plan(workspace: Workspace) -> Plan:
    """Find the articles of *workspace*'s library whose entities are not cached yet.

    Uses the library's catalogue (no article text is read for files it knows) and only
    checks that cache files exist, so planning a fully cached library of 10,000 articles
    takes a fraction of a second and never imports the engine's library (spaCy). Raises
    :class:`~reader.entities.engines.base.NoModel` when the engine has no model.
    """
    library = workspace.library()
    cache = _cache(workspace)
    engine = _engine(workspace).info
    todo: list[Article] = []
    seen: set[str] = set()
    cached = duplicates = 0
    for article in library.articles:
        if article.sha256 in seen:
            duplicates += 1
        elif cache.has(article.sha256, engine):
            cached += 1
        else:
            todo.append(article)
        seen.add(article.sha256)
    return Plan(todo, cached, duplicates, library.problems, engine)


def index_articles(
    workspace: Workspace,
    work: Plan,
    *,
    jobs: int = 1,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> IndexRun:
    """Recognise the entities of ``work.todo`` and cache them; return what was done.

    With ``jobs == 1`` the model runs in this process; otherwise in *jobs* worker
    processes. Stops early, with ``interrupted`` set, on KeyboardInterrupt.
    """
    cache = _cache(workspace)
    report = IndexRun(jobs=jobs)
    advance = progress or (lambda _: None)
    started = time.perf_counter()
    try:
        if not work.todo:
            pass
        elif jobs <= 1:
            _index_here(_engine(workspace), work, cache, report, batch_size, advance)
        else:
            engine = (workspace.settings.engine, workspace.settings.model)
            _index_in_workers(engine, work, cache, report, jobs, batch_size, advance)
    except KeyboardInterrupt:
        report.interrupted = True
    report.seconds = time.perf_counter() - started
    return report


def _cache(workspace: Workspace) -> EntityCache:
    """The cache to fill: the workspace's (``reader index --no-cache`` is refused earlier,
    by the command; without a cache, one in the settings' folder all the same)."""
    cache = workspace.entity_cache
    return EntityCache(workspace.settings.cache_dir) if cache is None else cache


def _engine(workspace: Workspace) -> EntityEngine:
    """The engine the settings name, for their model (not loaded yet)."""
    return make_engine(workspace.settings.engine, workspace.settings.model)


def _chunks(articles: Sequence[Article], size: int) -> Iterator[Sequence[Article]]:
    for start in range(0, len(articles), size):
        yield articles[start : start + size]


def _index_here(
    recognizer: EntityEngine,
    work: Plan,
    cache: EntityCache,
    report: IndexRun,
    batch_size: int,
    advance: Progress,
) -> None:
    """Run the model in this process, caching each article as soon as it is done."""
    engine = recognizer.load()
    if engine != work.engine:
        raise RuntimeError(f"model changed while planning: {work.engine} -> {engine}")
    for chunk in _chunks(work.todo, CHUNK_ARTICLES * 4):
        readable: list[Article] = []
        for article in chunk:
            if article.text:  # reads the file; its hash follows what was read
                readable.append(article)
            else:  # gone since it was found
                reason = article.notices[-1] if article.notices else "no text"
                report.failed.append((article.path, reason))
                advance(1)
        texts = [article.text for article in readable]
        for article, spans in zip(
            readable, recognizer.extract_many(texts, batch_size=batch_size), strict=True
        ):
            cache.put(article.sha256, engine, spans)
            report.done += 1
            advance(1)


# Worker processes.

_worker_recognizer: EntityEngine | None = None
"""The engine of a worker process, its model loaded once by :func:`_start_worker`."""

_Result = tuple[str, str, "list[Span] | str"]
"""A worker's answer per article: path, content hash, spans or the reason it failed."""


def _start_worker(engine: str, model: str | None) -> None:
    """Pool initializer: exit with the parent, leave Ctrl-C to it, load the model once."""
    global _worker_recognizer
    _worker_recognizer = start_worker(engine, model)


def _recognise(task: tuple[list[str], int]) -> list[_Result]:
    """Read and recognise one chunk of articles (in a worker process)."""
    paths, batch_size = task
    recognizer = _worker_recognizer
    assert recognizer is not None, "worker not started"
    results: list[_Result] = []
    articles: list[tuple[str, Article]] = []
    for path in paths:
        read = read_article(Path(path))
        if isinstance(read, Problem):
            results.append((path, "", read.reason))
        else:
            articles.append((path, read))
    texts = [article.text for _, article in articles]
    try:
        found = list(recognizer.extract_many(texts, batch_size=batch_size))
    except Exception as error:  # one bad chunk must not end the run
        reason = f"entity recognition failed: {error}"
        return results + [(path, "", reason) for path, _ in articles]
    for (path, article), spans in zip(articles, found, strict=True):
        results.append((path, article.sha256, spans))
    return results


def _index_in_workers(
    engine: tuple[str, str | None],
    work: Plan,
    cache: EntityCache,
    report: IndexRun,
    jobs: int,
    batch_size: int,
    advance: Progress,
) -> None:
    """Run *engine* (name, model) in *jobs* processes; this one writes each result to the
    cache."""
    # Small chunks keep every worker busy until the end; 16 articles are ~10k words.
    tasks = [
        ([str(article.path) for article in chunk], batch_size)
        for chunk in _chunks(work.todo, CHUNK_ARTICLES)
    ]
    # Spawned (see SPAWN). A worker that dies (or fails to load the model) breaks the
    # executor, which raises BrokenProcessPool here, where a multiprocessing.Pool would
    # wait forever for the lost chunk.
    executor = ProcessPoolExecutor(
        jobs, mp_context=SPAWN, initializer=_start_worker, initargs=engine
    )
    try:
        futures = [executor.submit(_recognise, task) for task in tasks]
        for future in as_completed(futures):
            for path, sha256, outcome in future.result():
                if isinstance(outcome, str):
                    report.failed.append((Path(path), outcome))
                else:
                    cache.put(sha256, work.engine, outcome)
                    report.done += 1
                advance(1)
    except BaseException:
        _stop(executor)  # stop the workers now: what is cached stays cached
        raise
    executor.shutdown(wait=True)


def _stop(executor: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the worker processes at once."""
    # The executor has no public way to end busy workers before Python 3.14
    # (terminate_workers); its process table is where they are.
    # The table itself, not a copy: the executor may still be starting a worker (it starts
    # them on demand, and slowly on a busy machine), which lands in the same table.
    table = getattr(executor, "_processes", None) or {}
    manager = getattr(executor, "_executor_manager_thread", None)  # shutdown drops it
    executor.shutdown(wait=False, cancel_futures=True)
    for _ in range(3):
        processes = list(table.values())
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(timeout=5)
        if len(table) <= len(processes):
            break
    # Its manager thread joins every worker as it winds down; one it was still starting
    # (spawned slowly on a busy machine) is joined there too, so wait for it (bounded).
    if manager is not None:
        manager.join(timeout=10)
    for process in list(table.values()):
        with contextlib.suppress(Exception):
            process.terminate()
            process.join(timeout=5)


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
