"""Wrapping keeps every code point, in order, on exactly one screen line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from reader.ui.wrapping import Line, line_of, offset_at, wrap


def rebuild(text: str, lines: list[Line]) -> str:
    out = []
    previous_end = None
    for line in lines:
        if previous_end is not None:
            out.append(text[previous_end : line.start])  # the newline, or nothing
        out.append(text[line.start : line.end])
        previous_end = line.end
    return "".join(out)


def test_wraps_at_word_boundaries() -> None:
    text = "The quick brown fox jumps over the lazy dog"
    lines = wrap(text, 16)
    rendered = [text[line.start : line.end] for line in lines]
    assert rendered == ["The quick brown ", "fox jumps over ", "the lazy dog"]


def test_long_words_are_broken_and_blank_lines_kept() -> None:
    text = "abcdefghij\n\nxy"
    lines = wrap(text, 4)
    assert [text[line.start : line.end] for line in lines] == ["abcd", "efgh", "ij", "", "xy"]


def test_wide_characters_count_two_cells() -> None:
    text = "日本語のテキスト"
    lines = wrap(text, 6)
    assert all(cell_len(text[line.start : line.end]) <= 6 for line in lines)
    assert rebuild(text, lines) == text


@given(
    st.lists(st.sampled_from(["a", "b", " ", "c", "\n", "\t", "日", "é", "-", "│ "])).map("".join),
    st.integers(1, 30),
)
def test_every_code_point_is_on_one_line(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert rebuild(text, lines) == text
    starts = [line.start for line in lines]
    assert starts == sorted(starts)
    for index, line in enumerate(lines):
        visible = line.prefix + text[line.start : line.end].rstrip()
        assert cell_len(visible.replace("\t", " ")) <= max(width, 2)
        for offset in range(line.start, line.end):
            assert line_of(starts, offset) == index


def test_offset_at_maps_cells_back_to_code_points() -> None:
    text = "ab日c"
    line = wrap(text, 80)[0]
    assert [offset_at(text, line, x) for x in range(6)] == [0, 1, 2, 2, 3, 4]


def test_a_wrapped_quote_has_its_bars_drawn_on_each_continuation_line() -> None:
    """The bars are drawn (Line.prefix), not taken from the text: every code point is
    still on one line, at the same offset; the text lines are shorter by the bars."""
    quote = "│ │ The minister said the talks would go on until an agreement was found"
    text = f"Before.\n{quote}\nAfter the quote, a plain paragraph that wraps as before."
    lines = wrap(text, 30)
    assert rebuild(text, lines) == text
    drawn = [line.prefix + text[line.start : line.end] for line in lines]
    assert drawn == [
        "Before.",
        "│ │ The minister said the ",
        "│ │ talks would go on until an ",
        "│ │ agreement was found",
        "After the quote, a plain ",
        "paragraph that wraps as ",
        "before.",
    ]
    assert [line.prefix for line in lines] == ["", "", "│ │ ", "│ │ ", "", "", ""]
    assert all(cell_len(d.rstrip()) <= 30 for d in drawn)
    second = lines[2]  # "talks": its "t" is drawn at cell 4, after the bars
    assert [offset_at(text, second, x) for x in (0, 3, 4, 5)] == [
        second.start,
        second.start,
        second.start,
        second.start + 1,
    ]


def test_no_bars_drawn_where_they_leave_no_room() -> None:
    text = "│ │ │ a quote in a very narrow column of text"
    lines = wrap(text, 12)
    assert rebuild(text, lines) == text
    assert all(line.prefix == "" for line in lines)
