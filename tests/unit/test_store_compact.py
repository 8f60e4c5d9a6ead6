"""The annotations kept as JSON text (reader/store/compact.py) and the file parsed a
document at a time (reader/store/incremental.py): the same answers as plain dicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.store import AnnotationStore, ArticleRef, StoreCorrupt, incremental
from reader.store.compact import AnnotationTable
from reader.store.encoder import DatabaseEncoder

ONE = ArticleRef("articles/one.md", "1" * 64, "One")
TWO = ArticleRef("articles/two.md", "2" * 64, "Two")
TARGET = {"quote": {"exact": "a passage"}, "position": {"start": 1, "end": 10}}
CORRECTION = {"action": "relabel", "scope": "global", "text": "Apple", "label": "ORG"}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store:
        store.add_note(ONE, "one’s note, with “quotes” and \\ and \u2028", TARGET)
        store.add_highlight(TWO, TARGET)
        store.add_correction(TWO, TARGET, CORRECTION)
        store.add_note(ONE, "whole article")
    return path


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        '{ "a" : { "1" : {"x": [1, 2]} , "2": 3 } , "b": [] }\n',
        "[1]",
        '{"a":1,}',
        '{"a":{"1":1}} x',
        '{"a":{"1":1},"a":{"2":2}}',
        '{"annotations":{"1":{"id":"x"},"1":{"id":"y"}}}',
        '\ufeff{"a":{}}',
    ],
)
def test_the_incremental_parse_answers_as_json_loads(text: str) -> None:
    def parsed(parse: object) -> object:
        try:
            result = parse(text)  # type: ignore[operator]
        except ValueError as error:
            return type(error)
        if not isinstance(result, dict):
            return result
        return {k: dict(v) if isinstance(v, AnnotationTable) else v for k, v in result.items()}

    tables = {"annotations": AnnotationTable}
    assert parsed(lambda t: incremental.loads(t, tables)) == parsed(json.loads)


def test_a_table_read_from_the_file_is_written_back_byte_for_byte(path: Path) -> None:
    raw = path.read_bytes()
    data = incremental.loads(raw.decode(), {"annotations": AnnotationTable})
    assert isinstance(data["annotations"], AnnotationTable)
    assert b"".join(DatabaseEncoder().encode(data)) == raw
    # A document written in memory among them: the same bytes as json.dumps.
    data["annotations"]["9"] = {**data["annotations"]["1"], "body": "new ✓"}
    del data["annotations"]["2"]
    expected = json.dumps(
        {name: dict(table) for name, table in data.items()},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    assert b"".join(DatabaseEncoder().encode(data)) == expected
    assert b"".join(DatabaseEncoder().encode(data)) == expected  # kept as its JSON now


def test_the_index_follows_every_change(path: Path) -> None:
    with AnnotationStore(path) as store:
        assert [a.kind for a in store.annotations(ONE.sha256)] == ["note", "note"]
        assert [a.kind for a in store.annotations(TWO.sha256)] == ["highlight", "correction"]
        assert len(store.corrections(ONE.sha256) or []) == 1  # the global one
        first = store.annotations(ONE.sha256)[0]
        store.delete(first.id)
        moved = ArticleRef("articles/one.md", "3" * 64, "One, edited")
        assert store.relink(ONE.sha256, moved) == 1
        assert store.annotations(ONE.sha256) == []
        assert [a.body for a in store.annotations(moved.sha256)] == ["whole article"]
        correction = store.annotations(kind="correction")[0]
        store.delete(correction.id)
        assert store.corrections(TWO.sha256) == []
        store.undo()  # the correction back
        assert [a.id for a in store.corrections(TWO.sha256) or []] == [correction.id]
        assert list(store.iter_annotations(batch=1)) == store.annotations()


def test_a_file_spaced_by_hand_is_read_and_its_notes_found_by_id(path: Path) -> None:
    data = json.loads(path.read_bytes())
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    with AnnotationStore(path) as store:
        note = store.annotations(ONE.sha256)[0]
        edited = store.update(note.id, body="edited")
        assert edited.body == "edited"
        with pytest.raises(KeyError):
            store.update("f" * 32, body="nobody")
    with AnnotationStore(path, read_only=True) as store:
        assert store.annotations(ONE.sha256)[0].body == "edited"


def test_a_bad_annotation_is_refused_naming_it_however_the_file_is_laid_out(
    path: Path,
) -> None:
    data = json.loads(path.read_bytes())
    data["annotations"]["2"]["kind"] = "scribble"
    for text in (json.dumps(data, separators=(",", ":")), json.dumps(data, indent=1)):
        path.write_text(text)
        with pytest.raises(StoreCorrupt, match="annotations/2"):
            AnnotationStore(path, read_only=True)
        assert path.read_text() == text
    data["annotations"]["2"] = dict(data["annotations"]["1"])
    path.write_text(json.dumps(data))
    with pytest.raises(StoreCorrupt, match="appears twice"):
        AnnotationStore(path, read_only=True)
