"""A command's write beside a large file: the summary and the journal's tail, not the file.

A real file of a few notes stands for a large one: the tests lower
:data:`~reader.store.changelog.LOG_FROM_BYTES` so that the file gets a journal and a
summary (:mod:`reader.store.summary`) from its first save.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.store import (
    AnnotationStore,
    ArticleRef,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    changelog,
    summary,
)
from reader.store.lock import WriteLock

ROOT = Path(__file__).resolve().parents[2]
WRITER = ROOT / "tests" / "data" / "store_writer.py"
ARTICLE = ArticleRef("articles/one.md", "1" * 64, "One")
OTHER = ArticleRef("articles/two.md", "2" * 64, "Two")


@pytest.fixture(autouse=True)
def journal_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changelog, "LOG_FROM_BYTES", 0)
    monkeypatch.setattr(changelog, "COMPACT_SHARE", 100.0)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A database of a few notes and one tagged article, its summary settled (as it is
    once the file has not been rewritten for 2 seconds)."""
    path = tmp_path / "annotations.json"
    with AnnotationStore(path) as store, store._storage.batch():  # one save: the file
        store.add_note(ARTICLE, "first", None)
        store.add_tags(ARTICLE, ["aa"])
    assert b'"tags":["aa"]' in path.read_bytes()
    _settle(path)
    return path


def _settle(path: Path) -> None:
    """Mark the summary's check as made long after the file's last change."""
    found = summary.read_summary(summary.summary_path_for(path))
    assert found is not None
    found.checked_ns = found.stamp[3] + 10 * summary.SETTLE_NS
    summary.write_summary(summary.summary_path_for(path), found, 0o600)
    assert found.settled()


def _full(path: Path) -> AnnotationStore:
    return AnnotationStore(path, read_only=True)


def _edit_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Change the file's bytes in place, the same size, and set its mtime back."""
    assert len(old) == len(new)
    info = path.stat()
    raw = path.read_bytes()
    assert raw.count(old) == 1
    with open(path, "r+b") as handle:
        handle.write(raw.replace(old, new))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns


def test_a_light_write_reads_neither_the_file_nor_the_annotations(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole file was read")

    with monkeypatch.context() as patched:
        patched.setattr("reader.store.storage.parse_database", refused)
        with AnnotationStore(path) as store:
            assert not store.loaded
            added = store.add_note(OTHER, "light", None)
            assert store.add_tags(ARTICLE, ["bb", "AA"]) == ["bb"]
            assert store.set_read(OTHER, True)
            assert not store.loaded
    with _full(path) as reader:
        assert [a.body for a in reader.annotations()] == ["first", "light"]
        assert reader.annotations()[-1].id == added.id
        assert reader.tags(ARTICLE.sha256) == ["aa", "bb"]
        assert reader.read_articles() == {OTHER.sha256}


def test_doc_ids_of_light_writes_never_reuse_one_on_disk(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(changelog, "COMPACT_SHARE", 0.0)  # each save writes the whole file
        with AnnotationStore(path) as store:
            store.load()
            for i in range(3):
                store.add_note(ARTICLE, f"loaded {i}", None)
    assert not path.with_name(f"{path.name}.journal").exists()  # compacted
    with AnnotationStore(path) as store:
        store.load()  # a full open soon after the compaction summarises the file again
    for i in range(3):
        with AnnotationStore(path) as store:
            store.add_note(OTHER, f"light {i}", None)
            assert not store.loaded
    with _full(path) as reader:
        bodies = [a.body for a in reader.annotations()]
    assert bodies == [
        "first",
        *(f"loaded {i}" for i in range(3)),
        *(f"light {i}" for i in range(3)),
    ]


@pytest.mark.parametrize("case", ["settled", "racy", "no ctime"])
def test_a_same_size_edit_in_place_with_the_mtime_kept_is_read_not_written_over(
    path: Path, case: str
) -> None:
    _edit_in_place(path, b'"tags":["aa"]', b'"tags":["xx"]')
    if case != "settled":
        # racy: the edit came within the file system's time granularity of the summary's
        # check, so that its stamp is the one summarised: only the CRC can tell. no
        # ctime (FAT, exFAT): the stamp is the one summarised, long settled; the CRC of
        # the file's ends tells (the edit is within 64 KiB of one).
        found = summary.read_summary(summary.summary_path_for(path))
        assert found is not None
        info = path.stat()
        found.stamp = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        found.checked_ns = info.st_ctime_ns + (10 * summary.SETTLE_NS if case == "no ctime" else 0)
        summary.write_summary(summary.summary_path_for(path), found, 0o600)
    with AnnotationStore(path) as store:
        assert store.loaded  # the summary was not trusted
        store.add_tags(ARTICLE, ["cc"])
    with _full(path) as reader:
        assert reader.tags(ARTICLE.sha256) == ["xx", "cc"]


def test_a_file_replaced_by_a_foreign_or_newer_one_is_refused_byte_identical(
    path: Path,
) -> None:
    for raw in (
        json.dumps({"_default": {"1": {"x": 1}}}).encode(),
        path.read_bytes().replace(b'"schema_version":6', b'"schema_version":9'),
    ):
        path.write_bytes(raw)
        with pytest.raises(StoreCorrupt), AnnotationStore(path) as store:
            store.add_note(ARTICLE, "lost?", None)
        assert path.read_bytes() == raw


def test_a_summary_that_cannot_be_used_sends_the_writer_to_the_whole_file(path: Path) -> None:
    summary_file = summary.summary_path_for(path)
    for damage in (b"", b"{not json", summary_file.read_bytes()[:-10]):
        summary_file.write_bytes(damage)
        with AnnotationStore(path) as store:
            assert store.loaded
            store.add_note(ARTICLE, "after damage", None)
        assert summary.read_summary(summary_file) is not None  # written again
    with _full(path) as reader:
        assert [a.body for a in reader.annotations()].count("after damage") == 3


def test_a_journal_removed_behind_the_summary_s_back_is_not_trusted(path: Path) -> None:
    with AnnotationStore(path) as store:
        store.add_note(OTHER, "in the journal", None)
    journal = path.with_name(f"{path.name}.journal")
    size = journal.stat().st_size
    journal.unlink()
    held = summary.summary_path_for(path).read_bytes()
    with _full(path) as reader:
        assert any(
            str(journal) in notice and "is missing" in notice for notice in reader.take_notices()
        )
    with AnnotationStore(path) as store:
        assert store.loaded  # the summary holds OTHER's article, the file does not
        store.add_tags(ARTICLE, ["bb"])
        # Until the user has been told, the summary naming the journal stays.
        assert summary.summary_path_for(path).read_bytes() == held
        notices = store.take_notices()
    assert any(str(journal) in notice and f"{size} bytes" in notice for notice in notices), notices
    with _full(path) as reader:
        assert [a["sha256"] for a in reader.articles()] == [ARTICLE.sha256]
        assert reader.tags(ARTICLE.sha256) == ["aa", "bb"]
        assert reader.take_notices() == []  # said once, then the summary was written


def test_a_journal_cut_short_behind_the_summary_s_back_is_said(path: Path) -> None:
    for body in ("one", "two", "three"):
        with AnnotationStore(path) as store:
            store.add_note(OTHER, body, None)
    journal = path.with_name(f"{path.name}.journal")
    lines = journal.read_bytes().split(b"\n")
    journal.write_bytes(b"\n".join(lines[:2]) + b"\n")  # the header and the first save
    missing = len(b"\n".join(lines[2:]))
    with AnnotationStore(path) as store:
        store.add_note(OTHER, "after", None)
        notices = store.take_notices()
    assert any(
        str(journal) in notice and f"{missing} bytes shorter" in notice for notice in notices
    ), notices
    with _full(path) as reader:
        assert [a.body for a in reader.annotations()] == ["first", "one", "after"]


def test_a_journal_torn_behind_a_light_open_is_cut_and_said(path: Path) -> None:
    with AnnotationStore(path) as store:
        store.add_note(OTHER, "whole", None)
    journal = path.with_name(f"{path.name}.journal")
    whole = journal.read_bytes()
    with open(journal, "ab") as handle:
        handle.write(b'0badc0de {"annotations":{"9')
    with AnnotationStore(path) as store:
        store.add_note(OTHER, "after", None)
        assert not store.loaded
        assert any("cut off" in notice for notice in store.take_notices())
    assert journal.read_bytes().startswith(whole)
    with _full(path) as reader:
        assert [a.body for a in reader.annotations()] == ["first", "whole", "after"]


def test_eight_command_writers_and_a_loaded_store_lose_nothing(tmp_path: Path) -> None:
    """Eight processes add notes as commands do (a light open each, the journal
    compacted every few saves) while this process holds the database open and loaded, as
    the app does, and adds its own: every acknowledged note is there."""
    path = tmp_path / "annotations.json"
    count = 15
    with AnnotationStore(path, wait=60) as mine:
        mine.add_note(ARTICLE, "seed", None)
        env = {**os.environ, "READER_TEST_JOURNAL": "1"}
        writers = [
            subprocess.Popen(
                [sys.executable, str(WRITER), "add", str(path), str(count), f"w{n}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
                env=env,
            )
            for n in range(8)
        ]
        own = {mine.add_note(OTHER, f"mine {i}").id for i in range(count)}
        acked: set[str] = set()
        for writer in writers:
            out, err = writer.communicate(timeout=120)
            assert writer.returncode == 0, err
            acked |= {line.split()[1] for line in out.splitlines() if line.startswith("ack ")}
        assert len(acked) == 8 * count
        mine.refresh()
        assert {a.id for a in mine.annotations()} >= acked | own
    with _full(path) as reader:
        assert {a.id for a in reader.annotations()} >= acked | own
        assert len(reader.annotations()) == 1 + 9 * count


def test_a_loaded_store_reads_only_the_journal_lines_others_appended(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with AnnotationStore(path) as app, AnnotationStore(path, read_only=True) as reader:
        app.load()
        assert len(reader.annotations()) == 1
        with AnnotationStore(path) as command:
            theirs = command.add_note(OTHER, "from a command", None).id
            command.add_tags(OTHER, ["x"])

        def refused(*args: object, **kwargs: object) -> None:
            raise AssertionError("the whole file was read again")

        with monkeypatch.context() as patched:
            patched.setattr("reader.store.storage.parse_database", refused)
            assert app.refresh() is True
            assert theirs in {a.id for a in app.annotations()}
            assert app.tags(OTHER.sha256) == ["x"]
            assert theirs in {a.id for a in reader.annotations()}  # read-only: the same
            mine = app.add_note(ARTICLE, "the app's", None).id  # its turn sees theirs
        with monkeypatch.context() as patched:
            patched.setattr("reader.store.storage.parse_database", refused)
            assert [a.id for a in reader.annotations()][-2:] == [theirs, mine]
    with _full(path) as full:
        assert [a.body for a in full.annotations()] == ["first", "from a command", "the app's"]


def test_a_bad_document_appended_by_another_program_sends_the_store_to_the_whole_file(
    path: Path,
) -> None:
    with AnnotationStore(path) as app:
        app.load()
        journal = path.with_name(f"{path.name}.journal")
        with AnnotationStore(path) as command:
            command.add_note(OTHER, "fine", None)
        payload = json.dumps({"annotations": {"99": {"id": "x", "kind": "scribble"}}}).encode()
        with open(journal, "ab") as handle:
            handle.write(changelog.record(payload))
        with pytest.raises(StoreCorrupt, match="annotations/99"):
            app.refresh()


def test_the_summary_covers_a_command_s_saves_once_it_closes(path: Path) -> None:
    journal = path.with_name(f"{path.name}.journal")
    summary_file = summary.summary_path_for(path)
    with AnnotationStore(path) as store:
        store.add_note(OTHER, "a", None)
        store.add_note(OTHER, "b", None)
        behind = summary.read_summary(summary_file)
        assert behind is not None and behind.end < journal.stat().st_size  # not per save
    found = summary.read_summary(summary_file)
    assert found is not None and found.end == journal.stat().st_size
    assert found.next_annotation == 4


def test_a_file_removed_under_a_light_open_is_not_written_with_the_small_tables_alone(
    path: Path,
) -> None:
    with AnnotationStore(path) as store:
        assert not store.loaded
        path.rename(path.with_name("moved.json"))
        with pytest.raises(StoreError, match="moved away before reader had read"):
            store.add_tags(ARTICLE, ["lost?"])
        assert any("deleted or moved away" in notice for notice in store.take_notices())
    assert not path.exists()


def test_a_migration_refused_for_the_lock_leaves_no_summary_for_light_writes(
    path: Path,
) -> None:
    """The file at an older schema, the migration refused (another writer's turn): a
    light write must not trust a summary of the data as migrated in memory only, and so
    leave its note in a journal that a reader of that schema ignores."""
    summary.summary_path_for(path).unlink()
    # Version 5: no drafts table.
    old = path.read_bytes().replace(b'"schema_version":6', b'"schema_version":5')
    assert b',"drafts":{}' in old
    old = old.replace(b',"drafts":{}', b"")
    path.write_bytes(old)
    lock = WriteLock.acquire(path)
    try:
        with pytest.raises(StoreLocked):
            AnnotationStore(path)
    finally:
        lock.release()
    assert not summary.summary_path_for(path).exists()
    with AnnotationStore(path) as store:
        assert store.loaded  # the full open, which migrated
        store.add_note(OTHER, "after", None)
    assert path.with_name(f"{path.name}.v5.bak").read_bytes() == old
    assert b'"schema_version":6' in path.read_bytes()
    with _full(path) as reader:
        assert [a.body for a in reader.annotations()] == ["first", "after"]


def _articles_doc_id(path: Path) -> str:
    with _full(path) as reader:
        articles = reader._storage.read()["articles"]
    return next(k for k, d in articles.items() if d["sha256"] == ARTICLE.sha256)


@pytest.mark.parametrize("table", ["articles", "annotations"])
def test_a_bad_document_in_a_journal_line_with_its_crc_right_is_refused(
    path: Path, table: str
) -> None:
    """Another program appends a well-formed line whose document does not have its
    table's shape: the light open checks it as the full open does, which refuses it
    naming it."""
    with AnnotationStore(path) as store:
        store.add_tags(ARTICLE, ["bb"])
    if table == "articles":
        doc_id = _articles_doc_id(path)
        bad: dict[str, object] = {
            "sha256": ARTICLE.sha256,
            "path": "p",
            "title": "T",
            "tags": "notalist",
        }
    else:
        doc_id, bad = "99", {"id": "x", "kind": "note", "body": 3}
    with open(path.with_name(f"{path.name}.journal"), "ab") as handle:
        handle.write(changelog.record(json.dumps({table: {doc_id: bad}}).encode()))
    for change in ("tag", "note"):
        with (
            pytest.raises(StoreCorrupt, match=f"{table}/{doc_id}"),
            AnnotationStore(path) as store,
        ):
            if change == "tag":
                store.add_tags(ARTICLE, ["cc"])
            else:
                store.add_note(ARTICLE, "lost?", None)


def test_a_bad_document_in_the_summary_sends_the_writer_to_the_whole_file(path: Path) -> None:
    doc_id = _articles_doc_id(path)
    found = summary.read_summary(summary.summary_path_for(path))
    assert found is not None
    found.tables["articles"][doc_id] = {**found.tables["articles"][doc_id], "tags": "xy"}
    summary.write_summary(summary.summary_path_for(path), found, 0o600)
    with AnnotationStore(path) as store:
        assert store.loaded
        assert store.add_tags(ARTICLE, ["bb"]) == ["bb"]
    with _full(path) as reader:
        assert reader.tags(ARTICLE.sha256) == ["aa", "bb"]


def test_a_journal_with_another_nonce_is_not_read_from_the_summary_s_offset(
    path: Path, tmp_path: Path
) -> None:
    """A copy's journal put beside the file (same file, same header length, lines of the
    same length): the summary's offset falls on a line's end in it, but it is not the
    journal the summary read."""
    other = tmp_path / "copy" / path.name
    other.parent.mkdir()
    for suffix in ("", ".summary"):
        other.with_name(other.name + suffix).write_bytes(
            path.with_name(path.name + suffix).read_bytes()
        )
    with AnnotationStore(path) as store:
        store.add_tags(OTHER, ["x1"])
    with AnnotationStore(other) as store:
        store.add_tags(OTHER, ["y1"])
        store.add_tags(OTHER, ["y2"])
    journal = path.with_name(f"{path.name}.journal")
    journal.write_bytes(other.with_name(f"{other.name}.journal").read_bytes())
    with AnnotationStore(path) as store:
        assert store.loaded
        assert any("was replaced" in notice for notice in store.take_notices())
        assert store.tags(OTHER.sha256) == ["y1", "y2"]


def test_a_summary_of_another_schema_is_not_trusted(path: Path) -> None:
    found = summary.read_summary(summary.summary_path_for(path))
    assert found is not None
    meta = found.tables["meta"]
    (key,) = meta
    meta[key] = {**meta[key], "schema_version": 3}
    summary.write_summary(summary.summary_path_for(path), found, 0o600)
    with AnnotationStore(path) as store:
        assert store.loaded


def test_a_light_store_closed_after_another_compacted_leaves_the_new_summary(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with AnnotationStore(path) as light:
        light.add_note(OTHER, "light", None)  # the summary is due when it closes
        assert not light.loaded
        with monkeypatch.context() as patched:
            patched.setattr(changelog, "COMPACT_SHARE", 0.0)
            with AnnotationStore(path) as loaded:
                loaded.load()
                loaded.add_note(OTHER, "compacted", None)
        assert not path.with_name(f"{path.name}.journal").exists()
    found = summary.read_summary(summary.summary_path_for(path))
    assert found is not None
    assert found.snapshot == changelog.snapshot_id(path.read_bytes())
    with AnnotationStore(path) as store:
        store.add_note(OTHER, "after", None)
        assert not store.loaded
    with _full(path) as reader:
        assert [a.body for a in reader.annotations()] == ["first", "light", "compacted", "after"]


def test_the_edges_crc_reads_the_first_and_last_64_kib(tmp_path: Path) -> None:
    big = tmp_path / "big"
    raw = bytes(range(256)) * 1024  # 256 KiB
    big.write_bytes(raw)
    assert summary.edges_of(big) == summary.edges_of_bytes(raw)
    middle = raw[:100_000] + b"x" + raw[100_001:]
    assert summary.edges_of_bytes(middle) == summary.edges_of_bytes(raw)
    for at in (0, 65_535, len(raw) - 65_536, len(raw) - 1):
        edited = raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1 :]
        assert summary.edges_of_bytes(edited) != summary.edges_of_bytes(raw)
