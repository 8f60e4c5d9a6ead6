"""An entity page opens its articles whatever path form indexed them: the library named
through a symlink, indexed by a relative path in one folder (`reader index news`), the app
open elsewhere on the absolute path. The page then names the files by their index key (the
folder's symlinks resolved), and the app must find its article by that key.

Real parts: the real spaCy pipeline's entities (cached once), the real entity index, the
real app.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reader.library import catalogue
from reader.settings import Settings
from reader.ui.app import build_app
from reader.ui.widgets.article_view import ArticleView
from reader.workspace import Workspace

from .conftest import ready, settle
from .test_entity_pages import entity_cache, mark, page_screen, write_library  # noqa: F401


async def test_a_snippet_opens_its_article_when_another_path_form_indexed_it(
    tmp_path: Path,
    entity_cache: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    write_library(tmp_path / "library")
    (tmp_path / "news").symlink_to(tmp_path / "library", target_is_directory=True)
    shutil.copytree(entity_cache, tmp_path / "cache")
    common = {"db_path": tmp_path / "db.json", "cache_dir": tmp_path / "cache"}
    monkeypatch.chdir(tmp_path)
    here = Workspace(Settings(article_paths=[Path("news")], **common), model_in_process=True)
    here.entity_index().update(here)  # `reader index news` run here
    here.close()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    app = build_app(Settings(article_paths=[tmp_path / "news"], **common))
    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        await mark(pilot, "Sergey Lavrov")
        await pilot.press("p")
        await settle(pilot)
        page_screen(pilot)
        await pilot.press(*["j"] * 8, "enter")  # the third mention in Vienna (as in
        await settle(pilot)  # test_entity_pages' snippet test)
        assert pilot.app.screen is main
        assert main.article is not None and main.article.path.name == "c-vienna.txt"
        span = main.query_one(ArticleView).current_span
        assert span is not None and span.text == "Lavrov"
