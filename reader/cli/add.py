"""`reader add` (URLs, saved pages, text files, feeds), `reader refresh` (the subscribed
feeds, for cron) and `reader feeds` (list, remove, OPML import and export).

What was added is printed on stdout, one line each; duplicates, failures (with their
reasons, at the end) and the summary go to stderr. Exit 0 when nothing failed, 1 when
anything did (what succeeded is kept), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from reader.cli.common import Command, CommandTable, Failed, command_parser, error_line
from reader.console import print_line, safe_line, safe_path
from reader.workspace import Workspace

if TYPE_CHECKING:
    from reader.web import AddReport, FetchLimits, SourceResult
    from reader.web.subscriptions import Subscriptions

__all__ = ["COMMANDS", "run_add", "run_feeds", "run_refresh"]

DEFAULTS_HELP = (
    "Pages are fetched with httpx: http and https only, at most 10 redirects, a "
    "User-Agent naming reader, HTML only; a page past --max-size is refused (reading "
    "stops there), a server silent for --timeout seconds gives up (connecting: at most "
    "10 s; a whole response: at most 120 s)."
)


def _positive(kind: type[int] | type[float], what: str) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {value!r}") from None
        if not number > 0 or number == float("inf"):
            raise argparse.ArgumentTypeError(f"must be more than zero: {value!r}")
        return number

    return parse


def _add_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        type=_positive(float, "a number of seconds"),
        default=30.0,
        metavar="SECONDS",
        help="give up on a server silent this long (default: 30)",
    )
    parser.add_argument(
        "--max-size",
        type=_positive(float, "a number of MiB"),
        default=10.0,
        metavar="MIB",
        help="refuse a page or feed larger than this (default: 10 MiB)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive(int, "a whole number"),
        default=4,
        metavar="N",
        help="fetch N sources at a time, at most 2 from one host (default: 4)",
    )


def _limits(args: argparse.Namespace) -> FetchLimits:
    from reader.web import FetchLimits

    return FetchLimits(
        connect_timeout=min(10.0, args.timeout),
        read_timeout=args.timeout,
        total_timeout=max(120.0, args.timeout),
        max_bytes=int(args.max_size * 1024 * 1024),
    )


def _add_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader add",
        "Add articles to the library as Markdown files with front matter (title, url, "
        "author, date, site, fetched_at): web pages by URL, saved pages (.html, .htm), text "
        "and Markdown files (.txt, kept as plain text; .md). With --feed, subscribe to RSS "
        "or Atom feeds and add their entries, each fetched from its link. The same URL "
        "(tracking parameters such as utm_* left out) or the same text is never added twice. "
        + DEFAULTS_HELP,
    )
    parser.add_argument("sources", nargs="+", metavar="URL|FILE", help="what to add")
    parser.add_argument(
        "--to",
        type=Path,
        metavar="DIR",
        help="the folder to add to (default: the library folder in force: the config "
        "file's library, else seeds/ here or in a parent folder)",
    )
    parser.add_argument(
        "--feed",
        action="store_true",
        help="the URLs are feeds: subscribe (reader refresh fetches them again) and add "
        "their entries now",
    )
    _add_limits(parser)
    return parser


def _refresh_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader refresh",
        "Fetch every subscribed feed (or those named) and add the entries not yet in the "
        "library, each fetched from its link; an unchanged feed costs one request (ETag, "
        "Last-Modified). Quiet but for what was added and what failed: made for cron. "
        + DEFAULTS_HELP,
    )
    parser.add_argument("feeds", nargs="*", metavar="URL", help="only these feeds")
    _add_limits(parser)
    return parser


def _feeds_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader feeds",
        "List the subscribed feeds (kept in feeds.json beside the database), remove one, "
        "or import and export the list as OPML (newsboat and other feed readers speak it).",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--remove", metavar="URL", help="unsubscribe from this feed")
    group.add_argument(
        "--import-opml", type=Path, metavar="FILE", help="subscribe to the feeds of an OPML file"
    )
    group.add_argument(
        "--export-opml", metavar="FILE", help="write the feeds as OPML (- for stdout)"
    )
    return parser


class _Progress:
    """A rich progress bar on stderr while sources are fetched; nothing when not a terminal."""

    def __init__(self, total: int, what: str, *, grows: bool = False) -> None:
        """A bar for *total* sources (shown from two on, or from one when *grows*: a
        feed's entries add to it)."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            disable=not console.is_terminal or (total < 2 and not grows),
            transient=True,
        )
        self._task = self._progress.add_task(what, total=total)

    def __enter__(self) -> Callable[[int, int, SourceResult | None], None]:
        self._progress.start()

        def update(done: int, total: int, result: SourceResult | None) -> None:
            self._progress.update(self._task, completed=done, total=total)

        return update

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()


def _reporting(command: Command) -> Command:
    """*command*, with a :class:`Failed` it raises printed as its one line (1 or 2)."""

    def run(args: argparse.Namespace, workspace: Workspace) -> int:
        try:
            return command(args, workspace)
        except Failed as failure:
            error_line(str(failure))
            return failure.code

    run.__doc__ = command.__doc__
    return run


def _show(report: AddReport, quiet: bool = False, note: str | None = None) -> int:
    """Print what became of each source, then *note*, then the summary (with how many
    articles are their feed's teaser only, and why); the exit status. *quiet* (a refresh,
    for cron) leaves out what is no news, but not a teaser whose page failed again."""
    from reader.web.report import teaser_summary

    for result in report.results:
        shown = safe_line(result.source, limit=300)
        if result.status == "added":
            line = f"added: {safe_path(str(result.path))}"
            if result.teaser_only:
                line += f"  (the feed's teaser only: {safe_line(result.reason or '')})"
            elif result.reason:  # a teaser's page fetched at last
                line += f"  ({safe_line(result.reason)})"
            print_line(line)
        elif result.status == "duplicate" and not quiet:
            error_line(
                f"{shown}: already in the library ({result.reason} as "
                f"{result.path if result.path else '?'}); not added again"
            )
        elif result.status == "checked" and (not quiet or result.teaser_only):
            error_line(f"{shown}: {safe_line(result.reason or '')}")
    failed = report.failed
    for result in failed:
        error_line(f"{safe_line(result.source, limit=300)}: {result.reason}")
    added, duplicates = len(report.added), len(report.duplicates)
    summary = [f"added {added} article{'s' if added != 1 else ''}"]
    if duplicates:
        summary.append(f"{duplicates} already in the library")
    if failed:
        summary.append(f"{len(failed)} failed")
    if report.folder is not None and (added or not quiet):
        summary.append(f"in {report.folder}")
    if report.cancelled:
        summary.append("interrupted")
    teasers = teaser_summary(report)
    summary.extend(safe_line(line, limit=500) for line in teasers)
    if note:
        error_line(note)
    if not quiet or failed or added or teasers:
        error_line("; ".join(summary))
    return 1 if failed or report.cancelled else 0


def _outside_library(workspace: Workspace, folder: Path) -> bool:
    """Whether articles in *folder* would not be listed by `reader` as it is set up."""
    try:
        target = folder.resolve()
        return not any(
            target == p.resolve() or p.resolve() in target.parents
            for p in workspace.settings.article_paths
        )
    except OSError:
        return False


def run_add(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader add`: 0 when everything was added or already there, 1 when anything failed."""
    from reader.web import AddError, add_sources

    what = "Fetching feeds" if args.feed else "Adding"
    try:
        with _Progress(len(args.sources), what, grows=args.feed) as progress:
            report = add_sources(
                workspace,
                args.sources,
                to=args.to,
                feed=args.feed,
                limits=_limits(args),
                jobs=int(args.jobs),
                progress=progress,
            )
    except AddError as error:
        raise Failed(str(error)) from None
    note = None
    if report.folder is not None and report.added and _outside_library(workspace, report.folder):
        note = (
            f"note: {report.folder} is not in the library reader opens now; "
            f"open it with: reader {report.folder}"
        )
    return _show(report, note=note)


def run_refresh(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader refresh`: 1 when a feed or an entry failed."""
    from reader.web import AddError, refresh_feeds
    from reader.web.subscriptions import Subscriptions, SubscriptionsError, feeds_path

    path = feeds_path(workspace.settings.db_path)
    try:
        subscribed = Subscriptions(path).all()
    except SubscriptionsError as error:
        raise Failed(str(error)) from None
    if not subscribed:
        error_line(f"no feeds in {path}: subscribe with reader add --feed URL")
        return 0
    try:
        with _Progress(len(subscribed), "Refreshing feeds", grows=True) as progress:
            report = refresh_feeds(
                workspace,
                feeds=args.feeds or None,
                limits=_limits(args),
                jobs=int(args.jobs),
                progress=progress,
            )
    except AddError as error:
        raise Failed(str(error)) from None
    if args.feeds and not any(r.status in ("checked", "failed") for r in report.results):
        raise Failed(f"not subscribed: {', '.join(args.feeds)} (reader feeds lists them)")
    return _show(report, quiet=True)


def run_feeds(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader feeds`: list, --remove, --import-opml, --export-opml."""
    from reader.web.subscriptions import (
        Subscriptions,
        SubscriptionsError,
        feeds_path,
        opml_export,
    )

    subscriptions = Subscriptions(feeds_path(workspace.settings.db_path))
    try:
        if args.remove:
            if not subscriptions.remove(args.remove):
                raise Failed(f"not subscribed: {args.remove} (reader feeds lists them)")
            error_line(f"unsubscribed from {args.remove}")
            return 0
        if args.import_opml:
            return _import_opml(subscriptions, args.import_opml)
        feeds = subscriptions.all()
        if args.export_opml:
            data = opml_export(feeds)
            if args.export_opml == "-":
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            else:
                _write_new(Path(args.export_opml), data)
                error_line(f"wrote {len(feeds)} feeds to {args.export_opml}")
            return 0
    except SubscriptionsError as error:
        raise Failed(str(error)) from None
    if not feeds:
        error_line(f"no feeds in {subscriptions.path}: subscribe with reader add --feed URL")
        return 0
    for feed in feeds:
        title = safe_line(feed.title or "(no title)")
        checked = f"checked {feed.checked_at}" if feed.checked_at else "never checked"
        where = f"  to {safe_line(feed.folder, limit=300)}" if feed.folder else ""
        print_line(f"{safe_line(feed.url, limit=500)}  {title}  ({checked}){where}")
    return 0


def _import_opml(subscriptions: Subscriptions, path: Path) -> int:
    from reader.web.subscriptions import opml_import

    try:
        data = path.read_bytes()
    except OSError as error:
        raise Failed(f"{path}: {error.strerror or error}") from None
    feeds = opml_import(data, str(path))
    added = sum(subscriptions.add(feed) for feed in feeds)
    error_line(
        f"subscribed to {added} of the {len(feeds)} feeds in {path} "
        f"({len(feeds) - added} already); reader refresh fetches them"
    )
    return 0


def _write_new(path: Path, data: bytes) -> None:
    from reader.export.writing import ExportWriteError, write_file

    try:
        write_file(path, data)
    except ExportWriteError as error:
        raise Failed(str(error)) from None


COMMANDS: CommandTable = {
    "add": (_add_parser, _reporting(run_add)),
    "refresh": (_refresh_parser, _reporting(run_refresh)),
    "feeds": (_feeds_parser, _reporting(run_feeds)),
}
"""`reader add`, `reader refresh`, `reader feeds`."""
