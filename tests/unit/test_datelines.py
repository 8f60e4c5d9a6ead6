"""A dateline's place in capitals at a paragraph's start (reader/entities/datelines.py):
hand-built spans, the rule's invariants on random articles, and the real model."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from span_fixtures import assert_apart_and_true, at, span_articles

from reader.entities.consistency import ArticleText, apply_consistency
from reader.entities.datelines import datelines_as_places
from reader.entities.engines.spacy_engine import SpacyEngine
from reader.entities.span import Span


def relabel(text: str, *spans: Span) -> list[tuple[str, str]]:
    out = datelines_as_places(ArticleText(text), sorted(spans))
    assert all(text[s.start : s.end] == s.text for s in out)
    return [(s.text, s.label) for s in out]


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("ACCRA — The minister said on Monday that the budget would pass.", "ACCRA"),
        ("WASHINGTON (Reuters) - The Senate passed the bill on Friday.", "WASHINGTON"),
        ("NEW DELHI, Dec 20 - Floods killed 41 people, officials said.", "NEW DELHI"),
        ("BAKU—Talks resumed on Monday after a pause of a month.", "BAKU"),
        ("U.S. — The economy grew by 2 percent, figures showed.", "U.S."),
        # A place whose last word also ends organisations' names.
        ("WEST BANK — Settlers clashed with villagers, witnesses said.", "WEST BANK"),
        # Any paragraph, not only the story's first (split_datelines takes that one).
        ("Floods\n\nThe rains went on all week.\n\nLAGOS — Roads were closed, police said.",
         "LAGOS"),
        ("Talks\n\n  GENEVA - Diplomats met again, a spokesman said.", "GENEVA"),
        # A known place stays one when the paragraph goes on about a company.
        ("LONDON — The company said on Monday that its profit fell.", "LONDON"),
        ("WASHINGTON (Reuters) - The bank said it would pay the fine.", "WASHINGTON"),
        ("WASHINGTON (AP) — The carmaker said it would recall 2 million cars.", "WASHINGTON"),
        # Prose that names no company, after a place no list knows.
        ("KIGALI — The minister said the company would be sold.", "KIGALI"),
        ("ZANZIBAR — The island's ferries stopped, the port's operator said.", "ZANZIBAR"),
        # Prose that opens on a body that is no company: a place no list knows stays one.
        ("GAZA — The militant group said it fired rockets overnight.", "GAZA"),
        ("KHERSON — The unit said it had crossed the river.", "KHERSON"),
        ("MARIUPOL — The owner said the plant would not reopen.", "MARIUPOL"),
        ("GOMA — The business community said trade had stopped.", "GOMA"),
        ("PORT SUDAN — The operator said the port was shut.", "PORT SUDAN"),
        ("HERAT — The newspaper said the governor had resigned.", "HERAT"),
    ],
)  # fmt: skip
def test_a_datelines_place_the_model_calls_an_org_is_a_gpe(text: str, surface: str) -> None:
    assert relabel(text, at(text, surface, "ORG")) == [(surface, "GPE")]


def test_the_name_elsewhere_in_the_article_gives_the_label() -> None:
    text = "MOUNT KENYA — Climbers set out.\n\nThe slopes of Mount Kenya were icy."
    spans = [at(text, "MOUNT KENYA", "ORG"), at(text, "Mount Kenya", "LOC")]
    assert relabel(text, *spans) == [("MOUNT KENYA", "LOC"), ("Mount Kenya", "LOC")]
    # As a place elsewhere, even what looks like an acronym is that place.
    text = "UAE — Oil output rose.\n\nThe UAE said on Monday it would pump more."
    spans = [at(text, "UAE", "ORG"), at(text, "UAE", "GPE", nth=1)]
    assert relabel(text, *spans) == [("UAE", "GPE"), ("UAE", "GPE")]
    # GPE and LOC as often: GPE.
    text = "JORDAN — Aid arrived.\n\nJordan said so; the Jordan was low; Jordan agreed."
    spans = [
        at(text, "JORDAN", "ORG"),
        at(text, "Jordan", "GPE"),
        at(text, "Jordan", "LOC", nth=1),
    ]
    assert relabel(text, *spans)[0] == ("JORDAN", "GPE")


@pytest.mark.parametrize(
    ("text", "surface", "label", "others"),
    [
        # A company the article names as one elsewhere.
        ("ACME — The company said its profit fell.\n\nAcme shares fell.", "ACME", "ORG",
         ["Acme"]),
        # Acronyms: listed, short, or without a vowel; a wire slug.
        ("NATO - Russia talks resumed in Geneva on Monday.", "NATO", "ORG", []),
        ("IBM — The company said its profit fell by a third.", "IBM", "ORG", []),
        ("HSBC — The bank said its profit fell by a third.", "HSBC", "ORG", []),
        ("EXCLUSIVE - Apple plans a car, people said.", "EXCLUSIVE", "ORG", []),
        # A company or a body by its last word (a legal form, a kind of company).
        ("ACME CORP, the maker of widgets, said its profit fell.", "ACME CORP", "ORG", []),
        ("APPLE INC. (AAPL) said sales rose in China.", "APPLE INC.", "ORG", []),
        ("BARCLAYS PLC, the British lender, said it would cut jobs.", "BARCLAYS PLC", "ORG",
         []),
        ("GENERAL MOTORS — The carmaker said it would cut jobs.", "GENERAL MOTORS", "ORG", []),
        ("DEUTSCHE BANK — The lender said it would pay a fine.", "DEUTSCHE BANK", "ORG", []),
        ("THE NEW YORK TIMES — The newspaper said it would cut jobs.", "THE NEW YORK TIMES",
         "ORG", []),
        # A company the prose after it says is one: a ticker, "The company…", "Shares of
        # the online retailer…", what it makes.
        ("MICROSOFT — The company said on Monday that its cloud revenue rose.", "MICROSOFT",
         "ORG", []),
        ("MICROSOFT (MSFT.O) - Cloud revenue rose by a fifth, the company said.",
         "MICROSOFT", "ORG", []),
        ("NVIDIA (NASDAQ: NVDA) said its sales doubled.", "NVIDIA", "ORG", []),
        # Exchanges named as finance sites do.
        ("BARCLAYS (LON: BARC) said it would cut jobs.", "BARCLAYS", "ORG", []),
        ("SIEMENS (ETR:SIE) — Orders rose by a tenth, it said.", "SIEMENS", "ORG", []),
        ("TOYOTA (TYO: 7203) said sales rose in China.", "TOYOTA", "ORG", []),
        ("GOOGLE — The search giant said it would appeal the ruling.", "GOOGLE", "ORG", []),
        ("AMAZON — Shares of the online retailer rose on Monday.", "AMAZON", "ORG", []),
        ("SAMSUNG — The world's largest chipmaker said profit fell.", "SAMSUNG", "ORG", []),
        ("TOYOTA — The company's shares rose after results.", "TOYOTA", "ORG", []),
        # A person, and a user's span, are kept.
        ("JOHN SMITH — Editor of the Daily Planet, has resigned.", "JOHN SMITH", "PERSON", []),
        # Not at a paragraph's start; no dash, comma or bracket after it; an all-caps line.
        ("In ACCRA — the minister said so.", "ACCRA", "ORG", []),
        ("ACCRA said on Monday that the budget would pass.", "ACCRA", "ORG", []),
        ("ACCRA-based traders said prices rose.", "ACCRA", "ORG", []),
        ("BIDEN, XI MEET IN BALI\n\nThe two leaders met.", "BIDEN", "ORG", []),
        # Not all capitals.
        ("Accra — The minister said on Monday that the budget would pass.", "Accra", "ORG", []),
    ],
)  # fmt: skip
def test_what_is_no_datelines_place_stays(
    text: str, surface: str, label: str, others: list[str]
) -> None:
    spans = [at(text, surface, label), *(at(text, other, "ORG") for other in others)]
    assert relabel(text, *spans) == [(s.text, s.label) for s in sorted(spans)]


def test_a_users_span_stays() -> None:
    text = "ACCRA — The minister said on Monday that the budget would pass."
    user = at(text, "ACCRA", "ORG", source="user")
    assert datelines_as_places(ArticleText(text), [user]) == [user]


_WORDS = ["ACCRA", "NEW", "DELHI", "IBM", "Accra", "said", "The", "(Reuters)", "—", "-", "a"]
_SEPARATORS = [" ", " ", ", ", "\n", "\n\n", " — ", "—", " ("]


_ARTICLES = span_articles(
    _WORDS, _SEPARATORS, ["ORG", "ORG", "GPE", "LOC", "PERSON"], longest=2, word=r"[^\s—(]+"
)
"""Capitals, names and dashes, with random spans on word boundaries."""


@settings(max_examples=300, deadline=None)
@given(_ARTICLES)
def test_the_rule_keeps_spans_apart_and_is_idempotent(article: tuple[str, list[Span]]) -> None:
    text, spans = article
    doc = ArticleText(text)
    out = datelines_as_places(doc, spans)
    assert [(s.start, s.end) for s in out] == [(s.start, s.end) for s in spans]
    assert_apart_and_true(text, spans, out)
    assert datelines_as_places(doc, out) == out
    ruled = apply_consistency(text, spans)
    assert apply_consistency(text, ruled) == ruled


def test_real_model_on_datelines(recognizer: SpacyEngine) -> None:
    """The model calls these ORG (en_core_web_md 3.7.1); the second and third paragraphs
    are no story's opening, which split_datelines alone would repair."""
    text = (
        "Budget news\n\n"
        "OTTAWA — The minister said on Monday that the budget would pass before the vote.\n\n"
        "CANBERRA — The treasurer said the same about his own budget, aides said.\n\n"
        "MINSK (Reuters) - The government said it welcomed both plans."
    )
    spans = recognizer.extract(text)
    places = ("OTTAWA", "CANBERRA", "MINSK")
    assert {s.label for s in spans if s.text in places} == {"ORG"}  # what the rule is for
    out = apply_consistency(text, spans)
    assert sorted((s.text, s.label) for s in out if s.text in places) == [
        ("CANBERRA", "GPE"),
        ("MINSK", "GPE"),
        ("OTTAWA", "GPE"),
    ]


def test_real_model_on_companies_the_prose_calls_companies(recognizer: SpacyEngine) -> None:
    """Companies in capitals opening a paragraph with nothing in their name to say so,
    which the model calls ORG (en_core_web_md 3.7.1): the prose after them does ("The
    company…", a ticker), so they stay organisations; the real datelines beside them,
    and a known place the prose goes on from about a company, are places."""
    paragraphs = [
        "MICROSOFT — The company said on Monday that its cloud revenue rose by a fifth.",
        "GOOGLE — The search giant said it would appeal the ruling in Brussels.",
        "ORACLE (NYSE: ORCL) - The software maker said on Tuesday it would cut jobs.",
        "OTTAWA — The minister said on Monday that the budget would pass before the vote.",
        "LONDON — The company said on Monday that its profit fell, aides said.",
        "WASHINGTON (Reuters) - The Senate passed the bill on Friday, aides said.",
    ]
    text = "Business news\n\n" + "\n\n".join(paragraphs)
    spans = recognizer.extract(text)
    companies = ("MICROSOFT", "GOOGLE", "ORACLE")
    assert {s.text: s.label for s in spans if s.text in companies} == dict.fromkeys(
        companies, "ORG"
    )
    out = {s.text: s.label for s in apply_consistency(text, spans)}
    assert {name: out[name] for name in companies} == dict.fromkeys(companies, "ORG")
    assert {name: out[name] for name in ("OTTAWA", "LONDON", "WASHINGTON")} == dict.fromkeys(
        ("OTTAWA", "LONDON", "WASHINGTON"), "GPE"
    )


def test_real_model_on_companies_opening_a_paragraph(recognizer: SpacyEngine) -> None:
    """Companies in capitals opening a paragraph, which the model calls ORG (en_core_web_md
    3.7.1), stay organisations: their last word says so."""
    paragraphs = [
        "ACME CORP, the maker of widgets, said on Monday that its profit fell by a third.",
        "GENERAL MOTORS — The carmaker said on Monday that it would cut jobs in Detroit.",
        "AMAZON WEB SERVICES, the cloud unit, said on Monday that outages were fixed.",
        "APPLE INC. (AAPL) said on Monday that sales rose in China.",
        "BARCLAYS PLC, the British lender, said on Monday it would cut jobs.",
        "DEUTSCHE BANK — The lender said on Monday that it would pay a fine.",
        "THE NEW YORK TIMES — The newspaper said on Monday it would cut jobs.",
    ]
    text = "Business news\n\n" + "\n\n".join(paragraphs)
    spans = recognizer.extract(text)
    names = {p.split(",")[0].split(" —")[0].split(" (")[0] for p in paragraphs}
    assert {s.text: s.label for s in spans if s.text in names} == dict.fromkeys(names, "ORG")
    out = apply_consistency(text, spans)
    assert {s.text: s.label for s in out if s.text in names} == dict.fromkeys(names, "ORG")
