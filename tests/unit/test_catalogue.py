"""The library catalogue: a warm load reads no article, and any change to a file is noticed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reader.library import Article, Library, Problem
from reader.library import catalogue as catalogue_module
from reader.library.catalogue import CATALOGUE_FILE, Catalogue


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by a test are seconds old at most: index them all the same."""
    monkeypatch.setattr(catalogue_module, "RACY_SECONDS", 0.0)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def make_library(folder: Path) -> Path:
    write(folder / "a.txt", "Alpha title\n\nAngela Merkel visited Paris on Monday.\n")
    write(folder / "b.md", "# Beta *title*\n\nSome words here, and more words.\n")
    write(folder / "sub" / "c.txt", "Gamma\n\nThe third article.\n")
    write(folder / "empty.txt", b"")
    write(folder / "binary.txt", b"\x00\x01\x02 binary")
    return folder


def load(folder: Path, cache: Path) -> tuple[Library, Catalogue]:
    catalogue = Catalogue.in_cache_dir(cache)
    return Library.load([folder], catalogue), catalogue


def summary(library: Library) -> list[tuple[str, str, str, int, tuple[str, ...]]]:
    return [(a.path.name, a.title, a.sha256, a.word_count, a.notices) for a in library.articles]


def test_a_warm_load_reads_no_article_and_gives_the_same_library(tmp_path: Path) -> None:
    folder = make_library(tmp_path / "lib")
    plain = Library.load([folder])
    first, catalogue = load(folder, tmp_path / "cache")
    assert (catalogue.hits, catalogue.misses) == (0, 5)
    assert (tmp_path / "cache" / CATALOGUE_FILE).is_file()
    warm, catalogue = load(folder, tmp_path / "cache")
    assert (catalogue.hits, catalogue.misses) == (5, 0)
    assert summary(warm) == summary(first) == summary(plain)
    assert [str(p) for p in warm.problems] == [str(p) for p in plain.problems]
    assert not any(article.loaded for article in warm.articles)
    # The text is read when asked for, and is the text a plain load gives.
    assert [a.text for a in warm.articles] == [a.text for a in plain.articles]
    assert all(article.loaded for article in warm.articles)
    assert warm.articles == plain.articles


def test_any_change_to_a_file_makes_it_read_again(tmp_path: Path) -> None:
    folder = make_library(tmp_path / "lib")
    load(folder, tmp_path / "cache")
    a = folder / "a.txt"
    # Same size, mtime put back: the inode's ctime still changes.
    stat = a.stat()
    write(a, a.read_text(encoding="utf-8").replace("Paris", "Berne"))
    os.utime(a, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert a.stat().st_size == stat.st_size
    write(folder / "b.md", "# Beta, longer now\n\nMore words than before, many more.\n")
    library, catalogue = load(folder, tmp_path / "cache")
    assert catalogue.misses == 2
    by_name = {article.path.name: article for article in library.articles}
    assert "Berne" in by_name["a.txt"].text
    assert by_name["b.md"].title == "Beta, longer now"
    _, catalogue = load(folder, tmp_path / "cache")
    assert catalogue.misses == 0


def test_a_file_changed_after_the_load_shows_what_is_read(tmp_path: Path) -> None:
    folder = make_library(tmp_path / "lib")
    load(folder, tmp_path / "cache")
    library, _ = load(folder, tmp_path / "cache")
    article = next(a for a in library.articles if a.path.name == "a.txt")
    old_hash = article.sha256
    write(article.path, "New title\n\nDifferent words entirely.\n")
    assert article.text == "New title\n\nDifferent words entirely.\n"
    assert article.sha256 != old_hash
    assert article.title == "New title"
    assert article.word_count == 5


def test_a_file_gone_after_the_load_is_an_empty_article_saying_why(tmp_path: Path) -> None:
    folder = make_library(tmp_path / "lib")
    load(folder, tmp_path / "cache")
    library, _ = load(folder, tmp_path / "cache")
    article = next(a for a in library.articles if a.path.name == "a.txt")
    article.path.unlink()
    assert article.text == ""
    assert article.word_count == 0
    assert "no longer readable" in article.notices[-1]


def test_files_that_are_not_articles_are_catalogued_as_problems(tmp_path: Path) -> None:
    folder = make_library(tmp_path / "lib")
    load(folder, tmp_path / "cache")
    library, catalogue = load(folder, tmp_path / "cache")
    assert catalogue.hits == 5
    reasons = {problem.path.name: problem.reason for problem in library.problems}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]


def test_a_fresh_file_is_not_trusted_until_it_is_older(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue_module, "RACY_SECONDS", 3600.0)
    folder = make_library(tmp_path / "lib")
    load(folder, tmp_path / "cache")
    _, catalogue = load(folder, tmp_path / "cache")
    assert catalogue.hits == 0  # all changed within the hour: read every time


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"format": 999, "entries": {}}),
        json.dumps({"format": 1, "reader": "0.0.0-other", "max_bytes": 1, "entries": {}}),
        json.dumps([1, 2, 3]),
    ],
)
def test_a_broken_or_foreign_catalogue_is_rebuilt(tmp_path: Path, content: str) -> None:
    folder = make_library(tmp_path / "lib")
    write(tmp_path / "cache" / CATALOGUE_FILE, content)
    library, catalogue = load(folder, tmp_path / "cache")
    assert catalogue.misses == 5 and len(library.articles) == 3
    _, catalogue = load(folder, tmp_path / "cache")
    assert catalogue.hits == 5


def test_entries_of_the_wrong_shape_are_read_again(tmp_path: Path) -> None:
    folder = make_library(tmp_path / "lib")
    load(folder, tmp_path / "cache")
    path = tmp_path / "cache" / CATALOGUE_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["entries"].values():
        entry[3] = "many"  # words
    path.write_text(json.dumps(data), encoding="utf-8")
    library, catalogue = load(folder, tmp_path / "cache")
    assert catalogue.misses == 5
    assert all(isinstance(a.word_count, int) for a in library.articles)


def test_an_unwritable_cache_dir_only_costs_time(tmp_path: Path) -> None:
    folder = make_library(tmp_path / "lib")
    blocker = write(tmp_path / "cache", "a file where the folder should be")
    library, catalogue = load(folder, blocker)
    assert len(library.articles) == 3 and catalogue.misses == 5
    assert not list(tmp_path.glob(".tmp-*"))


def test_the_catalogue_is_written_once_and_atomically(tmp_path: Path) -> None:
    folder = make_library(tmp_path / "lib")
    load(folder, tmp_path / "cache")
    path = tmp_path / "cache" / CATALOGUE_FILE
    before = path.stat().st_mtime_ns, path.stat().st_ino
    load(folder, tmp_path / "cache")  # nothing new: not rewritten
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
    assert [p.name for p in path.parent.iterdir()] == [CATALOGUE_FILE]


def test_other_libraries_stay_in_the_catalogue(tmp_path: Path) -> None:
    one = make_library(tmp_path / "one")
    two = make_library(tmp_path / "two")
    load(one, tmp_path / "cache")
    load(two, tmp_path / "cache")
    _, catalogue = load(one, tmp_path / "cache")
    assert catalogue.hits == 5
    assert len(catalogue) == 10


def test_articles_compare_by_content_and_cannot_be_changed(tmp_path: Path) -> None:
    folder = make_library(tmp_path / "lib")
    load(folder, tmp_path / "cache")
    warm, _ = load(folder, tmp_path / "cache")
    plain = Library.load([folder])
    assert warm.articles[0] == plain.articles[0]
    assert hash(warm.articles[0]) == hash(plain.articles[0])
    assert warm.articles[0] != warm.articles[1]
    assert "loaded=False" in repr(warm.articles[0])
    with pytest.raises(AttributeError):
        warm.articles[0].title = "changed"  # type: ignore[misc]


def test_article_keeps_its_constructor(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    article = Article(path, "Title", "Title\n\nText.", "ab" * 32, 2)
    assert (article.path, article.title, article.text, article.word_count) == (
        path,
        "Title",
        "Title\n\nText.",
        2,
    )
    assert article.notices == () and article.loaded
    assert isinstance(Library.load([tmp_path / "missing"]).problems[0], Problem)


def test_folders_can_be_left_out_without_resolving_every_article(tmp_path: Path) -> None:
    folder = make_library(tmp_path / "lib")
    write(folder / "exports" / "notes.md", "# An export\n\nNot an article.\n")
    os.symlink(folder / "exports", tmp_path / "exports-link")
    names = {a.path.name for a in Library.load([folder]).articles}
    assert "notes.md" in names
    for excluded in (folder / "exports", tmp_path / "exports-link"):
        library = Library.load([folder], exclude=[excluded])
        assert {a.path.name for a in library.articles} == names - {"notes.md"}
    # A folder whose name merely starts the same is kept.
    write(folder / "exports-old" / "kept.md", "# Kept\n\nStill an article.\n")
    kept = Library.load([folder], exclude=[folder / "exports"])
    assert "kept.md" in {a.path.name for a in kept.articles}
