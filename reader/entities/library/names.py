"""How a mention's text is compared across articles: its *name key*.

Two mentions with the same key and label are the same entity everywhere in the library.
The key is the text with

- runs of white space as one space, accents folded, case folded;
- a trailing possessive cut (``Lavrov’s``, ``Jones'``);
- a leading "the" cut (``the Kremlin`` is ``kremlin``), for every label;
- for a PERSON, leading titles and honorifics cut (``Gen``, ``President``, ``Prime
  Minister``, ``Mr.``: the consistency rules' own lists), as long as a word remains;
- punctuation other than inner hyphens and apostrophes dropped (``U.S.`` is ``us``,
  ``Jean-Pierre`` stays ``jean-pierre``).

Both are cached (a library repeats its names): the same few thousand forms come back in
every article.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reader.entities.consistency import TITLE_QUALIFIERS, TITLES
from reader.search.text_match import fold

__all__ = ["display_name", "name_key", "name_words", "surname_of"]

_POSSESSIVE = re.compile(r"(?:(?<=[^\W_])['’][sS]|(?<=[sS])['’])$")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)


def _cut(text: str, label: str) -> str:
    """*text* on one line, without a possessive, a leading "the" or (a PERSON's) titles."""
    text = " ".join(text.split()).strip(" \t.,;:!?\"“”‘’'()[]")
    text = _POSSESSIVE.sub("", text).rstrip()
    if _LEADING_THE.match(text) and len(text.split()) > 1:
        text = _LEADING_THE.sub("", text)
    if label == "PERSON":
        words = text.split(" ")
        cut = 0
        for i, word in enumerate(words[:-1]):
            bare = word.rstrip(".").casefold()
            if bare in TITLES:
                cut = i + 1
            elif bare not in TITLE_QUALIFIERS:
                break
        text = " ".join(words[cut:])
    return text


def name_words(text: str) -> list[str]:
    """The words of *text* as keys compare them (folded, lowercase, inner ``-`` and ``'``
    kept, other punctuation dropped)."""
    folded = fold(text, casefold=True).replace("’", "'")
    # Full stops inside abbreviations join their letters: "U.S." is "us".
    folded = re.sub(r"(?<=\w)\.(?=\w)", "", folded)
    return _WORD.findall(folded)


@lru_cache(maxsize=65536)
def name_key(text: str, label: str = "") -> str:
    """The key *text* (a mention of *label*) is compared by across the library; ``""`` for
    text with no word in it."""
    return " ".join(name_words(_cut(text, label)))


@lru_cache(maxsize=65536)
def display_name(text: str, label: str = "") -> str:
    """*text* as an entity's name is shown: one line, without a possessive, a leading "the"
    or (a PERSON's) titles, its case kept."""
    return _cut(text, label) or " ".join(text.split())


def surname_of(key: str) -> str | None:
    """The last word of a name key of two words or more (what a lone surname joins), else
    None."""
    words = key.split(" ")
    return words[-1] if len(words) >= 2 else None
