"""reader.files, the one atomic write: on a real filesystem in tmp_path."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader import files
from reader.files import TEMP_SUFFIX, FolderNotSynced, make_folders, write_atomically


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_the_file_is_replaced_and_its_stat_returned(tmp_path: Path) -> None:
    target = tmp_path / "data.json"
    target.write_bytes(b"old")
    info = write_atomically(target, [b"new ", b"chunks"])
    assert target.read_bytes() == b"new chunks"
    after = os.stat(target)
    assert (info.st_ino, info.st_size, info.st_mtime_ns) == (
        after.st_ino,
        after.st_size,
        after.st_mtime_ns,
    )
    assert names(tmp_path) == ["data.json"]


def test_a_failed_rename_leaves_the_destination_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "data.json"
    target.write_bytes(b"old")

    def full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["data.json"]


def test_a_payload_that_fails_midway_leaves_the_destination_and_no_temporary(
    tmp_path: Path,
) -> None:
    target = tmp_path / "data.json"
    target.write_bytes(b"old")
    seen: list[str] = []

    def payload() -> Iterator[bytes]:
        yield b"half"
        seen.extend(names(tmp_path))  # while writing: the temporary beside the target
        raise ValueError("not JSON")

    with pytest.raises(ValueError, match="not JSON"):
        write_atomically(target, payload(), temp_prefix=".data.json.")
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["data.json"]
    temporary = [name for name in seen if name != "data.json"]
    assert len(temporary) == 1
    assert temporary[0].startswith(".data.json.") and temporary[0].endswith(TEMP_SUFFIX)


def test_a_symlink_at_the_destination_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    write_atomically(link, b"export")
    assert not link.is_symlink() and link.read_bytes() == b"export"
    assert victim.read_bytes() == b"precious"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "created-through-link.json")
    write_atomically(dangling, b"export")
    assert not dangling.is_symlink() and dangling.read_bytes() == b"export"
    assert not (tmp_path / "created-through-link.json").exists()


def test_keep_mode_keeps_the_replaced_files_permissions(tmp_path: Path) -> None:
    target = tmp_path / "annotations.json"
    write_atomically(target, b"first", new_mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # a new file: new_mode
    target.chmod(0o640)
    write_atomically(target, b"second", keep_mode=True, new_mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    write_atomically(target, b"third", new_mode=0o600)  # without keep_mode: new_mode again
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == b"third"


def test_a_durable_write_syncs_the_file_and_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def counting(descriptor: int) -> None:
        synced.append(descriptor)
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", counting)
    write_atomically(tmp_path / "cache.json", b"x", durable=False)
    assert synced == []
    write_atomically(tmp_path / "db.json", b"x")
    assert len(synced) == 2  # the file, then its folder


def test_a_folder_that_cannot_be_synced_is_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsyncable(folder: Path) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files, "fsync_folder", unsyncable)
    target = tmp_path / "db.json"
    with pytest.raises(FolderNotSynced) as raised:
        write_atomically(target, b"in place")
    assert raised.value.strerror == "Input/output error"
    assert target.read_bytes() == b"in place"  # the rename happened
    assert names(tmp_path) == ["db.json"]


def test_make_folders_creates_every_missing_parent(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b" / "c"
    make_folders(folder)
    assert folder.is_dir()
    make_folders(folder)  # already there: nothing to do
    make_folders(tmp_path / "x" / "y", durable=False)
    assert (tmp_path / "x" / "y").is_dir()


def test_a_new_file_only_never_replaces_one(tmp_path: Path) -> None:
    """replace=False (reader add): the name is published only if free; an existing file,
    or a symlink, is left as it was and no temporary file is left behind."""
    target = tmp_path / "story.md"
    write_atomically(target, b"first", replace=False)
    assert target.read_bytes() == b"first"
    with pytest.raises(FileExistsError):
        write_atomically(target, b"second", replace=False)
    assert target.read_bytes() == b"first"
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "elsewhere.md")
    with pytest.raises(FileExistsError):
        write_atomically(link, b"third", replace=False)
    assert not (tmp_path / "elsewhere.md").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "story.md"]


def test_a_file_stamp_is_inode_size_mtime_and_ctime(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("one")
    after = os.stat(target)
    assert files.file_stamp(after) == (
        after.st_ino,
        after.st_size,
        after.st_mtime_ns,
        after.st_ctime_ns,
    )


def test_a_file_changed_lately_is_not_vouched_for_by_its_stamp(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("text")
    info = os.stat(target)
    newest = max(info.st_mtime_ns, info.st_ctime_ns)
    assert files.changed_lately(info, now_ns=newest + 1_000_000_000)
    assert not files.changed_lately(info, now_ns=newest + 2_000_000_000)
    assert not files.changed_lately(info, 0.5, now_ns=newest + 1_000_000_000)
    old = 1_000_000_000_000_000_000
    os.utime(target, ns=(old, old))  # the mtime is old, the ctime is now: still racy
    assert files.changed_lately(os.stat(target))
