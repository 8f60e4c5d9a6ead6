"""A dateline's place in capitals, at the start of any paragraph, is a place, not an ORG.

The model reads the capitals of "ACCRA — The minister said…" or "WASHINGTON (Reuters) -" as
an organisation. :func:`split_datelines` (reader/entities/repairs.py) repairs the story's
opening dateline when the span ran on over the dash or a date or an agency follows; this
rule takes the rest: a span the model labelled ORG that is exactly the capitals opening a
line (a paragraph, or the text's first line), followed by a dash (``-``, ``–``, ``—``), a
comma or ``(``, on a line that goes on in prose (a lowercase letter after it: an all-caps
headline "BIDEN, XI MEET" is no dateline).

Its label comes from the article: the same name written as a name (``Accra`` for
``ACCRA``, ``New Delhi`` for ``NEW DELHI``) elsewhere labelled GPE or LOC gives that label
(the one it carries most; a tie is GPE). Without such a mention it is a GPE, unless it
does not look like a place:

- an acronym of :data:`~reader.entities.repairs.ORG_ACRONYMS` or a wire slug of
  :data:`~reader.entities.repairs.WIRE_SLUGS` ("NATO -", "EXCLUSIVE -");
- a word of three letters or fewer, or one without a vowel (an acronym: "IBM —",
  "HSBC —");
- a name whose last word says it is an organisation (:data:`ORG_WORDS`: a legal form,
  "ACME CORP, the maker…", "APPLE INC. (AAPL)…", or a kind of company or body, "GENERAL
  MOTORS —", "DEUTSCHE BANK —", "THE NEW YORK TIMES —"; the model calls them ORG there and
  they were no place), unless it is a place named so (:data:`_PLACES_NAMED_LIKE_ORGS`:
  "WEST BANK —");
- a name the article labels otherwise and never as a place (``Acme`` an ORG elsewhere: "ACME
  — The company said…" is the company);
- a name the prose after it calls an organisation, unless it is a place datelines are
  known to name (:data:`KNOWN_PLACES`: "LONDON — The company said…" is still London): a
  ticker after it ("MICROSOFT (MSFT.O) -", "(NASDAQ: MSFT)"), or a paragraph opening on a
  company by what it is (:data:`ORG_NOUNS`: "MICROSOFT — The company said…", "GOOGLE —
  The search giant…", "AMAZON — Shares of the online retailer…", "… The chipmaker…").

Only the model's ORG is relabelled: a PERSON ("JOHN SMITH — Editor…") and a user's span are
kept. Applied to its own result it changes nothing (the span is no ORG any more).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from reader.entities.repairs import ORG_ACRONYMS, WIRE_SLUGS
from reader.entities.span import Span

if TYPE_CHECKING:  # consistency.py runs this rule: no import back at run time
    from reader.entities.consistency import ArticleText

__all__ = ["KNOWN_PLACES", "ORG_NOUNS", "ORG_WORDS", "datelines_as_places"]

#: The last words that make a name in capitals an organisation's, not a place's: legal
#: forms and the kinds of companies and bodies news opens a paragraph with.
ORG_WORDS = frozenset(
    {
        "CORP", "CORP.", "CORPORATION", "INC", "INC.", "LTD", "LTD.", "LLC", "PLC", "AG",
        "SA", "S.A.", "NV", "N.V.", "SE", "CO", "CO.", "COMPANY", "GROUP", "HOLDINGS",
        "BANK", "BANKS", "MOTORS", "AIRLINES", "AIRWAYS", "SERVICES", "SYSTEMS",
        "TECHNOLOGIES", "INDUSTRIES", "ELECTRONICS", "PHARMACEUTICALS", "PARTNERS",
        "CAPITAL", "FUND", "FOUNDATION", "INSTITUTE", "UNIVERSITY", "ASSOCIATION",
        "COMMITTEE", "COMMISSION", "COUNCIL", "AGENCY", "MINISTRY", "PARTY", "TIMES",
        "POST", "JOURNAL", "HERALD", "TRIBUNE", "GAZETTE", "TELEGRAPH", "GUARDIAN",
        "NEWS", "PRESS", "MEDIA", "RESEARCH",
    }
)  # fmt: skip
_PLACES_NAMED_LIKE_ORGS = frozenset({"WEST BANK", "LEFT BANK", "SOUTH BANK"})

#: What a paragraph calls a company when it opens on it ("The company said…", "Shares of
#: the online retailer…"): the head of its first noun phrase (lower case; any "…maker").
#: Company words only: "group", "unit", "owner", "business", "operator", "chain" and the
#: media's words head a paragraph after a place's dateline as often ("GAZA — The militant
#: group said…", "The newspaper reported…"), and a name no list knows is a place.
ORG_NOUNS = frozenset(
    {
        "company", "firm", "corporation", "conglomerate", "giant", "startup", "start-up",
        "lender", "bank", "insurer", "retailer", "airline", "carrier", "manufacturer",
        "supplier", "brand", "subsidiary",
    }
)  # fmt: skip

#: Places datelines name that a paragraph may go on to speak of a company from: the
#: prose's cue for an organisation does not outweigh them (capitals and the cities news
#: is filed from most; the rest of the world is still a place by default).
KNOWN_PLACES = frozenset(
    {
        "LONDON", "PARIS", "BERLIN", "BRUSSELS", "GENEVA", "ZURICH", "FRANKFURT", "MADRID",
        "ROME", "MILAN", "VIENNA", "AMSTERDAM", "THE HAGUE", "STOCKHOLM", "OSLO",
        "COPENHAGEN", "HELSINKI", "DUBLIN", "LISBON", "ATHENS", "WARSAW", "PRAGUE",
        "BUDAPEST", "BUCHAREST", "KYIV", "KIEV", "MOSCOW", "ISTANBUL", "ANKARA", "MINSK",
        "WASHINGTON", "NEW YORK", "CHICAGO", "LOS ANGELES", "SAN FRANCISCO", "SEATTLE",
        "BOSTON", "DETROIT", "HOUSTON", "DALLAS", "ATLANTA", "MIAMI", "DENVER",
        "OTTAWA", "TORONTO", "MONTREAL", "VANCOUVER", "MEXICO CITY", "SAO PAULO",
        "RIO DE JANEIRO", "BRASILIA", "BUENOS AIRES", "SANTIAGO", "LIMA", "BOGOTA",
        "CARACAS", "HAVANA", "TOKYO", "OSAKA", "SEOUL", "BEIJING", "SHANGHAI", "SHENZHEN",
        "HONG KONG", "TAIPEI", "SINGAPORE", "BANGKOK", "HANOI", "JAKARTA", "MANILA",
        "KUALA LUMPUR", "NEW DELHI", "MUMBAI", "BANGALORE", "BENGALURU", "KARACHI",
        "ISLAMABAD", "DHAKA", "KABUL", "TEHRAN", "BAGHDAD", "RIYADH", "DUBAI", "ABU DHABI",
        "DOHA", "JERUSALEM", "TEL AVIV", "BEIRUT", "DAMASCUS", "AMMAN", "CAIRO", "TUNIS",
        "ALGIERS", "RABAT", "LAGOS", "ABUJA", "ACCRA", "NAIROBI", "ADDIS ABABA",
        "JOHANNESBURG", "CAPE TOWN", "PRETORIA", "KINSHASA", "SYDNEY", "MELBOURNE",
        "CANBERRA", "WELLINGTON", "AUCKLAND",
    }
)  # fmt: skip

_CAPITALS = re.compile(r"[A-Z][A-Z.'’\-]*[A-Z.](?: [A-Z][A-Z.'’\-]*[A-Z.])*")
"""A dateline's place: one or more words in capitals (two letters or more each)."""

_AFTER = re.compile(r"(?: ?[–—]| -|- | ?\(|,)")
"""What follows a dateline's place: a dash (a hyphen with a space on one side: not
"ACCRA-based"), ``(`` or a comma."""

_TICKER = re.compile(
    r" ?\((?:(?:NASDAQ|NYSE|NYSEARCA|AMEX|OTC|LSE|LON|TSX|ASX|HKEX|HKG|ETR|FRA|EPA|AMS|EBR"
    r"|BIT|SWX|STO|TYO|KRX|SGX|NSE|BSE|JSE|Nasdaq|Nyse): ?[A-Z0-9]{1,6}(?:\.[A-Z]{1,2})?"
    r"|[A-Z]{1,5}\.[A-Z]{1,2})\)"
)
"""A stock ticker in brackets after a name: with its exchange ("(NASDAQ: MSFT)", "(LON:
BARC)", "(ETR: SIE)", "(TYO: 7203)") or its market's suffix ("(MSFT.O)"); a bare "(AP)" is
a wire agency."""

_PROSE = re.compile(r"[^\S\n]*(?:\([^()\n]*\)[^\S\n]*)?[-–—,]?[^\S\n]*")
"""What comes between a dateline's place and its prose: a dash or a comma, and a bracket
before it ("(Reuters) -")."""

_OPENING_NP = re.compile(r"(?:Shares (?:of|in) )?[Tt]he ((?:[a-z][a-z’'\-]*(?: |$)){1,4})")
"""The prose's first noun phrase when it opens on "The …" (or "Shares of the …"): up to
four words in lower case."""

_NP_ENDS = frozenset(
    {
        "said", "says", "told", "has", "have", "had", "is", "was", "were", "are", "will",
        "would", "could", "can", "may", "on", "in", "at", "that", "which", "who", "and",
        "to", "of", "for", "with", "reported", "announced", "posted", "plans", "agreed",
        "rose", "fell",
    }
)  # fmt: skip
_LOWER = re.compile(r"[a-z]")
_VOWEL = re.compile(r"[AEIOUY]")
_PLACE_LABELS = ("GPE", "LOC")


def datelines_as_places(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Relabel the model's ORG over a dateline's place at a paragraph's start (module doc)."""
    text = doc.text
    result: list[Span] = []
    labels: dict[str, Counter[str]] | None = None
    for s in spans:
        if s.label != "ORG" or s.source == "user" or not _opens_a_dateline(text, s):
            result.append(s)
            continue
        if labels is None:
            labels = _labels_by_name(spans)
        label = _place_label(s.text, labels, text, s)
        result.append(s if label is None else doc.span(s.start, s.end, label))
    return result


def _opens_a_dateline(text: str, s: Span) -> bool:
    line = text.rfind("\n", 0, s.start) + 1
    if text[line : s.start].strip(" \t"):
        return False
    if _CAPITALS.fullmatch(text, s.start, s.end) is None:
        return False
    if _AFTER.match(text, s.end) is None:
        return False
    end = text.find("\n", s.end)
    return _LOWER.search(text, s.end, len(text) if end == -1 else end) is not None


def _labels_by_name(spans: list[Span]) -> dict[str, Counter[str]]:
    """The labels of each name in the article, by its text in upper case."""
    labels: dict[str, Counter[str]] = {}
    for s in spans:
        labels.setdefault(" ".join(s.text.split()).upper(), Counter())[s.label] += 1
    return labels


def _place_label(place: str, labels: dict[str, Counter[str]], text: str, s: Span) -> str | None:
    """The label for the dateline *place* (the span *s* of *text*), or None when it does
    not look like a place."""
    seen = Counter(labels.get(place, Counter()))
    seen["ORG"] -= 1  # the dateline's own span
    seen = +seen
    places = {label: seen[label] for label in _PLACE_LABELS if seen[label]}
    if places:
        return "LOC" if places.get("LOC", 0) > places.get("GPE", 0) else "GPE"
    if place in ORG_ACRONYMS or place in WIRE_SLUGS or place.split(" ", 1)[0] in WIRE_SLUGS:
        return None
    words = place.split(" ")
    if words[-1] in ORG_WORDS and place not in _PLACES_NAMED_LIKE_ORGS:
        return None
    if len(words) == 1 and (len(place) <= 3 or _VOWEL.search(place) is None):
        return None
    if seen:
        return None  # the name is something else elsewhere in the article
    if place not in KNOWN_PLACES and _called_an_org(text, s):
        return None
    return "GPE"


def _called_an_org(text: str, s: Span) -> bool:
    """Whether the prose after the dateline-like name *s* says it is an organisation (a
    ticker after it, or a paragraph opening on "The company…"): module doc."""
    if _TICKER.match(text, s.end) is not None:
        return True
    start = _PROSE.match(text, s.end)
    opening = _OPENING_NP.match(text, start.end() if start is not None else s.end)
    if opening is None:
        return False
    head = ""
    for word in opening.group(1).split():
        if word in _NP_ENDS:
            break
        head = word.removesuffix("'s").removesuffix("’s")
        if head != word and _an_org_noun(head):
            break  # "The company's shares…"
    return _an_org_noun(head)


def _an_org_noun(word: str) -> bool:
    return word in ORG_NOUNS or word.endswith("maker")
