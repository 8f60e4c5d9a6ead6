"""What the search index keeps of an article besides its text: its date, its folders, folded
forms for exact matches, and the whole-word, case-sensitive check behind smart case.

Textual-free and store-free: :mod:`reader.search.index` calls these while it indexes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from reader.search import text_match

__all__ = [
    "article_date",
    "entity_key",
    "phrase_pattern",
]


def entity_key(text: str) -> str:
    """How an entity's text is compared (the index's ``mentions`` and ``entity:``): accents
    and case folded, runs of white space as one space."""
    return text_match.fold(" ".join(text.split()), casefold=True)


def phrase_pattern(text: str) -> re.Pattern[str] | None:
    """A case-sensitive pattern finding the words of *text* as whole words, in order, with
    anything but letters and digits between them, in text whose accents were folded with
    :func:`reader.search.text_match.fold`; None when *text* has no word."""
    words = text_match.words(text)
    if not words:
        return None
    body = r"[\W_]+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])")


def article_date(meta: Mapping[str, str], mtime: float | None) -> date | None:
    """An article's date: the ``date`` its file states (front matter, a saved page's
    metadata: :attr:`reader.library.Article.meta`), else the local day of the file's
    modification time *mtime* (None when neither is known)."""
    # Imported here: only an update dates articles; a search (`reader search`, whose
    # query compiler imports this module) does not need the front matter's parser.
    from reader.library.frontmatter import parse_date

    found = parse_date(meta.get("date"))
    if found is not None:
        return found
    if mtime is None:
        return None
    try:
        return datetime.fromtimestamp(mtime).date()
    except (OverflowError, OSError, ValueError):
        return None
