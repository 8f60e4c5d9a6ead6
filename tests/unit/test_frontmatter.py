"""Front matter: read leniently and boundedly, written so no value can break out of its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reader.library import Problem
from reader.library.frontmatter import (
    MAX_FRONT_MATTER_CHARS,
    format_front_matter,
    parse_date,
    split_front_matter,
)


def test_fields_are_metadata_and_the_body_follows() -> None:
    text = "---\ntitle: Talks resume\nauthor: 'Jane Doe'\ndate: 2026-05-04\n---\n# Body\n"
    front = split_front_matter(text)
    assert front.meta == {"title": "Talks resume", "author": "Jane Doe", "date": "2026-05-04"}
    assert front.body == "# Body\n"
    assert text[front.body_start :] == front.body
    assert front.notice is None


def test_scalars_become_strings_and_the_rest_is_left_out() -> None:
    text = (
        "---\nDate: 2026-05-04T10:00:00Z\ndraft: true\nwords: 12\nempty:\n"
        "tags: [a, b]\nnested: {a: 1}\n3: number key\nbad key!: x\n---\nBody\n"
    )
    meta = split_front_matter(text).meta
    assert meta == {"date": "2026-05-04T10:00:00+00:00", "draft": "true", "words": "12"}


@pytest.mark.parametrize(
    "text",
    [
        "No front matter\n---\ntitle: x\n---\n",  # not at the top
        "---\ntitle: never closed\n\nBody\n",  # no closing line
        "--- \n",  # an opening line alone
        "",
    ],
)
def test_text_without_a_block_is_left_whole(text: str) -> None:
    front = split_front_matter(text)
    assert front.meta == {} and front.body == text and front.notice is None


def test_a_block_closed_by_dots_and_crlf_lines() -> None:
    front = split_front_matter("---\r\ntitle: x\r\n...\r\nBody")
    assert front.meta == {"title": "x"} and front.body == "Body"


@pytest.mark.parametrize(
    ("block", "notice"),
    [
        ("title: [unclosed\n", "front matter is not valid YAML (line 3): kept in the text"),
        ("- a\n- b\n", "front matter is not a list of fields: kept in the text"),
        ("just a string\n", "front matter is not a list of fields: kept in the text"),
        # Hostile: safe_load refuses to build Python objects (nothing runs).
        (
            "x: !!python/object/apply:os.system ['touch /tmp/reader-pwned']\n",
            "front matter is not valid YAML (line 2): kept in the text",
        ),
    ],
)
def test_a_broken_block_is_text_with_a_notice(block: str, notice: str) -> None:
    text = f"---\n{block}---\nBody\n"
    front = split_front_matter(text)
    assert front.meta == {} and front.body == text and front.notice == notice


def test_aliases_are_not_expanded_into_metadata() -> None:
    # A "billion laughs" block: aliases of lists of aliases. safe_load shares them (no
    # copy), and lists are not metadata.
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    front = split_front_matter("---\n" + "\n".join(lines) + "\ntitle: ok\n---\nBody\n")
    assert front.meta == {"title": "ok"}


def test_a_huge_block_is_not_parsed() -> None:
    block = "title: x\n" + "k: " + "v" * MAX_FRONT_MATTER_CHARS + "\n"
    text = f"---\n{block}---\nBody\n"
    front = split_front_matter(text)
    assert front.meta == {} and front.body == text
    assert front.notice == "front matter longer than 64 KiB: kept in the text"


@pytest.mark.parametrize(
    "title",
    [
        'He said "no"',
        "a\n---\nurl: https://evil.example",  # a newline cannot start a new field
        "colon: and # hash",
        "Zoë – ünïcode ✓",
        "",
    ],
)
def test_written_values_read_back_the_same(title: str) -> None:
    block = format_front_matter({"title": title, "author": None, "url": "https://x.org/a?b=c"})
    assert block.count("\n") == 4  # ---, title, url, ---: one line each
    front = split_front_matter(block + "Body\n")
    assert front.meta == {"title": title, "url": "https://x.org/a?b=c"}
    assert front.body == "Body\n"


def test_a_bad_key_is_refused_when_writing() -> None:
    with pytest.raises(ValueError, match="not a front matter key"):
        format_front_matter({"bad key\n---": "x"})


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2026-05-04", dt.date(2026, 5, 4)),
        ("2026-5-4", dt.date(2026, 5, 4)),
        ("2026-05-04T10:00:00+00:00", dt.date(2026, 5, 4)),
        ("2026-02-30", None),
        ("May 4, 2026", None),
        ("20260-05-04", None),
        (None, None),
    ],
)
def test_parse_date(value: str | None, day: dt.date | None) -> None:
    assert parse_date(value) == day


@pytest.mark.parametrize(
    "block",
    ["date: 2026-02-30", "n: " + "9" * 5000, "when: 2026-13-01 10:00:00"],
    ids=["no such day", "an integer of 5,000 digits", "no such month"],
)
def test_a_value_python_cannot_hold_is_text_with_a_notice(block: str) -> None:
    # Valid YAML that raises ValueError when loaded (an impossible date, a huge integer):
    # one file's metadata must not stop a library from loading.
    text = f"---\n{block}\n---\nBody text.\n"
    read = split_front_matter(text)
    assert read.body == text and read.meta == {}
    assert read.notice is not None and "cannot be read" in read.notice


@pytest.mark.parametrize(
    "block",
    ["title: [unclosed\ndate: nope\n", "- a\n- b\n", "date: 2026-02-30\n"],
)
@pytest.mark.parametrize(
    ("after", "title"),
    [
        ("# Broken front matter story\n\nThe story.\n", "Broken front matter story"),
        ("The first line of the story.\n\nMore.\n", "The first line of the story."),
    ],
)
def test_a_block_kept_in_the_text_is_not_the_title(
    tmp_path: Path, block: str, after: str, title: str
) -> None:
    """Drawn as Markdown, a kept block's `---` lines are a rule and a heading's underline:
    its fields were the title ("title: [unclosed date: nope"). The title is what follows,
    as the quick listing says; the text keeps the block, as the notice says."""
    from reader.library import read_article
    from reader.library.quick import head_title

    path = tmp_path / "broken.md"
    path.write_text(f"---\n{block}---\n{after}", encoding="utf-8")
    article = read_article(path)
    assert not isinstance(article, Problem)
    assert article.title == title == head_title(path.read_text(encoding="utf-8"), True)
    assert block.splitlines()[0].replace("- ", "") in article.text
    assert any("kept in the text" in notice for notice in article.notices)
