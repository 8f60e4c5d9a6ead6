"""The command that starts one of reader's modules in a new interpreter (reader/children.py);
its two users' children are tested with them (test_entity_worker.py, test_search_reading.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.children import ROOT, child_command


def test_the_child_is_isolated_and_imports_as_this_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", ["", "relative", *sys.path])
    command = child_command("reader.entities.worker_child", "a", "b")
    assert command[:2] == [sys.executable, "-I"]
    path = json.loads(command[4])
    # This reader first; the working directory and relative entries made absolute.
    assert path[:3] == [str(ROOT), str(tmp_path), str(tmp_path / "relative")]
    assert all(os.path.isabs(entry) for entry in path)
    assert command[5:] == ["a", "b"]


def test_the_child_runs_the_module_s_main_with_the_arguments(tmp_path: Path) -> None:
    # reader.search.reading's main answers pickled batches on stdin: an empty stdin, none.
    command = child_command("reader.search.reading", "ignored")
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")


@pytest.mark.parametrize("module", ["os", "reader.x; import os", "reader..x", "reader"])
def test_only_reader_s_modules_by_name(module: str) -> None:
    with pytest.raises(ValueError, match="not a module of reader"):
        child_command(module)


def test_no_interpreter_is_an_os_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "")
    with pytest.raises(OSError, match="no Python interpreter"):
        child_command("reader.search.reading")
