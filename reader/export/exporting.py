"""Making an export: gather, render in the format asked for, write it safely."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reader.export.collect import gather
from reader.export.collection import Collection, ExportError, Warn
from reader.export.formats import EXPORT_FORMATS, format_named
from reader.export.writing import ExportWriteError, default_export_name, write_in_folder
from reader.store import AnnotationStore

if TYPE_CHECKING:
    from reader.workspace import Workspace

__all__ = [
    "Export",
    "ExportError",
    "ExportWriteError",
    "build_export",
    "default_export_name",
    "export_to_folder",
]

_ENTITY_FORMATS = " and ".join(fmt.name for fmt in EXPORT_FORMATS if fmt.carries_entities)
"""The formats with room for entities, as the warning names them ("json and jsonl")."""


@dataclass(frozen=True)
class Export:
    """A finished export, not yet written anywhere."""

    collection: Collection
    """What it holds."""
    format: str
    """The name of its format (see :mod:`.formats`)."""
    _parts: Callable[[], Iterable[bytes]] = field(repr=False, compare=False)

    def chunks(self) -> Iterable[bytes]:
        """The file's bytes a part at a time, rendered as they are asked for (every format
        but jsonl: an article at a time), for writing an export without holding it whole.
        The articles' annotations are read from the store meanwhile: it must be open."""
        return self._parts()

    @property
    def data(self) -> bytes:
        """The file's bytes (rendered whole each time they are asked for)."""
        return b"".join(self._parts())

    @property
    def label(self) -> str | None:
        """What to name the file after: the one article's title, or the tags asked for."""
        collection = self.collection
        if collection.article_paths and len(collection.articles) == 1:
            return collection.articles[0].title or None
        return " ".join(collection.tags) or None


def build_export(
    workspace: Workspace,
    store: AnnotationStore,
    fmt: str,
    *,
    tags: Iterable[str] = (),
    article_paths: Iterable[Path] = (),
    include_entities: bool = False,
    warn: Warn | None = None,
    now: datetime | None = None,
) -> Export:
    """Gather and render an export of *store* in the format named *fmt* (see
    :func:`.collect.gather` for *workspace*, *store* and the filters).

    *warn* hears, one line each, what the export leaves out or changes (articles without
    text in jsonl, spans widened to whole tokens, --include-entities with a format that
    has no place for entities).

    Raises:
        ValueError: *fmt* is not the name of an export format, or entities are needed and
            *store* is not ``workspace.store``.
        ExportError: the export cannot be made (an --article file cannot be read, no spaCy
            pipeline for entities).
        StoreError: the store cannot be read.
    """
    export_format = format_named(fmt)
    say: Warn = warn or (lambda _line: None)
    if include_entities and not export_format.carries_entities:
        say(f"entities are exported in the {_ENTITY_FORMATS} formats, not in {fmt}")
    collection = gather(
        workspace,
        store,
        tags=tags,
        article_paths=article_paths,
        with_text=export_format.needs_text,
        with_entities=export_format.needs_entities
        or (include_entities and export_format.carries_entities),
        now=now,
        # jsonl writes no passages, and says itself which articles it skipped.
        warn=None if export_format.needs_entities else say,
    )
    stream = export_format.stream
    if stream is not None:
        return Export(collection, fmt, lambda: stream(collection))
    data = export_format.render(collection, say)
    return Export(collection, fmt, lambda: (data,))


def export_to_folder(
    workspace: Workspace,
    store: AnnotationStore,
    fmt: str,
    *,
    include_entities: bool = False,
    tags: Iterable[str] = (),
    article_paths: Iterable[Path] = (),
    warn: Warn | None = None,
) -> Path:
    """Export *store* as *fmt* into ``workspace.exports_dir`` (``annotations/exports/``
    with the default database) under :func:`default_export_name`; return the file written.

    For the app: call it from a thread worker (not an exclusive one: it writes); the
    workspace's library and finder are the app's own, so the articles are not read and
    spaCy is not loaded again. Never overwrites an earlier export.

    Raises:
        ValueError: see :func:`build_export`.
        ExportError: see :func:`build_export`.
        ExportWriteError: the file cannot be written.
        StoreError: the store cannot be read.
    """
    export = build_export(
        workspace,
        store,
        fmt,
        tags=tags,
        article_paths=article_paths,
        include_entities=include_entities,
        warn=warn,
    )
    name = default_export_name(fmt, label=export.label)
    return write_in_folder(workspace.exports_dir, name, export.chunks())
