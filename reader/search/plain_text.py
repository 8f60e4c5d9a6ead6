"""Whether a text is plain (its word characters all ASCII: its own accent folding for
what a snippet's pattern finds), and a text's accents folded with the way back to its
offsets: what :mod:`.snippets` searches."""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from functools import lru_cache

from reader.search import text_match

__all__ = ["back_offset", "fold_text", "is_plain"]

_WORD = text_match.WORD
_NON_ASCII = text_match.NON_ASCII
_HARMLESS: dict[str, bool] = {}
"""Per non-ASCII character seen: whether folding it cannot change what a pattern finds (a
character that is no word character, and whose folded form has none and is not empty:
quotes, dashes). One folding to nothing joins the words either side: a combining mark
(every one folds to nothing or to a word character), and the Tibetan vowel signs of
combining class 0 that decompose to marks (``a`` U+0F73 ``b`` is the word ``ab``)."""


def _harmless(char: str) -> bool:
    known = _HARMLESS.get(char)
    if known is None:
        folded = text_match.fold(char)
        known = _HARMLESS[char] = folded != "" and not _WORD.search(char + folded)
    return known


def is_plain(text: str) -> bool:
    """Whether *text*'s only non-ASCII characters (if any) are harmless (:func:`_harmless`):
    its word characters are all ASCII, so it is its own accent folding for what a pattern
    finds. One scan for a character not yet known harmless, learning them as they come
    (the search index keeps the answer per article:
    :func:`~reader.search.snippets.find_snippet`'s *plain*)."""
    global _UNKNOWN
    if text.isascii():
        return True
    if len(_KNOWN_HARMLESS) <= 8:  # counted in C: the non-ASCII ones all known harmless?
        non_ascii = len(text) - len(text.encode("ascii", "ignore"))
        if non_ascii == sum(text.count(char) for char in _KNOWN_HARMLESS):
            return True
    at = 0
    while (found := _UNKNOWN.search(text, at)) is not None:
        char = found.group()
        if not _harmless(char):
            return False
        with _LEARNING:  # threads (the app's searches) learn at once: each char once
            if char not in _KNOWN_HARMLESS:  # counted once by the check above
                _KNOWN_HARMLESS.append(char)
                _UNKNOWN = _unknown()
        at = found.end()
    return True


_KNOWN_HARMLESS: list[str] = []
_LEARNING = threading.Lock()


def _unknown() -> re.Pattern[str]:
    known = "".join(re.escape(char) for char in _KNOWN_HARMLESS)
    return re.compile(f"[^\x00-\x7f{known}]")


_UNKNOWN = _unknown()
"""A non-ASCII character not known to be harmless."""


def fold_text(text: str, plain: bool | None = None) -> tuple[str, list[int], list[int], bool]:
    """*text* with accents folded, where its pieces of changed length start in the
    folded text and in *text* (to map an offset back; empty when no length changed), and
    whether the text was plain (its word characters all ASCII).

    A text whose only non-ASCII characters are harmless (typographic quotes, dashes) is
    its own folding for what a pattern finds, and is not copied. *plain*: whether it is
    (:func:`is_plain`), when known."""
    if plain or (plain is None and is_plain(text)):
        return text, [], [], True
    pieces: list[str] = []
    folded_starts: list[int] = []
    original_starts: list[int] = []
    shift = 0  # folded offset minus original offset so far
    last = 0
    for found in _NON_ASCII.finditer(text):
        pieces.append(text[last : found.start()])
        run = found.group()
        folded, one_to_one = _fold_run(run)
        if one_to_one:
            pieces.append(folded)
        else:
            # Character by character inside a run whose length changes, so that each
            # original character's folded form starts at a known offset.
            for offset, char in enumerate(run):
                folded_char = text_match.fold(char)
                folded_starts.append(found.start() + offset + shift)
                original_starts.append(found.start() + offset)
                pieces.append(folded_char)
                shift += len(folded_char) - 1
            folded_starts.append(found.end() + shift)
            original_starts.append(found.end())
        last = found.end()
    pieces.append(text[last:])
    return "".join(pieces), folded_starts, original_starts, False


def _fold_run(run: str) -> tuple[str, bool]:
    """*run* folded, and whether each of its characters folds to exactly one (then the
    folded run's offsets are the run's). Equal lengths do not say so: a mark dropped and a
    ligature's two letters (``ك`` U+064E ``ß`` ``😀`` ``ﬆ``; halfwidth katakana's voicing
    mark and ``㌔``) cancel out."""
    return _fold_short_run(run) if len(run) <= 32 else _fold_any_run(run)


@lru_cache(maxsize=16384)
def _fold_short_run(run: str) -> tuple[str, bool]:
    return _fold_any_run(run)


def _fold_any_run(run: str) -> tuple[str, bool]:
    folded = text_match.fold(run)
    return folded, len(folded) == len(run) and all(
        len(text_match.fold_character(char, False)) == 1 for char in run
    )


def back_offset(offset: int, folded_starts: list[int], original_starts: list[int]) -> int:
    """The offset in the original text of the folded text's *offset* (see :func:`fold_text`)."""
    i = bisect_right(folded_starts, offset) - 1
    if i < 0:
        return offset
    if i + 1 < len(original_starts) and original_starts[i + 1] - original_starts[i] == 1:
        return original_starts[i]  # inside one character's folded form
    return original_starts[i] + offset - folded_starts[i]
