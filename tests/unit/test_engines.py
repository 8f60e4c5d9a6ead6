"""Entity engines: found by name without importing them, and a second engine that goes through
the finder, the cache, the worker process and the precompute without any of them knowing."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from reader.entities.cache import EntityCache, cache_folder
from reader.entities.engines import (
    EngineInfo,
    EntityEngine,
    NoModel,
    UnknownEngine,
    engine_names,
    make_engine,
    register_engine,
    unregister_engine,
)
from reader.entities.engines.base import Cancelled, Entity, TokenBounds, entity_spans, paragraphs
from reader.entities.engines.registry import ENTRY_POINT_GROUP
from reader.entities.engines.spacy_engine import SpacyEngine
from reader.entities.finder import build_finder
from reader.entities.span import Span
from reader.library import catalogue
from reader.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

_GAZETTEER = {
    "default": {"Angela Merkel": "PERSON", "Merkel": "PERSON", "Paris": "GPE", "BBC": "ORG"},
    "places": {"Paris": "GPE", "Berlin": "GPE"},
}


class GazetteerEngine:
    """A second engine: every whole-word occurrence of a few known names, longest first."""

    calls = 0
    """Texts recognised by any instance (the finder must not run it on a cache hit)."""

    def __init__(self, model: str | None = None) -> None:
        name = model or "default"
        if name not in _GAZETTEER:
            raise NoModel(f"gazetteer {name!r} is not installed (installed: default, places)")
        self._name = name
        self._names = _GAZETTEER[name]
        self._pattern = re.compile(
            r"\b(?:" + "|".join(map(re.escape, sorted(self._names, key=len, reverse=True))) + r")\b"
        )
        self.loaded = False

    @property
    def info(self) -> EngineInfo:
        return EngineInfo("gazetteer", self._name, "1.0")

    def load(self) -> EngineInfo:
        self.loaded = True
        return self.info

    def recognise(self, chunks: Sequence[str]) -> list[list[Entity]]:
        type(self).calls += len(chunks)
        return [
            [(m.start(), m.end(), self._names[m.group()]) for m in self._pattern.finditer(c)]
            for c in chunks
        ]

    def extract(self, text: str, cancelled: threading.Event | None = None) -> list[Span]:
        spans: list[Span] = []
        for offset, chunk in paragraphs(text):
            if cancelled is not None and cancelled.is_set():
                raise Cancelled
            spans.extend(entity_spans(self.recognise([chunk])[0], offset, text))
        return spans

    def extract_many(self, texts: Sequence[str], batch_size: int = 64) -> Iterator[list[Span]]:
        for text in texts:
            yield self.extract(text)

    def token_bounds(self) -> TokenBounds:
        return lambda text: [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]


def _engine(model: str | None) -> EntityEngine:
    return GazetteerEngine(model)


class FallingBackEngine(GazetteerEngine):
    """An engine whose preferred model fails to load, so it loads another (as spaCy's
    falls back from md to sm): its info changes when it loads."""

    @property
    def info(self) -> EngineInfo:
        return EngineInfo("fallback", "places" if self.loaded else "default", "1.0")


@pytest.fixture
def gazetteer() -> Iterator[str]:
    """The gazetteer engine, registered in this process for the test."""
    register_engine("gazetteer", _engine)
    yield "gazetteer"
    unregister_engine("gazetteer")


def declared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, engine: type) -> str:
    """*engine* declared as another package, ``reader-NAME``, would: an entry point *name*
    in the ``reader.engines`` group, on sys.path (which spawned worker processes inherit)."""
    site = tmp_path / "site"
    dist = site / f"reader_{name}-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: reader-{name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n{name} = {engine.__module__}:{engine.__name__}\n"
    )
    monkeypatch.syspath_prepend(str(site))
    return name


@pytest.fixture
def entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The gazetteer engine as an entry point (:func:`declared`)."""
    return declared(tmp_path, monkeypatch, "gazetteer", GazetteerEngine)


@pytest.fixture
def falling_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """:class:`FallingBackEngine` as an entry point (the worker process finds it)."""
    return declared(tmp_path, monkeypatch, "fallback", FallingBackEngine)


TEXT = "Angela Merkel visited Paris.\n\nThe BBC said Merkel liked Paris’s cafés."


def test_spacy_is_a_built_in_engine() -> None:
    assert "spacy" in engine_names()
    engine = make_engine("spacy", None)
    assert isinstance(engine, SpacyEngine)
    assert engine.info.engine == "spacy" and not engine.loaded


def test_engines_are_listed_and_identified_without_importing_them(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from reader.entities.engines import engine_names, make_engine\n"
        "from reader.entities.finder import build_finder\n"
        "from reader.settings import Settings\n"
        "names = engine_names()\n"
        "engine_module = 'reader.entities.engines.spacy_engine' in sys.modules\n"
        f"settings = Settings(cache_dir=__import__('pathlib').Path({str(tmp_path)!r}))\n"
        "info = build_finder(settings, cache=None).pipeline\n"
        "print(names, engine_module, info.engine, 'spacy' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.split() == ["['spacy']", "False", "spacy", "False"]


def test_an_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(UnknownEngine, match=r"no entity engine 'nope' \(known engines: spacy\)"):
        make_engine("nope")
    assert issubclass(UnknownEngine, NoModel)  # shown where a missing model is


def test_an_unknown_engine_is_said_when_the_model_is_needed(tmp_path: Path) -> None:
    # Building the finder does not fail (the app's first frame must not): using it does.
    settings = Settings(cache_dir=tmp_path, engine="nope")
    for in_process in (True, False):
        finder = build_finder(settings, cache=EntityCache(tmp_path), in_process=in_process)
        with pytest.raises(UnknownEngine, match="known engines: spacy"):
            finder.find("ab" * 32, TEXT)


def test_a_name_is_registered_once(gazetteer: str) -> None:
    assert gazetteer in engine_names()
    with pytest.raises(ValueError, match="already named 'gazetteer'"):
        register_engine("gazetteer", _engine)
    with pytest.raises(ValueError, match="already named 'spacy'"):
        register_engine("spacy", _engine)


def test_a_second_engine_goes_through_the_finder_and_the_cache(
    gazetteer: str, tmp_path: Path
) -> None:
    settings = Settings(cache_dir=tmp_path, engine=gazetteer, model="default")
    finder = build_finder(settings, cache=EntityCache(tmp_path), in_process=True)
    assert finder.pipeline == EngineInfo("gazetteer", "default", "1.0")
    before = GazetteerEngine.calls
    spans = finder.find("ab" * 32, TEXT)
    assert GazetteerEngine.calls > before
    # The model's spans, then the consistency rules (the possessive is not in the name).
    assert [(s.text, s.label) for s in spans] == [
        ("Angela Merkel", "PERSON"),
        ("Paris", "GPE"),
        ("BBC", "ORG"),
        ("Merkel", "PERSON"),
        ("Paris", "GPE"),
    ]
    # Cached under the engine's own key, apart from spaCy's entries.
    folder = cache_folder(finder.pipeline)
    assert folder.startswith("gazetteer-default-1.0")
    assert (tmp_path / folder / "ab" / f"{'ab' * 32}.json").is_file()
    calls = GazetteerEngine.calls
    again = build_finder(settings, cache=EntityCache(tmp_path), in_process=True)
    assert again.cached("ab" * 32, TEXT) == spans
    assert again.find("ab" * 32, TEXT) == spans
    assert GazetteerEngine.calls == calls  # hits: the engine did not run
    other = Settings(cache_dir=tmp_path, engine=gazetteer, model="places")
    places = build_finder(other, cache=EntityCache(tmp_path), in_process=True)
    assert places.cached("ab" * 32, TEXT) is None  # another model: another key


def test_a_missing_model_of_a_second_engine_is_no_model(gazetteer: str, tmp_path: Path) -> None:
    with pytest.raises(NoModel, match="gazetteer 'nope' is not installed"):
        make_engine(gazetteer, "nope")


def test_an_entry_point_engine_runs_in_the_worker_process(entry_point: str) -> None:
    from reader.entities.worker import WorkerRecognizer

    assert entry_point in engine_names()
    here = make_engine(entry_point, "places").extract(TEXT)
    worker = WorkerRecognizer(entry_point, "places")
    try:
        assert worker.info == EngineInfo("gazetteer", "places", "1.0")
        assert worker.extract(TEXT) == here
        assert [s.text for s in here] == ["Paris", "Paris"]
        assert worker.pid is not None and worker.loaded
    finally:
        worker.close()


def test_the_worker_says_what_its_process_loaded(falling_back: str, tmp_path: Path) -> None:
    from reader.entities.worker import WorkerRecognizer

    worker = WorkerRecognizer(falling_back, None)
    try:
        assert worker.info.model == "default"  # from metadata, before the child loads
        worker.extract(TEXT)
        # The child fell back: what it ran is what the cache must key on.
        assert worker.info == EngineInfo("fallback", "places", "1.0")
    finally:
        worker.close()


def test_an_entry_point_engine_is_precomputed(
    entry_point: str, tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.entities.precompute import index_articles, plan
    from reader.workspace import Workspace

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    folder = tmp_path / "articles"
    folder.mkdir()
    for i, paragraph in enumerate(seed_path.read_text(encoding="utf-8").split("\n\n")[:4]):
        (folder / f"{i}.txt").write_text(f"Paris {i}\n\n{paragraph}\n", encoding="utf-8")
    settings = Settings(
        article_paths=[folder], db_path=tmp_path / "db.json", cache_dir=tmp_path / "cache",
        engine=entry_point,
    )  # fmt: skip
    workspace = Workspace(settings)
    work = plan(workspace)
    assert work.engine == EngineInfo("gazetteer", "default", "1.0") and len(work.todo) == 4
    run = index_articles(workspace, work, jobs=2)
    assert (run.done, run.failed) == (4, [])
    finder = build_finder(settings, cache=EntityCache(settings.cache_dir), in_process=True)
    for article in work.todo:
        model = EntityCache(settings.cache_dir).get(article.sha256, work.engine)
        assert model == GazetteerEngine().extract(article.text)
        assert finder.cached(article.sha256, article.text) is not None
    assert plan(workspace).cached == 4


def test_token_bounds_come_from_the_engine(recognizer: SpacyEngine) -> None:
    text = "Mr. Lavrov’s visit—to Paris."
    fresh = make_engine("spacy", recognizer.info.model).token_bounds()  # tokenizer only
    assert [text[s:e] for s, e in fresh(text)] == [
        "Mr.", "Lavrov", "’s", "visit", "—", "to", "Paris", ".",
    ]  # fmt: skip
    assert list(recognizer.token_bounds()(text)) == list(fresh(text))  # the loaded pipeline's


def test_the_jsonl_export_asks_the_engine_for_token_bounds(gazetteer: str) -> None:
    from reader.export.jsonl import engine_token_bounds

    text = "Mr. Lavrov’s visit."
    ours = engine_token_bounds(EngineInfo("gazetteer", "default", "1.0"))(text)
    assert [text[s:e] for s, e in ours] == ["Mr", ".", "Lavrov", "’", "s", "visit", "."]
