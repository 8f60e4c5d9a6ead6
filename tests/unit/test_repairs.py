"""Repairs of what every model gets wrong: each rule on hand-built spans, their invariants
on random articles, and the real pipeline on text shaped like wire copy."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from span_fixtures import assert_apart_and_true, at, span_articles

from reader.entities.consistency import ArticleText, Rule, apply_consistency
from reader.entities.engines.spacy_engine import SpacyEngine
from reader.entities.repairs import (
    REPAIRS,
    drop_list_markers,
    misc_terms_as_event,
    outlets_as_org,
    split_credits,
    split_datelines,
    strip_edges,
    strip_leading_the,
    strip_numbers,
)
from reader.entities.span import Span


def repair(rule: Rule, text: str, *spans: Span) -> list[tuple[str, str]]:
    out = rule(ArticleText(text), sorted(spans))
    assert all(text[s.start : s.end] == s.text for s in out)
    return [(s.text, s.label) for s in out]


# --- edges and the leading "the" -----------------------------------------------------


def test_spaces_and_trailing_colons_are_not_part_of_an_entity() -> None:
    text = "Premier League: City win\n\nEditing by Kim Coghill\n"
    spans = [at(text, "Premier League:", "ORG"), at(text, "Kim Coghill\n", "PERSON")]
    assert repair(strip_edges, text, *spans) == [
        ("Premier League", "ORG"),
        ("Kim Coghill", "PERSON"),
    ]
    kept = "U.S. and Acme Inc."
    spans = [at(kept, "U.S.", "GPE"), at(kept, "Acme Inc.", "ORG")]
    assert repair(strip_edges, kept, *spans) == [("U.S.", "GPE"), ("Acme Inc.", "ORG")]


def test_a_leading_lowercase_the_is_not_part_of_an_entity() -> None:
    text = "He went to the Foreign Office in the United States in the 1980s, then the north."
    spans = [
        at(text, "the Foreign Office", "ORG"),
        at(text, "the United States", "GPE"),
        at(text, "the 1980s", "DATE"),
        at(text, "the north", "LOC"),  # a common noun, not a name: left as it is
    ]
    assert repair(strip_leading_the, text, *spans) == [
        ("Foreign Office", "ORG"),
        ("United States", "GPE"),
        ("1980s", "DATE"),
        ("the north", "LOC"),
    ]


def test_a_capital_the_and_a_users_span_keep_it() -> None:
    text = "The Hague ruled; the Times said."
    spans = [at(text, "The Hague", "GPE"), at(text, "the Times", "ORG", source="user")]
    assert repair(strip_leading_the, text, *spans) == [("The Hague", "GPE"), ("the Times", "ORG")]


# --- credits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credit", "agency", "name"),
    [
        ("REUTERS / Kevin Lamarque", "REUTERS", "Kevin Lamarque"),
        ("REUTERS/Kevin Lamarque", "REUTERS", "Kevin Lamarque"),
        ("AFP / Aamir Qureshi", "AFP", "Aamir Qureshi"),
        ("AP PHOTO / Jane Roe", "AP PHOTO", "Jane Roe"),
    ],
)
def test_a_photo_credit_is_an_agency_and_a_photographer(
    credit: str, agency: str, name: str
) -> None:
    text = f"The minister speaks. {credit}\n\nMore text."
    for label in ("PERSON", "ORG"):
        assert repair(split_credits, text, at(text, credit, label)) == [
            (agency, "ORG"),
            (name, "PERSON"),
        ]


def test_a_photo_lead_is_cut_and_other_slashes_stay() -> None:
    text = "Photo: Jane Roe. The AC/DC tour and Jane/John went on."
    spans = [at(text, "Photo: Jane Roe", "PERSON"), at(text, "AC/DC", "ORG")]
    assert repair(split_credits, text, *spans) == [("Jane Roe", "PERSON"), ("AC/DC", "ORG")]


# --- numbers --------------------------------------------------------------------------


def test_scores_and_table_figures_are_not_part_of_names() -> None:
    text = (
        "Arsenal 2-1 Chelsea at the Emirates.\n"
        "Liverpool 38 28 6 4 94\n"
        "Smith 63 led, Apollo 11 flew and Hannover 96 won in May."
    )
    spans = [
        at(text, "Arsenal 2", "ORG"),  # before "-1": a score
        at(text, "1 Chelsea", "ORG"),  # "2-1 Chelsea" split by the model
        at(text, "Liverpool 38", "ORG"),  # a table row
        at(text, "Smith 63", "PERSON"),  # a person's name holds no number
        at(text, "Apollo 11", "PRODUCT"),  # prose: the number is the name's
        at(text, "Hannover 96", "ORG"),
    ]
    assert repair(strip_numbers, text, *spans) == [
        ("Arsenal", "ORG"),
        ("Chelsea", "ORG"),
        ("Liverpool", "ORG"),
        ("Smith", "PERSON"),
        ("Apollo 11", "PRODUCT"),
        ("Hannover 96", "ORG"),
    ]


def test_a_results_row_read_as_one_name_is_split() -> None:
    text = "Results\nBrentford 1 Arsenal 1\nManchester City 3 Aston Villa 1\n"
    spans = [at(text, "Brentford 1 Arsenal 1", "ORG"), at(text, "City 3 Aston", "ORG")]
    assert repair(strip_numbers, text, *spans) == [
        ("Brentford", "ORG"),
        ("Arsenal", "ORG"),
        ("City", "ORG"),
        ("Aston", "ORG"),
    ]


def test_a_number_alone_stays() -> None:
    text = "Seats: 2-1 and 63."
    spans = [at(text, "2-1", "CARDINAL"), at(text, "63", "PERSON")]
    assert repair(strip_numbers, text, *spans) == [("2-1", "CARDINAL"), ("63", "PERSON")]


# --- outlets and platforms ------------------------------------------------------------


def test_known_platforms_and_agencies_the_model_calls_people_are_org() -> None:
    text = "Qureshi took to Twitter; Reuters said. Mr Twitterton agreed."
    spans = [
        at(text, "Qureshi", "PERSON"),
        at(text, "Twitter", "PERSON"),
        at(text, "Reuters", "GPE"),  # not PERSON: not this rule's to change
        at(text, "Twitterton", "PERSON"),
    ]
    assert repair(outlets_as_org, text, *spans) == [
        ("Qureshi", "PERSON"),
        ("Twitter", "ORG"),
        ("Reuters", "GPE"),
        ("Twitterton", "PERSON"),
    ]


def test_an_outlet_the_article_introduces_is_org_in_every_mention() -> None:
    text = "According to Pakistani publication Dawn, talks went well. Dawn also said more."
    spans = [at(text, "Dawn", "PERSON"), at(text, "Dawn", "PERSON", nth=1)]
    assert repair(outlets_as_org, text, *spans) == [("Dawn", "ORG"), ("Dawn", "ORG")]
    after = "The Mint newspaper said so."
    assert repair(outlets_as_org, after, at(after, "Mint", "PERSON")) == [("Mint", "ORG")]
    set_off = "Dawn, the country's oldest English daily, was shut. Tarar told Dawn so."
    spans = [at(set_off, "Dawn", "PERSON"), at(set_off, "Dawn", "PERSON", nth=1)]
    assert repair(outlets_as_org, set_off, *spans) == [("Dawn", "ORG"), ("Dawn", "ORG")]


def test_a_person_named_like_an_outlet_stays_a_person() -> None:
    text = "Dawn French told the paper she was glad. Later Dawn said more."
    spans = [at(text, "Dawn French", "PERSON"), at(text, "Dawn", "PERSON", nth=1)]
    assert repair(outlets_as_org, text, *spans) == [("Dawn French", "PERSON"), ("Dawn", "PERSON")]


def test_coined_event_names_are_events() -> None:
    text = "Brexit and COVID-19 hit Covid wards in Brexitland."
    spans = [
        at(text, "Brexit", "PERSON"),
        at(text, "COVID-19", "ORG"),
        at(text, "Covid", "DATE"),  # not a name label: left
        at(text, "Brexitland", "GPE"),
    ]
    assert repair(misc_terms_as_event, text, *spans) == [
        ("Brexit", "EVENT"),
        ("COVID-19", "EVENT"),
        ("Covid", "DATE"),
        ("Brexitland", "GPE"),
    ]


def test_ordered_list_numbers_are_not_cardinals() -> None:
    text = (
        "Three steps:\n1. Ministers met 2 envoys.\n2) Talks\n  10. Nested\n"
        "\u2502 3. Quoted\n2026 was a year.\n4.5 percent\n1.\nIn 1. place\n5. Mine\n"
    )
    spans = [
        at(text, "1", "CARDINAL"),  # "1" of "1." (the model's token), dropped
        at(text, "2", "CARDINAL"),  # "2 envoys": an amount, kept
        at(text, "2)", "ORDINAL"),  # marker with its ")", dropped
        at(text, "10.", "CARDINAL"),  # indented (a nested list), dropped
        at(text, "3", "CARDINAL", nth=0),  # inside a quote's bars, dropped
        at(text, "2026", "DATE"),  # not a number label
        at(text, "4.5", "CARDINAL"),  # a decimal, kept
        at(text, "1.", "CARDINAL", nth=1),  # alone on its line: no item, kept
        at(text, "1.", "ORDINAL", nth=2),  # inside a line, kept
        at(text, "5.", "CARDINAL", source="user"),  # the user's, kept
    ]
    assert repair(drop_list_markers, text, *spans) == [
        ("2", "CARDINAL"),
        ("2026", "DATE"),
        ("4.5", "CARDINAL"),
        ("1.", "CARDINAL"),
        ("1.", "ORDINAL"),
        ("5.", "CARDINAL"),
    ]


@given(
    items=st.lists(
        # A list marker has at most 9 digits (CommonMark): the last item must still be one.
        st.tuples(st.integers(0, 10**9 - 6), st.integers(0, 999), st.sampled_from([".", ")"])),
        min_size=1,
        max_size=6,
    ),
    quoted=st.booleans(),
    nested=st.booleans(),
)
def test_every_rendered_list_marker_is_dropped_and_other_numbers_stay(
    items: list[tuple[int, int, str]], quoted: bool, nested: bool
) -> None:
    from reader.library.markdown import render_markdown

    first, _, delimiter = items[0]
    lines = [
        f"{first + i}{delimiter} costs {amount} dollars" for i, (_, amount, _) in enumerate(items)
    ]
    source = "\n".join(lines)
    if nested:
        source = "- outer\n\n" + "\n".join("   " + line for line in lines)
    if quoted:
        source = "\n".join("> " + line for line in source.splitlines())
    text = render_markdown(source).text
    spans = []
    markers = amounts = 0
    for m in re.finditer(r"\d+[.)]?", text):
        number = m.group().rstrip(".)")
        start = m.start()
        if m.group()[-1] in ".)":  # a marker: the model takes "1." or "1"
            end = start + (len(m.group()) if markers % 2 else len(number))
            markers += 1
        else:
            end = m.end()
            amounts += 1
        spans.append(Span(start, end, "CARDINAL", text[start:end], "model"))
    assert markers == len(items) and amounts == len(items)
    out = drop_list_markers(ArticleText(text), spans)
    assert [s.text for s in out] == [str(amount) for _, amount, _ in items]


# --- every repair: inside the text, apart, idempotent ---------------------------------

_WORDS = [
    "the", "The", "Foreign", "Office", "REUTERS", "AFP", "/", "Photo:", "Kevin", "Lamarque",
    "Arsenal", "2", "2-1", "38", "(3)", "Twitter", "Dawn", "newspaper", "publication",
    "COVID-19", "Brexit", "said", "Lavrov", "1980s", "DHAKA", "NEW DELHI", "—", "-",
    "(Reuters)", "EXCLUSIVE",
]  # fmt: skip
_SEPARATORS = [" ", " ", "  ", ", ", ". ", "\n", "/", " / "]


_ARTICLES = span_articles(_WORDS, _SEPARATORS, ["PERSON", "ORG", "GPE", "DATE", "EVENT"], longest=4)
"""Wire-copy words with random disjoint spans on word boundaries."""


@pytest.mark.parametrize("rule", REPAIRS, ids=lambda rule: rule.__name__)
@given(article=_ARTICLES)
def test_each_repair_keeps_spans_in_the_text_apart_and_is_idempotent(
    rule: Rule, article: tuple[str, list[Span]]
) -> None:
    text, spans = article
    doc = ArticleText(text)
    out = rule(doc, spans)
    assert_apart_and_true(text, spans, out)
    assert rule(doc, out) == out


# --- the real pipeline ----------------------------------------------------------------


def test_real_model_on_wire_copy(recognizer: SpacyEngine) -> None:
    text = (
        "Pakistan's foreign minister met the Chinese envoy in Islamabad on Monday, "
        "according to the Dawn newspaper. The minister later posted on Twitter that "
        "the United States had been told.\n\n"
        "REUTERS / Akhtar Soomro\n\n"
        "Dawn said the talks would resume after the COVID-19 restrictions end."
    )
    out = apply_consistency(text, recognizer.extract(text))
    labels = {(s.text, s.label) for s in out}
    assert not [s for s in out if s.text.startswith("the ")]
    assert all(label != "PERSON" for t, label in labels if t in ("Dawn", "Twitter", "REUTERS"))
    assert ("Akhtar Soomro", "PERSON") in labels


def test_real_model_on_a_rendered_markdown_list(recognizer: SpacyEngine) -> None:
    from reader.library.markdown import render_markdown

    text = render_markdown(
        "# Steps\n\nThe plan has 3 parts:\n\n1. Ministers meet in Geneva.\n"
        "2. Lavrov speaks to 40 reporters.\n3. Talks end.\n"
    ).text
    out = apply_consistency(text, recognizer.extract(text))
    numbers = [s.text for s in out if s.label in ("CARDINAL", "ORDINAL")]
    assert numbers == ["3", "40"]


# --- datelines ------------------------------------------------------------------------


def test_a_dateline_read_into_a_name_is_the_place_then_the_name() -> None:
    text = "Halcyon to expand\n\nDHAKA — Halcyon Telecom said on Monday it would grow."
    spans = [at(text, "DHAKA — Halcyon Telecom", "ORG")]
    assert repair(split_datelines, text, *spans) == [
        ("DHAKA", "GPE"),
        ("Halcyon Telecom", "ORG"),
    ]
    hyphen = "DHAKA - Halcyon Telecom said on Monday that it would grow."
    assert repair(split_datelines, hyphen, at(hyphen, "DHAKA - Halcyon Telecom", "ORG")) == [
        ("DHAKA", "GPE"),
        ("Halcyon Telecom", "ORG"),
    ]


def test_a_wire_dateline_with_date_and_agency() -> None:
    text = "Cuts\n\nBERLIN, Dec 20 (Reuters) - Volkswagen will cut jobs.\n"
    spans = [at(text, "BERLIN, Dec 20 (Reuters) - Volkswagen", "ORG")]
    assert repair(split_datelines, text, *spans) == [
        ("BERLIN", "GPE"),
        ("Reuters", "ORG"),
        ("Volkswagen", "ORG"),
    ]
    text = "NEW DELHI (Reuters) - Floods killed 41 people."
    assert repair(split_datelines, text, at(text, "NEW DELHI (Reuters", "ORG")) == [
        ("NEW DELHI", "GPE"),
        ("Reuters", "ORG"),
    ]
    # The place alone, as an ORG or a person, with a date or an agency after it: a GPE.
    assert repair(split_datelines, text, at(text, "NEW DELHI", "ORG")) == [("NEW DELHI", "GPE")]
    text = "CUTS AT VW\n\nBy Jane Roe\n\nBERLIN, Dec 20 - Volkswagen will cut jobs in Germany."
    assert repair(split_datelines, text, at(text, "BERLIN", "PERSON")) == [("BERLIN", "GPE")]


def test_what_is_no_dateline_stays() -> None:
    # Not at a line's start; a wire slug; a user's span; a place already a GPE; no dash.
    text = "In DHAKA — Halcyon Telecom said on Monday that it would grow."
    assert repair(split_datelines, text, at(text, "DHAKA — Halcyon Telecom", "ORG")) == [
        ("DHAKA — Halcyon Telecom", "ORG")
    ]
    text = "EXCLUSIVE - Apple plans a car, people familiar with the matter said."
    assert repair(split_datelines, text, at(text, "EXCLUSIVE - Apple", "ORG")) == [
        ("EXCLUSIVE - Apple", "ORG")
    ]
    text = "DHAKA — Halcyon Telecom said on Monday that it would grow."
    user = at(text, "DHAKA — Halcyon Telecom", "ORG", source="user")
    assert repair(split_datelines, text, user) == [("DHAKA — Halcyon Telecom", "ORG")]
    place = at(text, "DHAKA", "GPE")
    assert split_datelines(ArticleText(text), [place]) == [place]
    text = "NASA Rover Finds Signs Of Ancient River"
    assert repair(split_datelines, text, at(text, "NASA Rover", "ORG")) == [("NASA Rover", "ORG")]


@pytest.mark.parametrize(
    ("text", "surface", "label"),
    [
        # Acronyms of organisations, in a dateline's place.
        ("NATO - Russia talks resumed in Geneva on Monday after a pause.", "NATO - Russia", "ORG"),
        ("NATO - Russia talks resumed in Geneva on Monday after a pause.", "NATO", "ORG"),
        ("UN — The United Nations said on Monday it would cut aid to the region.", "UN", "ORG"),
        ("FIFA — the governing body of world football said it would grow the cup.", "FIFA", "ORG"),
        # The model's ORG or PERSON for the place alone, with no date or agency after it.
        ("ACME — The company said on Monday that its profit fell by a third.", "ACME", "ORG"),
        ("JOHN SMITH — Editor of the Daily Planet, has resigned, the paper said.", "JOHN SMITH",
         "PERSON"),
        # A person that runs on past the dash: a name, not a place and a name.
        ("JOHN SMITH — Editor of the Daily Planet, has resigned, the paper said.",
         "JOHN SMITH — Editor", "PERSON"),
        # A wire slug of two words.
        ("BREAKING NEWS - Apple said on Monday that it would build a car in Ohio.",
         "BREAKING NEWS - Apple", "ORG"),
        # Not the story's opening: a title (no prose), a later paragraph.
        ("NATO - Russia talks\n\nThe talks resumed in Geneva on Monday after a pause.",
         "NATO - Russia", "ORG"),
        ("Growth\n\nThe firm opened its books on Monday, as it does each year.\n\n"
         "DHAKA — Halcyon Telecom said on Monday it would grow.", "DHAKA — Halcyon Telecom",
         "ORG"),
        ("Growth\n\nThe firm opened its books on Monday, as it does each year.\n\n"
         "BERLIN, Dec 20 (Reuters) - Volkswagen will cut jobs.", "BERLIN", "PERSON"),
    ],
)  # fmt: skip
def test_names_in_a_datelines_place_are_no_place(text: str, surface: str, label: str) -> None:
    assert repair(split_datelines, text, at(text, surface, label)) == [(surface, label)]


def test_real_model_on_a_dateline(recognizer: SpacyEngine) -> None:
    text = (
        "Halcyon Telecom to spend $2 billion on new towers\n\n"
        "DHAKA — Halcyon Telecom said on Monday it would spend $2 billion over five years "
        "on new towers, a plan its president called the biggest in its history."
    )
    out = apply_consistency(text, recognizer.extract(text))
    labels = {(s.text, s.label) for s in out}
    assert not [s for s in out if "DHAKA" in s.text and s.text != "DHAKA"], labels
    assert {label for t, label in labels if t == "DHAKA"} <= {"GPE"}, labels
