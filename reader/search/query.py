"""The query language of the library: what a parsed query is.

One grammar, one parser, in the core: the app's filter field and `reader search` both call
:func:`parse`. A parsed :class:`Query` is a tree of the nodes below plus an optional sort;
:func:`format_query` prints it back as text that parses to the same tree.

    query    := expr? sort?            (sort: anywhere at the top level, at most one)
    expr     := or
    or       := and ("OR" and)*
    and      := unary+                 (juxtaposition is AND)
    unary    := "-" unary | atom
    atom     := "(" expr ")" | field | WORD | "quoted phrase"
    field    := NAME ":" (WORD | "quoted phrase" | range)

Free words and phrases match the title, text, notes and tags: whole words, smart case
(case-insensitive unless the query has a capital letter), accents folded (``Zoe`` finds
``Zoë``).

The rules :func:`parse` follows (the lexical details, escapes included, are in
:mod:`reader.search.parser`; what each node matches is in :mod:`reader.search.reference` and
:mod:`reader.search.text_match`):

- Words are separated by whitespace; a quote starts a phrase (``\\"`` is a quote inside
  it), a parenthesis is always a token, ``-`` right before anything negates it (``-word``,
  ``-tag:x``, ``-"a phrase"``, ``-(a OR b)``), ``OR`` in upper case is the operator (``or``
  is a word) and binds looser than juxtaposition: ``a b OR c`` is ``(a b) OR c``.
- **The colon rule.** A word is a field when the text before its first colon is two or more
  ASCII letters (any case: ``TAG:x`` is ``tag:x``). A known name makes the field; an unknown
  one is an error naming the closest field (``tga:x``: "unknown field 'tga' (did you mean
  tag?)") unless a ``//`` follows the colon (a URL, ``https://example.org``: a word). A
  colon after anything else (``10:30``, ``C:\\x``, ``U.S.:``) leaves a free word; so does
  an escaped colon (``tga\\:x``) or quoting (``"tga:x"``, a phrase).
- Field values: a word or a quoted phrase right after the colon (``entity:"Sergey Lavrov"``);
  ``label:`` values are upper-cased (``label:person`` is ``PERSON``); ``has:`` takes note,
  highlight, correction (plurals accepted, stored singular), ``is:`` read or unread, and
  ``sort:`` date, title, words or mentions (``sort:-date`` reverses), all case-insensitive
  and stored lower case. Other values are kept as typed.
- ``date:`` takes ``2026-05-01``, ``2026-05``, ``2026``, ranges ``A..B`` (either side may be
  empty; B's whole period is included: ``2026-05..2026-06`` is May 1 to July 1 exclusive) and
  comparisons ``>``, ``>=``, ``<``, ``<=`` against a period (``>2026-05`` is from June 1),
  giving a half-open :class:`DateRange`. ``words:`` takes ``N``, ``N..M``, ``N..``, ``..M``
  and the comparisons, giving an inclusive :class:`WordRange`.
- ``sort:`` is not a node: at most one, at the top level only (anywhere there, never inside
  parentheses nor negated), into :attr:`Query.sort`.
- The tree is normal: And inside And and Or inside Or are flattened, a group of one is the
  node itself, so that equal meanings written alike compare equal.
- Errors are :class:`QueryError` with the code-point position of the culprit: an unclosed
  quote or parenthesis (where it opens), a ``)`` without ``(``, an unknown field (its name),
  a bad value (where the value starts, the message naming what is accepted), a dangling ``-``
  or ``OR``, ``OR`` first, empty parentheses or quotes, a second sort, a sort in parentheses
  or negated.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

__all__ = [
    "FIELDS",
    "HAS_VALUES",
    "IS_VALUES",
    "SORT_KEYS",
    "SYNTAX",
    "And",
    "DateRange",
    "Field",
    "Node",
    "Not",
    "Or",
    "Query",
    "QueryError",
    "Sort",
    "Term",
    "WordRange",
    "asks_for_entities",
    "entities_missing",
    "format_query",
    "parse",
    "uses_fields",
]

FIELDS = ("tag", "entity", "label", "has", "is", "in", "path", "title")
"""Fields whose value is a word or a phrase (``date:`` and ``words:`` take ranges)."""

HAS_VALUES = ("note", "highlight", "correction")
"""What ``has:`` may be followed by."""

IS_VALUES = ("read", "unread")
"""What ``is:`` may be followed by."""

SORT_KEYS = ("date", "title", "words", "mentions")
"""What ``sort:`` may be followed by (``sort:-date`` reverses)."""

SYNTAX: tuple[tuple[str, str], ...] = (
    ("pipeline gas", "both words, in the title, text, notes or tags (whole words)"),
    ('"foreign office"', "the phrase (also across a line break)"),
    ("-sport  a OR b  (a OR b) -c", "not; either; grouped (side by side: both)"),
    ("tag:energy", "tagged energy (any case)"),
    ('entity:"Sergey Lavrov"', "with that entity, as the app shows it"),
    ("label:person", "with an entity of that label"),
    ("has:note|highlight|correction", "with a note, a highlight, a correction"),
    ("is:read  is:unread", "marked read, or not"),
    ("in:economy  in:world/europe", "in that folder (or one inside it)"),
    ("path:2026/05  title:budget", "path contains it; the word in the title"),
    ("date:2026-05  date:>2026-01-01", "dated then (front matter, else the file's day)"),
    ("words:>1000  words:300..800", "by length in words"),
    (
        "sort:date  sort:-date",
        "order: oldest, A-Z, shortest first; mentions: most first (- reverses)",
    ),
    ("lavrov / Lavrov  zoe", "smart case: a capital makes it exact; accents folded"),
)
"""The query language in a few lines (example, what it finds): the help screen shows them."""


class QueryError(ValueError):
    """A query that cannot be parsed: what is wrong, and where (a code-point offset)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        """What is wrong, in words (no position in it)."""
        self.position = position
        """Where in the query text the problem is (0 is the first character)."""

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


@dataclass(frozen=True)
class Term:
    """A free word (``lavrov``) or a quoted phrase (``"foreign office"``)."""

    text: str
    """The word or phrase as typed (inside the quotes for a phrase)."""
    phrase: bool = False
    """Whether it was quoted (its words must follow each other)."""


@dataclass(frozen=True)
class Field:
    """``name:value``: one of :data:`FIELDS` with a word or a quoted phrase."""

    name: str
    """One of :data:`FIELDS`, lower case."""
    value: str
    """The value as typed (inside the quotes when quoted)."""
    phrase: bool = False
    """Whether the value was quoted."""


@dataclass(frozen=True)
class DateRange:
    """``date:…``: the article's date is in ``[start, end)`` (either side may be open).

    ``date:2026-05`` is May 2026, ``date:2026-05..2026-06`` May and June, ``date:>2026-01-01``
    after that day, ``date:<=2026-01-01`` on or before it.
    """

    start: date | None
    """The first day included, or None for no lower bound."""
    end: date | None
    """The first day after the range, or None for no upper bound."""


@dataclass(frozen=True)
class WordRange:
    """``words:…``: the article's word count is in ``[low, high]`` (either side may be open).

    ``words:>1000`` is ``low=1001``; ``words:100..200`` both ends included.
    """

    low: int | None
    """The smallest count included, or None."""
    high: int | None
    """The largest count included, or None."""


@dataclass(frozen=True)
class Not:
    """``-x``: articles that do not match *child*."""

    child: Node


@dataclass(frozen=True)
class And:
    """Articles that match every child (two or more)."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Articles that match any child (two or more)."""

    children: tuple[Node, ...]


Node = Term | Field | DateRange | WordRange | Not | And | Or
"""A node of a query's tree."""


@dataclass(frozen=True)
class Sort:
    """``sort:key`` or ``sort:-key``."""

    key: str
    """One of :data:`SORT_KEYS`."""
    descending: bool = False
    """Whether ``-`` reversed it."""


@dataclass(frozen=True)
class Query:
    """A parsed query: which articles (None: all of them), and in what order (None: the
    library's own order)."""

    where: Node | None = None
    sort: Sort | None = None


def uses_fields(node: Node | None, names: Collection[str]) -> bool:
    """Whether the query tree *node* has a field (``entity:``...) named in *names*, negated
    ones too."""
    if isinstance(node, Field):
        return node.name in names
    if isinstance(node, Not):
        return uses_fields(node.child, names)
    if isinstance(node, And | Or):
        return any(uses_fields(child, names) for child in node.children)
    return False


def asks_for_entities(query: Query) -> bool:
    """Whether *query* needs the entity pass of the index (entity:, label:, sort:mentions)."""
    mentions = query.sort is not None and query.sort.key == "mentions"
    return mentions or uses_fields(query.where, ("entity", "label"))


def entities_missing(found: int, listed: int, *, finding: bool = False) -> str:
    """What a query that :func:`asks_for_entities` is told (by the app's filter and by
    `reader search`) when only *found* of the *listed* articles have their entities
    indexed (the others' are not cached yet); ``""`` when all have. *finding*: the app
    finds the rest in the background (reader/ui/background.py)."""
    if found >= listed:
        return ""
    until = "the app finds the rest while you read" if finding else "`reader index`"
    return f"entities found for {found:,} of {listed:,} articles: results incomplete until {until}"


# The parser lives in reader/search/parser.py, which imports the classes above: imported here
# when first called, so that either module may be imported first.


def parse(text: str) -> Query:
    """Return the :class:`Query` *text* says, or raise :class:`QueryError` (what, where).

    An empty or blank query is ``Query(None, None)``: every article, in the library's order.
    """
    from reader.search import parser

    return parser.parse(text)


def format_query(query: Query) -> str:
    """Return text that :func:`parse` turns back into *query* (see
    :func:`reader.search.parser.format_query` for which trees and the ValueError)."""
    from reader.search import parser

    return parser.format_query(query)
