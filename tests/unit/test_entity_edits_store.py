"""The entity edits in the annotations file (reader/store/entity_edits.py, schema 3): a
version-2 file migrated, edits saved, undone, imported without duplicates, and a malformed
edit refused at open; a real TinyDB file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.entities.library.edits import Edit
from reader.store import AnnotationStore, StoreCorrupt
from reader.store.entity_edits import EntityEdits

MERGE = Edit("merge", "blair", "PERSON", into_key="tony blair", into_label="PERSON")
RENAME = Edit("rename", "tony blair", "PERSON", name="Anthony Blair")


def v2_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(
        {
            "meta": {"1": {"format": "reader-annotations", "schema_version": 2}},
            "articles": {},
            "annotations": {},
            "reading": {},
            "views": {"1": {"name": "Budget", "query": "tag:budget"}},
        }
    ).encode()
    path.write_bytes(raw)
    return raw


def test_a_version_2_file_gets_an_empty_entity_edits_table(tmp_path: Path) -> None:
    path = tmp_path / "db" / "annotations.json"
    original = v2_file(path)
    with AnnotationStore(path) as store:
        assert store.schema_version() == 6 and EntityEdits(store).edits() == []
        assert [v.name for v in store.views()] == ["Budget"]
    assert path.with_name("annotations.json.v2.bak").read_bytes() == original
    assert json.loads(path.read_bytes())["entity_edits"] == {}


def test_edits_are_saved_in_order_undone_and_removed(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store:
        edits = EntityEdits(store)
        merged, renamed = edits.add(MERGE), edits.add(RENAME)
        assert merged.id and renamed.id and merged.id != renamed.id
        assert [e.op for e in edits.edits()] == ["merge", "rename"]
        assert store.undo() == "“renamed tony blair (PERSON) to Anthony Blair”"
        assert edits.edits() == [merged]
    with AnnotationStore(path, read_only=True) as again:  # on disk
        assert EntityEdits(again).edits() == [merged]
    with AnnotationStore(path) as store:
        assert EntityEdits(store).remove(merged.id) == merged
        assert EntityEdits(store).edits() == []
        with pytest.raises(KeyError):
            EntityEdits(store).remove("nope")


def test_undo_names_the_entities_as_the_user_saw_them(tmp_path: Path) -> None:
    names = {("blair", "PERSON"): "Blair", ("tony blair", "PERSON"): "Tony Blair"}
    with AnnotationStore(tmp_path / "annotations.json") as store:
        edits = EntityEdits(store)
        merged = edits.add(MERGE, said=MERGE.describe(names))
        assert store.undo() == "merged Blair (PERSON) into Tony Blair (PERSON)"
        merged = edits.add(MERGE)
        edits.remove(merged.id, names)
        assert (
            store.undo() == "removed entity edit “merged Blair (PERSON) into Tony Blair (PERSON)”"
        )
    assert RENAME.describe(names) == "renamed Tony Blair (PERSON) to Anthony Blair"
    assert RENAME.describe() == "renamed tony blair (PERSON) to Anthony Blair"  # keys alone


def test_importing_skips_edits_already_held(tmp_path: Path) -> None:
    with AnnotationStore(tmp_path / "annotations.json") as store:
        edits = EntityEdits(store)
        held = edits.add(MERGE)
        assert edits.import_edits([held, MERGE, RENAME, RENAME]) == 1  # same id, same edit
        assert [e.op for e in edits.edits()] == ["merge", "rename"]
        assert edits.import_edits([]) == 0
        assert store.undo() == "imported 1 entity edit"


def test_a_malformed_edit_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store:
        EntityEdits(store).add(MERGE)
    data = json.loads(path.read_bytes())
    data["entity_edits"]["1"]["op"] = "explode"
    path.write_text(json.dumps(data))
    with pytest.raises(StoreCorrupt, match="entity_edits/1: unknown entity edit 'explode'"):
        AnnotationStore(path, read_only=True)
