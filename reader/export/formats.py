"""What an export format is: one record per format, and the look-ups everything else uses.

The command line (``--format`` choices and help, the format an ``-o`` file's ending
implies), the app's export dialog and palette, the file names of exports and the
renderers all read :data:`EXPORT_FORMATS`; nothing else lists the formats. Importing this
module is cheap: the format modules are imported only when an export is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.export.collection import Collection, Warn

__all__ = [
    "DEFAULT_FORMAT",
    "EXPORT_FORMATS",
    "FORMAT_NAMES",
    "ExportFormat",
    "format_for_filename",
    "format_help",
    "format_named",
]


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, file endings, what it is for, what it needs, and how
    it is rendered."""

    name: str
    """What ``--format`` and the app call it."""
    extension: str
    """The file-name ending an export in this format is written with (no dot)."""
    description: str
    """One line for ``reader export --help``."""
    menu_text: str
    """What the app's export dialog says it is for."""
    render: Callable[[Collection, Warn], bytes]
    """Returns the file's bytes for a collection; warnings go to the second argument.

    Raises:
        ExportError: the export cannot be made (jsonl: the pipeline cannot be loaded).
    """
    stream: Callable[[Collection], Iterable[bytes]] | None = None
    """Yields the same bytes as *render*, a part at a time, so that an export is written
    as it is rendered (None: the format is rendered whole). The chunks are made while the
    file is written: an articles' warnings (its text not found) come meanwhile, and a
    failure leaves no file (the write is atomic)."""
    also_recognised: tuple[str, ...] = ()
    """Other endings an ``-o`` file may have to imply this format (lower case, no dot)."""
    importable: bool = False
    """Whether ``reader import`` reads it back."""
    needs_text: bool = False
    """Whether each article's text must be found (from the library or its file)."""
    writes_read_state: bool = False
    """Whether it writes the articles only marked read too (:attr:`Collection.also_read`)."""
    needs_entities: bool = False
    """Whether each article's entities are always found (which needs its text)."""
    carries_entities: bool = False
    """Whether ``--include-entities`` (the app's ``i``) adds entities to it."""

    @property
    def extensions(self) -> tuple[str, ...]:
        """Every ending an ``-o`` file may have to imply this format, the written one first."""
        return (self.extension, *self.also_recognised)

    @property
    def help_text(self) -> str:
        """``name: description``, with ``importable`` added where it is."""
        return f"{self.name}: {self.description}{', importable' if self.importable else ''}"


def _render_json(collection: Collection, warn: Warn) -> bytes:
    from reader.export import json_format

    return json_format.render(collection)


def _stream_json(collection: Collection) -> Iterable[bytes]:
    from reader.export import json_format

    return json_format.chunks(collection)


def _render_w3c(collection: Collection, warn: Warn) -> bytes:
    from reader.export import w3c

    return w3c.render(collection)


def _stream_w3c(collection: Collection) -> Iterable[bytes]:
    from reader.export import w3c

    return w3c.chunks(collection)


def _render_jsonl(collection: Collection, warn: Warn) -> bytes:
    from reader.entities.engines import NoModel
    from reader.export import jsonl
    from reader.export.collection import ExportError

    pipeline = collection.pipeline
    if pipeline is None:  # gather() always finds it when entities are asked for
        raise ExportError("jsonl needs the entity model to tokenise with")
    try:
        bounds = jsonl.engine_token_bounds(pipeline)
    except (OSError, ImportError, NoModel) as error:
        message = f"the entity model {pipeline.name!r} cannot be loaded: {error}"
        raise ExportError(message) from None
    return jsonl.render(collection, bounds, warn)


def _render_markdown(collection: Collection, warn: Warn) -> bytes:
    from reader.export import markdown

    return markdown.render(collection)


def _stream_markdown(collection: Collection) -> Iterable[bytes]:
    from reader.export import markdown

    return markdown.chunks(collection)


def _render_csv(collection: Collection, warn: Warn) -> bytes:
    from reader.export import csv_format

    return csv_format.render(collection)


def _stream_csv(collection: Collection) -> Iterable[bytes]:
    from reader.export import csv_format

    return csv_format.chunks(collection)


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        name="json",
        extension="json",
        description="everything",
        menu_text="everything, reader's own format (importable)",
        render=_render_json,
        stream=_stream_json,
        importable=True,
        writes_read_state=True,
        carries_entities=True,
    ),
    ExportFormat(
        name="w3c",
        extension="jsonld",
        description="W3C Web Annotation JSON-LD",
        menu_text="W3C Web Annotation JSON-LD (importable)",
        render=_render_w3c,
        stream=_stream_w3c,
        importable=True,
    ),
    ExportFormat(
        name="jsonl",
        extension="jsonl",
        description="NER training data (spaCy, Prodigy, doccano)",
        menu_text="NER training data: spaCy, Prodigy, doccano",
        render=_render_jsonl,
        also_recognised=("ndjson",),
        needs_text=True,
        needs_entities=True,
        carries_entities=True,
    ),
    ExportFormat(
        name="markdown",
        extension="md",
        description="for note apps",
        menu_text="titles, tags, notes and quotes for note apps",
        render=_render_markdown,
        stream=_stream_markdown,
        also_recognised=("markdown",),
    ),
    ExportFormat(
        name="csv",
        extension="csv",
        description="one row per annotation",
        menu_text="one row per annotation, for spreadsheets",
        render=_render_csv,
        stream=_stream_csv,
    ),
)
"""Every export format, the native one first (the order of ``--format`` and the app's
dialog)."""

FORMAT_NAMES: tuple[str, ...] = tuple(fmt.name for fmt in EXPORT_FORMATS)
"""The formats' names, for ``--format`` choices."""

DEFAULT_FORMAT: ExportFormat = EXPORT_FORMATS[0]
"""The format used when none is asked for and the file's ending implies none: json."""

_BY_NAME = {fmt.name: fmt for fmt in EXPORT_FORMATS}
_BY_ENDING = {ending: fmt for fmt in EXPORT_FORMATS for ending in fmt.extensions}


def format_named(name: str) -> ExportFormat:
    """Return the format called *name*.

    Raises:
        ValueError: no format has that name.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        choices = ", ".join(FORMAT_NAMES)
        raise ValueError(f"unknown export format {name!r} (one of {choices})") from None


def format_for_filename(name: str | PurePath) -> ExportFormat | None:
    """Return the format a file name's ending implies (``notes.MD``: markdown,
    ``spans.ndjson``: jsonl), or None (no ending, an unknown one, or ``-``)."""
    return _BY_ENDING.get(PurePath(name).suffix.lstrip(".").lower())


def format_help() -> str:
    """The help of ``reader export --format``: each format and what it is for."""
    default_note = " (default, or from the -o file's ending)"
    return "; ".join(
        fmt.help_text + (default_note if fmt is DEFAULT_FORMAT else "") for fmt in EXPORT_FORMATS
    )
