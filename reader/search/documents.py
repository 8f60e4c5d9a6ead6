"""What the search index keeps of an article besides its text: its date, its folders, folded
forms for exact matches, and the whole-word, case-sensitive check behind smart case.

Textual-free and store-free: :mod:`reader.search.index` calls these while it indexes.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from reader.search import text_match

__all__ = [
    "article_date",
    "entity_key",
    "front_matter_date",
    "phrase_pattern",
]

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_DATE_LINE = re.compile(
    r"""^date[ \t]*:[ \t]*["']?(\d{4})-(\d{1,2})-(\d{1,2})""", re.MULTILINE | re.IGNORECASE
)
FRONT_MATTER_LINES = 60
"""How far into the text the end of the front matter is looked for."""


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


def front_matter_date(text: str) -> date | None:
    """The ``date:`` of the YAML front matter *text* starts with (``---`` lines around it),
    or None. Only the day is read (``2026-05-04``, ``2026-05-04T10:00:00Z``, quoted or not)."""
    if not text.startswith("---"):
        return None
    first_line_end = text.find("\n")
    if first_line_end < 0 or text[:first_line_end].rstrip() != "---":
        return None
    head = "\n".join(
        text[first_line_end + 1 :].split("\n", FRONT_MATTER_LINES)[:FRONT_MATTER_LINES]
    )
    end = _FRONT_MATTER_END.search(head)
    if end is None:
        return None
    found = _DATE_LINE.search(head, 0, end.start())
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def article_date(text: str, mtime: float | None) -> date | None:
    """An article's date: its front matter's ``date:`` when it has one, else the local day of
    the file's modification time *mtime* (None when neither is known)."""
    found = front_matter_date(text)
    if found is not None:
        return found
    if mtime is None:
        return None
    try:
        return datetime.fromtimestamp(mtime).date()
    except (OverflowError, OSError, ValueError):
        return None
