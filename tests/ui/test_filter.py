"""Pilot tests of finding articles: `/` in the list, the filter field, the count in the
list's title, errors, Enter/Escape, saved views (Ctrl+S, the view rows, the palette) and
the search index kept up to date in the background."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

import reader.search.index
from reader.store import AnnotationStore
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.main import MainScreen
from reader.ui.screens.view_dialogs import ViewNameScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.view_list import ViewList

from .conftest import ready, settle
from .test_app import SIZE, screen_text

#: Five articles in two folders; "minister" is in three, one of them in economy/.
ARTICLES = {
    "economy/budget.txt": "Budget talks stall\n\nThe finance minister delayed the budget.\n",
    "economy/markets.txt": "Markets rally\n\nShares rose on Monday as oil fell.\n",
    "politics/cabinet.txt": "Cabinet reshuffle\n\nThe prime minister named a new minister.\n",
    "politics/vote.txt": "Vote on Tuesday\n\nParliament votes on the bill.\n",
    "world/summit.txt": "Summit in Paris\n\nA foreign minister met his counterparts.\n",
}


def library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    for name, text in ARTICLES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def make_app(  # type: ignore[no-untyped-def]
    make_settings, tmp_path: Path, views: dict[str, str] | None = None
) -> ReaderApp:
    """The app on :func:`library`, with *views* (name: query) saved before it starts."""
    # No entity model: the filter does not need one, and the tests stay quick.
    settings = make_settings(library(tmp_path), model="no-such-pipeline")
    if views:
        with AnnotationStore(settings.db_path) as store:
            for name, query in views.items():
                store.save_view(name, query)
    return build_app(settings)


async def idle(pilot: Pilot[Any]) -> MainScreen:
    """Wait until the index, the searches and the counts are done, as well as the rest."""
    main = await ready(pilot)
    for _ in range(20):
        if not main.library_search.busy:
            break
        await settle(pilot)
    assert not main.library_search.busy
    return main


def titles(main: MainScreen) -> list[str]:
    return [a.title for a in main.query_one(ArticleList).articles]


def stored_views(app: ReaderApp) -> list[dict[str, str]]:
    """The views as the database file holds them (not as the app remembers them)."""
    data = json.loads(app.settings.db_path.read_text(encoding="utf-8"))
    return [data["views"][key] for key in sorted(data["views"], key=int)]


async def type_filter(pilot: Pilot[Any], query: str) -> MainScreen:
    main = await idle(pilot)
    main.query_one(ArticleList).focus()
    await pilot.press("slash", *query)
    return await idle(pilot)


async def test_slash_opens_the_field_and_typing_narrows_the_list(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        articles = main.query_one(ArticleList)
        assert articles.border_title == "Articles"
        assert not main.query_one(FilterBar).display
        await pilot.press("slash")
        assert isinstance(app.focused, Input) and app.focused.id == "filter-input"
        await pilot.press(*"minister")
        await idle(pilot)
        assert titles(main) == ["Budget talks stall", "Cabinet reshuffle", "Summit in Paris"]
        assert articles.border_title == "Articles · 3 of 5"
        await pilot.press(*" in:economy")
        await idle(pilot)
        assert titles(main) == ["Budget talks stall"]
        assert "Articles · 1 of 5" in screen_text(app)


async def test_a_bad_query_says_why_and_where_and_keeps_the_list(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await type_filter(pilot, "minister")
        assert len(titles(main)) == 3
        await pilot.press(*" (in:world")
        await idle(pilot)
        bar = main.query_one(FilterBar)
        assert bar.error is not None
        assert "at character 10" in bar.status, bar.status
        # The caret sits under the parenthesis, in the field as drawn.
        caret_line = bar.status.splitlines()[0]
        field = bar.input
        column = field.content_region.x - bar.content_region.x + len("minister ")
        assert caret_line == " " * column + "^"
        assert "^" in screen_text(app)
        assert len(titles(main)) == 3  # as it was, and the title says it is not the field's
        assert main.query_one(ArticleList).border_title == "query not applied · 3 of 5"
        assert bar.status.splitlines()[2] == "not applied: the list shows “minister”"
        # Enter with an error: back to the list, which keeps the last query that parsed,
        # and a notice says so; the field keeps what was typed and the error under it.
        articles = main.query_one(ArticleList)
        await pilot.press("enter")
        await idle(pilot)
        assert app.focused is articles
        notice = list(app._notifications)[-1]
        assert notice.title == "Query not applied"
        assert notice.message == (
            "'(' is never closed (at character 10); the list keeps “minister” (/ to fix the query)"
        ), notice.message
        assert bar.value == "minister (in:world" and "at character 10" in bar.status
        # The keys typed next are the list's, not the field's.
        await pilot.press("j")
        await idle(pilot)
        assert bar.value == "minister (in:world" and articles.highlighted == 1
        assert len(titles(main)) == 3
        # `/` back to it, End to edit it: fixed, the list follows and the error goes.
        await pilot.press("slash", "end", ")")
        await idle(pilot)
        assert bar.error is None and bar.status == ""
        assert titles(main) == ["Summit in Paris"]
        assert main.query_one(ArticleList).border_title == "Articles · 1 of 5"
        # An unknown field names the closest one.
        await pilot.press(*["backspace"] * 30, *"tga:x")
        await idle(pilot)
        assert "unknown field 'tga' (did you mean tag?) (at character 1)" in bar.status
        assert "unknown field 'tga'" in screen_text(app)


async def test_while_typing_a_query_that_breaks_the_title_never_counts_it(
    make_settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Typing `in:politics` letter by letter: `in` is a word (in "Summit in Paris"), `in:`
    does not parse (needs a value). The list keeps the last query that parsed; its title
    and the status line say the field's query is not applied, until it parses again."""
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await type_filter(pilot, "in")
        articles = main.query_one(ArticleList)
        bar = main.query_one(FilterBar)
        assert articles.border_title == "Articles · 1 of 5"
        await pilot.press(":")
        await idle(pilot)
        assert titles(main) == ["Summit in Paris"]
        assert articles.border_title == "query not applied · 1 of 5"
        assert "not applied: the list shows “in”" in screen_text(app)
        await pilot.press(*"politics")
        await idle(pilot)
        assert titles(main) == ["Cabinet reshuffle", "Vote on Tuesday"]
        assert articles.border_title == "Articles · 2 of 5"
        # From an empty field: every article, and the title says the query is not applied.
        await pilot.press(*["backspace"] * 11, "(")
        await idle(pilot)
        assert len(titles(main)) == 5
        assert articles.border_title == "Articles · query not applied"
        assert "not applied: the list shows every article" in bar.status
        await pilot.press("escape")
        await idle(pilot)
        assert articles.border_title == "Articles"


async def test_a_label_or_folder_that_names_nothing_says_so_under_the_field(
    make_settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """label:perosn parses and finds nothing: the field says which label was meant (a
    notice: the query is applied); in: a folder the library has not, likewise."""
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await type_filter(pilot, "label:perosn")
        bar = main.query_one(FilterBar)
        assert bar.error is None and titles(main) == []
        assert "no label PEROSN: did you mean PERSON?" in bar.status.splitlines()
        assert "no label PEROSN: did you mean" in screen_text(app)  # wrapped in the sidebar
        await pilot.press(*["backspace"] * 12, *"minister in:ecnomy")
        await idle(pilot)
        assert (
            bar.status.splitlines()[0] == "no folder ecnomy in the library: did you mean economy?"
        )
        await pilot.press(*["backspace"] * 6, *"economy")
        await idle(pilot)
        assert bar.status == "" and titles(main) == ["Budget talks stall"]


async def test_enter_keeps_the_filter_and_escape_clears_it(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await type_filter(pilot, "in:politics")
        await pilot.press("enter")
        articles = main.query_one(ArticleList)
        assert app.focused is articles
        assert titles(main) == ["Cabinet reshuffle", "Vote on Tuesday"]
        assert main.query_one(FilterBar).display
        # The list works as usual: j and Enter open the second article found.
        await pilot.press("j", "enter")
        await idle(pilot)
        assert main.article is not None and main.article.title == "Vote on Tuesday"
        # `/` again: the field, with the query kept; Escape clears it.
        articles.focus()
        await pilot.press("slash")
        assert main.query_one(FilterBar).value == "in:politics"
        await pilot.press("escape")
        await idle(pilot)
        assert app.focused is articles
        assert len(titles(main)) == 5
        assert articles.border_title == "Articles"
        assert not main.query_one(FilterBar).display


async def test_the_highlighted_article_is_kept_when_still_listed(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        articles = main.query_one(ArticleList)
        await pilot.press("j", "j")  # Cabinet reshuffle
        assert articles.highlighted_article is not None
        assert articles.highlighted_article.title == "Cabinet reshuffle"
        await pilot.press("slash", *"minister")
        await idle(pilot)
        assert articles.highlighted_article.title == "Cabinet reshuffle"
        assert articles.highlighted == 1
        await pilot.press("escape")
        await idle(pilot)
        assert articles.highlighted_article.title == "Cabinet reshuffle"
        # Not found any more: the first row is highlighted.
        await pilot.press("slash", *"paris")
        await idle(pilot)
        assert articles.highlighted_article.title == "Summit in Paris"


async def test_a_sorting_query_shows_its_sort(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await type_filter(pilot, "minister sort:-title")
        assert titles(main) == ["Summit in Paris", "Cabinet reshuffle", "Budget talks stall"]
        assert main.query_one(ArticleList).border_title == "3 of 5 · sort: -title"


async def test_a_search_made_stale_by_a_later_keystroke_is_dropped(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await type_filter(pilot, "in:world")
        search = main.library_search
        from reader.ui.messages import FilterFound

        # A result for an older keystroke arrives late: the list does not change.
        search.found(FilterFound(0, [str(a.path) for a in main.library.articles]))  # type: ignore[union-attr]
        assert titles(main) == ["Summit in Paris"]


async def test_the_list_works_while_the_index_is_built_and_narrows_when_ready(  # type: ignore[no-untyped-def]
    make_settings, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    update = reader.search.index.SearchIndex.update

    def slow_update(self, workspace, **kwargs):  # type: ignore[no-untyped-def]
        release.wait(10)
        return update(self, workspace, **kwargs)

    monkeypatch.setattr(reader.search.index.SearchIndex, "update", slow_update)
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, MainScreen) and app.screen.library is not None:
                break
        main = app.screen
        assert isinstance(main, MainScreen)
        main.query_one(ArticleList).focus()
        await pilot.press("slash", *"minister")
        await pilot.pause()
        bar = main.query_one(FilterBar)
        assert "indexing the library" in bar.status
        assert len(titles(main)) == 5  # the list works, unfiltered
        await pilot.press("escape", "j")
        assert main.query_one(ArticleList).highlighted == 1
        await pilot.press("slash", *"minister OR paris")
        release.set()
        await idle(pilot)
        assert bar.status == ""
        assert titles(main) == ["Budget talks stall", "Cabinet reshuffle", "Summit in Paris"]


async def test_an_index_that_cannot_be_built_is_said_in_the_field_not_building(  # type: ignore[no-untyped-def]
    make_settings, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first update fails (a full disk, a library missing): the field says so, with
    the reason, rather than "indexing the library…" for ever; the list stays unfiltered."""

    def failing_update(self, workspace, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device \x1b[31m")

    monkeypatch.setattr(reader.search.index.SearchIndex, "update", failing_update)
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        main.query_one(ArticleList).focus()
        await pilot.press("slash", *"minister")
        await idle(pilot)
        bar = main.query_one(FilterBar)
        assert bar.status.startswith("the search index could not be built (")
        assert "No space left on device" in bar.status and "\x1b" not in bar.status
        assert bar.status.endswith("the list is not filtered")
        assert len(titles(main)) == 5


async def test_tags_added_in_the_app_are_found_by_the_filter(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        await pilot.press("j", "enter")  # Markets rally
        await idle(pilot)
        await pilot.press("t")
        await pilot.pause(0.1)
        await pilot.press(*"energy", "enter")
        await idle(pilot)
        main.query_one(ArticleList).focus()
        await pilot.press("slash", *"tag:energy")
        await idle(pilot)
        assert titles(main) == ["Markets rally"]


async def save_view(pilot: Pilot[Any], name: str) -> None:
    await pilot.press("ctrl+s")
    await pilot.pause(0.1)
    assert isinstance(pilot.app.screen, ViewNameScreen)
    await pilot.press(*name, "enter")
    await pilot.pause(0.1)


async def test_ctrl_s_saves_a_view_listed_with_its_count(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await type_filter(pilot, "minister -in:world")
        views = main.query_one(ViewList)
        assert not views.display
        await save_view(pilot, "[b]Ministers[/b]")
        main = await idle(pilot)
        assert stored_views(app) == [{"name": "[b]Ministers[/b]", "query": "minister -in:world"}]
        assert views.display
        assert [v.name for v in views.views] == ["[b]Ministers[/b]"]
        assert views.counts == {"[b]Ministers[/b]": 2}
        row = views.render_line(0).text
        # The name as typed (never markup), the count at the end, marked as in force.
        assert row.startswith("▸ [b]Ministers[/b]") and row.rstrip().endswith("2"), row
        # Clear, then choose the view: it filters the list again.
        main.query_one(FilterBar).focus()
        await pilot.press("escape")
        await idle(pilot)
        assert len(titles(main)) == 5
        views.focus()
        await pilot.press("enter")
        await idle(pilot)
        assert main.query_one(FilterBar).value == "minister -in:world"
        assert titles(main) == ["Budget talks stall", "Cabinet reshuffle"]
        assert app.focused is main.query_one(ArticleList)
        assert main.query_one(ArticleList).border_title == "Articles · 2 of 5"


async def test_saving_under_a_name_in_use_asks_before_replacing(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await type_filter(pilot, "in:world")
        await save_view(pilot, "news")
        await idle(pilot)
        await pilot.press(*" OR in:sport")
        await save_view(pilot, "NEWS")
        assert "Replace its query" in screen_text(app)
        # No: back to the name, selected (what is typed replaces it), nothing saved yet.
        await pilot.press("n")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ViewNameScreen)
        field = app.screen.query_one(Input)
        assert field.value == "NEWS" and field.selected_text == "NEWS"
        await pilot.press(*"both", "enter")
        await idle(pilot)
        assert stored_views(app) == [
            {"name": "news", "query": "in:world"},
            {"name": "both", "query": "in:world OR in:sport"},
        ]
        await save_view(pilot, "NEWS")
        await pilot.press("y")
        await idle(pilot)
        assert stored_views(app)[0] == {"name": "NEWS", "query": "in:world OR in:sport"}


async def palette(pilot: Pilot[Any], command: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause(0.1)
    await pilot.press(*command)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause(0.1)


async def test_views_are_renamed_and_deleted_from_the_palette(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_settings, tmp_path, {"Economy": "in:economy", "Bad": "tga:x"})
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        views = main.query_one(ViewList)
        assert views.counts == {"Economy": 2, "Bad": None}
        assert views.render_line(1).text.rstrip().endswith("!")
        await palette(pilot, "rename view: economy")
        assert isinstance(app.screen, ViewNameScreen)
        await pilot.press(*["backspace"] * 7, *"Money", "enter")
        await idle(pilot)
        assert stored_views(app)[0] == {"name": "Money", "query": "in:economy"}
        assert [v.name for v in views.views] == ["Money", "Bad"]
        await palette(pilot, "delete view: bad")
        await idle(pilot)
        assert stored_views(app) == [{"name": "Money", "query": "in:economy"}]
        assert [v.name for v in views.views] == ["Money"]
        # u undoes it, as any annotation change; the row comes back.
        main.query_one(ArticleList).focus()
        await pilot.press("u")
        await idle(pilot)
        assert [v.name for v in views.views] == ["Money", "Bad"]
        # The palette applies a view too.
        await palette(pilot, "view: money")
        await idle(pilot)
        assert titles(main) == ["Budget talks stall", "Markets rally"]


async def test_the_apps_bulk_build_starts_no_reading_process(  # type: ignore[no-untyped-def]
    make_settings, tmp_path, monkeypatch
) -> None:
    """The app builds its index lean: a first build of many articles is read in the app's
    own process (no ReadAhead child: the memory figure counts every process the app starts;
    `reader index` and `reader search` keep it), and the filter works once it is built."""
    from reader.search import writing

    monkeypatch.setattr(writing, "BULK", 1)
    monkeypatch.setattr(writing, "INSERT_BATCH", 1)
    started: list[object] = []
    real_start = writing.ReadAhead.start

    def start(self: writing.ReadAhead) -> bool:
        started.append(self)
        return real_start(self)

    monkeypatch.setattr(writing.ReadAhead, "start", start)
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("slash", *"markets", "enter")
        await idle(pilot)
        assert titles(main) == ["Markets rally"]
    assert started == []


async def test_a_count_overtaken_by_a_later_one_does_not_replace_it(
    make_settings, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The views are counted again after each update, the latest count only (an exclusive
    worker group): a count that started before an update and ends after the next count
    (a thread runs on when its worker is cancelled) must not put its older figures back."""
    app = make_app(make_settings, tmp_path, {"Energy": "tag:energy"})
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        views = main.query_one(ViewList)
        assert views.counts == {"Energy": 0}
        armed, held, release = threading.Event(), threading.Event(), threading.Event()
        paths = reader.search.index.SearchIndex.paths

        def held_paths(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            found = paths(self, *args, **kwargs)
            if armed.is_set():  # the first count after arming ends after the next one
                armed.clear()
                held.set()
                release.wait(30)
            return found

        monkeypatch.setattr(reader.search.index.SearchIndex, "paths", held_paths)
        try:
            armed.set()
            main.library_search.load_views()  # counts them: held, its figures read
            for _ in range(50):
                await pilot.pause(0.05)
                if held.is_set():
                    break
            assert held.is_set()
            await pilot.press("j", "enter")  # Markets rally, tagged: an update, a count
            await idle(pilot)
            await pilot.press("t")
            await pilot.pause(0.1)
            await pilot.press(*"energy", "enter")
            await idle(pilot)
            assert views.counts == {"Energy": 1}
        finally:
            release.set()
        await pilot.pause(0.2)
        await idle(pilot)
        assert views.counts == {"Energy": 1}


async def test_a_view_of_entities_is_not_counted_before_the_entities_are_indexed(
    make_settings, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The session's first update indexes the text only, the entities next (seconds to
    tens of seconds on a big library): a view asking for entities counted in between
    showed 0; it shows "…" (being counted) until the entity pass ends."""
    app = make_app(make_settings, tmp_path, {"People": "label:PERSON", "Economy": "in:economy"})
    release = threading.Event()
    update = reader.search.index.SearchIndex.update

    def held_update(self, workspace, *, entities=True, **kwargs):  # type: ignore[no-untyped-def]
        if entities:  # the entity pass: as long as a big library's
            release.wait(30)
        return update(self, workspace, entities=entities, **kwargs)

    monkeypatch.setattr(reader.search.index.SearchIndex, "update", held_update)
    async with app.run_test(size=SIZE) as pilot:
        try:
            # Not settle (nor ready): it waits for the update held.
            for _ in range(200):
                await pilot.pause(0.05)
                main = app.screen
                if isinstance(main, MainScreen) and main.query_one(ViewList).counts:
                    break
            assert isinstance(main, MainScreen)
            views = main.query_one(ViewList)
            await pilot.pause(0.3)
            assert main.library_search.index_ready
            assert views.counts == {"Economy": 2}  # "People" not known yet
            assert "…" in screen_text(app)
        finally:
            release.set()
        await idle(pilot)
        assert views.counts == {"People": 0, "Economy": 2}


@pytest.mark.parametrize("reading", [False, True])
async def test_slash_on_a_filtered_list_reopens_the_field_with_the_query_kept(  # type: ignore[no-untyped-def]
    make_settings, tmp_path, reading: bool
) -> None:
    """Enter keeps the filter; Escape in the list (or, *reading*, Escape from the article
    back to the list) does not clear it; `/` reopens the field with the kept query, and a
    query broken by what is typed next leaves the list as it was."""
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        main = await type_filter(pilot, "in:economy")
        await pilot.press("enter")
        main = await idle(pilot)
        assert titles(main) == ["Budget talks stall", "Markets rally"]
        if reading:
            await pilot.press("enter")  # the article gets the focus
            await settle(pilot)
        await pilot.press("escape")
        await idle(pilot)
        assert app.focused is main.query_one(ArticleList)
        assert titles(main) == ["Budget talks stall", "Markets rally"]
        await pilot.press("slash")
        bar = main.query_one(FilterBar)
        assert bar.display and bar.value == "in:economy"
        # Kept selected: End keeps it to go on from its end.
        assert bar.input.selected_text == "in:economy"
        await pilot.press("end", *" (")
        main = await idle(pilot)
        assert bar.value == "in:economy ("
        assert "not applied: the list shows “in:economy”" in bar.status
        assert titles(main) == ["Budget talks stall", "Markets rally"]


async def test_slash_on_a_filtered_list_selects_the_query_kept_so_typing_replaces_it(  # type: ignore[no-untyped-def]
    make_settings, tmp_path
) -> None:
    """`/` reopens the field with the kept query selected: a new query typed replaces it
    (it was appended: `in:economyin:world`); an arrow key keeps it to edit it."""
    app = make_app(make_settings, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await type_filter(pilot, "in:economy")
        await pilot.press("enter")
        main = await idle(pilot)
        await pilot.press("slash", *"in:world")
        main = await idle(pilot)
        bar = main.query_one(FilterBar)
        assert bar.value == "in:world"
        assert titles(main) == ["Summit in Paris"]
        await pilot.press("enter")
        await idle(pilot)
        # An arrow key keeps the query (Left: the caret to the selection's start).
        await pilot.press("slash", "left", *"sort:title ")
        await idle(pilot)
        assert bar.value == "sort:title in:world"
