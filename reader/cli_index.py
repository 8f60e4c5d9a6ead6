"""The `reader index` command: find the entities of a whole library ahead of time.

A parser factory and a run function, collected in :data:`INDEX_COMMANDS` with the shape of
``reader.cli.COMMANDS``. The work is done by :mod:`reader.indexer`; this module shows its
progress on stderr (a rich progress bar: count, rate, time left) and sums it up.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from reader.settings import Settings
from reader.text import sanitize_line

if TYPE_CHECKING:
    from rich.progress import Task
    from rich.text import Text

    from reader.cli import Command

__all__ = ["INDEX_COMMANDS", "run_index"]


def _articles(count: int) -> str:
    """ "1 article", "2 articles"."""
    return f"{count:,} article" if count == 1 else f"{count:,} articles"


def _jobs(value: str) -> int:
    """argparse type for --jobs: a number of processes, 1 or more (0: one per CPU)."""
    from reader.indexer import default_jobs

    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {value!r}") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (one per CPU) or more: {value!r}")
    return jobs or default_jobs()


def _index_parser() -> argparse.ArgumentParser:
    # Imported here, not at the top: reader.cli imports this module to merge its commands.
    from reader.cli import _common

    parser = argparse.ArgumentParser(
        prog="reader index",
        description="Find the entities of every article ahead of time and cache them, so "
        "that each article opens with its highlights. Articles already cached are "
        "skipped: an interrupted run resumes where it stopped.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="article files or folders (default: ./seeds, else the bundled seed article)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        metavar="N",
        help="processes running the pipeline, each loading it once (default: 1; 0: one per CPU)",
    )
    _common(parser)
    return parser


def run_index(args: argparse.Namespace, settings: Settings) -> int:
    """`reader index [PATH...] [--jobs N]`: cache every article's entities; 0 when all are."""
    from concurrent.futures.process import BrokenProcessPool

    from reader.entities.recognizer import NoPipeline
    from reader.indexer import index_articles, plan

    if not settings.use_cache:
        _say("--no-cache: there is no cache to fill")
        return 2
    try:
        work = plan(settings)
    except NoPipeline as error:
        _say(str(error))
        return 2
    for problem in work.problems:
        _say(str(problem))
    skipped = work.cached + work.duplicates
    if not work.todo:
        every = "the" if skipped == 1 else "all"
        _say(f"nothing to do: the entities of {every} {_articles(skipped)} are cached")
        return 0 if skipped or not work.problems else 1
    with _ProgressBar(len(work.todo), skipped) as advance:
        try:
            run = index_articles(settings, work, jobs=args.jobs, progress=advance)
        except NoPipeline as error:
            _say(str(error))
            return 2
        except BrokenProcessPool as error:
            _say(
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
        _say(f"{path}: {reason}")
    if run.failed:
        summary += f"; {len(run.failed):,} failed"
    if run.interrupted:
        left = len(work.todo) - run.done - len(run.failed)
        _say(f"interrupted: {summary}; {left:,} left, run it again to go on")
        return 130
    _say(summary)
    return 1 if run.failed else 0


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
            """Articles per second, averaged by rich over the last half minute."""

            def render(self, task: Task) -> Text:
                from rich.text import Text

                speed = task.finished_speed or task.speed
                shown = f"{speed:5.1f} articles/s" if speed else "    ? articles/s"
                return Text(shown, style="progress.data.speed")

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


def _say(message: str) -> None:
    """One sanitised line on stderr: ``reader: <message>``."""
    print(f"reader: {sanitize_line(message, limit=500)}", file=sys.stderr)


INDEX_COMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Command]] = {
    "index": (_index_parser, run_index),
}
"""The `reader index` subcommand, to merge into ``reader.cli.COMMANDS``."""
