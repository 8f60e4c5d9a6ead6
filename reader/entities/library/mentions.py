"""One article's entities as the entity index keeps them: each mention's name key (a lone
surname given to the article's one full name ending in it), its sentence, and the counts
per key and form.

Pure functions of the text and the spans (the finder's, as ``reader entities`` prints them).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from reader.entities.library.names import name_key, surname_of
from reader.entities.span import Span

__all__ = ["NUMERIC_LABELS", "IndexedMention", "article_mentions", "sentence_starts"]

NUMERIC_LABELS: frozenset[str] = frozenset(
    {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
)
"""Labels of amounts and dates rather than named things: indexed (so counts agree with
``reader entities``) but listed only when asked for by label, and left out of
co-occurrence and the graph."""

# A sentence ends at . ! ? … (closing quotes or brackets after it) and white space before
# a capital or a digit (an opening quote or bracket between); a line break always ends one.
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)\]]*[ \t]+(?=[\"“‘(\[]?(\w))|\n+")


@dataclass(frozen=True, slots=True)
class IndexedMention:
    """One mention, as the index stores it."""

    start: int
    """Offset of its first code point in the article's displayed text."""
    end: int
    """Offset one past its last."""
    key: str
    """The name key of the entity it belongs to in this article."""
    label: str
    """Its label."""
    form: str
    """Its text as written (one line)."""
    sentence: int
    """The number of its sentence in the article (from 0)."""


def sentence_starts(text: str) -> list[int]:
    """Where each sentence of *text* starts (the first is 0)."""
    starts = [0]
    for found in _SENTENCE_END.finditer(text):
        after = found.group(1)
        if after is None or after.isupper() or after.isdigit():
            starts.append(found.end())
    return starts


def article_mentions(text: str, spans: Sequence[Span]) -> list[IndexedMention]:
    """The mentions of *spans* in *text*, keyed for the library: a one-word PERSON key is
    given to the article's one PERSON key of two words or more ending in it, when there is
    exactly one (the article's "Lavrov" is its "Sergey Lavrov"). Spans whose text has no
    word are left out."""
    starts = sentence_starts(text)
    keyed: list[tuple[Span, str, str]] = []
    surnames: dict[str, set[str]] = {}
    for span in spans:
        key = name_key(span.text, span.label)
        if not key:
            continue
        keyed.append((span, key, " ".join(span.text.split())))
        if span.label == "PERSON":
            last = surname_of(key)
            if last is not None:
                surnames.setdefault(last, set()).add(key)
    mentions = []
    for span, key, form in keyed:
        if span.label == "PERSON" and " " not in key:
            full = surnames.get(key, set())
            if len(full) == 1:
                key = next(iter(full))
        sentence = bisect_right(starts, span.start) - 1
        mentions.append(IndexedMention(span.start, span.end, key, span.label, form, sentence))
    return mentions


def form_counts(mentions: Sequence[IndexedMention]) -> Counter[tuple[str, str, str]]:
    """Mentions per (key, label, form)."""
    return Counter((m.key, m.label, m.form) for m in mentions)
