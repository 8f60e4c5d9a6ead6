"""Document-level consistency rules applied to the model's entities, one article at a time.

The small English model labels every mention on its own, so within one article it calls
the same man PERSON, ORG and GPE, keeps "Gen" and a possessive "’s" inside names, and
stops a name half way. :func:`apply_consistency` repairs that from the text and the spans
alone (string logic, no spaCy), deterministically. First the repairs of single spans that
every model needs (reader/entities/repairs.py: an ordered list's item numbers dropped,
a dateline split from the name the model read it into, then spaces and colons at the
edges, photo credits and numbers glued to names; a leading "the" after rule 2, which may
extend a span that has one; outlets and platforms as ORG, coined event names as EVENT and
a dateline's place in capitals at a paragraph's start as a place, not an ORG
(reader/entities/datelines.py), after rule 3), then the rules in this order:

1. **Possessive** – a trailing ``’s`` / ``'s`` (or a bare ``’`` / ``'`` after an s, as in
   "Jones’") is cut off every entity: "Lavrov’s" becomes "Lavrov". So is everything from a
   possessive followed by a word that is not capitalised, which no name has inside it
   ("Arsenal’s third" becomes "Arsenal"; "People's Republic" stays).
2. **Name continuation** – a PERSON is extended over the capitalised name words that follow
   it, one space apart ("Shah Mahmood" + "Qureshi", "Qamar" + "Javed Bajwa"), with lowercase
   particles such as "bin" or "van" between two of them. A span lying wholly inside the added
   words is replaced if it is a PERSON or a single word ("Qureshi" tagged GPE); a longer one
   ("Qureshi Foundation") or a user's span stops the extension. Never across punctuation or
   a line break, never over a function word, month, weekday, headline verb or office
   (:data:`NOT_NAME_WORDS`) or an all-caps word, and never on a line in Title Case (fewer
   than a third of its words lowercase: a headline such as "Lavrov Says Russia Will Help";
   the line is the one the name ends on, where it would continue).
3. **Titles** – leading titles and honorifics (:data:`TITLES`, optionally preceded by
   qualifiers such as "Prime", "Foreign", "Army", see :data:`TITLE_QUALIFIERS`) are cut off
   every PERSON, as long as a capitalised word remains: "Gen Qamar" becomes "Qamar".
4. **Surnames** – the last word of every PERSON of two words or more, alone as a whole word
   (also before a possessive), is that PERSON: a span that is exactly that word is relabelled
   PERSON, and an uncovered occurrence gets a new PERSON span.
5. **Majority** – one surface form gets one label: spans with the same text (case-sensitive)
   take the label most of them carry; on a tie each keeps its own.
6. **Repeats** – every whole-word occurrence of a recognised surface form that no span covers
   gets a span with that form's label, for forms with a letter, at least two characters and
   not all lowercase.

Why this order: 1 first, so that the later rules compare bare names ("Lavrov", not
"Lavrov’s"), and a possessive ends a name being continued. 2 before 3, so that titles are
cut from the whole name, also when the model tagged the title with only part of it or alone
("President" + "Joe Biden"). 2 and 3 before 4, because the surname comes from the whole
name ("Qureshi" only becomes a surname once "Shah Mahmood" is continued over it). 4 before
5, because a recognised full name is stronger evidence than a vote: the model called
"Qureshi" GPE every time it saw it alone, and only the full name says otherwise; the vote
then still makes each surface form consistent. 6 last, so that missed repeats take the
label the article settled on.

New spans from rules 4 and 6 are not added where they would be wrong more often than right:
inside a longer capitalised phrase ("Pakistan" in "Pakistan Army"; a title or function word
next to it does not count, and neither does anything on a Title Case line, where every word
is capitalised), before a number ("May 5"), at the start of a sentence when the same word
is also used in lowercase in the article ("Rice" when it says "rice"), and, for a PERSON,
after a place preposition ("in Washington"). Rule 4 does not relabel a place after such a
preposition either.

Spans whose source is "user" are authoritative: no rule changes, removes or overlaps them,
and they do not vote. Input spans that overlap each other are first reduced to a
non-overlapping set (user spans first, then longer before shorter). The result is sorted and
non-overlapping; a span the rules created or changed has source "consistency", one they left
alone keeps its own. The rules run again until nothing changes (at most
:data:`_MAX_PASSES` times; a second pass is almost always the last), so that the result
applied to itself is the result.

Known limits: a name that really ends in "'s" (McDonald's, Christie's) loses it; a person
whose surname is also a place keeps the place label where most mentions are the place.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from reader.entities.datelines import datelines_as_places
from reader.entities.matching import WORD_END, WORD_START, non_overlapping
from reader.entities.repairs import (
    drop_list_markers,
    fix_boundaries,
    misc_terms_as_event,
    outlets_as_org,
    split_datelines,
    strip_leading_the,
)
from reader.entities.span import Source, Span

__all__ = [
    "NOT_NAME_WORDS",
    "RULES",
    "TITLES",
    "TITLE_QUALIFIERS",
    "ArticleText",
    "Rule",
    "add_repeats",
    "apply_consistency",
    "apply_majority",
    "apply_surnames",
    "continue_names",
    "strip_possessives",
    "strip_titles",
]

# fmt: off
#: Titles and honorifics cut from the front of a PERSON (compared lowercase, without a
#: trailing full stop).
TITLES: frozenset[str] = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord",
        "hon", "honourable", "gen", "general", "lt", "lieut", "lieutenant", "col", "colonel",
        "maj", "major", "capt", "captain", "cpt", "adm", "admiral", "brig", "brigadier", "cmdr",
        "commander", "sgt", "sergeant", "cpl", "corporal", "marshal", "commodore", "president",
        "vice-president", "premier", "chancellor", "minister", "secretary", "ambassador",
        "envoy", "senator", "sen", "representative", "rep", "congressman", "congresswoman",
        "governor", "gov", "mayor", "speaker", "chairman", "chairwoman", "chief", "judge",
        "justice", "commissioner", "king", "queen", "prince", "princess", "emperor", "empress",
        "sultan", "emir", "sheikh", "shaikh", "pope", "cardinal", "archbishop", "bishop",
        "rabbi", "imam", "ayatollah", "rev", "reverend", "pastor"
    }
)

#: Words that may come before a title within the title ("Prime Minister", "Army Chief Gen").
TITLE_QUALIFIERS: frozenset[str] = frozenset(
    {
        "prime", "foreign", "deputy", "vice", "acting", "former", "interim", "army", "navy",
        "air", "defence", "defense", "interior", "finance", "home", "health", "trade",
        "education", "state", "federal", "senior", "supreme", "grand", "high", "first",
        "opposition", "crown", "field", "staff", "lance", "of", "the"
    }
)

#: Capitalised words that are never the next part of a name (compared lowercase): function
#: words, pronouns, weekdays, months, headline verbs and the commonest offices.
NOT_NAME_WORDS: frozenset[str] = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "by",
        "with", "from", "as", "into", "onto", "over", "under", "about", "after", "before",
        "since", "until", "while", "when", "where", "why", "how", "what", "who", "whom",
        "whose", "which", "that", "this", "these", "those", "it", "its", "he", "him", "his",
        "she", "her", "they", "them", "their", "we", "us", "our", "i", "me", "my", "you",
        "your", "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had",
        "do", "does", "did", "will", "would", "shall", "should", "can", "could", "may", "might",
        "must", "not", "no", "yes", "so", "if", "then", "than", "also", "too", "only", "even",
        "yet", "still", "just", "here", "there", "now", "today", "tonight", "yesterday",
        "tomorrow", "says", "said", "say", "tells", "told", "asks", "asked", "urges", "urged",
        "calls", "called", "meets", "met", "visits", "visited", "warns", "warned", "vows",
        "vowed", "agrees", "agreed", "backs", "backed", "slams", "hits", "wins", "won", "gets",
        "got", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "june", "july", "august", "september",
        "october", "november", "december", "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col",
        "capt", "sgt", "adm", "rev", "sen", "rep", "gov", "president", "minister", "prime",
        "secretary", "senator", "governor", "mayor", "chancellor", "ambassador"
    }
)

_PARTICLES = frozenset(
    {
        "al", "el", "bin", "ibn", "van", "von", "de", "da", "del", "della", "der", "den", "di",
        "du", "le", "la", "dos", "das", "ter"
    }
)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_PLACE_PREPOSITIONS = frozenset(
    {
        "in", "at", "near", "across", "inside", "outside", "throughout", "since", "until",
        "during"
    }
)
# fmt: on
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_NOT_NAME_OR_TITLE = NOT_NAME_WORDS | TITLES

# A word: letters, with inner hyphens or apostrophes ("Jean-Pierre", "O'Brien", "Lavrov’s").
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"(?:(?<=[^\W_])['’][sS]|(?<=[sS])['’])$")
# A possessive inside a span, before a word that is not capitalised: "Arsenal’s third".
_POSSESSIVE_OVERRUN = re.compile(r"(?:(?<=[^\W_])['’][sS]|(?<=[sS])['’])\s+(?=\w)")
_MAX_PASSES = 4
_SENTENCE_END = frozenset(".!?:…\n")
_OPENERS = frozenset(" \t\"“‘'([«")


def apply_consistency(
    text: str, spans: Sequence[Span], rules: Sequence[Rule] | None = None
) -> list[Span]:
    """Return *spans* made consistent across the article *text* (rules in the module doc).

    The result is sorted and non-overlapping; every span a rule created or changed has
    source "consistency", the others keep theirs. *rules* defaults to :data:`RULES`; a
    subset of it, in the same order, is for measuring what each rule is worth.
    """
    doc = ArticleText(text)
    original = {(s.start, s.end, s.label): s.source for s in spans}
    current = non_overlapping(spans)
    # Until stable: a span one rule adds can give another rule something to do (a repeat
    # of "Lavrov" before "bin Lavrov" continues into one name), so one pass is not always
    # the last; applied to its own result, the answer must not change.
    for _ in range(_MAX_PASSES):
        before = current
        for rule in RULES if rules is None else rules:
            current = rule(doc, current)
        if current == before:
            break
    result = []
    for s in sorted(current):
        source = original.get((s.start, s.end, s.label), "consistency")
        result.append(s if s.source == source else doc.span(s.start, s.end, s.label, source))
    return result


@dataclass
class ArticleText:
    """The article text with what the rules look up in it more than once."""

    text: str
    lowercase_words: frozenset[str] = field(init=False)
    """Every word the article uses in lowercase somewhere."""
    _title_case_lines: dict[int, bool] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.lowercase_words = frozenset(w for w in _WORD.findall(self.text) if w.islower())

    def span(self, start: int, end: int, label: str, source: Source = "consistency") -> Span:
        """Return a span over ``text[start:end]``."""
        return Span(start, end, label, self.text[start:end], source)

    def word_before(self, start: int) -> str | None:
        """Return the word one space before *start*, or None if there is none."""
        if start < 2 or self.text[start - 1] != " " or self.text[start - 2] in " \t\n":
            return None
        i = start - 2
        while i >= 0 and (self.text[i].isalnum() or self.text[i] in "-'’."):
            i -= 1
        word = self.text[i + 1 : start - 1]
        if word.endswith(".") and word.rstrip(".").lower() not in TITLES:
            return None  # a full stop ends the sentence unless it ends "Gen." or "Mr."
        word = word.strip(".")
        return word if word and word[0].isalpha() else None

    def word_after(self, end: int) -> str | None:
        """Return the word one space after *end*, or None if there is none."""
        if not self.text.startswith(" ", end):
            return None
        m = _WORD.match(self.text, end + 1)
        return m.group() if m else None

    def is_title_case_line(self, pos: int) -> bool:
        """Whether the line holding *pos* reads like a headline: under a third lowercase."""
        start = self.text.rfind("\n", 0, pos) + 1
        known = self._title_case_lines.get(start)
        if known is None:
            # Memoised per line: an article that is one long line (a 2 MiB file, say)
            # would otherwise be rescanned for every name on it.
            end = self.text.find("\n", pos)
            words = _WORD.findall(self.text, start, len(self.text) if end < 0 else end)
            lowercase = sum(1 for w in words if w[0].islower())
            known = self._title_case_lines[start] = lowercase * 3 < len(words)
        return known

    def is_sentence_start(self, start: int) -> bool:
        """Whether *start* begins the text, a line or a sentence (after any opening quotes)."""
        i = start - 1
        while i >= 0 and self.text[i] in _OPENERS:
            i -= 1
        return i < 0 or self.text[i] in _SENTENCE_END


class _Occupied:
    """The ranges already taken by spans, for quick overlap checks."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self._ranges = sorted((s.start, s.end) for s in spans)

    def is_free(self, start: int, end: int) -> bool:
        """Whether no taken range overlaps ``[start, end)``."""
        i = bisect_left(self._ranges, (end, -1))
        # Ranges are disjoint and sorted, so only the last one starting before *end* can reach.
        return i == 0 or self._ranges[i - 1][1] <= start

    def take(self, start: int, end: int) -> None:
        """Mark ``[start, end)`` as taken."""
        insort(self._ranges, (start, end))


def strip_possessives(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Rule 1: cut a trailing ’s / 's (or ’ / ' after an s), or a possessive overrun."""
    return [_strip_possessive(doc, s) for s in spans]


def _strip_possessive(doc: ArticleText, s: Span) -> Span:
    if s.source == "user":
        return s
    cut = None
    for overrun in _POSSESSIVE_OVERRUN.finditer(s.text):
        if not s.text[overrun.end()].isupper():
            cut = overrun.start()
            break
    if cut is None and (trailing := _POSSESSIVE.search(s.text)):
        cut = trailing.start()
    if cut is None or not any(c.isalnum() for c in s.text[:cut]):
        return s
    return doc.span(s.start, s.start + cut, s.label)


def strip_titles(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Rule 3: cut leading titles ("Gen", "Prime Minister", "Army Chief Gen") off PERSONs."""
    return [_strip_titles(doc, s) for s in spans]


def _strip_titles(doc: ArticleText, s: Span) -> Span:
    if s.label != "PERSON" or s.source == "user":
        return s
    tokens = list(re.finditer(r"\S+", s.text))
    cut = 0
    seen_title = False
    for i, token in enumerate(tokens[:-1]):
        word = token.group().rstrip(".,").lower()
        if word in TITLES:
            seen_title = True
        elif word not in TITLE_QUALIFIERS:
            break
        if seen_title and word not in ("of", "the"):
            cut = i + 1
    if cut == 0 or not tokens[cut].group()[0].isupper():
        return s
    return doc.span(s.start + tokens[cut].start(), s.end, s.label)


def _is_name_word(word: str) -> bool:
    """Whether *word* can be part of a person's name: capitalised, not a known non-name."""
    parts = word.split("-")
    return (
        word[0].isupper()
        and not (len(word) > 1 and word.isupper())
        and word.lower() not in NOT_NAME_WORDS
        and all(p[:1].isupper() or p.lower() in _PARTICLES for p in parts)
    )


def _name_word_ends(doc: ArticleText, pos: int) -> list[int]:
    """Return where each name word following *pos* (one space apart) ends, in order."""
    text = doc.text
    ends: list[int] = []
    while text.startswith(" ", pos):
        m = _WORD.match(text, pos + 1)
        if m and m.group().lower() in _PARTICLES:  # "bin", "van": only between two names
            m = _WORD.match(text, m.end() + 1) if text.startswith(" ", m.end()) else None
        if not m or (m.end() < len(text) and text[m.end()].isalnum()):
            break
        word, end = m.group(), m.end()
        possessive = _POSSESSIVE.search(word)
        if possessive:
            word, end = word[: possessive.start()], m.start() + possessive.start()
        if not word or not _is_name_word(word):
            break
        ends.append(end)
        if possessive:
            break
        pos = end
    return ends


def continue_names(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Rule 2: extend each PERSON over the capitalised name words right after it."""
    result = list(spans)
    i = 0
    while i < len(result):
        s = result[i]
        ends = []
        if (
            s.label == "PERSON"
            and s.source != "user"
            and (s.text[-1].isalpha() or s.text[-1] == ".")  # never across punctuation
            # The line the name would continue on: a title stripped later ("Gen" at the
            # end of a headline line, the name on the next) must not change the answer.
            and not doc.is_title_case_line(s.end - 1)
        ):
            ends = _name_word_ends(doc, s.end)
        for end in reversed(ends):
            inside = [o for o in result[i + 1 :] if o.start < end]
            if all(_may_absorb(o, end) for o in inside):
                result[i : i + 1 + len(inside)] = [doc.span(s.start, end, s.label)]
                break
        i += 1
    return result


def _may_absorb(s: Span, end: int) -> bool:
    """Whether a name continued up to *end* may replace *s*: a PERSON, or one other word."""
    return (
        s.source != "user"
        and s.end <= end
        and (s.label == "PERSON" or _WORD.fullmatch(s.text) is not None)
    )


def _surname(s: Span) -> str | None:
    """Return the surname of a PERSON of two words or more ("Qureshi"), else None."""
    words = [w.strip(".,") for w in s.text.split()]
    if len(words) > 2 and words[-1].lower() in _NAME_SUFFIXES:
        words.pop()
    if len(words) < 2:
        return None
    last = _POSSESSIVE.sub("", words[-1])
    if len(last) < 2 or not _WORD.fullmatch(last) or not _is_name_word(last):
        return None
    return last


def _occurrences(doc: ArticleText, form: str) -> Iterator[tuple[int, int]]:
    """Yield the whole-word occurrences of *form* (a possessive after it is allowed)."""
    text = doc.text
    if not form:
        return
    start = text.find(form)
    while start != -1:
        end = start + len(form)
        # WORD_START and WORD_END are tested where ``str.find`` found the form.
        if WORD_START.match(text, start) and WORD_END.match(text, end):
            yield start, end
            start = text.find(form, end)
        else:
            start = text.find(form, start + 1)


def _after_place_preposition(doc: ArticleText, start: int) -> bool:
    before = doc.word_before(start)
    return before is not None and before in _PLACE_PREPOSITIONS


def _may_add(doc: ArticleText, start: int, end: int, label: str) -> bool:
    """Whether a new span may go on ``text[start:end]`` (the guards in the module doc)."""
    text = doc.text
    if text[end : end + 2].strip()[:1].isdigit():
        return False
    # Capitals inside a longer phrase ("Pakistan Army") mean a longer name, except on a
    # Title Case line, where every word has one.
    if not doc.is_title_case_line(start):
        before, after = doc.word_before(start), doc.word_after(end)
        if before and before[0].isupper() and before.lower() not in _NOT_NAME_OR_TITLE:
            return False
        if after and after[0].isupper() and after.lower() not in NOT_NAME_WORDS:
            return False
    first = _WORD.match(text, start)
    if (
        doc.is_sentence_start(start)
        and first is not None
        and first.group().lower() in doc.lowercase_words
    ):
        return False
    return not (label == "PERSON" and _after_place_preposition(doc, start))


def apply_surnames(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Rule 4: a PERSON's surname alone is that PERSON (relabel, or add a span)."""
    surnames = sorted({n for s in spans if s.label == "PERSON" and (n := _surname(s))})
    if not surnames:
        return spans
    result = []
    for s in spans:
        if (
            s.text in surnames
            and s.label != "PERSON"
            and s.source != "user"
            and not (s.label in _PLACE_LABELS and _after_place_preposition(doc, s.start))
        ):
            s = doc.span(s.start, s.end, "PERSON")
        result.append(s)
    occupied = _Occupied(result)
    for name in surnames:
        for start, end in _occurrences(doc, name):
            if occupied.is_free(start, end) and _may_add(doc, start, end, "PERSON"):
                occupied.take(start, end)
                result.append(doc.span(start, end, "PERSON"))
    return sorted(result)


def apply_majority(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Rule 5: every span of one surface form takes the form's majority label."""
    votes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for s in spans:
        if s.source != "user":
            votes[s.text][s.label] += 1
    winners = {}
    for form, counter in votes.items():
        (first, n1), *rest = counter.most_common(2)
        if not rest or rest[0][1] < n1:
            winners[form] = first
    return [
        doc.span(s.start, s.end, winners[s.text])
        if s.source != "user" and winners.get(s.text, s.label) != s.label
        else s
        for s in spans
    ]


def _is_repeatable(form: str) -> bool:
    return len(form) >= 2 and any(c.isalpha() for c in form) and form != form.lower()


def add_repeats(doc: ArticleText, spans: list[Span]) -> list[Span]:
    """Rule 6: add the missed whole-word repeats of every recognised surface form."""
    labels: defaultdict[str, set[str]] = defaultdict(set)
    for s in spans:
        if s.source != "user":
            labels[s.text].add(s.label)
    forms = sorted(
        (form for form, found in labels.items() if len(found) == 1 and _is_repeatable(form)),
        key=lambda form: (-len(form), form),
    )
    result = list(spans)
    occupied = _Occupied(spans)
    for form in forms:
        (label,) = labels[form]
        for start, end in _occurrences(doc, form):
            if occupied.is_free(start, end) and _may_add(doc, start, end, label):
                occupied.take(start, end)
                result.append(doc.span(start, end, label))
    return sorted(result)


Rule = Callable[[ArticleText, list[Span]], list[Span]]
"""A rule: takes the article and its sorted, non-overlapping spans, returns new ones."""

#: The rules in the order :func:`apply_consistency` runs them (see the module doc): the
#: repairs of single spans first (reader/entities/repairs.py), then the article's own.
RULES: tuple[Rule, ...] = (
    drop_list_markers,
    split_datelines,
    fix_boundaries,
    strip_possessives,
    continue_names,
    strip_leading_the,
    strip_titles,
    outlets_as_org,
    misc_terms_as_event,
    datelines_as_places,
    apply_surnames,
    apply_majority,
    add_repeats,
)
