"""The fast title reader (reader/library/quick.py) and the listed articles it makes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import reader.library.catalogue
from reader.library import Article, Library, Problem, read_article
from reader.library.catalogue import Catalogue
from reader.library.quick import FIRST_BYTES, HEAD_BYTES, head_title, list_file, settled_title


def listed(tmp_path: Path, name: str, data: bytes) -> Article | Problem | None:
    path = tmp_path / name
    path.write_bytes(data)
    return list_file(path)


def title(tmp_path: Path, name: str, data: bytes) -> str:
    result = listed(tmp_path, name, data)
    assert isinstance(result, Article), result
    return result.title


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "a.md",
            b'---\ntitle: "Front \\"quoted\\" title"\nauthor: "A"\n---\n\n# H\n',
            'Front "quoted" title',
        ),
        ("a.md", b"---\ntitle: Plain scalar # a comment\n---\nbody\n", "Plain scalar"),
        ("a.md", b"---\ntitle: 'It''s single'\n---\nbody\n", "It's single"),
        ("a.md", b"---\nauthor: A\n---\n\n## The heading ##\n\ntext\n", "The heading"),
        ("a.md", b"An intro line\n\n# Later heading\n", "Later heading"),
        ("a.md", b"Just a line\n\nmore\n", "Just a line"),
        ("a.txt", b"\xef\xbb\xbfWith a BOM\n\ntext\n", "With a BOM"),
        ("a.txt", b"\r\n\r\nCRLF title\r\nsecond line\r\n", "CRLF title"),
        ("a.txt", b"# A heading in text\n\nbody\n", "A heading in text"),
        ("a.txt", "Caf\u00e9 in cp1252\n".encode("cp1252"), "Caf\u00e9 in cp1252"),
        ("a.txt", b"Evil \x1b[31mred\x1b[0m title\n", "Evil red title"),
        ("a.md", b"---\ntitle: [not, a, string]\n---\n\n# Heading\n", "Heading"),
        # The title field not first, spaced, in capitals; the block closed by "..." and
        # blanks; an empty block; CRLF lines (what the patterns find, not only the usual).
        ("a.md", b"---\nauthor: A\nTitle :  Spaced out \t\n...  \nbody\n", "Spaced out"),
        ("a.md", b"---\nsubtitle: no\ntitle: The second\n---\nbody\n", "The second"),
        ("a.md", b"---\n---\n# After an empty block\n", "After an empty block"),
        ("a.md", b'---\r\ntitle: "In CRLF"\r\n---\r\n\r\nbody\r\n', "In CRLF"),
    ],
)
def test_the_title_is_the_one_a_full_read_finds(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    assert title(tmp_path, name, data) == expected
    full = read_article(tmp_path / name)
    assert isinstance(full, Article) and full.title == expected


def test_a_long_first_line_cut_inside_a_character_is_still_read(tmp_path: Path) -> None:
    line = "é" * HEAD_BYTES  # two bytes each: the head ends inside the text, on a boundary
    assert title(tmp_path, "a.txt", ("x" + line).encode()).startswith("xéé")


def test_no_title_falls_back_to_the_file_name(tmp_path: Path) -> None:
    assert head_title("---\nauthor: A\n---\n", markdown=True) is None
    assert title(tmp_path, "only-front.md", b"---\nauthor: A\n---\n") == "only-front"


def test_empty_binary_and_pages(tmp_path: Path) -> None:
    empty = listed(tmp_path, "e.txt", b" \n\n")
    assert isinstance(empty, Problem) and empty.reason == "empty file, skipped"
    binary = listed(tmp_path, "b.txt", b"title\n\x00\x01\x02")
    assert isinstance(binary, Problem) and binary.reason == "binary file, skipped"
    assert listed(tmp_path, "p.html", b"<title>A page</title>") is None  # read in full
    assert isinstance(list_file(tmp_path / "missing.txt"), Problem)


def test_a_listed_article_reads_its_file_before_giving_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text('---\ntitle: "T"\n---\n\n**Bold** words here.\n', encoding="utf-8")
    article = list_file(path)
    assert isinstance(article, Article) and not article.known and not article.loaded
    full = read_article(path)
    assert isinstance(full, Article)
    assert article.sha256 == full.sha256  # asked first: read, never a stand-in
    assert article.known and article.loaded and article.word_count == full.word_count


def test_learn_fills_in_place_without_keeping_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader.library.catalogue, "RACY_SECONDS", 0.0)  # trust fresh files
    for i in range(5):
        (tmp_path / f"{i}.md").write_text(f"# Title {i}\n\n*Some* text {i}.\n", encoding="utf-8")
    (tmp_path / "5.md").write_text("---\ntitle: No text\n---\n", encoding="utf-8")
    catalogue = Catalogue(tmp_path / "cache" / "catalogue.json")
    library = Library.load([tmp_path], catalogue, quick=True)
    assert len(library.pending) == 6 and [a.title for a in library.articles][-1] == "No text"
    first = library.articles[0]
    assert library.learn(catalogue, limit=2) == library.articles[:2]
    assert len(library.pending) == 4 and not (tmp_path / "cache").exists()  # saved at the end
    cancelled = threading.Event()
    cancelled.set()
    assert library.learn(catalogue, cancelled) == []
    library.learn(catalogue)
    assert library.pending == [] and len(library.articles) == 5 and library.articles[0] is first
    assert [p.reason for p in library.problems] == ["no readable text, skipped"]
    for article in library.articles:
        full = read_article(article.path)
        assert isinstance(full, Article)
        assert article.known and not article.loaded
        assert (article.sha256, article.word_count) == (full.sha256, full.word_count)
    # The catalogue was saved: the next start lists nothing provisionally.
    again = Library.load([tmp_path], Catalogue(catalogue.path), quick=True)
    assert again.pending == [] and len(again.articles) == 5


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        # A front matter going on past the first bytes: its title after them.
        ("a.md", b"---\nsummary: " + b"s" * FIRST_BYTES + b'\ntitle: "Late"\n---\n\nx\n', "Late"),
        # Markdown without a heading in the first bytes: the heading further on.
        (
            "a.md",
            b"intro line\n" + b"word " * (FIRST_BYTES // 4) + b"\n\n# Far heading\n",
            "Far heading",
        ),
        # A heading, or a first line, cut by the first bytes: read whole from the head.
        ("a.md", b"\n" * (FIRST_BYTES - 8) + b"# A heading cut\n" + b"x" * 99, "A heading cut"),
        ("a.txt", b" " * (FIRST_BYTES - 8) + b"A first line cut\n" + b"x" * 99, "A first line cut"),
    ],
    ids=["long front matter", "heading later", "heading cut", "first line cut"],
)
def test_a_title_not_settled_by_the_first_bytes_is_found_in_the_head(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    assert len(data) > FIRST_BYTES
    assert settled_title(data[:FIRST_BYTES].decode(), markdown=name.endswith(".md")) is None
    assert title(tmp_path, name, data) == expected
    full = read_article(tmp_path / name)
    assert isinstance(full, Article) and full.title == expected


def test_a_title_settled_by_the_first_bytes_is_the_full_reads(tmp_path: Path) -> None:
    body = b"Words of the story. " * 500  # 10 KB: more than the head
    for name, data, expected in [
        ("a.md", b'---\ntitle: "Front"\n---\n\n' + body, "Front"),
        ("b.md", b"---\nauthor: A\n---\n\n# Heading\n\n" + body, "Heading"),
        ("c.txt", b"\n\nFirst line\n\n" + body, "First line"),
    ]:
        assert settled_title(data[:FIRST_BYTES].decode(), markdown=name.endswith(".md")) == expected
        assert title(tmp_path, name, data) == expected
        full = read_article(tmp_path / name)
        assert isinstance(full, Article) and full.title == expected


def test_control_bytes_in_the_first_bytes_leave_it_to_the_whole_head(tmp_path: Path) -> None:
    # 300 control bytes: over a tenth of 2 KiB, under a tenth of the 8 KiB head (text).
    data = b"Control title\n" + b"\x01" * 300 + b"y" * 8000
    assert title(tmp_path, "a.txt", data) == "Control title"
    full = read_article(tmp_path / "a.txt")
    assert isinstance(full, Article) and full.title == "Control title"
    binary = listed(tmp_path, "b.txt", b"title\n\x00" + b"x" * 3 * FIRST_BYTES)
    assert isinstance(binary, Problem) and binary.reason == "binary file, skipped"


def test_a_file_binary_past_the_first_bytes_leaves_the_list_once_learnt(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Looks fine\n" + b"text " * 500 + b"\x00 binary after all")
    (tmp_path / "b.txt").write_bytes(b"Plain\n\nwords\n")
    library = Library.load([tmp_path], quick=True)
    assert [a.title for a in library.articles] == ["Looks fine", "Plain"]
    library.learn()
    assert [a.title for a in library.articles] == ["Plain"]
    assert [p.reason for p in library.problems] == ["binary file, skipped"]
