"""What a page, a saved file or a feed's teaser becomes before it is written: a
:class:`Draft` (front matter fields and text), or :class:`Refused` with the reason.

No network and no writing here: :mod:`reader.web.runner` fetches, checks duplicates and
writes. Pages are extracted by :func:`reader.library.pages.extract_page` (trafilatura); a
page whose text has no paragraphs of prose (a front page, an index of headlines) is
refused rather than added as an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reader.library.frontmatter import split_front_matter
from reader.library.pages import extract_page
from reader.library.parsers import decode, looks_binary, title_of
from reader.web.feeds import FeedEntry
from reader.web.fetch import Fetched
from reader.web.subscriptions import now_iso
from reader.web.urls import clean_url

__all__ = [
    "FILE_SUFFIXES",
    "MIN_PROSE_CHARS",
    "Draft",
    "Refused",
    "file_draft",
    "not_an_article",
    "page_draft",
    "teaser_draft",
]

FILE_SUFFIXES = frozenset({".html", ".htm", ".md", ".markdown", ".txt"})
"""The files `reader add FILE` takes: saved pages (extracted) and text (copied)."""

MIN_PROSE_CHARS = 150
"""A page whose extracted text has less prose than this is not taken for an article."""

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]*_]*\s*$")


class Refused(Exception):
    """The source gives no article; ``str()`` says why, for the user."""


@dataclass(frozen=True)
class Draft:
    """An article ready to be written."""

    fields: dict[str, str | None]
    """Its front matter (``title``, ``url``, ...; None values are left out)."""
    text: str
    """Its text (Markdown or plain)."""
    teaser_only: str | None = None
    """Why the feed's teaser stands in for the page, when it does."""
    plain: bool = False
    """A plain text file's text: written as ``.txt`` as it is (no front matter, never read
    as Markdown); its :attr:`fields` only name the file."""


def not_an_article(text: str) -> str | None:
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


def page_draft(fetched: Fetched, entry: FeedEntry | None = None, feed: str | None = None) -> Draft:
    """The article in a fetched page (the feed's entry fills what the page does not say).

    Raises:
        Refused: no article text in the page.
    """
    page = extract_page(fetched.data, url=fetched.url, charset=fetched.charset)
    refused = not_an_article(page.text if page else "")
    if refused or page is None:
        raise Refused(refused or "no article text found in the page")
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
    return Draft(fields, page.text)


def teaser_draft(entry: FeedEntry, feed: str | None, why: str) -> Draft:
    """A feed entry's teaser, marked as such, for a page that could not be had (*why*)."""
    fields: dict[str, str | None] = {
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
    return Draft(fields, entry.teaser, teaser_only=why)


def file_draft(source: str, max_bytes: int) -> Draft:
    """The article in the file *source*: a saved page extracted, a ``.md`` file with its
    front matter kept (``added_at`` records when), a ``.txt`` file as it is: plain text,
    which Markdown would misread (``*``, ``#``, ``1.`` at a line's start), so it stays
    ``.txt`` (without front matter, which a ``.txt`` file has no place for).

    Raises:
        Refused: missing, a folder, another kind of file, unreadable, too large, binary,
            empty, or a page with no article.
    """
    path = Path(source)
    suffix = path.suffix.lower()
    if not path.exists():
        why = "no such file" + ("" if "://" in source else " (a URL needs http:// or https://)")
        raise Refused(why)
    if path.is_dir():
        raise Refused("a folder: name the files in it")
    if suffix not in FILE_SUFFIXES:
        raise Refused("not an article file (.html, .htm, .md, .txt)")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise Refused(f"cannot be read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise Refused(f"larger than {max_bytes:,} bytes")
    if looks_binary(data):
        raise Refused("not text (a binary file)")
    added_at = now_iso()
    if suffix in (".html", ".htm"):
        page = extract_page(data)
        refused = not_an_article(page.text if page else "")
        if refused or page is None:
            raise Refused(refused or "no article text found in the page")
        fields: dict[str, str | None] = {
            "title": page.title or title_of(page.text, path.stem),
            "url": clean_url(page.url) if page.url else None,
            "author": page.author,
            "date": page.date,
            "site": page.site,
            "added_at": added_at,
        }
        return Draft(fields, page.text)
    text, _notice = decode(data)
    meta: dict[str, str | None] = {}
    if suffix != ".txt":
        matter = split_front_matter(text)
        meta, text = dict(matter.meta), matter.body
    if not text.strip():
        raise Refused("empty: no text to add")
    meta["title"] = meta.get("title") or title_of(text, path.stem)
    if suffix == ".txt":
        return Draft(meta, text, plain=True)
    meta.setdefault("added_at", added_at)
    return Draft(meta, text)
