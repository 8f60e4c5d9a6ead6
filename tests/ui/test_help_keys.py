"""Pilot test: the help screen lists the palette, the filter field's keys and the views'
keys, and writes the query syntax as README does."""

from __future__ import annotations

from pathlib import Path

from reader.ui.app import build_app
from reader.ui.screens.help import HelpScreen

from .conftest import ready
from .test_app import screen_text


async def help_text(make_settings) -> str:  # type: ignore[no-untyped-def]
    app = build_app(make_settings(model="no-such-pipeline"))
    async with app.run_test(size=(160, 300)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        x, y, width, height = app.screen.query_one("#help-body").region
        lines = screen_text(app).splitlines()[y : y + height]
        return "\n".join(line[x + 1 : x + width - 1] for line in lines)


def rows(text: str) -> list[str]:
    """The help's lines, spaces squeezed."""
    return [" ".join(line.split()) for line in text.splitlines()]


async def test_help_lists_the_palette_the_filter_field_and_the_views(make_settings) -> None:  # type: ignore[no-untyped-def]
    lines = rows(await help_text(make_settings))
    text = "\n".join(lines)
    assert "^p Command palette (views: apply, rename, delete)" in text, text
    assert "Filter field (/ in the list)" in text
    field = lines.index("Filter field (/ in the list)")
    assert lines[field + 1 : field + 4] == [
        "esc Clear filter",
        "^s Save as view",
        "⏎ Keep the filter and go back to the list",
    ], lines[field : field + 5]
    views = lines.index("Views (saved searches)")
    assert "⏎ Apply the view (then the list)" in lines[views : views + 8]


async def test_help_writes_the_query_syntax_as_readme_does(make_settings) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(rows(await help_text(make_settings)))
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "`(a OR b) -c`" in readme
    assert "(a OR b) -c" in text


async def test_help_says_where_selection_keys_work_and_that_enter_opens(make_settings) -> None:  # type: ignore[no-untyped-def]
    """← and w → work only in a selection (not "Word back", "Word"); the list's Enter
    opens the article (not "Select"), the entity panel's jumps to the entity."""
    lines = rows(await help_text(make_settings))
    assert "← In a selection: its end a word back (b too)" in lines, lines
    assert "w → In a selection: its end a word on" in lines
    assert ") In a selection: its end a sentence on" in lines
    assert "{ In a selection: its end a paragraph back" in lines
    listed = lines.index("Article list")
    assert "⏎ Open the article" in lines[listed : listed + 12], lines[listed : listed + 12]
    panel = lines.index("Entity panel")
    assert "⏎ Jump to its first mention" in lines[panel : panel + 12]
    said = [line for line in lines if line.endswith((" Select", " Word", " Word back"))]
    assert said == ["v Select"], said  # v starts one
