"""A hit's snippet: a bit of text around the words found, on one line, with where they are."""

from __future__ import annotations

from dataclasses import dataclass

from reader.text import sanitize

__all__ = ["MARK_END", "MARK_START", "SNIPPET_LIMIT", "Snippet", "make_snippet"]

MARK_START = "\ue000"
"""What SQLite's ``snippet()`` is asked to put before a word found (a private-use character)."""
MARK_END = "\ue001"
"""... and after it."""

SNIPPET_LIMIT = 240
"""Longest snippet kept, in code points."""


@dataclass(frozen=True)
class Snippet:
    """One line of text and the (start, end) offsets of the words found in it."""

    text: str
    marks: tuple[tuple[int, int], ...] = ()


def make_snippet(raw: str) -> Snippet:
    """*raw* (from ``snippet()``, with the marks) as one sanitised line and the offsets of
    the marked words; the text between marks is never read as markup."""
    line = " ".join(sanitize(raw).split())
    text: list[str] = []
    marks: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for char in line:
        if char == MARK_START:
            start = length
        elif char == MARK_END:
            if start is not None and length > start:
                marks.append((start, length))
            start = None
        else:
            text.append(char)
            length += 1
    joined = "".join(text)
    if len(joined) > SNIPPET_LIMIT:
        joined = joined[: SNIPPET_LIMIT - 1] + "…"
        marks = [(s, min(e, SNIPPET_LIMIT - 1)) for s, e in marks if s < SNIPPET_LIMIT - 1]
    return Snippet(joined, tuple(marks))
