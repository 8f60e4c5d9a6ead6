"""Pilot tests of the entity pages (reader/ui/screens/entity_page.py, entity_pages.py,
entity_library.py): opened from the marked entity and from the entity panel, the order of
the articles, a snippet's jump, a co-occurring entity's page, Escape back to where the
reader was, and a merge made in the app shown in the panel and the page, then undone.

Real parts: the real spaCy pipeline's entities (found once into a cache copied per test),
the real entity index (SQLite) and a real TinyDB store, the real app.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import entities_found, library_with_entities
from textual.pilot import Pilot

from reader import foreground
from reader.entities.library.index import EntityIndex
from reader.library import catalogue
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.entity_library import EntityLibraryScreen
from reader.ui.screens.entity_page import EntityPageScreen
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_lists import CooccurringList, EntityList, MentionList
from reader.ui.widgets.entity_panel import EntityGroup, EntityPanel

from .conftest import ready, settle

#: Sorted by name, the library's order: geneva first (the article shown at start).
ARTICLES = {
    "a-geneva.txt": (
        "2026-01-10 Lavrov and Blair meet in Geneva\n\n"
        "Sergey Lavrov met Tony Blair in Geneva on Monday. Lavrov said the talks with Blair "
        "were useful. The Russian foreign minister later left for Moscow.\n"
    ),
    "b-moscow.txt": (
        "2026-03-05 Talks in Moscow end without a deal\n\n"
        "Foreign Minister Sergey Lavrov told reporters in Moscow on Tuesday that Russia "
        "would keep talking. The United Nations welcomed the news.\n"
    ),
    "c-vienna.txt": (
        "2025-11-20 Lavrov in Vienna\n\n"
        "Sergey Lavrov arrived in Vienna on Sunday. Lavrov met the Austrian chancellor. "
        "Later Lavrov spoke to reporters in Vienna. Lavrov left on Monday.\n"
    ),
    "d-court.txt": (
        "2026-02-02 Court hears appeal\n\n"
        "Blair told the court in London that the appeal should be heard in March. The judge "
        "agreed with Blair.\n"
    ),
    "e-dinner.txt": (
        "2026-02-14 A charity dinner in London\n\n"
        "Tony Blair and Cherie Blair attended a dinner in London on Friday. Blair spoke "
        "about Africa.\n"
    ),
}


def write_library(root: Path) -> None:
    """The articles, each dated by its file's time (the date at the start of its text)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        date, body = text.split(" ", 1)
        (root / name).write_text(body, encoding="utf-8")
        stamp = datetime.fromisoformat(f"{date}T12:00").timestamp()
        os.utime(root / name, (stamp, stamp))


@pytest.fixture(scope="module")
def entity_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real pipeline's entities of every article, found once."""
    folder = tmp_path_factory.mktemp("entities")
    write_library(folder / "library")
    return entities_found(folder / "library", folder)


def make_app(tmp_path: Path, entity_cache: Path) -> ReaderApp:
    settings = library_with_entities(tmp_path, write_library, entity_cache)
    return build_app(settings)


def make_app_two_unfound(tmp_path: Path, entity_cache: Path) -> ReaderApp:
    """:func:`make_app`, the entities of two articles never opened (d-court.txt,
    e-dinner.txt) not found: taken out of its cache."""
    app = make_app(tmp_path, entity_cache)
    for article in app.workspace.library().articles:
        if article.path.name in ("d-court.txt", "e-dinner.txt"):
            [cached] = (tmp_path / "cache").rglob(f"{article.sha256}.json")
            cached.unlink()
    return app


@pytest.fixture
def app(tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch) -> ReaderApp:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    return make_app(tmp_path, entity_cache)


async def mark(pilot: Pilot[Any], text: str, nth: int = 1) -> ArticleView:
    """Focus the article and press `e` until the *nth* mention reading *text* is marked."""
    view = pilot.app.screen.query_one(ArticleView)
    view.focus()
    seen = 0
    for _ in range(40):
        await pilot.press("e")
        span = view.current_span
        if span is not None and span.text == text:
            seen += 1
            if seen == nth:
                return view
    raise AssertionError(f"{text!r} never marked")


async def open_article(pilot: Pilot[Any], name: str) -> MainScreen:
    await ready(pilot)  # the list filled and the first article shown
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    articles = screen.query_one(ArticleList)
    index = next(i for i, a in enumerate(articles.articles) if a.path.name == name)
    articles.focus()
    await pilot.press("g", *["j"] * index, "enter")
    return await ready(pilot)


def page_screen(pilot: Pilot[Any]) -> EntityPageScreen:
    screen = pilot.app.screen
    assert isinstance(screen, EntityPageScreen), screen
    assert screen.page is not None
    return screen


async def show_page(pilot: Pilot[Any]) -> EntityPageScreen:
    """Press `p`; return the page shown."""
    await pilot.press("p")
    await settle(pilot)
    return page_screen(pilot)


async def open_page(pilot: Pilot[Any], panel: EntityPanel) -> EntityPageScreen:
    """Press `p` in the entity panel; return the page shown."""
    panel.focus()
    return await show_page(pilot)


async def marked_page(pilot: Pilot[Any], text: str) -> EntityPageScreen:
    """Mark the first mention reading *text* (:func:`mark`), press `p`; the page shown."""
    await mark(pilot, text)
    return await show_page(pilot)


def titles(screen: EntityPageScreen) -> list[str]:
    return [a.title for a in screen.query_one(MentionList).articles]


def panel_rows(screen: MainScreen) -> list[str]:
    panel = screen.query_one(EntityPanel)
    return [panel.render_line(y).text.strip() for y in range(panel.row_count)]


async def test_the_marked_entity_opens_its_page_and_escape_returns(app: ReaderApp) -> None:
    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        view = await mark(pilot, "Lavrov")  # "Lavrov", the second mention: Sergey Lavrov
        view.scroll_to(y=1, animate=False, immediate=True)
        before = (main.article, view.scroll_y, view.current_span, app.focused)
        screen = await show_page(pilot)
        assert screen.page is not None
        entity = screen.page.entity
        assert (entity.name, entity.label) == ("Sergey Lavrov", "PERSON")
        assert "Lavrov" in entity.variants
        head = str(screen.query_one("#entity-head").render())
        assert "Sergey Lavrov" in head and "PERSON" in head and "variants" in head
        assert "3 articles" in head
        assert "so far" not in head  # every article's entities are found
        # Each article with its mention count, a snippet per mention with the entity in it.
        mentions = screen.query_one(MentionList)
        assert [len(a.mentions) for a in mentions.articles] == [1, 3, 5]
        drawn = [mentions.render_line(y).text for y in range(mentions.row_count)]
        assert "×5" in drawn[6] and "Lavrov in Vienna" in drawn[6]
        assert all("Lavrov" in line for line in drawn[7:12])
        # The timeline: mentions by month, oldest to newest.
        timeline = str(screen.query_one("#entity-timeline").render())
        assert "2025-11" in timeline and "2026-03" in timeline
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is main
        assert (main.article, view.scroll_y, view.current_span, app.focused) == before


async def test_a_page_of_a_library_not_yet_indexed_says_how_much_it_covers(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article never opened (nor indexed by `reader index`) has no entities found: the
    page counts only the others', and says so, with what finds the rest."""
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    app = make_app(tmp_path, entity_cache)
    (tmp_path / "library" / "z-unread.txt").write_text(
        "Lavrov again\n\nSergey Lavrov spoke in Oslo on Friday.\n", encoding="utf-8"
    )
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        page = await marked_page(pilot, "Sergey Lavrov")
        head = str(page.query_one("#entity-head").render())
        assert "3 articles" in head
        assert "entities found in 5 of 6 articles so far" in head
        assert "reader index" in head


async def test_a_background_pass_waits_until_the_page_asked_for_is_painted(
    app: ReaderApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`p` during the search index's build: the build (a pass that gives way, as the
    index's does between two articles) goes on only once the page's frame is painted, so
    the page is not read and drawn in the GIL's turns with the build's rules (figure 13)."""
    reading, proceed = threading.Event(), threading.Event()
    real_page = EntityIndex.page

    def held_page(self: EntityIndex, *args: Any, **kwargs: Any) -> Any:
        reading.set()
        proceed.wait(30)
        return real_page(self, *args, **kwargs)

    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        await mark(pilot, "Lavrov")
        monkeypatch.setattr(EntityIndex, "page", held_page)
        seen: list[tuple[object, str | None]] = []

        def background() -> None:
            foreground.give_way()
            screen = pilot.app.screen
            page = getattr(screen, "page", None)
            seen.append((screen, None if page is None else page.entity.name))

        await pilot.press("p")
        try:
            assert await asyncio.to_thread(reading.wait, 30)  # the page is being read
            thread = threading.Thread(target=background, daemon=True)
            thread.start()
            waits = await asyncio.to_thread(
                lambda: _until(lambda: foreground.waiting() >= 1 or not thread.is_alive())
            )
            assert waits and thread.is_alive() and not seen  # the pass waits
        finally:
            proceed.set()
        await settle(pilot)
        await asyncio.to_thread(thread.join, 30)
        assert seen == [(page_screen(pilot), "Sergey Lavrov")]  # once the page was painted
        assert not foreground.held()


def _until(condition: Callable[[], bool]) -> bool:
    """Poll *condition* until it holds, or 30 s passed (a failure, not a measure)."""
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


async def test_the_panel_opens_the_page_and_enter_still_jumps(app: ReaderApp) -> None:
    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        panel = main.query_one(EntityPanel)
        # The panel names the mentions as the library does: "Lavrov" is Sergey Lavrov's.
        assert "Sergey Lavrov ×3" in panel_rows(main)
        panel.focus()
        while not (isinstance(panel.chosen, EntityGroup) and panel.chosen.text == "Tony Blair"):
            await pilot.press("j")
        first = panel.chosen.first
        await pilot.press("enter")  # Enter still jumps to the first mention
        view = main.query_one(ArticleView)
        assert view.current_span is not None and view.current_span.start == first
        assert pilot.app.screen is main
        assert titles(await open_page(pilot, panel)) == [
            "A charity dinner in London",
            "Lavrov and Blair meet in Geneva",
        ]
        await pilot.press("escape")
        await settle(pilot)
        # Another entity chosen in the panel (Tony Blair stays marked in the article): the
        # panel's choice wins while it has the focus.
        while not (isinstance(panel.chosen, EntityGroup) and panel.chosen.text == "Geneva"):
            await pilot.press("j")
        screen = await open_page(pilot, panel)
        assert screen.page is not None and screen.page.entity.name == "Geneva"
        assert view.current_span is not None and view.current_span.start == first


async def test_the_order_toggles_and_is_shown(app: ReaderApp) -> None:
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        screen = await marked_page(pilot, "Sergey Lavrov")
        newest = ["Talks in Moscow end without a deal", "Lavrov and Blair meet in Geneva",
                  "Lavrov in Vienna"]  # fmt: skip
        assert titles(screen) == newest
        assert "newest first" in str(screen.query_one(MentionList).border_title)
        await pilot.press("o")
        await settle(pilot)
        assert titles(screen) == [newest[2], newest[1], newest[0]]  # 4, 3, 1 mentions
        assert "most mentions first" in str(screen.query_one(MentionList).border_title)
        await pilot.press("o")
        await settle(pilot)
        assert titles(screen) == newest


async def test_a_snippet_opens_the_article_at_that_mention_marked(app: ReaderApp) -> None:
    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        screen = await marked_page(pilot, "Sergey Lavrov")
        vienna = screen.query_one(MentionList).articles[2]
        # Rows: Moscow (heading, 1 mention), Geneva (heading, 3), Vienna (heading, 4): the
        # third mention in Vienna is row 9; from the first mention (row 1), 8 down.
        await pilot.press(*["j"] * 8)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is main
        assert main.article is not None and main.article.path.name == "c-vienna.txt"
        view = main.query_one(ArticleView)
        span = view.current_span
        assert span is not None and span.start == vienna.mentions[2][0]
        assert span.text == "Lavrov" and app.focused is view
        # The sidebar highlights the article opened.
        shown = main.query_one(ArticleList).highlighted_article
        assert shown is not None and shown.path.name == "c-vienna.txt"


async def test_a_cooccurring_entity_opens_its_page(app: ReaderApp) -> None:
    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        screen = await marked_page(pilot, "Sergey Lavrov")
        assert screen.page is not None
        lavrov = screen.page.entity.id
        others = screen.query_one(CooccurringList)
        assert others.others, "nobody appears with Lavrov"
        top = others.others[0]
        names = [o.name for o in others.others]
        assert "Tony Blair" in names and "Moscow" in names
        mentions = screen.query_one(MentionList)
        await pilot.press("j", "j")
        row = mentions.highlighted
        await pilot.press("tab")
        assert app.focused is others
        await pilot.press("enter")
        await settle(pilot)
        assert page_screen(pilot) is screen
        assert screen.page is not None and screen.page.entity.id == top.id
        assert len(mentions.articles) == screen.page.entity.articles
        # Escape: Lavrov's page again, on the row left; Escape again: the article.
        await pilot.press("escape")
        await settle(pilot)
        assert page_screen(pilot) is screen
        assert screen.page is not None and screen.page.entity.id == lavrov
        assert mentions.highlighted == row and app.focused is mentions
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is main


async def test_a_merge_in_the_app_shows_in_the_panel_and_the_page_and_is_undone(
    app: ReaderApp,
) -> None:
    async with app.run_test(size=(140, 44)) as pilot:
        main = await open_article(pilot, "d-court.txt")
        # "Blair" alone: Tony or Cherie, so not joined to either (shown as ambiguous).
        assert "Blair ×2" in panel_rows(main)
        page = await marked_page(pilot, "Blair")
        assert page.page is not None
        assert set(page.page.entity.ambiguous) == {"Cherie Blair", "Tony Blair"}
        assert "may be any of" in str(page.query_one("#entity-head").render())
        await pilot.press("M")
        await settle(pilot)
        chooser = pilot.app.screen
        assert isinstance(chooser, EntityLibraryScreen)
        await pilot.press(*"tony", "enter")
        await settle(pilot)
        assert pilot.app.screen is page
        assert page.page is not None and page.page.entity.name == "Tony Blair"
        assert "Court hears appeal" in titles(page)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is main
        rows = panel_rows(main)
        assert "Tony Blair ×2" in rows and "Blair ×2" not in rows
        # The main screen's undo takes the merge back: the panel shows "Blair" again.
        main.query_one(ArticleView).focus()
        await pilot.press("u")
        await settle(pilot)
        rows = panel_rows(main)
        assert "Blair ×2" in rows and "Tony Blair ×2" not in rows
        # Said with the names the user saw, not the entities' name keys ("tony blair").
        undone = [str(n.message) for n in pilot.app._notifications if "Undone" in str(n.message)]
        assert undone == ["Undone: merged Blair into Tony Blair"]
        # Merged again from the page, undone on the page.
        page = await show_page(pilot)
        await pilot.press("M")
        await settle(pilot)
        await pilot.press(*"tony", "enter")
        await settle(pilot)
        assert page.page is not None and page.page.entity.name == "Tony Blair"
        await pilot.press("u")
        await settle(pilot)
        assert page.page is not None and page.page.entity.name == "Tony Blair"
        assert "Court hears appeal" not in titles(page)


async def test_rename_from_the_page(app: ReaderApp) -> None:
    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        page = await marked_page(pilot, "Sergey Lavrov")
        await pilot.press("r")
        await pilot.press("ctrl+u", *"S. V. Lavrov", "enter")
        await settle(pilot)
        assert page.page is not None and page.page.entity.name == "S. V. Lavrov"
        await pilot.press("escape")
        await settle(pilot)
        assert "S. V. Lavrov ×3" in panel_rows(main)


async def test_the_library_list_filters_and_opens_a_page(app: ReaderApp) -> None:
    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        await pilot.press("P")
        await settle(pilot)
        library = pilot.app.screen
        assert isinstance(library, EntityLibraryScreen)
        await pilot.press(*"lavr")
        entities = library.query_one(EntityList)
        assert entities.shown >= 1
        names = [entities.render_line(y).text for y in range(entities.row_count)]
        assert names[1].strip().startswith("Sergey Lavrov")  # PERSON first, most mentioned
        assert all("Lavr" in name or not name.startswith("  ") for name in names)
        await pilot.press("down")  # from the field to the list
        assert app.focused is entities
        await pilot.press("G", "g", "enter")
        await settle(pilot)
        page = page_screen(pilot)
        assert page.page is not None and page.page.entity.name == "Sergey Lavrov"
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is library
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is main


async def test_read_only_offers_no_entity_edits(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    app = make_app(tmp_path, entity_cache)
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        app.store_problem = "read-only for this test"
        page = await marked_page(pilot, "Sergey Lavrov")
        shown = {b.binding.action for b in page.active_bindings.values() if b.enabled}
        assert "toggle_order" in shown
        assert not shown & {"merge", "rename", "relabel", "split", "undo"}
        await pilot.press("M")
        await settle(pilot)
        assert pilot.app.screen is page


async def test_the_filter_finds_an_entity_as_the_library_resolves_it(app: ReaderApp) -> None:
    from .test_filter import idle

    async with app.run_test(size=(140, 44)) as pilot:
        main = await idle(pilot)
        main.query_one(ArticleList).focus()
        # "Lavrov" is Sergey Lavrov: the article that says only "Lavrov" is found too.
        await pilot.press("slash", *"entity:Lavrov", "enter")
        main = await idle(pilot)
        found = {a.path.name for a in main.query_one(ArticleList).articles}
        assert found == {"a-geneva.txt", "b-moscow.txt", "c-vienna.txt"}
        # A merge made in the app: the court article's lone "Blair" is Tony Blair's now.
        await pilot.press("slash", "escape")  # the filter cleared: every article again
        main = await idle(pilot)
        main = await open_article(pilot, "d-court.txt")
        await marked_page(pilot, "Blair")
        await pilot.press("M")
        await settle(pilot)
        await pilot.press(*"tony", "enter")
        await settle(pilot)
        await pilot.press("escape")
        main = await idle(pilot)
        main.query_one(ArticleList).focus()
        await pilot.press("slash", *'entity:"Tony Blair"', "enter")
        main = await idle(pilot)
        found = {a.path.name for a in main.query_one(ArticleList).articles}
        assert found == {"a-geneva.txt", "d-court.txt", "e-dinner.txt"}


async def test_a_merge_made_by_the_command_line_shows_in_the_open_app(
    app: ReaderApp, tmp_path: Path
) -> None:
    # `reader entity --merge` while the app is open: the app sees the database change
    # (its check for others' saves) and takes the store's entity edits again.
    from reader.cli import main as cli_main

    async with app.run_test(size=(140, 44)) as pilot:
        main = await open_article(pilot, "d-court.txt")
        assert "Blair ×2" in panel_rows(main)
        args = [
            "--db",
            str(tmp_path / "db.json"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--wait",
            "20",
        ]
        code = await asyncio.to_thread(
            cli_main,
            [
                "entity",
                "--merge",
                "Blair",
                "Tony Blair",
                "--label",
                "PERSON",
                *args,
                str(tmp_path / "library"),
            ],
        )
        assert code == 0
        for _ in range(60):  # the app looks for others' saves every second
            await pilot.pause(0.1)
            if "Tony Blair ×2" in panel_rows(main):
                break
        rows = panel_rows(main)
        assert "Tony Blair ×2" in rows and "Blair ×2" not in rows


async def test_an_article_removed_while_the_app_runs_leaves_the_entity_pages(
    app: ReaderApp, tmp_path: Path
) -> None:
    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        index = app.workspace.entity_index()

        def lavrov_articles() -> list[str]:
            found = index.find("Sergey Lavrov", "PERSON")
            page = index.page(found[0]) if found else None
            return sorted(Path(a.path).name for a in page.articles) if page else []

        for _ in range(100):  # the index is brought up to date in the background
            await pilot.pause(0.1)
            if len(await asyncio.to_thread(lavrov_articles)) == 3:
                break
        assert await asyncio.to_thread(lavrov_articles) == [
            "a-geneva.txt",
            "b-moscow.txt",
            "c-vienna.txt",
        ]
        await asyncio.wait_for(asyncio.to_thread(main.live_library.ready.wait), 60)
        shown = main.live_library.next_change()
        (tmp_path / "library" / "c-vienna.txt").unlink()
        await asyncio.wait_for(shown, 60)
        for _ in range(100):
            await pilot.pause(0.1)
            if len(await asyncio.to_thread(lavrov_articles)) == 2:
                break
        assert await asyncio.to_thread(lavrov_articles) == ["a-geneva.txt", "b-moscow.txt"]


async def choose_in_panel(pilot: Pilot[Any], panel: EntityPanel, text: str) -> None:
    """Focus the panel and move to the entity reading *text*."""
    panel.focus()
    await pilot.press("g")
    for _ in range(40):
        if isinstance(panel.chosen, EntityGroup) and panel.chosen.text == text:
            return
        await pilot.press("j")
    raise AssertionError(f"{text!r} not in the panel")


async def test_relabel_offers_the_labels_the_app_knows(app: ReaderApp) -> None:
    from reader.entities.span import LABELS
    from reader.ui.screens.entity_dialogs import LabelScreen

    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        page = await marked_page(pilot, "Geneva")
        assert page.page is not None and page.page.entity.label == "GPE"
        await pilot.press("L")
        await settle(pilot)
        picker = pilot.app.screen
        assert isinstance(picker, LabelScreen)
        labels = picker.query_one("#entity-labels")
        assert labels.option_count == len(LABELS)  # type: ignore[attr-defined]
        assert labels.highlighted == LABELS.index("GPE")  # type: ignore[attr-defined]
        await pilot.press(str(LABELS.index("LOC") + 1))
        await settle(pilot)
        assert pilot.app.screen is page
        assert page.page is not None and page.page.entity.label == "LOC"
        await pilot.press("escape")
        await settle(pilot)
        rows = panel_rows(main)
        assert rows[rows.index("Geneva ×2") - 1].startswith("LOC")


async def test_the_panel_merges_renames_relabels_and_splits(app: ReaderApp) -> None:
    from reader.ui.screens.entity_dialogs import EntityTextScreen, LabelScreen, SplitScreen

    async with app.run_test(size=(140, 44)) as pilot:
        main = await open_article(pilot, "d-court.txt")
        panel = main.query_one(EntityPanel)
        await choose_in_panel(pilot, panel, "Blair")
        shown = {b.binding.action for b in main.active_bindings.values() if b.enabled}
        assert "screen.entity_edit('merge')" in shown
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(pilot.app.screen, EntityLibraryScreen)
        await pilot.press(*"tony", "enter")
        await settle(pilot)
        assert pilot.app.screen is main
        rows = panel_rows(main)
        assert "Tony Blair ×2" in rows and "Blair ×2" not in rows
        await choose_in_panel(pilot, panel, "Tony Blair")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, EntityTextScreen)
        await pilot.press("ctrl+u", *"Anthony Blair", "enter")
        await settle(pilot)
        assert "Anthony Blair ×2" in panel_rows(main)
        await choose_in_panel(pilot, panel, "Anthony Blair")
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LabelScreen)
        await pilot.press("escape")  # nothing changed
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SplitScreen)
        await pilot.press("enter")  # every name apart
        await settle(pilot)
        assert pilot.app.screen is main
        assert "Blair ×2" in panel_rows(main)


async def test_read_only_hides_the_panel_edits(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    app = make_app(tmp_path, entity_cache)
    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        app.store_problem = "read-only for this test"
        panel = main.query_one(EntityPanel)
        await choose_in_panel(pilot, panel, "Sergey Lavrov")
        main.refresh_bindings()
        shown = {b.binding.action for b in main.active_bindings.values() if b.enabled}
        assert not any(action.startswith("screen.entity_edit") for action in shown)
        await pilot.press("M", "L")
        await settle(pilot)
        assert pilot.app.screen is main


async def test_label_queries_and_the_library_list_say_when_entities_are_not_all_found(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two articles never opened and not indexed: their entities are not found; the
    filter's label: query and the P list say for how many articles they are."""
    from reader.ui.widgets.filter_bar import FilterBar

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    app = make_app_two_unfound(tmp_path, entity_cache)
    async with app.run_test(size=(140, 44)) as pilot:
        main = await ready(pilot)
        for _ in range(20):
            if not main.library_search.busy:
                break
            await settle(pilot)
        main.query_one(ArticleList).focus()
        await pilot.press("slash", *"label:PERSON")
        for _ in range(20):
            await settle(pilot)
            if not main.library_search.busy:
                break
        status = main.query_one(FilterBar).status
        assert (
            status == "entities found for 3 of 5 articles: results incomplete until `reader index`"
        )
        await pilot.press("escape", "escape")
        main.query_one(ArticleView).focus()
        await pilot.press("P")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, EntityLibraryScreen)
        subtitle = screen.query_one(EntityList).border_subtitle
        assert subtitle == "entities found for 3 of 5 articles · reader index finds the rest"


async def test_a_page_read_replaced_before_it_started_holds_nothing(app: ReaderApp) -> None:
    """Two reads of the page in one turn of the event loop (`o` twice, handled back to
    back): the first worker is cancelled before its thread starts (the group is
    exclusive), so its hold must end with it, not stop the index's build until it expires."""
    async with app.run_test(size=(140, 44)) as pilot:
        await ready(pilot)
        screen = await marked_page(pilot, "Lavrov")
        assert not foreground._holds
        screen.action_toggle_order()
        screen.action_toggle_order()
        await settle(pilot)
        assert page_screen(pilot).order == "newest"
        assert not foreground._holds  # expired or not: none left over
