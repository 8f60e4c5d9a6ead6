"""Pilot test: a Markdown block quote long enough to wrap keeps its bar on every line it
takes, drawn by the view: the article's text (its offsets: highlights, notes, find) has
the bar once, and a click on a continuation line finds the word drawn there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reader.settings import Settings
from reader.ui.app import build_app
from reader.ui.widgets.article_view import ArticleView

from .conftest import open_view

MakeSettings = Callable[..., Settings]

QUOTE = (
    "The minister said the talks would go on until an agreement was found, however long "
    "that took, and that nobody in the delegation would leave Geneva before the end of it."
)
ARTICLE = f"# Talks go on\n\nBefore the quote.\n\n> {QUOTE}\n\nAfter the quote.\n"


async def test_a_wrapped_quote_keeps_its_bar_and_its_offsets(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "talks.md").write_text(ARTICLE, encoding="utf-8")
    app = build_app(make_settings(folder))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_view(app, pilot)
        assert isinstance(view, ArticleView)
        text = view.text
        assert text.count("│") == 1 and f"│ {QUOTE}" in text  # the text as the catalogue's
        drawn = [view.render_line(y).text.rstrip() for y in range(view.size.height)]
        first = next(i for i, line in enumerate(drawn) if "│ The minister" in line)
        after = next(i for i, line in enumerate(drawn) if "After the quote" in line)
        quote_lines = [line for line in drawn[first:after] if line.strip()]
        assert len(quote_lines) >= 3, drawn  # it wraps
        margin = drawn[first].index("│")
        assert all(line[margin:].startswith("│ ") for line in quote_lines), quote_lines
        body = " ".join(line[margin + 2 :].strip() for line in quote_lines)
        assert body == QUOTE  # each word once, none under a bar
        # A continuation line's first word, clicked: its offset in the text.
        second = quote_lines[1][margin + 2 :]
        word = second.split()[0]
        y = drawn.index(quote_lines[1])
        x = view.gutter.left + margin + 2
        offset = view.offset_at_screen(x, y + view.gutter.top)
        assert offset is not None and text[offset : offset + len(word)] == word
