"""What became of each source `reader add` was given: :class:`SourceResult` and the
:class:`AddReport` of a run, and :class:`AddError` when nothing could be tried at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "AddError",
    "AddReport",
    "Cancelled",
    "Progress",
    "SourceResult",
    "Status",
    "teaser_summary",
]

Status = Literal["added", "duplicate", "failed", "checked"]
"""What became of a source."""


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
    """Added from the feed's teaser: the page could not be fetched (the reason says why);
    for a teaser's page fetched again (``checked``), still failing: the teaser kept."""
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

    @property
    def teasers(self) -> list[SourceResult]:
        """The articles added as their feed's teaser only (their page could not be had)."""
        return [r for r in self.added if r.teaser_only]

    @property
    def teasers_kept(self) -> list[SourceResult]:
        """The teasers whose page was fetched again and failed again (kept as they are)."""
        return [r for r in self.results if r.status == "checked" and r.teaser_only]


def teaser_summary(
    report: AddReport, retry: str = "reader refresh", *, kept: bool = True
) -> list[str]:
    """The summary's words on *report*'s teasers (none: []): how many articles were added
    as their feed's teaser only, how many teasers' pages failed again (unless not *kept*),
    why (the distinct reasons, three at most), and that *retry* fetches them again.
    Untrusted parts (the reasons) are the caller's to sanitise."""
    from reader.web.teasers import GIVE_UP_DAYS

    lines = []
    for results, what, again in (
        (report.teasers, "only", ""),
        (report.teasers_kept if kept else [], "kept", " again"),
    ):
        if not results:
            continue
        reasons = list(dict.fromkeys(r.reason or "" for r in results))
        why = "; ".join(reason.removeprefix("teaser kept: ") for reason in reasons[:3])
        why += "; …" if len(reasons) > 3 else ""
        one = len(results) == 1
        lines.append(
            f"{len(results)} teaser{'' if one else 's'} {what}: "
            f"{'its page' if one else 'their pages'} failed{again} ({why}); "
            f"{retry} retries {'it' if one else 'them'} for {GIVE_UP_DAYS} days"
        )
    return lines


Progress = Callable[[int, int, SourceResult | None], None]
"""``progress(done, total, result)``: called in the caller's thread after each result
(and with None when feeds add to the total)."""

Cancelled = Callable[[], bool]
"""Says whether to stop (``threading.Event().is_set`` will do)."""
