"""The W3C Web Annotation Data Model export (JSON-LD), and reading it back.

One ``AnnotationCollection`` (``@context`` ``http://www.w3.org/ns/anno.jsonld``) whose first
and only ``AnnotationPage`` holds, per article, in export order:

- its tags, as one annotation with motivation ``tagging`` and a ``TextualBody`` with purpose
  ``tagging`` per tag, targeting the whole article (its id is derived from the article's
  hash, so it is the same in every export);
- each note, motivation ``commenting``, the note as a ``TextualBody`` with purpose
  ``commenting`` and format ``text/markdown``;
- each highlight, motivation ``highlighting`` (no body, unless a note was added to it);
- each entity correction, motivation ``classifying`` (``editing`` for a removal), the new
  label as a ``TextualBody`` with purpose ``classifying``, and the correction itself under
  the extension property ``reader:correction`` (``{"action", "label", "scope", "text"}``),
  which other tools ignore.

Annotation ids are ``urn:uuid:`` IRIs of reader's own ids. A passage target is a
``SpecificResource`` whose ``selector`` holds a ``TextQuoteSelector`` (exact, prefix,
suffix) and a ``TextPositionSelector`` in the source's text (re-anchored there; an
orphaned passage has the quote selector alone, and a passage that is not where it was
made says so under ``reader:state``); a whole-article target has no selector. Its
``source`` is the article: ``id`` ``urn:sha256:<hex>`` (the SHA-256 of its displayed text,
which is what reader's annotations hang on), ``label`` its title and ``via`` the ``file:``
IRI it was read from.

**Positions are Unicode code points** into the article's displayed text (the sanitised,
newline-normalised text that ``reader entities`` also counts in). Hypothesis and browser
tools count UTF-16 code units instead; the two differ after any character outside the
Basic Multilingual Plane (most emoji), so such a tool should trust the quote selector,
which reader also re-anchors by.

:func:`parse` reads this back, and accepts the variants the model allows (a single
annotation or page, ``type`` and ``motivation`` as arrays, a selector not in an array,
any ISO-8601 time, ids that are not ``urn:uuid:``, which get a stable uuid derived from
them). What reader cannot hold, it refuses with the place named: an article not identified
by ``urn:sha256:``, another motivation, a non-text body, several targets.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlsplit

from reader.anchoring import from_w3c_selectors, to_w3c_selectors
from reader.export.collect import CHANGED, Collection, ExportedArticle, ExportError
from reader.export.jsontext import dumps, sorted_json
from reader.export.reading import (
    ImportedAnnotation,
    ImportedArticle,
    Parsed,
    annotation,
    at,
    expect_list,
    expect_object,
    expect_string,
    expect_tag,
    expect_time,
    fail,
)
from reader.store import Annotation, ArticleRef
from reader.store import model as store_model

__all__ = ["CONTEXT", "CORRECTION_KEY", "STATE_KEY", "chunks", "parse", "render", "to_document"]

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
"""The JSON-LD context of the Web Annotation Data Model."""

CORRECTION_KEY = "reader:correction"
"""The extension property holding an entity correction as reader stores it."""

STATE_KEY = "reader:state"
"""The extension property saying where a passage stands in the source's text when it is
not where it was made: ``moved``, ``orphaned`` (no TextPositionSelector) or
``unverified`` (the text was not found; the selectors are as stored)."""

_NAMESPACE = uuid.UUID("5b0c8f61-3f2e-4a47-9d0e-9a3b7c1d2e4f")
"""Namespace of the uuid5 ids reader derives (tag annotations, collections, foreign ids)."""

_SHA256_IRI = "urn:sha256:"
_UUID_IRI = "urn:uuid:"


def render(collection: Collection) -> bytes:
    """Return *collection* as a W3C AnnotationCollection: indented UTF-8 JSON-LD."""
    return b"".join(chunks(collection))


def chunks(collection: Collection) -> Iterator[bytes]:
    """Yield the bytes of :func:`render`, an article's annotations at a time.

    The collection's and page's ids are derived from every item's id, and come first: a
    first pass over the articles finds the ids (their annotations read, not re-anchored:
    see :meth:`Collection.each`). The bytes
    are those of ``dumps(to_document(collection))`` and a newline: each item is dumped
    alone and indented to its depth, as in :func:`reader.export.json_format.chunks`.

    Raises:
        ExportError: the annotations changed between the two passes (the app's store, as
            a note is saved): the ids written first would not be those of the items.
    """
    ids = [_item_ids(article) for article in collection.each(placed=False)]
    document = _head(collection, [item_id for found in ids for item_id in found])
    if not any(ids):
        yield (dumps(document) + "\n").encode("utf-8")
        return
    document["first"]["items"] = [None]
    before, _, after = dumps(document).rpartition("null")
    yield before.encode("utf-8")
    first = True
    for article, expected in zip(collection.each(), ids, strict=True):
        items = _items(article)
        if [item["id"] for item in items] != expected:
            raise ExportError(CHANGED)
        if not items:
            continue
        separator = "" if first else ",\n" + _ITEM_INDENT
        indented = (dumps(item).replace("\n", "\n" + _ITEM_INDENT) for item in items)
        yield (separator + (",\n" + _ITEM_INDENT).join(indented)).encode("utf-8")
        first = False
    yield (after + "\n").encode("utf-8")


_ITEM_INDENT = " " * 6
"""How deep an item's lines are indented in the document (``first``, ``items``, an item)."""


def to_document(collection: Collection) -> dict[str, Any]:
    """Return *collection* as a W3C AnnotationCollection (a JSON value)."""
    items = [item for article in collection.each() for item in _items(article)]
    document = _head(collection, [item["id"] for item in items])
    if items:
        document["first"]["items"] = items
    return document


def _head(collection: Collection, ids: list[str]) -> dict[str, Any]:
    """The document but for its items (given their *ids*)."""
    joined = ",".join(ids)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": _uuid_iri(uuid.uuid5(_NAMESPACE, f"collection:{joined}")),
        "type": "AnnotationCollection",
        "label": "reader annotations",
        "generator": {"type": "Software", "name": f"reader {collection.app_version}"},
        "generated": collection.exported_at,
        "total": len(ids),
    }
    if ids:  # the model gives an empty collection no page
        document["first"] = {
            "id": _uuid_iri(uuid.uuid5(_NAMESPACE, f"page:{joined}")),
            "type": "AnnotationPage",
            "startIndex": 0,
        }
    return document


def _item_ids(article: ExportedArticle) -> list[str]:
    """The ids of :func:`_items` (of the article's tags, then of each annotation)."""
    ids = [_tags_id(article)] if article.tags else []
    ids.extend(_uuid_iri(uuid.UUID(hex=a.id)) for a in article.annotations)
    return ids


def _tags_id(article: ExportedArticle) -> str:
    return _uuid_iri(uuid.uuid5(_NAMESPACE, f"tags:{article.sha256}"))


def _items(article: ExportedArticle) -> list[dict[str, Any]]:
    source = _source(article)
    items = []
    if article.tags:
        items.append(
            {
                "id": _tags_id(article),
                "type": "Annotation",
                "motivation": "tagging",
                "body": [
                    {"type": "TextualBody", "purpose": "tagging", "value": tag}
                    for tag in article.tags
                ],
                "target": {"type": "SpecificResource", "source": source},
            }
        )
    items.extend(_annotation(a, source, article.state_of(a)) for a in article.annotations)
    return items


def _annotation(
    annotation: Annotation, source: dict[str, Any], state: str | None
) -> dict[str, Any]:
    correction = annotation.correction if annotation.kind == "correction" else None
    if correction is not None:
        motivation = "editing" if correction.get("action") == "remove" else "classifying"
    else:
        motivation = "commenting" if annotation.kind == "note" else "highlighting"
    item: dict[str, Any] = {
        "id": _uuid_iri(uuid.UUID(hex=annotation.id)),
        "type": "Annotation",
        "motivation": motivation,
        "created": annotation.created,
        "modified": annotation.modified,
    }
    bodies = []
    if annotation.kind == "note" or annotation.body:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": annotation.body,
                "format": "text/markdown",
            }
        )
    if correction is not None and correction.get("label"):
        bodies.append(
            {"type": "TextualBody", "purpose": "classifying", "value": correction["label"]}
        )
    if bodies:
        item["body"] = bodies[0] if len(bodies) == 1 else bodies
    target: dict[str, Any] = {"type": "SpecificResource", "source": source}
    if annotation.target is not None:
        target["selector"] = to_w3c_selectors(annotation.target)
    item["target"] = target
    if correction is not None:
        item[CORRECTION_KEY] = sorted_json(correction)
    if state is not None:
        item[STATE_KEY] = state
    return item


def _source(article: ExportedArticle) -> dict[str, Any]:
    source: dict[str, Any] = {
        "id": _SHA256_IRI + article.sha256,
        "type": "Text",
        "format": "text/plain",
        "label": article.title,
    }
    if article.path:
        source["via"] = _file_iri(article.path)
    return source


def _uuid_iri(value: uuid.UUID) -> str:
    return f"{_UUID_IRI}{value}"


def _file_iri(path: str) -> str:
    """``file:`` IRI of an absolute path (bytes that are not UTF-8 percent-encoded), or
    the percent-encoded relative reference of a relative one."""
    given = Path(path)
    if given.is_absolute():
        return given.as_uri()
    return quote(os.fsencode(path), safe="/")


def _path_of(iri: str) -> str:
    """The path a ``file:`` IRI (or relative reference) from :func:`_file_iri` names."""
    parts = urlsplit(iri)
    if parts.scheme not in ("", "file"):
        return iri
    return os.fsdecode(unquote_to_bytes(parts.path))


# Reading.


def parse(document: Any) -> Parsed:
    """Check a W3C annotation document and return what reader can hold of it.

    Reads an AnnotationCollection with its first page embedded, an AnnotationPage, or a
    single Annotation.

    Raises:
        ImportFileError: the document is not one of those, or an annotation is something
            reader cannot hold; the error names the place.
    """
    top = expect_object(document, "")
    _check_context(top.get("@context"))
    types = _words(top.get("type"), "type")
    if "AnnotationCollection" in types:
        first = top.get("first")
        if first is None:
            if top.get("total", 0) != 0:
                fail("first", "the collection has annotations but no first page")
            entries: list[tuple[Any, str]] = []
        else:
            if isinstance(first, str):
                fail("first", "a page given only by its IRI cannot be read; embed the page")
            page = expect_object(first, "first")
            if page.get("next") is not None:
                fail("first.next", "collections of several pages are not supported")
            items = expect_list(page.get("items"), "first.items")
            entries = [(item, at("first.items", i)) for i, item in enumerate(items)]
    elif "AnnotationPage" in types:
        items = expect_list(top.get("items"), "items")
        entries = [(item, at("items", i)) for i, item in enumerate(items)]
    elif "Annotation" in types:
        entries = [(top, "")]
    else:
        fail("type", "expected an AnnotationCollection, AnnotationPage or Annotation")
    return _Reader().read(entries)


class _Reader:
    """Collects articles and annotations from the items of a page, in order."""

    def __init__(self) -> None:
        self.refs: dict[str, ArticleRef] = {}
        self.tags: dict[str, list[str]] = {}
        self.places: dict[str, str] = {}
        self.annotations: list[ImportedAnnotation] = []
        self.ids: dict[str, str] = {}
        self.now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def read(self, entries: list[tuple[Any, str]]) -> Parsed:
        for value, where in entries:
            self._item(value, where)
        articles = tuple(
            ImportedArticle(ref, tuple(store_model.dedupe_tags(self.tags[sha])), self.places[sha])
            for sha, ref in self.refs.items()
        )
        return Parsed("w3c", articles, tuple(self.annotations))

    def _item(self, value: Any, where: str) -> None:
        record = expect_object(value, where)
        if "Annotation" not in _words(record.get("type"), at(where, "type")):
            fail(at(where, "type"), "expected an Annotation")
        motivations = _words(record.get("motivation", []), at(where, "motivation"))
        state = record.get(STATE_KEY)
        if state is not None:
            state = expect_string(state, at(where, STATE_KEY))
        article, selectors = self._target(
            record.get("target"), at(where, "target"), orphan=state == "orphaned"
        )
        bodies = self._bodies(record, where)
        if "tagging" in motivations:
            if selectors is not None:
                fail(at(where, "target"), "reader tags whole articles, not passages")
            for body_where, purpose, text in bodies:
                if purpose not in (None, "tagging"):
                    fail(body_where, f"a tagging annotation with a {purpose} body")
                if not text:
                    fail(at(body_where, "value"), f"not a tag: {text!r:.80}")
                self.tags[article.sha256].append(expect_tag(text, at(body_where, "value")))
            return
        correction = record.get(CORRECTION_KEY)
        if correction is not None:
            kind = "correction"
        elif "highlighting" in motivations:
            kind = "highlight"
        elif "commenting" in motivations:
            kind = "note"
        else:
            fail(
                at(where, "motivation"),
                "reader imports commenting, highlighting and tagging annotations and its "
                f"own corrections, not {', '.join(motivations) or 'no motivation'}",
            )
        comments = []
        for body_where, purpose, text in bodies:
            if purpose in (None, "commenting"):
                comments.append(text)
            elif not (kind == "correction" and purpose == "classifying"):
                fail(body_where, f"a {kind} with a {purpose} body")
        created = record.get("created")
        created = (
            self.now if created is None else expect_time(created, at(where, "created"), exact=False)
        )
        modified = record.get("modified")
        modified = (
            created
            if modified is None
            else expect_time(modified, at(where, "modified"), exact=False)
        )
        item = annotation(
            where=where,
            id=self._id(record, where),
            kind=kind,
            article=article,
            article_path=article.path,
            created=created,
            modified=modified,
            body="\n\n".join(comments),
            target=selectors,
            correction=correction,
            state=state,
        )
        self.annotations.append(item)

    def _id(self, record: dict[str, Any], where: str) -> str:
        value = record.get("id")
        if value is None:
            # No id: one derived from the content, the same each time the file is read.
            text = json.dumps(record, sort_keys=True, ensure_ascii=False)
            identifier = uuid.uuid5(_NAMESPACE, f"content:{text}").hex
        else:
            iri = expect_string(value, at(where, "id"), blank=False)
            identifier = ""
            if iri.startswith(_UUID_IRI):
                try:
                    identifier = uuid.UUID(iri[len(_UUID_IRI) :]).hex
                except ValueError:
                    fail(at(where, "id"), f"not a uuid: {iri!r:.80}")
            else:
                identifier = uuid.uuid5(_NAMESPACE, f"id:{iri}").hex
        if identifier in self.ids:
            fail(at(where, "id"), f"the same id as {self.ids[identifier]}")
        self.ids[identifier] = where
        return identifier

    def _target(
        self, value: Any, where: str, *, orphan: bool = False
    ) -> tuple[ArticleRef, dict[str, Any] | None]:
        """The article a target is on, and its passage (None: the whole article)."""
        if isinstance(value, list):
            if len(value) != 1:
                fail(where, f"reader annotations have one target, found {len(value)}")
            value, where = value[0], at(where, 0)
        if value is None:
            fail(where, "missing")
        selectors: Any = None
        source: Any
        if isinstance(value, str):
            source, source_where = value, where
        else:
            target = expect_object(value, where)
            if "source" in target:  # a SpecificResource
                source, source_where = target["source"], at(where, "source")
                selectors = target.get("selector")
            else:  # the article itself, as an External Web Resource
                source, source_where = target, where
        article = self._article(source, source_where)
        if selectors is None:
            return article, None
        selector_where = at(where, "selector")
        if isinstance(selectors, dict):
            selectors = [selectors]
        try:
            listed = expect_list(selectors, selector_where)
            return article, from_w3c_selectors(listed, orphan=orphan)
        except ValueError as error:
            fail(selector_where, str(error))

    def _article(self, value: Any, where: str) -> ArticleRef:
        if isinstance(value, str):
            iri, title, via = value, "", None
        else:
            source = expect_object(value, where)
            iri = expect_string(source.get("id"), at(where, "id"))
            title = expect_string(source.get("label", ""), at(where, "label"))
            via = source.get("via")
            if via is not None:
                via = expect_string(via, at(where, "via"))
        sha256 = iri[len(_SHA256_IRI) :] if iri.startswith(_SHA256_IRI) else ""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            fail(
                at(where, "id") if not isinstance(value, str) else where,
                "reader knows an article by the SHA-256 of its text, "
                f"urn:sha256:<64 hex digits>; found {iri!r:.80}",
            )
        if sha256 not in self.refs:
            path = _path_of(via) if via else ""
            self.refs[sha256] = ArticleRef(path=path, sha256=sha256, title=title)
            self.tags[sha256] = []
            self.places[sha256] = where
        return self.refs[sha256]

    def _bodies(self, record: dict[str, Any], where: str) -> list[tuple[str, str | None, str]]:
        """Each textual body: (where, purpose or None, text)."""
        found: list[tuple[str, str | None, str]] = []
        if "bodyValue" in record:
            found.append(
                (
                    at(where, "bodyValue"),
                    None,
                    expect_string(record["bodyValue"], at(where, "bodyValue")),
                )
            )
        value = record.get("body")
        if value is None:
            return found
        listed = value if isinstance(value, list) else [value]
        for index, body in enumerate(listed):
            body_where = (
                at(at(where, "body"), index) if isinstance(value, list) else at(where, "body")
            )
            if isinstance(body, str):
                fail(body_where, "a body given only by its IRI; reader keeps text bodies")
            body = expect_object(body, body_where)
            if "TextualBody" not in _words(body.get("type"), at(body_where, "type")):
                fail(at(body_where, "type"), "reader keeps text bodies (TextualBody) only")
            purposes = _words(body.get("purpose", []), at(body_where, "purpose"))
            if len(purposes) > 1:
                fail(at(body_where, "purpose"), "one purpose per body")
            text = expect_string(body.get("value"), at(body_where, "value"))
            found.append((body_where, purposes[0] if purposes else None, text))
        return found


def _check_context(value: Any) -> None:
    contexts = value if isinstance(value, list) else [value]
    if CONTEXT not in contexts:
        fail("@context", f"expected the Web Annotation context {CONTEXT}")


def _words(value: Any, where: str) -> list[str]:
    """A JSON-LD value that may be one string or an array of strings, as a list."""
    if isinstance(value, str):
        return [value]
    items = expect_list(value, where) if value is not None else []
    return [expect_string(item, at(where, index)) for index, item in enumerate(items)]
