"""The core never imports Textual, and finding cached entities never imports spaCy.

Every module of the package is found with ``pkgutil`` (as lemon24/reader's
``test_lazy_imports.py`` does), so a new module is checked without being listed here. The
static side of the same rules is in pyproject.toml's import-linter contracts.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import reader

#: Modules allowed to load Textual: the UI, and the command line that starts it.
UI = ("reader.ui", "reader.cli", "reader.__main__")


def core_modules() -> list[str]:
    """Every module of the reader package outside the UI, found by walking it."""
    names = [
        module.name
        for module in pkgutil.walk_packages(reader.__path__, prefix="reader.")
        if not module.name.startswith(UI)
    ]
    return ["reader", *sorted(names)]


def test_the_walk_finds_the_core() -> None:
    modules = core_modules()
    # A walk that found nothing would make the next test pass for nothing.
    assert {"reader.workspace", "reader.library.catalogue", "reader.store.storage"} <= set(modules)
    assert not any(name.startswith("reader.ui") for name in modules)


def test_no_core_module_loads_textual() -> None:
    # One interpreter imports each module in turn and names the first that brings Textual.
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "    if 'textual' in sys.modules:\n"
        "        print(name)\n"
        "        break\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "", f"{result.stdout.strip()} loaded textual"


def test_the_ui_does_load_textual() -> None:
    # The same check on a module that must load it: the probe itself can fail.
    code = "import sys, reader.ui.app\nprint('textual' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "True"


def test_finding_cached_entities_does_not_import_spacy(tmp_path: Path) -> None:
    # The first frame must not wait for spaCy: the workspace's finder names its model
    # (the cache key) from package metadata, without importing it.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from reader.settings import Settings\n"
        "from reader.workspace import Workspace\n"
        f"workspace = Workspace(Settings(cache_dir=Path({str(tmp_path)!r})))\n"
        "workspace.finder.pipeline\n"
        "print('spacy' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "False"


def test_python_m_reader_runs_nothing_when_a_spawned_worker_imports_it() -> None:
    # A spawned process imports the parent's main module as "__mp_main__" before it
    # starts: `python -m reader` must not start a second reader in the entity worker.
    code = "import runpy; runpy.run_module('reader', run_name='__mp_main__'); print('idle')"
    result = subprocess.run(
        [sys.executable, "-c", code, "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == "idle", result.stdout
