"""Selection motions land on word, sentence and paragraph ends."""

from __future__ import annotations

from reader.ui.motions import (
    next_paragraph_end,
    next_sentence_end,
    next_word_end,
    previous_paragraph_end,
    previous_sentence_end,
    previous_word_end,
    word_at,
)

TEXT = (
    "Lavrov arrived on Tuesday. He met Qureshi’s team! Talks went on.\n\n"
    "A second paragraph, with U.S. officials. It ends here.\n"
)


def test_word_at_and_word_motions() -> None:
    start, end = word_at(TEXT, 2)
    assert TEXT[start:end] == "Lavrov"
    assert TEXT[: next_word_end(TEXT, end)].endswith("Lavrov arrived")
    q = TEXT.index("Qureshi")
    assert TEXT[q : next_word_end(TEXT, q)] == "Qureshi’s"
    assert previous_word_end(TEXT, next_word_end(TEXT, end), start) == end
    assert previous_word_end(TEXT, end, start) == start  # never before the floor


def test_sentence_motions() -> None:
    first = next_sentence_end(TEXT, 0)
    assert TEXT[:first] == "Lavrov arrived on Tuesday."
    second = next_sentence_end(TEXT, first)
    assert TEXT[:second].endswith("Qureshi’s team!")
    third = next_sentence_end(TEXT, second)
    assert TEXT[:third].endswith("Talks went on.")
    assert previous_sentence_end(TEXT, third, 0) == second
    assert previous_sentence_end(TEXT, first, 0) == 0
    start = TEXT.index("A second")
    assert TEXT[start : next_sentence_end(TEXT, start)].endswith("U.S. officials.")


def test_paragraph_motions() -> None:
    end = next_paragraph_end(TEXT, 0)
    assert TEXT[:end].endswith("Talks went on.")
    last = next_paragraph_end(TEXT, end)
    assert TEXT[:last].endswith("It ends here.")
    assert previous_paragraph_end(TEXT, last, 0) == end
