"""A text seen without its drawn lines: what a quote made before they were drawn matched.

Since CATALOGUE_FORMAT 5 a Markdown table has a rule under its header row (``──┼──``,
indented as the table, in a quote after its bars): the displayed text gained a line, and a
passage that crossed the header row before (``'Votes │ Share\\nNorth'``) no longer occurs
in it. Such a line holds no words. :func:`reader.anchoring.reanchor` looks for a quote it
cannot find exactly in the text itself in the text without these lines, which is the text
as it was before if that was the only change, and maps what it finds back (:func:`to_text`).
"""

from __future__ import annotations

import re

DRAWN_LINE = re.compile(r"(?<=[^\n]\n)[ │]*[─┼]+\n")
"""A line of box-drawing rules right under a line that is not blank (with the newline
ending it): a table's header rule, indented as the table (spaces, a quote's bars). A
horizontal rule has a blank line before it and is not one."""


def without_drawn_lines(text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """Return *text* without its drawn lines, and where each was: (its position in the
    text returned, its length). ``None`` if *text* has none."""
    pieces: list[str] = []
    removed: list[tuple[int, int]] = []
    last = gone = 0
    for match in DRAWN_LINE.finditer(text):
        pieces.append(text[last : match.start()])
        length = match.end() - match.start()
        removed.append((match.start() - gone, length))
        gone += length
        last = match.end()
    if not removed:
        return None
    pieces.append(text[last:])
    return "".join(pieces), removed


def to_text(position: int, removed: list[tuple[int, int]], *, after: bool) -> int:
    """Return where *position* in the text without drawn lines is in the text with them.

    A position where a line was removed is put after that line if *after* (a passage's
    start: the next row's first word), else before it (a passage's end)."""
    shift = 0
    for at, length in removed:
        if at > position or (at == position and not after):
            break
        shift += length
    return position + shift
