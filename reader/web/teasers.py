"""A feed entry kept as its teaser (its page could not be had when it was added) is not
final: on each refresh of its feed, whether the feed changed or answered 304, the page is
fetched again (:meth:`reader.web.runner.Run._retry_teaser`), and once it answers, the full
article takes the teaser's place in the same file; annotations made on the teaser follow
it there by re-anchoring, as after an edit.

Only a file that still says it is a teaser (``teaser_only: "true"`` in its front matter,
as :func:`reader.web.drafts.teaser_draft` writes it) and is unchanged since it was read
is replaced; anything else is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reader.files import FolderNotSynced, write_atomically
from reader.library.frontmatter import split_front_matter
from reader.library.parsers import decode
from reader.web.feeds import FeedEntry

__all__ = ["Teaser"]


@dataclass(frozen=True)
class Teaser:
    """A teaser file as read: its bytes, and the feed entry it was written from."""

    path: Path
    data: bytes
    entry: FeedEntry
    link: str
    """The entry's link: the page to fetch."""

    @classmethod
    def read(cls, path: Path) -> Teaser | None:
        """The teaser in the file at *path*; None when it cannot be read, or is no teaser
        (any more: the user may have edited it), or has no link."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        text, _notice = decode(data)
        meta = split_front_matter(text).meta
        link = meta.get("url")
        if meta.get("teaser_only") != "true" or not link:
            return None
        entry = FeedEntry(
            meta.get("guid"), link, meta.get("title"), meta.get("author"), meta.get("date")
        )
        return cls(path, data, entry, link)

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
