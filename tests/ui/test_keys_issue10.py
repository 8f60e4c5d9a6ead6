"""Pilot tests of issue 10's keys: `y` and Ctrl+C copy, `g`/`G` in the notes panel, and a
help screen that lists only keys that do something, each once."""

from __future__ import annotations

from pathlib import Path

from reader.ui.app import ReaderApp
from reader.ui.screens.help import key_rows
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_view import ArticleView

from .conftest import in_article, read_only_database, settle

SIZE = (140, 45)


def library(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(
        "Talks in Geneva\n\nThe Foreign Office said little. Talks resume on Monday.\n",
        encoding="utf-8",
    )
    return folder


def notices(app: ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_y_copies_the_selection_with_a_notice(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(library(tmp_path / "articles"))
    async with in_article(settings, SIZE) as (app, pilot, view):
        start = view.text.index("Foreign")
        view.select_range(start, start + len("Foreign Office"))
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "Foreign Office"
        assert "Copied 14 characters" in notices(app)


async def test_ctrl_c_copies_a_selection_and_otherwise_says_how_to_quit(
    make_settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(library(tmp_path / "articles"))
    async with in_article(settings, SIZE) as (app, pilot, view):
        await pilot.press("ctrl+c")  # no selection: how to quit, nothing copied
        await pilot.pause()
        assert app.clipboard == ""
        assert "Press q or Ctrl+Q to quit (Ctrl+C copies a selection)." in notices(app)
        start = view.text.index("Talks resume")
        view.select_range(start, start + len("Talks resume"))
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.clipboard == "Talks resume"
        assert "Copied 12 characters" in notices(app)
        assert isinstance(app.screen, MainScreen)  # still running, nothing asked


async def test_y_copies_the_marked_entity(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()  # the seed article, with its entities
    async with in_article(settings, SIZE) as (app, pilot, view):
        await pilot.press("e")
        await pilot.pause()
        span = view.current_span
        assert span is not None
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == view.text[span.start : span.end]
        assert f"Copied {span.end - span.start} characters" in notices(app)


async def test_notes_panel_g_and_G_move_and_d_deletes_the_last(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with in_article(make_settings(library(tmp_path / "articles")), SIZE) as (app, pilot, _):
        await pilot.press("t")
        await pilot.pause(0.1)
        await pilot.press(*"one, two, three", "enter")
        await settle(pilot)
        panel = app.screen.query_one(AnnotationPanel)
        assert panel.annotations.tags == ["one", "two", "three"]
        panel.focus()
        panel.highlighted = 1
        await pilot.press("G")
        assert panel.highlighted == 2
        await pilot.press("g")
        assert panel.highlighted == 0
        await pilot.press("y")  # copies the highlighted entry: a tag's name
        await pilot.pause()
        assert app.clipboard == "one"
        await pilot.press("G", "d")
        await settle(pilot)
        assert panel.annotations.tags == ["one", "two"]


def test_help_lists_no_inert_keys_and_b_once() -> None:
    from reader.ui.widgets.annotation_panel import AnnotationPanel as Notes
    from reader.ui.widgets.article_list import ArticleList
    from reader.ui.widgets.entity_panel import EntityPanel
    from reader.ui.widgets.legend import Legend

    sections = [[ArticleView], [ReaderApp, MainScreen], [ArticleList], [EntityPanel], [Notes]]
    sections.append([Legend])
    for classes in sections:
        rows = key_rows(classes)
        keys = [key for row_keys, _ in rows for key in row_keys]
        descriptions = [description for _, description in rows]
        for inert in ("ctrl+pageup", "ctrl+pagedown", "super+c"):
            assert inert not in keys, (classes, inert)
        for description in ("Scroll Left", "Scroll Right", "Copy selected text"):
            assert description not in descriptions, (classes, description)
        assert keys.count("b") <= 1, (classes, rows)
    article = dict((tuple(k), d) for k, d in key_rows([ArticleView]))
    assert article[("b", "pageup")] == "Page up (b in a selection: word back)"
    assert ("y",) in article and ("ctrl+c",) in article
    notes = [k for k, _ in key_rows([Notes])]
    assert ["g", "home"] in notes and ["G", "end"] in notes


async def test_a_database_from_a_newer_reader_says_so_in_the_header(
    make_settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(library(tmp_path / "articles"))
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    newer = b'{"meta": {"1": {"format": "reader-annotations", "schema_version": 99}}}'
    settings.db_path.write_bytes(newer)
    async with in_article(settings, SIZE) as (app, pilot, _):
        await pilot.pause(0.2)
        header = app.screen.query_one("HeaderTitle").render().plain
        assert "annotations off: annotations.json was written by a newer reader (schema 99)" in (
            header
        )
    assert settings.db_path.read_bytes() == newer


async def test_read_only_is_shown_and_writing_keys_are_not_offered(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from reader.ui.widgets.key_bar import KeyBar

    settings = make_settings(library(tmp_path / "articles"))
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    with read_only_database(settings.db_path):  # mode 0444: really not writable
        async with in_article(settings, SIZE) as (app, pilot, _):
            assert app.store is not None and app.store.read_only
            await pilot.pause(0.2)  # a second and later, still said
            header = app.screen.query_one("HeaderTitle").render().plain  # type: ignore[attr-defined]
            # Why, where the user looks (the notice saying it in full goes after a while).
            assert "read-only: annotations.json is not writable (mode 0444)" in header
            shown = {k.key for k in app.screen.query_one(KeyBar).keys}
            assert not shown & set("tahcum"), shown
            assert "x" in shown  # exporting writes no annotation
            await pilot.press("t")
            await pilot.pause(0.1)
            assert isinstance(app.screen, MainScreen)
            before = len(app._notifications)
            await pilot.press("m")  # a read mark is written to the database too
            await settle(pilot)
            assert len(app._notifications) == before  # not offered: no "Cannot save"
            app.screen.query_one(AnnotationPanel).focus()
            await pilot.pause()
            described = {k.description for k in app.screen.query_one(KeyBar).keys}
            assert not described & {"Edit note", "Delete"}, described


async def test_read_only_offers_no_writing_palette_commands(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from reader.ui.screens.library_search import ViewCommands

    def offered(app: ReaderApp) -> set[str]:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        views = ViewCommands(app.screen)._commands()
        return titles | {title for title, _, _ in views}

    writing = {"Tag article", "Note on article", "Rename tag", "Undo"}
    writing |= {"Rename view: a view", "Delete view: a view"}
    settings = make_settings(library(tmp_path / "articles"))
    with read_only_database(settings.db_path):  # holds the view "a view"
        async with in_article(settings, SIZE) as (app, _pilot, _):
            shown = offered(app)
            assert not shown & writing, shown & writing
            assert {"View: a view", "Export annotations…", "Entity page"} <= shown
    async with in_article(settings, SIZE) as (app, _pilot, _):  # writable again: all offered
        assert writing <= offered(app)
