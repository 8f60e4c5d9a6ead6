"""How a search term meets text: smart case, accent folding and whole words.

Shared by the query language's reference evaluator (:mod:`.reference`), the search index and
the in-article find, so that all three agree on what "matches" means:

- **Smart case**, per term: a term (a word, a phrase, a ``title:`` value) is matched
  case-insensitively unless it has an upper-case letter (:func:`is_case_sensitive`);
  ``lavrov`` finds ``Lavrov``, ``Lavrov`` does not find ``LAVROV``. Each term of a query
  decides for itself: in ``Lavrov said`` only ``Lavrov`` is case-sensitive.
- **Accents folded** on both sides, always (:func:`fold`): ``Zoe`` finds ``Zoë`` and ``Zoë``
  finds ``Zoe``. Folding is NFKD with the combining marks dropped, so compatibility forms
  fold too (``ﬁ`` is ``fi``, ``²`` is ``2``). Case folding is a separate switch.
- **Whole words** (:func:`words`): a word is a run of letters and digits (Unicode ``\\w``
  without the underscore), after folding; everything else separates words, so ``Dawn's`` is
  the words ``Dawn`` and ``s`` and ``well-known`` is ``well`` and ``known``. A term is the
  sequence of its words; it matches where those words follow each other in the text,
  whatever separates them there (spaces, a line break, punctuation): a phrase across a line
  break is found. A term with no word in it (``"!!"``) matches nothing.

The search index does not leave this to SQLite's tokenizer (``unicode61`` folds neither
``ß`` to ``ss`` nor ``ﬁ`` to ``fi``, keeps ``²``, and splits words elsewhere): it indexes
each text's :func:`index_text` (folded, what is no word character a space) under the
``ascii`` tokenizer, which splits it into exactly the words :func:`words` finds, case
folded, and looks for a term's :func:`index_words` (the same words, one space apart).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

__all__ = [
    "NON_ASCII",
    "WORD",
    "contains_words",
    "fold",
    "has_mark",
    "index_text",
    "index_words",
    "is_case_sensitive",
    "words",
]

WORD = re.compile(r"[^\W_]+")
"""A word: a run of letters and digits (apply it to folded text)."""


def is_case_sensitive(text: str) -> bool:
    """Return whether *text* asks for a case-sensitive match: it has an upper-case letter.

    Smart case: ``lavrov`` matches any case, ``Lavrov`` only that case.
    """
    return any(c.isupper() for c in text)


def fold(text: str, *, casefold: bool = False) -> str:
    """Return *text* with its accents folded: NFKD, combining marks dropped.

    ``fold("Zoë") == "Zoe"``, ``fold("ﬁne") == "fine"``. Case is kept unless *casefold*
    (then ``str.casefold`` too, after which marks it introduced are dropped again:
    ``fold("İ", casefold=True) == "i"``). Lengths may change (``ﬁ`` becomes two letters), so
    offsets into the folded text are not offsets into *text*.
    """
    if casefold:
        # Case folding a text put in lower case first gives the same (Unicode's case
        # folding is stable under it: checked for every character), and lower() runs in C.
        text = text.lower()
    if text.isascii():
        return text
    # Only the runs of non-ASCII characters change (their folding is their characters',
    # one at a time: NFKD only reorders the combining marks, which are dropped, and case
    # folding has no context); each distinct run is folded once.
    return NON_ASCII.sub(_fold_runs[casefold], text)


NON_ASCII = re.compile(r"[^\x00-\x7f]+")
"""A run of non-ASCII characters (all that folding can change)."""


@lru_cache(maxsize=16384)
def _fold_short(run: str, casefold: bool) -> str:
    return _fold_whole(run, casefold)


def _fold_run(found: re.Match[str], casefold: bool) -> str:
    run = found.group()
    return _fold_short(run, casefold) if len(run) <= 32 else _fold_whole(run, casefold)


_fold_runs = (
    lambda found: _fold_run(found, False),
    lambda found: _fold_run(found, True),
)


@lru_cache(maxsize=8192)
def fold_character(char: str, casefold: bool) -> str:
    """What the character *char* folds to (:func:`fold`), cached."""
    return _fold_whole(char, casefold)


def _fold_whole(text: str, casefold: bool) -> str:
    folded = _drop_marks(text)
    if casefold:
        folded = _drop_marks(folded.casefold())
    return folded


def _drop_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def has_mark(text: str) -> bool:
    """Whether *text* has a character :func:`fold` drops from NFKD text (a combining
    class other than 0), of any script: a text in NFKD form with one (``x`` U+0301 ``y``,
    which nothing composes; Arabic harakat, Hebrew points, a Devanagari virama, which
    compose with nothing) is not its own folding. Only its non-ASCII runs are looked at
    (a news text's dashes and quotes: a few characters), for speed: a pattern of every
    mark of Unicode, built per process, cost ~100 ms of a search (the smart-case check,
    :func:`reader.search.explain.case_filter`)."""
    combining = unicodedata.combining
    return any(combining(c) for run in NON_ASCII.findall(text) for c in run)


def words(text: str, *, casefold: bool = False) -> list[str]:
    """Return the words of *text*, folded (and case-folded when *casefold*), in order."""
    return WORD.findall(fold(text, casefold=casefold))


def index_words(text: str) -> str:
    """The words of *text* as the search index looks for them: :func:`words`, case folded,
    one space apart (what the index's ``ascii`` tokenizer splits into exactly those
    words)."""
    return " ".join(WORD.findall(fold(text, casefold=True)))


def index_text(text: str) -> str:
    """*text* as the search index holds it: case and accents folded (:func:`fold`), and
    every non-ASCII character that is no word character (``’``, ``—``), which the ``ascii``
    tokenizer would take for one, a space. The tokenizer, which splits at
    every other ASCII character and nowhere else, then finds exactly :func:`words` (case
    folded), as in :func:`index_words`, without the words being joined in Python."""
    text = text.lower()
    if text.isascii():
        return text
    return NON_ASCII.sub(_index_run, text)


def _index_run(found: re.Match[str]) -> str:
    run = found.group()
    if len(run) <= 32:
        return _index_short(run)
    return _NOT_IN_A_WORD.sub(" ", fold(run, casefold=True))


@lru_cache(maxsize=16384)
def _index_short(run: str) -> str:
    return _NOT_IN_A_WORD.sub(" ", _fold_whole(run, True))


_NOT_IN_A_WORD = re.compile(r"[\W_]+")


def contains_words(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Return whether the words *needle* occur one after another in the words *haystack*.

    Both already folded the same way (see :func:`words`); an empty *needle* matches nothing.
    """
    n = len(needle)
    if n == 0:
        return False
    first = needle[0]
    for i in range(len(haystack) - n + 1):
        if haystack[i] == first and all(haystack[i + k] == needle[k] for k in range(1, n)):
            return True
    return False
