"""The terms the W3C export writes and reads back: the JSON-LD context, reader's extension
properties, the namespace of the ids reader derives, and the IRIs of ids, articles and files."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlsplit

from reader.export.reading import at, expect_list, expect_string

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
"""The JSON-LD context of the Web Annotation Data Model."""

CORRECTION_KEY = "reader:correction"
"""The extension property holding an entity correction as reader stores it."""

STATE_KEY = "reader:state"
"""The extension property saying where a passage stands in the source's text when it is
not where it was made: ``moved``, ``orphaned`` (no TextPositionSelector) or
``unverified`` (the text was not found; the selectors are as stored)."""

NAMESPACE = uuid.UUID("5b0c8f61-3f2e-4a47-9d0e-9a3b7c1d2e4f")
"""Namespace of the uuid5 ids reader derives (tag annotations, collections, foreign ids)."""

SHA256_IRI = "urn:sha256:"
"""An article's id: this and the SHA-256 of its displayed text."""

UUID_IRI = "urn:uuid:"
"""An annotation's id: this and reader's id as a uuid."""


def uuid_iri(value: uuid.UUID) -> str:
    """The ``urn:uuid:`` IRI of *value*."""
    return f"{UUID_IRI}{value}"


def file_iri(path: str) -> str:
    """``file:`` IRI of an absolute path (bytes that are not UTF-8 percent-encoded), or
    the percent-encoded relative reference of a relative one."""
    given = Path(path)
    if given.is_absolute():
        return given.as_uri()
    return quote(os.fsencode(path), safe="/")


def path_of(iri: str) -> str:
    """The path a ``file:`` IRI (or relative reference) from :func:`file_iri` names."""
    parts = urlsplit(iri)
    if parts.scheme not in ("", "file"):
        return iri
    return os.fsdecode(unquote_to_bytes(parts.path))


def words(value: Any, where: str) -> list[str]:
    """A JSON-LD value that may be one string or an array of strings, as a list."""
    if isinstance(value, str):
        return [value]
    items = expect_list(value, where) if value is not None else []
    return [expect_string(item, at(where, index)) for index, item in enumerate(items)]
