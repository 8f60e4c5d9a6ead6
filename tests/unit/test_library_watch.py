"""The live library's core: rescans of the paths a watcher reports (and whole walks), the
library's order kept, and the watch itself on a real folder (real file events)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from reader.library import Library
from reader.library.watch import LibraryRescan, watch_library
from reader.settings import Settings
from reader.workspace import Workspace

#: A hang guard for waiting on the watcher's thread (not a timing assertion).
PATIENCE = 60


def write(path: Path, title: str, body: str = "Officials met in Lisbon on Monday.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path


def make_library(root: Path) -> Path:
    write(root / "b.txt", "B")
    write(root / "d.md", "D")
    write(root / "sub" / "a.txt", "Sub A")
    write(root / "sub" / "deeper" / "z.txt", "Deep Z")
    write(root / "zz" / "y.txt", "ZZ Y")
    return root


def titles(library: Library) -> list[str]:
    return [a.title for a in library.articles]


def test_rescan_of_touched_paths_adds_changes_and_removes_in_the_walks_order(
    tmp_path: Path,
) -> None:
    root = make_library(tmp_path / "lib")
    library = Library.load([root])
    rescan = LibraryRescan([root])
    assert titles(library) == ["B", "D", "Sub A", "Deep Z", "ZZ Y"]

    new = [write(root / "c.txt", "C"), write(root / "sub" / "b.txt", "Sub B")]
    changes = rescan.rescan(library, new)
    assert [a.title for a in changes.added] == ["C", "Sub B"]
    assert titles(changes.library) == ["B", "C", "D", "Sub A", "Sub B", "Deep Z", "ZZ Y"]
    # The same order as loading the folder afresh.
    assert titles(changes.library) == titles(Library.load([root]))
    assert titles(library) == ["B", "D", "Sub A", "Deep Z", "ZZ Y"]  # the old one is left

    write(root / "b.txt", "B again")
    (root / "d.md").unlink()
    after = rescan.rescan(changes.library, [root / "b.txt", root / "d.md"])
    assert [a.title for a in after.changed] == ["B again"]
    assert [a.title for a in after.removed] == ["D"]
    assert titles(after.library) == ["B again", "C", "Sub A", "Sub B", "Deep Z", "ZZ Y"]

    # Nothing to do: the same library object, and no changes.
    same = rescan.rescan(after.library, [root / "b.txt"])
    assert not same and same.library is after.library


def test_rescan_of_folders_moved_in_and_out_and_what_is_never_an_article(
    tmp_path: Path,
) -> None:
    root = make_library(tmp_path / "lib")
    exports = root / "exports"
    library = Library.load([root], exclude=[exports])
    rescan = LibraryRescan([root], exclude=[exports])

    outside = write(tmp_path / "elsewhere" / "moved" / "m.txt", "Moved in")
    shutil.move(str(outside.parent), root / "moved")
    shutil.rmtree(root / "sub")
    hidden = write(root / ".draft.txt", "Hidden")
    exported = write(exports / "e.md", "Exported")
    other = root / "notes.json"
    other.write_text("{}", encoding="utf-8")
    empty = root / "empty.txt"
    empty.write_text("", encoding="utf-8")
    changes = rescan.rescan(
        library, [root / "moved", root / "sub", hidden, exported, other, empty, tmp_path]
    )
    assert [a.title for a in changes.added] == ["Moved in"]
    assert sorted(a.title for a in changes.removed) == ["Deep Z", "Sub A"]
    assert [p.path.name for p in changes.problems] == ["empty.txt"]
    assert titles(changes.library) == ["B", "D", "Moved in", "ZZ Y"]
    assert titles(changes.library) == titles(Library.load([root], exclude=[exports]))


def test_a_whole_walk_finds_what_changed_since_the_last(tmp_path: Path) -> None:
    root = make_library(tmp_path / "lib")
    (root / "empty.txt").write_text("", encoding="utf-8")
    library = Library.load([root])
    rescan = LibraryRescan([root])
    assert [p.path.name for p in library.problems] == ["empty.txt"]
    assert not rescan.rescan(library, None)  # the first walk only learns the stats
    assert not rescan.rescan(library, [root / "empty.txt"])  # said at the load already

    write(root / "b.txt", "B edited", body="A longer body, so that the size changes too.")
    write(root / "zz" / "x.txt", "ZZ X")
    (root / "d.md").unlink()
    changes = rescan.rescan(library, None)
    assert [a.title for a in changes.changed] == ["B edited"]
    assert [a.title for a in changes.added] == ["ZZ X"]
    assert [a.title for a in changes.removed] == ["D"]


def test_the_workspace_refreshes_its_library(tmp_path: Path) -> None:
    root = make_library(tmp_path / "lib")
    workspace = Workspace(
        Settings(article_paths=[root], db_path=tmp_path / "db.json", cache_dir=tmp_path / "c")
    )
    assert not workspace.refresh_library([root / "b.txt"])  # nothing loaded yet
    before = workspace.library()
    write(root / "a.txt", "A")
    changes = workspace.refresh_library([root / "a.txt"])
    assert workspace.library() is changes.library is not before
    assert titles(workspace.library())[:2] == ["A", "B"]


def test_watch_reports_a_file_written_and_stops_when_asked(tmp_path: Path) -> None:
    root = make_library(tmp_path / "lib")
    stop = threading.Event()
    ready = threading.Event()
    seen: list[set[Path]] = []
    got = threading.Event()
    result: list[str | None] = []

    def changed(paths: set[Path]) -> None:
        seen.append(paths)
        got.set()

    thread = threading.Thread(
        target=lambda: result.append(watch_library([root], stop, changed, ready.set))
    )
    thread.start()
    try:
        assert ready.wait(PATIENCE)
        new = write(root / "sub" / "new.txt", "New")
        assert got.wait(PATIENCE)
        assert any(os.path.abspath(new) in {str(p) for p in batch} for batch in seen), seen
    finally:
        stop.set()
        thread.join(PATIENCE)
    assert not thread.is_alive()
    assert result == [None]


def test_a_library_given_by_a_relative_path_keeps_its_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `reader lib`: the first load names articles lib/..., so must a rescan (an id that
    # turned absolute would no longer be the open article's, nor the list's).
    make_library(tmp_path / "lib")
    monkeypatch.chdir(tmp_path)
    library = Library.load([Path("lib")])
    rescan = LibraryRescan([Path("lib")])
    write(tmp_path / "lib" / "b.txt", "B", "Changed: officials met in Porto.")
    write(tmp_path / "lib" / "sub" / "new.txt", "New")
    touched = {tmp_path / "lib" / "b.txt", tmp_path / "lib" / "sub" / "new.txt"}
    changes = rescan.rescan(library, touched)
    ids = [a.id for a in changes.library.articles]
    assert ids == [a.id for a in Library.load([Path("lib")]).articles]
    assert all(not os.path.isabs(i) for i in ids) and "lib/sub/new.txt" in ids


def test_a_name_that_is_not_utf8_does_not_end_the_watch(tmp_path: Path) -> None:
    # watchfiles ends its watch on a name it cannot decode ("Unable to decode path"): the
    # watch starts again and walks the library (ready), so a file written with it is seen.
    root = make_library(tmp_path / "lib")
    stop = threading.Event()
    readies: list[float] = []
    again = threading.Event()
    result: list[str | None] = []

    def ready() -> None:
        readies.append(1)
        if len(readies) > 1:
            again.set()

    thread = threading.Thread(
        target=lambda: result.append(watch_library([root], stop, lambda paths: None, ready))
    )
    thread.start()
    try:
        for _ in range(PATIENCE * 10):
            if readies:
                break
            threading.Event().wait(0.1)
        with open(os.path.join(os.fsencode(root), b"bad\xff.txt"), "wb") as bad:
            bad.write(b"Bad\n\nText.\n")
        assert again.wait(PATIENCE), result  # watched again, not given up
    finally:
        stop.set()
        thread.join(PATIENCE)
    assert not thread.is_alive()
    assert result == [None]
