"""`reader search`'s up-to-date check in a forked child (reader/cli/search_stamp.py): the
same answers, the child's stamps used, its failure taken over, nothing written by it, no
child left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.cli import main, search_stamp
from reader.library import catalogue
from reader.workspace import Workspace


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    root = tmp_path / "library"
    root.mkdir()
    (root / "geneva.txt").write_text("Talks\n\nThe minister arrived in Geneva.\n", "utf-8")
    (root / "asia.txt").write_text("Markets\n\nShares rose in Tokyo.\n", "utf-8")
    return root


def run(library: Path, tmp_path: Path, query: str) -> int:
    cache = str(tmp_path / "cache")
    return main(
        ["search", query, str(library), "--db", str(tmp_path / "db.json"), "--cache-dir", cache]
    )


def no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def counting_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    forks: list[int] = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return forks


def test_the_child_s_stamps_answer_as_the_process_s_own(
    library: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forks = counting_forks(monkeypatch)
    outputs = []
    for fork in (False, True):
        monkeypatch.setattr(search_stamp, "FORK", fork)
        run(library, tmp_path, "geneva")  # up to date
        assert run(library, tmp_path, "geneva OR tokyo") == 0
        outputs.append(capfd.readouterr())
    assert outputs[0] == outputs[1] and len(forks) == 2 and no_child_left()
    # The child's stamp is the one used: the index found current, the library not loaded.
    with monkeypatch.context() as patched:

        def not_loaded(self: Workspace) -> None:
            raise AssertionError("the library was loaded")

        parent = os.getpid()
        stamps = search_stamp._stamps

        def in_the_child(settings: object) -> object:
            assert os.getpid() != parent, "the stamps were taken in the command's process"
            return stamps(settings)  # type: ignore[arg-type]

        patched.setattr(Workspace, "library", not_loaded)
        patched.setattr(search_stamp, "_stamps", in_the_child)
        assert run(library, tmp_path, "geneva") == 0
    assert len(forks) == 3
    # An edit made before the command is seen (echo b >> geneva.txt).
    with (library / "asia.txt").open("a", encoding="utf-8") as edited:
        edited.write("Geneva too.\n")
    capfd.readouterr()
    assert run(library, tmp_path, "geneva") == 0
    assert len(capfd.readouterr().out.splitlines()) == 2 and no_child_left()


def test_a_failed_child_is_taken_over_and_writes_nothing(
    library: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run(library, tmp_path, "geneva")
    capfd.readouterr()
    run(library, tmp_path, "geneva")
    expected = capfd.readouterr().out
    parent = os.getpid()
    stamps = search_stamp._stamps

    def failing(settings: object) -> object:
        if os.getpid() != parent:
            print("from the child")  # to the child's stdout: /dev/null
            os.write(1, b"from the child\n")
            os.write(2, b"from the child\n")
            raise RuntimeError("the child failed")
        return stamps(settings)  # type: ignore[arg-type]

    forks = counting_forks(monkeypatch)
    monkeypatch.setattr(search_stamp, "_stamps", failing)
    assert run(library, tmp_path, "geneva") == 0
    out, err = capfd.readouterr()
    assert out == expected and "child" not in err and len(forks) == 1 and no_child_left()


def test_a_bad_query_ends_the_child(
    library: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forks = counting_forks(monkeypatch)
    assert run(library, tmp_path, "(geneva") == 2
    assert "bad query" in capfd.readouterr().err
    assert len(forks) == 1 and no_child_left()
    assert run(library, tmp_path, "geneva") == 0 and run(library, tmp_path, "tokyo") == 0
    assert run(library, tmp_path, "nowhere") == 1 and no_child_left()
