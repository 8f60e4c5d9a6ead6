"""Making an export: gather, render in the format asked for, write it safely."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reader.entities.finder import EntityFinder
from reader.export import FORMATS
from reader.export.collect import Collection, ExportError, Warn, gather
from reader.export.writing import (
    ExportWriteError,
    default_export_name,
    export_folder,
    write_in_folder,
)
from reader.library import Library
from reader.settings import Settings
from reader.store import AnnotationStore

__all__ = [
    "Export",
    "ExportError",
    "ExportWriteError",
    "build_export",
    "default_export_name",
    "export_folder",
    "export_to_folder",
]

_WITH_ENTITIES = ("json", "jsonl")
"""The formats that can carry entities (jsonl always does)."""


@dataclass(frozen=True)
class Export:
    """A finished export, not yet written anywhere."""

    data: bytes
    """The file's bytes."""
    collection: Collection
    """What it holds."""
    format: str
    """One of :data:`FORMATS`."""

    @property
    def label(self) -> str | None:
        """What to name the file after: the one article's title, or the tags asked for."""
        collection = self.collection
        if collection.article_paths and len(collection.articles) == 1:
            return collection.articles[0].title or None
        return " ".join(collection.tags) or None


def build_export(
    store: AnnotationStore,
    settings: Settings,
    fmt: str,
    *,
    tags: Iterable[str] = (),
    article_paths: Iterable[Path] = (),
    include_entities: bool = False,
    library: Library | None = None,
    finder: EntityFinder | None = None,
    warn: Warn | None = None,
    now: datetime | None = None,
) -> Export:
    """Gather and render an export of *store* in format *fmt* (see :func:`.collect.gather`
    for the filters, *library* and *finder*).

    *warn* hears, one line each, what the export leaves out or changes (articles without
    text in jsonl, spans widened to whole tokens, --include-entities with a format that
    has no place for entities).

    Raises:
        ValueError: *fmt* is not one of :data:`FORMATS`.
        ExportError: the export cannot be made (an --article file cannot be read, no spaCy
            pipeline for entities).
        StoreError: the store cannot be read.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    say: Warn = warn or (lambda _line: None)
    if include_entities and fmt not in _WITH_ENTITIES:
        say(f"entities are exported in the json and jsonl formats, not in {fmt}")
    with_entities = fmt == "jsonl" or (include_entities and fmt == "json")
    collection = gather(
        store,
        settings,
        tags=tags,
        article_paths=article_paths,
        with_text=fmt == "jsonl",
        with_entities=with_entities,
        library=library,
        finder=finder,
        now=now,
    )
    return Export(_render(collection, fmt, say), collection, fmt)


def _render(collection: Collection, fmt: str, warn: Warn) -> bytes:
    if fmt == "json":
        from reader.export import json_format

        return json_format.render(collection)
    if fmt == "w3c":
        from reader.export import w3c

        return w3c.render(collection)
    if fmt == "jsonl":
        from reader.export import jsonl

        pipeline = collection.pipeline
        if pipeline is None:  # gather() always finds it for jsonl
            raise ExportError("jsonl needs a spaCy pipeline to tokenise with")
        try:
            bounds = jsonl.spacy_token_bounds(pipeline.name)
        except (OSError, ImportError) as error:
            message = f"spaCy pipeline {pipeline.name!r} cannot be loaded: {error}"
            raise ExportError(message) from None
        return jsonl.render(collection, bounds, warn)
    if fmt == "markdown":
        from reader.export import markdown

        return markdown.render(collection)
    from reader.export import csv_format

    return csv_format.render(collection)


def export_to_folder(
    store: AnnotationStore,
    settings: Settings,
    fmt: str,
    *,
    include_entities: bool = False,
    tags: Iterable[str] = (),
    article_paths: Iterable[Path] = (),
    library: Library | None = None,
    finder: EntityFinder | None = None,
    warn: Warn | None = None,
) -> Path:
    """Export *store* as *fmt* into the export folder (:func:`export_folder`, by default
    ``annotations/exports/``) under :func:`default_export_name`; return the file written.

    For the app: call it from a thread worker (not an exclusive one: it writes) and pass
    the app's own *library* and *finder* to spare reading the articles and loading spaCy
    again. Never overwrites an earlier export.

    Raises:
        ExportError: see :func:`build_export`.
        ExportWriteError: the file cannot be written.
        StoreError: the store cannot be read.
    """
    export = build_export(
        store,
        settings,
        fmt,
        tags=tags,
        article_paths=article_paths,
        include_entities=include_entities,
        library=library,
        finder=finder,
        warn=warn,
    )
    name = default_export_name(fmt, label=export.label)
    return write_in_folder(export_folder(settings), name, export.data)
