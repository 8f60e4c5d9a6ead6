"""Pilot tests of how the article is drawn: corrected entities are not underlined (the
highlights' and notes' style), and no background runs onto the space at a line's end."""

from __future__ import annotations

from pathlib import Path

from rich.segment import Segment

from reader.ui.widgets.article_view import ArticleView

from .conftest import in_article, settle

SIZE = (140, 45)


def drawn(view: ArticleView, index: int) -> list[Segment]:
    """The segments of screen line *index* as the view draws them (scrolled to it)."""
    view.scroll_to_offset(view._lines[index].start)
    return list(view.render_line(index - int(view.scroll_offset.y)))


async def test_a_corrected_entity_is_bold_italic_not_underlined(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with in_article(make_settings(), SIZE) as (_app, pilot, view):
        while view.current_span is None or view.current_span.text != "Dawn":
            await pilot.press("e")
        await pilot.press("c")
        await pilot.pause(0.1)
        await pilot.press("m", "4")  # this mention: ORG
        await settle(pilot)
        await pilot.press("escape")  # the mark off: the entity as it is drawn unmarked
        view.mark(None)
        (dawn,) = [s for s in view.spans if s.text == "Dawn" and s.source == "user"]
        line = next(i for i, ln in enumerate(view._lines) if ln.start <= dawn.start < ln.end)
        (segment,) = [s for s in drawn(view, line) if s.text == "Dawn"]
        assert segment.style is not None
        assert segment.style.italic and segment.style.bold
        assert not segment.style.underline


async def test_no_background_on_the_space_where_a_line_wraps(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Wraps\n\n" + "Lavrov arrived on Tuesday on a two-day visit to talk. " * 8 + "\n",
        encoding="utf-8",
    )
    settings = make_settings(folder, model="no-such-pipeline")
    async with in_article(settings, (70, 30)) as (_, pilot, view):
        first = next(i for i, ln in enumerate(view._lines) if view.text[ln.end - 1] == " ")
        line = view._lines[first]
        # A selection (and a highlight) from the line's last word into the next line.
        last_word = view.text.rindex(" ", line.start, line.end - 1) + 1
        view.select_range(last_word, line.end + 4)
        await pilot.press("h")
        await settle(pilot)
        assert len(view.marks) == 1
        view.select_range(last_word, line.end + 4)
        cells = [(char, seg.style) for seg in drawn(view, first) for char in seg.text]
        space = line.end - 1 - line.start  # the space the line ends with
        assert cells[space][0] == " "
        base = view.rich_style
        style = cells[space][1]
        assert style is not None
        assert style.bgcolor == base.bgcolor, style
        assert not style.underline, style
        word = cells[space - 1][1]  # the word before it: selected and highlighted
        assert word is not None and word.bgcolor != base.bgcolor and word.underline
