"""Snippets (reader/search/snippets.py): the fast way to the first word found (``bytes.find``
in plain text) gives exactly what the pattern's own scan gives, for generated texts."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reader.search import snippets
from reader.search.snippets import find_snippet, make_snippet, snippet_pattern

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
