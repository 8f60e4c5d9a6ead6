"""Selectors for passages (position + quote) and re-anchoring them after an article changes.

A passage annotation stores a *target*: where the passage was, as a code-point position in
the article's displayed text, and what it said, as the exact text with up to 32 characters
of context either side. These are the W3C TextPositionSelector and TextQuoteSelector that
Hypothesis stores. When the article changes, :func:`reanchor` finds the passage again: at
the same position, else the nearest exact occurrence of the quote, else a fuzzy match of
quote and context, else it reports the annotation orphaned (the caller keeps it and shows
it as such; nothing here deletes anything).

This module knows nothing of the screen or the store: targets are plain JSON dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq, Levenshtein

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

AnchorState = Literal["anchored", "moved", "orphaned"]
"""Where an annotation stands in the current text: unchanged, found again elsewhere or
after an edit, or not found."""

CONTEXT_LENGTH = 32
"""Characters of prefix and suffix stored with a quote (what Hypothesis stores)."""

FUZZY_QUOTE_MIN = 0.5
"""Least Levenshtein similarity between the stored quote and a fuzzy match's text.

Half the characters may differ, as Hypothesis allows (its client accepts up to
``len(quote) / 2`` errors). On its own this would let a short quote land on any look-alike
word, so a fuzzy match must also pass :data:`FUZZY_MATCH_MIN`.
"""

FUZZY_MATCH_MIN = 0.65
"""Least Levenshtein similarity of quote and context together for a fuzzy match.

Quote, prefix and suffix are compared with the text in and around the candidate and
their edits pooled: ``1 - edits / characters``. A passage edited where it stands keeps
most of its context, so a short quote is judged mostly by its context and a long one
mostly by itself. Measured with both thresholds on 3,331 random passages (1 to 20
words) of two news articles, four random seeds: deleted, all 3,119 unique ones were
orphaned (the best wrong match scored 0.47); with a typo, 665 of 666 were found at the
right span; with two typos, 659 of 667 (the rest: five-letter words with two typos);
with a typo and a paragraph inserted before, 655 of 665; with two typos and a word
replaced in both prefix and suffix, 594 of 638 (36 orphaned). Edits that keep a
passage recognisable score 0.77 and more; 0.65 sits 0.18 above the best wrong match,
and what it rejects is orphaned, which shows it, rather than moved somewhere wrong.
"""

_SEARCH_SLICE = 64
"""Characters of the quote's head and tail searched for near the stored position.
rapidfuzz's partial ratio is bit-parallel up to 64 characters; a 2,000-character needle
takes ~300 ms on a 50,000-character text it does not occur in."""

_SLICE = 32
"""Characters of the quote's head and tail searched for in the whole text (with as much
context, 64 in all) and aligned to pin a fuzzy match's boundaries."""

_CONTEXT_SLICE = 16
"""Characters of context aligned beside the head or tail to pin a boundary."""

_PIN_REACH = 16
"""How far (characters) a boundary is looked for either side of its rough guess. Guesses
come from windows of up to 64 characters, off by what was inserted or deleted inside
them; 16 covers a quarter of such a window rewritten."""


_MARGIN = 1e-9
"""Slack in :func:`_could_match`'s bound, for float rounding (it must never reject a span
that :func:`_similarity` would accept)."""


@dataclass(frozen=True)
class Anchoring:
    """Where a target was found in a text, from :func:`reanchor`."""

    state: AnchorState
    """``anchored`` (same place, same text), ``moved`` (found elsewhere or edited; store a
    fresh :func:`describe` of the new span) or ``orphaned`` (not found)."""
    start: int | None
    """Code-point offset of the passage's start in the text; ``None`` when orphaned."""
    end: int | None
    """Code-point offset just past the passage's end; ``None`` when orphaned."""


_ORPHANED = Anchoring("orphaned", None, None)


@dataclass(frozen=True)
class _Target:
    """A validated target: stored position and quote."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def describe(text: str, start: int, end: int, context: int = CONTEXT_LENGTH) -> dict[str, Any]:
    """Return the target (position and quote selectors) for ``text[start:end]``.

    The result is a plain JSON dict, stored with the annotation::

        {"position": {"start": s, "end": e},
         "quote": {"exact": ..., "prefix": ..., "suffix": ...}}

    *prefix* and *suffix* are up to *context* characters either side (fewer at the
    ends of the text). Raises ``ValueError`` unless ``0 <= start <= end <= len(text)``.
    """
    if context < 0:
        raise ValueError(f"context must be >= 0, got {context}")
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} is not within a text of length {len(text)}")
    return {
        "position": {"start": start, "end": end},
        "quote": {
            "exact": text[start:end],
            "prefix": text[max(0, start - context) : start],
            "suffix": text[end : end + context],
        },
    }


def to_w3c_selectors(target: dict[str, Any]) -> list[dict[str, Any]]:
    """Return *target* as a W3C Web Annotation selector list (quote first, then position).

    An orphan's target (:func:`orphan_target`: a quote and no position) gives the quote
    selector alone. Raises ``ValueError`` if *target* is neither.
    """
    if isinstance(target, dict) and "position" not in target:
        exact, prefix, suffix = _parse_quote(target)
        return [{"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}]
    parsed = _parse_target(target)
    return [
        {
            "type": "TextQuoteSelector",
            "exact": parsed.exact,
            "prefix": parsed.prefix,
            "suffix": parsed.suffix,
        },
        {"type": "TextPositionSelector", "start": parsed.start, "end": parsed.end},
    ]


def orphan_target(target: dict[str, Any]) -> dict[str, Any]:
    """Return *target* without its position: what an export says of an orphan, whose
    passage has no place in the text it names. Raises ``ValueError`` if it has no quote."""
    exact, prefix, suffix = _parse_quote(target)
    return {"quote": {"exact": exact, "prefix": prefix, "suffix": suffix}}


def from_w3c_selectors(selectors: list[dict[str, Any]], *, orphan: bool = False) -> dict[str, Any]:
    """Return the target for a W3C selector list (the inverse of :func:`to_w3c_selectors`).

    Needs exactly one TextQuoteSelector and one TextPositionSelector, or, when *orphan*
    (an export said the passage is orphaned), the quote alone: the target is then an
    orphan's, as :func:`orphan_target` makes them. Selectors of other types
    (RangeSelector, XPathSelector, ...) are ignored. A quote selector's prefix
    and suffix are optional, as in the W3C model. Raises ``ValueError`` saying what is
    wrong.
    """
    if not isinstance(selectors, list):
        raise ValueError(f"selectors must be a list, got {type(selectors).__name__}")
    found: dict[str, dict[str, Any]] = {}
    for index, selector in enumerate(selectors):
        if not isinstance(selector, dict):
            raise ValueError(f"selector {index} is not an object: {selector!r}")
        kind = selector.get("type")
        if kind in ("TextQuoteSelector", "TextPositionSelector"):
            if kind in found:
                raise ValueError(f"more than one {kind} in selectors")
            found[kind] = selector
    if "TextQuoteSelector" not in found:
        raise ValueError("selectors have no TextQuoteSelector")
    quote = found["TextQuoteSelector"]
    if orphan and "TextPositionSelector" not in found:
        return orphan_target(
            {
                "quote": {
                    "exact": quote.get("exact"),
                    "prefix": quote.get("prefix", ""),
                    "suffix": quote.get("suffix", ""),
                }
            }
        )
    if "TextPositionSelector" not in found:
        raise ValueError("selectors have no TextPositionSelector")
    position = found["TextPositionSelector"]
    target = {
        "position": {"start": position.get("start"), "end": position.get("end")},
        "quote": {
            "exact": quote.get("exact"),
            "prefix": quote.get("prefix", ""),
            "suffix": quote.get("suffix", ""),
        },
    }
    _parse_target(target)
    return target


def reanchor(target: dict[str, Any], text: str) -> Anchoring:
    """Return where *target* (from :func:`describe`) is in *text*, and how it got there.

    In order:

    1. ``anchored``: the quote is still at the stored position.
    2. ``moved``: the quote occurs elsewhere exactly. The occurrence nearest the stored
       position wins, except that occurrences whose stored prefix or suffix still matches
       in full come first: an edit that shifts the text must not move a highlight onto an
       earlier repeat of the same words. Ties go to the longer matching context.
    3. ``moved``: a fuzzy match of quote and context (rapidfuzz), accepted only when the
       quote is at least :data:`FUZZY_QUOTE_MIN` similar and quote with context at least
       :data:`FUZZY_MATCH_MIN`.
    4. ``orphaned``.

    An empty quote (a point) is anchored by its context alone and never fuzzily.
    Raises ``ValueError`` if *target* is malformed.
    """
    parsed = _parse_target(target)
    if not parsed.exact:
        return _reanchor_point(parsed, text)
    if parsed.end <= len(text) and text[parsed.start : parsed.end] == parsed.exact:
        return Anchoring("anchored", parsed.start, parsed.end)
    start = _nearest_occurrence(parsed, text)
    if start is not None:
        return Anchoring("moved", start, start + len(parsed.exact))
    span = _fuzzy_match(parsed, text)
    if span is not None:
        return Anchoring("moved", *span)
    return _ORPHANED


def _parse_target(target: dict[str, Any]) -> _Target:
    """Return *target* validated, or raise ``ValueError`` saying what is wrong with it."""
    if not isinstance(target, dict):
        raise ValueError(f"target must be a dict, got {type(target).__name__}")
    position = target.get("position")
    quote = target.get("quote")
    if not isinstance(position, dict):
        raise ValueError("target has no 'position' object")
    if not isinstance(quote, dict):
        raise ValueError("target has no 'quote' object")
    start = _offset(position.get("start"), "start")
    end = _offset(position.get("end"), "end")
    if start > end:
        raise ValueError(f"position start {start} is after end {end}")
    return _Target(
        start,
        end,
        _string(quote.get("exact"), "exact"),
        _string(quote.get("prefix"), "prefix"),
        _string(quote.get("suffix"), "suffix"),
    )


def _parse_quote(target: dict[str, Any]) -> tuple[str, str, str]:
    """Return the quote's exact text, prefix and suffix, or raise ``ValueError``."""
    quote = target.get("quote") if isinstance(target, dict) else None
    if not isinstance(quote, dict):
        raise ValueError("target has no 'quote' object")
    return (
        _string(quote.get("exact"), "exact"),
        _string(quote.get("prefix"), "prefix"),
        _string(quote.get("suffix"), "suffix"),
    )


def _offset(value: object, name: str) -> int:
    """Return *value* if it is a code-point offset, else raise ``ValueError``."""
    # bool is an int in Python, but true/false in JSON is not an offset.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"position {name} must be an integer >= 0, got {value!r}")
    return value


def _string(value: object, name: str) -> str:
    """Return *value* if it is a string, else raise ``ValueError``."""
    if not isinstance(value, str):
        raise ValueError(f"quote {name} must be a string, got {value!r}")
    return value


def _occurrences(text: str, needle: str) -> list[int]:
    """Return the start of every occurrence of a non-empty *needle* in *text*, overlaps too."""
    found = []
    at = text.find(needle)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _full_context_sides(target: _Target, text: str, start: int, end: int) -> int:
    """Return how many of the target's non-empty prefix and suffix match in full around
    ``text[start:end]`` (0, 1 or 2)."""
    sides = 0
    if target.prefix and start >= len(target.prefix):
        sides += text[start - len(target.prefix) : start] == target.prefix
    if target.suffix:
        sides += text.startswith(target.suffix, end)
    return sides


def _context_chars(target: _Target, text: str, start: int, end: int) -> int:
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


def _nearest_occurrence(target: _Target, text: str) -> int | None:
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


def _reanchor_point(target: _Target, text: str) -> Anchoring:
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
        return _ORPHANED
    point = min(points, key=lambda at: (abs(at - target.start), at))
    return Anchoring("moved", point, point)


def _fuzzy_match(target: _Target, text: str) -> tuple[int, int] | None:
    """Return the span of *text* that best matches quote and context, or ``None``.

    Rough guesses for the quote's start come from rapidfuzz's partial alignment of the
    prefix's end with the quote's head in the whole text, and of the head alone near the
    stored position; for its end, likewise with the tail and the suffix's start. Short
    slices keep a long quote fast and let it be found when only one of its ends survived
    an edit. Each guess is pinned by :func:`_pin_start` or :func:`_pin_end`; every start
    and end that could make a span similar enough is scored by :func:`_similarity`. The
    best pair above both thresholds wins; the nearer to the stored position on a tie.
    """
    exact, prefix, suffix = target.exact, target.prefix, target.suffix
    length = len(exact)
    near_start = max(0, target.start - 2 * CONTEXT_LENGTH)
    near_end = min(len(text), target.end + 2 * CONTEXT_LENGTH)
    before, after = prefix[-_SLICE:], suffix[:_SLICE]
    from_starts, from_ends = [], []
    if window := _best_window(before + exact[:_SLICE], text, 0, len(text)):
        from_starts.append(window[0] + len(before))
    if window := _best_window(exact[:_SEARCH_SLICE], text, near_start, near_end):
        from_starts.append(window[0])
    if window := _best_window(exact[-_SLICE:] + after, text, 0, len(text)):
        from_ends.append(window[1] - len(after))
    if window := _best_window(exact[-_SEARCH_SLICE:], text, near_start, near_end):
        from_ends.append(window[1])
    # Each end also guesses the other: a long quote may keep only one of its ends.
    start_guesses = from_starts + [guess - length for guess in from_ends]
    end_guesses = from_ends + [guess + length for guess in from_starts]
    start_guesses = _spread(start_guesses, len(text))
    end_guesses = _spread(end_guesses, len(text))
    # Pinning is the costly part (a dynamic programme in Python): only guesses that
    # could make a span similar enough with some guess of the other end are pinned.
    pairs = [
        (start_guess, end_guess)
        for start_guess in start_guesses
        for end_guess in end_guesses
        if _could_match(
            target,
            text,
            _start_reach(target, text, start_guess),
            _end_reach(target, text, end_guess),
        )
    ]
    starts = {_pin_start(target, text, guess) for guess in dict.fromkeys(s for s, _ in pairs)}
    ends = {_pin_end(target, text, guess) for guess in dict.fromkeys(e for _, e in pairs)}
    best: tuple[float, int, int, int] | None = None
    for start in starts:
        for end in ends:
            # The quote's similarity cannot reach FUZZY_QUOTE_MIN across a length gap
            # wider than this; skipping such pairs spares their Levenshtein distance.
            if end <= start or abs(end - start - length) > (1 - FUZZY_QUOTE_MIN) * max(
                end - start, length
            ):
                continue
            quote_similarity, similarity = _similarity(target, text, start, end)
            if quote_similarity < FUZZY_QUOTE_MIN or similarity < FUZZY_MATCH_MIN:
                continue
            candidate = (-similarity, abs(start - target.start), start, end)
            if best is None or candidate < best:
                best = candidate
    return None if best is None else (best[2], best[3])


def _best_window(needle: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Return the span of ``text[start:end]`` most like *needle* (rapidfuzz's partial
    ratio: the best window of *needle*'s width, cut short at the text's ends), or ``None``
    if that slice is empty."""
    if start >= end:
        return None
    window = fuzz.partial_ratio_alignment(needle, text[start:end])
    if window is None:  # only with a score_cutoff, which is not given
        return None
    return start + window.dest_start, start + window.dest_end


def _spread(guesses: list[int], limit: int) -> list[int]:
    """Return *guesses* clamped to ``0..limit``, dropping any within a quarter of the pin
    reach of one already kept (pinning both would find the same boundary)."""
    kept: list[int] = []
    for guess in sorted(min(max(0, guess), limit) for guess in guesses):
        if not kept or guess - kept[-1] > _PIN_REACH // 4:
            kept.append(guess)
    return kept


def _start_reach(target: _Target, text: str, guess: int) -> tuple[int, int]:
    """Return the least and greatest start :func:`_pin_start` can return for *guess*."""
    before, head = target.prefix[-_CONTEXT_SLICE:], target.exact[:_SLICE]
    return max(0, guess - len(before) - _PIN_REACH), min(len(text), guess + len(head) + _PIN_REACH)


def _end_reach(target: _Target, text: str, guess: int) -> tuple[int, int]:
    """Return the least and greatest end :func:`_pin_end` can return for *guess*."""
    tail, after = target.exact[-_SLICE:], target.suffix[:_CONTEXT_SLICE]
    return max(0, guess - len(tail) - _PIN_REACH), min(len(text), guess + len(after) + _PIN_REACH)


def _could_match(
    target: _Target, text: str, starts: tuple[int, int], ends: tuple[int, int]
) -> bool:
    """Return False only if no span starting in *starts* and ending in *ends* (inclusive
    ranges) can pass :data:`FUZZY_QUOTE_MIN` and :data:`FUZZY_MATCH_MIN`.

    A sound bound, cheap beside pinning: Levenshtein distance is at least the longer
    string's length less their longest common subsequence (each character not matched
    costs an edit), and a piece's longest common subsequence with any part of a text is
    at most its LCS with the whole of it. So :func:`_similarity` of such a span is at most
    the LCS of quote, prefix and suffix with the text they could cover, over their
    stored lengths (rapidfuzz's bit-parallel LCS: microseconds). The margin keeps float
    rounding from ever rejecting a span that would pass.
    """
    (start_lo, start_hi), (end_lo, end_hi) = starts, ends
    if end_hi <= start_lo:
        return False
    exact, prefix, suffix = target.exact, target.prefix, target.suffix
    quote = LCSseq.similarity(exact, text[start_lo:end_hi])
    if quote / len(exact) < FUZZY_QUOTE_MIN - _MARGIN:
        return False
    before = LCSseq.similarity(prefix, text[max(0, start_lo - len(prefix)) : start_hi])
    after = LCSseq.similarity(suffix, text[end_lo : end_hi + len(suffix)])
    stored = len(exact) + len(prefix) + len(suffix)
    if (quote + before + after) / stored < FUZZY_MATCH_MIN - _MARGIN:
        return False
    # The three pieces are in order and do not overlap: together they share at most the
    # LCS of the stored whole with the text around all of them.
    around = text[max(0, start_lo - len(prefix)) : end_hi + len(suffix)]
    together = LCSseq.similarity(prefix + exact + suffix, around)
    return together / stored >= FUZZY_MATCH_MIN - _MARGIN


def _pin_start(target: _Target, text: str, guess: int) -> int:
    """Return where the quote starts near *guess*, by aligning prefix end and quote head."""
    before, head = target.prefix[-_CONTEXT_SLICE:], target.exact[:_SLICE]
    lo = max(0, guess - len(before) - _PIN_REACH)
    hi = min(len(text), guess + len(head) + _PIN_REACH)
    region = text[lo:hi]
    return lo + _align_boundary(
        before + head, len(before), region, guess + len(head) - lo, quote_first=False
    )


def _pin_end(target: _Target, text: str, guess: int) -> int:
    """Return where the quote ends near *guess*, by aligning quote tail and suffix start."""
    tail, after = target.exact[-_SLICE:], target.suffix[:_CONTEXT_SLICE]
    lo = max(0, guess - len(tail) - _PIN_REACH)
    hi = min(len(text), guess + len(after) + _PIN_REACH)
    region = text[lo:hi]
    return lo + _align_boundary(
        tail + after, len(tail), region, guess + len(after) - lo, quote_first=True
    )


def _align_boundary(
    pattern: str, boundary: int, region: str, expected_end: int, *, quote_first: bool
) -> int:
    """Return the offset in *region* that lines up with ``pattern[boundary]``.

    A semi-global alignment (Levenshtein costs; the pattern aligned in full, the region's
    ends free). Among equally good alignments the one ending nearest *expected_end* wins,
    and it is traced back through its cells preferring, at each, the diagonal step (match
    or substitution), then the step down the pattern, then along the region. Region text
    that the alignment passes over right at the boundary, matching neither side (the
    passage's first or last words rewritten), is counted in the quote, which is the part
    after the boundary, or before it if *quote_first*.

    The costs come a row (a pattern character) at a time as bit vectors over the region
    (Myers' bit-parallel edit distance, Hyyrö's formulation, one Python integer per row of
    horizontal +1 and -1 steps), a few integer operations per row instead of one Python
    step per cell; only the cells of the one path traced back are read.
    """
    width = len(region)
    full = (1 << width) - 1
    matches: dict[str, int] = {}
    for j, char in enumerate(region):
        matches[char] = matches.get(char, 0) | (1 << j)
    # pluses[i], minuses[i]: bit j-1 set where cost(i, j) - cost(i, j - 1) is +1, -1.
    # Row 0 is all zeros (the region's start is free); column 0 is i (the pattern is not).
    pluses, minuses = [0], [0]
    plus = minus = 0
    for char in pattern:
        eq = matches.get(char, 0)
        down = eq | minus
        across = (((eq & plus) + plus) ^ plus) | eq
        up_plus = minus | (~(across | plus) & full)
        up_minus = plus & across
        up_plus = ((up_plus << 1) | 1) & full
        up_minus = (up_minus << 1) & full
        plus = up_minus | (~(down | up_plus) & full)
        minus = up_plus & down
        pluses.append(plus)
        minuses.append(minus)

    row = len(pattern)
    last = [row]
    for j in range(width):
        last.append(last[-1] + (plus >> j & 1) - (minus >> j & 1))
    here = min(last)
    # The nearest to expected_end of the cheapest ends; the first (leftmost) on a tie.
    j = min(
        (j for j, value in enumerate(last) if value == here), key=lambda j: abs(j - expected_end)
    )
    i = row
    while i:  # back along the path to the boundary's row (row 0: where it started)
        if not j:
            if i == boundary:
                return 0
            i -= 1
            here = i
            continue
        bit = 1 << (j - 1)
        below = (bit << 1) - 1
        above = i - 1 + (pluses[i - 1] & below).bit_count() - (minuses[i - 1] & below).bit_count()
        above_left = above - bool(pluses[i - 1] & bit) + bool(minuses[i - 1] & bit)
        here_left = here - bool(pluses[i] & bit) + bool(minuses[i] & bit)
        diagonal = above_left + (pattern[i - 1] != region[j - 1])
        if diagonal <= above + 1 and diagonal <= here_left + 1:
            if i == boundary:
                return j
            i, j, here = i - 1, j - 1, above_left
        elif above <= here_left:
            if i == boundary:
                return j
            i, here = i - 1, above
        else:
            if i == boundary and quote_first:
                return j
            j, here = j - 1, here_left
    return j


def _similarity(target: _Target, text: str, start: int, end: int) -> tuple[float, float]:
    """Return how alike the target is to ``text[start:end]``: (quote alone, with context).

    Both are Levenshtein similarities, ``1 - edits / length``; with context, the edits and
    lengths of quote, prefix and suffix are pooled, so each weighs by its length.
    """
    pairs = (
        (target.exact, text[start:end]),
        (target.prefix, text[max(0, start - len(target.prefix)) : start]),
        (target.suffix, text[end : end + len(target.suffix)]),
    )
    edits = [Levenshtein.distance(stored, actual) for stored, actual in pairs]
    lengths = [max(len(stored), len(actual)) for stored, actual in pairs]
    return 1 - edits[0] / max(1, lengths[0]), 1 - sum(edits) / max(1, sum(lengths))
