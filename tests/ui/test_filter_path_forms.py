"""The app open on a library named one way (`/abs/lib`), `reader search` run in another
shell on the same library named the other way (`lib`, from its parent), both with the same
cache dir: the app's filter still finds its articles (each update by the other form used
to leave every query finding nothing until a restart). The command is the real CLI, in a
subprocess of this branch's code."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.library import catalogue
from reader.ui.app import build_app
from reader.ui.widgets.article_list import ArticleList

from .test_filter import idle, library, titles, type_filter

ROOT = Path(__file__).resolve().parents[2]


def reader_search(tmp_path: Path, db: Path, library_path: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    options = ["--db", str(db), "--cache-dir", str(tmp_path / "cache")]
    options += ["--model", "no-such-pipeline"]
    return subprocess.run(
        [sys.executable, "-m", "reader", "search", "minister", library_path, *options],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("app_form", ["absolute", "relative"])
async def test_reader_search_with_the_other_path_form_keeps_the_filter_finding(  # type: ignore[no-untyped-def]
    make_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_form: str
) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    monkeypatch.chdir(tmp_path)
    absolute = library(tmp_path)
    app_path = absolute if app_form == "absolute" else Path("lib")
    other = "lib" if app_form == "absolute" else str(absolute)
    settings = make_settings(app_path, model="no-such-pipeline")
    app = build_app(settings)
    async with app.run_test(size=(140, 44)) as pilot:
        main = await type_filter(pilot, "minister")
        articles = main.query_one(ArticleList)
        wanted = ["Budget talks stall", "Cabinet reshuffle", "Summit in Paris"]
        assert titles(main) == wanted
        done = await asyncio.to_thread(reader_search, tmp_path, settings.db_path, other)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"{other}{os.sep}economy{os.sep}budget.txt\t")
        for query, count in (("minister", 3), ("minister in:economy", 1), ("is:unread", 5)):
            main.query_one(ArticleList).focus()
            # `/` reopens the field with the query kept, selected (Ctrl+U deletes it
            # too) before the next one is typed.
            await pilot.press("slash", "ctrl+u", *query)
            await idle(pilot)
            assert articles.border_title == f"Articles · {count} of 5", query
        main.query_one(ArticleList).focus()
        await pilot.press("slash", "ctrl+u", *"minister")
        await idle(pilot)
        assert titles(main) == wanted
