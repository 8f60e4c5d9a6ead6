"""The user's entity corrections, applied to an article's spans after the model and the rules.

A :class:`Correction` relabels an entity, removes it, or adds one from a selection, for one
mention, for the whole article, or for every article. :func:`apply_corrections` applies a
list of them to the spans the model and the consistency rules found, as plain string logic
(our equivalent of spaCy's EntityRuler: no spaCy, deterministic, fast), so a correction made
once is applied to every later extraction.

**Order.** Global corrections first, then the article's, then the mention ones, so that the
more specific wins; within one scope in the order given (creation order), so that the later
wins.

**Scope "article" and "global"** (the two differ only in which corrections the caller
passes, and in the order above) work on surface text. A span is the correction's when its
text has the same *key* (:func:`surface_key`): the text compared as the entity index
groups an entity's spellings, case, accents, spacing, a possessive, a leading "the" and
punctuation folded (``Seoul``, ``SEOUL`` and ``Seoul’s`` are one; ``U.S.`` and ``US``
are one), but not a PERSON's titles (a key that hung on the label would change when a
correction changes the label). So a correction made everywhere reaches the whole entity
as the library shows it: the dateline ``SEOUL —`` follows ``Seoul``. A text with no word
in it (no key) is matched exactly.

- *relabel* gives every span with the key of ``text`` the new label. It adds nothing: a
  form the model missed needs an "add".
- *remove* drops every span with the key of ``text``.
- *add* makes every whole-word occurrence of ``text``, exactly as written (case too: an
  add of "US" must not mark the pronoun "us"), a span with the label, replacing every
  span it overlaps (a longer one included: adding "EurAsian Times" fixes a model span
  "Follow EurAsian Times"); then, as a relabel, gives the label to the spans with its key
  that are left (the model found "SEOUL" as GPE: the add of "Seoul" as LOC makes it LOC
  too). Whole word: the character before is not a letter, digit,
  underscore or hyphen, nor an apostrophe after one ("O’Dawn"); the character after is not
  one of those either, except a possessive: "Dawn’s" and "Jones’" hold an occurrence of
  "Dawn" and "Jones", "Dawning", "Dawn-based" and "Dawn’t" do not. These are the
  boundaries the consistency rules use for repeats. Occurrences of one text are taken
  leftmost first and never overlap each other.

**Scope "mention"** works on the offsets ``[start, end)`` of the correction, which the
caller has re-anchored in this text. A mention correction whose offsets are missing, out of
range, or do not hold ``text`` does nothing.

- *relabel* gives the span covering ``[start, end)`` (containing it, or exactly on it) the
  new label, keeping that span's extent. When no span covers it (the model found nothing
  there, or found only part of it), it acts as an *add* on ``[start, end)``: the user said
  this text is an entity with this label.
- *remove* drops the span covering ``[start, end)``; spans only overlapping it, or lying
  inside it, are left alone.
- *add* puts a span on ``[start, end)`` with the label, replacing every span it overlaps.

Every span a correction creates or touches gets source "user" (a relabel to the label the
span already had too: the user confirmed it); the others are returned as they came.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, cast

from reader.entities.library.names import name_key
from reader.entities.matching import WORD_END, WORD_END_PATTERN, WORD_START, non_overlapping
from reader.entities.span import Span
from reader.search.text_match import fold

__all__ = [
    "ACTIONS",
    "SCOPES",
    "Action",
    "Correction",
    "Scope",
    "apply_corrections",
    "correction_from_dict",
    "may_change",
    "surface_key",
]

Action = Literal["relabel", "remove", "add"]
"""What a correction does: give an entity another label, drop it, or add one."""

Scope = Literal["mention", "article", "global"]
"""How far a correction reaches: one mention, the article, or every article."""

ACTIONS: tuple[Action, ...] = ("relabel", "remove", "add")
"""Every :data:`Action`."""

SCOPES: tuple[Scope, ...] = ("global", "article", "mention")
"""Every :data:`Scope`, in the order :func:`apply_corrections` applies them."""


@dataclass(frozen=True, slots=True)
class Correction:
    """One correction of the entities, checked when it is built.

    Raises:
        ValueError: a field is outside the values described below.
    """

    action: Action
    """"relabel", "remove" or "add"."""
    scope: Scope
    """"mention", "article" or "global"."""
    text: str
    """The surface text of the entity (of the selection, for an add); not blank."""
    label: str | None = None
    """The new label, required for relabel and add; ignored by remove."""
    start: int | None = None
    """For scope "mention": where the mention starts in the text being corrected (offsets
    re-anchored by the caller); None when it could not be anchored, and then the correction
    does nothing. Ignored by the other scopes."""
    end: int | None = None
    """One past the mention's last code point; None exactly when ``start`` is."""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"correction action must be one of {ACTIONS}, not {self.action!r}")
        if self.scope not in SCOPES:
            raise ValueError(f"correction scope must be one of {SCOPES}, not {self.scope!r}")
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError(f"correction text must be a non-blank string, not {self.text!r}")
        if self.label is not None and not isinstance(self.label, str):
            raise ValueError(f"correction label must be a string or None, not {self.label!r}")
        if self.action != "remove" and not self.label:
            raise ValueError(f"a {self.action!r} correction needs a label")
        if (self.start is None) != (self.end is None):
            raise ValueError("correction start and end must both be given or both be None")
        if self.start is not None and self.end is not None:
            if not all(type(x) is int for x in (self.start, self.end)):
                raise ValueError(
                    f"correction start and end must be integers, not {self.start!r}, {self.end!r}"
                )
            if not 0 <= self.start < self.end:
                raise ValueError(
                    "correction offsets must satisfy 0 <= start < end, "
                    f"not {self.start}, {self.end}"
                )


def correction_from_dict(
    data: Mapping[str, Any], start: int | None = None, end: int | None = None
) -> Correction:
    """Return the correction the store keeps as *data*, anchored at ``[start, end)``.

    *data* is ``Annotation.correction``: ``{"action", "label", "scope", "text"}`` (further
    keys are ignored; "label" may be missing for a remove). *start* and *end* are the
    mention's offsets in the text it will be applied to, for scope "mention".

    Raises:
        ValueError: *data* is not a mapping, or a field is missing or not valid.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"a correction must be a mapping, not {type(data).__name__}")
    missing = [key for key in ("action", "scope", "text") if key not in data]
    if missing:
        raise ValueError(f"correction is missing {', '.join(missing)}: {dict(data)!r}")
    # The casts are checked by Correction.__post_init__.
    return Correction(
        action=cast(Action, data["action"]),
        scope=cast(Scope, data["scope"]),
        text=data["text"],
        label=data.get("label"),
        start=start,
        end=end,
    )


def apply_corrections(
    text: str, spans: Sequence[Span], corrections: Sequence[Correction]
) -> list[Span]:
    """Return *spans* with the user's *corrections* applied (see the module doc).

    *spans* are the entities of *text* (each with ``text[s.start:s.end] == s.text``);
    overlapping ones are first reduced to a non-overlapping set (user spans first, then
    longer before shorter), and ones outside *text* dropped. The result is sorted and
    non-overlapping; every span created or changed by a correction has source "user".
    """
    result = non_overlapping(spans, len(text))
    surface = [c for scope in ("global", "article") for c in corrections if c.scope == scope]
    if surface:
        result = _apply_surface_corrections(text, result, surface)
    for c in corrections:
        if c.scope == "mention":
            _apply_mention_correction(text, result, c)
    return result


# --- scope "article" and "global": by surface text --------------------------------------


def surface_key(text: str) -> str:
    """What an article or global correction of *text* matches spans by: the entity index's
    name key without a label (:func:`reader.entities.library.names.name_key`), or, for a
    text with no word in it, the text itself behind a NUL (which no key holds)."""
    return name_key(text) or "\0" + text


def may_change(texts: Iterable[str], article: str) -> bool:
    """Whether an article or global correction of one of *texts* may change a span of the
    text *article*: False only when none can (a relabel or remove needs a span with its
    key, an add an occurrence of its text, and both need every word of the key in the
    article, folded as keys fold it). What the entity index's update checks before it
    finds an article's entities again after a global correction changed."""
    keys = []
    for text in texts:
        key = name_key(text)
        if key:
            keys.append(_key_pattern(key))
        elif text in article:
            return True
    if not keys:
        return False
    # A span's key is its folded words (full stops between letters dropped), apart from
    # a leading "the" and a possessive: in the article folded, the key's words are there
    # in order, maybe with a full stop between two letters, something other than a word
    # between two words. Folding costs ~0.1 ms an article (every quote and dash a run of
    # non-ASCII looked up); lower case is the same, in a fifth of that, for text whose
    # only non-ASCII is the common quotes and dashes (most English news).
    folded = article.lower()
    if not _COMMON_PUNCTUATION.sub("", folded).isascii():
        folded = fold(article, casefold=True)
    folded = folded.replace("’", "'")
    return any(pattern.search(folded) for pattern in keys)


@lru_cache(maxsize=1024)
def _key_pattern(key: str) -> re.Pattern[str]:
    """Where a span whose key is *key* may be, in text folded as :func:`may_change` does."""
    words = (r"\.?".join(map(re.escape, word)) for word in key.split(" "))
    # Whole words: a key's word is the whole of a word of the span (spans begin and end
    # where words do). The check before is made after the first letter, so that the
    # search looks for that letter first (~3 times faster).
    body = r"[\W_]+".join(words)
    return re.compile(body[:1] + r"(?<![^\W_].)" + body[1:] + r"(?![^\W_])")


_COMMON_PUNCTUATION = re.compile("[“”‘—–…]")
"""Non-ASCII that lower case leaves as folding does (no letter, digit or apostrophe)."""


# Whole words: see reader/entities/matching.py.
_WORD_CHAR = re.compile(r"[\w-]")


@dataclass(frozen=True)
class _Forms:
    """The surface texts of a set of add rules, compiled to find them all in one scan."""

    pattern: re.Pattern[str]
    """All forms as one alternation, longest first, each followed by the whole-word check
    after it. The check before it is made on each match instead: as a lookbehind it made
    compiling a hundred forms take 15 to 30 ms and the scan twice as slow."""
    prefixes: dict[str, tuple[str, ...]]
    """For each form, the other forms it starts with ("New" for "New York")."""
    inner: dict[str, tuple[int, ...]]
    """For each form, the offsets inside it where another form's occurrence may begin:
    after a character that is neither a word character nor a hyphen ("York" in "New
    York"). Only there can an occurrence start that a match of the form hides."""


@lru_cache(maxsize=64)
def _compile_forms(forms: tuple[str, ...]) -> _Forms:
    """Return the matcher for *forms* (cached: the global rules are the same per article)."""
    ordered = sorted(forms, key=lambda f: (-len(f), f))
    pattern = re.compile("(?:" + "|".join(map(re.escape, ordered)) + ")" + WORD_END_PATTERN)
    known = set(forms)
    prefixes = {f: tuple(f[:k] for k in range(1, len(f)) if f[:k] in known) for f in forms}
    inner = {f: tuple(k for k in range(1, len(f)) if not _WORD_CHAR.match(f, k - 1)) for f in forms}
    return _Forms(pattern, prefixes, inner)


def _find_forms(text: str, forms: tuple[str, ...]) -> dict[str, list[int]]:
    """Return where every whole-word occurrence of each of *forms* starts, sorted.

    One ``finditer`` finds the longest form ending on a word boundary at each place it
    stops; the check before it, the forms starting with a shorter one, and the forms
    starting inside a match (which ``finditer`` skips) are then checked where they can
    be, which is rare.
    """
    matcher = _compile_forms(forms)
    pattern, prefixes, inner = matcher.pattern, matcher.prefixes, matcher.inner
    starts: dict[str, list[int]] = {form: [] for form in forms}

    def found(start: int, form: str) -> None:
        if WORD_START.match(text, start):
            starts[form].append(start)
            for shorter in prefixes[form]:
                if WORD_END.match(text, start + len(shorter)):
                    starts[shorter].append(start)

    for m in pattern.finditer(text):
        start, form = m.start(), m.group()
        found(start, form)
        for k in inner[form]:
            nested = pattern.match(text, start + k)
            if nested is not None:
                found(start + k, nested.group())
    for form_starts in starts.values():
        form_starts.sort()
    return starts


def _apply_surface_corrections(
    text: str, spans: list[Span], corrections: Sequence[Correction]
) -> list[Span]:
    """Apply article and global corrections, in order, to sorted non-overlapping *spans*.

    Instead of rewriting the spans once per correction, each correction gets a time (its
    place in the order, from 1; the spans that came in have time 0) and the outcome is
    worked out in one pass, from three facts that follow from the semantics, because a
    span's text never changes:

    - a span is gone if a later add has an occurrence overlapping it (the add replaced
      it), or a later remove has its text;
    - otherwise its label is that of the last later relabel of its text, if any;
    - spans that survive never overlap: of two overlapping ones, the later replaced the
      earlier.
    """
    # Relabels and removes by key; an add is a relabel of its key too (after its
    # occurrences replaced what they overlap, the spans left with its key get its label).
    relabels: dict[str, list[tuple[int, str]]] = {}
    removed_at: dict[str, int] = {}
    # A later add of the same text creates the same occurrences and so replaces all that
    # an earlier one created and replaced: only the last add of each text matters.
    adds: dict[str, tuple[int, str]] = {}
    for time, c in enumerate(corrections, start=1):
        key = surface_key(c.text)
        if c.action == "remove":
            removed_at[key] = time
        else:
            relabels.setdefault(key, []).append((time, cast(str, c.label)))
            if c.action == "add":
                adds[c.text] = (time, cast(str, c.label))

    # The occurrences each add creates: (start, end, time, label, form).
    created: list[tuple[int, int, int, str, str]] = []
    if adds:
        starts = _find_forms(text, tuple(sorted(adds)))
        for form, (time, label) in adds.items():
            free_from = 0
            for start in starts[form]:
                if start >= free_from:
                    free_from = start + len(form)
                    created.append((start, free_from, time, label, form))
        created.sort()

    def label_after(key: str, time: int) -> str | None:
        """The label the last relabel of *key* after *time* gives, or None."""
        label = None
        for t, new in relabels.get(key, ()):
            if t > time:
                label = new
        return label

    result: list[Span] = []
    # Every occurrence replaced the spans that came in where it overlaps them. Both lists
    # are sorted by start: *reach* is the furthest end of the occurrences seen so far.
    i, reach = 0, 0
    for span in spans:
        while i < len(created) and created[i][0] < span.end:
            reach = max(reach, created[i][1])
            i += 1
        if reach > span.start:
            continue
        key = surface_key(span.text)
        if key in removed_at:
            continue
        new_label = label_after(key, 0) if relabels else None
        if new_label is not None:
            span = Span(span.start, span.end, new_label, span.text, "user")
        result.append(span)

    reach, longest = 0, max(map(len, adds), default=0)
    for i, (start, end, time, label, form) in enumerate(created):
        # Most occurrences overlap no other; only those are searched for a later one.
        alone = reach <= start and (i + 1 == len(created) or created[i + 1][0] >= end)
        reach = max(reach, end)
        key = surface_key(form)
        if removed_at.get(key, 0) > time or (not alone and _replaced_later(created, i, longest)):
            continue
        new_label = label_after(key, time)
        result.append(Span(start, end, new_label or label, text[start:end], "user"))
    if created:
        result.sort(key=_start)
    return result


def _replaced_later(created: list[tuple[int, int, int, str, str]], i: int, longest: int) -> bool:
    """Whether a later add's occurrence overlaps ``created[i]`` (the list sorted by start)."""
    start, end, time = created[i][:3]
    j = i + 1
    while j < len(created) and created[j][0] < end:
        if created[j][2] > time:
            return True
        j += 1
    j = i - 1
    # No occurrence is longer than *longest*, so none starting further back can reach.
    while j >= 0 and created[j][0] > start - longest:
        if created[j][1] > start and created[j][2] > time:
            return True
        j -= 1
    return False


# --- scope "mention": by offsets ---------------------------------------------------------


def _apply_mention_correction(text: str, spans: list[Span], c: Correction) -> None:
    """Apply one mention correction to sorted non-overlapping *spans*, in place."""
    start, end = c.start, c.end
    if start is None or end is None or end > len(text) or text[start:end] != c.text:
        return  # not anchored in this text
    first = bisect_right(spans, start, key=_end)  # the first span ending after *start*
    stop = bisect_left(spans, end, key=_start)  # the first span starting at or after *end*
    covering = first < stop and spans[first].start <= start and spans[first].end >= end
    if c.action == "remove":
        if covering:
            del spans[first]
    elif c.action == "relabel" and covering:
        old = spans[first]
        spans[first] = _user_span(text, old.start, old.end, cast(str, c.label))
    else:  # add, or relabel where no span covers the mention
        spans[first:stop] = [_user_span(text, start, end, cast(str, c.label))]


# --- helpers -------------------------------------------------------------------------------


def _start(span: Span) -> int:
    return span.start


def _end(span: Span) -> int:
    return span.end


def _user_span(text: str, start: int, end: int, label: str) -> Span:
    return Span(start, end, label, text[start:end], "user")
