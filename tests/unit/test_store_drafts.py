"""Drafts of notes being written (reader/store/drafts.py): one document a key in the
``drafts`` table, kept across opens, never undone, never a note; a version-5 file migrated
with the table empty; on a large file each draft is one journalled save, and a save torn
by a kill loses only itself. A real TinyDB file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.store import (
    SCHEMA_VERSION,
    AnnotationStore,
    ArticleRef,
    Draft,
    DraftOwner,
    StoreCorrupt,
    StoreReadOnly,
    changelog,
)
from reader.store.drafts import process_started

ARTICLE = ArticleRef(path="/lib/world/00862.txt", sha256="a" * 64, title="Oslo talks")
OTHER = ArticleRef(path="/lib/other.txt", sha256="b" * 64, title="Elsewhere")
PASSAGE = {
    "quote": {"exact": "talks", "prefix": "Oslo ", "suffix": " began"},
    "position": {"start": 5, "end": 10},
}


def test_a_draft_is_kept_across_opens_replaced_and_dropped(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store:
        assert store.drafts() == [] and store.draft("article/a") is None
        store.set_draft("article/a", ARTICLE, "first words")
        kept = store.set_draft("article/a", ARTICLE, "first words, and more")
        store.set_draft("passage/b", OTHER, "on a passage", PASSAGE)
        store.add_tags(ARTICLE, ["x"])
        assert store.undo() is not None  # the tag: drafts are not undone
        assert store.annotations() == []  # a draft is not a note
    assert kept.saved.endswith("Z") and kept.body == "first words, and more"
    with AnnotationStore(path) as again:
        assert again.draft("article/a") == kept
        passage = again.draft("passage/b")
        assert passage is not None and passage.target == PASSAGE and passage.annotation == ""
        assert [d.key for d in again.drafts()] == ["article/a", "passage/b"]
        assert again.delete_draft("article/a")
        assert not again.delete_draft("article/a")  # nothing there: nothing written
    with AnnotationStore(path, read_only=True) as reader:
        assert [d.key for d in reader.drafts()] == ["passage/b"]
        with pytest.raises(StoreReadOnly):
            reader.set_draft("article/a", ARTICLE, "text")
    drafts = json.loads(path.read_bytes())["drafts"]
    assert [d["body"] for d in drafts.values()] == ["on a passage"]


def test_dropping_a_draft_that_is_not_there_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store:
        store.set_draft("k", ARTICLE, "text")
        before = path.stat().st_mtime_ns, path.read_bytes()
        assert not store.delete_draft("other")
        assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_bad_arguments_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store:
        with pytest.raises(ValueError):
            store.set_draft("", ARTICLE, "text")
        with pytest.raises(TypeError):
            store.set_draft("k", "a.txt", "text")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            store.set_draft("k", ARTICLE, None)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            store.set_draft("k", ARTICLE, "text", {"quote": {}})
        assert store.drafts() == []
    assert not path.exists()


def test_a_version_5_file_gets_an_empty_drafts_table(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    tables = {
        "articles": {},
        "annotations": {},
        "reading": {},
        "views": {},
        "entity_edits": {},
        "sessions": {},
    }
    meta = {"1": {"format": "reader-annotations", "schema_version": 5}}
    raw = json.dumps({"meta": meta, **tables}).encode()
    path.write_bytes(raw)
    with AnnotationStore(path) as store:
        assert store.schema_version() == SCHEMA_VERSION == 6 and store.drafts() == []
    assert path.with_name("annotations.json.v5.bak").read_bytes() == raw
    assert json.loads(path.read_bytes())["drafts"] == {}


OWNED = {"pid": 1, "started": "5", "editor": "e"}


def test_a_draft_of_the_wrong_shape_or_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store:
        store.set_draft("k", ARTICLE, "text", PASSAGE)
    data = json.loads(path.read_bytes())
    good = data["drafts"]["1"]
    for drafts, problem in (
        ({"1": {**good, "body": 3}}, "body"),
        ({"1": {**good, "key": ""}}, "key"),
        ({"1": {**good, "target": {"quote": 1}}}, "target"),
        ({"1": {**good, "extra": ""}}, "unknown field"),
        ({"1": good, "2": good}, "appears twice"),
        ({"1": {**good, "owner": {"pid": "1", "started": "", "editor": "e"}}}, "owner.pid"),
        ({"1": {**good, "owner": {"pid": 1, "started": "", "editor": 2}}}, "owner.editor"),
        ({"1": {**good, "owner": {"pid": 1, "started": ""}}}, "owner.editor"),
        ({"1": {**good, "owner": OWNED}, "2": {**good, "owner": OWNED}}, "appears twice"),
    ):
        path.write_text(json.dumps({**data, "drafts": drafts}))
        with pytest.raises(StoreCorrupt, match=problem):
            AnnotationStore(path, read_only=True)
    # One key, two owners (two apps writing one note; none is null or absent): readable.
    owned = {"1": {**good, "owner": None}, "2": {**good, "owner": OWNED}}
    path.write_text(json.dumps({**data, "drafts": owned}))
    with AnnotationStore(path, read_only=True) as store:
        assert [d.owner for d in store.drafts()] == [None, DraftOwner(1, "5", "e")]


def test_on_a_large_file_a_draft_torn_by_a_kill_loses_only_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file (every save a journal append here): a draft is one appended save; a
    process killed in the middle of the next one leaves the last whole draft, at every
    byte of the tear, and a light open (the summary) reads drafts too."""
    monkeypatch.setattr(changelog, "LOG_FROM_BYTES", 0)
    monkeypatch.setattr(changelog, "COMPACT_SHARE", 100.0)
    path = tmp_path / "annotations.json"
    journal = path.with_name(f"{path.name}.journal")
    with AnnotationStore(path) as store:
        store.add_note(ARTICLE, "a note", None)
        snapshot = path.read_bytes()
        store.set_draft("k", ARTICLE, "typed so far")
        whole = journal.read_bytes()
        store.set_draft("k", ARTICLE, "typed so far, and the last second")
        grown = journal.read_bytes()
    assert path.read_bytes() == snapshot  # appended, the file as it was
    with AnnotationStore(path) as light:
        assert not light.loaded  # opened from the summary: the drafts are in it
        assert [d.body for d in light.drafts()] == ["typed so far, and the last second"]
    last = grown[len(whole) :]
    for cut in range(0, len(last), 7):
        journal.write_bytes(whole + last[:cut])
        with AnnotationStore(path, read_only=True) as reader:
            assert [d.body for d in reader.drafts()] == ["typed so far"]
            assert [a.body for a in reader.annotations()] == ["a note"]


def test_a_draft_is_a_value() -> None:
    draft = Draft("k", ARTICLE, None, "", "b", "2026-01-01T00:00:00Z")
    assert draft.article.title == "Oslo talks"


def _process() -> subprocess.Popen[bytes]:
    """Another process, living until killed (the other app's)."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


def _owner_of(process: subprocess.Popen[bytes], editor: str = "e1") -> DraftOwner:
    return DraftOwner(process.pid, process_started(process.pid), editor)


def test_an_owner_lives_while_its_process_does_and_a_reused_pid_is_not_it() -> None:
    process = _process()
    try:
        owner = _owner_of(process)
        assert owner.alive()
        assert not DraftOwner(process.pid, owner.started + "1", "e1").alive()  # pid reused
    finally:
        process.kill()
        process.wait()
    assert not owner.alive()
    here = DraftOwner.new()  # this process: alive while its editor is held
    assert here.alive()
    here.release()
    assert not here.alive()


def test_two_editors_keep_their_own_draft_of_one_note_and_remove_only_their_own(
    tmp_path: Path,
) -> None:
    """Two apps on one database writing the same note: each its own draft; a save's or a
    drop's removal never takes the other's; ``reader drafts --drop`` (no owner) leaves a
    draft whose editor lives; a draft whose process ended is anyone's."""
    process = _process()
    try:
        theirs = _owner_of(process)
        mine = DraftOwner.new()
        with AnnotationStore(tmp_path / "annotations.json") as store:
            store.set_draft("note/n", ARTICLE, "their words", owner=theirs)
            store.set_draft("note/n", ARTICLE, "my words", owner=mine)
            store.set_draft("note/n", ARTICLE, "my words, more", owner=mine)
            assert sorted(d.body for d in store.drafts()) == ["my words, more", "their words"]
            assert store.delete_draft("note/n", mine)
            assert [d.body for d in store.drafts()] == ["their words"]
            assert not store.delete_draft("note/n", mine)
            assert not store.delete_draft("note/n")  # its editor lives: not dropped
            (draft,) = store.drafts()
            assert draft.held_elsewhere(mine) and not draft.held_elsewhere(theirs)
            assert store.claim_draft(draft, mine) is None  # not taken from a living editor
            process.kill()
            process.wait()
            assert not draft.held_elsewhere(mine)
            store.set_draft("article/" + "a" * 64, ARTICLE, "typed first", owner=mine)
            taken = store.claim_draft(draft, mine, "article/" + "a" * 64)
            assert taken is not None and taken.owner == mine and taken.body == "their words"
            assert store.drafts() == [taken]  # mine typed before it came: the editor has both
        with AnnotationStore(tmp_path / "annotations.json") as again:
            assert again.drafts() == [taken]
            mine.release()  # its editor closed: anyone's now
            assert again.delete_draft("note/n")
    finally:
        process.kill()
        process.wait()


def test_saving_a_note_removes_its_draft_in_the_same_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note and its draft's removal are one save: a kill tearing it anywhere leaves
    the draft without the note, never both (a draft restored and saved twice)."""
    monkeypatch.setattr(changelog, "LOG_FROM_BYTES", 0)
    monkeypatch.setattr(changelog, "COMPACT_SHARE", 100.0)
    path = tmp_path / "annotations.json"
    journal = path.with_name(f"{path.name}.journal")
    owner = DraftOwner.new()
    with AnnotationStore(path) as store:
        store.add_note(ARTICLE, "an older note", None)
        note = store.add_note(OTHER, "to edit", None)
        store.set_draft("article/a", ARTICLE, "the new note", owner=owner)
        store.set_draft(f"note/{note.id}", OTHER, "edited", annotation=note.id, owner=owner)
        before = journal.read_bytes()
        store.add_note(ARTICLE, "the new note", None, draft=("article/a", owner))
        store.update(note.id, body="edited", draft=(f"note/{note.id}", owner))
        after = journal.read_bytes()
    with AnnotationStore(path, read_only=True) as done:
        assert sorted(a.body for a in done.annotations()) == [
            "an older note",
            "edited",
            "the new note",
        ]
        assert done.drafts() == []
    saves = after[len(before) :].splitlines(keepends=True)
    assert len(saves) == 2  # one a note, its draft's removal in it
    for cut in range(0, len(saves[0]), 5):
        journal.write_bytes(before + saves[0][:cut])
        with AnnotationStore(path, read_only=True) as torn:
            bodies = [a.body for a in torn.annotations()]
            assert "the new note" not in bodies
            assert [d.body for d in torn.drafts()] == ["the new note", "edited"]
    owner.release()


def test_dropping_a_draft_another_store_wrote_since_reads_the_file_first(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as mine, AnnotationStore(path) as other:
        assert mine.drafts() == []
        other.set_draft("k", ARTICLE, "written elsewhere")
        assert mine.delete_draft("k")
    with AnnotationStore(path, read_only=True) as after:
        assert after.drafts() == []


def test_an_owner_killed_but_not_yet_reaped_is_gone() -> None:
    process = _process()
    owner = _owner_of(process)
    try:
        process.kill()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _zombie(process.pid):
            time.sleep(0.01)
        assert _zombie(process.pid)  # not waited for yet: a zombie
        assert not owner.alive()
    finally:
        process.wait()


def _zombie(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] == b"Z"
