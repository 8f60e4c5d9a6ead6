"""Find in the article (reader.search.find): smart case, accents, ligatures, line breaks."""

from __future__ import annotations

import re

from conftest import MARKUP
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.search.find import FoldedText, find_all, fold, is_case_sensitive
from reader.search.text_match import fold_character


def found(text: str, query: str) -> list[str]:
    """What each match covers in *text*."""
    return [text[start:end] for start, end in find_all(text, query)]


def test_smart_case() -> None:
    text = "Lavrov met LAVROV and lavrov."
    assert found(text, "lavrov") == ["Lavrov", "LAVROV", "lavrov"]
    assert found(text, "Lavrov") == ["Lavrov"]
    assert found(text, "LAVROV") == ["LAVROV"]
    assert is_case_sensitive("Lavrov") and not is_case_sensitive("lavrov 12")


def test_accents_are_folded_both_ways() -> None:
    text = "Zoë, ZOË, Zoe and zoë."
    assert found(text, "Zoe") == ["Zoë", "Zoe"]  # a capital: case-sensitive, accents folded
    assert found(text, "zoe") == ["Zoë", "ZOË", "Zoe", "zoë"]
    assert found(text, "ZOË") == ["ZOË"]
    assert found("Ærø and São Paulo", "sao paulo") == ["São Paulo"]


def test_decomposed_accents_are_covered_whole() -> None:
    text = "Zoe\u0308 and Zoe"  # e + combining diaeresis: not composed
    assert find_all(text, "zoe") == [(0, 4), (9, 12)]  # the mark goes with its letter
    assert find_all(text, "and") == [(5, 8)]  # offsets after the mark are the text's


def test_ligatures_map_back_to_the_text() -> None:
    text = "The ﬁnal ofﬁce ﬁles"
    assert found(text, "final") == ["ﬁnal"]
    assert found(text, "office") == ["ofﬁce"]
    assert found(text, "files") == ["ﬁles"]
    assert find_all(text, "office") == [(9, 14)]
    assert find_all(text, "files") == [(15, 19)]
    # Half of a ligature cannot be highlighted: not a match.
    assert found(text, "inal") == []
    assert found(text, "off") == []
    assert found(text, "ffice") == ["fﬁce"]


def test_case_folding_that_changes_length() -> None:
    assert found("Die Straße, die STRASSE", "strasse") == ["Straße", "STRASSE"]
    assert found("Straße und mehr", "und") == ["und"]
    assert find_all("Straße und mehr", "mehr") == [(11, 15)]


def test_a_phrase_across_a_line_break() -> None:
    text = "said Sergey\nLavrov, and Sergey   Lavrov\n\nagain; Sergey\n\nLavrov"
    assert found(text, "sergey lavrov") == ["Sergey\nLavrov", "Sergey   Lavrov", "Sergey\n\nLavrov"]
    assert found(text, "  sergey \t lavrov  ") == found(text, "sergey lavrov")
    assert found(text, "sergeylavrov") == []


def test_matches_do_not_overlap_and_may_touch() -> None:
    assert find_all("aaaa", "aa") == [(0, 2), (2, 4)]
    assert find_all("aaaaa", "aa") == [(0, 2), (2, 4)]
    assert find_all("abab", "ab") == [(0, 2), (2, 4)]


def test_empty_and_blank_queries_find_nothing() -> None:
    assert find_all("some text", "") == []
    assert find_all("some text", "   \n\t") == []
    assert find_all("", "text") == []


def test_hostile_queries_are_plain_text() -> None:
    text = f"Body with {MARKUP} inside. a.b (x) [y] $z \\d"
    assert found(text, "[bold red]") == ["[bold red]"]
    assert found(text, "[/link]") == ["[/link]"]
    assert found(text, "a.b") == ["a.b"]  # no regex: . is a dot
    assert found(text, "(x) [y]") == ["(x) [y]"]
    assert found(text, "\\d") == ["\\d"]
    assert found(text, ".*") == []
    assert find_all(text, "\x1b[31m") == []
    assert find_all(text, "\x00\x07\u202e") == []


def test_folded_text_is_reused_across_queries() -> None:
    folded = FoldedText("Zoë ﬁle Straße").prepare()
    assert folded.find_all("zoe") == [(0, 3)]
    assert folded.find_all("file") == [(4, 7)]
    assert folded.find_all("STRASSE") == []
    assert folded.find_all("strasse") == [(8, 14)]


@given(st.text(alphabet="Zoëe\u0301ﬁİßǅ²Æ a\n", max_size=30), st.booleans())
def test_folding_one_character_at_a_time_is_folding_the_whole(text: str, casefold: bool) -> None:
    # The offset map folds character by character; the query is folded whole.
    by_character = "".join(fold_character(char, casefold) for char in text)
    assert by_character == fold(text, casefold=casefold)


@given(st.text(alphabet="Zoëe\u0301ﬁİßǅ²Æ aAΣς\n", min_size=64, max_size=200), st.booleans())
def test_a_long_text_is_folded_as_a_short_one(text: str, casefold: bool) -> None:
    """From 64 characters fold() folds the distinct characters (text_match._BY_CHARACTER):
    the same result as folding the text whole."""
    from reader.search.text_match import _fold_whole

    assert fold(text, casefold=casefold) == _fold_whole(text, casefold)


def test_case_folding_after_lower_is_case_folding() -> None:
    """fold(casefold=True) puts the text in lower case first (in C): for every character
    lower() changes, case folding its lower case gives what case folding it gives."""
    import sys

    from reader.search.text_match import _fold_whole

    changed = (chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000)
    for char in changed:
        if char.lower() != char:
            assert _fold_whole(char.lower(), True) == _fold_whole(char, True), hex(ord(char))


# Text made of what folds in interesting ways: accents composed and not, ligatures, ß,
# dropped marks, case, whitespace runs and line breaks.
ALPHABET = [*"aAbBeEsSfi ", "\n", "  ", "ë", "Ë", "é", "\u0301", "ﬁ", "ß", "ẞ", "İ", "²"]
texts = st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join)


def _normal(text: str, casefold: bool) -> str:
    return " ".join(fold(text, casefold=casefold).split())


@settings(max_examples=400, deadline=None)
@given(text=texts, query=texts)
def test_every_match_folds_to_the_query(text: str, query: str) -> None:
    matches = find_all(text, query)
    casefold = not is_case_sensitive(query)
    wanted = _normal(query, casefold)
    previous_end = 0
    for start, end in matches:
        assert previous_end <= start < end <= len(text)
        assert _normal(text[start:end], casefold) == wanted, (text[start:end], query)
        previous_end = end
    if not wanted:
        assert matches == []


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="abAB \n", max_size=60),
    query=st.text(alphabet="abAB \n", min_size=1, max_size=4),
)
def test_plain_text_finds_what_a_regex_finds(text: str, query: str) -> None:
    words = query.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    flags = 0 if is_case_sensitive(query) else re.IGNORECASE
    expected = [m.span() for m in re.finditer(pattern, text, flags)] if words else []
    assert find_all(text, query) == expected


# Pieces for has_mark and the smart-case check's shortcut past fold(): ASCII, combining
# marks of several scripts alone and after letters (in NFKD form and not), precomposed
# letters, compatibility forms, dashes and quotes, CJK, emoji, and the Tibetan vowel signs
# of combining class 0 that decompose to marks.
_MARK_PIECES = [
    *"aZ -.\n", "é", "e\u0301", "\u0301", "\u0327", "Å", "ﬁ", "²", "—", "’", "…", "\u00a0",
    "\u0643\u064e", "\u064e", "\u05e9\u05b8", "\u05c1", "\u0939\u093f", "\u094d", "中", "😀",
    "👍🏽", "\u200d", "\u0f73", "\u0f71", "ǅ", "ᾳ", "\u0345", "\u3099", "ｶﾞ",
]  # fmt: skip
_mark_texts = st.one_of(
    st.lists(st.sampled_from(_MARK_PIECES), max_size=40).map("".join),
    st.text(max_size=40),
)


@settings(max_examples=500)
@given(_mark_texts, st.booleans())
def test_has_mark_is_whether_a_character_has_a_combining_class(text: str, nfkd: bool) -> None:
    """has_mark looks at the non-ASCII runs only (for speed): the same answer as looking
    at every character, as fold() sees them."""
    import unicodedata

    from reader.search.text_match import has_mark

    if nfkd:
        text = unicodedata.normalize("NFKD", text)
    assert has_mark(text) == any(unicodedata.combining(char) for char in text)


@settings(max_examples=500)
@given(_mark_texts, st.booleans())
def test_the_smart_case_checks_shortcut_is_folding(text: str, nfkd: bool) -> None:
    """The smart-case check skips fold() for a text in NFKD form without a mark: what it
    compares is fold()'s result, for any text (NFKD ones above all, which take it)."""
    import unicodedata

    from reader.search.explain import _folded

    if nfkd:
        text = unicodedata.normalize("NFKD", text)
    assert _folded(text) == fold(text)
