"""One rule for what a tag is (reader.store.model.tag_problem), enforced by the store and so
by every way in: the command line, the app's dialogs (tests/ui/test_theme_and_help.py) and
imports; tags stored before the rule stay readable, removable and renamable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader import cli
from reader.store import AnnotationStore, ArticleRef
from reader.store.model import MAX_TAG_LENGTH, clean_tag, tag_problem

ARTICLE = ArticleRef("/news/a.txt", "a" * 64, "A")


@pytest.mark.parametrize(
    ("tag", "problem"),
    [
        ("a,b", "cannot contain a comma"),
        (",", "cannot contain a comma"),
        ("", "cannot be empty"),
        ("  \t ", "cannot be empty"),
        ("\x1b[31m\x1b[0m", "cannot be empty"),
        ("x" * (MAX_TAG_LENGTH + 1), f"at most {MAX_TAG_LENGTH} characters"),
    ],
)
def test_what_is_not_a_tag(tag: str, problem: str) -> None:
    assert problem in (tag_problem(tag) or "")
    with pytest.raises(ValueError, match=problem):
        clean_tag(tag)


@pytest.mark.parametrize(
    ("tag", "stored"),
    [
        ("  Foreign Office  ", "Foreign Office"),
        ("x" * MAX_TAG_LENGTH, "x" * MAX_TAG_LENGTH),
        ("new\tyork", "new york"),  # one line
        ("caf\u0065\u0301", "caf\u00e9"),  # NFC
        ("\x1b]52;c;ZXZpbA==\x07red", "red"),  # control sequences removed, never shown
        ("[b]x[/b]", "[b]x[/b]"),  # markup is text
    ],
)
def test_what_a_tag_is_once_cleaned(tag: str, stored: str) -> None:
    assert tag_problem(tag) is None
    assert clean_tag(tag) == stored


def test_the_store_refuses_a_tag_with_a_comma_and_changes_nothing(tmp_path: Path) -> None:
    with AnnotationStore(tmp_path / "db.json") as store:
        with pytest.raises(ValueError, match="comma"):
            store.add_tags(ARTICLE, ["fine", "a,b"])
        assert store.tags(ARTICLE.sha256) == []
        store.add_tags(ARTICLE, ["fine"])
        with pytest.raises(ValueError, match="comma"):
            store.rename_tag("fine", "x,y")
        assert store.tags(ARTICLE.sha256) == ["fine"]


def legacy_database(path: Path) -> None:
    """A database written before the rule, holding the tag 'a,b'."""
    with AnnotationStore(path) as store:
        store.add_tags(ARTICLE, ["TAGX", "kept"])
    path.write_text(path.read_text(encoding="utf-8").replace("TAGX", "a,b"), encoding="utf-8")


def test_a_tag_stored_before_the_rule_is_kept_and_can_be_removed(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    legacy_database(db)
    with AnnotationStore(db) as store:
        assert store.tags(ARTICLE.sha256) == ["a,b", "kept"]  # opened as it is
        assert store.remove_tags(ARTICLE, ["A,B"]) == ["a,b"]
        assert store.tags(ARTICLE.sha256) == ["kept"]


def test_a_tag_stored_before_the_rule_can_be_renamed_to_a_tag(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    legacy_database(db)
    with AnnotationStore(db) as store:
        assert store.rename_tag("a,b", "a-b") == 1
        assert store.tags(ARTICLE.sha256) == ["a-b", "kept"]


@pytest.mark.parametrize("fmt", ["json", "w3c"])
def test_an_import_file_with_a_comma_in_a_tag_is_refused_naming_the_place(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "config.toml"))
    article = tmp_path / "a.txt"
    article.write_text("A title\n\nSome text.\n", encoding="utf-8")
    db, other = tmp_path / "db.json", tmp_path / "other.json"
    assert cli.main(["tag", str(article), "TAGX", "--db", str(db)]) == 0
    export = tmp_path / f"export.{fmt}"
    args = ["export", "--format", fmt, "-o", str(export), "--db", str(db)]
    assert cli.main(args) == 0
    export.write_text(export.read_text(encoding="utf-8").replace("TAGX", "a,b"), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["import", str(export), "--db", str(other)]) == 1  # a bad file: 1
    err = capsys.readouterr().err
    assert "a tag cannot contain a comma" in err
    assert "tags[0]" in err or "body" in err or "value" in err  # where in the file
    assert not other.exists() or "a,b" not in other.read_text(encoding="utf-8")
    json.loads(export.read_text(encoding="utf-8"))  # the file itself is untouched JSON
