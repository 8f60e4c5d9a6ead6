"""Where keyboard selection motions land: word, sentence and paragraph ends in article text.

Textual-free; every function takes the text and an offset and returns an offset.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD = re.compile(r"\w+(?:[’'\-.]\w+)*")
# A sentence ends at . ! ? … (closing quotes included) before a capital letter, a quote or
# the end; not after a lone capital (initials and "U.S."). A newline ends one too.
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?…]+[\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9]|\s*$)|\n")
_ATTACHED = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s")
_PARAGRAPH_END = re.compile(r"\n\s*\n|\n(?=\S)")


def word_at(text: str, offset: int) -> tuple[int, int]:
    """Return the word at *offset*, else the next one, else an empty range at *offset*.

    On a sign, a currency or other marks written against the next word ("+1.2%",
    "+$4 billion": where an entity starting with one is marked), the word starts there."""
    for match in _WORD.finditer(text, max(0, offset - 64)):
        if match.end() > offset:
            if match.start() > offset and _ATTACHED.fullmatch(text, offset, match.start()):
                return offset, match.end()
            return match.start(), match.end()
    return offset, offset


def chunk_end(text: str, offset: int, limit: int) -> int:
    """Return where the characters from *offset* up to the first space end, not past
    *limit*."""
    found = _SPACE.search(text, offset, limit)
    return limit if found is None else found.start()


def next_word_end(text: str, offset: int) -> int:
    """Return the end of the first word that ends after *offset* (or the text's end)."""
    for match in _WORD.finditer(text, offset):
        if match.end() > offset:
            return match.end()
    return len(text)


def previous_word_end(text: str, offset: int, floor: int) -> int:
    """Return the end of the last word ending before *offset*, not before *floor*."""
    best = floor
    for match in _WORD.finditer(text, floor, offset):
        if floor < match.end() < offset:
            best = match.end()
    return best


def next_word_start(text: str, offset: int) -> int:
    """Return the start of the first word starting after *offset* (or the text's end)."""
    for match in _WORD.finditer(text, max(0, offset - 64)):
        if match.start() > offset:
            return match.start()
    return len(text)


def previous_word_start(text: str, offset: int) -> int:
    """Return the start of the last word starting before *offset* (or 0)."""
    return _previous_start(_WORD, text, offset, lambda match: match.start())


def _previous_start(
    pattern: re.Pattern[str], text: str, offset: int, start_of: Callable[[re.Match[str]], int]
) -> int:
    """Return the last ``start_of(match)`` before *offset* (0 when there is none), looking
    back a window at a time; a match at a window's edge may be cut, so it only counts at
    the text's start or after a non-word character."""
    low = offset
    while low > 0:
        low = max(0, low - 2048)
        starts = [
            start
            for match in pattern.finditer(text, low, offset)
            if (start := start_of(match)) < offset
            and (match.start() > low or low == 0 or not text[low - 1].isalnum())
        ]
        if starts:
            return starts[-1]
    return 0


def _start_after(text: str, end: int) -> int:
    """Return where the unit after one ending at *end* starts: past the space."""
    while end < len(text) and text[end].isspace():
        end += 1
    return end


def next_sentence_start(text: str, offset: int) -> int:
    """Return the start of the first sentence starting after *offset* (or the text's end)."""
    return _next_start(_SENTENCE_END, text, offset)


def previous_sentence_start(text: str, offset: int) -> int:
    """Return the start of the last sentence starting before *offset* (or 0)."""
    return _previous_start(_SENTENCE_END, text, offset, lambda m: _start_after(text, m.end()))


def next_paragraph_start(text: str, offset: int) -> int:
    """Return the start of the first paragraph starting after *offset* (or the text's end)."""
    return _next_start(_PARAGRAPH_END, text, offset)


def previous_paragraph_start(text: str, offset: int) -> int:
    """Return the start of the last paragraph starting before *offset* (or 0)."""
    return _previous_start(_PARAGRAPH_END, text, offset, lambda m: _start_after(text, m.end()))


def _next_start(pattern: re.Pattern[str], text: str, offset: int) -> int:
    for match in pattern.finditer(text, offset):
        start = _start_after(text, match.end())
        if start > offset:
            return start
    return len(text)


def _ends(pattern: re.Pattern[str], text: str, start: int, stop: int) -> list[int]:
    """Return where the units delimited by *pattern* end in ``text[start:stop]`` (trimmed)."""
    ends = []
    for match in pattern.finditer(text, start, stop):
        end = match.end() if match.group()[0] in ".!?…" else match.start()
        ends.append(_trim_back(text, end, start))
    ends.append(_trim_back(text, stop, start))
    return ends


def _next(pattern: re.Pattern[str], text: str, offset: int) -> int:
    for end in _ends(pattern, text, offset, len(text)):
        if end > offset:
            return end
    return offset


def _previous(pattern: re.Pattern[str], text: str, offset: int, floor: int) -> int:
    ends = [end for end in _ends(pattern, text, floor, offset) if floor < end < offset]
    return ends[-1] if ends else floor


def next_sentence_end(text: str, offset: int) -> int:
    """Return the end of the sentence running past *offset* (its punctuation included)."""
    return _next(_SENTENCE_END, text, offset)


def previous_sentence_end(text: str, offset: int, floor: int) -> int:
    """Return the end of the sentence before the one ending at *offset*, not before *floor*."""
    return _previous(_SENTENCE_END, text, offset, floor)


def next_paragraph_end(text: str, offset: int) -> int:
    """Return the end of the paragraph running past *offset* (trailing space excluded)."""
    return _next(_PARAGRAPH_END, text, offset)


def previous_paragraph_end(text: str, offset: int, floor: int) -> int:
    """Return the end of the paragraph before the one ending at *offset*, not before *floor*."""
    return _previous(_PARAGRAPH_END, text, offset, floor)


def _trim_back(text: str, end: int, floor: int) -> int:
    while end > floor and text[end - 1].isspace():
        end -= 1
    return end
