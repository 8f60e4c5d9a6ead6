"""A feed entry kept as its teaser (its page could not be had when it was added) is not
final: on each refresh of its feed, whether the feed changed or answered 304, the page is
fetched again (:meth:`reader.web.runner.Run._retry_teaser`), and once it answers, the full
article takes the teaser's place in the same file; annotations made on the teaser follow
it there by re-anchoring, as after an edit.

A teaser is written with a stamp: ``teaser_sha``, in its front matter, the SHA-256 of the
file's bytes as written without that line (:func:`teaser_file_text`). Only a file whose
bytes still hash to its stamp is a teaser to replace (:func:`is_as_written`): one the user
touched at all (a note typed into the body, a field changed, the stamp removed) is theirs,
and left alone; so is a teaser written before stamps were. Nor is a page fetched again
forever: :data:`GIVE_UP_DAYS` after the teaser was written (its ``fetched_at``), it is kept
as it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reader.files import FolderNotSynced, write_atomically
from reader.library.frontmatter import split_front_matter
from reader.library.parsers import decode
from reader.web.feeds import FeedEntry
from reader.web.saving import article_file_text

__all__ = ["GIVE_UP_DAYS", "STAMP_FIELD", "Teaser", "is_as_written", "teaser_file_text"]

GIVE_UP_DAYS = 30
"""A teaser's page is fetched again on each refresh of its feed for this many days after
the teaser was written (its ``fetched_at``), then no more: a page gone that long is gone
(days, not attempts: a feed refreshed every half hour by cron would spend 20 attempts in
ten hours)."""

STAMP_FIELD = "teaser_sha"
"""The front matter field holding a teaser's stamp."""

_STAMP = re.compile(rb'^teaser_sha: "([0-9a-f]{64})"\r?\n', re.MULTILINE)
_PLACEHOLDER = "0" * 64


def _unstamped(data: bytes) -> tuple[bytes, str | None]:
    """*data* without its first stamp line, and the stamp (None when there is none)."""
    found = _STAMP.search(data)
    if found is None:
        return data, None
    return data[: found.start()] + data[found.end() :], found[1].decode("ascii")


def teaser_file_text(fields: Mapping[str, str | None], body: str) -> str:
    """The teaser's file, as :func:`~reader.web.saving.article_file_text` makes it, with
    its stamp (:data:`STAMP_FIELD`) among the front matter's fields."""
    data = article_file_text({**fields, STAMP_FIELD: _PLACEHOLDER}, body).encode("utf-8")
    rest, _ = _unstamped(data)
    digest = hashlib.sha256(rest).hexdigest()
    return _STAMP.sub(f'{STAMP_FIELD}: "{digest}"\n'.encode(), data, count=1).decode("utf-8")


def is_as_written(data: bytes) -> bool:
    """Whether the file's bytes *data* are still those of a teaser as reader wrote it."""
    rest, stamp = _unstamped(data)
    return stamp is not None and hashlib.sha256(rest).hexdigest() == stamp


@dataclass(frozen=True)
class Teaser:
    """A teaser file as read: its bytes, and the feed entry it was written from."""

    path: Path
    data: bytes
    entry: FeedEntry
    link: str
    """The entry's link: the page to fetch."""
    written: dt.datetime | None = None
    """When it was written (its ``fetched_at``), if that can be read."""

    @classmethod
    def read(cls, path: Path) -> Teaser | None:
        """The teaser in the file at *path*; None when it cannot be read, or is no teaser
        as written (any more: the user may have edited it), or has no link."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not is_as_written(data):
            return None
        text, _notice = decode(data)
        meta = split_front_matter(text).meta
        link = meta.get("url")
        if meta.get("teaser_only") != "true" or not link:
            return None
        entry = FeedEntry(
            meta.get("guid"), link, meta.get("title"), meta.get("author"), meta.get("date")
        )
        return cls(path, data, entry, link, _moment(meta.get("fetched_at")))

    def given_up(self, now: dt.datetime) -> bool:
        """Whether its page is no longer fetched at *now*: the teaser was written more than
        :data:`GIVE_UP_DAYS` before (or when cannot be read)."""
        return self.written is None or now - self.written > dt.timedelta(days=GIVE_UP_DAYS)

    def replace(self, text: str) -> str | None:
        """Put *text* (the article's file) in the teaser's place, atomically, if the file
        is still as it was read; else (or if it cannot be written) say why."""
        try:
            if self.path.read_bytes() != self.data:
                return "the file changed meanwhile"
            write_atomically(self.path, text.encode("utf-8"), keep_mode=True)
        except FolderNotSynced:
            pass  # the file is in place
        except OSError as error:
            return f"cannot write it: {error.strerror or error}"
        return None


def _moment(value: str | None) -> dt.datetime | None:
    """The moment an ISO 8601 ``fetched_at`` names (UTC when it names no zone), or None."""
    try:
        moment = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
