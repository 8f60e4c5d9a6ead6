"""Drafts (reader/ui/screens/note_drafts.py): the note editor's text is kept in the store
once the typing pauses (in the writer thread, not per key), at once on a suspend, and the
next app on the same database names it and starts the editor from it; saving the note or
dropping it removes the draft, a failed save keeps it; a read-only store says so once.

Real parts: the real app under Pilot, started again on the same real TinyDB file, read
meanwhile as another process would (read-only); no entity model (not what this is
about). The pause is made by the test (the keeper's clock moved), never slept."""

from __future__ import annotations

import errno
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from reader.settings import Settings
from reader.store import AnnotationStore, ArticleRef
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens import note_drafts
from reader.ui.screens.dialogs import ConfirmScreen
from reader.ui.screens.main import MainScreen
from reader.ui.screens.note_editor import NoteScreen

from .conftest import in_article, settle

SIZE = (140, 40)


def library(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "a-oslo.txt").write_text("Talks in Oslo\n\nThe minister spoke on Monday.\n")
    (root / "b-vote.txt").write_text("Vote in Paris\n\nThe minister lost the vote.\n")
    return root


@pytest.fixture
def settings(make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # The pause is the test's to make (rest), never the clock's: on a loaded machine the
    # typing itself can take longer than DRAFT_AFTER.
    monkeypatch.setattr(note_drafts, "DRAFT_AFTER", 3600.0)
    made: Settings = make_settings(library(tmp_path / "lib"), model="no-such-pipeline")
    return made


def drafts(settings: Settings) -> list[str]:
    """The drafts' texts in the database, as another process reads them."""
    with AnnotationStore(settings.db_path, read_only=True) as store:
        return [draft.body for draft in store.drafts()]


def notes(settings: Settings) -> list[str]:
    with AnnotationStore(settings.db_path, read_only=True) as store:
        return [note.body for note in store.annotations(kind="note")]


async def rest(app: ReaderApp, pilot: Pilot[Any]) -> None:
    """The user stops typing for DRAFT_AFTER: the keeper's timer fires (its wait not
    slept), then the writes are awaited."""
    screen = app.screen
    assert isinstance(screen, NoteScreen) and screen.keeper is not None
    screen.keeper._asked -= note_drafts.DRAFT_AFTER
    screen.keeper._rested()
    await settle(pilot)


async def open_editor(app: ReaderApp, pilot: Pilot[Any]) -> NoteScreen:
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(app.screen, NoteScreen)
    return app.screen


async def draft_key(app: ReaderApp, pilot: Pilot[Any]) -> tuple[str, Any]:
    """The key and article a new note's draft on the open article has (the editor opened
    and closed untouched, to learn them)."""
    screen = await open_editor(app, pilot)
    assert screen.keeper is not None
    key, article = screen.keeper.key, screen.keeper._article
    await pilot.press("escape")
    await settle(pilot)
    return key, article


def text_of(screen: NoteScreen) -> str:
    return screen.query_one(TextArea).text


def status_of(screen: NoteScreen) -> str:
    status = screen.query_one("#note-status", Static)
    return str(status.render()) if status.display else ""


async def test_a_note_typed_is_kept_once_the_typing_pauses_and_the_next_app_restores_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real = AnnotationStore.set_draft

    def set_draft(store: AnnotationStore, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(store, *args, **kwargs)

    monkeypatch.setattr(AnnotationStore, "set_draft", set_draft)
    async with in_article(settings, SIZE) as (app, pilot, _):
        await open_editor(app, pilot)
        await pilot.press(*"Half a thought")
        await settle(pilot)
        assert drafts(settings) == []  # not per key: the user is still typing
        await rest(app, pilot)
        # On disk now: a kill -9 from here loses nothing typed before the pause.
        assert drafts(settings) == ["Half a thought"]
        assert threads and all(name != "MainThread" for name in threads)
        await pilot.press(*" and more")
        await rest(app, pilot)
        assert drafts(settings) == ["Half a thought and more"]
        assert len(threads) == 2  # one save a pause
        await pilot.press(*", last")  # the app quits before the pause: it asks
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert not app.is_running
    assert drafts(settings) == ["Half a thought and more, last"]
    assert notes(settings) == []  # a draft is not a note
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = [(str(n.title), str(n.message)) for n in app._notifications]
        assert any(
            "kept as draft" in title and "a note on “Talks in Oslo”" in message
            for title, message in said
        ), said
        screen = await open_editor(app, pilot)
        assert text_of(screen) == "Half a thought and more, last"
        assert status_of(screen).startswith("Draft from ") and "restored" in status_of(screen)
        # Esc asks (the draft is saved nowhere else); yes drops it, and the draft goes.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert drafts(settings) == []


async def test_saving_the_note_removes_its_draft_and_a_failed_save_keeps_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with in_article(settings, SIZE) as (app, pilot, _):
        assert app.store is not None
        await open_editor(app, pilot)
        await pilot.press(*"Precious words")
        await rest(app, pilot)
        assert drafts(settings) == ["Precious words"]

        def disk_full(*args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(app.store, "add_note", disk_full)
        await pilot.press(*" too")  # typed, Ctrl+S before the pause
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NoteScreen) and "No space left" in screen.heading
        assert drafts(settings) == ["Precious words too"]  # kept, as given back
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert notes(settings) == ["Precious words too"]
        assert drafts(settings) == []


async def test_ctrl_z_in_the_editor_undoes_and_text_emptied_never_removes_the_draft(
    settings: Settings,
) -> None:
    """Ctrl+Z in the editor is the text area's undo (the key, pressed: not a suspend);
    the text it empties is not written, and the draft kept stays: only a save or a drop
    removes it."""
    async with in_article(settings, SIZE) as (app, pilot, _):
        screen = await open_editor(app, pilot)
        await pilot.press(*"Typed then Ctrl+Z")
        await rest(app, pilot)
        assert drafts(settings) == ["Typed then Ctrl+Z"]
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.is_running and app.screen is screen and text_of(screen) == ""
        await rest(app, pilot)
        assert drafts(settings) == ["Typed then Ctrl+Z"]
        await pilot.press("ctrl+q")  # quitting with the text emptied keeps the draft too
        await settle(pilot)
    assert drafts(settings) == ["Typed then Ctrl+Z"]


async def test_a_passage_s_draft_is_reached_with_a_on_the_article(
    settings: Settings,
) -> None:
    async with in_article(settings, SIZE) as (app, pilot, view):
        start = view.text.index("minister")
        view.select_range(start, start + len("minister"))
        await open_editor(app, pilot)
        await pilot.press(*"Who is this?")
        await rest(app, pilot)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#article").focus()
        screen = await open_editor(app, pilot)  # no selection: the article's key
        assert text_of(screen) == "Who is this?"
        assert screen.heading == "Note on “minister”"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert drafts(settings) == []
    with AnnotationStore(settings.db_path, read_only=True) as store:
        (note,) = store.annotations(kind="note")
        assert note.body == "Who is this?" and note.target is not None
        assert note.target["quote"]["exact"] == "minister"


async def test_a_store_that_cannot_keep_drafts_is_said_once_in_the_editor(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer keeps its turn past the wait (StoreLocked), then the store is
    read-only: the editor says once that drafts are not kept, nothing crashes, no notice
    comes per pause; a later pause that can write keeps the draft."""
    from reader.store import StoreLocked

    async with in_article(settings, SIZE) as (app, pilot, _):
        store = app.store
        assert store is not None
        screen = await open_editor(app, pilot)

        def locked(*args: object, **kwargs: object) -> None:
            raise StoreLocked(store.path, "is being saved by another program")

        monkeypatch.setattr(store, "set_draft", locked)
        await pilot.press(*"words")
        await rest(app, pilot)
        said = status_of(screen)
        assert said.startswith("Drafts are not kept: ") and "another program" in said, said
        store.read_only, store.read_only_reason = True, "opened read-only"
        await pilot.press(*" more")
        await rest(app, pilot)
        assert status_of(screen) == said  # once
        assert not any("another program" in str(n.message) for n in app._notifications)
        assert app.is_running and drafts(settings) == []
        store.read_only = False
        monkeypatch.undo()
        await pilot.press(*" kept")
        await rest(app, pilot)
        assert drafts(settings) == ["words more kept"]


async def test_the_notice_at_start_names_drafts_sanitised_and_an_article_gone(
    settings: Settings,
) -> None:
    """Titles are untrusted: the notice shows them as text (never markup, no control
    sequence); a draft whose article left the library is said so, and kept."""
    from conftest import CONTROLS

    from reader.store import ArticleRef

    gone = ArticleRef("/nowhere/gone.txt", "f" * 64, f"[bold]Gone[/bold]{CONTROLS}")
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    with AnnotationStore(settings.db_path) as store:
        store.set_draft("article/" + "f" * 64, gone, "lost words?")
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        (notice,) = [n for n in app._notifications if "kept as draft" in n.title]
        assert not notice.markup
        assert "a note on “[bold]Gone[/bold]" in notice.message
        assert "not in the library: reader drafts prints it" in notice.message
        assert "\x1b" not in notice.message and "\x07" not in notice.message
    assert drafts(settings) == ["lost words?"]


async def test_two_apps_on_one_database_never_take_or_remove_the_other_s_draft(
    settings: Settings,
) -> None:
    """Another app (another live process) is writing a note on the same article: this
    app's editor does not start from its draft, its save removes only its own, and its
    start notice leaves that draft out; once that process has ended, its draft is
    named and restored like any other."""
    from reader.store import DraftOwner
    from reader.store.drafts import process_started

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        theirs = DraftOwner(other.pid, process_started(other.pid), "their-editor")
        async with in_article(settings, SIZE) as (app, pilot, _):
            key, article = await draft_key(app, pilot)
            with AnnotationStore(settings.db_path) as store:
                store.set_draft(key, article, "Their words", owner=theirs)
            screen = await open_editor(app, pilot)
            assert text_of(screen) == "" and "restored" not in status_of(screen)
            await pilot.press(*"My words")
            await rest(app, pilot)
            assert sorted(drafts(settings)) == ["My words", "Their words"]
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert notes(settings) == ["My words"] and drafts(settings) == ["Their words"]
        app = build_app(settings)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert not [n for n in app._notifications if "kept as draft" in n.title]
    finally:
        other.kill()
        other.wait()
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [n for n in app._notifications if "kept as draft" in n.title]
        app.screen.query_one("#article").focus()
        screen = await open_editor(app, pilot)
        assert text_of(screen) == "Their words"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert sorted(notes(settings)) == ["My words", "Their words"] and drafts(settings) == []


async def test_quitting_writes_the_draft_again_even_if_the_text_was_kept(
    settings: Settings,
) -> None:
    """At quit the text is written whatever was written before (the draft may have gone
    meanwhile: an older reader, a hand edit)."""
    async with in_article(settings, SIZE) as (app, pilot, _):
        screen = await open_editor(app, pilot)
        await pilot.press(*"Kept once")
        await rest(app, pilot)
        assert screen.keeper is not None
        key, owner = screen.keeper.key, screen.keeper.owner
        with AnnotationStore(settings.db_path) as store:
            assert store.delete_draft(key, owner)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert drafts(settings) == ["Kept once"]


async def test_an_editor_closed_before_its_draft_is_read_never_removes_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft is read in the writer thread: Esc, or Ctrl+S on what was typed, before it
    comes removes only what this editor wrote, never the draft it has not shown."""
    async with in_article(settings, SIZE) as (app, pilot, _):
        key, article = await draft_key(app, pilot)
        with AnnotationStore(settings.db_path) as store:
            store.set_draft(key, article, "Unseen words")
        go = threading.Event()
        real = AnnotationStore.drafts

        def slow(store: AnnotationStore) -> Any:
            go.wait(10)
            return real(store)

        monkeypatch.setattr(AnnotationStore, "drafts", slow)
        for keys in (["escape"], [*"Quick", "ctrl+s"]):
            go.clear()
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, NoteScreen) and text_of(app.screen) == ""
            await pilot.press(*keys)
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
            go.set()
            await settle(pilot)
            monkeypatch.setattr(AnnotationStore, "drafts", real)
            assert drafts(settings) == ["Unseen words"]
            monkeypatch.setattr(AnnotationStore, "drafts", slow)
        go.set()
    assert notes(settings) == ["Quick"]


async def test_the_quit_question_says_the_note_is_lost_when_drafts_are_not_kept(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store import StoreLocked

    async with in_article(settings, SIZE) as (app, pilot, _):
        store = app.store
        assert store is not None
        await open_editor(app, pilot)
        await pilot.press(*"words")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "kept as a draft" in app.screen._question
        await pilot.press("n")
        await settle(pilot)

        def locked(*args: object, **kwargs: object) -> None:
            raise StoreLocked(store.path, "is being saved by another program")

        monkeypatch.setattr(store, "set_draft", locked)
        await pilot.press(*" more")
        await rest(app, pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen._question
        assert "will be lost" in question and "kept as a draft" not in question, question
        await pilot.press("n")
        await settle(pilot)
        monkeypatch.undo()
        await rest(app, pilot)  # a later draft's save that works: kept again
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "kept as a draft" in app.screen._question
        await pilot.press("y")
        await pilot.pause()


async def test_a_passage_s_draft_adopted_after_typing_leaves_no_copy_behind(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed (and kept under the article's key) before the passage's draft was read: the
    editor shows both, kept as one draft on the passage; no orphan under the article's."""
    async with in_article(settings, SIZE) as (app, pilot, view):
        start = view.text.index("minister")
        view.select_range(start, start + len("minister"))
        await open_editor(app, pilot)
        await pilot.press(*"On the passage")
        await rest(app, pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
    go = threading.Event()
    real = AnnotationStore.drafts

    def slow(store: AnnotationStore) -> Any:
        go.wait(10)
        return real(store)

    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#article").focus()
        monkeypatch.setattr(AnnotationStore, "drafts", slow)
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NoteScreen) and screen.keeper is not None
        await pilot.press(*"Typed first")
        screen.keeper._asked -= note_drafts.DRAFT_AFTER
        screen.keeper._rested()  # queued behind the read
        go.set()
        await settle(pilot)
        monkeypatch.setattr(AnnotationStore, "drafts", real)
        assert text_of(screen) == "On the passage\n\nTyped first"
        with AnnotationStore(settings.db_path, read_only=True) as store:
            kept = store.drafts()
        assert [(d.key.split("/")[0], d.body) for d in kept] == [
            ("passage", "On the passage\n\nTyped first")
        ]


async def test_a_draft_that_cannot_be_read_is_said_in_the_editor_not_as_not_saved(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.store import StoreError

    async with in_article(settings, SIZE) as (app, pilot, _):

        def broken(store: AnnotationStore) -> Any:
            raise StoreError(store.path, "cannot be read: Input/output error")

        monkeypatch.setattr(AnnotationStore, "drafts", broken)
        screen = await open_editor(app, pilot)
        assert status_of(screen).startswith("The draft could not be read: ")
        assert not any("Not saved" in str(n.title) + str(n.message) for n in app._notifications)


async def test_the_draft_of_an_edit_whose_note_was_deleted_is_said_so_at_start(
    settings: Settings,
) -> None:
    from reader.store import ArticleRef

    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    with AnnotationStore(settings.db_path) as store:
        ref = ArticleRef("/nowhere/a.txt", "e" * 64, "Edited")
        note = store.add_note(ref, "a note")
        store.set_draft(f"note/{note.id}", ref, "an edit", annotation=note.id)
        store.delete(note.id)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        (notice,) = [n for n in app._notifications if "kept as draft" in n.title]
        assert "its note was deleted: reader drafts prints it" in notice.message


def keep_drafts(settings: Settings, *names: str) -> None:
    """A draft of a note on each article file named, as an app killed would leave it."""
    from reader.library import Article, read_article

    with AnnotationStore(settings.db_path) as store:
        for name in names:
            article = read_article(settings.article_paths[0] / name)
            assert isinstance(article, Article)
            ref = ArticleRef(str(article.path.resolve()), article.sha256, article.title)
            store.set_draft(note_drafts.draft_key(article.sha256, None), ref, f"On {name}")


def notices(app: ReaderApp) -> list[tuple[str, str]]:
    return [
        (str(n.title), str(n.message)) for n in app._notifications if "kept as draft" in n.title
    ]


async def test_the_notice_at_start_goes_with_the_drafts_it_names(settings: Settings) -> None:
    keep_drafts(settings, "a-oslo.txt", "b-vote.txt")
    async with in_article(settings, SIZE) as (app, pilot, _):
        await settle(pilot)
        ((title, message),) = notices(app)
        assert title.startswith("2 notes") and "Talks in Oslo" in message
        screen = await open_editor(app, pilot)
        assert text_of(screen) == "On a-oslo.txt"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert notes(settings) == ["On a-oslo.txt"]
        # Updated: the saved draft is no longer named, the other one still is.
        ((title, message),) = notices(app)
        assert title.startswith("1 note ") and "Talks in Oslo" not in message
        assert "Vote in Paris" in message


async def test_the_notice_at_start_goes_when_its_draft_is_saved_or_dropped(
    settings: Settings,
) -> None:
    for keys in (("ctrl+s",), ("escape", "y")):
        keep_drafts(settings, "a-oslo.txt")
        async with in_article(settings, SIZE) as (app, pilot, _):
            await settle(pilot)
            assert len(notices(app)) == 1
            await open_editor(app, pilot)
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert drafts(settings) == []
            assert notices(app) == []
