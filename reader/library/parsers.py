"""Parsers: the bytes of an article file to its text, mounted by file ending.

A library is read through these: :func:`reader.library.articles.read_article` reads a file's
bytes and hands them to the parser mounted for its ending (as lemon24/reader mounts parsers
by MIME type), so that a new kind of article file (saved web pages, say) is one parser more
and the library, the catalogue and everything downstream stay as they are. An article's
identity stays path + content hash of the text a parser returns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from reader.library import pages
from reader.library.endings import ARTICLE_SUFFIXES
from reader.library.frontmatter import split_front_matter
from reader.library.markdown import Format, render_markdown
from reader.text import sanitize_line

__all__ = [
    "ARTICLE_SUFFIXES",
    "NO_ARTICLE",
    "PAGE_SUFFIXES",
    "PARSERS",
    "RENDERED_SUFFIXES",
    "Parsed",
    "Parser",
    "decode",
    "looks_binary",
    "parse_markdown",
    "parse_page",
    "parse_plain_text",
    "parser_for",
    "provisional_title",
    "title_of",
]

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")

#: Control bytes that mark a file as binary (all of C0 except tab, LF, FF and CR).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


@dataclass(frozen=True)
class Parsed:
    """What a parser made of a file's bytes (before sanitising)."""

    text: str
    """The article's text as read (reader sanitises it once, afterwards)."""
    title: str | None = None
    """The title when the format says it; None to take the text's first heading or line."""
    notices: tuple[str, ...] = ()
    """What the user should know about how it was read (an encoding fallback, say)."""
    formats: tuple[Format, ...] | None = None
    """Styles as ranges into :attr:`text` (rendered Markdown); None for plain text."""
    meta: Mapping[str, str] = field(default_factory=dict)
    """Metadata the file states (front matter, a page's own): title, author, date, url…"""
    empty_reason: str | None = None
    """Why there is no text, when the format can say (a web page with no article)."""


Parser = Callable[[bytes], Parsed]
"""Turns the bytes of an article file into its text."""


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode article bytes: UTF-8, else cp1252, else UTF-8 with replacement characters.

    Returns the text and a notice when anything but clean UTF-8 was needed.
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8: read as Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text, "not valid UTF-8 or cp1252: undecodable bytes shown as \ufffd"


def looks_binary(data: bytes) -> bool:
    """Return True when *data* is evidently not text (NUL bytes, or mostly control bytes)."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > 0.1


def title_of(text: str, fallback: str) -> str:
    """Return the first Markdown heading, else the first non-empty line, else *fallback*."""
    first_line = None
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _HEADING.match(line)
        if match:
            return sanitize_line(match.group("title"))
        if first_line is None:
            first_line = line
            # A heading may still come later only in Markdown; plain text titles are line one.
            break
    return sanitize_line(first_line) if first_line else sanitize_line(fallback)


def parse_plain_text(data: bytes) -> Parsed:
    """Plain text, read as it is written."""
    text, notice = decode(data)
    return Parsed(text, None, (notice,) if notice else ())


def parse_markdown(data: bytes) -> Parsed:
    """Markdown: front matter as metadata, the rest rendered (:mod:`reader.library.markdown`).

    The title is the front matter's ``title``, else the first heading.
    """
    text, notice = decode(data)
    front = split_front_matter(text)
    notices = tuple(n for n in (notice, front.notice) if n)
    parsed = _rendered(front.body, front.meta)
    if front.kept_end:
        # A block not read is drawn as text (its `---` lines a rule and a heading's
        # underline): the title is the first heading or line after it, as listed.
        from reader.library.quick import head_title

        title = head_title(front.body[front.kept_end :], markdown=True)
        parsed = replace(parsed, title=title)
    return replace(parsed, notices=notices)


NO_ARTICLE = "no article found in this web page (a front page or an index?)"
"""What a saved page with no article text says."""


def parse_page(data: bytes) -> Parsed:
    """A saved web page: its article as found by :func:`reader.library.pages.read_page`
    (trafilatura, cached by content hash), rendered as Markdown; its title, author, date
    and site as metadata."""
    page = pages.read_page(data)
    if page is None:
        return Parsed("", empty_reason=NO_ARTICLE)
    meta = {
        name: value
        for name, value in (
            ("title", page.title),
            ("author", page.author),
            ("date", page.date),
            ("site", page.site),
            ("url", page.url),
        )
        if value
    }
    return _rendered(page.text, meta)


def provisional_title(path: Path, data: bytes) -> str | None:
    """A title for a file whose parsing is slow and not done yet (a saved page not yet
    extracted), or None when *path* parses quickly or was parsed before. The article is then
    listed under this title and parsed when it is opened, off the screen's thread."""
    if path.suffix.lower() not in PAGE_SUFFIXES or pages.is_cached(data):
        return None
    return sanitize_line(pages.page_title(data) or path.stem)


def _rendered(markdown: str, meta: Mapping[str, str]) -> Parsed:
    rendered = render_markdown(markdown)
    meta = {name: sanitize_line(value, 1000) for name, value in meta.items()}
    base = meta.get("url")
    formats = rendered.formats
    if base and urlsplit(base).scheme in ("http", "https"):
        # Relative links of a saved page (or an article with its url) point into its site.
        formats = tuple(
            replace(item, url=urljoin(base, item.url)) if item.url is not None else item
            for item in formats
        )
    title = meta.get("title") or rendered.first_heading
    return Parsed(rendered.text, title, formats=formats, meta=meta)


PAGE_SUFFIXES = frozenset({".html", ".htm"})
"""Saved web pages."""

RENDERED_SUFFIXES = frozenset({".md", ".markdown", *PAGE_SUFFIXES})
"""Files whose text is rendered Markdown: markdown-it-py reads a few hundred KB a second,
so the app reads a large one off the screen's thread."""

PARSERS: dict[str, Parser] = {
    ".txt": parse_plain_text,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".html": parse_page,
    ".htm": parse_page,
}
"""The parser for each file ending (lower case, with its dot)."""

if frozenset(PARSERS) != ARTICLE_SUFFIXES:  # (one list of endings: see endings.py)
    raise ImportError("reader.library.endings names other endings than PARSERS")


def parser_for(path: Path) -> Parser:
    """The parser mounted for *path*'s ending (plain text for a file named on purpose)."""
    return PARSERS.get(path.suffix.lower(), parse_plain_text)
