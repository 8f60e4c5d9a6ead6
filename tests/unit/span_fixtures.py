"""Shared by the entity rules' tests (test_consistency.py, test_repairs.py,
test_datelines.py, test_corrections.py): a span over a surface, generated articles with
random spans on word boundaries, and what a rule's output must be whatever the article."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from hypothesis import strategies as st

from reader.entities.span import Source, Span

MOSTLY_THE_MODELS: list[Source] = ["model", "model", "user"]


def at(text: str, surface: str, label: str, nth: int = 0, source: Source = "model") -> Span:
    """The span over the *nth* occurrence of *surface* in *text*."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(start, start + len(surface), label, surface, source)


def span_articles(
    words: Sequence[str],
    separators: Sequence[str],
    labels: Sequence[str],
    *,
    longest: int,
    sources: Sequence[Source] = MOSTLY_THE_MODELS,
    word: str = r"\S+",
) -> st.SearchStrategy[tuple[str, list[Span]]]:
    """Texts of *words*, each followed by one of *separators*, with disjoint spans of 1 to
    *longest* of its words (a *word* is what that pattern finds), labelled from *labels*,
    said by one of *sources*."""

    @st.composite
    def articles(draw: st.DrawFn) -> tuple[str, list[Span]]:
        parts = draw(st.lists(st.tuples(st.sampled_from(words), st.sampled_from(separators))))
        text = "".join(word + sep for word, sep in parts)
        places = [(m.start(), m.end()) for m in re.finditer(word, text)]
        spans = []
        i = 0
        while i < len(places):
            length = draw(st.integers(0, longest))
            if length and i + length <= len(places):
                start, end = places[i][0], places[i + length - 1][1]
                label = draw(st.sampled_from(labels))
                source = draw(st.sampled_from(sources))
                spans.append(Span(start, end, label, text[start:end], source))
            i += max(length, 1)
        return text, spans

    return articles()


def assert_apart_and_true(text: str, spans: list[Span], out: list[Span]) -> None:
    """*out*, what a rule made of *spans* in *text*: sorted, disjoint, each span's text the
    text's at its place, the user's spans kept as they were."""
    assert out == sorted(out)
    for before, after in pairwise(out):
        assert before.end <= after.start
    for s in out:
        assert 0 <= s.start < s.end <= len(text) and s.text == text[s.start : s.end]
    assert [s for s in out if s.source == "user"] == [s for s in spans if s.source == "user"]
