"""Parse a database's JSON one document at a time, so that other threads keep running.

``json.loads`` of a 50 MB file (100,000 annotations) is one call that holds Python's
global interpreter lock for most of a second: the app's screen, drawn by another thread,
freezes meanwhile. :func:`loads` gives the same result, but parses each table's documents
one call each (``JSONDecoder.raw_decode``), so that the interpreter switches threads
between them (every 5 ms by default). Anything it does not expect (a top level that is not
an object, a syntax error) is left to ``json.loads``, whose error messages name the line
and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

__all__ = ["TextTable", "loads"]

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


class _Irregular(Exception):
    """Not the shape this parser handles: json.loads decides."""


class TextTable(Protocol):
    """A table that keeps its documents' JSON text (``compact.AnnotationTable``)."""

    def add_json(self, doc_id: str, text: str, document: Any) -> None:
        """Add a document: its JSON text and the same decoded."""


def loads(text: str, tables: Mapping[str, Callable[[], TextTable]] | None = None) -> Any:
    """``json.loads(text)``, parsed a document at a time when ``text`` is an object of
    objects (a TinyDB file). The tables named in ``tables`` are made by its factory and
    given each document's JSON text as well (:class:`TextTable`).

    Raises:
        ValueError: ``text`` is not JSON (``json.JSONDecodeError`` from ``json.loads``).
        RecursionError: a value is nested too deep.
    """
    try:
        return _object(text, _skip(text, 0), nested=True, top=True, tables=tables or {})[0]
    except (_Irregular, ValueError, IndexError):
        return json.loads(text)


def _skip(text: str, index: int) -> int:
    """The index of the first character at or after ``index`` that is not a space."""
    if index < len(text) and text[index] not in " \t\n\r":
        return index
    match = _SPACE.match(text, index)
    assert match is not None
    return match.end()


def _object(
    text: str,
    index: int,
    *,
    nested: bool,
    top: bool = False,
    tables: Mapping[str, Callable[[], TextTable]] | None = None,
    into: TextTable | None = None,
) -> tuple[Any, int]:
    """The object starting at ``index`` and the index after it; its values that are
    objects parsed a member at a time when ``nested`` (the tables of the top level), the
    members of those named in ``tables`` added to the table made for them (``into``)."""
    if text[index] != "{":
        raise _Irregular
    result: Any = {} if into is None else into
    index = _skip(text, index + 1)
    if text[index] == "}":
        index += 1
    else:
        raw_decode = _DECODER.raw_decode
        while True:
            if text[index] != '"':
                raise _Irregular
            key, index = raw_decode(text, index)
            index = _skip(text, index)
            if text[index] != ":":
                raise _Irregular
            index = _skip(text, index + 1)
            if nested and text[index] == "{":
                make = tables.get(key) if tables else None
                result[key], index = _object(
                    text, index, nested=False, into=None if make is None else make()
                )
            elif into is not None:
                start = index
                value, index = raw_decode(text, index)
                into.add_json(key, text[start:index], value)
            else:
                result[key], index = raw_decode(text, index)
            index = _skip(text, index)
            if text[index] == ",":
                index = _skip(text, index + 1)
            elif text[index] == "}":
                index += 1
                break
            else:
                raise _Irregular
    if top and _skip(text, index) != len(text):
        raise _Irregular
    return result, index
