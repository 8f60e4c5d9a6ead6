"""Selection motions land on word, sentence and paragraph ends."""

from __future__ import annotations

from reader.ui.motions import (
    chunk_end,
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


def test_word_at_a_sign_or_currency_starts_there() -> None:
    """A cursor on a sign or a currency before a word (an entity "+1.2%" or "+$4 billion"
    marked: its start) starts the word there, not after it; elsewhere the next word."""
    text = "The index rose +1.2% to +$4 billion (a record)."
    at = text.index("+1.2")
    assert text[slice(*word_at(text, at))] == "+1.2"
    assert text[slice(*word_at(text, text.index("+$4")))] == "+$4"
    assert text[slice(*word_at(text, text.index("$4")))] == "$4"
    assert text[slice(*word_at(text, at - 1))] == "1.2"  # a space: the next word
    assert text[slice(*word_at(text, text.index("(a")))] == "(a"
    assert text[slice(*word_at(text, len(text) - 1))] == ""  # the last "." has no word
    assert text[at : chunk_end(text, at, at + 5)] == "+1.2%"
    assert text[at : chunk_end(text, at, len(text))] == "+1.2%"
    assert text[at : chunk_end(text, at, at + 2)] == "+1"  # never past the limit


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


def test_start_motions_land_on_word_sentence_and_paragraph_starts() -> None:
    from reader.ui.motions import (
        next_paragraph_start,
        next_sentence_start,
        next_word_start,
        previous_paragraph_start,
        previous_sentence_start,
        previous_word_start,
    )

    text = "Talks in Geneva\n\nThe Foreign Office said little. Talks resume.\n"
    office = text.index("Office")
    assert previous_word_start(text, office) == text.index("Foreign")
    assert previous_word_start(text, office + 2) == office
    assert previous_word_start(text, 0) == 0
    assert next_word_start(text, office) == text.index("said")
    assert previous_sentence_start(text, text.index("resume")) == text.index("Talks resume")
    assert previous_sentence_start(text, text.index("Talks resume")) == text.index("The")
    assert next_sentence_start(text, office) == text.index("Talks resume")
    assert previous_paragraph_start(text, office) == text.index("The")
    assert next_paragraph_start(text, 0) == text.index("The")
    assert next_paragraph_start(text, office) == len(text)
