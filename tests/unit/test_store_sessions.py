"""Where each library was left (reader/store/sessions.py): one document a library in the
``sessions`` table, kept across opens, never undone, a version-4 file migrated with the
table empty. A real TinyDB file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.store import AnnotationStore, ArticleRef, Session, StoreCorrupt

ARTICLE = ArticleRef(path="/lib/world/europe/00862.txt", sha256="a" * 64, title="Oslo talks")
OTHER = ArticleRef(path="/other/1.txt", sha256="b" * 64, title="Elsewhere")


def test_each_library_keeps_its_own_place_across_opens(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store:
        assert store.session("lib") is None
        assert store.set_session("lib", ARTICLE, "in:world oslo")
        assert store.set_session("other", OTHER, "")
        assert not store.set_session("lib", ARTICLE, "in:world oslo")  # unchanged: unwritten
        store.add_tags(ARTICLE, ["x"])
        assert store.undo() is not None  # the tag, not a session
    with AnnotationStore(path) as again:
        assert again.session("lib") == Session(ARTICLE.sha256, ARTICLE.path, "in:world oslo")
        assert again.session("other") == Session(OTHER.sha256, OTHER.path, "")
        again.set_session("lib", OTHER, "")
    with AnnotationStore(path, read_only=True) as reader:
        assert reader.session("lib") == Session(OTHER.sha256, OTHER.path, "")
    sessions = json.loads(path.read_bytes())["sessions"]
    assert sorted(d["library"] for d in sessions.values()) == ["lib", "other"]


def test_an_unchanged_session_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store:
        store.set_session("lib", ARTICLE, "q")
        before = path.stat().st_mtime_ns, path.read_bytes()
        assert not store.set_session("lib", ARTICLE, "q")
        assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with AnnotationStore(tmp_path / "annotations.json") as store:
        with pytest.raises(ValueError):
            store.set_session("", ARTICLE, "")
        with pytest.raises(TypeError):
            store.set_session("lib", ARTICLE, None)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            store.set_session("lib", "a.txt", "")  # type: ignore[arg-type]


def test_a_version_4_file_gets_an_empty_sessions_table(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    tables = {"articles": {}, "annotations": {}, "reading": {}, "views": {}, "entity_edits": {}}
    meta = {"1": {"format": "reader-annotations", "schema_version": 4}}
    raw = json.dumps({"meta": meta, **tables}).encode()
    path.write_bytes(raw)
    with AnnotationStore(path) as store:
        assert store.schema_version() == 6 and store.session("lib") is None
    assert path.with_name("annotations.json.v4.bak").read_bytes() == raw
    assert json.loads(path.read_bytes())["sessions"] == {}


def test_a_session_of_the_wrong_shape_or_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store:
        store.set_session("lib", ARTICLE, "")
    data = json.loads(path.read_bytes())
    good = data["sessions"]["1"]
    for sessions, problem in (
        ({"1": {**good, "query": 3}}, "query"),
        ({"1": {**good, "extra": ""}}, "unknown field"),
        ({"1": good, "2": good}, "appears twice"),
    ):
        path.write_text(json.dumps({**data, "sessions": sessions}))
        with pytest.raises(StoreCorrupt, match=problem):
            AnnotationStore(path, read_only=True)
