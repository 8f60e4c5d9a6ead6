"""Adding articles to the library: URLs, saved pages and text files, and feeds' entries.

The one entry point for `reader add`, `reader refresh` and the app (see
:mod:`reader.web` for the API). Sources run a few at a time on a thread pool (at most
:attr:`FetchLimits.per_host` requests at once per host); every result comes back to the
calling thread, in order of completion, through the *progress* callback. Each article is
checked for duplicates, then written as a new Markdown file in one atomic step, under one
lock: a failure writes nothing, and what succeeded is kept.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reader.library.frontmatter import split_front_matter
from reader.library.pages import extract_page
from reader.library.parsers import decode, looks_binary, title_of
from reader.settings import DEFAULT, Settings
from reader.web.feeds import FeedEntry, FeedError, parse_feed
from reader.web.fetch import Fetcher, FetchError, FetchLimits
from reader.web.known import KnownArticles, text_hash
from reader.web.saving import article_body, article_file_text, file_name_for, write_new_article
from reader.web.subscriptions import (
    Subscription,
    Subscriptions,
    SubscriptionsError,
    feeds_path,
    now_iso,
)
from reader.web.urls import BadURL, check_url, clean_url, looks_like_url, url_key

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

FILE_SUFFIXES = frozenset({".html", ".htm", ".md", ".markdown", ".txt"})
"""The files `reader add FILE` takes: saved pages (extracted) and text (copied)."""

MIN_PROSE_CHARS = 150
"""A page whose extracted text has less prose than this is not taken for an article."""

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]*_]*\s*$")

Status = Literal["added", "duplicate", "failed", "checked"]


class AddError(Exception):
    """Nothing can be added at all (no folder to add to, a broken feeds file); ``str()``
    says why. Problems with one source are results, not this."""


@dataclass(frozen=True)
class SourceResult:
    """What became of one source (a URL, a file, a feed, or a feed's entry)."""

    source: str
    """The URL or path as given (for a feed's entry, its link)."""
    status: Status
    """``added``; ``duplicate`` (already in the library); ``failed``; ``checked`` (a feed
    fetched: its entries are results of their own)."""
    path: Path | None = None
    """The new file (added), or the file already holding the article (duplicate)."""
    reason: str | None = None
    """Why it failed; what it duplicates (``same URL``, ``same text``); for a feed, what
    was found (``not modified``, ``Title: 3 new of 20 entries``); for a teaser added, why
    the page could not be had."""
    title: str | None = None
    feed: str | None = None
    """The feed a feed entry came from."""
    teaser_only: bool = False
    """Added from the feed's teaser: the page could not be fetched (the reason says why)."""
    order: int = 0
    """The source's position among those given (entries follow their feed)."""


@dataclass
class AddReport:
    """The results of one :func:`add_sources` or :func:`refresh_feeds` call."""

    folder: Path | None
    """Where articles were added (None when no source needed one)."""
    results: list[SourceResult] = field(default_factory=list)
    """One per source and feed entry, sorted by :attr:`SourceResult.order`."""
    cancelled: bool = False
    """Stopped by *cancelled* before every source was done."""

    def _with(self, status: Status) -> list[SourceResult]:
        return [r for r in self.results if r.status == status]

    @property
    def added(self) -> list[SourceResult]:
        """The articles written."""
        return self._with("added")

    @property
    def duplicates(self) -> list[SourceResult]:
        """The sources already in the library."""
        return self._with("duplicate")

    @property
    def failed(self) -> list[SourceResult]:
        """The sources that could not be added, each with its reason."""
        return self._with("failed")


Progress = Callable[[int, int, SourceResult | None], None]
"""``progress(done, total, result)``: called in the caller's thread after each result
(and with None when feeds add to the total)."""

Cancelled = Callable[[], bool]
"""Says whether to stop (``threading.Event().is_set`` will do)."""

_Job = Callable[[], "tuple[list[SourceResult], list[_Job]]"]


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
    run = _Run(settings, limits, [folder], cancelled)
    with run:
        jobs_list: list[_Job] = []
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
    run = _Run(settings, limits, [f for f in {*folders} if f is not None], cancelled)
    with run:
        job_list = [
            run.feed_job(s.url, Path(s.folder) if s.folder else None, order, False)
            for order, s in enumerate(subscribed)
        ]
        run.run(job_list, jobs, progress)
    return run.report(folder)


def _not_an_article(text: str) -> str | None:
    """Why the text extracted from a page is not an article (a front page, an index: a
    list of headlines), or None: it has less than :data:`MIN_PROSE_CHARS` of prose, that
    is of paragraphs of 40 characters or more that end as a sentence ends."""
    prose = sum(
        len(line)
        for line in _LINK.sub(r"\1", text).splitlines()
        if len(line.strip()) >= 40 and _SENTENCE_END.search(line)
    )
    if prose < MIN_PROSE_CHARS:
        return "no article text found in the page (no paragraphs: a front page or an index?)"
    return None


def _folder(settings: Settings, to: Path | None) -> Path:
    folder = to if to is not None else default_folder(settings)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AddError(f"cannot create {folder}: {error.strerror or error}") from None
    if not folder.is_dir():
        raise AddError(f"{folder}: not a folder")
    return folder


@dataclass
class _FeedState:
    subscription: Subscription
    etag: str | None
    last_modified: str | None
    expected: int = 0
    finished: int = 0
    failed: int = 0


class _Run:
    """One call's fetcher, known articles, lock, results and feed states."""

    def __init__(
        self,
        settings: Settings,
        limits: FetchLimits | None,
        folders: list[Path],
        cancelled: Cancelled | None,
    ) -> None:
        self.settings = settings
        self.fetcher = Fetcher(limits)
        self.limits = self.fetcher.limits
        self.cancelled = cancelled or (lambda: False)
        self.results: list[SourceResult] = []
        self.stopped = False
        # The folders added to and the library's, each walked once (they are often one).
        unique = {os.path.realpath(p): p for p in [*folders, *settings.article_paths] if p.is_dir()}
        cache = settings.cache_dir if settings.use_cache else None
        self.known = KnownArticles.in_folders(
            list(unique.values()), cache, exclude=[settings.exports_dir]
        )
        self.subscriptions = Subscriptions(feeds_path(settings.db_path))
        self.feeds: dict[str, _FeedState] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> _Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fetcher.close()

    def report(self, folder: Path | None) -> AddReport:
        results = sorted(self.results, key=lambda r: r.order)
        return AddReport(folder, results, self.stopped)

    # --- running ---------------------------------------------------------------------

    def run(self, jobs: list[_Job], workers: int, progress: Progress | None) -> None:
        total = len(jobs)
        with futures.ThreadPoolExecutor(max(1, workers), thread_name_prefix="reader-add") as pool:
            pending = {pool.submit(job) for job in jobs}
            try:
                while pending:
                    done, pending = futures.wait(
                        pending, timeout=0.2, return_when=futures.FIRST_COMPLETED
                    )
                    if self.cancelled() and not self.stopped:
                        self.stopped = True
                        for future in pending:
                            future.cancel()
                    for future in done:
                        if future.cancelled():
                            continue
                        results, more = future.result()
                        if more and not self.stopped:
                            total += len(more)
                            pending |= {pool.submit(job) for job in more}
                            if progress:
                                progress(len(self.results), total, None)
                        for result in results:
                            self._finish(result)
                            if progress:
                                progress(len(self.results), total, result)
            finally:
                for future in pending:
                    future.cancel()
        self._save_feed_states()

    def _finish(self, result: SourceResult) -> None:
        self.results.append(result)
        if result.feed is not None and result.status != "checked":
            state = self.feeds.get(url_key(result.feed))
            if state is not None:
                state.finished += 1
                state.failed += result.status == "failed"

    def _save_feed_states(self) -> None:
        """Remember each feed's ETag and Last-Modified once all its new entries are in:
        an entry that failed (or was cancelled) is fetched again next time."""
        for state in self.feeds.values():
            changes: dict[str, str | None] = {"checked_at": now_iso()}
            if state.finished == state.expected and not state.failed:
                changes.update(etag=state.etag, last_modified=state.last_modified)
            # A failure costs a full fetch next time; the articles are written.
            with contextlib.suppress(SubscriptionsError):
                self.subscriptions.update(state.subscription.url, **changes)

    # --- jobs ------------------------------------------------------------------------

    def url_job(self, url: str, folder: Path, order: int) -> _Job:
        return self._guarded(url, order, None, lambda: ([self._add_url(url, folder, order)], []))

    def file_job(self, path: str, folder: Path, order: int) -> _Job:
        return self._guarded(path, order, None, lambda: ([self._add_file(path, folder, order)], []))

    def feed_job(self, url: str, folder: Path | None, order: int, subscribe: bool) -> _Job:
        return self._guarded(url, order, None, lambda: self._feed(url, folder, order, subscribe))

    def _guarded(self, source: str, order: int, feed: str | None, work: _Job) -> _Job:
        """*work*, with a bug in it (a parser's crash on a strange page) reported as that
        source's failure instead of stopping the run."""

        def job() -> tuple[list[SourceResult], list[_Job]]:
            if self.cancelled():
                return [], []
            try:
                return work()
            except Exception as error:
                reason = f"unexpected error: {type(error).__name__}: {error}"
                return [SourceResult(source, "failed", reason=reason, feed=feed, order=order)], []

        return job

    # --- one URL ---------------------------------------------------------------------

    def _add_url(
        self,
        url: str,
        folder: Path,
        order: int,
        entry: FeedEntry | None = None,
        feed: str | None = None,
    ) -> SourceResult:
        failed = SourceResult(url, "failed", order=order, feed=feed)
        try:
            url = check_url(url)
        except BadURL as error:
            return replace(failed, reason=str(error))
        with self._lock:
            holder = self.known.by_url(url)
        if holder is not None:
            return SourceResult(url, "duplicate", Path(holder), "same URL", order=order, feed=feed)
        try:
            fetched = self.fetcher.page(url)
            page = extract_page(fetched.data, url=fetched.url, charset=fetched.charset)
            refused = _not_an_article(page.text if page else "")
            if refused or page is None:
                raise FetchError(refused or "no article text found in the page")
        except FetchError as error:
            if entry is not None and entry.teaser:
                return self._add_teaser(entry, feed, folder, order, str(error))
            return replace(failed, reason=str(error))
        fields = {
            "title": page.title or (entry.title if entry else None),
            "url": clean_url(fetched.url),
            "author": page.author or (entry.author if entry else None),
            "date": page.date or (entry.date if entry else None),
            "site": page.site,
            "fetched_at": now_iso(),
            "feed": feed,
            "guid": entry.ident if entry else None,
        }
        return self._save(url, folder, fields, page.text, order)

    def _add_teaser(
        self, entry: FeedEntry, feed: str | None, folder: Path, order: int, why: str
    ) -> SourceResult:
        fields = {
            "title": entry.title,
            "url": entry.link,
            "author": entry.author,
            "date": entry.date,
            "fetched_at": now_iso(),
            "feed": feed,
            "guid": entry.ident,
            "teaser_only": "true",
            "fetch_error": why,
        }
        source = entry.link or entry.guid or ""
        result = self._save(source, folder, fields, entry.teaser, order)
        if result.status == "added":
            result = replace(result, teaser_only=True, reason=why)
        return result

    # --- one file --------------------------------------------------------------------

    def _add_file(self, source: str, folder: Path, order: int) -> SourceResult:
        failed = SourceResult(source, "failed", order=order)
        path = Path(source)
        suffix = path.suffix.lower()
        if not path.exists():
            why = "no such file" + ("" if "://" in source else " (a URL needs http:// or https://)")
            return replace(failed, reason=why)
        if path.is_dir():
            return replace(failed, reason="a folder: name the files in it")
        if suffix not in FILE_SUFFIXES:
            return replace(failed, reason="not an article file (.html, .htm, .md, .txt)")
        try:
            with open(path, "rb") as handle:
                data = handle.read(self.limits.max_bytes + 1)
        except OSError as error:
            return replace(failed, reason=f"cannot be read: {error.strerror or error}")
        if len(data) > self.limits.max_bytes:
            return replace(failed, reason=f"larger than {self.limits.max_bytes:,} bytes")
        if looks_binary(data):
            return replace(failed, reason="not text (a binary file)")
        added_at = now_iso()
        if suffix in (".html", ".htm"):
            page = extract_page(data)
            refused = _not_an_article(page.text if page else "")
            if refused or page is None:
                return replace(failed, reason=refused or "no article text found in the page")
            fields: dict[str, str | None] = {
                "title": page.title or title_of(page.text, path.stem),
                "url": page.url,
                "author": page.author,
                "date": page.date,
                "site": page.site,
                "added_at": added_at,
            }
            return self._save(source, folder, fields, page.text, order)
        text, _notice = decode(data)
        meta: dict[str, str | None] = {}
        if suffix != ".txt":
            matter = split_front_matter(text)
            meta, text = dict(matter.meta), matter.body
        if not text.strip():
            return replace(failed, reason="empty: no text to add")
        meta["title"] = meta.get("title") or title_of(text, path.stem)
        meta.setdefault("added_at", added_at)
        return self._save(source, folder, meta, text, order)

    # --- one feed --------------------------------------------------------------------

    def _feed(
        self, url: str, folder: Path | None, order: int, subscribe: bool
    ) -> tuple[list[SourceResult], list[_Job]]:
        failed = SourceResult(url, "failed", order=order)
        if self.cancelled():
            return [], []
        try:
            url = check_url(url)
            subscription = self.subscriptions.find(url)
        except BadURL as error:
            return [replace(failed, reason=str(error))], []
        except SubscriptionsError as error:
            return [replace(failed, reason=str(error))], []
        old = subscription or Subscription(url)
        try:
            fetched = self.fetcher.feed(url, old.etag, old.last_modified)
            if fetched.not_modified:
                with self._lock:
                    self.feeds[url_key(url)] = _FeedState(old, old.etag, old.last_modified)
                return [SourceResult(url, "checked", reason="not modified", order=order)], []
            parsed = parse_feed(fetched.data, fetched.url, fetched.media_type or None)
        except (FetchError, FeedError) as error:
            return [replace(failed, reason=str(error))], []
        already = ""
        if subscription is None:
            if not subscribe:
                return [replace(failed, reason="not subscribed")], []
            subscription = Subscription(
                url, parsed.title, str(folder.resolve()) if folder else None
            )
            try:
                with self._lock:  # each add rewrites the file: one at a time
                    self.subscriptions.add(subscription)
            except SubscriptionsError as error:
                return [replace(failed, reason=str(error))], []
        elif subscribe:
            already = "already subscribed; "
        target = Path(subscription.folder) if subscription.folder else folder
        if target is None:
            try:
                target = _folder(self.settings, None)
            except AddError as error:
                return [replace(failed, reason=str(error))], []
        new: list[FeedEntry] = []
        seen: set[str] = set()
        with self._lock:
            for entry in parsed.entries:
                if entry.ident and self.known.by_entry(url, entry.ident):
                    continue
                if entry.link and self.known.by_url(entry.link):
                    continue
                key = entry.guid or url_key(entry.link or "")
                if key in seen:
                    continue
                seen.add(key)
                new.append(entry)
            self.feeds[url_key(url)] = _FeedState(
                subscription, fetched.etag, fetched.last_modified, expected=len(new)
            )
        title = parsed.title or url
        summary = f"{already}{title}: {len(new)} new of {len(parsed.entries)} entries"
        checked = SourceResult(url, "checked", reason=summary, title=parsed.title, order=order)
        if self.cancelled():
            return [checked], []
        return [checked], [self._entry_job(e, url, target, order) for e in new]

    def _entry_job(self, entry: FeedEntry, feed: str, folder: Path, order: int) -> _Job:
        def job() -> tuple[list[SourceResult], list[_Job]]:
            if entry.link:
                return [self._add_url(entry.link, folder, order, entry, feed)], []
            return [self._add_teaser(entry, feed, folder, order, "the entry has no link")], []

        return self._guarded(entry.link or entry.guid or feed, order, feed, job)

    # --- writing ---------------------------------------------------------------------

    def _save(
        self,
        source: str,
        folder: Path,
        fields: dict[str, str | None],
        text: str,
        order: int,
    ) -> SourceResult:
        """Write the article unless the library has it (by URL, by text); one at a time."""
        body = article_body(text)
        sha = text_hash(body)
        url, feed, title = fields.get("url"), fields.get("feed"), fields.get("title")
        with self._lock:
            holder = self.known.by_url(url) if url else None
            why = "same URL"
            if holder is None:
                holder, why = self.known.by_text(sha), "same text"
            if holder is not None:
                return SourceResult(
                    source, "duplicate", Path(holder), why, title, feed, order=order
                )
            try:
                path = write_new_article(
                    folder, file_name_for(title), article_file_text(fields, body)
                )
            except OSError as error:
                reason = f"cannot write in {folder}: {error.strerror or error}"
                return SourceResult(source, "failed", reason=reason, feed=feed, order=order)
            self.known.add(path, url=url, sha=sha, feed=feed, guid=fields.get("guid"))
        return SourceResult(source, "added", path, None, title, feed, order=order)
