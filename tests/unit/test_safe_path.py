"""reader.console.safe_path: paths in text outputs, as they are when ordinary, else
escaped unambiguously (never a raw control, never two paths shown alike)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from reader.console import safe_path
from reader.library import Article, read_article
from reader.store import AnnotationStore, ArticleRef


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/a/b c/café  x.txt", "/a/b c/café  x.txt"),  # ordinary: as it is
        ("/x/bad\nname\x1b[31mRED.txt", "/x/bad\\nname\\x1b[31mRED.txt"),
        ("/x/a\\nb", "/x/a\\\\nb"),  # a real backslash: never read as an escape
        ("/x/\u202eevil\ttab", "/x/\\u202eevil\\ttab"),
        ("/x/not-utf8-\udcff", "/x/not-utf8-\\udcff"),
        ("/x/del\x7f\x9b", "/x/del\\x7f\\x9b"),
    ],
)
def test_safe_path(path: str, shown: str) -> None:
    assert safe_path(path) == shown
    assert safe_path(Path(path)) == shown
    assert shown.isprintable()


def test_reader_annotations_prints_such_a_path_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("READER_DB", raising=False)
    path = tmp_path / "bad\nname\x1b[31mRED.txt"
    path.write_text("A title\n\nSome text.\n", encoding="utf-8")
    article = read_article(path)
    assert isinstance(article, Article)
    db = tmp_path / "db.json"
    with AnnotationStore(db) as store:
        store.add_tags(ArticleRef(str(path), article.sha256, article.title), ["x"])
    result = run_cli(["annotations", "--db", db], capsys)
    assert result.code == 0, result.err
    assert f"  path: {tmp_path}/bad\\nname\\x1b[31mRED.txt" in result.out.splitlines()
    assert "\x1b" not in result.out
