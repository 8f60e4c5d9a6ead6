"""Reading article files: titles, counts, hashes, and every kind of bad input."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from reader.library import Library, Problem, read_article
from reader.text import sanitize


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_seed_article(seed_path: Path) -> None:
    article = read_article(seed_path)
    assert not isinstance(article, Problem)
    assert article.title.startswith("Russia Will Give Pakistan Military Equipment")
    raw = seed_path.read_text(encoding="utf-8")
    assert article.text == sanitize(raw)
    assert article.sha256 == hashlib.sha256(article.text.encode()).hexdigest()
    assert 400 < article.word_count < 500
    assert article.reading_minutes == 2
    assert article.notices == ()


def test_a_known_count_is_taken_only_for_the_same_text(tmp_path: Path) -> None:
    # The search index passes the library's hash and count: counting the words again is a
    # third of reading a file. A count known for other text is never taken.
    path = write(tmp_path / "a.txt", "Three words here\n")
    first = read_article(path)
    assert not isinstance(first, Problem) and first.word_count == 3
    same = read_article(path, known=(first.sha256, 99))
    assert not isinstance(same, Problem) and same.word_count == 99
    other = read_article(path, known=("0" * 64, 99))
    assert not isinstance(other, Problem) and other.word_count == 3


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "\n\n# The *real* title #\n\nBody text here.\n")
    article = read_article(path)
    assert not isinstance(article, Problem)
    assert article.title == "The real title"  # rendered: no emphasis markers


def test_first_nonempty_line_is_the_title(tmp_path: Path) -> None:
    article = read_article(write(tmp_path / "a.txt", "\n   \nFirst line\nSecond\n"))
    assert not isinstance(article, Problem) and article.title == "First line"


def test_cp1252_fallback_is_announced(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Caf\xe9 \u2014 na\xefve \u201cquotes\u201d".encode("cp1252"))
    article = read_article(path)
    assert not isinstance(article, Problem)
    assert article.text == "Café — naïve “quotes”"
    assert "cp1252" in article.notices[0]


def test_undecodable_bytes_become_replacement_characters(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252 and invalid as UTF-8.
    article = read_article(write(tmp_path / "a.txt", b"Hello \x81\x8d world"))
    assert not isinstance(article, Problem)
    assert "\ufffd" in article.text
    assert "replac" in article.notices[0] or "\ufffd" in article.notices[0]


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    article = read_article(write(tmp_path / "a.txt", b"\xef\xbb\xbfTitle\n"))
    assert not isinstance(article, Problem) and article.text == "Title\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x1b]8;;https://example.com/a/long/address/here\x1b\\\x1b]8;;\x1b\\\n", "no readable"),
    ],
)
def test_bad_files_are_problems_not_crashes(tmp_path: Path, data: bytes, reason: str) -> None:
    result = read_article(write(tmp_path / "bad.txt", data))
    assert isinstance(result, Problem)
    assert reason in result.reason


def test_huge_file_is_truncated_with_a_notice(tmp_path: Path) -> None:
    # A multi-byte character straddles the cap: it must not be cut in half.
    data = ("x" * 99 + "é").encode() * 30
    article = read_article(write(tmp_path / "big.txt", data), max_bytes=1000)
    assert not isinstance(article, Problem)
    assert len(article.text.encode()) <= 1000
    assert "\ufffd" not in article.text
    assert any("truncated" in n for n in article.notices)


def test_unreadable_paths_are_listed(tmp_path: Path) -> None:
    write(tmp_path / "ok.txt", "Fine\n")
    os.symlink(tmp_path / "missing.txt", tmp_path / "dangling.txt")
    library = Library.load([tmp_path, tmp_path / "nope"])
    assert [a.title for a in library.articles] == ["Fine"]
    reasons = {p.path.name: p.reason for p in library.problems}
    assert "cannot be read" in reasons["dangling.txt"]
    assert "no such file" in reasons["nope"]


def test_scan_is_recursive_sorted_and_filters_suffixes(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B\n")
    write(tmp_path / "a.md", "A\n")
    write(tmp_path / "sub" / "c.txt", "C\n")
    write(tmp_path / "image.png", b"\x89PNG")
    write(tmp_path / ".hidden" / "d.txt", "D\n")
    library = Library.load([tmp_path, tmp_path / "b.txt"])
    found = [a.path.relative_to(tmp_path).as_posix() for a in library.articles]
    assert found == ["a.md", "b.txt", "sub/c.txt"]
    assert library.problems == []


def test_a_file_named_explicitly_is_read_whatever_its_suffix(tmp_path: Path) -> None:
    path = write(tmp_path / "article.text", "Title\nBody\n")
    assert [a.title for a in Library.load([path]).articles] == ["Title"]


def test_a_file_name_that_is_not_utf8_is_skipped_and_said(tmp_path: Path) -> None:
    # Its name decodes to lone surrogates, which no catalogue, index or store can hold:
    # every command crashed on it (UnicodeEncodeError) before.
    (tmp_path / "good.txt").write_text("Good\n\nText.\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"), "wb") as bad:
        bad.write(b"Bad\n\nText.\n")
    from reader.settings import Settings
    from reader.workspace import Workspace

    settings = Settings(
        article_paths=[tmp_path], db_path=tmp_path / "db.json", cache_dir=tmp_path / "cache"
    )
    library = Workspace(settings).library()  # catalogued: the catalogue is written
    assert [a.title for a in library.articles] == ["Good"]
    [problem] = library.problems
    assert "not valid UTF-8" in problem.reason and problem.path.name.startswith("caf")


@pytest.mark.parametrize(
    ("path", "roots", "folder"),
    [
        ("/lib/world/europe/a.txt", ["/lib"], "world/europe"),
        ("/lib/a.txt", ["/lib"], ""),
        ("/lib/a.txt", ["/lib/a.txt"], ""),  # an article named on its own
        ("/lib/news/x/a.txt", ["/lib/news", "/lib"], "x"),  # the nearest root wins
        ("/library/a.txt", ["/lib"], ""),  # not under /lib, though it starts with it
        ("/a/b.txt", ["/"], "a"),
    ],
)
def test_library_folder(path: str, roots: list[str], folder: str) -> None:
    from reader.library.folders import library_folder, library_roots

    assert library_folder(path, library_roots([Path(root) for root in roots])) == folder
