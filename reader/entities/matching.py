"""Whole words and overlaps: what the consistency rules and the user's corrections share.

Both find every whole-word occurrence of a form in an article (a name the model found once,
a form the user added everywhere), and both must leave spans that never overlap.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Sequence

from reader.entities.span import Span

__all__ = ["WORD_END", "WORD_END_PATTERN", "WORD_START", "non_overlapping"]

# Around an occurrence: no letter, digit, underscore or hyphen before, nor a letter and an
# apostrophe ("O’Dawn"); none after either, and an apostrophe only as a possessive ("Dawn’s",
# "Jones’"), never before a letter otherwise ("Dawn’t", "Dawn’sy"). Tested where a form was
# found (``WORD_START.match(text, start)``): a lookbehind per form made compiling a hundred
# forms take 15 to 30 ms, and one pattern per form cost ~10 ms an article.
WORD_START = re.compile(r"(?<![\w-])(?<!\w['’])")
"""Matches (empty) where a whole word may start."""
WORD_END_PATTERN = r"(?![\w-])(?!['’](?:[sS]\w|(?![sS])\w))"
"""Where a whole word may end (a possessive after it allowed), to append to a pattern."""
WORD_END = re.compile(WORD_END_PATTERN)
"""Matches (empty) where a whole word may end."""


def non_overlapping(spans: Sequence[Span], length: int | None = None) -> list[Span]:
    """Return *spans* sorted, none empty and none overlapping another (a copy, always).

    With *length* (the text's), spans outside ``[0, length]`` are dropped too. Spans that
    already are so, as the consistency rules leave them, are kept as they are (one pass
    confirms it); otherwise user spans are kept first, then longer before shorter, then
    earlier before later.
    """
    low, high = (-sys.maxsize, sys.maxsize) if length is None else (0, length)
    previous_end = low
    for span in spans:
        if span.start < previous_end or span.end <= span.start or span.end > high:
            break
        previous_end = span.end
    else:
        return list(spans)
    ranked = sorted(
        (s for s in spans if low <= s.start < s.end <= high),
        key=lambda s: (s.source != "user", s.start - s.end, s.start, s.label),
    )
    kept: list[Span] = []
    starts: list[int] = []  # of the kept spans, sorted, with their ends in the same order
    ends: list[int] = []
    for span in ranked:
        i = bisect_left(starts, span.end)  # kept spans before *i* start before this one ends
        if i == 0 or ends[i - 1] <= span.start:
            kept.append(span)
            starts.insert(i, span.start)
            ends.insert(i, span.end)
    return sorted(kept, key=lambda s: s.start)
