"""Markdown read as Markdown: the displayed text is rendered, styles are offsets into it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from reader.anchoring import describe, reanchor
from reader.annotations import article_ref, load
from reader.entities.engines.spacy_engine import SpacyEngine
from reader.library import Article, Problem, read_article
from reader.library.catalogue import Catalogue
from reader.library.markdown import RULE, Format, render_markdown
from reader.library.parsers import parse_markdown
from reader.store import AnnotationStore, ArticleRef

RICH = """\
# Talks *resume* in Berlin

Chancellor **Olaf Scholz** met [Emmanuel Macron](https://example.org/macron "Macron")
in Berlin on `Monday`.

1. First point
2. Second point
   - nested one
   - nested two

> A quoted line
> that goes on.

```python
print("code")
x = 1
```

---

| Name | City |
|------|------|
| Ada  | Paris |

Last line with a hard\\
break and an ![image](/pic.png).
"""

RENDERED = f"""\
Talks resume in Berlin

Chancellor Olaf Scholz met Emmanuel Macron in Berlin on Monday.

1. First point
2. Second point
   ◦ nested one
   ◦ nested two

│ A quoted line that goes on.

print("code")
x = 1

{RULE}

Name │ City
─────┼──────
Ada  │ Paris

Last line with a hard
break and an image."""


def styled(text: str, formats: tuple[Format, ...], kind: str) -> list[str]:
    return [text[f.start : f.end] for f in formats if f.kind == kind]


def test_the_displayed_text_has_no_markdown_syntax() -> None:
    assert render_markdown(RICH).text == RENDERED


def test_styles_are_offsets_into_the_displayed_text() -> None:
    rendered = render_markdown(RICH)
    text, formats = rendered.text, rendered.formats
    assert styled(text, formats, "h1") == ["Talks resume in Berlin"]
    assert styled(text, formats, "emphasis") == ["resume"]
    assert styled(text, formats, "strong") == ["Olaf Scholz"]
    assert styled(text, formats, "code") == ["Monday"]
    assert styled(text, formats, "list_marker") == ["1. ", "2. ", "◦ ", "◦ "]
    assert styled(text, formats, "quote") == ["A quoted line that goes on."]
    assert styled(text, formats, "code_block") == ['print("code")', "x = 1"]
    assert styled(text, formats, "rule") == [RULE, " │ ", "─────┼──────", " │ "]
    assert styled(text, formats, "table_header") == ["Name", "City"]
    links = [f for f in formats if f.kind == "link"]
    assert [(text[f.start : f.end], f.url) for f in links] == [
        ("Emmanuel Macron", "https://example.org/macron")
    ]
    images = [f for f in formats if f.kind == "image"]
    assert [(text[f.start : f.end], f.url) for f in images] == [("image", "/pic.png")]
    assert list(formats) == sorted(formats)
    assert rendered.first_heading == "Talks resume in Berlin"


def test_untrusted_text_stays_text() -> None:
    # Rich/Textual markup is text; an entity decoding to a control character, raw escape
    # sequences and bidi overrides never reach the displayed text.
    source = "[bold red]x[/] &#x202E;y &#27;[2J z \x1b]0;t\x07w [$x](ftp://x.org/f)"
    rendered = render_markdown(source)
    assert rendered.text == "[bold red]x[/] y \ufffd[2J z w $x"
    (link,) = [f for f in rendered.formats if f.kind == "link"]
    assert link.url == "ftp://x.org/f"  # kept as data; the view does not open it
    # markdown-it refuses javascript: and file: links: the syntax stays text.
    assert render_markdown("[x](javascript:alert(1))").text == "[x](javascript:alert(1))"


def test_front_matter_is_metadata_and_its_title_wins(tmp_path: Path) -> None:
    source = (
        "---\ntitle: The real title\ndate: 2026-05-04\nurl: https://news.example.org/a/b\n---\n"
        "# A heading\n\nSee [the page](../c) and [elsewhere](https://x.org/).\n"
    )
    parsed = parse_markdown(source.encode())
    assert parsed.title == "The real title"
    assert parsed.meta["date"] == "2026-05-04"
    assert parsed.text == "A heading\n\nSee the page and elsewhere."
    assert parsed.formats is not None
    # A relative link points into the article's own site.
    assert [f.url for f in parsed.formats if f.kind == "link"] == [
        "https://news.example.org/c",
        "https://x.org/",
    ]


def test_without_front_matter_the_first_heading_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("Intro paragraph.\n\n## The *first* heading\n\nBody.\n", encoding="utf-8")
    article = read_article(path)
    assert isinstance(article, Article)
    assert article.title == "The first heading"
    assert article.text == "Intro paragraph.\n\nThe first heading\n\nBody."
    assert article.sha256 == hashlib.sha256(article.text.encode()).hexdigest()


def test_a_broken_front_matter_is_shown_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: [broken\n---\nBody text.\n", encoding="utf-8")
    article = read_article(path)
    assert isinstance(article, Article)
    assert "front matter is not valid YAML (line 3): kept in the text" in article.notices
    assert "Body text." in article.text


def test_front_matter_alone_is_no_article(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: Only metadata\n---\n", encoding="utf-8")
    assert isinstance(read_article(path), Problem)


def test_plain_text_keeps_its_syntax_and_has_no_formats(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("# Not a heading\n\n**not strong**\n", encoding="utf-8")
    article = read_article(path)
    assert isinstance(article, Article)
    assert article.text == "# Not a heading\n\n**not strong**\n"
    assert article.formats is None


def test_formats_and_meta_come_through_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reader.library.catalogue.RACY_SECONDS", 0.0)
    path = tmp_path / "a.md"
    path.write_text("---\nauthor: Jane\n---\n# Title\n\n[Berlin](https://b.de)\n", "utf-8")
    fresh = read_article(path)
    assert isinstance(fresh, Article)
    catalogue = Catalogue(tmp_path / "catalogue.json")
    catalogue.read(path)
    catalogue.save()
    listed = Catalogue(tmp_path / "catalogue.json").read(path)
    assert isinstance(listed, Article) and not listed.loaded
    assert listed.title == "Title" and listed.sha256 == fresh.sha256
    assert listed.formats == fresh.formats and dict(listed.meta) == {"author": "Jane"}
    assert listed.text == fresh.text


def test_entities_are_found_in_the_rendered_text(recognizer: SpacyEngine, tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "# Summit\n\nGerman officials met in [Berlin](https://example.org/berlin) with "
        "**Emmanuel Macron** on Monday.\n",
        encoding="utf-8",
    )
    article = read_article(path)
    assert isinstance(article, Article)
    spans = recognizer.extract(article.text)
    found = {(s.text, s.label) for s in spans}
    assert ("Berlin", "GPE") in found and ("Emmanuel Macron", "PERSON") in found
    for span in spans:
        assert article.text[span.start : span.end] == span.text
    (link,) = [f for f in article.formats or () if f.kind == "link"]
    berlin = next(s for s in spans if s.text == "Berlin")
    assert (berlin.start, berlin.end) == (link.start, link.end)


def test_annotations_made_on_the_raw_text_are_re_anchored(tmp_path: Path) -> None:
    # Before Markdown was rendered, the displayed text was the file as written: a
    # highlight and a note were stored against it (its hash, its offsets).
    raw = (
        "---\ntitle: Talks\n---\n# Talks resume\n\nChancellor **Olaf Scholz** met "
        "[Emmanuel Macron](https://example.org/macron) in Berlin.\n\nA second paragraph "
        "about the *harbour* reopening.\n"
    )
    path = tmp_path / "talks.md"
    path.write_text(raw, encoding="utf-8")
    old = ArticleRef(str(path.resolve()), hashlib.sha256(raw.encode()).hexdigest(), "---")
    with AnnotationStore(tmp_path / "db.json") as store:
        start = raw.index("A second paragraph")
        store.add_highlight(old, describe(raw, start, start + len("A second paragraph")))
        start = raw.index("Emmanuel Macron")
        store.add_note(old, "who?", describe(raw, start, start + len("Emmanuel Macron")))
        store.add_tags(old, ["politics"])
        article = read_article(path)
        assert isinstance(article, Article) and article.sha256 != old.sha256
        annotations = load(store, article)
        assert annotations.tags == ["politics"]
        assert annotations.relinked == 2
        spans = [item.span for item in annotations.items]
        assert all(span is not None for span in spans)
        quoted = sorted(article.text[s[0] : s[1]] for s in spans if s is not None)
        assert quoted == ["A second paragraph", "Emmanuel Macron"]
        assert store.annotations(article_ref(article).sha256)


@pytest.mark.parametrize("suffix", [".md", ".markdown", ".MD"])
def test_markdown_endings_are_rendered(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"a{suffix}"
    path.write_text("Some **bold** words here.\n", encoding="utf-8")
    article = read_article(path)
    assert isinstance(article, Article) and article.text == "Some bold words here."


def test_table_columns_are_aligned_by_display_width() -> None:
    """Each column as wide as its widest cell in terminal cells (a wide character takes
    two, as the view draws it), padded as its alignment row says; a cell's text is text,
    never markup; its formats stay on its words; no spaces end a line."""
    from rich.cells import cell_len

    source = (
        "| Name | City | Pop |\n"
        "|------|:----:|----:|\n"
        "| Ada | 東京 | 14 |\n"
        "| Bartholomew | Paris | 2100000 |\n"
        "| [bold]x[/] | `a` | |\n"
    )
    rendered = render_markdown(source)
    lines = rendered.text.split("\n")
    assert lines == [
        "Name        │ City  │     Pop",
        "────────────┼───────┼────────",
        "Ada         │ 東京  │      14",
        "Bartholomew │ Paris │ 2100000",
        "[bold]x[/]  │   a   │",
    ]
    bars = {tuple(cell_len(line[:i]) for i, c in enumerate(line) if c in "│┼") for line in lines}
    assert bars == {(12, 20)}
    text, formats = rendered.text, rendered.formats
    assert styled(text, formats, "table_header") == ["Name", "City", "Pop"]
    assert styled(text, formats, "rule")[2] == lines[1]  # the header's rule, drawn as rules
    assert styled(text, formats, "code") == ["a"]
    assert list(formats) == sorted(formats)


def test_a_table_in_a_quote_has_its_rule_under_the_header_only() -> None:
    """The rule is indented as the table's lines are (a quote's bar, a list's indent), as
    wide as the columns; a table of a header alone gets none."""
    text = render_markdown("> - item\n>\n>   | a | bb |\n>   |---|---|\n>   | 1 | 2 |\n").text
    assert text.split("\n")[-3:] == ["│   a │ bb", "│   ──┼───", "│   1 │ 2"]
    assert render_markdown("| a | b |\n|---|---|\n").text == "a │ b"


def test_highlights_on_a_table_article_drawn_before_its_rule_re_anchor(tmp_path: Path) -> None:
    """A highlight and a note made when a table had no rule under its header (the text,
    so the hash, before CATALOGUE_FORMAT 5) are found again on the same words: relinked
    to the new hash as after an edit, none orphaned, the catalogue reading the file again."""
    from reader.library.catalogue_format import CATALOGUE_FORMAT

    source = "# Cities\n\n| Name | City |\n|------|------|\n| Ada | Paris |\n\nAfter the table.\n"
    path = tmp_path / "cities.md"
    path.write_text(source, encoding="utf-8")
    article = read_article(path)
    assert isinstance(article, Article)
    rule = "─────┼──────\n"
    assert rule in article.text
    before = article.text.replace(rule, "")  # as CATALOGUE_FORMAT 4 drew it
    old = ArticleRef(str(path.resolve()), hashlib.sha256(before.encode()).hexdigest(), "Cities")
    assert old.sha256 != article.sha256 and CATALOGUE_FORMAT >= 5
    with AnnotationStore(tmp_path / "db.json") as store:
        start = before.index("Paris")
        store.add_highlight(old, describe(before, start, start + len("Paris")))
        start = before.index("After the table")
        store.add_note(old, "later", describe(before, start, start + len("After the table")))
        annotations = load(store, article)
        assert annotations.relinked == 2
        assert [item.state for item in annotations.items] == ["moved", "moved"]  # not orphaned
        quoted = sorted(article.text[s[0] : s[1]] for s in (i.span for i in annotations.items) if s)
        assert quoted == ["After the table", "Paris"]


RESULTS = """\
# Results

The count is in.

| District | Votes | Share |
|----------|-------|-------|
| North | 1200 | 40% |
| South | 1800 | 60% |

> | Seat | Held |
> |------|------|
> | One | Yes |

Turnout was high.
"""


@pytest.mark.parametrize(
    "quote",
    [
        "Votes │ Share\nNorth",
        "Share\nNorth    │ 1200",
        "The count is in.\n\nDistrict │ Votes │ Share\nNorth    │ 1200  │ 40%\nSouth",
        "Held\n│ One",  # a table in a quote: its rule has the quote's bar
        "60%\n\n│ Seat │ Held\n│ One  │ Yes\n\nTurnout",  # across the second table's rule
    ],
)
def test_a_passage_across_a_header_row_before_its_rule_keeps_its_words(quote: str) -> None:
    """A passage selected across a table's header row in the text before CATALOGUE_FORMAT 5
    (no rule under the header) is found on the same words in the text with the rule: moved,
    from its first word to its last, the rule inside it, never orphaned nor stretched."""
    text = render_markdown(RESULTS).text
    before = text.replace("─────────┼───────┼──────\n", "").replace("│ ─────┼─────\n", "")
    assert before.count("\n") == text.count("\n") - 2  # as CATALOGUE_FORMAT 4 drew it
    start = before.index(quote)
    anchoring = reanchor(describe(before, start, start + len(quote)), text)
    assert anchoring.state == "moved"
    assert anchoring.start is not None and anchoring.end is not None
    found = text[anchoring.start : anchoring.end]
    lines = quote.split("\n")
    assert found.startswith(lines[0]) and found.endswith(lines[-1])
    assert [line for line in found.split("\n") if "┼" not in line] == lines


def test_a_point_between_header_and_rows_before_the_rule_keeps_its_place() -> None:
    """A point (an empty quote) whose context crossed the header row is put before the
    first row's words, after the rule."""
    text = render_markdown(RESULTS).text
    before = text.replace("─────────┼───────┼──────\n", "")
    at = before.index("North")
    anchoring = reanchor(describe(before, at, at), text)
    assert anchoring.state == "moved" and anchoring.start == text.index("North")
