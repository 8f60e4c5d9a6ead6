"""One run of `reader add` or `reader refresh`: a thread pool of jobs (a URL, a file, a
feed, then each of its new entries), the library's known articles, one lock around the
duplicate check and the write, and each feed's state (ETag, Last-Modified) saved at the end.

Jobs return their results and their follow-up jobs (a feed returns its entries); the
calling thread collects them, so *progress* is called there. A bug in one job (a parser's
crash on a strange page) is that source's failure, not the run's end.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from reader.settings import Settings
from reader.web.drafts import Draft, Refused, file_draft, page_draft, teaser_draft
from reader.web.feeds import FeedEntry, FeedError, parse_feed
from reader.web.fetch import Fetcher, FetchError, FetchLimits
from reader.web.known import KnownArticles, text_hash
from reader.web.report import AddError, AddReport, Cancelled, Progress, SourceResult
from reader.web.saving import article_body, article_file_text, file_name_for, write_new_article
from reader.web.subscriptions import (
    Subscription,
    Subscriptions,
    SubscriptionsError,
    feeds_path,
    now_iso,
)
from reader.web.teasers import Teaser, teaser_file_text
from reader.web.urls import BadURL, check_url, url_key

__all__ = ["Job", "Run"]

Job = Callable[[], "tuple[list[SourceResult], list[Job]]"]
"""One source's work: its results, and the jobs it leads to (a feed's entries)."""


@dataclass
class _FeedState:
    subscription: Subscription
    etag: str | None
    last_modified: str | None
    expected: int = 0
    finished: int = 0
    failed: int = 0


class _Pool:
    """Worker threads taking jobs from a queue. Daemon threads, unlike those of
    ``ThreadPoolExecutor``, which the interpreter waits for at exit: Ctrl+C during a
    slow fetch ends `reader add` at once instead of after the read timeout."""

    def __init__(self, workers: int) -> None:
        self._queue: queue.SimpleQueue[tuple[futures.Future[Any], Job] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"reader-add-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, job: Job) -> futures.Future[Any]:
        """Queue *job*; its future holds what it returns."""
        future: futures.Future[Any] = futures.Future()
        self._queue.put((future, job))
        return future

    def stop(self) -> None:
        """Let the threads end once the queue is empty (not waited for)."""
        for _ in self._threads:
            self._queue.put(None)

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            future, job = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as error:  # jobs are guarded: this is a bug
                future.set_exception(error)


class Run:
    """One call's fetcher, known articles, lock, results and feed states."""

    def __init__(
        self,
        settings: Settings,
        limits: FetchLimits | None,
        folders: list[Path],
        cancelled: Cancelled | None,
        default_folder: Callable[[], Path],
    ) -> None:
        """Get ready to add to *folders* (the library's are looked at for duplicates too);
        *default_folder* gives the folder for a feed subscribed without one."""
        self.settings = settings
        self.default_folder = default_folder
        self.fetcher = Fetcher(limits)
        self.limits = self.fetcher.limits
        self.cancelled = cancelled or (lambda: False)
        self.results: list[SourceResult] = []
        self.stopped = False
        # The folders added to and the library's, each walked once (they are often one).
        unique = {os.path.realpath(p): p for p in [*folders, *settings.article_paths] if p.is_dir()}
        cache = settings.cache_dir if settings.use_cache else None
        # The library's saved pages are read for their article (known.py): extracted
        # once, into the page cache the app's reading shares (as the workspace sets it).
        from reader.library import pages

        pages.use_cache(cache)
        self.known = KnownArticles.in_folders(
            list(unique.values()), cache, exclude=[settings.exports_dir]
        )
        self.subscriptions = Subscriptions(feeds_path(settings.db_path))
        self.feeds: dict[str, _FeedState] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fetcher.close()

    def report(self, folder: Path | None) -> AddReport:
        results = sorted(self.results, key=lambda r: r.order)
        return AddReport(folder, results, self.stopped)

    # --- running ---------------------------------------------------------------------

    def run(self, jobs: list[Job], workers: int, progress: Progress | None) -> None:
        """Run *jobs* (and those they lead to) on *workers* threads; collect the results
        here, calling *progress*; then save the feeds' states."""
        pool = _Pool(max(1, workers))
        total = len(jobs)
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
        except BaseException:
            # Ctrl+C: fetches under way are left to their (daemon) threads rather than
            # waited for up to the read timeout; a write under way ends first, and no
            # other starts (the lock is kept), so no article is half written.
            for future in pending:
                future.cancel()
            self._lock.acquire()
            raise
        finally:
            pool.stop()
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

    def url_job(self, url: str, folder: Path, order: int) -> Job:
        return self._guarded(url, order, None, lambda: ([self._add_url(url, folder, order)], []))

    def file_job(self, path: str, folder: Path, order: int) -> Job:
        return self._guarded(path, order, None, lambda: ([self._add_file(path, folder, order)], []))

    def feed_job(self, url: str, folder: Path | None, order: int, subscribe: bool) -> Job:
        return self._guarded(url, order, None, lambda: self._feed(url, folder, order, subscribe))

    def _guarded(self, source: str, order: int, feed: str | None, work: Job) -> Job:
        """*work*, with a bug in it (a parser's crash on a strange page) reported as that
        source's failure instead of stopping the run."""

        def job() -> tuple[list[SourceResult], list[Job]]:
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
            draft = page_draft(self.fetcher.page(url), entry, feed)
        except (FetchError, Refused) as error:
            if entry is None or not entry.teaser:
                return replace(failed, reason=str(error))
            draft = teaser_draft(entry, feed, str(error))
        return self._save(url, folder, draft, order)

    def _add_file(self, source: str, folder: Path, order: int) -> SourceResult:
        try:
            draft = file_draft(source, self.limits.max_bytes)
        except Refused as error:
            return SourceResult(source, "failed", reason=str(error), order=order)
        return self._save(source, folder, draft, order)

    # --- one feed --------------------------------------------------------------------

    def _feed(
        self, url: str, folder: Path | None, order: int, subscribe: bool
    ) -> tuple[list[SourceResult], list[Job]]:
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
                unchanged = SourceResult(url, "checked", reason="not modified", order=order)
                return [unchanged], self._teaser_jobs(url, order)
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
                target = self.default_folder()
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
        entries = [self._entry_job(e, url, target, order) for e in new]
        return [checked], entries + self._teaser_jobs(url, order)

    def _entry_job(self, entry: FeedEntry, feed: str, folder: Path, order: int) -> Job:
        def job() -> tuple[list[SourceResult], list[Job]]:
            if entry.link:
                return [self._add_url(entry.link, folder, order, entry, feed)], []
            draft = teaser_draft(entry, feed, "the entry has no link")
            return [self._save(entry.guid or feed, folder, draft, order)], []

        return self._guarded(entry.link or entry.guid or feed, order, feed, job)

    def _teaser_jobs(self, feed: str, order: int) -> list[Job]:
        """A job per file of *feed* holding a teaser: its page fetched again."""
        with self._lock:
            paths = self.known.teasers(feed)
        return [
            self._guarded(path, order, None, partial(self._retry_teaser, Path(path), feed, order))
            for path in paths
        ]

    def _retry_teaser(
        self, path: Path, feed: str, order: int
    ) -> tuple[list[SourceResult], list[Job]]:
        """Fetch the page of the teaser in *path* again and put the article in its place
        (:mod:`reader.web.teasers`); a page still missing is no failure: the teaser stays
        (a result with :attr:`~SourceResult.teaser_only`). A teaser given up on (written
        :data:`~reader.web.teasers.GIVE_UP_DAYS` ago) is not fetched, nor said."""
        teaser = Teaser.read(path)
        if teaser is None:  # edited since the walk: the user's now
            return [SourceResult(str(path), "checked", path, "no longer a teaser", order=order)], []
        if teaser.given_up(datetime.now(UTC)):
            return [], []
        kept = SourceResult(
            teaser.link, "checked", path, title=teaser.entry.title, teaser_only=True, order=order
        )
        with self._lock:  # the page the library holds elsewhere: not fetched again
            holder, why = self._holder(teaser.link, None, besides=path)
        if holder is not None:
            return [self._duplicate(kept, holder, why, feed)], []
        try:
            draft = page_draft(self.fetcher.page(check_url(teaser.link)), teaser.entry, feed)
        except (BadURL, FetchError, Refused) as error:
            return [replace(kept, reason=f"teaser kept: {error}")], []
        body = article_body(draft.text)
        sha = text_hash(body)
        url, guid = draft.fields.get("url"), teaser.entry.ident
        with self._lock:
            holder, why = self._holder(url, sha, besides=path)
            if holder is not None:
                return [self._duplicate(kept, holder, why, feed)], []
            problem = teaser.replace(article_file_text(draft.fields, body))
            if problem:
                return [replace(kept, reason=f"teaser kept: {problem}")], []
            self.known.add(path, url=url, sha=sha, feed=feed, guid=guid)
        said = "the full article, in place of its teaser"
        done = replace(kept, status="added", reason=said, title=draft.fields.get("title"))
        return [replace(done, teaser_only=False)], []

    @staticmethod
    def _duplicate(kept: SourceResult, holder: str, why: str, feed: str) -> SourceResult:
        """A teaser whose page another file holds: the teaser is kept, the page not added."""
        return replace(
            kept, status="duplicate", path=Path(holder), reason=why, feed=feed, teaser_only=False
        )

    # --- writing ---------------------------------------------------------------------

    def _holder(
        self, url: str | None, sha: str | None, besides: Path | None = None
    ) -> tuple[str | None, str]:
        """The file holding the article at *url* or of text hash *sha* (other than
        *besides*), and why it is the same (``same URL``, ``same text``); under the lock."""
        holder = self.known.by_url(url, besides=besides) if url else None
        if holder is not None:
            return holder, "same URL"
        return (self.known.by_text(sha, besides=besides) if sha else None), "same text"

    def _save(self, source: str, folder: Path, draft: Draft, order: int) -> SourceResult:
        """Write the article unless the library has it (by URL, by text); one at a time."""
        fields = draft.fields
        body = article_body(draft.text)
        sha = text_hash(body)
        url, feed, title = fields.get("url"), fields.get("feed"), fields.get("title")
        with self._lock:
            holder, why = self._holder(url, sha)
            if holder is not None:
                return SourceResult(
                    source, "duplicate", Path(holder), why, title, feed, order=order
                )
            try:
                if draft.plain:  # a text file stays one: "*" or "#" are not Markdown
                    path = write_new_article(folder, file_name_for(title, ".txt"), body)
                else:
                    write = teaser_file_text if draft.teaser_only else article_file_text
                    path = write_new_article(folder, file_name_for(title), write(fields, body))
            except OSError as error:
                reason = f"cannot write in {folder}: {error.strerror or error}"
                return SourceResult(source, "failed", reason=reason, feed=feed, order=order)
            self.known.add(path, url=url, sha=sha, feed=feed, guid=fields.get("guid"))
        teaser = draft.teaser_only
        return SourceResult(
            source, "added", path, teaser, title, feed, teaser_only=teaser is not None, order=order
        )
