"""The shape of every document the store keeps, checked on the way in and on open.

Every document of every table is checked against its table's shape, both when the
database is opened (a file written by another program, or edited by hand) and whenever
the store saves a document (an import, the app, a command). The rule is the same on both
sides:

- a field the table does not define is refused, never dropped (dropping would lose what
  another program meant; refusing leaves the file as it is and names the field);
- a field the table defines must be there, with its type: a number where a number goes
  (a whole number, never ``1e400``, ``NaN`` or ``Infinity``), a string where a string
  goes, and so on;
- sizes are bounded: a string holds at most :data:`MAX_TEXT` code points, a list at most
  :data:`MAX_ITEMS` items, and nesting is at most :data:`MAX_DEPTH` deep (a table with no
  registered shape, such as one added by a newer module, is checked for these bounds and
  for finite numbers only).

Problems raise :class:`DocumentError` naming the table, the document id and the field
(``annotations/3: target.x: unknown field``); the store adds the file.

The checks are written out per table rather than run through a JSON Schema validator:
opening a database checks every document, and this is several times faster.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_TEXT",
    "SHAPES",
    "DocumentError",
    "check_correction_shape",
    "check_document",
    "check_target_shape",
    "check_value",
]

MAX_TEXT = 1_000_000
"""The longest string a document may hold, in code points (a note of a few hundred pages)."""

MAX_ITEMS = 10_000
"""The most items a list (tags, say) or an object may hold."""

MAX_DEPTH = 8
"""How deep objects and lists may nest inside one document (the document itself is 1)."""

_CORRECTION_ACTIONS = ("relabel", "remove", "add")
_CORRECTION_SCOPES = ("mention", "article", "global")
_KINDS = ("note", "highlight", "correction")


class DocumentError(ValueError):
    """A document does not have its table's shape: ``str()`` is ``<place>: <problem>``."""

    def __init__(self, place: str, problem: str) -> None:
        self.place = place
        """Where: ``table/doc_id`` and the field's path inside, e.g. ``annotations/3: target``."""
        self.problem = problem
        """What is wrong."""
        super().__init__(f"{place}: {problem}")


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"{value!r} (a number JSON cannot hold: too large, NaN or infinite)"
        return f"the number {value!r}"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class _Place:
    """Builds error places lazily: a document's table, id and the field inside."""

    __slots__ = ("doc_id", "table")

    def __init__(self, table: str, doc_id: str) -> None:
        self.table = table
        self.doc_id = doc_id

    def fail(self, field: str, problem: str) -> NoReturn:
        where = f"{self.table}/{self.doc_id}" if self.doc_id else self.table
        place = ": ".join(part for part in (where, field) if part)
        raise DocumentError(place or "the document", problem)


def _keys(
    document: object,
    place: _Place,
    field: str,
    required: frozenset[str],
    optional: frozenset[str] = frozenset(),
) -> Mapping[str, Any]:
    if type(document) is not dict:
        place.fail(field, f"expected an object, found {_describe(document)}")
    keys = document.keys()
    if keys == required or (keys >= required and keys - required <= optional):
        return document
    missing = sorted(required - keys)
    if missing:
        place.fail(_join(field, missing[0]), "missing")
    unknown = sorted(keys - required - optional)
    if unknown:
        place.fail(_join(field, str(unknown[0])[:80]), "unknown field (refused, not dropped)")
    return document


def _join(field: str, name: str) -> str:
    return f"{field}.{name}" if field else name


def _string(value: object, place: _Place, field: str) -> str:
    if type(value) is not str:
        place.fail(field, f"expected a string, found {_describe(value)}")
    if len(value) > MAX_TEXT:
        place.fail(field, f"longer than {MAX_TEXT:,} characters ({len(value):,})")
    return value


def _strings(
    document: Mapping[str, Any], names: tuple[str, ...], place: _Place, prefix: str = ""
) -> None:
    for name in names:
        value = document[name]
        if type(value) is not str or len(value) > MAX_TEXT:
            _string(value, place, _join(prefix, name))


def _whole(value: object, place: _Place, field: str) -> int:
    if type(value) is not int:
        place.fail(field, f"expected a whole number, found {_describe(value)}")
    if value < 0:
        place.fail(field, f"must be zero or more, not {value}")
    return value


def _one_of(value: object, choices: tuple[str, ...], place: _Place, field: str) -> str:
    if type(value) is not str or value not in choices:
        shown = repr(value)[:40] if isinstance(value, str) else _describe(value)
        place.fail(field, f"expected one of {', '.join(choices)}, found {shown}")
    return value


_TARGET_KEYS = frozenset({"position", "quote"})
_QUOTE_REQUIRED = frozenset({"exact"})
_QUOTE_OPTIONAL = frozenset({"prefix", "suffix"})
_QUOTE_KEYS = _QUOTE_REQUIRED | _QUOTE_OPTIONAL
_POSITION_KEYS = frozenset({"start", "end"})
_NOTHING: frozenset[str] = frozenset()


def _target(value: object, place: _Place, field: str) -> None:
    target = _keys(value, place, field, _NOTHING, _TARGET_KEYS)
    if not target:
        place.fail(field, "a target needs a quote or a position")
    if "quote" in target:
        quote = _keys(target["quote"], place, f"{field}.quote", _QUOTE_REQUIRED, _QUOTE_OPTIONAL)
        _strings(quote, tuple(quote), place, f"{field}.quote")
    if "position" in target:
        position = _keys(target["position"], place, f"{field}.position", _POSITION_KEYS)
        start = _whole(position["start"], place, f"{field}.position.start")
        end = _whole(position["end"], place, f"{field}.position.end")
        if start > end:
            place.fail(f"{field}.position", f"start {start} is after end {end}")


_CORRECTION_KEYS = frozenset({"action", "scope", "text"})
_CORRECTION_OPTIONAL = frozenset({"label"})


def _correction(value: object, place: _Place, field: str) -> None:
    correction = _keys(value, place, field, _CORRECTION_KEYS, _CORRECTION_OPTIONAL)
    action = _one_of(correction["action"], _CORRECTION_ACTIONS, place, f"{field}.action")
    _one_of(correction["scope"], _CORRECTION_SCOPES, place, f"{field}.scope")
    _string(correction["text"], place, f"{field}.text")
    label = correction.get("label")
    if label is not None:
        _string(label, place, f"{field}.label")
    if action in ("relabel", "add") and not label:
        place.fail(f"{field}.label", f"a {action!r} correction needs a label")


def check_target_shape(target: object, field: str = "target") -> None:
    """Check an annotation target: ``"quote": {"exact"}`` (and optionally ``"prefix"``
    and ``"suffix"``: strings) and ``"position": {"start", "end"}`` (whole numbers, start
    ≤ end), either or both, nothing else.

    Raises:
        DocumentError: it is not that; the place is *field* and the part inside.
    """
    _target(target, _Place("", ""), field)


def check_correction_shape(correction: object, field: str = "correction") -> None:
    """Check an entity correction: ``{"action", "scope", "text"}`` and optionally
    ``"label"`` (needed by "relabel" and "add"), nothing else.

    Raises:
        DocumentError: it is not that; the place is *field* and the part inside.
    """
    _correction(correction, _Place("", ""), field)


_META_KEYS = frozenset({"format", "schema_version"})


def _meta(document: object, place: _Place) -> None:
    meta = _keys(document, place, "", _META_KEYS)
    _string(meta["format"], place, "format")
    _whole(meta["schema_version"], place, "schema_version")


_ARTICLE_KEYS = frozenset({"sha256", "path", "title", "tags"})


def _article(document: object, place: _Place) -> None:
    article = _keys(document, place, "", _ARTICLE_KEYS)
    _strings(article, ("sha256", "path", "title"), place)
    tags = article["tags"]
    if type(tags) is not list:
        place.fail("tags", f"expected a list of strings, found {_describe(tags)}")
    if len(tags) > MAX_ITEMS:
        place.fail("tags", f"more than {MAX_ITEMS:,} tags")
    for index, tag in enumerate(tags):
        if type(tag) is not str or len(tag) > MAX_TEXT:
            _string(tag, place, f"tags[{index}]")


_ANNOTATION_KEYS = frozenset(
    {
        "id",
        "kind",
        "article_sha256",
        "article_path",
        "created",
        "modified",
        "body",
        "target",
        "correction",
    }
)
_ANNOTATION_STRINGS = ("id", "article_sha256", "article_path", "created", "modified", "body")


def _is_plain_target(target: object) -> bool:
    """True for the usual target (position and full quote, all well formed): checked
    inline, as opening a database checks every one; anything else takes the long way.
    (Equal lengths and every key found is the same as equal key sets, and faster.)"""
    if type(target) is not dict or len(target) != 2:
        return False
    try:
        quote, position = target["quote"], target["position"]
        if type(quote) is not dict or len(quote) != 3:
            return False
        if type(position) is not dict or len(position) != 2:
            return False
        exact, prefix, suffix = quote["exact"], quote["prefix"], quote["suffix"]
        start, end = position["start"], position["end"]
    except KeyError:
        return False
    return (
        type(start) is int
        and type(end) is int
        and 0 <= start <= end
        and type(exact) is str
        and type(prefix) is str
        and type(suffix) is str
        and max(len(exact), len(prefix), len(suffix)) <= MAX_TEXT
    )


def _is_plain_annotation(document: object) -> bool:
    """True for the usual annotation (a note or highlight, well formed): checked inline,
    as opening a database checks every one; anything else takes the long way, which also
    names what is wrong."""
    if type(document) is not dict or len(document) != len(_ANNOTATION_KEYS):
        return False
    try:
        id_, kind, sha256, path = (
            document["id"],
            document["kind"],
            document["article_sha256"],
            document["article_path"],
        )
        created, modified, body = document["created"], document["modified"], document["body"]
        target, correction = document["target"], document["correction"]
    except KeyError:
        return False
    if not (
        type(id_) is str
        and type(sha256) is str
        and type(path) is str
        and type(created) is str
        and type(modified) is str
        and type(body) is str
        and correction is None
        and max(len(id_), len(sha256), len(path), len(created), len(modified), len(body))
        <= MAX_TEXT
    ):
        return False
    if kind == "highlight":
        return _is_plain_target(target)
    return kind == "note" and (target is None or _is_plain_target(target))


def _annotation(document: object, place: _Place) -> None:
    if not _is_plain_annotation(document):
        _annotation_fully(document, place)


def _annotation_fully(document: object, place: _Place) -> None:
    annotation = _keys(document, place, "", _ANNOTATION_KEYS)
    _strings(annotation, _ANNOTATION_STRINGS, place)
    kind = _one_of(annotation["kind"], _KINDS, place, "kind")
    target = annotation["target"]
    if target is None:
        if kind != "note":
            place.fail("target", f"a {kind} needs a target (its passage), found null")
    else:
        _target(target, place, "target")
    correction = annotation["correction"]
    if kind == "correction":
        _correction(correction, place, "correction")
    elif correction is not None:
        place.fail("correction", f"a {kind} has no correction, found {_describe(correction)}")


_READING_KEYS = frozenset({"sha256", "path", "title", "read", "position"})


def _reading(document: object, place: _Place) -> None:
    reading = _keys(document, place, "", _READING_KEYS)
    _strings(reading, ("sha256", "path", "title"), place)
    if type(reading["read"]) is not bool:
        place.fail("read", f"expected true or false, found {_describe(reading['read'])}")
    if reading["position"] is not None:
        _whole(reading["position"], place, "position")


_VIEW_KEYS = frozenset({"name", "query"})


def _view(document: object, place: _Place) -> None:
    view = _keys(document, place, "", _VIEW_KEYS)
    _strings(view, ("name", "query"), place)


_SESSION_KEYS = frozenset({"library", "sha256", "path", "query"})


def _session(document: object, place: _Place) -> None:
    session = _keys(document, place, "", _SESSION_KEYS)
    _strings(session, ("library", "sha256", "path", "query"), place)


_DRAFT_KEYS = frozenset({"key", "sha256", "path", "title", "target", "annotation", "body", "saved"})


def _draft(document: object, place: _Place) -> None:
    draft = _keys(document, place, "", _DRAFT_KEYS, frozenset({"owner"}))
    _strings(draft, ("key", "sha256", "path", "title", "annotation", "body", "saved"), place)
    if not draft["key"]:
        place.fail("key", "a draft's key cannot be empty")
    if draft["target"] is not None:
        _target(draft["target"], place, "target")
    owner = draft.get("owner")
    if owner is not None:
        _keys(owner, place, "owner", frozenset({"pid", "started", "editor"}))
        if type(owner["pid"]) is not int:
            place.fail("owner.pid", f"expected an integer, found {_describe(owner['pid'])}")
        for field in ("started", "editor"):
            if not isinstance(owner[field], str):
                place.fail(f"owner.{field}", f"expected a string, found {_describe(owner[field])}")


SHAPES: dict[str, Callable[[object, _Place], None]] = {
    "meta": _meta,
    "articles": _article,
    "annotations": _annotation,
    "reading": _reading,
    "views": _view,
    "sessions": _session,
    "drafts": _draft,
}
"""The check of each table's documents. A table not here (one a newer module adds) is
checked by :func:`check_value` alone: bounded and finite. Register a check here for it."""


def check_document(table: str, doc_id: str, document: object) -> None:
    """Check one document of *table*: its table's shape, or the bounds for a table with
    no registered shape.

    Raises:
        DocumentError: it breaks the rule; the place names the table, doc id and field.
    """
    if table == "annotations" and _is_plain_annotation(document):
        return  # the common case, without building the place a message would need
    place = _Place(table, doc_id)
    shape = SHAPES.get(table)
    if shape is not None:
        shape(document, place)
        return
    if type(document) is not dict:
        place.fail("", f"expected an object, found {_describe(document)}")
    _bounded(document, place, "", 1)


def check_value(value: object, where: str = "") -> None:
    """Check any JSON value for the bounds alone: finite numbers, strings of at most
    :data:`MAX_TEXT`, at most :data:`MAX_ITEMS` items, at most :data:`MAX_DEPTH` deep.

    Raises:
        DocumentError: it breaks a bound; the place is *where* and the part inside.
    """
    _bounded(value, _Place(where, ""), "", 1)


def _bounded(value: object, place: _Place, field: str, depth: int) -> None:
    kind = type(value)
    if kind is str:
        if len(value) > MAX_TEXT:  # type: ignore[arg-type]
            place.fail(field, f"longer than {MAX_TEXT:,} characters")
    elif kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            place.fail(field, f"expected a JSON number, found {_describe(value)}")
    elif kind is dict or kind is list:
        if depth >= MAX_DEPTH:
            place.fail(field, f"nested more than {MAX_DEPTH} deep")
        if len(value) > MAX_ITEMS:  # type: ignore[arg-type]
            place.fail(field, f"more than {MAX_ITEMS:,} items")
        if kind is dict:
            for key, item in value.items():  # type: ignore[attr-defined]
                if type(key) is not str:
                    place.fail(field, f"a key is not a string: {key!r:.40}")
                _bounded(item, place, _join(field, key[:80]), depth + 1)
        else:
            for index, item in enumerate(value):  # type: ignore[arg-type]
                _bounded(item, place, f"{field}[{index}]", depth + 1)
    elif value is not None and kind is not bool and kind is not int:
        place.fail(field, f"not a JSON value: {_describe(value)}")
