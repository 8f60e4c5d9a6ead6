"""An article whose front-matter title was edited (its text, so its hash, unchanged) is
named by its new title in `reader annotations` and every export format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import run_cli

from reader.library import Article, read_article
from reader.store import AnnotationStore, ArticleRef

BODY = "The Chancellor said on Monday that the budget would pass.\n"


def write(path: Path, title: str) -> Article:
    path.write_text(f"---\ntitle: {title}\n---\n\n{BODY}", encoding="utf-8")
    article = read_article(path)
    assert isinstance(article, Article) and article.title == title
    return article


@pytest.fixture
def retitled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An article annotated under "Old title", then retitled "New title" on disk."""
    monkeypatch.delenv("READER_DB", raising=False)
    db = tmp_path / "data" / "annotations.json"
    db.parent.mkdir()
    path = tmp_path / "article.md"
    old = write(path, "Old title")
    with AnnotationStore(db) as store:
        ref = ArticleRef(str(path.resolve()), old.sha256, old.title)
        store.add_note(ref, "a note")
        store.set_read(ref, True)
    new = write(path, "New title")
    assert new.sha256 == old.sha256
    return path, db


def test_annotations_names_the_article_by_its_title_now(
    retitled: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, db = retitled
    result = run_cli(["annotations", path, "--db", db], capsys)
    assert result.code == 0, result.err
    assert "New title" in result.out and "Old title" not in result.out
    with AnnotationStore(db, read_only=True) as store:
        assert [a["title"] for a in store.articles()] == ["New title"]
        assert [r.title for r in store.reading()] == ["New title"]


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_exports_name_the_article_by_its_title_now(
    retitled: tuple[Path, Path], capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    _path, db = retitled
    result = run_cli(["export", "--format", fmt, "-o", "-", "--db", db], capsys)
    assert result.code == 0, result.err
    assert "New title" in result.out and "Old title" not in result.out
    if fmt == "json":
        (article,) = json.loads(result.out)["articles"]
        assert article["title"] == "New title"
    elif fmt == "csv":
        (row,) = csv.DictReader(io.StringIO(result.out))
        assert row["article_title"] == "New title"


def test_an_article_no_longer_found_keeps_its_stored_title(
    retitled: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, db = retitled
    path.unlink()
    result = run_cli(["export", "--format", "json", "-o", "-", "--db", db], capsys)
    assert result.code == 0, result.err
    (article,) = json.loads(result.out)["articles"]
    assert article["title"] == "Old title"


def test_retitle_writes_only_a_changed_title(tmp_path: Path) -> None:
    db = tmp_path / "annotations.json"
    path = tmp_path / "article.md"
    old = write(path, "Old title")
    ref = ArticleRef(str(path), old.sha256, old.title)
    with AnnotationStore(db) as store:
        store.add_tags(ref, ["kept"])
        assert not store.retitle(ref)
        assert store.retitle(ArticleRef(str(path), old.sha256, "New title"))
        assert store.undo() is None  # the history went with the old title
    with AnnotationStore(db, read_only=True) as store:
        (article,) = store.articles()
        assert (article["title"], article["tags"]) == ("New title", ["kept"])
