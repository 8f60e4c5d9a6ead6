"""Reading import files: JSON parsed strictly, every value checked, every error naming where.

The json and w3c readers turn a file into :class:`Parsed` (articles and annotations the
store could hold) or raise :class:`ImportFileError` saying which value is wrong, as a path
such as ``articles[0].notes[2].target.position.start``. Nothing here touches the store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

from reader.anchoring import orphan_target, to_w3c_selectors
from reader.entities.corrections import correction_from_dict
from reader.entities.library.edits import Edit
from reader.store import KINDS, Annotation, ArticleRef, View
from reader.store import model as store_model

__all__ = [
    "ImportFileError",
    "ImportedAnnotation",
    "ImportedArticle",
    "ImportedView",
    "Parsed",
    "annotation",
    "at",
    "expect_int",
    "expect_keys",
    "expect_list",
    "expect_object",
    "expect_sha256",
    "expect_string",
    "expect_tag",
    "expect_tags",
    "expect_time",
    "fail",
    "load_json",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class ImportFileError(Exception):
    """The file cannot be imported: ``str()`` is one line, ``<where>: <what is wrong>``."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        """The JSON path of the bad value (``""`` for the file as a whole)."""
        self.message = message
        """What is wrong with it."""
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class ImportedArticle:
    """An article named in an import file, with its tags."""

    ref: ArticleRef
    """Its identity as the file gives it (path and title may be empty in a w3c file)."""
    tags: tuple[str, ...]
    """Its tags, cleaned as the store cleans them."""
    where: str
    """Where the file names it, for messages."""
    read: bool | None = None
    """Whether the file marks it read; None when the file does not say (a w3c file, or
    a json export from before read state)."""


@dataclass(frozen=True)
class ImportedView:
    """A saved view in an import file, its name and query cleaned as the store cleans
    them."""

    view: View
    """The name and query."""
    where: str
    """Where in the file it is, for messages."""


@dataclass(frozen=True)
class ImportedAnnotation:
    """An annotation in an import file, checked as the store and the app check them."""

    annotation: Annotation
    """The annotation, with the id, times and path the file gives."""
    where: str
    """Where in the file it is, for messages."""
    state: str | None = None
    """What the export said of its passage: None (anchored, or a whole-article note),
    "moved", "orphaned" or "unverified" (see :data:`STATES`)."""

    @property
    def reanchored(self) -> bool:
        """Whether the export wrote its target where it found the passage (moved or
        orphaned), rather than as the database held it."""
        return self.state in ("moved", "orphaned")


STATES = ("anchored", "moved", "orphaned", "unverified")
"""The states an export may give a passage annotation."""


@dataclass(frozen=True)
class Parsed:
    """What an import file holds."""

    format: str
    """``json`` or ``w3c``."""
    articles: tuple[ImportedArticle, ...]
    """Every article the file names, once each, in file order."""
    annotations: tuple[ImportedAnnotation, ...]
    """Every annotation, in file order; each one's article is among :attr:`articles`."""
    views: tuple[ImportedView, ...] = ()
    """The saved views, in file order, no two names equal ignoring case."""
    entity_edits: tuple[Edit, ...] = ()
    """The user's edits of the library's entities, oldest first (json only)."""


def fail(where: str, message: str) -> NoReturn:
    """Raise :class:`ImportFileError`."""
    raise ImportFileError(where, message)


def at(where: str, key: str | int) -> str:
    """The path of *key* inside *where*: ``a.b`` or ``a[3]``."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def load_json(raw: bytes) -> Any:
    """Parse an import file's bytes: UTF-8 JSON, no NaN or infinities, no repeated keys.

    Raises:
        ImportFileError: the bytes are not that, with the line and column.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        fail("", f"not UTF-8 text (byte {error.start})")

    def constant(name: str) -> NoReturn:
        raise ValueError(f"{name} is not allowed in JSON")

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"the key {key!r} appears twice in one object")
            result[key] = value
        return result

    try:
        return json.loads(text, parse_constant=constant, object_pairs_hook=unique)
    except json.JSONDecodeError as error:
        fail("", f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})")
    except RecursionError:
        fail("", "nested too deep to read (an export nests a few levels, never hundreds)")
    except ValueError as error:
        fail("", f"not valid JSON ({error})")


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true or false"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"the number {value!r}"
    return names.get(type(value), type(value).__name__)


def expect_object(value: Any, where: str) -> dict[str, Any]:
    """*value* if it is a JSON object."""
    if not isinstance(value, dict):
        fail(where, f"expected an object, found {_type_name(value)}")
    return value


def expect_list(value: Any, where: str) -> list[Any]:
    """*value* if it is a JSON array."""
    if not isinstance(value, list):
        fail(where, f"expected an array, found {_type_name(value)}")
    return value


def expect_string(value: Any, where: str, *, blank: bool = True) -> str:
    """*value* if it is a string (and not only whitespace, unless *blank*)."""
    if not isinstance(value, str):
        fail(where, f"expected a string, found {_type_name(value)}")
    if not blank and not value.strip():
        fail(where, "must not be empty")
    return value


def expect_int(value: Any, where: str) -> int:
    """*value* if it is a whole number, zero or more."""
    if not isinstance(value, int) or isinstance(value, bool):
        fail(where, f"expected a whole number, found {_type_name(value)}")
    if value < 0:
        fail(where, f"must be zero or more, not {value}")
    return value


def expect_sha256(value: Any, where: str) -> str:
    """*value* if it is a SHA-256 hex digest (64 lower-case hex digits)."""
    text = expect_string(value, where)
    if not _SHA256.fullmatch(text):
        fail(where, f"expected a SHA-256 digest (64 lower-case hex digits), found {text!r:.80}")
    return text


def expect_time(value: Any, where: str, *, exact: bool = True) -> str:
    """*value* as reader writes times, ``2026-11-27T11:00:00Z``.

    With ``exact=False`` any ISO-8601 time with a zone is accepted and converted to UTC
    (to the second), as W3C files from other tools write them.
    """
    text = expect_string(value, where)
    if exact and not _TIME.fullmatch(text):
        fail(where, f"expected a UTC time like 2026-11-27T11:00:00Z, found {text!r:.80}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(where, f"not a valid time: {text!r:.80}")
    if moment.tzinfo is None:
        fail(where, f"a time needs a zone (Z for UTC): {text!r:.80}")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expect_keys(
    value: Mapping[str, Any], where: str, required: Iterable[str], optional: Iterable[str] = ()
) -> None:
    """Check that *value* has every *required* key and no key outside the two lists."""
    required = tuple(required)
    missing = [key for key in required if key not in value]
    if missing:
        fail(where, f"missing {', '.join(repr(key) for key in missing)}")
    allowed = set(required) | set(optional)
    unknown = sorted(key for key in value if key not in allowed)
    if unknown:
        fail(where, f"unknown key {unknown[0]!r}")


def expect_tags(value: Any, where: str) -> tuple[str, ...]:
    """A list of tags as the store keeps them (see :func:`expect_tag`)."""
    tags = []
    for index, tag in enumerate(expect_list(value, where)):
        tags.append(expect_tag(expect_string(tag, at(where, index), blank=False), at(where, index)))
    return tuple(store_model.dedupe_tags(tags))


def expect_tag(text: str, where: str) -> str:
    """*text* if it is a tag as the store keeps them: no space at either end, and the one
    tag rule (:data:`reader.store.model.TAG_RULE`). A tag with a comma is refused, not
    split: the file says one tag, and splitting it would make it say two."""
    if text != text.strip():
        fail(where, f"a tag has no space at either end: {text!r:.80}")
    problem = store_model.tag_problem(text)
    if problem is not None:
        fail(where, problem)
    return text


def annotation(
    *,
    where: str,
    id: str,
    kind: str,
    article: ArticleRef,
    article_path: str,
    created: str,
    modified: str,
    body: str,
    target: Any,
    correction: Any,
    state: Any = None,
) -> ImportedAnnotation:
    """An annotation checked as the store checks it on the way in, and as the app reads
    it: a passage target that anchoring can use, a correction the app can apply.
    *state* is what the export said of the passage; an orphaned one's target may have a
    quote and no position.

    Raises:
        ImportFileError: a part is not valid; *where* and the part are named.
    """
    assert kind in KINDS
    if state is not None and state not in STATES:
        fail(at(where, "state"), f"expected one of {', '.join(STATES)}, found {state!r:.40}")
    if state is not None and target is None:
        fail(at(where, "state"), "a note on the whole article has no state")
    if target is None:
        if kind != "note":
            fail(at(where, "target"), f"a {kind} needs a target (the passage), found null")
    else:
        expect_object(target, at(where, "target"))
        try:
            if "position" in target or state != "orphaned":
                to_w3c_selectors(target)
            else:
                orphan_target(target)
            target = store_model.check_target(target, required=True)
        except (TypeError, ValueError) as error:
            fail(at(where, "target"), str(error))
    if kind == "correction":
        expect_object(correction, at(where, "correction"))
        try:
            correction = store_model.check_correction(correction, imported=True)
            correction_from_dict(correction)
        except (TypeError, ValueError) as error:
            fail(at(where, "correction"), str(error))
    elif correction is not None:
        fail(at(where, "correction"), f"a {kind} has no correction")
    return ImportedAnnotation(
        Annotation(
            id=id,
            kind=kind,
            article_sha256=article.sha256,
            article_path=article_path,
            created=created,
            modified=modified,
            body=body,
            target=target,
            correction=correction,
        ),
        where,
        None if state == "anchored" else state,
    )
