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


def test_reader_index_on_a_folder_without_articles_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It said "nothing to do: the entities of all 0 articles are cached", exit 0.
    empty = tmp_path / "emptydir"
    empty.mkdir()
    code = main(["index", str(empty), "--cache-dir", str(tmp_path / "cache")])
    assert code == 1
    assert capsys.readouterr().err == f"reader: no articles in {empty}\n"


def test_the_progress_bar_shows_no_rate_until_it_means_something() -> None:
    # It showed "2453.1 articles/s" after the first chunk, a few milliseconds in.
    from types import SimpleNamespace

    from reader.cli.entities import shown_rate

    def task(speed: float | None, elapsed: float, finished: bool = False) -> object:
        return SimpleNamespace(speed=speed, finished_speed=None, elapsed=elapsed, finished=finished)

    assert shown_rate(task(2453.1, 0.05)).strip() == "? articles/s"  # type: ignore[arg-type]
    assert shown_rate(task(None, 10.0)).strip() == "? articles/s"  # type: ignore[arg-type]
    assert shown_rate(task(17.25, 2.5)).strip() == "17.2 articles/s"  # type: ignore[arg-type]
    assert shown_rate(task(30.0, 0.5, finished=True)).strip() == "30.0 articles/s"  # type: ignore[arg-type]
