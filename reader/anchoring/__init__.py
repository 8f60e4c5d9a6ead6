"""Selectors for passages (position + quote) and re-anchoring them after an article changes.

A passage annotation stores a *target*: where the passage was, as a code-point position in
the article's displayed text, and what it said, as the exact text with up to 32 characters
of context either side. These are the W3C TextPositionSelector and TextQuoteSelector that
Hypothesis stores. When the article changes, :func:`reanchor` finds the passage again: at
the same position, else the nearest exact occurrence of the quote, else a fuzzy match of
quote and context, else it reports the annotation orphaned (the caller keeps it and shows
it as such; nothing here deletes anything).

This package knows nothing of the screen or the store: targets are plain JSON dicts. The
targets and their W3C selectors are in `targets`, the fuzzy search in `fuzzy`.
"""

from __future__ import annotations

from typing import Any

from reader.anchoring.drawn import to_text, without_drawn_lines
from reader.anchoring.fuzzy import FUZZY_MATCH_MIN, FUZZY_QUOTE_MIN, fuzzy_match
from reader.anchoring.targets import (
    CONTEXT_LENGTH,
    ORPHANED,
    Anchoring,
    AnchorState,
    Target,
    describe,
    from_w3c_selectors,
    orphan_target,
    parse_target,
    to_w3c_selectors,
)

__all__ = [
    "CONTEXT_LENGTH",
    "FUZZY_MATCH_MIN",
    "FUZZY_QUOTE_MIN",
    "AnchorState",
    "Anchoring",
    "describe",
    "from_w3c_selectors",
    "orphan_target",
    "reanchor",
    "to_w3c_selectors",
]


def reanchor(target: dict[str, Any], text: str) -> Anchoring:
    """Return where *target* (from :func:`describe`) is in *text*, and how it got there.

    In order:

    1. ``anchored``: the quote is still at the stored position.
    2. ``moved``: the quote occurs elsewhere exactly. The occurrence nearest the stored
       position wins, except that occurrences whose stored prefix or suffix still matches
       in full come first: an edit that shifts the text must not move a highlight onto an
       earlier repeat of the same words. Ties go to the longer matching context.
    3. ``moved``: the same in the text seen without its drawn lines (a table's header
       rule, drawn since CATALOGUE_FORMAT 5), the span mapped back: a passage made
       across a header row before the rule was drawn keeps its words, the rule inside.
    4. ``moved``: a fuzzy match of quote and context (rapidfuzz), accepted only when the
       quote is at least :data:`FUZZY_QUOTE_MIN` similar and quote with context at least
       :data:`FUZZY_MATCH_MIN`.
    5. ``orphaned``.

    An empty quote (a point) is anchored by its context alone and never fuzzily.
    Raises ``ValueError`` if *target* is malformed.
    """
    parsed = parse_target(target)
    if not parsed.exact:
        found = _reanchor_point(parsed, text)
        if found.state == "orphaned":
            return _without_drawn_lines(parsed, text) or found
        return found
    if parsed.end <= len(text) and text[parsed.start : parsed.end] == parsed.exact:
        return Anchoring("anchored", parsed.start, parsed.end)
    start = _nearest_occurrence(parsed, text)
    if start is not None:
        return Anchoring("moved", start, start + len(parsed.exact))
    if (drawn := _without_drawn_lines(parsed, text)) is not None:
        return drawn
    span = fuzzy_match(parsed, text)
    if span is not None:
        return Anchoring("moved", *span)
    return ORPHANED


def _without_drawn_lines(target: Target, text: str) -> Anchoring | None:
    """Return where *target* is found exactly in *text* seen without its drawn lines (a
    table's header rule, drawn since CATALOGUE_FORMAT 5: see `drawn`), mapped back to
    *text*: a passage made before the rule was drawn stays on its words, the rule inside
    it if it crossed the header row. ``None`` if *text* has no such line or the quote (or
    a point's context) is not found in it exactly."""
    seen = without_drawn_lines(text)
    if seen is None:
        return None
    view, removed = seen
    if not target.exact:
        found = _reanchor_point(target, view)
        if found.start is None:
            return None
        point = to_text(found.start, removed, after=True)
        return Anchoring("moved", point, point)
    if target.end <= len(view) and view[target.start : target.end] == target.exact:
        start: int | None = target.start
    else:
        start = _nearest_occurrence(target, view)
    if start is None:
        return None
    end = start + len(target.exact)
    return Anchoring(
        "moved", to_text(start, removed, after=True), to_text(end, removed, after=False)
    )


def _occurrences(text: str, needle: str) -> list[int]:
    """Return the start of every occurrence of a non-empty *needle* in *text*, overlaps too."""
    found = []
    at = text.find(needle)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _full_context_sides(target: Target, text: str, start: int, end: int) -> int:
    """Return how many of the target's non-empty prefix and suffix match in full around
    ``text[start:end]`` (0, 1 or 2)."""
    sides = 0
    if target.prefix and start >= len(target.prefix):
        sides += text[start - len(target.prefix) : start] == target.prefix
    if target.suffix:
        sides += text.startswith(target.suffix, end)
    return sides


def _context_chars(target: Target, text: str, start: int, end: int) -> int:
    """Return how many characters of context match next to ``text[start:end]``: the
    prefix's common ending with the text before, plus the suffix's common start after."""
    matched = 0
    before = text[max(0, start - len(target.prefix)) : start]
    for stored, actual in zip(reversed(target.prefix), reversed(before), strict=False):
        if stored != actual:
            break
        matched += 1
    for stored, actual in zip(target.suffix, text[end:], strict=False):
        if stored != actual:
            break
        matched += 1
    return matched


def _nearest_occurrence(target: Target, text: str) -> int | None:
    """Return the start of the exact occurrence of the quote that best fits *target*.

    Occurrences with more fully matching context sides come first, then the nearest to
    the stored start, then the one with more matching context characters. ``None`` if the
    quote does not occur.
    """
    length = len(target.exact)
    ranked = [
        (-_full_context_sides(target, text, at, at + length), abs(at - target.start), at)
        for at in _occurrences(text, target.exact)
    ]
    if not ranked:
        return None
    best = min(ranked)[:2]
    # At most two occurrences tie (one either side of the stored start): only they need
    # their context measured, which keeps a quote that occurs thousands of times fast.
    tied = [at for sides, distance, at in ranked if (sides, distance) == best]
    return max(tied, key=lambda at: (_context_chars(target, text, at, at + length), -at))


def _reanchor_point(target: Target, text: str) -> Anchoring:
    """Return where an empty quote (a point between two characters) is in *text*.

    A point has no text of its own: it is anchored if its prefix and suffix still surround
    the stored position, moved to the nearest place where prefix and suffix meet, and
    orphaned otherwise.
    """
    if target.start <= len(text) and _full_context_sides(
        target, text, target.start, target.start
    ) == bool(target.prefix) + bool(target.suffix):
        return Anchoring("anchored", target.start, target.start)
    context = target.prefix + target.suffix
    if not context:
        # Nothing to look for, and the stored point is past the end: the nearest point
        # that exists is the end of the text.
        return Anchoring("moved", len(text), len(text))
    points = [at + len(target.prefix) for at in _occurrences(text, context)]
    if not points:
        return ORPHANED
    point = min(points, key=lambda at: (abs(at - target.start), at))
    return Anchoring("moved", point, point)
