"""The journal beside a large annotations file: torn tails, other writers, compaction.

A real file of a few notes stands for a large one: the tests lower
:data:`~reader.store.changelog.LOG_FROM_BYTES` so that every save after the first appends
to the journal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.store import AnnotationStore, ArticleRef, StoreCorrupt, changelog

ARTICLE = ArticleRef("articles/one.md", "1" * 64, "One")


@pytest.fixture(autouse=True)
def journal_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changelog, "LOG_FROM_BYTES", 0)
    monkeypatch.setattr(changelog, "COMPACT_SHARE", 100.0)  # never, unless a test says


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "annotations.json"


def _journal(path: Path) -> Path:
    return path.with_name(f"{path.name}.journal")


def _ids(path: Path) -> set[str]:
    with AnnotationStore(path, read_only=True) as store:
        return {annotation.id for annotation in store.annotations()}


def _add(path: Path, count: int, label: str = "note") -> list[str]:
    with AnnotationStore(path) as store:
        return [store.add_note(ARTICLE, f"{label} {i}", None).id for i in range(count)]


def test_saves_append_to_the_journal_and_the_file_stays_as_it_was(path: Path) -> None:
    first = _add(path, 1)
    snapshot = path.read_bytes()
    later = _add(path, 3)
    assert path.read_bytes() == snapshot
    lines = _journal(path).read_bytes().split(b"\n")
    assert len(lines) == 1 + 3 + 1 and lines[-1] == b""  # header, three saves, end
    assert json.loads(lines[0])["snapshot"] == changelog.snapshot_id(snapshot)
    assert _ids(path) == {*first, *later}
    assert json.loads(snapshot)["meta"]["1"]["schema_version"] == 6


def test_a_journal_torn_at_every_byte_of_its_last_save_loses_nothing_confirmed(
    path: Path,
) -> None:
    confirmed = _add(path, 3)
    whole = _journal(path).read_bytes()
    _add(path, 1, "last")
    grown = _journal(path).read_bytes()
    snapshot = path.read_bytes()
    last = grown[len(whole) :]
    assert last.endswith(b"\n") and len(last) > 100
    invalid = lost = 0
    for cut in range(len(last)):
        _journal(path).write_bytes(whole + last[:cut])
        try:
            present = _ids(path)
        except StoreCorrupt:
            invalid += 1
            continue
        lost += len(set(confirmed) - present)
        assert len(present) == len(confirmed)  # the torn save is not there either
        assert path.read_bytes() == snapshot
    assert (invalid, lost) == (0, 0)
    # The next save cuts the torn bytes off, says so, and appends after the whole saves.
    _journal(path).write_bytes(whole + last[: len(last) // 2])
    with AnnotationStore(path) as store:
        added = store.add_note(ARTICLE, "after the tear", None).id
        notices = store.take_notices()
    assert any("interrupted" in notice and "cut off" in notice for notice in notices)
    assert _ids(path) == {*confirmed, added}
    assert _journal(path).read_bytes().startswith(whole)


def test_a_damaged_save_before_the_last_refuses_the_file_as_it_is(path: Path) -> None:
    _add(path, 3)
    raw = bytearray(_journal(path).read_bytes())
    second = raw.index(b"\n") + 1
    raw[second + 20] ^= 0x01  # inside the first save's JSON: its checksum fails
    _journal(path).write_bytes(bytes(raw))
    snapshot = path.read_bytes()
    with pytest.raises(StoreCorrupt, match=r"annotations.json.journal.*line 2 is damaged"):
        AnnotationStore(path)
    assert _journal(path).read_bytes() == bytes(raw) and path.read_bytes() == snapshot


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (b"[1, 2]", "not an object of tables"),
        (b'{"annotations": [1]}', "a table that is not an object"),
        (b'{"annotations": {"9": "text"}}', "a document that is not an object"),
        (b"\xff\xfe not utf-8", "not JSON in UTF-8"),
    ],
)
@pytest.mark.parametrize("place", ["last", "middle"])
def test_a_checksummed_line_that_holds_no_save_is_refused_never_cut_off(
    path: Path, payload: bytes, why: str, place: str
) -> None:
    """A whole line with a matching checksum was written, whole, by some program: it is
    no save killed midway, so it is never cut off as one, even as the last line; the
    database is refused as it is, the message saying what is wrong with it."""
    _add(path, 2)
    lines = _journal(path).read_bytes().split(b"\n")[:-1]  # header, two saves
    at = len(lines) if place == "last" else 2
    lines.insert(at, changelog.record(payload).rstrip(b"\n"))
    raw = b"\n".join(lines) + b"\n"
    _journal(path).write_bytes(raw)
    snapshot = path.read_bytes()
    with pytest.raises(StoreCorrupt, match=rf"line {at + 1} has a matching checksum.*{why}"):
        AnnotationStore(path)
    assert _journal(path).read_bytes() == raw and path.read_bytes() == snapshot


def test_a_second_writer_appends_while_the_first_holds_a_stale_view(path: Path) -> None:
    _add(path, 1)
    with AnnotationStore(path) as first, AnnotationStore(path) as second:
        mine = first.add_note(ARTICLE, "first's", None).id
        theirs = second.add_note(ARTICLE, "second's", None).id  # second was stale
        again = first.add_note(ARTICLE, "first's again", None).id  # and now first is
        assert {a.id for a in first.annotations()} >= {mine, theirs, again}
        assert first.refresh() is False and second.refresh() is True
        assert {a.id for a in second.annotations()} >= {mine, theirs, again}
    assert {mine, theirs, again} <= _ids(path)


def test_a_read_only_store_sees_appended_saves(path: Path) -> None:
    _add(path, 1)
    with AnnotationStore(path, read_only=True) as reader:
        before = {a.id for a in reader.annotations()}
        added = _add(path, 2)
        assert reader.refresh() is True
        assert {a.id for a in reader.annotations()} == {*before, *added}


def test_the_journal_is_folded_into_the_file_when_it_grows(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(path, 20)
    monkeypatch.setattr(changelog, "COMPACT_SHARE", 0.5)
    ids = _add(path, 30)
    assert _ids(path) >= set(ids)
    # Compacted at least once: the file has grown past the first save's single note.
    saved = json.loads(path.read_bytes())
    assert len(saved["annotations"]) > 20
    if _journal(path).exists():
        head = json.loads(_journal(path).read_bytes().split(b"\n")[0])
        assert head["snapshot"] == changelog.snapshot_id(path.read_bytes())


def test_a_compaction_killed_before_the_journal_went_loses_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(path, 3)
    old_journal = _journal(path).read_bytes()
    monkeypatch.setattr(changelog, "COMPACT_SHARE", 0.0)  # the next save compacts
    added = _add(path, 1)
    assert not _journal(path).exists()
    everything = _ids(path)
    assert set(added) <= everything
    # Killed after the new file was in place, before the journal was removed: the
    # journal names the old file and is ignored (its saves are in the new file).
    _journal(path).write_bytes(old_journal)
    assert _ids(path) == everything
    monkeypatch.setattr(changelog, "COMPACT_SHARE", 100.0)
    more = _add(path, 1)  # a fresh journal replaces the stale one
    assert _ids(path) == everything | set(more)
    head = json.loads(_journal(path).read_bytes().split(b"\n")[0])
    assert head["snapshot"] == changelog.snapshot_id(path.read_bytes())


def test_a_compaction_that_fails_keeps_the_save_in_the_journal(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(path, 2)
    snapshot = path.read_bytes()
    # The next save still appends, and then the journal is past its share.
    share = (_journal(path).stat().st_size + 1) / len(snapshot)
    monkeypatch.setattr(changelog, "COMPACT_SHARE", share)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reader.store.storage.write_atomically", full)
    with AnnotationStore(path) as store:
        store.load()  # a light open never compacts: the next full one does
        added = store.add_note(ARTICLE, "kept", None).id
        assert any("No space left" in notice for notice in store.take_notices())
    monkeypatch.undo()
    assert path.read_bytes() == snapshot
    assert added in _ids(path)


def test_a_migration_applies_to_the_journal_s_saves_and_keeps_both_files(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store import SCHEMA_VERSION, schema

    _add(path, 1, "first")
    _add(path, 2, "journal")
    assert _journal(path).exists()
    snapshot, journal = path.read_bytes(), _journal(path).read_bytes()

    def to_next(data: schema.Data) -> schema.Data:
        table = data["annotations"]  # documents are replaced, never changed in place
        for doc_id, document in list(table.items()):
            table[doc_id] = {**document, "body": document["body"].upper()}
        return data

    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(schema.MIGRATIONS, SCHEMA_VERSION, to_next)
    with AnnotationStore(path) as store:
        bodies = sorted(a.body for a in store.annotations())
    assert bodies == ["FIRST 0", "JOURNAL 0", "JOURNAL 1"]
    assert not _journal(path).exists()  # the migrated file is written whole
    assert json.loads(path.read_bytes())["meta"]["1"]["schema_version"] == SCHEMA_VERSION + 1
    backup = path.with_name(f"annotations.json.v{SCHEMA_VERSION}.bak")
    assert backup.read_bytes() == snapshot
    assert _journal(backup).read_bytes() == journal
    with AnnotationStore(backup, read_only=True) as old:  # the two read together
        assert sorted(a.body for a in old.annotations()) == bodies
