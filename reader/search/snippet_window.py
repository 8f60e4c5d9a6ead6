"""A snippet's window: the words around the first match, counted on each side by one
match (:class:`Words`), and the nearest sentence start before it (:func:`sentence_lead`):
what :func:`reader.search.snippets.find_snippet` lays out."""

from __future__ import annotations

import re

from reader.search import text_match

__all__ = [
    "ASCII_WORDS",
    "SENTENCE_START",
    "SNIPPET_WORDS",
    "Words",
    "count_before",
    "last_sentence_start",
    "sentence_lead",
    "unicode_words",
    "window_around",
]

SNIPPET_WORDS = 16
"""Words shown around the first word found (as SQLite's ``snippet(..., 16)``)."""

_WORD = text_match.WORD


class Words:
    """The patterns that count and step over a snippet's words, in one mode: Unicode (any
    text) or ASCII (a plain text, whose word characters are all ASCII: both modes see the
    same words there, the ASCII one without a Unicode lookup per character)."""

    def __init__(self, flags: int) -> None:
        self.word = re.compile(_WORD.pattern, flags)
        """A word (:data:`reader.search.text_match.WORD`)."""
        body = ""
        for _ in range(SNIPPET_WORDS + 1):
            body = rf"(?:[\W_]*+([^\W_]++){body})?"
        self.counted = re.compile(body, flags)
        """Up to a window's words and one more from where it starts, each whole (possessive:
        a word is never split), in nested optional groups: its ``lastindex`` is how many it
        matched (None for none), and group *k* ends where the *k*-th word ends: the words
        counted and found by one match."""


ASCII_WORDS = Words(re.ASCII)
_UNICODE_WORDS: list[Words] = []
"""The patterns in Unicode mode, made when a text that is not plain first needs them
(rarely: compiling them is ~1 ms of a `reader search`)."""


def unicode_words() -> Words:
    """The patterns in Unicode mode (made on first use)."""
    if not _UNICODE_WORDS:
        _UNICODE_WORDS.append(Words(0))
    return _UNICODE_WORDS[0]


_REACH = 256
"""Characters before the first match read first (backwards) to count its words."""

SENTENCE_START = re.compile(r"(?:[.:][ \t\r\n]+|\n[ \t\r]*\n\s*)(?=[^\W_])")
"""The end of a sentence (``.`` or ``:`` and white space, or a blank line: a paragraph, or
an article's title, ends there) before a word: a match ends where that word starts."""


def count_before(folded: str, start: int, words: Words) -> tuple[int, bool, re.Match[str]]:
    """How many words come before *start*, up to a window's (:data:`SNIPPET_WORDS`), and
    whether those are all there are (the text's first word among them); and the match of
    :attr:`Words.counted` on the text before *start* reversed (its group *n* ends where
    the *n*-th word before starts, its end where the farthest word counted starts).

    The text before *start* is read backwards, a little at a time (words and separators
    read the same either way). *words*: the patterns for the text (:class:`Words`)."""
    reach = _REACH
    while True:
        low = start - reach if start > reach else 0
        counted = words.counted.match(folded[low:start][::-1])
        assert counted is not None  # it matches the empty string
        count = counted.lastindex or 0
        if count > SNIPPET_WORDS:  # (the farthest may be cut by the slice: not shown)
            return SNIPPET_WORDS, False, counted
        if low == 0:
            return count, True, counted
        reach *= 4


def last_sentence_start(folded: str, farthest: int, start: int) -> int | None:
    """The end of the last match of :data:`SENTENCE_START` that ``finditer`` finds in
    *folded*[farthest:start] (*farthest* a word's start), or None; found from the end.

    A match is white space and punctuation ending before a word: the end of a run of
    characters that are no word's, which holds a ``.``, ``:`` or line break, and at most
    one match a run (matches do not overlap), found by a scan from the run's start alone
    (the character before it is a word's: no match reaches into it). So the runs holding
    one of those characters are tried from the last one back, each scanned from its start
    (the scan of a few characters, not of the ~16 words before the match: ~10,000
    instructions a snippet)."""
    end = start
    while True:
        at = max(
            folded.rfind(".", farthest, end),
            folded.rfind(":", farthest, end),
            folded.rfind("\n", farthest, end),
        )
        if at < 0:
            return None
        run = at
        while run > farthest and not folded[run - 1].isalnum():
            run -= 1
        for found in SENTENCE_START.finditer(folded, run, end):
            return found.end()
        end = run


def sentence_lead(
    folded: str, start: int, farthest: int, before: int, at_start: bool, words: Words
) -> int | None:
    """How many of the *before* words before *start* the snippet starts with when one of
    the nearest (fewer than a window's) starts a sentence, or the text's first word is one
    of them (counted from *farthest*, the farthest word's start), else None."""
    nearest = last_sentence_start(folded, farthest, start)
    if nearest is not None:
        count = len(words.word.findall(folded, nearest, start))
        if count < before and count <= SNIPPET_WORDS - 1:
            return count
    if at_start and 0 < before <= SNIPPET_WORDS - 1:
        return before  # the text's first word starts a sentence
    return None


def window_around(folded: str, start: int, end: int, words: Words) -> tuple[int, int, bool, bool]:
    """The snippet's window around the match *start*..*end* of *folded*: about
    :data:`SNIPPET_WORDS` words, from the nearest sentence start before it when one is
    near (:func:`sentence_lead`), else the match centred; more before it when the text
    ends. Returns the window's start and end, and whether it begins the text and ends it
    (no ellipsis on that side)."""
    found_words = len(words.word.findall(folded, start, end)) or 1
    before, at_start, back = count_before(folded, start, words)
    ahead = words.counted.match(folded, end)
    assert ahead is not None
    after = ahead.lastindex or 0
    at_end = after <= SNIPPET_WORDS
    if not at_end:
        after = SNIPPET_WORDS
    room = max(0, SNIPPET_WORDS - found_words)
    lead = (
        sentence_lead(folded, start, start - back.end(), before, at_start, words)
        if before
        else None
    )
    if lead is None:
        lead = min(before, room // 2)
        if at_end and room - lead > after:  # the text ends: show more before
            lead = min(before, room - after)
    trail = min(after, max(0, room - lead))
    from_start = at_start and lead == before
    window_start = 0 if from_start else start - back.end(lead) if lead else start
    to_end = at_end and trail == after
    window_end = len(folded) if to_end else ahead.end(trail) if trail else end
    return window_start, window_end, from_start, to_end
