"""Writing the W3C document: an AnnotationCollection, whole or an article at a time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from reader.anchoring import to_w3c_selectors
from reader.export.collection import CHANGED, Collection, ExportedArticle, ExportError
from reader.export.jsontext import dumps, sorted_json
from reader.export.w3c.vocabulary import (
    CONTEXT,
    CORRECTION_KEY,
    NAMESPACE,
    SHA256_IRI,
    STATE_KEY,
    file_iri,
    uuid_iri,
)
from reader.store import Annotation

__all__ = ["chunks", "render", "to_document"]


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
        "id": uuid_iri(uuid.uuid5(NAMESPACE, f"collection:{joined}")),
        "type": "AnnotationCollection",
        "label": "reader annotations",
        "generator": {"type": "Software", "name": f"reader {collection.app_version}"},
        "generated": collection.exported_at,
        "total": len(ids),
    }
    if ids:  # the model gives an empty collection no page
        document["first"] = {
            "id": uuid_iri(uuid.uuid5(NAMESPACE, f"page:{joined}")),
            "type": "AnnotationPage",
            "startIndex": 0,
        }
    return document


def _item_ids(article: ExportedArticle) -> list[str]:
    """The ids of :func:`_items` (of the article's tags, then of each annotation)."""
    ids = [_tags_id(article)] if article.tags else []
    ids.extend(uuid_iri(uuid.UUID(hex=a.id)) for a in article.annotations)
    return ids


def _tags_id(article: ExportedArticle) -> str:
    return uuid_iri(uuid.uuid5(NAMESPACE, f"tags:{article.sha256}"))


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
        "id": uuid_iri(uuid.UUID(hex=annotation.id)),
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
        "id": SHA256_IRI + article.sha256,
        "type": "Text",
        "format": "text/plain",
        "label": article.title,
    }
    if article.path:
        source["via"] = file_iri(article.path)
    return source
