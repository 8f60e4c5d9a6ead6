"""The native export format: everything reader knows, as JSON described by ``schema.json``.

A document looks like this (``schema.json`` next to this module is the full description,
and the tests validate every export against it)::

    {"format": "reader-export", "schema_version": 1,
     "exported_at": "2026-11-27T11:00:00Z", "app": {"name": "reader", "version": "0.1.0"},
     "selection": {"tags": [], "articles": []},
     "articles": [
       {"sha256": "...", "path": "/abs/article.txt", "title": "...", "tags": ["economy"],
        "notes": [{"id": "<uuid hex>", "created": "...", "modified": "...",
                   "article_path": "...", "body": "Markdown", "target": null}],
        "highlights": [{..., "target": {"position": {"start": 0, "end": 5},
                                        "quote": {"exact": "...", "prefix": "...",
                                                  "suffix": "..."}}}],
        "corrections": [{..., "correction": {"action": "relabel", "label": "ORG",
                                             "scope": "article", "text": "Dawn"}}]}]}

When the database marks any article read, every article has ``"read": true|false`` (after
``tags``), and an export of everything also lists the articles marked read that have no
tags or annotations (with empty lists). An export of everything from a database with
saved views has ``"views": [{"name", "query"}]`` (before ``articles``), in the order saved.
A database with neither gives the same document as before read state and views existed.
An export of everything from a database with entity edits (merges, splits, renames,
relabels of the library's entities) has ``"entity_edits": [{"id", "op", "key", "label",
...}]`` (before ``articles``), oldest first; import adds the ones the database lacks.

With ``--include-entities`` the document also has ``"pipeline": {"name", "version"}`` and
each article ``"entities"``: every entity shown, ``{"start", "end", "label", "text",
"source"}`` with source ``model``, ``consistency`` or ``user``, or null when the article's
text was not found. Offsets are code points into the article's displayed text. Keys come
in a fixed order and times are UTC, so one database always gives the same document but
for ``exported_at``. Import reads everything but ``entities`` and ``pipeline``, which are
derived from the text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reader.entities.library.edits import Edit
from reader.entities.span import check_label
from reader.export.collection import Collection, ExportedArticle
from reader.export.jsontext import dumps, sorted_json
from reader.export.reading import (
    ImportedAnnotation,
    ImportedArticle,
    ImportedView,
    Parsed,
    annotation,
    at,
    expect_int,
    expect_keys,
    expect_list,
    expect_object,
    expect_sha256,
    expect_string,
    expect_tags,
    expect_time,
    fail,
)
from reader.store import Annotation, ArticleRef, View
from reader.store import model as store_model

__all__ = ["FORMAT", "SCHEMA_FILE", "SCHEMA_VERSION", "chunks", "parse", "render", "to_document"]

FORMAT = "reader-export"
"""The value of ``format`` in every native export."""

SCHEMA_VERSION = 1
"""The version of the native format this code writes and reads (``schema.json``)."""

SCHEMA_FILE = Path(__file__).with_name("schema.json")
"""The JSON Schema (draft 2020-12) of the native format; it ships inside the package."""

_SECTIONS = (("notes", "note"), ("highlights", "highlight"), ("corrections", "correction"))
"""Each article's lists of annotations, and the kind of annotation each holds."""

_ID_LENGTH = 32


def render(collection: Collection) -> bytes:
    """Return *collection* as a native export: indented UTF-8 JSON ending in a newline."""
    return b"".join(chunks(collection))


def chunks(collection: Collection) -> Iterator[bytes]:
    """Yield the bytes of :func:`render`, an article at a time: what precedes the
    articles, then each article, so that the whole document is never built at once
    (100,000 annotations made ~0.5 GB of objects and text besides the store).

    The bytes are those of ``dumps(to_document(collection))`` and a newline: each
    article is dumped alone and indented to its depth (a newline in JSON text is only
    ever indentation, strings escape theirs), and joined as ``json.dumps`` joins list
    items.
    """
    document = _head(collection)
    if not collection.articles and not collection.also_read:
        yield (dumps(document | {"articles": []}) + "\n").encode("utf-8")
        return
    # The articles are the document's last member: its text up to the first article,
    # and after the last, is that of a one-item list's (null stands in for the item).
    before, _, after = dumps(document | {"articles": [None]}).rpartition("null")
    yield before.encode("utf-8")
    for number, article in enumerate(collection.each(also_read=True)):
        record = _article(article, collection.include_entities, collection.has_read_state)
        separator = ",\n" + _ARTICLE_INDENT if number else ""
        text = dumps(record).replace("\n", "\n" + _ARTICLE_INDENT)
        yield (separator + text).encode("utf-8")
    yield (after + "\n").encode("utf-8")


_ARTICLE_INDENT = " " * 4
"""How deep an article's lines are indented in the document (an item of a member)."""


def to_document(collection: Collection) -> dict[str, Any]:
    """Return *collection* as the native export's JSON value."""
    document = _head(collection)
    document["articles"] = [
        _article(a, collection.include_entities, collection.has_read_state)
        for a in collection.each(also_read=True)
    ]
    return document


def _head(collection: Collection) -> dict[str, Any]:
    """The document's members before ``articles``."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported_at": collection.exported_at,
        "app": {"name": "reader", "version": collection.app_version},
        "selection": {
            "tags": list(collection.tags),
            "articles": list(collection.article_paths),
        },
    }
    if collection.include_entities:
        pipeline = collection.pipeline
        document["pipeline"] = None if pipeline is None else pipeline.to_json()
    if collection.views:
        document["views"] = [{"name": v.name, "query": v.query} for v in collection.views]
    if collection.entity_edits:
        document["entity_edits"] = [edit.to_json() for edit in collection.entity_edits]
    return document


def _article(article: ExportedArticle, include_entities: bool, with_read: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "sha256": article.sha256,
        "path": article.path,
        "title": article.title,
        "tags": list(article.tags),
    }
    if with_read:
        record["read"] = article.read
    record |= {
        "notes": [_annotation(a, article.state_of(a)) for a in article.notes],
        "highlights": [_annotation(a, article.state_of(a)) for a in article.highlights],
        "corrections": [_annotation(a, article.state_of(a)) for a in article.corrections],
    }
    if include_entities:
        entities = article.entities
        record["entities"] = None if entities is None else [s.to_json() for s in entities]
    return record


def _annotation(annotation: Annotation, state: str | None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": annotation.id,
        "created": annotation.created,
        "modified": annotation.modified,
        "article_path": annotation.article_path,
        "body": annotation.body,
        "target": sorted_json(annotation.target),
    }
    if state is not None:
        record["state"] = state
    if annotation.kind == "correction":
        record["correction"] = sorted_json(annotation.correction)
    return record


# Reading.

_TOP_KEYS = ("format", "schema_version", "exported_at", "app", "selection", "articles")
_ARTICLE_KEYS = ("sha256", "path", "title", "tags", "notes", "highlights", "corrections")
_ANNOTATION_KEYS = ("id", "created", "modified", "article_path", "body", "target")


def parse(document: Any) -> Parsed:
    """Check a native export's JSON value and return what it holds.

    Raises:
        ImportFileError: the value is not a native export of a version this reader reads,
            or a part of it is wrong; the error names the part.
    """
    top = expect_object(document, "")
    if top.get("format") != FORMAT:
        fail("format", f"expected {FORMAT!r}, found {top.get('format')!r:.80}")
    version = top.get("schema_version")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        fail(
            "schema_version",
            f"this reader reads version {SCHEMA_VERSION} of the export format, "
            f"not {version!r:.40}" + ("; upgrade reader" if isinstance(version, int) else ""),
        )
    expect_keys(top, "", _TOP_KEYS, ("pipeline", "views", "entity_edits"))
    expect_time(top["exported_at"], "exported_at")
    app = expect_object(top["app"], "app")
    expect_keys(app, "app", ("name", "version"))
    expect_string(app["name"], "app.name")
    expect_string(app["version"], "app.version")
    selection = expect_object(top["selection"], "selection")
    expect_keys(selection, "selection", ("tags", "articles"))
    for key in ("tags", "articles"):
        for index, item in enumerate(expect_list(selection[key], f"selection.{key}")):
            expect_string(item, f"selection.{key}[{index}]")
    if "pipeline" in top and top["pipeline"] is not None:
        pipeline = expect_object(top["pipeline"], "pipeline")
        expect_keys(pipeline, "pipeline", ("name", "version"))
        expect_string(pipeline["name"], "pipeline.name")
        expect_string(pipeline["version"], "pipeline.version")
    articles: list[ImportedArticle] = []
    annotations: list[ImportedAnnotation] = []
    seen_articles: dict[str, str] = {}
    seen_ids: dict[str, str] = {}
    for index, value in enumerate(expect_list(top["articles"], "articles")):
        where = at("articles", index)
        article, items = _parse_article(value, where)
        if article.ref.sha256 in seen_articles:
            fail(at(where, "sha256"), f"the same article as {seen_articles[article.ref.sha256]}")
        seen_articles[article.ref.sha256] = where
        for item in items:
            if item.annotation.id in seen_ids:
                fail(at(item.where, "id"), f"the same id as {seen_ids[item.annotation.id]}")
            seen_ids[item.annotation.id] = item.where
        articles.append(article)
        annotations.extend(items)
    views = _parse_views(top["views"], "views") if "views" in top else ()
    edits = _parse_edits(top["entity_edits"], "entity_edits") if "entity_edits" in top else ()
    return Parsed("json", tuple(articles), tuple(annotations), views, edits)


def _parse_edits(value: Any, where: str) -> tuple[Edit, ...]:
    edits: list[Edit] = []
    for index, item in enumerate(expect_list(value, where)):
        record = expect_object(item, at(where, index))
        try:
            edit = Edit.from_json(record)
            if edit.op == "relabel":
                # Label-shaped: a database from before labels were checked imports again.
                check_label(edit.new_label, imported=True)
            edits.append(edit)
        except ValueError as error:
            fail(at(where, index), str(error))
    return tuple(edits)


def _parse_views(value: Any, where: str) -> tuple[ImportedView, ...]:
    views: list[ImportedView] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(expect_list(value, where)):
        view_where = at(where, index)
        record = expect_object(item, view_where)
        expect_keys(record, view_where, ("name", "query"))
        try:
            name = store_model.clean_view_name(
                expect_string(record["name"], at(view_where, "name"), blank=False)
            )
        except ValueError as error:
            fail(at(view_where, "name"), str(error))
        try:
            query = store_model.clean_query(
                expect_string(record["query"], at(view_where, "query"), blank=False)
            )
        except ValueError as error:
            fail(at(view_where, "query"), str(error))
        if name.casefold() in seen:
            fail(at(view_where, "name"), f"the same view name as {seen[name.casefold()]}")
        seen[name.casefold()] = view_where
        views.append(ImportedView(View(name, query), view_where))
    return tuple(views)


def _parse_article(value: Any, where: str) -> tuple[ImportedArticle, list[ImportedAnnotation]]:
    record = expect_object(value, where)
    expect_keys(record, where, _ARTICLE_KEYS, ("entities", "read"))
    ref = ArticleRef(
        path=expect_string(record["path"], at(where, "path")),
        sha256=expect_sha256(record["sha256"], at(where, "sha256")),
        title=expect_string(record["title"], at(where, "title")),
    )
    tags = expect_tags(record["tags"], at(where, "tags"))
    if record.get("entities") is not None:
        _check_entities(record["entities"], at(where, "entities"))
    items = []
    for section, kind in _SECTIONS:
        for index, item in enumerate(expect_list(record[section], at(where, section))):
            items.append(_parse_annotation(item, at(at(where, section), index), kind, ref))
    read = record.get("read")
    if "read" in record and not isinstance(read, bool):
        fail(at(where, "read"), f"expected true or false, found {json.dumps(read)[:40]}")
    return ImportedArticle(ref, tags, where, read), items


def _parse_annotation(value: Any, where: str, kind: str, article: ArticleRef) -> ImportedAnnotation:
    record = expect_object(value, where)
    if kind == "correction":
        expect_keys(record, where, (*_ANNOTATION_KEYS, "correction"), ("state",))
    else:
        expect_keys(record, where, _ANNOTATION_KEYS, ("state",))
    identifier = expect_string(record["id"], at(where, "id"))
    if len(identifier) != _ID_LENGTH or not all(c in "0123456789abcdef" for c in identifier):
        fail(at(where, "id"), f"expected 32 lower-case hex digits, found {identifier!r:.80}")
    return annotation(
        where=where,
        id=identifier,
        kind=kind,
        article=article,
        article_path=expect_string(record["article_path"], at(where, "article_path")),
        created=expect_time(record["created"], at(where, "created")),
        modified=expect_time(record["modified"], at(where, "modified")),
        body=expect_string(record["body"], at(where, "body")),
        target=record["target"],
        correction=record.get("correction"),
        state=record.get("state"),
    )


def _check_entities(value: Any, where: str) -> None:
    """Entities are not imported (they come from the text), but must still be well formed."""
    for index, item in enumerate(expect_list(value, where)):
        span_where = at(where, index)
        span = expect_object(item, span_where)
        expect_keys(span, span_where, ("start", "end", "label", "text", "source"))
        expect_int(span["start"], at(span_where, "start"))
        expect_int(span["end"], at(span_where, "end"))
        expect_string(span["label"], at(span_where, "label"))
        expect_string(span["text"], at(span_where, "text"))
        if span["source"] not in ("model", "consistency", "user"):
            fail(at(span_where, "source"), f"unknown source {span['source']!r:.40}")
