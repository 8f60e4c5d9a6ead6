"""A parsed query (:mod:`reader.search.query`) as SQL over the search index's tables.

Each node becomes a boolean SQL expression about the row ``a`` of ``articles``: free words,
phrases and ``title:`` are FTS5 ``MATCH`` sub-queries (whole words, case and accents folded
as :mod:`reader.search.text_match` folds them: both sides' :func:`~reader.search.text_match.
index_words`); ``tag:``, ``entity:``, ``label:`` and
``in:`` look up small tables of folded values; ``has:``, ``date:`` and ``words:`` compare
columns; ``is:`` compares the hash with the read set; ``Not``, ``And`` and ``Or`` are SQL's.

Smart case: a word or phrase with a capital letter is case-sensitive. FTS5 cannot tell case
apart, so its candidates are checked in Python against the stored fields (whole words, case
kept, accents folded; :func:`reader.search.documents.phrase_pattern`), and the expression
becomes ``a.id IN (<those ids>)``. The check is done once per term per query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from reader.search.documents import entity_key, phrase_pattern
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
from reader.search.text_match import index_words, is_case_sensitive

__all__ = [
    "FREE_COLUMNS",
    "TEXT_COLUMNS",
    "Compiled",
    "compile_query",
    "fts_phrase",
    "positive_leaves",
]

FREE_COLUMNS = ("title", "text", "notes", "tags")
"""What a free word or phrase is looked for in (the title, the text, one note, one tag)."""

TEXT_COLUMNS = ("title", "text")
"""The columns of the ``fts`` table a free word is looked for in (notes and tags are looked
for one by one in the ``parts`` table: a phrase never runs from one note into the next)."""

CaseFilter = Callable[[str, Sequence[str], bool, str], list[int]]
"""Given an FTS5 query, the ``fts`` columns to check, whether to check the notes and tags
too, and the term: the ids where the term's words are found in the term's case (the
smart-case check)."""


@dataclass
class Compiled:
    """A query's SQL: the ``WHERE`` expression over ``articles a``, its parameters, and the
    ``ORDER BY`` key expression (None: the library's order)."""

    where: str
    params: list[object] = field(default_factory=list)
    order: str | None = None
    order_params: list[object] = field(default_factory=list)
    descending: bool = False
    order_counts: Mapping[str, int] | None = None
    """When set, the sort key of each article, by its path (``a.path``), in place of
    :attr:`order`'s value (absent: 0): ``sort:mentions`` of a resolved ``entity:``."""


def fts_phrase(text: str) -> str | None:
    """*text* as an FTS5 phrase (its :func:`~reader.search.text_match.index_words`, quoted,
    as the index holds the texts' words), or None when it has no word."""
    indexed = index_words(text)
    if not indexed:
        return None
    return '"' + indexed.replace('"', '""') + '"'


def fts_query(columns: Sequence[str], text: str) -> str | None:
    """An FTS5 query finding *text*'s words, in order, in *columns*; None without words."""
    phrase = fts_phrase(text)
    if phrase is None:
        return None
    return "{" + " ".join(columns) + "} : " + phrase


def positive_leaves(node: Node | None, negated: bool = False) -> list[Node]:
    """The leaves of *node* not under a ``Not`` (what can explain why an article matched)."""
    if node is None:
        return []
    if isinstance(node, Not):
        return positive_leaves(node.child, not negated)
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in positive_leaves(child, negated)]
    return [] if negated else [node]


def mentioned_entity(query: Query) -> str | None:
    """The first ``entity:`` value of the query (what ``sort:mentions`` counts), or None."""
    for leaf in positive_leaves(query.where):
        if isinstance(leaf, Field) and leaf.name == "entity":
            return leaf.value
    return None


EntityArticles = Callable[[str], Mapping[str, int] | None]
"""The articles (absolute paths) that mention the entity an ``entity:`` value names, each
with its number of mentions (every spelling, merges and splits applied: what the entity's
page counts and ``sort:mentions`` orders by), as the library's entity resolution says
(``EntityIndex.articles_of``); or None to match the value's text as the article shows it."""


def smart_case_narrows(node: Node | None, negated: bool = False) -> bool:
    """Whether *node* has a case-sensitive word or phrase (free, or ``title:``), and none
    under a ``Not``: then what it finds with every term in any case is a superset of what
    it finds (smart case only takes articles away), and the smart-case checks need only
    look at those (:func:`compile_query`'s *smart_case*)."""
    return _sensitive(node, negated) == 1


def _sensitive(node: Node | None, negated: bool) -> int:
    """0: no case-sensitive term; 1: some, none negated; 2: one negated."""
    if node is None:
        return 0
    if isinstance(node, Not):
        return _sensitive(node.child, not negated)
    if isinstance(node, And | Or):
        return max((_sensitive(child, negated) for child in node.children), default=0)
    text = (
        node.text
        if isinstance(node, Term)
        else node.value
        if isinstance(node, Field) and node.name == "title"
        else None
    )
    if text is None or not is_case_sensitive(text):
        return 0
    return 2 if negated else 1


class _Compiler:
    def __init__(
        self,
        case_filter: CaseFilter,
        read: frozenset[str],
        resolver: EntityArticles | None,
        smart_case: bool = True,
    ) -> None:
        self.case_filter = case_filter
        self.read = read
        self.resolver = resolver
        self.smart_case = smart_case
        self.params: list[object] = []
        self._resolved: dict[str, Mapping[str, int] | None] = {}

    def resolve(self, value: str) -> Mapping[str, int] | None:
        """The articles of ``entity:value`` with their mentions (see :data:`EntityArticles`),
        asked of the resolver once per value."""
        if self.resolver is None:
            return None
        if value not in self._resolved:
            self._resolved[value] = self.resolver(value)
        return self._resolved[value]

    def node(self, node: Node) -> str:
        if isinstance(node, Term):
            return self.words(TEXT_COLUMNS, node.text, parts=True)
        if isinstance(node, Field):
            return self.field(node)
        if isinstance(node, DateRange):
            return self.dates(node.start, node.end)
        if isinstance(node, WordRange):
            parts = []
            if node.low is not None:
                parts.append("a.words >= ?")
                self.params.append(node.low)
            if node.high is not None:
                parts.append("a.words <= ?")
                self.params.append(node.high)
            return "(" + " AND ".join(parts) + ")" if parts else "1"
        if isinstance(node, Not):
            return f"NOT ({self.node(node.child)})"
        if isinstance(node, And):
            return "(" + " AND ".join(self.node(child) for child in node.children) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.node(child) for child in node.children) + ")"
        raise TypeError(f"not a query node: {node!r}")

    def words(self, columns: Sequence[str], text: str, parts: bool = False) -> str:
        """*text*'s words in the FTS *columns*, or (with *parts*) in one note or one tag."""
        match = fts_query(columns, text)
        if match is None:
            return "0"  # no word to look for: nothing has it
        if self.smart_case and is_case_sensitive(text) and phrase_pattern(text) is not None:
            ids = self.case_filter(match, columns, parts, text)
            self.params.append(json.dumps(ids))
            return "a.id IN (SELECT value FROM json_each(?))"
        self.params.append(match)
        found = "a.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
        if not parts:
            return found
        self.params.append(fts_query(("body",), text))
        return f"({found} OR a.id IN (SELECT article FROM parts WHERE parts MATCH ?))"

    def field(self, node: Field) -> str:
        name, value = node.name, node.value
        if name == "title":
            return self.words(("title",), value)
        if name == "tag":
            self.params.append(value.casefold())
            return "a.id IN (SELECT article FROM tags WHERE tag = ?)"
        if name == "entity":
            paths = self.resolve(value)
            if paths is not None:
                self.params.append(json.dumps(list(paths)))
                return "a.path IN (SELECT value FROM json_each(?))"
            self.params.append(entity_key(value))
            return "a.id IN (SELECT article FROM mentions WHERE folded = ?)"
        if name == "label":
            self.params.append(value.upper())
            return "a.id IN (SELECT article FROM mentions WHERE label = ?)"
        if name == "in":
            return self.folders(value)
        if name == "path":
            self.params.append(value.casefold())
            return "instr(a.path_folded, ?) > 0"
        if name == "has":
            column = {"note": "has_note", "highlight": "has_highlight"}.get(
                value.lower(), "has_correction" if value.lower() == "correction" else None
            )
            return f"a.{column} != 0" if column else "0"
        if name == "is":
            wanted = value.lower()
            if wanted not in ("read", "unread"):
                return "0"
            self.params.append(json.dumps(sorted(self.read)))
            inside = "a.sha256 IN (SELECT value FROM json_each(?))"
            return inside if wanted == "read" else f"NOT ({inside})"
        return "0"

    def folders(self, value: str) -> str:
        """Folders named *value* (``a/b``: consecutive folders) the article is in."""
        names = [part.casefold() for part in re.split(r"[/\\]", value) if part]
        if not names:
            return "0"
        joins = " ".join(
            f"JOIN folders f{i} ON f{i}.article = f0.article AND f{i}.depth = f0.depth + {i}"
            for i in range(1, len(names))
        )
        conditions = " AND ".join(f"f{i}.name = ?" for i in range(len(names)))
        self.params.extend(names)
        return f"a.id IN (SELECT f0.article FROM folders f0 {joins} WHERE {conditions})"

    def dates(self, start: date | None, end: date | None) -> str:
        parts = ["a.date IS NOT NULL"]
        if start is not None:
            parts.append("a.date >= ?")
            self.params.append(start.isoformat())
        if end is not None:
            parts.append("a.date < ?")
            self.params.append(end.isoformat())
        return "(" + " AND ".join(parts) + ")"


def compile_query(
    query: Query,
    case_filter: CaseFilter,
    read: frozenset[str],
    resolver: EntityArticles | None = None,
    *,
    smart_case: bool = True,
) -> Compiled:
    """The SQL of *query*; *case_filter* runs the smart-case checks (see module docstring),
    *read* is the hashes of the articles marked read (for ``is:``), *resolver* finds an
    ``entity:`` value's articles through the library's entity resolution (None: by text).
    Without *smart_case*, every word is matched in any case (no check run)."""
    compiler = _Compiler(case_filter, read, resolver, smart_case)
    where = "1" if query.where is None else compiler.node(query.where)
    compiled = Compiled(where, compiler.params)
    sort = query.sort
    if sort is None:
        return compiled
    compiled.descending = sort.descending
    if sort.key == "date":
        compiled.order = "a.date"
    elif sort.key == "title":
        compiled.order = "a.title_folded"
    elif sort.key == "words":
        compiled.order = "a.words"
    elif sort.key == "mentions":
        # Most mentions first (``sort:-mentions``: fewest first); of the query's entity, or
        # of every entity when the query names none.
        compiled.descending = not sort.descending
        entity = mentioned_entity(query)
        if entity is None:
            compiled.order = (
                "(SELECT coalesce(sum(m.count), 0) FROM mentions m WHERE m.article = a.id)"
            )
        elif (counts := compiler.resolve(entity)) is not None:
            # As the entity's page counts them: every spelling, merges and splits applied.
            # Counted by path, not in SQL: looking each row up in a JSON object of every
            # article would read the whole object per row.
            compiled.order = "0"
            compiled.order_counts = counts
        else:
            compiled.order = (
                "(SELECT coalesce(sum(m.count), 0) FROM mentions m "
                "WHERE m.article = a.id AND m.folded = ?)"
            )
            compiled.order_params.append(entity_key(entity))
    return compiled
