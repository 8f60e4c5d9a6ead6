"""The layout of the annotations file, its version, and the migrations between versions.

The file is a TinyDB database: a JSON object of tables, each an object of documents keyed
by their id (a decimal string). Version 6 has eight tables:

- ``meta``: one document, ``{"format": "reader-annotations", "schema_version": 2}``;
- ``articles``: ``{"sha256", "path", "title", "tags": [str]}``, one per article with tags
  or annotations;
- ``annotations``: the fields of :class:`reader.store.model.Annotation`;
- ``reading``: ``{"sha256", "path", "title", "read": bool, "position": int | null}``, one
  per article marked read or with a reading position (at most one per sha256);
- ``views``: ``{"name", "query"}``, the saved searches, in the order saved (no two names
  equal ignoring case);
- ``entity_edits``: the user's edits of the library's entities (merge, split, rename,
  relabel), in the order made (:mod:`reader.store.entity_edits`);
- ``sessions``: ``{"library", "sha256", "path", "query"}``, where each library was left
  (the article last opened, the filter's query), one per library key
  (:mod:`reader.store.sessions`);
- ``drafts``: ``{"key", "sha256", "path", "title", "target", "annotation", "body",
  "saved"}``, the notes being written, one per key (:mod:`reader.store.drafts`).

Version 1 had the first three; :data:`MIGRATIONS` ``[1]`` adds ``reading`` and ``views``,
empty, and ``[2]`` adds ``entity_edits``, empty. Version 4 has the same tables, but a large
file may have a journal beside it (:mod:`reader.store.changelog`) holding its latest
changes: a reader of version 3 or older would not read it, so it must refuse the file.
``[3]`` changes nothing but the version. ``[4]`` adds ``sessions``, empty, and ``[5]``
``drafts``, empty.

Reading state has its own table rather than fields on the article documents because the
undo journal puts back whole documents: undoing a tag added before an article was marked
read would otherwise unmark it, and an article document is dropped when its last tag or
annotation goes, which would take the read mark with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any, NoReturn

from reader.store import incremental
from reader.store.compact import AnnotationTable
from reader.store.errors import StoreCorrupt
from reader.store.validation import DocumentError, check_document

__all__ = [
    "FORMAT",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TABLES",
    "Data",
    "Migration",
    "check_tables",
    "new_database",
    "parse_database",
]

Data = dict[str, MutableMapping[str, dict[str, Any]]]
"""A whole database as TinyDB hands it to a storage: table name -> doc id -> document."""

Migration = Callable[[Data], Data]
"""Turns a database of one schema version into the next version."""

FORMAT = "reader-annotations"
"""The marker in the ``meta`` document that tells this app's files from other TinyDB files."""

SCHEMA_VERSION = 6
"""The schema version this code reads and writes."""

TABLES = (
    "meta",
    "articles",
    "annotations",
    "reading",
    "views",
    "entity_edits",
    "sessions",
    "drafts",
)
"""The tables of the current schema, in the order they are written."""

META_ID = "1"
"""The document id of the one ``meta`` document."""


def _add_reading_and_views(data: Data) -> Data:
    """Version 1 to 2: the ``reading`` and ``views`` tables, empty (nothing was read or
    saved before they existed)."""
    for name in ("reading", "views"):
        if name in data:
            raise ValueError(f"a version-1 file already has a {name!r} table")
        data[name] = {}
    return data


def _add_entity_edits(data: Data) -> Data:
    """Version 2 to 3: the ``entity_edits`` table, empty."""
    if "entity_edits" in data:
        raise ValueError("a version-2 file already has an 'entity_edits' table")
    data["entity_edits"] = {}
    return data


def _allow_a_journal(data: Data) -> Data:
    """Version 3 to 4: the data is the same; a journal may be written beside the file."""
    return data


def _add_sessions(data: Data) -> Data:
    """Version 4 to 5: the ``sessions`` table, empty (no library was left on an article
    before it existed)."""
    if "sessions" in data:
        raise ValueError("a version-4 file already has a 'sessions' table")
    data["sessions"] = {}
    return data


def _add_drafts(data: Data) -> Data:
    """Version 5 to 6: the ``drafts`` table, empty (no note was kept as a draft before)."""
    if "drafts" in data:
        raise ValueError("a version-5 file already has a 'drafts' table")
    data["drafts"] = {}
    return data


MIGRATIONS: dict[int, Migration] = {
    1: _add_reading_and_views,
    2: _add_entity_edits,
    3: _allow_a_journal,
    4: _add_sessions,
    5: _add_drafts,
}
"""Migrations keyed by the version they upgrade from: ``MIGRATIONS[n]`` turns a version-n
database into version n+1 (it need not touch ``meta``; the caller sets the version). A
migration replaces documents (``table[doc_id] = new``), never changes one in place: the
annotations are kept as JSON text and decoded anew on each read (``compact``).
"""


def new_database() -> Data:
    """The contents of a database that has never been written."""
    return {
        "meta": {META_ID: {"format": FORMAT, "schema_version": SCHEMA_VERSION}},
        "articles": {},
        "annotations": AnnotationTable(),
        "reading": {},
        "views": {},
        "entity_edits": {},
        "sessions": {},
        "drafts": {},
    }


def parse_database(
    raw: bytes,
    path: Path,
    *,
    before_migrating: Callable[[Data], None] | None = None,
    check: bool = True,
) -> tuple[Data, int]:
    """Parse a database file's bytes, check them, and migrate them to :data:`SCHEMA_VERSION`.

    Zero bytes read as a new, empty database. Returns the data and the schema version the
    file had. ``before_migrating`` is given the data as the file holds it, before any
    migration (the journal's saves are of the file's version). With ``check`` False the
    documents are not checked: the caller calls :func:`check_tables` once it is done.

    Raises:
        StoreCorrupt: the bytes are not UTF-8 JSON, not this app's schema, or come from a
            newer version of reader. Nothing is written either way.
    """
    if not raw:
        return new_database(), SCHEMA_VERSION
    data = _parse_json(raw, path)
    version = _read_version(data, path)
    if version > SCHEMA_VERSION:
        _corrupt(
            path,
            f"was written by a newer version of reader (schema version {version}; this "
            f"version reads up to {SCHEMA_VERSION}): upgrade reader to open it",
            brief=f"was written by a newer reader (schema {version})",
        )
    if before_migrating is not None:
        before_migrating(data)
    for from_version in range(version, SCHEMA_VERSION):
        data = _migrate(data, from_version, path)
    if check:
        check_tables(data, path)
    return data, version


def _corrupt(path: Path, problem: str, brief: str | None = None) -> NoReturn:
    raise StoreCorrupt(path, f"{problem}; the file was left as it is", brief)


def _parse_json(raw: bytes, path: Path) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        _corrupt(path, f"is not UTF-8 text (byte {error.start})")
    try:
        # NaN, Infinity and numbers too large for a float (1e400) are read as floats here
        # and refused by the document checks, which name the place. A document at a
        # time: the app's screen is drawn by another thread meanwhile.
        return incremental.loads(text, {"annotations": _annotation_table})
    except json.JSONDecodeError as error:
        _corrupt(
            path, f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        )
    except (ValueError, RecursionError) as error:
        _corrupt(path, f"is not valid JSON ({error})")


def _annotation_table() -> AnnotationTable:
    """The annotations table as the file is read: each document checked as it comes."""
    return AnnotationTable(check=_check_annotation)


def _check_annotation(doc_id: str, document: Any) -> None:
    if not doc_id.isdecimal():
        raise ValueError(f"has a malformed document id at annotations/{doc_id[:40]}")
    check_document("annotations", doc_id, document)


def _read_version(data: Any, path: Path) -> int:
    if not isinstance(data, dict) or not all(
        isinstance(t, dict | AnnotationTable) for t in data.values()
    ):
        _corrupt(path, "is JSON but not a reader annotations database (not a TinyDB file)")
    meta = data.get("meta")
    document = meta.get(META_ID) if isinstance(meta, dict) and len(meta) == 1 else None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        _corrupt(path, "is JSON but not a reader annotations database (no reader meta table)")
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        _corrupt(path, f"has an invalid schema version {version!r}")
    return version


def _migrate(data: Data, from_version: int, path: Path) -> Data:
    migration = MIGRATIONS.get(from_version)
    if migration is None:
        _corrupt(
            path, f"has schema version {from_version}, which this version of reader cannot migrate"
        )
    try:
        migrated = migration(data)
    except Exception as error:
        _corrupt(path, f"could not be migrated from schema version {from_version} ({error!r})")
    migrated["meta"] = {META_ID: {"format": FORMAT, "schema_version": from_version + 1}}
    return migrated


def check_tables(data: Data, path: Path) -> None:
    """Check every document against its table's shape (``validation``), and what holds
    across documents, so that a bad file fails at open and not in the middle of work."""
    unknown = sorted(set(data) - set(TABLES))
    if unknown:
        _corrupt(path, f"has tables this version of reader does not know: {', '.join(unknown)}")
    annotations = data.get("annotations")
    if not isinstance(annotations, AnnotationTable):  # read whole by json.loads
        annotations = AnnotationTable(check=_check_annotation)
        annotations.update(data.get("annotations") or {})
        data["annotations"] = annotations
    for name in TABLES:
        table = data.setdefault(name, {})
        if isinstance(table, AnnotationTable):
            problem = table.problem()  # of the documents checked as they were read
            if problem is not None:
                _corrupt(path, problem)
            documents = table.unchecked()
        else:
            documents = iter(table.items())
        for doc_id, document in documents:
            if not doc_id.isdecimal():
                _corrupt(path, f"has a malformed document id at {name}/{doc_id[:40]}")
            try:
                check_document(name, doc_id, document)
            except DocumentError as error:
                _corrupt(path, str(error))
    duplicate = annotations.duplicate()
    if duplicate is not None:
        doc_id, annotation_id = duplicate
        _corrupt(path, f"annotations/{doc_id}: annotation id {annotation_id!r:.80} appears twice")
    annotations.seal()
    _check_reading(data["reading"], path)
    _check_views(data["views"], path)
    _check_entity_edits(data["entity_edits"], path)
    _check_sessions(data["sessions"], path)
    _check_drafts(data["drafts"], path)


def _check_reading(table: MutableMapping[str, dict[str, Any]], path: Path) -> None:
    hashes: set[str] = set()
    for doc_id, document in table.items():
        where = f"reading/{doc_id}"
        if document["sha256"] in hashes:
            _corrupt(path, f"{where}: article {document['sha256']!r:.80} appears twice")
        hashes.add(document["sha256"])


def _check_views(table: MutableMapping[str, dict[str, Any]], path: Path) -> None:
    names: set[str] = set()
    for doc_id, document in table.items():
        where = f"views/{doc_id}"
        if not document["name"].strip() or not document["query"].strip():
            _corrupt(path, f"{where}: a view's name and query cannot be empty")
        key = document["name"].casefold()
        if key in names:
            _corrupt(path, f"{where}: view name {document['name']!r:.80} appears twice")
        names.add(key)


def _check_entity_edits(table: MutableMapping[str, dict[str, Any]], path: Path) -> None:
    from reader.store.entity_edits import check_edit_document

    for doc_id, document in table.items():
        problem = check_edit_document(document)
        if problem:
            _corrupt(path, f"entity_edits/{doc_id}: {problem}")


def _check_sessions(table: MutableMapping[str, dict[str, Any]], path: Path) -> None:
    libraries: set[str] = set()
    for doc_id, document in table.items():
        if document["library"] in libraries:
            _corrupt(path, f"sessions/{doc_id}: library {document['library']!r:.80} appears twice")
        libraries.add(document["library"])


def _check_drafts(table: MutableMapping[str, dict[str, Any]], path: Path) -> None:
    keys: set[tuple[str, str]] = set()
    for doc_id, document in table.items():
        owner = document.get("owner") or {}
        name = (document["key"], owner.get("editor", ""))
        if name in keys:
            _corrupt(path, f"drafts/{doc_id}: draft key {document['key']!r:.80} appears twice")
        keys.add(name)
