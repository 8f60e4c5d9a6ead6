"""Pilot test: the app's export (`x`) records where moved files are now before it exports,
as `reader export` does, so that a moved article is not skipped."""

from __future__ import annotations

import json

from reader.library import Article, read_article
from reader.store import AnnotationStore, ArticleRef
from reader.ui.app import build_app

from .conftest import ready, settle

SIZE = (140, 40)


async def test_export_records_a_moved_files_path_first(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Shown first\n\nText.\n", encoding="utf-8")
    moved = folder / "b.txt"
    moved.write_text("Moved later\n\nThe moved article.\n", encoding="utf-8")
    settings = make_settings(folder, model="no-such-pipeline")
    article = read_article(moved)
    assert isinstance(article, Article)
    settings.db_path.parent.mkdir(parents=True)
    with AnnotationStore(settings.db_path) as store:
        store.add_tags(ArticleRef(str(moved), article.sha256, article.title), ["kept"])
    (folder / "sub").mkdir()
    renamed = folder / "sub" / "renamed.txt"
    moved.rename(renamed)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert main.article is not None and main.article.title == "Shown first"
        main.action_export("json")
        await settle(pilot)
        assert any("is now at" in str(n.message) for n in app._notifications)
    with AnnotationStore(settings.db_path, read_only=True) as store:
        (stored,) = store.articles()
        assert stored["path"] == str(renamed.resolve())
    (export,) = (settings.db_path.parent / "exports").glob("*.json")
    (listed,) = json.loads(export.read_text(encoding="utf-8"))["articles"]
    assert listed["tags"] == ["kept"]
    assert listed["path"] == str(renamed.resolve())


async def test_export_names_an_article_by_its_edited_title(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "articles"
    folder.mkdir()
    path = folder / "a.md"
    body = "\n\nThe Chancellor said on Monday that the budget would pass.\n"
    path.write_text("---\ntitle: Old title\n---" + body, encoding="utf-8")
    settings = make_settings(folder, model="no-such-pipeline")
    article = read_article(path)
    assert isinstance(article, Article)
    settings.db_path.parent.mkdir(parents=True)
    with AnnotationStore(settings.db_path) as store:
        store.add_note(ArticleRef(str(path.resolve()), article.sha256, article.title), "kept")
    path.write_text("---\ntitle: New title\n---" + body, encoding="utf-8")  # same text
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert main.article is not None and main.article.title == "New title"
        main.action_export("json")
        await settle(pilot)
    (export,) = (settings.db_path.parent / "exports").glob("*.json")
    (listed,) = json.loads(export.read_text(encoding="utf-8"))["articles"]
    assert listed["title"] == "New title"
