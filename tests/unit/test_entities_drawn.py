"""Drawing characters (a table's bars and rule, a quote's bar, bullets) are never model input
nor entities: the model reads the displayed text with them as line breaks, and a span with
no letter or digit is dropped (reader/entities/engines/base.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.entities.engines.base import entity_spans, undrawn
from reader.entities.engines.spacy_engine import SpacyEngine, for_model
from reader.entities.span import Span
from reader.entities.worker import WorkerRecognizer
from reader.library import Problem, read_article
from reader.library.markdown import render_markdown

TABLE_ARTICLE = Path(__file__).parent.parent / "data" / "markets-table.md"

#: Entities the model gets right in the article (checked by eye), with or without drawing.
RIGHT = {
    ("Siemens", "ORG"),
    ("Frankfurt", "GPE"),
    ("Zürich", "GPE"),
    ("Christine Lagarde", "PERSON"),
    ("Lagarde", "PERSON"),
    ("London", "GPE"),
    ("December", "DATE"),
    ("ECB", "ORG"),
    ("19,250.4", "CARDINAL"),
    ("+1.2%", "PERCENT"),
    ("38,400.7", "CARDINAL"),
    ("3,050.1", "CARDINAL"),
    ("+0.4%", "PERCENT"),
}


def _drawing(char: str) -> bool:
    return 0x2500 <= ord(char) <= 0x257F or char in "•◦▪"


def _table_text() -> str:
    article = read_article(TABLE_ARTICLE)
    assert not isinstance(article, Problem)
    assert "┼" in article.text and "│" in article.text  # the table is drawn
    return article.text


def _check(spans: list[Span], text: str) -> None:
    found = {(span.text, span.label) for span in spans}
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert not any(_drawing(char) for char in span.text), span
        assert any(char.isalnum() for char in span.text), span
    assert found >= RIGHT, RIGHT - found
    # A flattened cell was a place (−2.1% a GPE): no longer.
    assert not any(label == "GPE" and "%" in span_text for span_text, label in found)


def test_the_in_process_engine_finds_no_entity_in_the_drawing(recognizer: SpacyEngine) -> None:
    text = _table_text()
    spans = recognizer.extract(text)
    _check(spans, text)
    # The precompute's bulk path (reader index) finds the same spans.
    assert next(recognizer.extract_many([text])) == spans


def test_the_worker_process_finds_the_same(recognizer: SpacyEngine) -> None:
    text = _table_text()
    worker = WorkerRecognizer()
    spans = worker.extract(text)
    _check(spans, text)
    assert spans == recognizer.extract(text)


def test_every_character_markdown_draws_is_read_as_a_break() -> None:
    source = (
        "# Title\n\n| A | B |\n| --- | --- |\n| x | y |\n\n> quoted\n> > deeper\n\n"
        "- one\n  - two\n    - three\n      - four\n\n---\n\n1. first\n"
    )
    text = render_markdown(source).text
    drawn = {char for char in text if not char.isascii()}
    assert drawn >= {"│", "┼", "─", "•", "◦", "▪"}
    assert undrawn(text).isascii()
    assert len(undrawn(text)) == len(text)
    assert for_model("“Quoted” │ ┼ ’s") == '"Quoted" \n \n \'s'


@pytest.mark.parametrize("surface", ["┼", "│", "—", "%", "…"])
def test_a_span_without_a_letter_or_digit_is_dropped(surface: str) -> None:
    text = f"Paris {surface} 3%"
    at = text.index(surface)
    entities = [
        (0, 5, "GPE"),
        (at, at + len(surface), "PERSON"),
        (len(text) - 2, len(text), "PERCENT"),
    ]
    spans = entity_spans(entities, 0, text)
    assert [(s.text, s.label) for s in spans] == [("Paris", "GPE"), ("3%", "PERCENT")]
