"""Why each hit matched: which of the query's leaves matched in which field (one query per
leaf and field, for all the hits at once), and what its snippet is found around."""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

from reader.search.compile import (
    FREE_COLUMNS,
    TEXT_COLUMNS,
    EntityArticles,
    compile_query,
    fts_query,
    positive_leaves,
)
from reader.search.documents import phrase_pattern
from reader.search.query import DateRange, Field, Node, Query, Term, WordRange
from reader.search.snippets import snippet_pattern
from reader.search.text_match import fold, has_mark, is_case_sensitive, words

if TYPE_CHECKING:
    pass


__all__ = ["case_filter", "explain", "snippet_pattern_of"]

_FIELD_OF_LEAF = {DateRange: "date", WordRange: "words"}


def case_filter(
    connection: sqlite3.Connection,
    match: str,
    columns: Sequence[str],
    parts: bool | str,
    term: str,
    within: Collection[int] | None = None,
) -> list[int]:
    """The ids among the candidates of *match* (in *columns* of ``fts``) and, with *parts*
    (True, or one kind: ``notes``, ``tags``), of the notes and tags, where *term*'s words
    are found in the term's own case (smart case; accents folded). Only the candidates
    in *within* are checked, when given (their fields read by id)."""
    has = _finder(term)
    found: list[int] = []
    if columns:
        for row_id, *values in _candidates(connection, match, columns, within):
            if any(value and has(_folded(value)) for value in values):
                found.append(row_id)
    if parts:
        body_match = fts_query(("body",), term)
        kind = "" if parts is True else " AND kind = ?"
        for row_id, body in connection.execute(
            f"SELECT article, shown FROM parts WHERE parts MATCH ?{kind}",
            (body_match,) if parts is True else (body_match, parts),
        ):
            if (within is None or row_id in within) and has(_folded(body)):
                found.append(row_id)
    return sorted(set(found))


def _finder(term: str) -> Callable[[str], bool]:
    """Whether a folded text has *term*'s words in its case (:func:`phrase_pattern`).

    The pattern starts with a look-behind (a word starts there), which keeps the regex
    engine from scanning for its first letters: it would test every character of a long
    text. Every match starts with the first word as written, so the pattern is tried from
    that word's first place (``str.find``, fast), or not at all (the look-behind still
    sees the character before)."""
    pattern = phrase_pattern(term)
    assert pattern is not None
    first = words(term)[0]

    def has(value: str) -> bool:
        at = value.find(first)
        return at >= 0 and pattern.search(value, at) is not None

    return has


_SHOWN_COLUMNS = {"title": "title_shown", "text": "text_shown"}
"""The columns of ``fts`` that hold its ``title`` and ``text`` as shown (the indexed ones
hold their words, case folded: see the schema)."""

_CONTENT_COLUMNS = {"title": "c0", "text": "c1"}
"""The columns of ``fts_content`` (the FTS table's own content table) that hold ``fts``'s
``title_shown`` and ``text_shown`` (its first two columns: see the schema)."""


def _candidates(
    connection: sqlite3.Connection,
    match: str,
    columns: Sequence[str],
    within: Collection[int] | None,
) -> list[Any]:
    """The rows (id, then *columns*) of the candidates of *match*: all of them, or those
    in *within* (the ids matched first, then only those rows read, by id: an FTS5 query
    restricted to a list of row ids would run once per id)."""
    if within is None or not all(column in _CONTENT_COLUMNS for column in columns):
        names = ", ".join(_SHOWN_COLUMNS.get(column, column) for column in columns)
        return connection.execute(
            f"SELECT rowid, {names} FROM fts WHERE fts MATCH ?", (match,)
        ).fetchall()
    ids = [
        row_id
        for (row_id,) in connection.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
        if row_id in within
    ]
    names = ", ".join(_CONTENT_COLUMNS[column] for column in columns)
    try:
        return connection.execute(
            f"SELECT id, {names} FROM fts_content WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        ).fetchall()
    except sqlite3.OperationalError:  # a schema without it: through the FTS table
        return _candidates(connection, match, columns, None)


def _folded(value: str) -> str:
    """*value* with accents folded, as smart case compares; text already in NFKD form with
    no combining mark (most English text) is its own folding, and is not copied."""
    if value.isascii() or (unicodedata.is_normalized("NFKD", value) and not has_mark(value)):
        return value
    return fold(value)


def _leaf_fields(leaf: Node) -> list[tuple[str, Node]]:
    """What each positive leaf is reported as, and the query node that checks it."""
    if isinstance(leaf, Term):
        return [(column, leaf) for column in FREE_COLUMNS]
    if isinstance(leaf, Field):
        return [(leaf.name, leaf)]
    return [(_FIELD_OF_LEAF.get(type(leaf), "?"), leaf)]


def explain(
    connection: sqlite3.Connection,
    query: Query,
    ids: set[int],
    read: frozenset[str],
    resolver: EntityArticles | None = None,
) -> list[tuple[str, set[int]]]:
    """For each positive leaf of *query* and each field it is reported as, in order: the
    field's name and the ids among *ids* where the leaf matched there. One query per leaf
    and field, for every article at once (intersected with *ids* here: an FTS5 query
    restricted to a list of row ids is run once per id)."""
    matched: list[tuple[str, set[int]]] = []
    for leaf in positive_leaves(query.where):
        for name, node in _leaf_fields(leaf):
            found: set[int]
            if isinstance(leaf, Term):
                in_fts = name in TEXT_COLUMNS
                match = fts_query((name,) if in_fts else ("body",), leaf.text)
                if match is None:
                    continue
                if is_case_sensitive(leaf.text):
                    columns = (name,) if in_fts else ()
                    found = set(
                        case_filter(connection, match, columns, not in_fts and name, leaf.text, ids)
                    )
                elif in_fts:
                    found = {
                        row_id
                        for (row_id,) in connection.execute(
                            "SELECT rowid FROM fts WHERE fts MATCH ?", (match,)
                        )
                    }
                else:
                    found = {
                        row_id
                        for (row_id,) in connection.execute(
                            "SELECT article FROM parts WHERE parts MATCH ? AND kind = ?",
                            (match, name),
                        )
                    }
            else:
                compiled = compile_query(
                    Query(node),
                    lambda match, columns, parts, term: case_filter(
                        connection, match, columns, parts, term, ids
                    ),
                    read,
                    resolver,
                )
                found = {
                    row_id
                    for (row_id,) in connection.execute(
                        f"SELECT a.id FROM articles a WHERE ({compiled.where})", compiled.params
                    )
                }
            matched.append((name, found & ids))
    return matched


def snippet_pattern_of(query: Query) -> re.Pattern[str] | None:
    """What a snippet is found around: the query's free words and phrases and ``entity:``
    values (as they are looked for in the text: whole words, accents folded; free words
    and phrases in smart case, as they are matched, ``entity:`` values in any case; a word
    in any case case folded, as the reference folds it: ``straße`` is ``strasse``)."""
    phrases = []
    sensitive = []
    for leaf in positive_leaves(query.where):
        if isinstance(leaf, Term):
            case = is_case_sensitive(leaf.text)  # smart case, as the hit
            phrases.append(words(leaf.text, casefold=not case))
            sensitive.append(case)
        elif isinstance(leaf, Field) and leaf.name == "entity":
            phrases.append(words(leaf.value, casefold=True))
            sensitive.append(False)  # an entity's name is matched in any case
    return snippet_pattern(phrases, sensitive)
