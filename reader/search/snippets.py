"""A hit's snippet: a bit of text around the words found, on one line, with where they are."""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from reader.search import text_match
from reader.text import sanitize

__all__ = [
    "MARK_END",
    "MARK_START",
    "PARAGRAPH_MARK",
    "SNIPPET_LIMIT",
    "SNIPPET_WORDS",
    "Snippet",
    "find_snippet",
    "is_plain",
    "make_snippet",
    "snippet_pattern",
]

MARK_START = "\ue000"
"""What a word found is preceded by in a raw snippet (a private-use character)."""
MARK_END = "\ue001"
"""... and followed by."""

SNIPPET_LIMIT = 240
"""Longest snippet kept, in code points."""

SNIPPET_WORDS = 16
"""Words shown around the first word found (as SQLite's ``snippet(..., 16)``)."""

ELLIPSIS = "…"

_WORD = text_match.WORD
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_PARAGRAPH_BREAK = re.compile(r"\s*\n[ \t\r]*\n\s*")
PARAGRAPH_MARK = " · "
"""What a blank line becomes in a snippet's one line (the title and the first paragraph,
say, are not run into one sentence)."""
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Snippet:
    """One line of text and the (start, end) offsets of the words found in it."""

    text: str
    marks: tuple[tuple[int, int], ...] = ()


def make_snippet(raw: str, *, sanitized: bool = False) -> Snippet:
    """*raw* (text with the marks around the words found) as one sanitised line and the
    offsets of the marked words; the text between marks is never read as markup.
    *sanitized*: the caller knows :func:`~reader.text.sanitize` would not change *raw*."""
    line = raw if sanitized else sanitize(raw)
    if "\n" in line:  # a break at either end marks nothing: it goes
        line = _PARAGRAPH_BREAK.sub(PARAGRAPH_MARK, line.strip())
    if not (line.isascii() and line.isprintable() and "  " not in line and line == line.strip()):
        line = " ".join(line.split())  # one line (a tab or line break is a space)
    marks: list[tuple[int, int]] = []
    if MARK_START in line or MARK_END in line:
        pieces: list[str] = []
        length = 0
        start: int | None = None
        at = 0
        while True:  # from one mark to the next (a few a snippet)
            starts, ends = line.find(MARK_START, at), line.find(MARK_END, at)
            found = min(starts, ends) if starts >= 0 and ends >= 0 else max(starts, ends)
            if found < 0:
                break
            pieces.append(line[at:found])
            length += found - at
            if found == starts:
                start = length
            else:
                if start is not None and length > start:
                    marks.append((start, length))
                start = None
            at = found + 1
        pieces.append(line[at:])
        line = "".join(pieces)
    if len(line) > SNIPPET_LIMIT:
        line = line[: SNIPPET_LIMIT - 1] + ELLIPSIS
        marks = [(s, min(e, SNIPPET_LIMIT - 1)) for s, e in marks if s < SNIPPET_LIMIT - 1]
    return Snippet(line, tuple(marks))


def snippet_pattern(
    phrases: list[list[str]], sensitive: Sequence[bool] | None = None
) -> re.Pattern[str] | None:
    """A pattern finding any of *phrases* (each a list of words, accents folded; case folded
    for a phrase in any case) as whole words in order, whatever separates them: what the
    index matches, in text whose accents are folded (:func:`find_snippet` folds). In any
    case, except the phrases whose *sensitive* flag is true (smart case: a query word with
    a capital is found, and marked, only in its own case)."""
    flags = [False] * len(phrases) if sensitive is None else list(sensitive)
    bodies = [
        (r"[\W_]+".join(re.escape(word) if case else _any_case(word) for word in words), case)
        for words, case in zip(phrases, flags, strict=True)
        if words
    ]
    if not bodies:
        return None
    alternatives = "|".join(
        body if case else f"(?i:{body})" for body, case in dict.fromkeys(bodies)
    )
    # No look-behind in front: the regex engine scans for the words' first letters much
    # faster without one; a match inside a word is skipped by _matches.
    pattern = re.compile(rf"(?:{alternatives})(?![^\W_])")
    firsts = tuple(dict.fromkeys(words[0].lower() for words in phrases if words))
    if len(_FIRST_WORDS) > 64:
        _FIRST_WORDS.clear()
    # (Where a case-sensitive word can start, it starts in lower case too: a superset.)
    _FIRST_WORDS[pattern] = (
        tuple(word.encode("ascii") for word in firsts)
        if all(word.isascii() for word in firsts)
        else None,
        re.compile(pattern.pattern, re.ASCII),
    )
    return pattern


def _any_case(word: str) -> str:
    """*word* (case folded: ``ss``, never ``ß``) escaped for a case-insensitive pattern, its
    i's and s's as ``str.casefold`` folds them (:mod:`reader.search.text_match`): a regex in
    any case takes the dotless ``ı`` for ``i`` and ``I`` (and ``i`` for ``ı``), casefold
    does not (``istanbul`` does not find ``ıstanbul``), so those letters are matched in
    their own case; and ``ß`` is ``ss`` to casefold, not to a regex, so a run of s's also
    matches ``ß`` in their place (``strasse`` finds ``Straße``)."""
    return _SS.sub(_sharp_s, _I_LETTERS.sub(_own_i, re.escape(word)))


_I_LETTERS = re.compile("[iI\u0131]")


def _own_i(found: re.Match[str]) -> str:
    return "(?-i:\u0131)" if found.group() == "\u0131" else "(?-i:[iI])"


_SS = re.compile("s{2,8}")


def _sharp_s(found: re.Match[str]) -> str:
    """A run of s's as any mix of ``s`` and ``ß`` (in any case: ``ẞ``) that folds to it."""
    return "(?:" + "|".join(_s_mixes(len(found.group()))) + ")"


def _s_mixes(length: int) -> list[str]:
    if length < 2:
        return ["s" * length]
    return ["s" + mix for mix in _s_mixes(length - 1)] + ["ß" + mix for mix in _s_mixes(length - 2)]


_FIRST_WORDS: dict[re.Pattern[str], tuple[tuple[bytes, ...] | None, re.Pattern[str]]] = {}
"""Per pattern made by :func:`snippet_pattern`: the first word of each phrase, lower case,
when all are ASCII (what :func:`_first_match` looks for with ``bytes.find``), else None;
and the pattern in ASCII mode, which finds what it finds in a plain text (word characters
all ASCII: :func:`is_plain`), without a Unicode lookup per character it reads (a match in
any case of an ASCII letter could otherwise be a non-ASCII one, ``K`` the Kelvin sign: a
letter, which a plain text does not have). A pattern not in here is scanned as it is."""


def _matches(
    pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None
) -> Iterator[re.Match[str]]:
    """The matches of *pattern* in *text*[start:end] that start a word."""
    for match in pattern.finditer(text, start, len(text) if end is None else end):
        at = match.start()
        if at == 0 or not text[at - 1].isalnum():
            yield match


def _first_match(pattern: re.Pattern[str], folded: str, plain: bool) -> re.Match[str] | None:
    """The first of :func:`_matches` in *folded* (the whole text).

    When *plain* (the text's word characters are all ASCII) and the phrases' first words
    are ASCII, the places a match can start are found with ``bytes.find`` in the text in
    lower case (a case-insensitive match of an ASCII word there is that word in lower
    case), and the pattern is tried at each in turn, as ``finditer`` would meet them: a
    match that does not start a word is skipped whole. Else the pattern scans the text.

    The text is put in lower case a piece at a time (:data:`_READ_FIRST` characters, then
    four times as many each time), as far as the first place is known: the words found
    are most often near the start, and lowering a long text whole cost more than finding.
    """
    fast = _FIRST_WORDS.get(pattern) if plain else None
    if fast is not None:
        pattern = fast[1]
    firsts = fast[0] if fast is not None else None
    if not firsts:
        return next(_matches(pattern, folded), None)
    size = len(folded)
    reach = min(size, _READ_FIRST)
    # One byte per character (the non-ASCII ones, no word characters here, as "?").
    lowered = folded[:reach].encode("ascii", "replace").lower()
    places = [lowered.find(word) for word in firsts]
    at = 0
    for _ in range(_CANDIDATES):
        while True:
            for i, place in enumerate(places):
                if 0 <= place < at:
                    places[i] = lowered.find(firsts[i], at)
            candidates = [place for place in places if place >= 0]
            # A word not found in what was lowered may still start less than its
            # length before its end: the nearest place found is first if it is before.
            if reach == size or (
                candidates
                and (-1 not in places or min(candidates) <= reach - max(map(len, firsts)))
            ):
                break
            lowered += folded[reach : reach * 4].encode("ascii", "replace").lower()
            reach = min(size, reach * 4)
            places = [lowered.find(word, at) for word in firsts]
        if not candidates:
            return None
        at = min(candidates)
        match = pattern.match(folded, at)
        if match is None:
            at += 1
            continue
        if at == 0 or not folded[at - 1].isalnum():
            return match
        at = match.end()
    # Common letters inside words (``a``): the pattern scans the rest (from where no match
    # can start before, as ``finditer`` would resume).
    return next(_matches(pattern, folded, at), None)


_READ_FIRST = 1024
"""Characters of a text :func:`_first_match` puts in lower case first."""
_CANDIDATES = 8
"""Places tried with ``str.find`` before :func:`_first_match` lets the pattern scan."""
_HARMLESS: dict[str, bool] = {}
"""Per non-ASCII character seen: whether folding it cannot change what a pattern finds (a
character that is no word character, and whose folded form has none: quotes, dashes)."""


def _harmless(char: str) -> bool:
    known = _HARMLESS.get(char)
    if known is None:
        known = _HARMLESS[char] = not _WORD.search(char + text_match.fold(char)) and (
            not unicodedata.combining(char)
        )
    return known


def is_plain(text: str) -> bool:
    """Whether *text*'s only non-ASCII characters (if any) are harmless (:func:`_harmless`):
    its word characters are all ASCII, so it is its own accent folding for what a pattern
    finds. One scan for a character not yet known harmless, learning them as they come
    (the search index keeps the answer per article: :func:`find_snippet`'s *plain*)."""
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


def _fold(text: str, plain: bool | None = None) -> tuple[str, list[int], list[int], bool]:
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
        folded = text_match.fold(run)
        if len(folded) == len(run):
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


def _back(offset: int, folded_starts: list[int], original_starts: list[int]) -> int:
    """The offset in the original text of the folded text's *offset* (see :func:`_fold`)."""
    i = bisect_right(folded_starts, offset) - 1
    if i < 0:
        return offset
    if i + 1 < len(original_starts) and original_starts[i + 1] - original_starts[i] == 1:
        return original_starts[i]  # inside one character's folded form
    return original_starts[i] + offset - folded_starts[i]


class _Words:
    """The patterns that count and step over a snippet's words, in one mode: Unicode (any
    text) or ASCII (a plain text, whose word characters are all ASCII: both modes see the
    same words there, the ASCII one without a Unicode lookup per character)."""

    def __init__(self, flags: int) -> None:
        self.flags = flags
        self.word = re.compile(_WORD.pattern, flags)
        """A word (:data:`reader.search.text_match.WORD`)."""
        self.up_to = re.compile(rf"(?:[\W_]*+[^\W_]++){{0,{SNIPPET_WORDS + 1}}}", flags)
        """Up to a window's words and one more, as :meth:`exactly`."""
        self.beyond = re.compile(rf"(?:[\W_]*+[^\W_]++){{{SNIPPET_WORDS + 1}}}", flags)
        """A window's words and one more, exactly (matches where :attr:`up_to` would count
        more than a window's, and ends where it ends)."""
        self._exactly: dict[int, re.Pattern[str]] = {}

    def exactly(self, n: int) -> re.Pattern[str]:
        """Matches exactly *n* words from where it starts, each whole (possessive: a word
        is never split), and the separators before each (compiled when first asked for)."""
        found = self._exactly.get(n)
        if found is None:
            found = self._exactly[n] = re.compile(rf"(?:[\W_]*+[^\W_]++){{{n}}}", self.flags)
        return found


_UNICODE = _Words(0)
_ASCII = _Words(re.ASCII)

_SENTENCE_START = re.compile(r"(?:[.:][ \t\r\n]+|\n[ \t\r]*\n\s*)(?=[^\W_])")
"""The end of a sentence (``.`` or ``:`` and white space, or a blank line: a paragraph, or
an article's title, ends there) before a word: a match ends where that word starts."""


def _count_before(folded: str, start: int, words: _Words = _UNICODE) -> tuple[int, bool, str, int]:
    """How many words come before *start*, up to a window's (:data:`SNIPPET_WORDS`), and
    whether those are all there are (the text's first word among them); the text before
    *start* reversed (as far as it was read: :meth:`_Words.exactly` on it finds where the n-th
    word before starts) and where the farthest word counted starts.

    The text before *start* is read backwards, a little at a time: the words are counted by
    one match on it reversed (words and separators read the same either way). *words*: the
    patterns for the text (:class:`_Words`)."""
    reach = 128
    while True:
        low = max(0, start - reach)
        backwards = folded[low:start][::-1]
        beyond = words.beyond.match(backwards)  # more than a window's words: no count needed
        if beyond is not None:
            return SNIPPET_WORDS, False, backwards, start - beyond.end()
        counted = words.up_to.match(backwards)
        assert counted is not None  # it matches the empty string
        count = len(words.word.findall(backwards, 0, counted.end()))
        if count > SNIPPET_WORDS:  # (the farthest may be cut by the slice: not counted)
            return SNIPPET_WORDS, False, backwards, start - counted.end()
        if low == 0:
            return count, True, backwards, start - counted.end()
        reach *= 4


def _count_after(folded: str, end: int, words: _Words = _UNICODE) -> tuple[int, bool]:
    """How many words come after *end*, up to a window's, and whether those are all."""
    if words.beyond.match(folded, end) is not None:  # more than a window's: no count needed
        return SNIPPET_WORDS, False
    counted = words.up_to.match(folded, end)
    assert counted is not None
    count = len(words.word.findall(folded, end, counted.end()))
    if count > SNIPPET_WORDS:
        return SNIPPET_WORDS, False
    return count, True


def _lead(
    folded: str, start: int, farthest: int, before: int, at_start: bool, words: _Words = _UNICODE
) -> int | None:
    """How many of the *before* words before *start* the snippet starts with when one of
    the nearest (fewer than a window's) starts a sentence, or the text's first word is one
    of them (counted from *farthest*, the farthest word's start), else None."""
    nearest = None
    for found in _SENTENCE_START.finditer(folded, farthest, start):
        nearest = found.end()
    if nearest is not None:
        count = len(words.word.findall(folded, nearest, start))
        if count < before and count <= SNIPPET_WORDS - 1:
            return count
    if at_start and 0 < before <= SNIPPET_WORDS - 1:
        return before  # the text's first word starts a sentence
    return None


def find_snippet(text: str, pattern: re.Pattern[str], plain: bool | None = None) -> Snippet | None:
    """A snippet of *text* around the first words *pattern* (:func:`snippet_pattern`) finds.

    :data:`SNIPPET_WORDS` words, laid out as SQLite's ``snippet()`` lays out a window around
    one phrase: from the nearest sentence start (after ``.`` or ``:``, or the text's start)
    when one is close enough before the words found, else with them in the middle (more
    before when the text ends); ``…`` where the text goes on; every match inside marked.
    Only the neighbourhood of the first match is read, and its words are counted, not
    listed. None when nothing is found. *plain*: :func:`is_plain` of *text* when the
    caller knows it (the search index keeps it per article), else worked out here.
    """
    folded, folded_starts, original_starts, plain = _fold(text, plain)
    first = _first_match(pattern, folded, plain)
    if first is None:
        return None
    words = _UNICODE
    fast = _FIRST_WORDS.get(pattern) if plain else None
    if fast is not None:  # a plain text: the patterns in ASCII mode find the same
        pattern, words = fast[1], _ASCII
    start, end = first.span()
    found_words = len(words.word.findall(first.group())) or 1
    before, at_start, backwards, farthest = _count_before(folded, start, words)
    after, at_end = _count_after(folded, end, words)
    room = max(0, SNIPPET_WORDS - found_words)
    lead = _lead(folded, start, farthest, before, at_start, words) if before else None
    if lead is None:
        lead = min(before, room // 2)
        if at_end and room - lead > after:  # the text ends: show more before
            lead = min(before, room - after)
    trail = min(after, max(0, room - lead))
    from_start = at_start and lead == before
    if from_start:
        window_start = 0
    elif lead:
        reached = words.exactly(lead).match(backwards)
        assert reached is not None
        window_start = start - reached.end()
    else:
        window_start = start
    to_end = at_end and trail == after
    if to_end:
        window_end = len(folded)
    elif trail:
        reached = words.exactly(trail).match(folded, end)
        assert reached is not None
        window_end = reached.end()
    else:
        window_end = end
    while True:
        pieces = [] if from_start else [ELLIPSIS]
        cursor = window_start
        clean = False
        if not folded_starts:  # the folded text is the text (offsets are the same)
            window = text[window_start:window_end]
            clean = _clean(window)
            cut = _cutter(text, window)
            for match in _matches(pattern, folded, window_start, window_end):
                at, done = match.span()
                pieces += [cut(cursor, at), MARK_START, cut(at, done), MARK_END]
                cursor = done
            pieces.append(cut(cursor, window_end))
        else:

            def back(offset: int) -> int:
                return _back(offset, folded_starts, original_starts)

            cut = _cutter(text, text[back(window_start) : back(window_end)])
            for match in _matches(pattern, folded, window_start, window_end):
                pieces += [cut(back(cursor), back(match.start())), MARK_START]
                pieces += [cut(back(match.start()), back(match.end())), MARK_END]
                cursor = match.end()
            pieces.append(cut(back(cursor), back(window_end)))
        if not to_end:
            pieces.append(ELLIPSIS)
        snippet = make_snippet("".join(pieces), sanitized=clean)
        if snippet.marks or window_start >= start:
            return snippet
        # The words found come after the longest snippet's end (long words, or long runs
        # of punctuation, before them): the snippet starts at them instead.
        window_start, from_start = start, False


def _cutter(text: str, window: str) -> Callable[[int, int], str]:
    """What cuts *text* into a snippet's pieces: slices, without the characters that mark
    the words found when the article's own *window* has some (a private-use character in
    the text would otherwise mark what no query word matched)."""
    if MARK_START not in window and MARK_END not in window:
        return lambda start, end: text[start:end]
    return lambda start, end: text[start:end].replace(MARK_START, "").replace(MARK_END, "")


def _clean(window: str) -> bool:
    """Whether :func:`~reader.text.sanitize` would leave *window* as it is: printable but
    for line breaks (every character it removes or changes is not printable) and in NFC.
    Marks put between its words then come through it unchanged too."""
    if window.isascii():
        return window.replace("\n", " ").isprintable()
    return window.replace("\n", " ").isprintable() and unicodedata.is_normalized("NFC", window)
