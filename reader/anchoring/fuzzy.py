"""Fuzzy re-anchoring: the span of a text most like a target's quote and context.

The last resort of :func:`reader.anchoring.reanchor`, when the quote no longer occurs
exactly: rough guesses from rapidfuzz's partial alignment, each pinned by a bit-parallel
boundary alignment, the pairs scored by Levenshtein similarity against two thresholds.
"""

from __future__ import annotations

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq, Levenshtein

from reader.anchoring.targets import CONTEXT_LENGTH, Target

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


def fuzzy_match(target: Target, text: str) -> tuple[int, int] | None:
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


def _start_reach(target: Target, text: str, guess: int) -> tuple[int, int]:
    """Return the least and greatest start :func:`_pin_start` can return for *guess*."""
    before, head = target.prefix[-_CONTEXT_SLICE:], target.exact[:_SLICE]
    return max(0, guess - len(before) - _PIN_REACH), min(len(text), guess + len(head) + _PIN_REACH)


def _end_reach(target: Target, text: str, guess: int) -> tuple[int, int]:
    """Return the least and greatest end :func:`_pin_end` can return for *guess*."""
    tail, after = target.exact[-_SLICE:], target.suffix[:_CONTEXT_SLICE]
    return max(0, guess - len(tail) - _PIN_REACH), min(len(text), guess + len(after) + _PIN_REACH)


def _could_match(target: Target, text: str, starts: tuple[int, int], ends: tuple[int, int]) -> bool:
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


def _pin_start(target: Target, text: str, guess: int) -> int:
    """Return where the quote starts near *guess*, by aligning prefix end and quote head."""
    before, head = target.prefix[-_CONTEXT_SLICE:], target.exact[:_SLICE]
    lo = max(0, guess - len(before) - _PIN_REACH)
    hi = min(len(text), guess + len(head) + _PIN_REACH)
    region = text[lo:hi]
    return lo + _align_boundary(
        before + head, len(before), region, guess + len(head) - lo, quote_first=False
    )


def _pin_end(target: Target, text: str, guess: int) -> int:
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


def _similarity(target: Target, text: str, start: int, end: int) -> tuple[float, float]:
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
