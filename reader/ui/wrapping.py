"""Word-wrapping article text into screen lines that remember their code-point offsets.

Textual-free so it can be tested on its own: the article view renders line ``i`` as
``text[lines[i].start:lines[i].end]``, so every code point is drawn exactly once and
an offset maps to a line and back without loss. A wrapped block quote's bars, drawn again
on its continuation lines, are each line's ``prefix``: drawn, never part of the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from rich.cells import cell_len

_TOKEN = re.compile(r"\S+|[^\S\n]+")

_QUOTE_BARS = re.compile(r"(?:│ )+")
"""A paragraph's block quote bars, as the Markdown renderer writes them
(reader/library/markdown.py): drawn again before each of its continuation lines."""

#: The columns a continuation line keeps for text after its bars, else it has none.
_ROOM_AFTER_BARS = 10


@dataclass(frozen=True, slots=True)
class Line:
    """One screen line: the code points ``start`` to ``end`` (the newline excluded),
    drawn after ``prefix``: a wrapped block quote's bars on its continuation lines, drawn
    only (not in the text: offsets, highlights, notes and find never see them)."""

    start: int
    end: int
    prefix: str = ""


def char_width(char: str) -> int:
    """Return the cells *char* takes (a tab is drawn as one space)."""
    return 1 if char == "\t" else cell_len(char)


def wrap(text: str, width: int) -> list[Line]:
    """Return the screen lines of *text* wrapped at *width* cells (at word boundaries).

    A paragraph that starts with block quote bars (``│ ``) has them drawn again before
    each of its continuation lines (:attr:`Line.prefix`), which are that much shorter.
    """
    width = max(width, 1)
    lines: list[Line] = []
    position = 0
    for paragraph in text.split("\n"):
        end_of_paragraph = position + len(paragraph)
        if not paragraph:
            lines.append(Line(position, position))
        else:
            bars = _QUOTE_BARS.match(paragraph) if paragraph[0] == "│" else None
            hang = bars.group() if bars and width - len(bars.group()) >= _ROOM_AFTER_BARS else ""
            line_start, prefix, indent = position, "", 0
            used = 0
            for match in _TOKEN.finditer(paragraph):
                token = match.group()
                token_start = position + match.start()
                # An ASCII token (sanitised text has no control but tab) is one cell a
                # character: no cell_len call for nearly every word.
                token_width = len(token) if token.isascii() else cell_len(token.replace("\t", " "))
                if token.isspace():
                    # Whitespace stays on the line it follows (drawn only up to the width).
                    used += token_width
                    continue
                if used + token_width <= width:
                    used += token_width
                    continue
                if used > indent and token_start > line_start:
                    lines.append(Line(line_start, token_start, prefix))
                    line_start, prefix, indent = token_start, hang, len(hang)
                    used = indent
                if used + token_width <= width:
                    used += token_width
                    continue
                # A word wider than the screen: break it between characters.
                for index, char in enumerate(token):
                    w = char_width(char)
                    if used + w > width and used > indent:
                        lines.append(Line(line_start, token_start + index, prefix))
                        line_start, prefix, indent = token_start + index, hang, len(hang)
                        used = indent
                    used += w
            lines.append(Line(line_start, end_of_paragraph, prefix))
        position = end_of_paragraph + 1
    return lines


def line_of(starts: list[int], offset: int) -> int:
    """Return the index of the screen line holding *offset*, given the lines' start offsets."""
    return max(0, bisect_right(starts, offset) - 1)


def offset_at(text: str, line: Line, x: int) -> int:
    """Return the code-point offset drawn at cell *x* of *line* (clamped to the line;
    its prefix, drawn first, is no text: a cell of it gives the line's start)."""
    used = len(line.prefix)
    for offset in range(line.start, line.end):
        used += char_width(text[offset])
        if used > x:
            return offset
    return line.end
