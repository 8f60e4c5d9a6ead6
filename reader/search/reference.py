"""What a query matches, by brute force: the reference the search index is checked against.

:func:`matches` evaluates a parsed :class:`~reader.search.query.Query` against one
in-memory :class:`Doc`, the slow and obvious way. It is the definition of the query
language's meaning; the index must return exactly the articles it accepts (tests generate
queries and libraries and compare). Decisions, node by node:

- **Free word or phrase** (:class:`Term`): matches when its words occur one after another in
  the title, the text, one note or one tag (never across two of them: the end of the title
  and the start of the text are not a phrase). Whole words, smart case per term, accents
  folded on both sides, any separators between the words in the document (a phrase across
  a line break or a comma is found): :mod:`reader.search.text_match`. A bare word with
  punctuation inside (``well-known``) is the phrase of its words; a word or phrase with no
  letter or digit (``"!!"``) matches nothing. Quoting changes nothing for a single word.
- ``tag:`` a tag equal to the value ignoring case (``str.casefold``; accents count).
- ``entity:`` an entity whose text equals the value ignoring case, with accents folded and
  runs of whitespace taken as one space on both sides (``entity:"sergey lavrov"`` finds
  ``Sergey\\nLavrov``). Whole text only: ``entity:Lavrov`` does not find ``Sergey Lavrov``.
- ``label:`` an entity with that label (labels compared in upper case).
- ``has:note|highlight|correction``: that word is in :attr:`Doc.has`.
- ``is:read`` / ``is:unread``: :attr:`Doc.read`.
- ``in:`` the article's folder or any folder above it, by name, ignoring case:
  :attr:`Doc.folder` is the folder relative to the library's root, ``/``-separated
  (``world/europe``), and ``in:europe``, ``in:world`` and ``in:world/europe`` all match it
  (a value with slashes names consecutive folders; a ``\\`` counts as a ``/``), ``in:rope``
  does not. An article at the root is in no folder.
- ``path:`` the value is a substring of :attr:`Doc.path`, ignoring case.
- ``title:`` like a free word or phrase, in the title only.
- ``date:`` :attr:`Doc.date` in ``[start, end)``; ``words:`` :attr:`Doc.words` in
  ``[low, high]``.
- ``-x`` the opposite of ``x``; And every child; Or any child; a query with no condition
  matches every document. The sort plays no part.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from reader.search.query import (
    And,
    DateRange,
    Field,
    Node,
    Not,
    Or,
    Query,
    Term,
    WordRange,
)
from reader.search.text_match import contains_words, fold, is_case_sensitive, words

__all__ = ["Doc", "in_folder", "matches"]


@dataclass(frozen=True)
class Doc:
    """One article as the query language sees it (what the index stores about it)."""

    title: str = ""
    text: str = ""
    """The article's displayed text."""
    notes: tuple[str, ...] = ()
    """The text of each of its notes."""
    tags: tuple[str, ...] = ()
    entities: tuple[tuple[str, str], ...] = ()
    """Its entities as ``(text, label)``, as ``reader entities`` shows them."""
    has: frozenset[str] = frozenset()
    """Which of note, highlight, correction it has."""
    read: bool = False
    folder: str = ""
    """Its folder relative to the library's root, ``/``-separated; ``""`` at the root."""
    path: str = ""
    date: datetime.date = datetime.date(1970, 1, 1)
    """Its date: the front matter's, else the file's modification day."""
    words: int = 0
    """How many words its text has."""


def matches(query: Query, doc: Doc) -> bool:
    """Return whether *doc* is one of the articles *query* selects (its sort ignored)."""
    return query.where is None or _matches(query.where, doc)


def _matches(node: Node, doc: Doc) -> bool:
    if isinstance(node, Term):
        return _term_in(node.text, (doc.title, doc.text, *doc.notes, *doc.tags))
    if isinstance(node, Field):
        return _field(node, doc)
    if isinstance(node, DateRange):
        return (node.start is None or node.start <= doc.date) and (
            node.end is None or doc.date < node.end
        )
    if isinstance(node, WordRange):
        return (node.low is None or node.low <= doc.words) and (
            node.high is None or doc.words <= node.high
        )
    if isinstance(node, Not):
        return not _matches(node.child, doc)
    if isinstance(node, And):
        return all(_matches(child, doc) for child in node.children)
    if isinstance(node, Or):
        return any(_matches(child, doc) for child in node.children)
    raise TypeError(f"not a query node: {node!r}")


def _field(field: Field, doc: Doc) -> bool:
    name, value = field.name, field.value
    if name == "tag":
        wanted = value.casefold()
        return any(tag.casefold() == wanted for tag in doc.tags)
    if name == "entity":
        wanted = _entity_key(value)
        return any(_entity_key(text) == wanted for text, _ in doc.entities)
    if name == "label":
        return any(label.upper() == value.upper() for _, label in doc.entities)
    if name == "has":
        return value in doc.has
    if name == "is":
        return doc.read == (value == "read")
    if name == "in":
        return in_folder(value, doc.folder)
    if name == "path":
        return value.casefold() in doc.path.casefold()
    if name == "title":
        return _term_in(value, (doc.title,))
    raise ValueError(f"unknown field {name!r}")


def _term_in(term: str, texts: tuple[str, ...]) -> bool:
    casefold = not is_case_sensitive(term)
    needle = words(term, casefold=casefold)
    return any(contains_words(_words(text, casefold), needle) for text in texts)


@lru_cache(maxsize=4096)
def _words(text: str, casefold: bool) -> tuple[str, ...]:
    return tuple(words(text, casefold=casefold))


_SPACES = re.compile(r"\s+")


def _entity_key(text: str) -> str:
    return _SPACES.sub(" ", fold(text, casefold=True)).strip()


def _folders(path: str) -> list[str]:
    return [part.casefold() for part in re.split(r"[/\\]", path) if part]


def in_folder(value: str, folder: str) -> bool:
    """Whether ``in:value`` matches an article in *folder* (relative to the library's root,
    ``/``-separated): the value's folder names, consecutive, anywhere in it, any case."""
    wanted, have = _folders(value), _folders(folder)
    n = len(wanted)
    return n > 0 and any(have[i : i + n] == wanted for i in range(len(have) - n + 1))
