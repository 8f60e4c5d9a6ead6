"""`reader index` speaks of one article in the singular."""

from __future__ import annotations

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
