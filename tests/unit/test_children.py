"""The command that starts one of reader's modules in a new interpreter (reader/children.py);
its two users' children are tested with them (test_entity_worker.py, test_search_reading.py)."""

from __future__ import annotations

import importlib
import json
import os
import shutil
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
    # The working directory and relative entries made absolute, in their place; this
    # reader found on that path as it is (nothing put before the standard library).
    assert path[:2] == [str(tmp_path), str(tmp_path / "relative")]
    assert all(os.path.isabs(entry) for entry in path)
    assert str(ROOT) in path
    assert command[5:] == ["a", "b"]
    # Another copy of reader in the working directory, which comes first: this one first.
    (tmp_path / "reader").mkdir()
    (tmp_path / "reader" / "__init__.py").write_text("raise ImportError('a copy')")
    importlib.invalidate_caches()  # the folder's listing, as the import system keeps it
    path = json.loads(child_command("reader.entities.worker_child")[4])
    assert path[:3] == [str(ROOT), str(tmp_path), str(tmp_path / "relative")]


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


def test_a_reader_installed_after_the_standard_library_keeps_it_first(tmp_path: Path) -> None:
    # A wheel's reader is in site-packages, after the standard library on the path; the
    # same folder may hold a module named as one of the library's (an old backport): the
    # parent imports the library's, and so must the child (this reader is found anyway).
    site = tmp_path / "site-packages"
    shutil.copytree(ROOT / "reader", site / "reader", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "pickle.py").write_text("raise ImportError('a shadow of the standard pickle')")
    code = (
        "import subprocess, sys\n"
        "first = next(i for i, p in enumerate(sys.path) if p.endswith('site-packages'))\n"
        "sys.path.insert(first, sys.argv[1])\n"
        "import pickle, reader.children\n"
        "assert reader.children.__file__.startswith(sys.argv[1]), reader.children.__file__\n"
        "command = reader.children.child_command('reader.search.reading')\n"
        "done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True)\n"
        "sys.stderr.buffer.write(done.stderr[-2000:])\n"
        "sys.exit(done.returncode)\n"
    )
    # Isolated too: neither the working directory nor PYTHONPATH give another reader.
    done = subprocess.run(
        [sys.executable, "-I", "-c", code, str(site)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
