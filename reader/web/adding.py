"""Adding articles to the library: URLs, saved pages and text files, and feeds' entries.

The one entry point for `reader add`, `reader refresh` and the app (see
:mod:`reader.web` for the API). Sources run a few at a time on a thread pool (at most
:attr:`FetchLimits.per_host` requests at once per host); every result comes back to the
calling thread, in order of completion, through the *progress* callback. Each article is
checked for duplicates, then written as a new Markdown file in one atomic step, under one
lock: a failure writes nothing, and what succeeded is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader.settings import DEFAULT, Settings
from reader.web.drafts import FILE_SUFFIXES
from reader.web.fetch import FetchLimits
from reader.web.report import AddError, AddReport, Cancelled, Progress, SourceResult
from reader.web.runner import Job, Run
from reader.web.subscriptions import Subscriptions, SubscriptionsError, feeds_path
from reader.web.urls import looks_like_url, url_key

if TYPE_CHECKING:
    from reader.workspace import Workspace

__all__ = [
    "DEFAULT_JOBS",
    "FILE_SUFFIXES",
    "AddError",
    "AddReport",
    "Progress",
    "SourceResult",
    "add_sources",
    "default_folder",
    "refresh_feeds",
]

DEFAULT_JOBS = 4
"""Sources fetched at once (each host also limited to ``FetchLimits.per_host``)."""


def default_folder(settings: Settings) -> Path:
    """The folder `reader add` writes to without ``--to``: the first folder of the library
    in force (the config file's ``library``, else ``seeds/`` found from here).

    Raises:
        AddError: the library in force is the bundled seed, or names no folder.
    """
    if settings.source("articles") != DEFAULT:
        for path in settings.article_paths:
            if path.is_dir():
                return path
        if settings.source("articles") == "config file":
            first = settings.article_paths[0]
            if not first.exists() and not first.suffix:
                return first  # the configured library, not made yet
    raise AddError(
        'no library folder to add to: give --to DIR, or set library = ["DIR"] in the '
        "config file (`reader config` shows where it is)"
    )


def add_sources(
    where: Workspace | Settings,
    sources: Sequence[str],
    *,
    to: Path | None = None,
    feed: bool = False,
    limits: FetchLimits | None = None,
    jobs: int = DEFAULT_JOBS,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> AddReport:
    """Add *sources* (URLs and files; with *feed*, feed URLs to subscribe to and fetch) to
    the folder *to* (default: :func:`default_folder`).

    Blocking: run it in a thread (a Textual worker); the report says what became of
    each source. Never raises for one source's problem.

    Raises:
        AddError: there is no folder to add to, it cannot be created, or (*feed*) the
            feeds file cannot be read.
    """
    settings = where if isinstance(where, Settings) else where.settings
    folder = _folder(settings, to)
    run = Run(settings, limits, [folder], cancelled, lambda: _folder(settings, None))
    with run:
        jobs_list: list[Job] = []
        for order, source in enumerate(sources):
            if feed:
                jobs_list.append(run.feed_job(source, folder if to else None, order, True))
            elif looks_like_url(source):
                jobs_list.append(run.url_job(source, folder, order))
            else:
                jobs_list.append(run.file_job(source, folder, order))
        run.run(jobs_list, jobs, progress)
    return run.report(folder)


def refresh_feeds(
    where: Workspace | Settings,
    *,
    feeds: Sequence[str] | None = None,
    limits: FetchLimits | None = None,
    jobs: int = DEFAULT_JOBS,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> AddReport:
    """Fetch every subscribed feed (or those of *feeds*) and add their new entries, each
    to its subscription's folder, else the library folder in force.

    Raises:
        AddError: the feeds file cannot be read, or a feed needs the default folder and
            there is none.
    """
    settings = where if isinstance(where, Settings) else where.settings
    try:
        subscribed = Subscriptions(feeds_path(settings.db_path)).all()
    except SubscriptionsError as error:
        raise AddError(str(error)) from None
    if feeds is not None:
        wanted = {url_key(url) for url in feeds}
        subscribed = [s for s in subscribed if url_key(s.url) in wanted]
    needs_default = any(s.folder is None for s in subscribed)
    folder = _folder(settings, None) if needs_default else None
    folders = [Path(s.folder) if s.folder else folder for s in subscribed]
    targets = [f for f in {*folders} if f is not None]
    run = Run(settings, limits, targets, cancelled, lambda: _folder(settings, None))
    with run:
        job_list = [
            run.feed_job(s.url, Path(s.folder) if s.folder else None, order, False)
            for order, s in enumerate(subscribed)
        ]
        run.run(job_list, jobs, progress)
    return run.report(folder)


def _folder(settings: Settings, to: Path | None) -> Path:
    folder = to if to is not None else default_folder(settings)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AddError(f"cannot create {folder}: {error.strerror or error}") from None
    if not folder.is_dir():
        raise AddError(f"{folder}: not a folder")
    return folder
