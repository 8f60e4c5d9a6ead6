"""Files the store must not write over, or wrongly refuse, and writers taking turns.

Each finding of issue 15 as a test against a real file in tmp_path: a read-only database
is never written, a read-only folder shows annotations read-only, a 0-byte database is
said and kept, a database deleted under an open store is written again whole, an edit
that keeps the size and the mtime is noticed, and every message names the file and says
what to do.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from reader.store import AnnotationStore, ArticleRef, StoreError, StoreReadOnly, changelog
from reader.store import lock as lock_module

ARTICLE = ArticleRef("articles/budget.md", "a" * 64, "The budget vote")
TARGET: dict[str, Any] = {
    "position": {"start": 10, "end": 22},
    "quote": {"exact": "the Chancellor", "prefix": "said ", "suffix": " on Monday"},
}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "annotations.json"


def bodies(path: Path) -> list[str]:
    with AnnotationStore(path, read_only=True) as reader:
        return [a.body for a in reader.annotations()]


def with_notes(path: Path, *texts: str) -> None:
    with AnnotationStore(path) as store:
        for text in texts:
            store.add_note(ARTICLE, text)


# A file the user made read-only.


def test_a_read_only_file_is_never_written_and_says_why(path: Path) -> None:
    with_notes(path, "kept")
    path.chmod(0o444)
    before = path.read_bytes()
    with AnnotationStore(path) as store:  # asked for writing, even as root
        assert store.read_only
        assert store.read_only_reason is not None and "mode 0444" in store.read_only_reason
        assert [a.body for a in store.annotations()] == ["kept"]
        with pytest.raises(StoreReadOnly) as refused:
            store.add_note(ARTICLE, "would write over it")
    message = str(refused.value)
    assert message.startswith(f"{path}: the file is read-only (mode 0444)")
    assert "chmod u+w" in message and "cannot add a note" in message
    assert path.read_bytes() == before
    assert oct(path.stat().st_mode & 0o777) == oct(0o444)


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS])
def test_a_folder_that_cannot_be_written_shows_annotations_read_only(
    path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    with_notes(path, "readable")
    before = path.read_bytes()
    real_open = os.open

    def refuse_the_lock_file(name: Any, flags: int, *args: Any) -> int:
        # The tests run as root, for whom a 0555 folder is writable: the folder's (or the
        # read-only file system's) refusal is made here, where the lock file is created.
        if str(name).endswith(".lock"):
            raise OSError(code, os.strerror(code), str(name))
        return real_open(name, flags, *args)

    monkeypatch.setattr(lock_module.os, "open", refuse_the_lock_file)
    with AnnotationStore(path) as store:
        assert store.read_only
        assert [a.body for a in store.annotations()] == ["readable"]
        assert store.read_only_reason is not None
        assert "could not create the lock file" in store.read_only_reason
        assert "shown read-only" in store.read_only_reason
        with pytest.raises(StoreReadOnly, match=r"cannot add a note"):
            store.add_note(ARTICLE, "no")
    assert path.read_bytes() == before


# Empty, vanished and quietly edited files.


def test_a_zero_byte_database_is_said_and_kept_before_it_is_replaced(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    with AnnotationStore(path) as store:
        notices = store.take_notices()
        assert len(notices) == 1 and notices[0].startswith(f"{path} is empty (0 bytes)")
        assert "failed" in notices[0] and "annotations.json.empty.bak" in notices[0]
        assert not (path.parent / "annotations.json.empty.bak").exists()
        store.add_note(ARTICLE, "first")
        assert store.take_notices() == []
    assert (path.parent / "annotations.json.empty.bak").read_bytes() == b""
    assert bodies(path) == ["first"]


def test_a_zero_byte_database_s_journal_is_kept_aside_not_deleted(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:  # a journal, as beside a large file
        patched.setattr(changelog, "LOG_FROM_BYTES", 0)
        patched.setattr(changelog, "COMPACT_SHARE", 100.0)
        with AnnotationStore(path) as store:
            store.add_note(ARTICLE, "in the file")
            store.add_note(ARTICLE, "in the journal")
    journal = path.with_name(f"{path.name}.journal")
    saves = journal.read_bytes()
    assert b"in the journal" in saves
    path.write_bytes(b"")  # a copy that failed
    with AnnotationStore(path) as store:
        (notice,) = store.take_notices()
        assert "annotations.json.journal" in notice and "annotations.json.journal.bak" in notice
        store.add_note(ARTICLE, "first")
    assert (path.parent / "annotations.json.empty.bak").read_bytes() == b""
    assert (path.parent / "annotations.json.journal.bak").read_bytes() == saves
    assert not journal.exists()
    assert bodies(path) == ["first"]


def test_a_database_deleted_under_an_open_store_is_written_again_whole(path: Path) -> None:
    with AnnotationStore(path) as store:
        for n in range(4):
            store.add_note(ARTICLE, f"note {n}")
        path.unlink()
        assert not store.refresh()
        notices = store.take_notices()
        assert len(notices) == 1 and "was deleted or moved away" in notices[0]
        assert str(path) in notices[0]
        assert len(store.annotations()) == 4  # what the panel showed is still there
        store.add_note(ARTICLE, "the new one")
    assert bodies(path) == ["note 0", "note 1", "note 2", "note 3", "the new one"]


def test_a_database_deleted_before_a_change_is_said_too(path: Path) -> None:
    with AnnotationStore(path) as store:
        store.add_note(ARTICLE, "held")
        path.unlink()
        store.add_note(ARTICLE, "next")  # no refresh in between: the change notices
        assert any("was deleted" in n for n in store.take_notices())
    assert bodies(path) == ["held", "next"]


def test_an_edit_of_the_same_size_with_the_mtime_kept_is_noticed(path: Path) -> None:
    with AnnotationStore(path) as store:
        store.add_note(ARTICLE, "aaaa")
        raw = path.read_bytes()
        info = path.stat()
        with path.open("r+b") as handle:  # in place: same inode, same size
            handle.write(raw.replace(b'"aaaa"', b'"bbbb"'))
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # the mtime put back
        assert path.stat().st_size == info.st_size
        assert path.stat().st_mtime_ns == info.st_mtime_ns
        assert store.refresh()
        assert [a.body for a in store.annotations()] == ["bbbb"]
        store.add_note(ARTICLE, "after")
    assert bodies(path) == ["bbbb", "after"]


# Writers taking turns.


def test_two_open_stores_never_reuse_a_doc_id(path: Path) -> None:
    with AnnotationStore(path) as one, AnnotationStore(path) as two:
        one.add_note(ARTICLE, "one 1")
        two.add_note(ARTICLE, "two 1")
        one.add_note(ARTICLE, "one 2")
        two.add_note(ARTICLE, "two 2")
    assert bodies(path) == ["one 1", "two 1", "one 2", "two 2"]


def test_the_later_save_wins_and_its_undo_brings_back_the_earlier(path: Path) -> None:
    with_notes(path, "original")
    with AnnotationStore(path) as app, AnnotationStore(path) as script:
        note = app.annotations()[0]
        app.update(note.id, body="the app's")
        script.update(note.id, body="the script's")  # later: wins
        assert bodies(path) == ["the script's"]
        with pytest.raises(StoreError, match="changed since by another reader"):
            app.undo()  # would throw the script's edit away
        assert bodies(path) == ["the script's"]
        assert script.undo() is not None  # the earlier save, from the script's journal
        assert bodies(path) == ["the app's"]


# Messages that name the file and say what to do.


def test_a_file_where_the_folder_should_be_is_named_with_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    path = blocker / "annotations.json"
    with pytest.raises(StoreError) as refused:
        AnnotationStore(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: could not create the lock file {path}.lock")
    assert f"{blocker} is a file, not a folder" in message
    assert "--db" in message
    assert blocker.read_text() == "not a folder"


def test_stored_text_is_kept_as_typed(path: Path) -> None:
    typed = "red \x1b[31malert\x1b[0m\tand a bell \x07 and\r\nCRLF"
    with AnnotationStore(path) as store:
        note = store.add_note(ARTICLE, typed)
        assert note.body == typed
    assert bodies(path) == [typed]
    assert b"\\u001b[31m" in path.read_bytes()  # escaped in the file, not raw
    assert json.loads(path.read_bytes())["annotations"]["1"]["body"] == typed


def test_a_command_says_the_database_was_empty(tmp_path: Path) -> None:
    import subprocess
    import sys

    article = tmp_path / "story.txt"
    article.write_text("A story\n\nText.\n", encoding="utf-8")
    db = tmp_path / "annotations.json"
    db.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "reader", "tag", str(article), "kept", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"reader: {db} is empty (0 bytes)" in done.stderr
    assert (tmp_path / "annotations.json.empty.bak").exists()


def test_a_store_opened_during_another_save_is_writable_once_it_is_done(path: Path) -> None:
    from reader.store.lock import WriteLock

    with_notes(path, "before")
    lock = WriteLock.acquire(path)  # a command in the middle of a save
    try:
        store = AnnotationStore(path)  # the app starting meanwhile
    finally:
        lock.release()
    with store:
        assert not store.read_only and store.read_only_reason is None
        store.add_note(ARTICLE, "after")
    assert bodies(path) == ["before", "after"]
