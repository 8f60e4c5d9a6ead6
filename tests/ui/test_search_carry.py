"""The app's updates of the search index that only index entities keep `reader search`'s
remembered stamp current (SearchIndex.carry): a search while the app's entity pass runs
does not update the index again."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from reader.library import catalogue

from .conftest import ready, settle
from .test_entity_pages import entity_cache, make_app_two_unfound

__all__ = ["entity_cache"]  # the module fixture, found once here too


def _remembered(cache_dir: Path) -> tuple[int, int]:
    """The index's generation, and the generation its remembered stamp is for."""
    with sqlite3.connect(cache_dir / "search.sqlite3") as connection:
        rows = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    return int(rows["generation"]), int(json.loads(rows["stamp"])["generation"])


async def test_the_app_s_updates_keep_the_remembered_stamp(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.cli import main

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    app = make_app_two_unfound(tmp_path, entity_cache)
    settings = app.workspace.settings
    common = ["--cache-dir", str(settings.cache_dir), "--db", str(settings.db_path)]
    paths = [str(path) for path in settings.article_paths]
    for _ in range(2):  # the first creates what the second finds unchanged
        assert main(["search", "court", *paths, *common]) in (0, 1)
    before, remembered = _remembered(settings.cache_dir)
    assert remembered == before
    async with app.run_test(size=(140, 44)) as pilot:
        main_screen = await ready(pilot)
        for _ in range(80):
            await settle(pilot)
            if _remembered(settings.cache_dir)[0] >= before + 2:
                break
        for _ in range(40):
            await settle(pilot)
            if not main_screen.library_search.busy:
                break
        # The app's text-only update and its entity pass: carried, nothing else changed.
        generation, remembered = _remembered(settings.cache_dir)
        assert generation >= before + 2 and remembered == generation
