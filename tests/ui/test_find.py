"""Pilot tests of find in the article: `/`, typing, the count, `n`/`N`, Enter, Escape."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from rich.style import Style
from textual import events
from textual.widgets import Input

import reader.library.catalogue
import reader.ui.widgets.find_bar
from reader.search.find import FoldedText
from reader.ui.app import ReaderApp, build_app
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.find_bar import FindBar
from reader.ui.wrapping import line_of

from .conftest import ready, settle
from .test_app import SIZE, screen_text

FIRST = (
    "Talks in Islamabad\n\n"
    "Zoë Okafor met the minister on Monday. The MINISTER said the talks went well.\n\n"
    + "Filler prose about nothing in particular fills the page. " * 40
    + "\n\nLater Zoe Okafor told Sergey\nLavrov that the minister would come back.\n"
)
SECOND = "Another article\n\nNothing about ministers here, only Paris.\n"


def library(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(FIRST, encoding="utf-8")
    (folder / "b.txt").write_text(SECOND, encoding="utf-8")
    return folder


def make_app(make_settings, tmp_path: Path) -> ReaderApp:  # type: ignore[no-untyped-def]
    # No entity model: find does not need one, and the tests stay quick.
    return build_app(make_settings(library(tmp_path), model="no-such-pipeline"))


def cells(app: ReaderApp, view: ArticleView, offset: int, length: int) -> list[tuple[str, Style]]:
    """The characters and styles drawn on screen for ``text[offset:offset + length]``
    (all on one screen line, one cell per character)."""
    region = view.content_region
    y = line_of(view._starts, offset) - int(view.scroll_offset.y)
    assert 0 <= y < region.height, "the offset is not on screen"
    x = offset - view._lines[line_of(view._starts, offset)].start
    strip = app.screen._compositor.render_strips()[region.y + y]
    drawn: list[tuple[str, Style]] = []
    for segment in strip:
        for char in segment.text:
            drawn.append((char, segment.style or Style()))
    return drawn[region.x + x : region.x + x + length]


def find_styles(view: ArticleView) -> tuple[Style, Style]:
    """How a match and the current match are drawn (over the view's own colours)."""
    base = view.rich_style
    return (
        base + view.colours.component("article--find-match"),
        base + view.colours.component("article--find-current"),
    )


async def open_find(pilot, query: str) -> tuple[ArticleView, FindBar]:  # type: ignore[no-untyped-def]
    main = await ready(pilot)
    view = main.query_one(ArticleView)
    view.focus()
    await pilot.press("slash", *query)
    await pilot.pause()
    return view, main.query_one(FindBar)


async def test_slash_opens_the_field_and_typing_finds_with_a_count(  # type: ignore[no-untyped-def]
    make_settings, tmp_path: Path
) -> None:
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        bar = main.query_one(FindBar)
        assert not bar.display
        view, bar = await open_find(pilot, "minis")
        assert bar.display and isinstance(app.focused, Input)
        text = view.text
        starts = [i for i in range(len(text)) if text[i : i + 5].lower() == "minis"]
        assert [start for start, _ in view.found] == starts
        assert bar.count == "1 of 3"
        await pilot.press(*"ter")
        await pilot.pause()
        assert [text[s:e] for s, e in view.found] == ["minister", "MINISTER", "minister"]
        assert bar.count == "1 of 3"
        assert "/" in screen_text(app) and "1 of 3" in screen_text(app)


async def test_matches_are_drawn_at_their_cells(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view, _bar = await open_find(pilot, "minister")
        match_style, current_style = find_styles(view)
        assert match_style.bgcolor != current_style.bgcolor
        (first, first_end), (second, second_end), _ = view.found
        drawn = cells(app, view, first, first_end - first)
        assert "".join(c for c, _ in drawn) == "minister"
        assert {s.bgcolor for _, s in drawn} == {current_style.bgcolor}
        drawn = cells(app, view, second, second_end - second)
        assert "".join(c for c, _ in drawn) == "MINISTER"
        assert {s.bgcolor for _, s in drawn} == {match_style.bgcolor}
        # The characters on either side are drawn as before.
        before, after = cells(app, view, first - 1, 1), cells(app, view, first_end, 1)
        assert before[0][1].bgcolor not in (match_style.bgcolor, current_style.bgcolor)
        assert after[0][1].bgcolor not in (match_style.bgcolor, current_style.bgcolor)
        # n: the second match becomes the current one.
        await pilot.press("enter", "n")
        await pilot.pause()
        drawn = cells(app, view, second, second_end - second)
        assert {s.bgcolor for _, s in drawn} == {current_style.bgcolor}
        drawn = cells(app, view, first, first_end - first)
        assert {s.bgcolor for _, s in drawn} == {match_style.bgcolor}


async def test_enter_keeps_the_find_and_n_and_shift_n_walk_it(  # type: ignore[no-untyped-def]
    make_settings, tmp_path: Path
) -> None:
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view, bar = await open_find(pilot, "minister")
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is view and bar.display and bar.value == "minister"
        assert view.found_current == 0
        await pilot.press("n")
        await pilot.pause()
        assert (view.found_current, bar.count) == (1, "2 of 3")
        await pilot.press("n")
        await pilot.pause()
        assert (view.found_current, bar.count) == (2, "3 of 3")
        # The last match is far down: the view scrolled to keep it on screen.
        last = view.found[2][0]
        top = int(view.scroll_offset.y)
        assert top > 0
        assert top <= line_of(view._starts, last) < top + view.scrollable_content_region.height
        await pilot.press("n")  # wraps to the first, and says so
        await pilot.pause()
        assert (view.found_current, bar.count) == (0, "1 of 3 · from the top")
        await pilot.press("N")  # and back to the last
        await pilot.pause()
        assert (view.found_current, bar.count) == (2, "3 of 3 · from the bottom")
        await pilot.press("N")
        await pilot.pause()
        assert (view.found_current, bar.count) == (1, "2 of 3")


async def test_escape_in_the_field_clears_the_find(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view, bar = await open_find(pilot, "minister")
        assert view.found
        await pilot.press("escape")
        await pilot.pause()
        assert view.found == [] and not view.find_shown
        assert not bar.display and bar.value == ""
        assert app.focused is view
        # n is no longer the find's, and a second Escape goes back to the list (as before).
        await pilot.press("n", "escape")
        await pilot.pause()
        assert view.found_current is None
        assert isinstance(app.focused, ArticleList)


async def test_escape_in_the_article_clears_the_find(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view, bar = await open_find(pilot, "minister")
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert app.focused is view, "the first Escape clears the find, and stays"
        assert view.found == [] and not bar.display
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, ArticleList)


async def test_escape_leaves_a_selection_before_the_find(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view, _bar = await open_find(pilot, "minister")
        await pilot.press("enter", "v")
        await pilot.pause()
        assert view.selection is not None
        await pilot.press("escape")
        await pilot.pause()
        assert view.selection is None and len(view.found) == 3
        await pilot.press("escape")
        await pilot.pause()
        assert view.found == []


async def test_smart_case_accents_and_a_phrase_across_a_line_break(  # type: ignore[no-untyped-def]
    make_settings, tmp_path: Path
) -> None:
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view, bar = await open_find(pilot, "MINISTER")
        assert [view.text[s:e] for s, e in view.found] == ["MINISTER"]
        field = app.query_one("#find-input", Input)
        field.value = "zoe okafor"
        await pilot.pause()
        assert [view.text[s:e] for s, e in view.found] == ["Zoë Okafor", "Zoe Okafor"]
        field.value = "Zoe"
        await pilot.pause()
        assert [view.text[s:e] for s, e in view.found] == ["Zoë", "Zoe"]
        field.value = "sergey lavrov"
        await pilot.pause()
        assert [view.text[s:e] for s, e in view.found] == ["Sergey\nLavrov"]
        assert bar.count == "1 of 1"
        field.value = "nowhere to be found"
        await pilot.pause()
        assert view.found == [] and bar.count == "no match"
        field.value = ""
        await pilot.pause()
        assert view.found == [] and bar.count == ""


async def test_a_hostile_query_is_plain_text(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view, bar = await open_find(pilot, "")
        field = app.query_one("#find-input", Input)
        for query in ("[bold red]x[/]", "[@click=app.quit]q", "\x1b[31m\x07", ".*"):
            field.value = query
            await pilot.pause()
            assert view.found == [] and bar.count == "no match"
        assert app.is_running


async def test_another_article_clears_the_find(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view, bar = await open_find(pilot, "minister")
        await pilot.press("enter")
        articles = app.query_one(ArticleList)
        articles.focus()
        await pilot.press("j", "enter")
        await settle(pilot)
        assert view.text.startswith("Another article")
        assert view.found == [] and not bar.display and bar.value == ""
        await pilot.press("slash", *"paris")
        await pilot.pause()
        assert [view.text[s:e] for s, e in view.found] == ["Paris"]


async def test_a_long_article_is_folded_in_a_worker(  # type: ignore[no-untyped-def]
    make_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader.library.catalogue, "RACY_SECONDS", 0.0)
    monkeypatch.setattr(reader.ui.widgets.find_bar, "SYNC_FOLD_LIMIT", 100)
    folded_in: list[bool] = []
    prepare = FoldedText.prepare

    def prepare_spy(self: FoldedText) -> FoldedText:
        folded_in.append(threading.current_thread() is threading.main_thread())
        return prepare(self)

    monkeypatch.setattr(FoldedText, "prepare", prepare_spy)
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view, bar = await open_find(pilot, "")
        # One change: the matches come when the worker is done, with no more typing.
        app.query_one("#find-input", Input).value = "minister"
        await settle(pilot)
        assert bar._folded is not None and bar._folded.text is view.text
        assert len(view.found) == 3 and bar.count == "1 of 3"
        assert folded_in == [False], "folded once, not on the screen's thread"


async def test_keys_typed_right_after_slash_go_to_the_field(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Keys queued faster than the screen handles them (a quick typist, a paste) after `/`
    are the field's (t and a would otherwise open the tag and note dialogs)."""
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        view = main.query_one(ArticleView)
        view.focus()
        await pilot.pause()
        driver = app._driver
        assert driver is not None
        for key, character in [("slash", "/"), *((c, c) for c in "talks")]:
            driver.send_message(events.Key(key, character))
        await settle(pilot)
        assert app.screen is main, "no dialog opened"
        bar = main.query_one(FindBar)
        assert bar.value == "talks" and isinstance(app.focused, Input)
        assert [view.text[s:e] for s, e in view.found] == ["Talks", "talks"]


async def test_a_query_longer_than_the_field_scrolls_in_it(  # type: ignore[no-untyped-def]
    make_settings, tmp_path: Path
) -> None:
    # The field's text never lays the screen out (FindInput): it must still scroll to
    # show what is typed at its end, and the count beside it stays on screen.
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        query = "Filler prose about nothing in particular fills the page. " * 3
        _view, bar = await open_find(pilot, query.rstrip())
        field = bar.query_one(Input)
        assert field.value == query.rstrip()
        assert len(query) > field.content_region.width
        assert field.scroll_offset.x > 0
        shown = screen_text(app)
        assert "fills the page." in shown.splitlines()[field.region.y]
        assert f"of {len(_view.found)}" in shown
