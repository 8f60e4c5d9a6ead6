"""The core never imports Textual (harlequin's import-hygiene test, adapted)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "reader.text",
    "reader.library",
    "reader.settings",
    "reader.entities",
    "reader.entities.finder",
    "reader.entities.cache",
    "reader.entities.recognizer",
    "reader.entities.worker",
    "reader.entities.worker_child",
    "reader.entities.consistency",
    "reader.entities.corrections",
    "reader.store",
    "reader.anchoring",
    "reader.annotations",
    "reader.cli_annotations",
    "reader.export.exporting",
    "reader.export.importing",
    "reader.cli_export",
    "reader.library_index",
    "reader.indexer",
    "reader.cli_index",
    "reader.cli",
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_load_textual(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"{module} imported {result.stdout.strip()}"


def test_finding_cached_entities_does_not_import_spacy() -> None:
    # The first frame must not wait for spaCy: the cache path never imports it.
    code = (
        "import sys\n"
        "from reader.entities.finder import EntityFinder\n"
        "from reader.entities.recognizer import Recognizer\n"
        "EntityFinder(Recognizer()).pipeline\n"
        "print('spacy' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
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
