"""Parsers: the bytes of an article file to its text, mounted by file ending.

A library is read through these: :func:`reader.library.articles.read_article` reads a file's
bytes and hands them to the parser mounted for its ending (as lemon24/reader mounts parsers
by MIME type), so that a new kind of article file (saved web pages, say) is one parser more
and the library, the catalogue and everything downstream stay as they are. An article's
identity stays path + content hash of the text a parser returns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reader.text import sanitize_line

__all__ = [
    "ARTICLE_SUFFIXES",
    "PARSERS",
    "Parsed",
    "Parser",
    "decode",
    "looks_binary",
    "parse_plain_text",
    "parser_for",
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
    """Plain text (and, until Markdown is rendered, Markdown read as it is written)."""
    text, notice = decode(data)
    return Parsed(text, None, (notice,) if notice else ())


PARSERS: dict[str, Parser] = {
    ".txt": parse_plain_text,
    ".md": parse_plain_text,
    ".markdown": parse_plain_text,
}
"""The parser for each file ending (lower case, with its dot)."""

ARTICLE_SUFFIXES = frozenset(PARSERS)
"""File endings read as articles."""


def parser_for(path: Path) -> Parser:
    """The parser mounted for *path*'s ending (plain text for a file named on purpose)."""
    return PARSERS.get(path.suffix.lower(), parse_plain_text)
