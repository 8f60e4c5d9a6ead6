"""Saved web pages: an HTML document to its article (Markdown text and metadata).

One function, :func:`extract_page`, used both for ``.html`` files in a library and for
pages fetched by ``reader add``. The main text and metadata come from trafilatura (not a
hand-written stripper), as Markdown so that headings, emphasis, lists and links survive and
are drawn by the Markdown parser. A page with no article (a front page, an index) gives
``None``: the caller says so.

:func:`read_page` is what the library uses: the same, cached by the page's content hash in
the cache dir (``<cache dir>/pages/<sha[:2]>/<sha>.json``, set by :func:`use_cache`), like
the entity cache, so that a saved page is extracted once, not at every start.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from reader.files import write_atomically

__all__ = [
    "CACHE_FORMAT",
    "MAX_LINK_SHARE",
    "MIN_WORDS",
    "PROSE_WORDS",
    "Page",
    "charset_of",
    "extract_page",
    "is_cached",
    "page_title",
    "read_page",
    "use_cache",
]

#: Bump when what is cached (or how a page is extracted) changes; old entries are ignored.
CACHE_FORMAT = 1

#: An article has at least this many words in paragraphs of prose (a cookie banner, a
#: lone link or a list of headlines has none).
MIN_WORDS = 25

#: A paragraph of prose has at least this many words outside links (a headline, a teaser,
#: a menu entry has fewer).
PROSE_WORDS = 12

#: An extraction whose words are mostly link text is a list of links (a front page, an
#: index, a menu), not an article.
MAX_LINK_SHARE = 0.5

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_WORDS = re.compile(r"\w+")

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
    if "\n\n" not in text:
        # trafilatura's fallbacks write one paragraph a line: Markdown needs a blank line.
        text = text.replace("\n", "\n\n")
    if not _is_article(text):
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


def _is_article(markdown: str) -> bool:
    """Whether the extracted *markdown* reads as an article (a front page or an index gives
    headlines, teasers and links): enough words in paragraphs of prose, mostly not links."""
    words = linked = prose = 0
    for paragraph in markdown.split("\n\n"):
        count = len(_WORDS.findall(_LINK_TARGET.sub("", paragraph)))
        in_links = sum(len(_WORDS.findall(found)) for found in _LINK.findall(paragraph))
        words, linked = words + count, linked + in_links
        if count - in_links >= PROSE_WORDS:
            prose += count
    return prose >= MIN_WORDS and linked <= MAX_LINK_SHARE * words


def page_title(data: bytes) -> str | None:
    """The page's ``<title>``, read without parsing the page (a listing's provisional title)."""
    found = _TITLE.search(data[:65536])
    if not found:
        return None
    raw = found.group(1).decode(charset_of(data), errors="replace")
    return _clean(html.unescape(raw))


_cache_dir: Path | None = None


def use_cache(directory: Path | None) -> None:
    """Cache extractions under *directory* (the user cache dir), or not at all (None).

    Set once by :class:`reader.workspace.Workspace`; without it pages are extracted each
    time they are read.
    """
    global _cache_dir
    _cache_dir = directory


def _cache_file(sha256: str) -> Path | None:
    return None if _cache_dir is None else _cache_dir / "pages" / sha256[:2] / f"{sha256}.json"


def _cached(file: Path | None) -> tuple[bool, Page | None]:
    """``(found, page)`` from the cache file (a page with no article is cached as None)."""
    if file is None:
        return False, None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if data.get("format") != CACHE_FORMAT:
            return False, None
        page = data["page"]
        return True, None if page is None else Page(**page)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False, None


def is_cached(data: bytes) -> bool:
    """Whether *data* was extracted before (reading it then is quick)."""
    file = _cache_file(hashlib.sha256(data).hexdigest())
    return file is not None and file.is_file()


def read_page(data: bytes) -> Page | None:
    """:func:`extract_page` of a saved page, from the cache when it was extracted before."""
    file = _cache_file(hashlib.sha256(data).hexdigest())
    found, page = _cached(file)
    if found:
        return page
    page = extract_page(data)
    if file is not None:
        payload = {"format": CACHE_FORMAT, "page": None if page is None else asdict(page)}
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
            # Not durable: a lost entry only costs extracting the page again.
            write_atomically(file, text.encode("utf-8"), durable=False)
        except OSError:
            pass  # a cache is an optimisation
    return page
