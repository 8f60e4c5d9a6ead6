"""Saved web pages: an HTML document to its article (Markdown text and metadata).

One function, :func:`extract_page`, used both for ``.html`` files in a library and for
pages fetched by ``reader add``. The main text and metadata come from trafilatura (not a
hand-written stripper), as Markdown so that headings, emphasis, lists and links survive and
are drawn by the Markdown parser. A page with no article (a front page, an index) gives
``None``: the caller says so.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

__all__ = ["Page", "charset_of", "extract_page"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)


@dataclass(frozen=True)
class Page:
    """The article found in a web page."""

    text: str
    """The main text as Markdown (paragraphs separated by blank lines)."""
    title: str | None = None
    author: str | None = None
    date: str | None = None
    """The publication date, ISO 8601 (``YYYY-MM-DD``), when the page says it."""
    site: str | None = None
    url: str | None = None
    """The page's canonical URL when it names one, else the URL it was fetched from."""


def charset_of(data: bytes, declared: str | None = None) -> str:
    """The encoding to read *data* with: *declared* (HTTP header), else the page's ``<meta>``.

    Falls back to UTF-8. Unknown names are ignored rather than trusted.
    """
    candidates = [declared]
    found = _META_CHARSET.search(data[:4096])
    if found:
        candidates.append(found.group(1).decode("ascii", "replace"))
    for name in candidates:
        if not name:
            continue
        try:
            return codecs.lookup(name.strip()).name
        except LookupError:
            continue
    return "utf-8"


def extract_page(
    data: bytes | str, url: str | None = None, charset: str | None = None
) -> Page | None:
    """The article in the HTML *data* (bytes decoded by *charset*, else the page's own).

    Returns None when the page holds no article text.
    """
    import trafilatura  # a second or so of imports: only when a page is read

    if isinstance(data, bytes):
        data = data.decode(charset_of(data, charset), errors="replace")
    document = trafilatura.bare_extraction(
        data,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_formatting=True,
        include_links=True,
        include_tables=True,
    )
    if document is None or isinstance(document, dict):
        return None
    text = (document.text or "").strip()
    if not text:
        return None
    return Page(
        text=text + "\n",
        title=_clean(document.title),
        author=_clean(document.author),
        date=_clean(document.date),
        site=_clean(document.sitename),
        url=_clean(document.url) or url,
    )


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None
