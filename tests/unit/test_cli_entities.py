"""`reader index` speaks of one article in the singular."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.library import catalogue


def test_one_article_is_one_article(
    tmp_path: Path,
    seed_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    cache = str(tmp_path / "cache")
    assert main(["index", str(seed_path), "--cache-dir", cache]) == 0
    assert "cached the entities of 1 article in" in capsys.readouterr().err
    assert main(["index", str(seed_path), "--cache-dir", cache]) == 0
    assert "nothing to do: the entities of the 1 article are cached" in capsys.readouterr().err


def library_with_an_export_inside(root: Path) -> tuple[Path, Path]:
    """A library folder that holds the database, and so the exports folder, inside it."""
    (root / "annotations" / "exports").mkdir(parents=True)
    (root / "story.txt").write_text("Angela Merkel visited Paris.\n", encoding="utf-8")
    export = root / "annotations" / "exports" / "2026-01-01-export.md"
    export.write_text("# Exported notes\n\nOlaf Scholz said nothing.\n", encoding="utf-8")
    return root, root / "annotations" / "annotations.json"


def test_reader_entities_leaves_the_exports_folder_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, db = library_with_an_export_inside(tmp_path / "library")
    cache = str(tmp_path / "cache")
    assert main(["entities", str(folder), "--db", str(db), "--cache-dir", cache]) == 0
    paths = [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()]
    assert [Path(path).name for path in paths] == ["story.txt"]


def test_reader_index_leaves_the_exports_folder_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    folder, db = library_with_an_export_inside(tmp_path / "library")
    cache = str(tmp_path / "cache")
    assert main(["index", str(folder), "--db", str(db), "--cache-dir", cache]) == 0
    assert "cached the entities of 1 article in" in capsys.readouterr().err
