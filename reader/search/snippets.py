"""A hit's snippet: a bit of text around the words found, on one line, with where they are.

The words found are looked for in the text with its accents folded (:mod:`.plain_text`:
a plain text is its own folding) and laid out as SQLite's ``snippet()`` lays out a
window; the window's line is made by :mod:`.snippet_line`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from reader.search import text_match
from reader.search.plain_text import back_offset, fold_text, is_plain
from reader.search.snippet_line import (
    ELLIPSIS,
    MARK_END,
    MARK_START,
    PARAGRAPH_MARK,
    SNIPPET_LIMIT,
    Snippet,
    cutter,
    is_clean,
    make_snippet,
)
from reader.search.snippet_window import (
    ASCII_WORDS,
    SNIPPET_WORDS,
    unicode_words,
    window_around,
)

__all__ = [
    "ELLIPSIS",
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

_WORD = text_match.WORD


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
    firsts = [words[0] for words in phrases if words]
    if len(_FIRST_WORDS) > 64:
        _FIRST_WORDS.clear()
    plain = re.compile(pattern.pattern, re.ASCII)
    _FIRST_WORDS[pattern] = (_places(firsts, plain), plain)
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


def _places(firsts: list[str], plain: re.Pattern[str]) -> re.Pattern[str] | None:
    """What finds where *plain* (a pattern in ASCII mode) matches, by the first letters of
    its phrases' first words *firsts*, the first two when every word has two (in any case:
    where a case-sensitive word starts, it starts in any case too: a superset), each place
    checked by a look-ahead of the pattern; None when a letter is not ASCII."""
    reach = 2 if all(len(word) > 1 for word in firsts) else 1
    classes = [
        "".join(dict.fromkeys(c for word in firsts for c in word[at].lower() + word[at].upper()))
        for at in range(reach)
    ]
    if not all(letters.isascii() for letters in classes):
        return None
    prefix = "".join(f"[{re.escape(letters)}]" for letters in classes)
    return re.compile(f"{prefix}(?<=(?={plain.pattern}){'.' * reach})", re.ASCII | re.DOTALL)


_FIRST_WORDS: dict[re.Pattern[str], tuple[re.Pattern[str] | None, re.Pattern[str]]] = {}
"""Per pattern made by :func:`snippet_pattern`: when the phrases' first letters are all
ASCII, what finds in a plain text (:func:`is_plain`) the places where the pattern
matches, in order, without a Unicode lookup per character (:func:`_first_plain`), else
None; and the pattern in ASCII mode, which finds what it finds in a plain text (word
characters all ASCII), without a Unicode lookup per character it reads (a match in any
case of an ASCII letter could otherwise be a non-ASCII one, ``K`` the Kelvin sign: a
letter, which a plain text does not have). A pattern not in here is scanned as it is.

The places are found by a class of the first letters in any case (the regex engine
skips to the next character of a class in a tight loop, where a pattern in any case or
starting with a look-behind has it try every character), and of the second letters
(fewer places checked), each checked by a look-ahead of the whole pattern:
``[gGmM][eEiI](?<=(?=PATTERN)..)`` (:func:`_places`)."""


def _matches(
    pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None
) -> Iterator[re.Match[str]]:
    """The matches of *pattern* in *text*[start:end] that start a word."""
    for match in pattern.finditer(text, start, len(text) if end is None else end):
        at = match.start()
        if at == 0 or not text[at - 1].isalnum():
            yield match


def _first_match(pattern: re.Pattern[str], folded: str, plain: bool) -> re.Match[str] | None:
    """The first of :func:`_matches` in *folded* (the whole text): by
    :func:`_first_plain` when *plain* (the text's word characters are all ASCII) and the
    pattern has a way to its places (:data:`_FIRST_WORDS`), else by the pattern's scan."""
    fast = _FIRST_WORDS.get(pattern) if plain else None
    if fast is not None:
        if fast[0] is not None:
            return _first_plain(folded, fast[0], fast[1])
        pattern = fast[1]
    return next(_matches(pattern, folded), None)


def _first_plain(
    text: str, places: re.Pattern[str], pattern: re.Pattern[str]
) -> re.Match[str] | None:
    """The first of :func:`_plain_matches` in the whole *text*."""
    return next(_plain_matches(text, places, pattern, 0, len(text)), None)


def _plain_matches(
    text: str, places: re.Pattern[str], pattern: re.Pattern[str], start: int, end: int
) -> Iterator[re.Match[str]]:
    """:func:`_matches` of *pattern* (in ASCII mode) in the plain *text*[start:end], the
    places where it matches found by *places* (:data:`_FIRST_WORDS`): one that does not
    start a word is skipped whole, as ``finditer`` skips it."""
    at = start
    while (found := places.search(text, at, end)) is not None:
        at = found.start()
        match = pattern.match(text, at, end)
        assert match is not None  # (what places checked)
        if at == 0 or not text[at - 1].isalnum():
            yield match
        at = match.end()


def find_snippet(text: str, pattern: re.Pattern[str], plain: bool | None = None) -> Snippet | None:
    """A snippet of *text* around the first words *pattern* (:func:`snippet_pattern`) finds.

    :data:`SNIPPET_WORDS` words, laid out as SQLite's ``snippet()`` lays out a window around
    one phrase: from the nearest sentence start (after ``.`` or ``:``, or the text's start)
    when one is close enough before the words found, else with them in the middle (more
    before when the text ends); ``…`` where the text goes on; every match inside marked.
    Only the neighbourhood of the first match is read, and the words on each side are
    counted and found by one match each (:attr:`Words.counted`). None when nothing is
    found. *plain*: :func:`is_plain` of *text* when the caller knows it (the search index
    keeps it per article), else worked out here.
    """
    if plain:
        fast = _FIRST_WORDS.get(pattern)
        if fast is not None and fast[0] is not None:
            found = _plain_snippet(text, fast[0], fast[1])
            if not isinstance(found, _Elsewhere):
                return found
    folded_starts: list[int]
    original_starts: list[int]
    if plain:  # its own folding (as fold_text would find)
        folded, folded_starts, original_starts = text, [], []
    else:
        folded, folded_starts, original_starts, plain = fold_text(text, plain)
    fast = _FIRST_WORDS.get(pattern) if plain else None
    places = None
    if fast is not None:  # a plain text: the patterns in ASCII mode find the same
        places, pattern, words = fast[0], fast[1], ASCII_WORDS
    else:
        words = unicode_words()
    if places is not None:  # (as _first_match)
        first = next(_plain_matches(folded, places, pattern, 0, len(folded)), None)
    else:
        first = next(_matches(pattern, folded), None)
    if first is None:
        return None
    start, end = first.span()
    window_start, window_end, from_start, to_end = window_around(folded, start, end, words)
    while True:
        pieces = [] if from_start else [ELLIPSIS]
        cursor = window_start
        clean = False
        if not folded_starts:  # the folded text is the text (offsets are the same)
            window = text[window_start:window_end]
            clean = is_clean(window)
            cut = cutter(text, window)
            for match in (
                _matches(pattern, folded, window_start, window_end)
                if places is None
                else _plain_matches(folded, places, pattern, window_start, window_end)
            ):
                at, done = match.span()
                pieces += [cut(cursor, at), MARK_START, cut(at, done), MARK_END]
                cursor = done
            pieces.append(cut(cursor, window_end))
        else:

            def back_to(offset: int) -> int:
                return back_offset(offset, folded_starts, original_starts)

            cut = cutter(text, text[back_to(window_start) : back_to(window_end)])
            for match in _matches(pattern, folded, window_start, window_end):
                pieces += [cut(back_to(cursor), back_to(match.start())), MARK_START]
                pieces += [cut(back_to(match.start()), back_to(match.end())), MARK_END]
                cursor = match.end()
            pieces.append(cut(back_to(cursor), back_to(window_end)))
        if not to_end:
            pieces.append(ELLIPSIS)
        snippet = make_snippet("".join(pieces), sanitized=clean)
        if snippet.marks or window_start >= start:
            return snippet
        # The words found come after the longest snippet's end (long words, or long runs
        # of punctuation, before them): the snippet starts at them instead.
        window_start, from_start = start, False


class _Elsewhere:
    """What :func:`_plain_snippet` answers for a window it leaves to :func:`find_snippet`."""


_ELSEWHERE = _Elsewhere()


def _plain_snippet(
    text: str, places: re.Pattern[str], pattern: re.Pattern[str]
) -> Snippet | _Elsewhere | None:
    """:func:`find_snippet` of a plain *text* (its own folding) whose pattern has a way to
    its places (:data:`_FIRST_WORDS`: *places*, and *pattern* in ASCII mode), worked out
    as :func:`find_snippet` works it out, with less Python per hit (the path of most hits
    of a `reader search`): the matches found in line (no generator), the pieces sliced
    from the text; and, when the window is clean and on one line with single spaces (as
    :func:`~reader.search.snippet_line.make_snippet` would leave it), the marks' offsets
    counted from the matches, not found again in the joined line. :data:`_ELSEWHERE` for a
    window holding the marks' own characters (left to :func:`find_snippet`'s way, which
    takes them out)."""
    length = len(text)
    search = places.search
    match_at = pattern.match
    at = 0
    while True:
        found = search(text, at, length)
        if found is None:
            return None
        at = found.start()
        first = match_at(text, at, length)
        assert first is not None  # (what places checked)
        if at == 0 or not text[at - 1].isalnum():
            break
        at = first.end()
    start, end = first.span()
    window_start, window_end, from_start, to_end = window_around(text, start, end, ASCII_WORDS)
    while True:
        window = text[window_start:window_end]
        if MARK_START in window or MARK_END in window:
            return _ELSEWHERE
        head = "" if from_start else ELLIPSIS
        tail = "" if to_end else ELLIPSIS
        spans: list[tuple[int, int]] = []
        at = window_start
        while (found := search(text, at, window_end)) is not None:
            at = found.start()
            match = match_at(text, at, window_end)
            assert match is not None
            done = match.end()
            if at == 0 or not text[at - 1].isalnum():
                spans.append((at, done))
            at = done
        clean = is_clean(window)
        line = head + window + tail
        if clean and "\n" not in window and "  " not in line and line == line.strip():
            # What make_snippet leaves as it is (clean, on one line, single spaces): the
            # marks are where the matches are, shifted by the head.
            shift = len(head) - window_start
            marks = [(s + shift, e + shift) for s, e in spans]
            if len(line) > SNIPPET_LIMIT:
                line = line[: SNIPPET_LIMIT - 1] + ELLIPSIS
                marks = [(s, min(e, SNIPPET_LIMIT - 1)) for s, e in marks if s < SNIPPET_LIMIT - 1]
            snippet = Snippet(line, tuple(marks))
        else:
            pieces = [head]
            cursor = window_start
            for at, done in spans:
                pieces += [text[cursor:at], MARK_START, text[at:done], MARK_END]
                cursor = done
            pieces += [text[cursor:window_end], tail]
            snippet = make_snippet("".join(pieces), sanitized=clean)
        if snippet.marks or window_start >= start:
            return snippet
        # The words found come after the longest snippet's end (long words, or long runs
        # of punctuation, before them): the snippet starts at them instead.
        window_start, from_start = start, False
