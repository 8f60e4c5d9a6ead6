"""Repairs of what every entity model gets wrong on news, span by span, for any article.

The consistency rules (:mod:`reader.entities.consistency`) make an article agree with
itself; these come first and fix single spans from the text around them. Each is a
:data:`~reader.entities.consistency.Rule` (the article and its sorted, non-overlapping
spans in, new spans out), never touches a user's span, only shrinks or relabels (so spans
stay inside the text and apart), and gives the same result when run again:

- :func:`strip_edges` – spaces and a trailing ``:``, ``;`` or ``,`` are no part of a name.
- :func:`strip_leading_the` – a lowercase "the" opening an entity is not part of it:
  "the Foreign Office" is "Foreign Office" (OntoNotes keeps it, news readers and the
  entity panel do not: the two are one entity), "the 1980s" is "1980s".
- :func:`split_credits` – a photo credit is an agency and a photographer, not one name:
  "REUTERS / Kevin Lamarque" is ORG "REUTERS" and PERSON "Kevin Lamarque"; "Photo: Jane
  Roe" is PERSON "Jane Roe".
- :func:`strip_numbers` – a number in a results table or score is not part of a name:
  "Arsenal 2" (before "-1", or on a line of figures) is "Arsenal", "Brentford 1 Arsenal 1"
  is two names; a person's name never holds a number.
- :func:`outlets_as_org` – a newspaper, broadcaster, agency or platform the model calls a
  person is an ORG: the names in :data:`KNOWN_OUTLETS` (a short, curated list of the
  platforms and wire agencies news cites most, whose names are nobody's), and any name the
  article itself introduces as one ("publication Dawn", "the Dawn newspaper", "Dawn, the
  country's oldest daily": the nouns in :data:`OUTLET_NOUNS`), in every mention.
- :func:`misc_terms_as_event` – the few coined words news uses as names of events
  (:data:`MISC_TERMS`: COVID-19, Brexit...) are not a person, organisation or place.
- :func:`split_datelines` – a dateline opening a story is a place, then the story: the
  model often reads "DHAKA — Halcyon Telecom said" as one ORG, or "BERLIN" of "BERLIN,
  Dec 20 (Reuters) -" as a person. Only the story's first paragraph opens with one (the
  text's first line of prose, after the title and a byline), and its place (in capitals,
  before a dash, maybe with a date and the agency between) is a GPE only when the model's
  span ran on over the dash, or a date or an agency follows it: "UN — The United
  Nations…" keeps its ORG, "JOHN SMITH — Editor…" its PERSON. An acronym the news uses
  for an organisation (:data:`ORG_ACRONYMS`: "NATO - Russia talks…") or a wire slug
  (:data:`WIRE_SLUGS`: "BREAKING NEWS - Apple…") opens no dateline.
- :func:`drop_list_markers` – the number of an ordered list's item ("1." "2)" opening a
  line, in a plain-text article or as reader/library/markdown.py renders a Markdown list,
  also inside a quote's bars) is not a CARDINAL or ORDINAL: the model tags every one.

The first three run together, until none changes anything (:func:`fix_boundaries`).
Titles inside a person's span ("Gen", "President") are cut by the consistency rules'
``strip_titles``, which runs after these.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from reader.entities.span import Span

if TYPE_CHECKING:  # consistency.py runs these rules: no import back at run time
    from reader.entities.consistency import ArticleText

__all__ = [
    "KNOWN_OUTLETS",
    "MISC_TERMS",
    "NAME_LABELS",
    "ORG_ACRONYMS",
    "OUTLET_NOUNS",
    "REPAIRS",
    "WIRE_SLUGS",
    "drop_list_markers",
    "fix_boundaries",
    "misc_terms_as_event",
    "outlets_as_org",
    "split_credits",
    "split_datelines",
    "strip_edges",
    "strip_leading_the",
    "strip_numbers",
]

#: The labels of names: what a leading "the" and a glued number are cut from.
NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)

# fmt: off
#: Platforms and wire agencies that news cites by name and that are nobody's name: always
#: an ORG when the model says PERSON. Curated and short on purpose (an outlet that is also
#: a first name, such as "Dawn" or "Mint", is found by :data:`OUTLET_NOUNS` instead).
KNOWN_OUTLETS: frozenset[str] = frozenset(
    {
        "Twitter", "Facebook", "Instagram", "YouTube", "TikTok", "WhatsApp", "Telegram",
        "Snapchat", "LinkedIn", "Reddit", "Weibo", "WeChat", "Threads", "Bluesky",
        "Reuters", "AFP", "AP", "Bloomberg", "Xinhua", "Interfax", "TASS", "Yonhap", "Kyodo",
        "ANI", "PTI", "BBC", "CNN", "Al Jazeera",
    }
)

#: Nouns that introduce an outlet by name, just before it ("publication Dawn", "the daily
#: Mint") or just after it ("the Dawn newspaper"): compared lowercase.
OUTLET_NOUNS: frozenset[str] = frozenset(
    {
        "newspaper", "paper", "daily", "weekly", "publication", "magazine", "tabloid",
        "broadcaster", "channel", "outlet", "website", "agency", "platform", "app",
    }
)

# ", the country's oldest English daily": an outlet noun within five words of the comma.
_APPOSITIVE_OUTLET = re.compile(
    r",\s+(?:the|a|an)\s+(?:[\w'’-]+\s+){0,4}?(?:"
    + "|".join(sorted(OUTLET_NOUNS))
    + r")\b",
    re.I,
)

#: Coined names of events news uses like words: never a person, organisation or place.
MISC_TERMS: frozenset[str] = frozenset(
    {"COVID-19", "Covid-19", "COVID", "Covid", "SARS-CoV-2", "Brexit", "Grexit"}
)
# fmt: on

_EDGES = re.compile(r"\s*(\S(?:.*?\S)??)[\s:;,]*", re.S)
_DIGIT = re.compile(r"\d")
_CREDIT_MARK = re.compile(r"[/:]")
_THE = re.compile(r"(?:the\s+)+(?=[^\W_])")
# "AGENCY / Name", "AGENCY/Name": the agency in capitals, then a capitalised name.
_CREDIT = re.compile(r"([A-Z][A-Z&.\- ]*[A-Z.])\s*/\s*(?=[A-Z][a-z])")
_CREDIT_LEAD = re.compile(r"(?:(?:photo|photograph|picture|image|credit|video)s?\s*:\s*)+", re.I)
# A number as it stands in a table or score: 2, 63, 2-1, 6-4, 3:0, (5), 1.
_NUMBER_PATTERN = r"\(?\d+(?:[-–:.,]\d+)*\)?\.?"
_NUMBER = re.compile(_NUMBER_PATTERN)
_LETTER = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"[^\W\d_]+")
_SCORE_AFTER = re.compile(r"\s*[-–:]\s*\d")
_SCORE_BEFORE = re.compile(r"\d\s*[-–:]\s*$")
_FIGURE = re.compile(r"(?<![\w.])\d+(?:[-–:.,]\d+)*(?![\w])")
_SCORE = re.compile(r"\d[-–:]\d")
_LIST_MARKER = re.compile(r"(?:[ \t]|│)*(\d{1,9})[.)](?=[ \t])")
"""An ordered list's item marker at the start of a line: indentation or quote bars (the
Markdown renderer's ``│``), 1 to 9 digits (CommonMark's limit), ``.`` or ``)``, a space."""
#: What opens a wire headline as a dateline would, and is no place ("EXCLUSIVE - Apple...").
WIRE_SLUGS = frozenset(
    {
        "EXCLUSIVE", "UPDATE", "BREAKING", "ANALYSIS", "FACTBOX", "INSIGHT", "COLUMN",
        "WRAPUP", "RPT", "REFILE", "CORRECTED", "FEATURE", "INTERVIEW", "OPINION",
        "EDITORIAL", "WATCH", "LIVE", "VIDEO", "PHOTOS", "POLL", "REVIEW", "SPECIAL REPORT",
        "NEWS", "LATEST", "UPDATED", "URGENT", "FLASH", "ALERT", "EXPLAINER", "FACT CHECK",
    }
)  # fmt: skip
#: Organisations news names by an acronym in capitals, as a dateline names a place: "NATO -
#: Russia talks…" opens with no place. Those a story opens with most (world bodies, sport,
#: agencies): a short list, not every acronym; the model's own ORG or PERSON for a dateline's
#: place alone is kept anyway unless a date or an agency follows it.
ORG_ACRONYMS = frozenset(
    {
        "NATO", "UN", "EU", "AU", "ASEAN", "OPEC", "OECD", "IMF", "WHO", "WTO", "IAEA",
        "UNESCO", "UNICEF", "UNHCR", "ICC", "ICJ", "ECB", "FIFA", "UEFA", "IOC", "NBA",
        "NFL", "NHL", "MLB", "NASA", "ESA", "FBI", "CIA", "NSA", "FDA", "SEC", "EPA", "CDC",
        "NHS", "BBC", "CNN", "AP", "AFP", "ANC", "GOP", "ISIS", "IS", "PLO", "IRA", "IDF",
    }
)  # fmt: skip
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z.'’\-]*[A-Z.](?: [A-Z][A-Z.'’\-]*[A-Z.])*)"
    r"(?P<date>, [A-Z][a-z]{2,3}\.? \d{1,2})?"
    r"(?: \((?P<agency>[A-Z][A-Za-z]+)\))?"
    r" (?P<dash>[-–—]{1,2}) (?=\S)"
)
"""A dateline: the place in capitals (two letters or more), maybe a date ("Dec 20") and the
agency in brackets, a dash between spaces; the story goes on after it."""
_PROSE_LINE = re.compile(r"[ \t]*(?P<line>[^\n]{40,}?[.!?…][\"'”’»)]*)[ \t]*(?:\n|\Z)")
"""A line of prose: 40 characters or more, ending as a sentence ends (a title, a byline or
a heading does not)."""
_TABLE_LINE_FIGURES = 4
"""A line with this many figures or more is a row of a table (results, standings); so is
one with two or more and no lowercase word ("Brentford 1 Arsenal 1")."""


def strip_edges(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Cut spaces, line breaks and a trailing ``:``, ``;`` or ``,`` from every entity's
    edges ("Premier League:" in a headline, "Kim Coghill\n" at the end of a story)."""
    result = []
    for s in spans:
        if not (s.text[0].isspace() or s.text[-1].isspace() or s.text[-1] in ":;,"):
            result.append(s)
            continue
        start, end = _trimmed(doc, s.start, s.end)
        if s.source != "user" and (start, end) != (s.start, s.end):
            s = doc.span(start, end, s.label)
        result.append(s)
    return result


def _trimmed(doc: ArticleText, start: int, end: int) -> tuple[int, int]:
    """``start:end`` without the spaces and trailing ``:;,`` :func:`strip_edges` cuts."""
    m = _EDGES.fullmatch(doc.text, start, end)
    return (m.start(1), m.end(1)) if m else (start, end)


def strip_leading_the(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Cut a lowercase "the" (and the space after it) from the front of every entity: of a
    name when a capitalised word or a number follows ("the Foreign Office", not "the
    north"), of a date or figure always ("the 1980s", "the day")."""
    result = []
    for s in spans:
        m = _THE.match(s.text)
        if m and s.source != "user":
            rest = s.text[m.end()]
            if s.label not in NAME_LABELS or rest.isupper() or rest.isdigit():
                s = doc.span(s.start + m.end(), s.end, s.label)
        result.append(s)
    return result


def split_credits(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Split "AGENCY / Name" into the agency (ORG) and the name (PERSON); cut "Photo:"."""
    result: list[Span] = []
    for s in spans:
        if (
            s.source == "user"
            or s.label not in ("PERSON", "ORG")
            or not _CREDIT_MARK.search(s.text)
        ):
            result.append(s)
            continue
        the = _THE.match(s.text)  # "the REUTERS / ...": the credit after it
        name = the.end() if the else 0
        credit = _CREDIT.match(s.text, name)
        if credit is not None and credit.end() < len(s.text):
            result.append(doc.span(s.start + name, s.start + credit.end(1), "ORG"))
            name = credit.end()
        lead = _CREDIT_LEAD.match(s.text, name)
        if lead and lead.end() < len(s.text) and s.text[lead.end()].isupper():
            name = lead.end()
        elif credit is None or credit.end() >= len(s.text):
            result.append(s)
            continue
        result.append(doc.span(s.start + name, s.end, "PERSON"))
    return result


def strip_numbers(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Cut the scores and table figures out of names: from either end ("Arsenal 2" before
    "-1"), and from inside, which splits a results row the model read as one name
    ("Brentford 1 Arsenal 1" is "Brentford" and "Arsenal"); every number out of a person's
    name. A number the name owns ("Apollo 11", "Hannover 96" in prose) stays."""
    result: list[Span] = []
    for s in spans:
        result.extend(_strip_numbers(doc, s))
    return result


def _strip_numbers(doc: ArticleText, s: Span) -> list[Span]:
    if s.label not in NAME_LABELS or s.source == "user" or not _DIGIT.search(s.text):
        return [s]
    pieces: list[list[int]] = [[]]  # [start, end] of each run of tokens between figures
    for token in re.finditer(r"\S+", s.text):
        start, end = s.start + token.start(), s.start + token.end()
        number = token.group().rstrip(",;:")  # "2," is the number 2
        if _NUMBER.fullmatch(number) and _is_figure(doc, s, number, start, start + len(number)):
            pieces.append([])
        elif pieces[-1]:
            pieces[-1][1] = end
        else:
            pieces[-1] = [start, end]
    kept = [
        _trimmed(doc, a, b) for a, b in (p for p in pieces if p) if _LETTER.search(doc.text, a, b)
    ]
    if not kept or kept == [(s.start, s.end)]:
        return [s]
    return [doc.span(a, b, s.label) for a, b in kept]


def _is_figure(doc: ArticleText, s: Span, number: str, start: int, end: int) -> bool:
    """Whether *number* (at ``start:end``) in span *s* is a figure, not part of the name:
    always in a person's name; else when it is a score ("2-1") or half of one ("2" before
    "-1", "1" after "2-"), or stands on a row of a table."""
    if s.label == "PERSON" or _SCORE.search(number) or _SCORE_AFTER.match(doc.text, end):
        return True
    if _SCORE_BEFORE.search(doc.text, max(0, start - 8), start):
        return True
    line_start = doc.text.rfind("\n", 0, start) + 1
    line_end = doc.text.find("\n", end)
    line = doc.text[line_start : len(doc.text) if line_end < 0 else line_end]
    figures = len(_FIGURE.findall(line))
    prose = any(w.islower() and len(w) > 2 for w in _WORDS.findall(line))
    return figures >= _TABLE_LINE_FIGURES or (figures >= 2 and not prose)


def outlets_as_org(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Relabel as ORG every PERSON that is a known outlet, or one the article calls one
    where it names it (any whole-word occurrence of the same text, tagged or not)."""
    forms = {s.text for s in spans if s.label == "PERSON" and s.source != "user"}
    if not forms:
        return spans
    cues = _OutletCues(doc.text)
    outlets = {form for form in forms if form in KNOWN_OUTLETS or cues.introduce(form)}
    return [
        doc.span(s.start, s.end, "ORG")
        if s.label == "PERSON" and s.source != "user" and s.text in outlets
        else s
        for s in spans
    ]


class _OutletCues:
    """Where the article's outlet nouns are, to tell in O(1) whether a name is next to one."""

    def __init__(self, text: str) -> None:
        self.text = text
        lowered = text.lower()
        if len(lowered) != len(text):  # a rare letter whose lowercase is longer
            lowered = "".join(c.lower()[:1] or c for c in text)
        nouns = [(a, a + len(noun)) for noun in OUTLET_NOUNS for a in _whole_words(lowered, noun)]
        self.any = bool(nouns)
        # "publication Dawn": a name starting one space after a noun; "Dawn newspaper":
        # a name ending one space before one.
        self.starts = {b + 1 for a, b in nouns if text.startswith(" ", b)}
        self.ends = {a - 1 for a, b in nouns if a and text[a - 1] == " "}

    def introduce(self, form: str) -> bool:
        """Whether an outlet noun is right before or after an occurrence of *form*, or ends
        the phrase set off after it ("Dawn, the country's oldest English daily")."""
        if not self.any:
            return False
        return any(
            start in self.starts
            or start + len(form) in self.ends
            or (
                self.text.startswith(",", start + len(form))
                and _APPOSITIVE_OUTLET.match(self.text, start + len(form)) is not None
            )
            for start in _whole_words(self.text, form)
        )


def _whole_words(text: str, form: str) -> Iterator[int]:
    """Yield where *form* stands in *text* as whole words (str.find: fast on long text)."""
    start = text.find(form)
    while start != -1:
        end = start + len(form)
        if (start == 0 or not text[start - 1].isalnum()) and (
            end == len(text) or not text[end].isalnum()
        ):
            yield start
        start = text.find(form, start + 1)


def misc_terms_as_event(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Relabel as EVENT the coined event names of :data:`MISC_TERMS` the model calls a
    person, organisation or place."""
    return [
        doc.span(s.start, s.end, "EVENT")
        if s.text in MISC_TERMS and s.label in ("PERSON", "ORG", "GPE") and s.source != "user"
        else s
        for s in spans
    ]


def split_datelines(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Split an entity that starts with the story's dateline and runs on over its dash
    ("DHAKA — Halcyon Telecom", one ORG; "DHAKA —") into the place (GPE), the agency in
    brackets if it holds it (ORG) and the words after the dash (its label); an entity that
    is the dateline's place alone is a GPE when a date or an agency follows it ("BERLIN,
    Dec 20 (Reuters) -"), else keeps the model's label. The dateline opens the story's
    first paragraph (:func:`_story_opening`); a person's span, an acronym of
    :data:`ORG_ACRONYMS` and a wire slug are left as they are."""
    text = doc.text
    opening = _story_opening(text)
    m = _DATELINE.match(text, opening) if opening is not None else None
    if m is None:
        return spans
    place = m.group("place")
    if place in ORG_ACRONYMS or place in WIRE_SLUGS or place.split(" ", 1)[0] in WIRE_SLUGS:
        return spans
    result: list[Span] = []
    for s in spans:
        ran_on = s.end >= m.end("dash")  # over the dash: "DHAKA —", "DHAKA — Halcyon"
        if (
            s.start != opening
            or s.source == "user"
            or s.label not in NAME_LABELS
            or s.end < m.end("place")
            or (s.end == m.end("place") and s.label == "GPE")
            or (ran_on and s.label == "PERSON")  # "JOHN SMITH — Editor…": a name
            or not (ran_on or m.group("date") or m.group("agency"))  # "ACME —": the model's
        ):
            result.append(s)
            continue
        result.append(doc.span(m.start("place"), m.end("place"), "GPE"))
        if m.group("agency") and s.end >= m.end("agency"):
            result.append(doc.span(m.start("agency"), m.end("agency"), "ORG"))
        if s.end > m.end():
            start, end = _trimmed(doc, m.end(), s.end)
            if _LETTER.search(text, start, end):
                result.append(doc.span(start, end, s.label))
    return result


def _story_opening(text: str) -> int | None:
    """Where the story's first paragraph starts: the text's first line of prose
    (:data:`_PROSE_LINE`), after the title and a byline; None when it has none."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        found = _PROSE_LINE.match(text, start, end + 1)
        if found is not None:
            return found.start("line")
        start = end + 1
    return None


def drop_list_markers(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Drop every CARDINAL or ORDINAL that is exactly an ordered list's item number at the
    start of a line ("1" or "1." of "1. Ministers met…"): a position in a list, not an
    amount the article talks about. A number later on the line stays."""
    text = doc.text
    result = []
    for s in spans:
        if s.label in ("CARDINAL", "ORDINAL") and s.source != "user":
            m = _LIST_MARKER.match(text, text.rfind("\n", 0, s.start) + 1)
            if m is not None and m.start(1) == s.start and s.end in (m.end(1), m.end()):
                continue
        result.append(s)
    return result


def fix_boundaries(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """:func:`strip_edges`, :func:`split_credits` and :func:`strip_numbers` until none
    changes anything: one may uncover work for another ("Photo: Jane Roe 2" is a PERSON
    with a number only once the credit is cut). Each only shrinks or splits spans, so this
    ends (after at most a few rounds on real text)."""
    while True:
        fixed = strip_numbers(doc, split_credits(doc, strip_edges(doc, spans)))
        if fixed == spans:
            return fixed
        spans = fixed


REPAIRS = (
    strip_edges,
    split_credits,
    strip_numbers,
    split_datelines,
    fix_boundaries,
    strip_leading_the,
    outlets_as_org,
    misc_terms_as_event,
    drop_list_markers,
)
"""Every repair, in the order the consistency rules' :data:`RULES` run them."""
