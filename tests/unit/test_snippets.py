"""Snippets (reader/search/snippets.py): the fast way to the first word found (``bytes.find``
in plain text) gives exactly what the pattern's own scan gives, for generated texts."""

from __future__ import annotations

import re

import pytest
import snippets_before
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reader.search import plain_text, snippet_line, snippet_window, snippets, text_match
from reader.search.snippet_line import Snippet, make_snippet
from reader.search.snippets import find_snippet, snippet_pattern

# Words that meet: in-word places ("administer"), case, accents, letters that match ASCII
# letters case-insensitively in a regex (dotless ı, long ſ, the Kelvin sign), compatibility
# forms (ﬁ), and harmless non-ASCII (dashes, typographic quotes).
_PIECES = [
    "minister", "Minister", "MINISTER", "administer", "ministers", "mınister", "ſaid", "said",
    "a", "A", "the", "Geneva", "genève", "ﬁne", "fine", "World", "Bank", "world-bank",
    "K", "\u212aey", "key", "café", "Zoë", "zoe", "—", "“", "”", "’", "…", ".", ":", ",",
    "_", "2", "²", "\n", " ", "  ", "\u00a0", "é", "İstanbul", "istanbul",
]  # fmt: skip
_PHRASES = [
    ["minister"], ["a"], ["said"], ["world", "bank"], ["key"], ["fine"], ["zoe"], ["cafe"],
    ["istanbul"], ["the", "minister"], ["2"], ["geneva"], ["ı"], ["k"],
]  # fmt: skip

texts = st.lists(st.sampled_from(_PIECES), max_size=60).map(
    lambda pieces: "".join(piece if i % 3 else f" {piece}" for i, piece in enumerate(pieces))
)


def _scanned(text: str, pattern: object) -> object:
    """The snippet found by the pattern's own scan (the fast way turned off)."""
    kept = dict(snippets._FIRST_WORDS)
    snippets._FIRST_WORDS.clear()
    try:
        return find_snippet(text, pattern)  # type: ignore[arg-type]
    finally:
        snippets._FIRST_WORDS.update(kept)


@settings(max_examples=400, deadline=None)
@given(text=texts, chosen=st.lists(st.sampled_from(_PHRASES), min_size=1, max_size=3))
@example(text="xa b", chosen=[["a", "b"], ["b"]])
@example(text="administer the minister", chosen=[["minister"]])
@example(text="mınister — “minister”", chosen=[["minister"]])
def test_the_fast_way_finds_what_the_scan_finds(text: str, chosen: list[list[str]]) -> None:
    pattern = snippet_pattern(chosen)
    assert pattern is not None
    assert find_snippet(text, pattern) == _scanned(text, pattern)


@pytest.mark.parametrize("word", ["minister", "Minister", "MINISTER", "mINISTER", "MiNiStEr"])
@pytest.mark.parametrize("chosen", [[["minister"]], [["minister"], ["a"]], [["minister", "said"]]])
def test_the_fast_way_finds_a_word_in_any_case(word: str, chosen: list[list[str]]) -> None:
    """The places are found by the first letters (the first two when every first word has
    two) in any case."""
    text = f"x — {word} said"
    pattern = snippet_pattern(chosen)
    assert pattern is not None
    assert snippets._FIRST_WORDS[pattern][0] is not None  # the fast way is taken
    found = find_snippet(text, pattern)
    assert found is not None and [found.text[s:e] for s, e in found.marks]
    assert found == _scanned(text, pattern)


def _before(text: str, chosen: list[list[str]], flags: list[bool], plain: bool | None) -> object:
    """The snippet the code before found (tests/unit/snippets_before.py), as a tuple."""
    pattern = snippets_before.snippet_pattern(chosen, flags)
    assert pattern is not None
    found = snippets_before.find_snippet(text, pattern, plain)
    return None if found is None else (found.text, found.marks)


_ANY_TEXT = st.one_of(
    texts,
    st.lists(
        st.sampled_from(
            [*_PIECES, ". ", ": ", ".\n", "\n\n", "x", "“We", "ready,”"] + ["word"] * 8
        ),
        min_size=10,
        max_size=200,
    ).map(" ".join),
    st.text(st.sampled_from("ab .:\n—“’é\u00a0\ue000\ue001\t_2K"), max_size=300),
)


@settings(max_examples=600, deadline=None)
@given(
    text=_ANY_TEXT,
    chosen=st.lists(
        st.sampled_from([*_PHRASES, ["we"], ["ready"], ["b", "a"]]), min_size=1, max_size=3
    ),
    data=st.data(),
)
@example(text="xa b", chosen=[["a", "b"], ["b"]], data=None)
@example(text=" ".join(["w"] * 300 + ["minister"]), chosen=[["minister"]], data=None)
@example(text="“We are ready,” the Minister said", chosen=[["we"]], data=None)
def test_snippets_are_what_the_code_before_found(
    text: str, chosen: list[list[str]], data: st.DataObject | None
) -> None:
    """The same snippet, byte for byte, and the same marks as the code before the plain
    texts' snippets were found by a class of first letters and one counting match a side:
    in any text, for any phrases, in any case or smart case, the text's plainness known
    or not."""
    flags = (
        [False] * len(chosen)
        if data is None
        else data.draw(st.lists(st.booleans(), min_size=len(chosen), max_size=len(chosen)))
    )
    cased = [
        [word.capitalize() for word in words] if flag else words
        for words, flag in zip(chosen, flags, strict=True)
    ]
    pattern = snippet_pattern(cased, flags)
    assert pattern is not None
    for plain in (None, plain_text.is_plain(text)):
        found = find_snippet(text, pattern, plain)
        now = None if found is None else (found.text, found.marks)
        assert now == _before(text, cased, flags, plain)


# Texts that look plain but are not, or are but look odd: ß, İ, ﬁ, the Kelvin sign and
# long s (letters), a lone combining mark, zero-width and soft-hyphen characters (harmless),
# CR LF and tabs, a private-use mark; words and runs of punctuation longer than the 256
# characters first read backwards.
_ODD = [
    "ß", "İ", "ﬁ", "\u212a", "ſ", "ı", "\u0301", "\u0903", "\u200b", "\u200d", "\ufeff",
    "\u00ad", "\r\n", "\t", "\n\n", ". ", ": ", "\u00a0", "—", "’", "²", "٣", "_", "\ue000",
]  # fmt: skip
_ODD_WORDS = st.lists(st.sampled_from([*"aAiIkKsSbB1é", "ß", "ı"]), min_size=1, max_size=4).map(
    "".join
)
_ODD_TEXT = st.lists(
    st.one_of(
        _ODD_WORDS,
        st.sampled_from(_ODD),
        st.integers(1, 400).map(lambda n: "w" * n),
        st.integers(1, 300).map(lambda n: "." * n),
    ),
    max_size=60,
).map(" ".join)
_ODD_QUERY_WORDS = st.lists(
    st.sampled_from([*"aiksbAIKSB1", "ß", "ı", "ss", "\u212a", "ſ"]), min_size=1, max_size=3
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_ODD_TEXT, data=st.data())
def test_odd_texts_snippets_are_what_the_code_before_found(text: str, data: st.DataObject) -> None:
    """As above, in texts of odd characters and long runs, for phrases of the text's own
    words (runs of them, in any case) or not, the case-sensitive flag drawn apart from the
    case, empty phrases among them."""
    own = text_match.words(text)
    phrase = st.lists(_ODD_QUERY_WORDS, max_size=3)
    if own:
        run = st.tuples(st.integers(0, len(own) - 1), st.integers(1, 3)).map(
            lambda at: own[at[0] : at[0] + at[1]]
        )
        cased = st.sampled_from([str.lower, str.upper, str.capitalize, str.swapcase, str])
        phrase = st.one_of(
            phrase, st.tuples(run, cased).map(lambda t: [t[1](word) for word in t[0]])
        )
    phrases = data.draw(st.lists(phrase, min_size=1, max_size=3))
    flags = data.draw(st.lists(st.booleans(), min_size=len(phrases), max_size=len(phrases)))
    pattern = snippet_pattern(phrases, flags)
    assert (pattern is None) == (snippets_before.snippet_pattern(phrases, flags) is None)
    if pattern is None:
        return
    for plain in (None, plain_text.is_plain(text)):
        found = find_snippet(text, pattern, plain)
        now = None if found is None else (found.text, found.marks)
        assert now == _before(text, phrases, flags, plain)


@pytest.mark.parametrize(
    ("text", "chosen", "marked"),
    [
        ("the minister — “minister”", [["minister"]], ["minister", "minister"]),
        ("administer and then a minister", [["minister"]], ["minister"]),
        ("a—b xa b", [["a", "b"], ["b"]], ["a—b"]),  # "a b" inside "xa b" skipped whole
    ],
)
def test_the_fast_way_marks_the_words_found(
    text: str, chosen: list[list[str]], marked: list[str]
) -> None:
    pattern = snippet_pattern(chosen)
    assert pattern is not None
    assert snippets._FIRST_WORDS[pattern]  # the fast way is taken
    found = find_snippet(text, pattern)
    assert found is not None
    assert [found.text[s:e] for s, e in found.marks] == marked


TITLED = (
    "Mexico and Japan agree to cooperate\n\nACCRA — Bluewater Steel said on Monday it would spend"
)


def test_the_title_is_not_run_into_the_text() -> None:
    pattern = snippet_pattern([["cooperate"]])
    assert pattern is not None
    found = find_snippet(TITLED, pattern)
    assert found is not None
    assert found.text.startswith("Mexico and Japan agree to cooperate · ACCRA — Bluewater")
    assert [found.text[s:e] for s, e in found.marks] == ["cooperate"]


def test_a_word_of_the_first_paragraph_starts_its_snippet_there() -> None:
    """A blank line ends a sentence, as a full stop does: the title is left out."""
    pattern = snippet_pattern([["steel"]])
    assert pattern is not None
    found = find_snippet(TITLED, pattern)
    assert found is not None
    assert found.text == "…ACCRA — Bluewater Steel said on Monday it would spend"
    assert [found.text[s:e] for s, e in found.marks] == ["Steel"]


# The window as it was worked out before the words around the match were counted by one
# match each (kept to check that the faster way lays out the same snippets).
_SENTENCE_END = re.compile(r"(?:[.:][ \t\r\n]+|\n[ \t\r]*\n\s*)\Z")


def _old_words_before(folded: str, start: int) -> tuple[list[tuple[int, int]], bool]:
    """The spans of up to a window's words before *start*, and whether they reach the
    text's start."""
    reach = 160
    while True:
        low = max(0, start - reach)
        spans = [m.span() for m in snippets._WORD.finditer(folded, low, start)]
        if low == 0:
            return spans, True
        if len(spans) > snippets.SNIPPET_WORDS:
            return spans[1:], False  # the first may be cut by the slice
        reach *= 4


def _old_words_after(folded: str, end: int) -> tuple[list[tuple[int, int]], bool]:
    """The spans of up to a window's words after *end*, and whether they reach the end."""
    reach = 200
    while True:
        high = min(len(folded), end + reach)
        spans = [m.span() for m in snippets._WORD.finditer(folded, end, high)]
        if high == len(folded):
            return spans, True
        if len(spans) > snippets.SNIPPET_WORDS:
            return spans[:-1], False  # the last may be cut by the slice
        reach *= 4


def _old_find_snippet(text: str, pattern: re.Pattern[str]) -> Snippet | None:
    """A snippet of *text* around the first words *pattern* (:func:`snippet_pattern`) finds.

    :data:`snippets.SNIPPET_WORDS` words, laid out as SQLite's ``snippet()`` lays out a window around
    one phrase: from the nearest sentence start (after ``.`` or ``:``, or the text's start)
    when one is close enough before the words found, else with them in the middle (more
    before when the text ends); ``…`` where the text goes on; every match inside marked.
    Only the neighbourhood of the first match is read. None when nothing is found.
    """
    folded, folded_starts, original_starts, plain = plain_text.fold_text(text)
    first = snippets._first_match(pattern, folded, plain)
    if first is None:
        return None
    start, end = first.span()
    found_words = len(snippets._WORD.findall(first.group())) or 1
    before, at_start = _old_words_before(folded, start)
    after, at_end = _old_words_after(folded, end)
    room = max(0, snippets.SNIPPET_WORDS - found_words)
    lead = None
    for count in range(1, min(len(before), snippets.SNIPPET_WORDS - 1) + 1):
        word_start = before[-count][0]
        if count == len(before):
            if at_start:
                lead = count  # the text's first word starts a sentence
                break
            continue
        if _SENTENCE_END.search(folded, before[-count - 1][1], word_start):
            lead = count
            break
    if lead is None:
        lead = min(len(before), room // 2)
        if at_end and room - lead > len(after):  # the text ends: show more before
            lead = min(len(before), room - len(after))
    trail = min(len(after), max(0, room - lead))
    from_start = at_start and lead == len(before)
    window_start = 0 if from_start else (before[-lead][0] if lead else start)
    to_end = at_end and trail == len(after)
    window_end = len(folded) if to_end else (after[trail - 1][1] if trail else end)

    def back(offset: int) -> int:
        return plain_text.back_offset(offset, folded_starts, original_starts)

    pieces = [] if from_start else [snippet_line.ELLIPSIS]
    cursor = window_start
    for match in snippets._matches(pattern, folded, window_start, window_end):
        pieces += [text[back(cursor) : back(match.start())], snippet_line.MARK_START]
        pieces += [text[back(match.start()) : back(match.end())], snippet_line.MARK_END]
        cursor = match.end()
    pieces.append(text[back(cursor) : back(window_end)])
    if not to_end:
        pieces.append(snippet_line.ELLIPSIS)
    return snippet_line.make_snippet("".join(pieces))


_HOSTILE = ["\x1b[31m", "\r\n", "\r", "\t", "\x00", "\u202e", "e\u0301", "\u2028", "\x9b1m"]
"""What sanitising changes (the snippet's window is sanitised unless it is clean)."""

_LONG = st.lists(
    st.sampled_from(
        [*_PIECES, *_HOSTILE, ". ", ": ", ".\n", '." ', "Minister.", "x"] + ["word"] * 8
    ),
    min_size=20,
    max_size=160,
).map(lambda pieces: " ".join(pieces))


@settings(max_examples=400, deadline=None)
@given(text=_LONG, chosen=st.lists(st.sampled_from(_PHRASES), min_size=1, max_size=3))
@example(text="One. Two three: four minister five", chosen=[["minister"]])
@example(text=" ".join(["w"] * 30 + ["minister"] + ["w"] * 30), chosen=[["minister"]])
@example(text=" ".join(["w"] * 30 + ["minister"] + ["w"] * 12), chosen=[["minister"]])
def test_the_window_is_laid_out_as_before(text: str, chosen: list[list[str]]) -> None:
    pattern = snippet_pattern(chosen)
    assert pattern is not None
    assert find_snippet(text, pattern) == _old_find_snippet(text, pattern)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("foo bar\n\n", "foo bar"),
        ("\n\nfoo", "foo"),
        ("  \n\n  x  \n \n ", "x"),
        ("a\n\n\ue000b\ue001\n\n", "a · b"),
    ],
)
def test_a_paragraph_break_at_either_end_leaves_no_mark(raw: str, text: str) -> None:
    assert make_snippet(raw).text == text


def _split_marks(raw: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The marks taken out of *raw* by a split on them (what make_snippet did before)."""
    pieces: list[str] = []
    marks: list[tuple[int, int]] = []
    length, start = 0, None
    for piece in re.split(f"([{snippet_line.MARK_START}{snippet_line.MARK_END}])", raw):
        if piece == snippet_line.MARK_START:
            start = length
        elif piece == snippet_line.MARK_END:
            if start is not None and length > start:
                marks.append((start, length))
            start = None
        else:
            pieces.append(piece)
            length += len(piece)
    return "".join(pieces), tuple(marks)


_SPLIT_PIECES = [
    "word",
    "x",
    " ",
    snippet_line.MARK_START,
    snippet_line.MARK_END,
    "é",
    "…",
    "\u00a0",
]
_SPLIT_PIECES += ["\t", "\u3000", "\u2028", "\u200b"]  # spaces str.split() splits at, or not


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(_SPLIT_PIECES),
        max_size=40,
    )
)
def test_marks_are_taken_out_as_a_split_takes_them(pieces: list[str]) -> None:
    raw = "".join(pieces)
    assert make_snippet(raw, sanitized=True) == Snippet(*_split_marks(" ".join(raw.split())))


@pytest.mark.parametrize(
    ("text", "chosen", "marked"),
    [
        ("ıstanbul, Istanbul and İstanbul", [["istanbul"]], ["Istanbul", "İstanbul"]),
        ("ISTANBUL and ıstanbul", [["ıstanbul"]], ["ıstanbul"]),
        ("the mınister and the Minister", [["minister"]], ["Minister"]),
        ("Kırıkkale, KIRIKKALE", [["kirikkale"]], ["KIRIKKALE"]),
        # ß is ss to casefold (and to the index), not to a regex.
        ("Straße, STRASSE, Strasze and Strasse", [["strasse"]], ["Straße", "STRASSE", "Strasse"]),
        ("GROẞ, groß, gross, grosß", [["gross"]], ["GROẞ", "groß", "gross"]),
        ("Boßs, bosss, bossß", [["bosss"]], ["Boßs", "bosss"]),
    ],
)
def test_a_word_in_any_case_marks_only_what_the_index_matches(
    text: str, chosen: list[list[str]], marked: list[str]
) -> None:
    """A regex in any case takes the dotless ı and i for one letter, and not ß for ss; the
    index and the reference (str.casefold) do the opposite: a word marked is a word matched."""
    from reader.search.text_match import words

    pattern = snippet_pattern(chosen)
    assert pattern is not None
    found = find_snippet(text, pattern)
    assert found is not None
    shown = [found.text[s:e] for s, e in found.marks]
    assert shown == marked
    assert all(words(mark, casefold=True) == chosen[0] for mark in shown)


@pytest.mark.parametrize(
    "text",
    [
        "the \ue000minister\ue001 said \ue000so\ue001",  # plain text
        "Zoë: \ue000ﬁne\ue001 and \ue000so\ue001, the minister said",  # folded (ﬁ is fi)
        "\ue001\ue000 minister \ue000",
    ],
)
def test_mark_characters_in_the_text_mark_nothing(text: str) -> None:
    pattern = snippet_pattern([["minister"]])
    assert pattern is not None
    found = find_snippet(text, pattern)
    assert found is not None
    assert [found.text[s:e] for s, e in found.marks] == ["minister"]
    assert snippet_line.MARK_START not in found.text and snippet_line.MARK_END not in found.text


@pytest.mark.parametrize(
    "text",
    [
        "x" * 300 + " the minister spoke at length",  # one long word first
        "═" * 300 + "\n\nThe minister spoke at length",  # a long rule first
        "Title\n\n" + " ".join(["y" * 40] * 8) + " the minister spoke at length",
        "😀" * 250 + "minister😀",
    ],
)
def test_the_words_found_are_shown_whatever_comes_before_them(text: str) -> None:
    """A window whose words found come after the longest snippet's end starts at them."""
    for plain in (None, False):
        found = find_snippet(text, snippet_pattern([["minister"]]), plain)  # type: ignore[arg-type]
        assert found is not None and len(found.text) <= snippet_line.SNIPPET_LIMIT
        assert [found.text[s:e] for s, e in found.marks] == ["minister"], found
        assert found.text.startswith("…minister")


@pytest.mark.parametrize(
    ("text", "term", "marked"),
    [
        # A mark dropped and a ligature's two letters in one run of non-ASCII characters:
        # the run folds to as many characters, but not one for one.
        ("Le mot \u0643\u064e\u062a\u064e\u0628 \u0643\u064e\u00df\U0001f600\ufb06 ok.",
         ["\u0643\u00df"], "\u0643\u064e\u00df"),
        ("\u0643\u064e\u00df\U0001f600\ufb06 ok", ["\u0643\u00df"], "\u0643\u064e\u00df"),
        # Arabic with a vowel mark, a quote, then the lam-alef ligature.
        ("Un \u0643\u064e\u062a\u0628\u00ab\ufefb fin", ["\u0643\u062a\u0628"],
         "\u0643\u064e\u062a\u0628"),
    ],
)  # fmt: skip
def test_a_run_folding_to_as_many_characters_is_mapped_back_one_by_one(
    text: str, term: list[str], marked: str
) -> None:
    snippet = find_snippet(text, snippet_pattern([term], [False]))
    assert snippet is not None
    assert [snippet.text[start:end] for start, end in snippet.marks] == [marked]


def test_a_character_folding_to_nothing_is_no_plain_texts() -> None:
    """A text is plain only when folding cannot change its words: a character folding to
    nothing joins the words either side (a combining mark; the Tibetan vowel signs of
    combining class 0 that decompose to marks), so the snippet of ``a`` U+0F73 ``b``,
    which the index finds as ``ab``, marks it. Checked for every character that
    decomposes or is a mark."""
    import sys
    import unicodedata

    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        odd = unicodedata.decomposition(char) or unicodedata.category(char).startswith("M")
        if odd and plain_text._harmless(char):  # what is_plain learns, a character at a time
            assert text_match.words(f"a{char}b") == ["a", "b"], hex(code)
    assert not plain_text.is_plain("a\u0f73b")
    snippet = find_snippet("The word a\u0f73b is here.", snippet_pattern([["ab"]]))
    assert snippet is not None
    assert [text_match.fold(snippet.text[start:end]) for start, end in snippet.marks] == ["ab"]


def _the_general_way(text: str, pattern: re.Pattern[str]) -> object:
    """The snippet found with the plain texts' own way (snippets._plain_snippet) turned
    off: the matches by their generator, the pieces joined and the marks split out."""
    kept = snippets._plain_snippet
    snippets._plain_snippet = lambda *args: snippets._ELSEWHERE  # type: ignore[assignment]
    try:
        return find_snippet(text, pattern, True)
    finally:
        snippets._plain_snippet = kept  # type: ignore[assignment]


# Plain texts (harmless non-ASCII only): line breaks, runs of spaces and tabs, the marks'
# own characters, control characters (sanitised), long words (a window past the limit).
_PLAIN_PIECES = [
    "minister", "Minister", "administer", "the", "a", "said", "Geneva", "World", "Bank",
    "world-bank", "key", "x", "—", "“", "”", "’", "…", ".", ":", ",", "_", "2", "\n", "\n\n",
    " ", "  ", "\t", "\u00a0", "\ue000", "\ue001", "\x1b[31m", "\r\n", ". ", "w" * 120,
]  # fmt: skip


_ONE_LINE_PIECES = [
    *["minister", "Minister", "the", "said", "World", "Bank", "word", "word", "word"],
    *["—", "“", "’", ".", ":", ",", "2", "  ", "   ", "\t", "\u00a0", "w" * 120],
]  # fmt: skip
"""Clean pieces on one line, and some that make a line not so (runs of spaces, a tab, a
no-break space), so that both ways of a plain text's snippet are taken."""


_PLAIN_WORDS = ["minister", "Minister", "the", "said", "word", "World", "Bank", "2"]


@settings(max_examples=600, deadline=None)
@given(
    text=st.one_of(
        st.lists(st.sampled_from(_PLAIN_PIECES + _PLAIN_WORDS * 3), min_size=3, max_size=80),
        st.lists(st.sampled_from(_ONE_LINE_PIECES + _PLAIN_WORDS), min_size=3, max_size=40),
    ).map(lambda pieces: "".join(p if i % 2 else f" {p}" for i, p in enumerate(pieces))),
    chosen=st.lists(
        st.sampled_from(
            [
                *[["minister"], ["the"], ["said"], ["word"], ["world", "bank"], ["2"]],
                *[["a"], ["the", "minister"], ["x"], ["w" * 120], ["zoe"]],
            ]
        ),
        min_size=1,
        max_size=3,
    ),
)
@example(text="The minister said", chosen=[["minister"]])
@example(text=" ".join(["w" * 120] * 3 + ["minister"]), chosen=[["minister"]])
@example(text="a  minister said", chosen=[["minister"]])  # collapsed: the marks move
@example(text="x" * 115 + " minister " + "y" * 116, chosen=[["minister"]])  # 241: cut
def test_plain_texts_way_finds_what_the_general_way_finds(
    text: str, chosen: list[list[str]]
) -> None:
    """A plain text's snippet (the path of most `reader search` hits: marks counted from
    the matches when the window is clean and on one line) is the general way's, byte for
    byte, marks included."""
    if not plain_text.is_plain(text):
        return
    pattern = snippet_pattern(chosen)
    assert pattern is not None
    assert find_snippet(text, pattern, True) == _the_general_way(text, pattern)


@settings(max_examples=1000, deadline=None)
@given(
    st.text(
        st.sampled_from(
            ["\n", " ", "\t", "\r", "a", "\u00a0", "\u2028", "\x0b", "\x1c", "\x85", "\ue000"]
        ),
        max_size=30,
    )
)
@example("a \n \t\n b\n\nc")
@example("\n\u2028\n")
def test_paragraph_breaks_are_found_as_the_pattern_finds_them(line: str) -> None:
    """The blank lines (a run of white space with a line break, white space but line breaks
    and a line break in it) found by their core and widened to their run: what the
    pattern's substitution gives, for any white space ``\\s`` knows."""
    from reader.search import snippet_line

    expected = snippets_before._PARAGRAPH_BREAK.sub(snippet_line.PARAGRAPH_MARK, line)
    assert snippet_line._paragraphs(line) == expected


@settings(max_examples=1000, deadline=None)
@given(
    text=st.text(
        st.sampled_from([".", ":", "\n", " ", "\t", "\r", "a", "b", "_", "\u00a0", "é", "2", "—"]),
        min_size=1,
        max_size=30,
    ),
    data=st.data(),
)
@example(text="a. b: c\n\nd. e", data=None)
def test_the_last_sentence_start_is_the_scans_last(text: str, data: st.DataObject | None) -> None:
    """The sentence start nearest before the words found, found from the end, run by run:
    the end of the last match of a scan from the farthest word (a word's start)."""
    starts = [i for i, char in enumerate(text) if char.isalnum() and not text[i - 1 : i].isalnum()]
    if not starts:
        return
    farthest = starts[0] if data is None else data.draw(st.sampled_from(starts))
    start = len(text) if data is None else data.draw(st.integers(farthest, len(text)))
    last = None
    for found in snippet_window.SENTENCE_START.finditer(text, farthest, start):
        last = found.end()
    assert snippet_window.last_sentence_start(text, farthest, start) == last
