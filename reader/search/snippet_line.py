"""A snippet's one line: the text around the words found, sanitised, on one line, with
the offsets of the words found (:func:`make_snippet`); what :mod:`.snippets` lays out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from reader.text import sanitize

__all__ = [
    "ELLIPSIS",
    "MARK_END",
    "MARK_START",
    "PARAGRAPH_MARK",
    "SNIPPET_LIMIT",
    "Snippet",
    "cutter",
    "is_clean",
    "make_snippet",
]

MARK_START = "\ue000"
"""What a word found is preceded by in a raw snippet (a private-use character)."""
MARK_END = "\ue001"
"""... and followed by."""

SNIPPET_LIMIT = 240
"""Longest snippet kept, in code points."""

ELLIPSIS = "…"

_BREAK_CORE = re.compile(r"\n[ \t\r]*\n")
_SPACES = re.compile(r"\s*")
_MARKS = re.compile(f"([{MARK_START}{MARK_END}])")
PARAGRAPH_MARK = " · "
"""What a blank line becomes in a snippet's one line (the title and the first paragraph,
say, are not run into one sentence)."""


@dataclass(frozen=True)
class Snippet:
    """One line of text and the (start, end) offsets of the words found in it."""

    text: str
    marks: tuple[tuple[int, int], ...] = ()


def make_snippet(raw: str, *, sanitized: bool = False) -> Snippet:
    """*raw* (text with the marks around the words found) as one sanitised line and the
    offsets of the marked words; the text between marks is never read as markup.
    *sanitized*: the caller knows :func:`~reader.text.sanitize` would not change *raw*."""
    line = raw if sanitized else sanitize(raw)
    if "\n" in line:  # a break at either end marks nothing: it goes
        line = _paragraphs(line.strip())
    if not (line.isascii() and line.isprintable() and "  " not in line and line == line.strip()):
        line = " ".join(line.split())  # one line (a tab or line break is a space)
    marks: list[tuple[int, int]] = []
    if MARK_START in line or MARK_END in line:
        # Split at the marks (in C): the text between them, then each mark and the text
        # after it. A mark is a start and the next end; an end without a start is dropped.
        parts = _MARKS.split(line)
        length = len(parts[0])
        start: int | None = None
        for i in range(1, len(parts), 2):
            if parts[i] == MARK_START:
                start = length
            elif start is not None:
                if length > start:
                    marks.append((start, length))
                start = None
            length += len(parts[i + 1])
        line = "".join(parts[::2])
    if len(line) > SNIPPET_LIMIT:
        line = line[: SNIPPET_LIMIT - 1] + ELLIPSIS
        marks = [(s, min(e, SNIPPET_LIMIT - 1)) for s, e in marks if s < SNIPPET_LIMIT - 1]
    return Snippet(line, tuple(marks))


def _paragraphs(line: str) -> str:
    """Each blank line of *line* and the white space around it (a whole run of white
    space holding a line break, white space but line breaks, and a line break: what the
    pattern ``\\s*\\n[ \\t\\r]*\\n\\s*`` matches) made :data:`PARAGRAPH_MARK`; each break
    found by its core (a line break, white space but line breaks, a line break: a search
    for a line break, in
    C's tight loop, where the pattern's leading ``\\s*`` has the regex engine try every
    character: ~24,000 instructions a snippet) and widened to its run of white space, as
    the pattern's leftmost, greedy match is: the run's start (``rstrip``: white space as
    ``\\s`` has it) to its end."""
    found = _BREAK_CORE.search(line)
    if found is None:
        return line
    pieces: list[str] = []
    last = 0
    while found is not None:
        start = last + len(line[last : found.start()].rstrip())
        spaces = _SPACES.match(line, found.end())
        assert spaces is not None  # (it matches the empty string)
        pieces += [line[last:start], PARAGRAPH_MARK]
        last = spaces.end()
        found = _BREAK_CORE.search(line, last)
    pieces.append(line[last:])
    return "".join(pieces)


def cutter(text: str, window: str) -> Callable[[int, int], str]:
    """What cuts *text* into a snippet's pieces: slices, without the characters that mark
    the words found when the article's own *window* has some (a private-use character in
    the text would otherwise mark what no query word matched)."""
    if MARK_START not in window and MARK_END not in window:
        return lambda start, end: text[start:end]
    return lambda start, end: text[start:end].replace(MARK_START, "").replace(MARK_END, "")


def is_clean(window: str) -> bool:
    """Whether :func:`~reader.text.sanitize` would leave *window* as it is: printable but
    for line breaks (every character it removes or changes is not printable) and in NFC.
    Marks put between its words then come through it unchanged too."""
    if window.isascii():
        return window.replace("\n", " ").isprintable()
    return window.replace("\n", " ").isprintable() and unicodedata.is_normalized("NFC", window)
