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
every article. Each cache keeps at most :data:`NAMES_CACHED` texts: every distinct mention
(each date, sum and count too) passes through them, so the app's background entity pass
would fill them with the whole library's mentions (~250 bytes a text and cache: 32 MB for
two full caches of 65,536, the bound before, which a real library of 10,000 articles
passes; 8 MB at 16,384).
16,384 kept the hit rate of 65,536 (94.8%) on the entities of 1,810 generated articles
(10,741 distinct texts); a miss costs ~3 µs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reader.entities.consistency import TITLE_QUALIFIERS, TITLES
from reader.search.text_match import fold

__all__ = ["NAMES_CACHED", "display_name", "name_key", "name_words", "surname_of"]

#: The texts each of :func:`name_key` and :func:`display_name` keeps (least recently
#: used dropped first): ~4 MB each when full.
NAMES_CACHED = 16384

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


@lru_cache(maxsize=NAMES_CACHED)
def name_key(text: str, label: str = "") -> str:
    """The key *text* (a mention of *label*) is compared by across the library; ``""`` for
    text with no word in it."""
    return " ".join(name_words(_cut(text, label)))


@lru_cache(maxsize=NAMES_CACHED)
def display_name(text: str, label: str = "") -> str:
    """*text* as an entity's name is shown: one line, without a possessive, a leading "the"
    or (a PERSON's) titles, its case kept."""
    return _cut(text, label) or " ".join(text.split())


def surname_of(key: str) -> str | None:
    """The last word of a name key of two words or more (what a lone surname joins), else
    None."""
    words = key.split(" ")
    return words[-1] if len(words) >= 2 else None
