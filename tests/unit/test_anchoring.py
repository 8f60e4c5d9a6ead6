"""Tests for reader.anchoring: selectors, and re-anchoring passages after an article changes."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.anchoring import (
    Anchoring,
    describe,
    from_w3c_selectors,
    reanchor,
    to_w3c_selectors,
)

ARTICLE = """\
Harbour council approves flood barrier after decade of delays

The Kestrel Bay harbour council voted seven to two on Tuesday night to build a movable \
flood barrier across the mouth of the estuary, ending a dispute that has divided the town \
since the storm surge of 2014 flooded more than four hundred homes.

The barrier, a row of steel gates that lie on the seabed until a surge is forecast, will \
cost an estimated 212 million pounds. Two thirds of the money is expected to come from the \
national flood defence fund, with the rest raised through a levy on harbour businesses \
over twenty years.

"We have talked about this for ten years while the water kept coming," said council \
leader Miriam Okafor, who proposed the scheme. "Tonight we stopped talking." Opponents \
argued that the levy would drive small fishing firms out of the harbour and that the gates \
would trap silt behind them.

Engineers from the Port Authority told the meeting that the gates could be raised in \
under forty minutes and would protect the old town against a one-in-two-hundred-year \
surge. Construction is due to begin next spring and to finish by the winter of 2029.

The fishermen's association said it would ask for a judicial review of the decision. Its \
chair, Tomas Reilly, said the council had ignored the association's own survey, which \
found that most of its members could not afford the levy.
"""

PASSAGE = "protect the old town against a one-in-two-hundred-year surge"


def target_for(text: str, passage: str, occurrence: int = 0) -> dict:
    """Return the target for the *occurrence*-th (from 0) copy of *passage* in *text*."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(passage, start + 1)
    return describe(text, start, start + len(passage))


def span_of(anchoring: Anchoring, text: str) -> str:
    """Return the text an anchoring covers."""
    assert anchoring.start is not None and anchoring.end is not None
    return text[anchoring.start : anchoring.end]


# describe and the W3C selectors


def test_describe_stores_position_quote_and_32_characters_of_context() -> None:
    start = ARTICLE.index(PASSAGE)
    target = describe(ARTICLE, start, start + len(PASSAGE))
    assert target == {
        "position": {"start": start, "end": start + len(PASSAGE)},
        "quote": {
            "exact": PASSAGE,
            "prefix": ARTICLE[start - 32 : start],
            "suffix": ARTICLE[start + len(PASSAGE) : start + len(PASSAGE) + 32],
        },
    }
    assert len(target["quote"]["prefix"]) == len(target["quote"]["suffix"]) == 32
    json.dumps(target)  # the store keeps it as JSON


def test_describe_cuts_context_short_at_the_ends_of_the_text() -> None:
    target = describe("Flood barrier approved", 0, 5)
    assert target["quote"] == {"exact": "Flood", "prefix": "", "suffix": " barrier approved"}


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 4), (0, 23), (30, 31)])
def test_describe_refuses_a_span_outside_the_text(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="not within a text of length 22"):
        describe("Flood barrier approved", start, end)


def test_w3c_selectors_round_trip() -> None:
    target = target_for(ARTICLE, PASSAGE)
    selectors = to_w3c_selectors(target)
    assert selectors == [
        {
            "type": "TextQuoteSelector",
            "exact": PASSAGE,
            "prefix": target["quote"]["prefix"],
            "suffix": target["quote"]["suffix"],
        },
        {
            "type": "TextPositionSelector",
            "start": target["position"]["start"],
            "end": target["position"]["end"],
        },
    ]
    assert from_w3c_selectors(json.loads(json.dumps(selectors))) == target


def test_from_w3c_selectors_ignores_other_selectors_and_defaults_context() -> None:
    selectors: list[dict[str, Any]] = [
        {"type": "RangeSelector", "startSelector": {}, "endSelector": {}},
        {"type": "TextPositionSelector", "start": 4, "end": 9},
        {"type": "TextQuoteSelector", "exact": "flood"},
    ]
    assert from_w3c_selectors(selectors) == {
        "position": {"start": 4, "end": 9},
        "quote": {"exact": "flood", "prefix": "", "suffix": ""},
    }


QUOTE = {"type": "TextQuoteSelector", "exact": "flood", "prefix": "", "suffix": ""}
POSITION = {"type": "TextPositionSelector", "start": 4, "end": 9}


@pytest.mark.parametrize(
    ("selectors", "message"),
    [
        ({"type": "TextQuoteSelector"}, "must be a list"),
        ([QUOTE, "flood"], "selector 1 is not an object"),
        ([POSITION], "no TextQuoteSelector"),
        ([QUOTE], "no TextPositionSelector"),
        ([QUOTE, QUOTE, POSITION], "more than one TextQuoteSelector"),
        ([{**QUOTE, "exact": None}, POSITION], "quote exact must be a string"),
        ([{**QUOTE, "prefix": 3}, POSITION], "quote prefix must be a string"),
        ([QUOTE, {**POSITION, "start": -1}], "start must be an integer >= 0"),
        ([QUOTE, {**POSITION, "end": "9"}], "end must be an integer >= 0"),
        ([QUOTE, {**POSITION, "start": True}], "start must be an integer >= 0"),
        ([QUOTE, {**POSITION, "start": 10}], "start 10 is after end 9"),
    ],
)
def test_from_w3c_selectors_says_what_is_wrong(selectors: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_w3c_selectors(selectors)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "target",
    [None, {}, {"position": {"start": 0, "end": 1}}, {"quote": {}, "position": []}],
)
def test_reanchor_refuses_a_malformed_target(target: object) -> None:
    with pytest.raises(ValueError):
        reanchor(target, ARTICLE)  # type: ignore[arg-type]


# Re-anchoring after realistic edits


def test_unchanged_text_is_anchored() -> None:
    target = target_for(ARTICLE, PASSAGE)
    start = target["position"]["start"]
    assert reanchor(target, ARTICLE) == Anchoring("anchored", start, start + len(PASSAGE))


def test_paragraph_inserted_before_the_passage_moves_it() -> None:
    target = target_for(ARTICLE, PASSAGE)
    paragraph = (
        "The vote came after a six-hour meeting in the town hall, which was so full that "
        "residents watched on a screen in the car park outside.\n\n"
    )
    edited = ARTICLE.replace("The barrier, a row", paragraph + "The barrier, a row")
    result = reanchor(target, edited)
    assert result.state == "moved"
    assert result.start == target["position"]["start"] + len(paragraph)
    assert span_of(result, edited) == PASSAGE


def test_sentence_deleted_before_the_passage_moves_it() -> None:
    target = target_for(ARTICLE, PASSAGE)
    sentence = '"Tonight we stopped talking." '
    edited = ARTICLE.replace(sentence, "")
    result = reanchor(target, edited)
    assert result == Anchoring(
        "moved",
        target["position"]["start"] - len(sentence),
        target["position"]["end"] - len(sentence),
    )


def test_typo_fixed_inside_the_passage_moves_it_onto_the_corrected_words() -> None:
    with_typo = ARTICLE.replace("protect the old town", "protetc teh old town")
    target = target_for(with_typo, "protetc teh old town against a one-in-two-hundred-year surge")
    result = reanchor(target, ARTICLE)
    assert result.state == "moved"
    start = ARTICLE.index(PASSAGE)
    assert (result.start, result.end) == (start, start + len(PASSAGE))
    assert span_of(result, ARTICLE) == PASSAGE


def test_typo_fixed_in_a_short_quote_that_also_moved() -> None:
    with_typo = ARTICLE.replace("Miriam Okafor", "Miriam Okafro")
    target = target_for(with_typo, "Miriam Okafro")
    edited = "Updated at 9pm.\n\n" + ARTICLE
    result = reanchor(target, edited)
    assert result.state == "moved"
    assert span_of(result, edited) == "Miriam Okafor"


_ENGINEERS = ARTICLE[ARTICLE.index("Engineers") : ARTICLE.index(" Construction")]
"""A passage far longer than the 32 characters Bitap (diff-match-patch) can take as a
pattern."""


@pytest.mark.parametrize(
    ("passage", "old", "new"),
    [
        pytest.param(
            "told the meeting that the gates",
            "told the meeting that the gates",
            "assured the meeting that the new floodgates",
            id="first-and-last-words-rewritten",
        ),
        pytest.param(
            "said council leader Miriam Okafor",
            "said council leader Miriam Okafor",
            "said the council leader, Miriam Okafor-Jones",
            id="name-lengthened-at-the-end",
        ),
        pytest.param(
            _ENGINEERS,
            "in under forty minutes",
            "in less than forty minutes",
            id="long-passage-word-changed-in-the-middle",
        ),
        pytest.param(
            _ENGINEERS,
            "Engineers from the Port Authority told",
            "Port engineers told",
            id="long-passage-opening-rewritten",
        ),
    ],
)
def test_an_edited_passage_moves_onto_its_edited_words_whole(
    passage: str, old: str, new: str
) -> None:
    """The passage, *old* in it rewritten as *new*: its place is the edited passage, first
    and last words whole (a rewritten edge covered, a tail kept)."""
    assert old in passage
    target = target_for(ARTICLE, passage)
    edited = ARTICLE.replace(old, new)
    result = reanchor(target, edited)
    assert result.state == "moved"
    assert span_of(result, edited) == passage.replace(old, new)


def test_long_passage_with_a_clause_inserted_and_its_next_paragraph_rewritten() -> None:
    passage = ARTICLE[ARTICLE.index("Engineers") : ARTICLE.index("\n\nThe fishermen's")]
    target = target_for(ARTICLE, passage)
    clause = ", even in a full gale from the south-west,"
    edited = ARTICLE.replace("in under forty minutes", "in under forty minutes" + clause).replace(
        "The fishermen's association said", "Fishermen said"
    )
    result = reanchor(target, edited)
    assert result.state == "moved"
    assert span_of(result, edited) == passage.replace("forty minutes", "forty minutes" + clause)


def test_paragraph_moved_elsewhere_with_a_typo_fixed() -> None:
    paragraph = ARTICLE[ARTICLE.index("Engineers") : ARTICLE.index("\n\nThe fishermen's")]
    with_typo = ARTICLE.replace("under forty minutes", "under froty minutes")
    target = target_for(with_typo, paragraph.replace("forty", "froty"))
    # The paragraph goes to the end, after the fishermen's: its context is all new.
    edited = ARTICLE.replace(paragraph + "\n\n", "") + "\n" + paragraph + "\n"
    result = reanchor(target, edited)
    assert result.state == "moved"
    assert result.start == edited.index("Engineers")
    assert span_of(result, edited) == paragraph


def test_same_sentence_repeated_and_corrected_everywhere_takes_the_nearest() -> None:
    # A live blog repeats its standfirst between updates, and a sub-editor fixes its
    # typo in every copy. The inner copies have the same context too: only the stored
    # position can say which copy an annotation was on.
    standfirst = "Latest: the council votes on the flood barrier tonihgt."
    blog = f"{standfirst}\n\nUpdates follow.\n\n" * 7
    fixed = blog.replace("tonihgt", "tonight")
    for copy in range(1, 6):
        target = target_for(blog, standfirst, occurrence=copy)
        start = target["position"]["start"]
        assert reanchor(target, fixed) == Anchoring("moved", start, start + len(standfirst))


def test_short_misspelt_quote_is_found_by_its_context_after_a_move() -> None:
    # "Rely" in the new opening paragraph is as near to "Reily" as "Reilly" is, and comes
    # first; only the context says which is meant.
    with_typo = ARTICLE.replace("Tomas Reilly", "Tomas Reily")
    target = target_for(with_typo, "Reily")
    opening = (
        "Rely on the barrier, the council says: residents of the old town heard that "
        "promise for a decade before a single gate was ordered.\n\n"
    )
    edited = opening + ARTICLE
    result = reanchor(target, edited)
    assert result.state == "moved"
    assert result.start is not None
    assert edited[result.start - 6 : result.end] == "Tomas Reilly"


def test_long_passage_whose_first_sentence_was_rewritten_is_found_by_its_end() -> None:
    passage = ARTICLE[ARTICLE.index("Two thirds") : ARTICLE.index('\n\n"We have')]
    target = target_for(ARTICLE, passage)
    rewritten = "The national fund will pay for two thirds of it"
    edited = ARTICLE.replace(
        "Two thirds of the money is expected to come from the national flood defence fund",
        rewritten,
    )
    result = reanchor(target, edited)
    assert result.state == "moved"
    assert span_of(result, edited).startswith(rewritten)
    assert span_of(result, edited).endswith("over twenty years.")


def test_passage_deleted_is_orphaned() -> None:
    target = target_for(ARTICLE, PASSAGE)
    edited = ARTICLE.replace(" and would " + PASSAGE, "")
    assert reanchor(target, edited) == Anchoring("orphaned", None, None)


def test_whole_paragraph_deleted_is_orphaned() -> None:
    paragraph = ARTICLE[ARTICLE.index("Engineers") : ARTICLE.index("The fishermen's")]
    target = target_for(ARTICLE, "would protect the old town")
    assert reanchor(target, ARTICLE.replace(paragraph, "")).state == "orphaned"


def test_deleted_paragraph_is_not_moved_onto_a_look_alike() -> None:
    # The deleted sentence starts like the engineers' one (quote 0.70 similar) but sits in
    # other words (0.48 with context): below FUZZY_MATCH_MIN, so orphaned.
    extra = (
        "Engineers from the Port Authority will tell the council next month how the gates "
        "could be tested."
    )
    text = ARTICLE.replace("The fishermen's", extra + "\n\nThe fishermen's")
    target = target_for(text, extra)
    assert reanchor(target, ARTICLE).state == "orphaned"


def test_short_quote_rewritten_with_its_context_gone_is_orphaned() -> None:
    # "Okafor" is still a near match for "Okafro"'s letters, but nothing around it is.
    target = target_for(ARTICLE, "Tomas Reilly")
    edited = ARTICLE.replace("chair, Tomas Reilly, said the council", "chair said the council")
    assert reanchor(target, edited).state == "orphaned"


def test_text_cut_short_before_the_stored_position() -> None:
    target = target_for(ARTICLE, "fishermen's association")
    first_half = ARTICLE[: ARTICLE.index("Engineers")]
    assert reanchor(target, first_half).state == "orphaned"
    assert reanchor(target, "").state == "orphaned"
    moved_up = "The fishermen's association will appeal."
    assert reanchor(target, moved_up) == Anchoring("moved", 4, 27)


def test_stored_position_that_disagrees_with_the_quote_is_not_trusted() -> None:
    # From an imported W3C annotation: the position runs past the end of this text.
    target = from_w3c_selectors(
        [
            {"type": "TextQuoteSelector", "exact": "Harbour council"},
            {"type": "TextPositionSelector", "start": 0, "end": 100},
        ]
    )
    assert reanchor(target, "Harbour council") == Anchoring("moved", 0, 15)


# A quote that occurs more than once


LEVY = "the levy"


def test_repeated_quote_takes_the_occurrence_nearest_the_old_position() -> None:
    # Three paragraphs mention "the levy"; the annotated one (the second) is reworded
    # away, so both others match exactly and neither has the stored context.
    text = (
        "Businesses will pay the levy from April.\n\n"
        "Small firms say the levy is unfair.\n\n"
        + "Fishing crews sold their catch at dawn. " * 3
        + "\n\nThe council will review the levy in 2030.\n"
    )
    target = target_for(text, LEVY, occurrence=1)
    edited = text.replace("Small firms say the levy is unfair.", "Small firms object.")
    result = reanchor(target, edited)
    assert result.state == "moved"
    assert result.start == edited.index(LEVY)  # the first is nearer than the third
    assert span_of(result, edited) == LEVY


def test_repeated_quote_prefers_the_occurrence_with_its_context_to_a_nearer_one() -> None:
    target = target_for(ARTICLE, LEVY, occurrence=1)  # "...could not afford the levy."
    inserted = "Traders said the levy was the price of staying dry. " * 4
    edited = ARTICLE.replace("The fishermen's", inserted + "The fishermen's")
    result = reanchor(target, edited)
    # The last copy just inserted is nearer the old offset than the original, which moved
    # on by the whole insertion; but only the original still has its context.
    old_start = target["position"]["start"]
    nearest_copy = edited.rindex(LEVY, 0, edited.index("The fishermen's"))
    assert abs(nearest_copy - old_start) < len(inserted)
    assert result == Anchoring(
        "moved", old_start + len(inserted), target["position"]["end"] + len(inserted)
    )
    assert edited[old_start + len(inserted) - 17 : result.end] == "could not afford the levy"


def test_repeated_quote_at_equal_distances_goes_to_the_better_context() -> None:
    original = (
        "The harbour council met on Tuesday. Money raised by the levy will pay for the gates."
    )
    target = target_for(original, LEVY)
    edited = "Nobody paid the levy willingly. Money raised by the levy will pay for it."
    first, second = edited.index(LEVY), edited.rindex(LEVY)
    # The stored position halfway between the two copies, neither of which keeps a whole
    # side of its context: only the length of matching context can choose, and the
    # second copy keeps "raised by " and " will pay for ".
    target["position"] = {"start": (first + second) // 2, "end": (first + second) // 2 + 8}
    assert (first + second) % 2 == 0
    assert reanchor(target, edited) == Anchoring("moved", second, second + len(LEVY))


def test_quote_occurring_thousands_of_times_takes_the_nearest() -> None:
    text = "the tide turned. " * 3000
    start = 17 * 1500
    target = describe(text, start, start + 8)
    # Every copy has the same context; 15 characters in front put the copy that was
    # before it 2 characters from the old offset, nearer than its own new place.
    result = reanchor(target, "Flood warning. " + text)
    assert result == Anchoring("moved", start - 2, start + 6)


# An empty quote (a point between two characters)


def test_point_is_anchored_by_its_context() -> None:
    point = ARTICLE.index("Tonight we stopped")
    target = describe(ARTICLE, point, point)
    assert reanchor(target, ARTICLE) == Anchoring("anchored", point, point)
    edited = "Updated.\n\n" + ARTICLE
    assert reanchor(target, edited) == Anchoring("moved", point + 10, point + 10)
    gone = ARTICLE.replace('"Tonight we stopped talking." ', "")
    assert reanchor(target, gone).state == "orphaned"


# Properties


@given(st.data())
def test_describe_then_reanchor_on_the_same_text_is_anchored(data: st.DataObject) -> None:
    text = data.draw(st.text(max_size=300))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert reanchor(describe(text, start, end), text) == Anchoring("anchored", start, end)


@given(st.data())
def test_describe_then_reanchor_on_the_article_is_anchored(data: st.DataObject) -> None:
    # Natural prose repeats itself ("the ", "the levy"), which random text rarely does.
    start = data.draw(st.integers(0, len(ARTICLE)))
    end = data.draw(st.integers(start, len(ARTICLE)))
    assert reanchor(describe(ARTICLE, start, end), ARTICLE) == Anchoring("anchored", start, end)


@given(st.data())
def test_text_inserted_before_keeps_an_exact_copy_of_the_quote(data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(ARTICLE) - 1))
    end = data.draw(st.integers(start + 1, min(len(ARTICLE), start + 200)))
    at = data.draw(st.integers(0, start))
    edited = ARTICLE[:at] + data.draw(st.text(min_size=1, max_size=100)) + ARTICLE[at:]
    result = reanchor(describe(ARTICLE, start, end), edited)
    assert result.state in ("anchored", "moved")
    assert span_of(result, edited) == ARTICLE[start:end]


@given(st.text(max_size=300), st.text(max_size=300), st.data())
def test_reanchor_on_any_text_gives_a_span_inside_it(
    old: str, new: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(old)))
    end = data.draw(st.integers(start, len(old)))
    result = reanchor(describe(old, start, end), new)
    if result.state == "orphaned":
        assert (result.start, result.end) == (None, None)
    else:
        assert result.start is not None and result.end is not None
        assert 0 <= result.start <= result.end <= len(new)
        assert (result.start < result.end) == (start < end)


def test_fuzzy_threshold_separates_edits_from_deletions() -> None:
    """Every passage of 2 to 12 words, with a letter changed, is found; deleted, it is not."""
    words = [index for index, char in enumerate(ARTICLE) if char == " "]
    for first in range(0, len(words) - 13, 11):
        for count in (2, 5, 12):
            start, end = words[first] + 1, words[first + count]
            passage = ARTICLE[start:end]
            if ARTICLE.count(passage) > 1:
                continue
            target = describe(ARTICLE, start, end)
            middle = start + len(passage) // 2
            replacement = "x" if ARTICLE[middle] != "x" else "y"
            edited = ARTICLE[:middle] + replacement + ARTICLE[middle + 1 :]
            result = reanchor(target, edited)
            assert result == Anchoring("moved", start, end), passage
            deleted = ARTICLE[:start] + ARTICLE[end:]
            assert reanchor(target, deleted).state == "orphaned", passage


def long_article(length: int = 50_000) -> str:
    """Return *length* characters of prose: ARTICLE, then its paragraphs with their words
    shuffled (seeded), so that no passage of ARTICLE repeats."""
    paragraphs = ARTICLE.split("\n\n")
    shuffler = random.Random(1)
    parts = [ARTICLE]
    while sum(map(len, parts)) < length:
        words = shuffler.choice(paragraphs).split()
        shuffler.shuffle(words)
        parts.append(" ".join(words))
    return "\n\n".join(parts)[:length]


@pytest.mark.parametrize("length", [60, 2000])
def test_reanchor_stays_fast_on_a_long_article(length: int) -> None:
    # The slowest path: a unique passage deleted, so every fuzzy search runs and fails.
    # ~10 ms here; the bound only catches a blow-up (a 2,000-character needle given to
    # rapidfuzz whole took ~1 s).
    text = long_article()
    start = text.index("The barrier")
    target = describe(text, start, start + length)
    edited = text[:start] + text[start + length :]
    began = time.perf_counter()
    assert reanchor(target, edited).state == "orphaned"
    assert time.perf_counter() - began < 0.25


def test_module_does_not_import_textual() -> None:
    code = "import sys, reader.anchoring; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# The fuzzy search's building blocks, against plain definitions


def _align_cell_by_cell(
    pattern: str, boundary: int, region: str, expected_end: int, *, quote_first: bool
) -> int:
    """The boundary alignment one cell at a time (what reader.anchoring computed before its
    bit-parallel version): the definition the fast one must agree with, ties included."""
    width = len(region)
    costs = [0] * (width + 1)
    marks = list(range(width + 1))
    for i in range(1, len(pattern) + 1):
        char = pattern[i - 1]
        at_boundary = i == boundary
        new_costs = [i] + [0] * width
        new_marks = [0 if at_boundary else marks[0]] + [0] * width
        for j in range(1, width + 1):
            diagonal = costs[j - 1] + (char != region[j - 1])
            up = costs[j] + 1
            left = new_costs[j - 1] + 1
            if diagonal <= up and diagonal <= left:
                new_costs[j] = diagonal
                new_marks[j] = j if at_boundary else marks[j - 1]
            elif up <= left:
                new_costs[j] = up
                new_marks[j] = j if at_boundary else marks[j]
            else:
                new_costs[j] = left
                new_marks[j] = j if at_boundary and quote_first else new_marks[j - 1]
        costs, marks = new_costs, new_marks
    best = min(range(width + 1), key=lambda j: (costs[j], abs(j - expected_end)))
    return marks[best]


# Few letters, so that equally good alignments (the tie rules) come up often.
_LETTERS = st.text(alphabet="ab é", max_size=70)


@given(_LETTERS, _LETTERS, st.data())
def test_boundary_alignment_agrees_with_the_cell_by_cell_definition(
    pattern: str, region: str, data: st.DataObject
) -> None:
    from reader.anchoring.fuzzy import _align_boundary

    boundary = data.draw(st.integers(0, len(pattern)))
    expected_end = data.draw(st.integers(-3, len(region) + 3))
    quote_first = data.draw(st.booleans())
    assert _align_boundary(
        pattern, boundary, region, expected_end, quote_first=quote_first
    ) == _align_cell_by_cell(pattern, boundary, region, expected_end, quote_first=quote_first)


def test_boundary_alignment_agrees_on_prose() -> None:
    from reader.anchoring.fuzzy import _align_boundary

    shuffler = random.Random(7)
    text = long_article(5000)
    for _ in range(300):
        at = shuffler.randrange(0, len(text) - 200)
        pattern = text[at : at + shuffler.randrange(1, 49)]
        region_at = max(0, at + shuffler.randrange(-40, 40))
        region = text[region_at : region_at + shuffler.randrange(0, 100)]
        boundary = shuffler.randrange(0, len(pattern) + 1)
        expected = shuffler.randrange(0, len(region) + 1)
        for quote_first in (False, True):
            assert _align_boundary(
                pattern, boundary, region, expected, quote_first=quote_first
            ) == _align_cell_by_cell(pattern, boundary, region, expected, quote_first=quote_first)


@given(st.text(alphabet="abc d", min_size=2, max_size=60), st.data())
def test_the_pinning_filter_never_drops_a_span_that_would_pass(
    text: str, data: st.DataObject
) -> None:
    # _could_match may keep what fails, never drop what passes: every span in the ranges
    # it rejects is checked with the thresholds themselves. The target is a passage of
    # the text with a few characters changed, so that spans near it often pass.
    from reader.anchoring import FUZZY_MATCH_MIN, FUZZY_QUOTE_MIN
    from reader.anchoring.fuzzy import _could_match, _similarity
    from reader.anchoring.targets import Target

    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    stored = describe(text, start, end, context=data.draw(st.integers(0, 12)))["quote"]
    exact = list(stored["exact"])
    for _ in range(data.draw(st.integers(0, 3))):
        exact[data.draw(st.integers(0, len(exact) - 1))] = data.draw(st.sampled_from("abxy"))
    target = Target(start, end, "".join(exact), stored["prefix"], stored["suffix"])
    start_lo = data.draw(st.integers(max(0, start - 8), start))
    start_hi = data.draw(st.integers(start_lo, min(len(text), start + 8)))
    end_lo = data.draw(st.integers(max(0, end - 8), end))
    end_hi = data.draw(st.integers(end_lo, min(len(text), end + 8)))
    if _could_match(target, text, (start_lo, start_hi), (end_lo, end_hi)):
        return
    for start in range(start_lo, start_hi + 1):
        for end in range(max(end_lo, start + 1), end_hi + 1):
            quote, whole = _similarity(target, text, start, end)
            assert quote < FUZZY_QUOTE_MIN or whole < FUZZY_MATCH_MIN, (start, end)
