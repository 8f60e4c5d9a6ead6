"""Pilot tests of every annotation flow: made in the app, on disk, and there after a restart."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
from textual.widgets import Input

from reader.settings import Settings
from reader.store import AnnotationStore
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.dialogs import ConfirmScreen, CorrectionScreen, TagScreen
from reader.ui.screens.main import MainScreen
from reader.ui.screens.note_editor import NoteScreen
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

from .conftest import in_article, open_view, read_only_database, ready, settle

SIZE = (140, 45)


def stored(settings: Settings) -> AnnotationStore:
    """The database as another process would see it (read-only, no lock)."""
    return AnnotationStore(settings.db_path, read_only=True)


def sidebar_text(app: ReaderApp) -> str:
    """The sidebar's lines as drawn."""
    articles = app.screen.query_one(ArticleList)
    return "\n".join(articles.render_line(y).text for y in range(articles.size.height))


async def test_tags_are_added_shown_persisted_and_removed(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    async with in_article(settings, SIZE) as (app, pilot, _):
        await pilot.press("t")
        await pilot.pause(0.1)
        assert isinstance(app.screen, TagScreen)
        await pilot.press(*"russia, Diplomacy ,  ", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "#russia #Diplomacy" in sidebar_text(app)
        # Completion does not offer a tag the article has (test_tag_completion: one
        # used elsewhere is offered).
        await pilot.press("t")
        await pilot.pause(0.1)
        await pilot.press(*"pakistan, dip")
        await pilot.pause(0.2)
        await pilot.press("right")
        await pilot.pause(0.1)
        assert app.screen.query_one("#tag-input", Input).value == "pakistan, dip"
        await pilot.press(*["backspace"] * len(", dip"), "enter")
        await settle(pilot)
    with stored(settings) as store:
        article = store.articles()[0]
        assert article["tags"] == ["russia", "Diplomacy", "pakistan"]
    # After a restart the tags are there; one is removed from the notes panel.
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "#russia #Diplomacy #pakistan" in sidebar_text(app)
        panel = app.screen.query_one(AnnotationPanel)
        assert panel.annotations.tags == ["russia", "Diplomacy", "pakistan"]
        panel.focus()
        panel.highlighted = 1
        await pilot.press("d")
        await settle(pilot)
        assert panel.annotations.tags == ["russia", "pakistan"]
        await pilot.press("u")  # undo brings it back, in its place
        await settle(pilot)
        assert panel.annotations.tags == ["russia", "Diplomacy", "pakistan"]
    with stored(settings) as store:
        assert store.articles()[0]["tags"] == ["russia", "Diplomacy", "pakistan"]


async def test_article_note_is_saved_edited_and_cancel_asks_first(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    async with in_article(settings, SIZE) as (app, pilot, _):
        await pilot.press("a")
        await pilot.pause(0.1)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"Check *who* briefed Dawn.", "enter", *"[bold]not markup[/]")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # Escape with typed text asks before dropping it.
        await pilot.press("a")
        await pilot.pause(0.1)
        await pilot.press(*"draft")
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause(0.1)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("escape")
        await pilot.pause(0.1)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    with stored(settings) as store:
        notes = store.annotations(kind="note")
        assert [n.body for n in notes] == ["Check *who* briefed Dawn.\n[bold]not markup[/]"]
        assert notes[0].target is None
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(AnnotationPanel)
        assert len(panel.annotations.items) == 1
        panel.focus()
        await pilot.press("i")
        await pilot.pause(0.1)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("end", *" Done.", "ctrl+s")
        await settle(pilot)
    with stored(settings) as store:
        assert store.annotations(kind="note")[0].body.endswith("[bold]not markup[/] Done.")


async def test_passage_highlight_and_note_with_keyboard_selection(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    async with in_article(settings, SIZE) as (app, pilot, view):
        text = view.text
        # Mark "Lavrov" in the second paragraph with e, then select to the sentence end.
        while view.current_span is None or view.current_span.text != "Sergey Lavrov":
            await pilot.press("e")
        await pilot.press("v")
        assert view.selection is not None
        assert text[slice(*view.selection)] == "Sergey"
        await pilot.press("w")
        assert text[slice(*view.selection)] == "Sergey Lavrov"
        await pilot.press(")")
        assert text[slice(*view.selection)] == (
            "Sergey Lavrov arrived in Pakistan on Tuesday on a two-day visit."
        )
        await pilot.press("h")
        await settle(pilot)
        assert view.selection is None
        assert len(view.marks) == 1
        # A note on the next sentence.
        sentence = "Lavrov held bilateral discussions with his Pakistani counterpart"
        start = text.index(sentence)
        view.select_range(start, start + len("Lavrov"))
        await pilot.press("w", "w", "a")
        await pilot.pause(0.1)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"Talks!", "ctrl+s")
        await settle(pilot)
        assert len(view.marks) == 2
        # ]a and [a walk the passage annotations.
        await pilot.press("g", "]", "a")
        assert view.current_mark == view.marks[0].id
        await pilot.press("]", "a")
        assert view.current_mark == view.marks[1].id
        await pilot.press("[", "a")
        assert view.current_mark == view.marks[0].id
    with stored(settings) as store:
        (highlight,) = store.annotations(kind="highlight")
        quote = highlight.target["quote"]  # type: ignore[index]
        assert quote["exact"].startswith("Sergey Lavrov arrived")
        assert highlight.target["position"]["start"] == text.index("Sergey Lavrov arrived")  # type: ignore[index]
        assert len(quote["prefix"]) == 32 and len(quote["suffix"]) == 32
        (note,) = store.annotations(kind="note")
        assert note.target["quote"]["exact"] == "Lavrov held bilateral"  # type: ignore[index]
    async with in_article(settings, SIZE) as (app, pilot, view):
        assert [(m.kind, text[m.start : m.end]) for m in view.marks] == [
            ("highlight", "Sergey Lavrov arrived in Pakistan on Tuesday on a two-day visit."),
            ("note", "Lavrov held bilateral"),
        ]


async def test_mouse_drag_selects_a_passage(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with in_article(make_settings(), SIZE) as (_app, pilot, view):
        x0 = view.gutter.left
        await pilot.mouse_down(ArticleView, offset=(x0, 0))
        await pilot.hover(ArticleView, offset=(x0 + 6, 0))
        await pilot.mouse_up(ArticleView, offset=(x0 + 6, 0))
        assert view.selection is not None
        assert view.text[slice(*view.selection)] == "Russia"


async def test_entity_correction_for_the_article_is_kept_and_applied(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    async with in_article(settings, SIZE) as (app, pilot, view):
        # The user reads the Taliban as a group of people rather than an organisation (the
        # rules already make "Dawn", the model's old PERSON, an ORG).
        assert any(s.text == "Taliban" and s.label == "ORG" for s in view.spans)
        while view.current_span is None or view.current_span.text != "Taliban":
            await pilot.press("e")
        await pilot.press("c")
        await pilot.pause(0.1)
        assert isinstance(app.screen, CorrectionScreen)
        await pilot.press("a", "2")  # scope: this article; label 2: NORP
        await settle(pilot)
        taliban = [s for s in view.spans if s.text == "Taliban"]
        assert len(taliban) == 3
        assert all(s.label == "NORP" and s.source == "user" for s in taliban)
    async with in_article(settings, SIZE) as (app, pilot, view):
        assert [s.label for s in view.spans if s.text == "Taliban"] == ["NORP"] * 3
        # Remove one mention only.
        while view.current_span is None or view.current_span.text != "Twitter":
            await pilot.press("e")
        await pilot.press("c")
        await pilot.pause(0.1)
        await pilot.press("x")
        await settle(pilot)
        assert not any(s.text == "Twitter" for s in view.spans)
        await pilot.press("u")
        await settle(pilot)
        assert any(s.text == "Twitter" for s in view.spans)


async def test_add_an_entity_from_a_selection_everywhere(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Arabian Monsoon drill\n\nThe Arabian Monsoon drill ended.\n", encoding="utf-8"
    )
    (folder / "b.txt").write_text(
        "Later\n\nNavies joined Arabian Monsoon again.\n", encoding="utf-8"
    )
    settings = make_settings(folder)
    async with in_article(settings, SIZE) as (_app, pilot, view):
        start = view.text.index("Arabian Monsoon", 5)
        view.select_range(start, start + len("Arabian"))
        await pilot.press("w", "c")
        await pilot.pause(0.1)
        await pilot.press("g", "8")  # every article; label 8: EVENT
        await settle(pilot)
        assert [s.label for s in view.spans if s.text == "Arabian Monsoon"] == ["EVENT", "EVENT"]
    with stored(settings) as store:
        (rule,) = store.global_corrections()
        assert rule.correction == {
            "action": "add",
            "label": "EVENT",
            "scope": "global",
            "text": "Arabian Monsoon",
        }
    # The rule applies to the other article too, in the app and on the command line.
    import io
    import json

    from reader.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "entities",
                str(folder / "b.txt"),
                "--db",
                str(settings.db_path),
                "--cache-dir",
                str(settings.cache_dir),
            ]
        )
    assert code == 0
    entities = json.loads(out.getvalue())["entities"]
    assert {"text": "Arabian Monsoon", "label": "EVENT", "source": "user"}.items() <= next(
        e for e in entities if e["text"] == "Arabian Monsoon"
    ).items()


async def test_a_read_only_database_file_is_read_only_and_written_nothing(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    with read_only_database(settings.db_path):  # mode 0444: really not writable
        before = settings.db_path.read_bytes() if settings.db_path.exists() else None
        async with in_article(settings, SIZE) as (app, pilot, _):
            assert app.store is not None and app.store.read_only
            assert app.store_problem and "read-only" in app.store_problem
            await pilot.press("t")
            await pilot.pause(0.1)
            await pilot.press(*"x", "enter")
            await settle(pilot)
        after = settings.db_path.read_bytes() if settings.db_path.exists() else None
        assert before == after
        with stored(settings) as first:
            assert first.articles() == []


async def test_corrupt_database_is_named_and_left_untouched(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    settings.db_path.write_bytes(b'{"annotations": {"1": NaN')
    async with in_article(settings, SIZE) as (app, pilot, _):
        assert app.store is None
        assert app.store_problem is not None and str(settings.db_path) in app.store_problem
        await pilot.press("a")
        await pilot.pause(0.1)
        await pilot.press(*"lost?", "ctrl+s")
        await settle(pilot)
    assert settings.db_path.read_bytes() == b'{"annotations": {"1": NaN'


@pytest.mark.parametrize("edit", ["insert_paragraph", "rename"])
async def test_annotations_follow_an_edited_or_renamed_article(
    make_settings, tmp_path: Path, seed_path: Path, edit: str
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "lib"
    folder.mkdir()
    article = folder / "seed.txt"
    article.write_bytes(seed_path.read_bytes())
    settings = make_settings(folder)
    async with in_article(settings, SIZE) as (app, pilot, view):
        start = view.text.index("Lavrov held")
        view.select_range(start, start + len("Lavrov held bilateral discussions"))
        await pilot.press("h")
        await settle(pilot)
    if edit == "rename":
        article.rename(folder / "moved.txt")
    else:
        text = article.read_text(encoding="utf-8")
        article.write_text(
            text.replace("\n\n", "\n\nA new paragraph, inserted by the editor.\n\n", 1),
            encoding="utf-8",
        )
    async with in_article(settings, SIZE) as (app, pilot, view):
        (mark,) = view.marks
        assert view.text[mark.start : mark.end] == "Lavrov held bilateral discussions"
        panel = app.screen.query_one(AnnotationPanel)
        (item,) = panel.annotations.items
        assert item.state == ("moved" if edit == "insert_paragraph" else "anchored")


async def test_export_from_the_app_writes_a_file_and_names_it(make_settings) -> None:  # type: ignore[no-untyped-def]
    import json

    settings = make_settings()
    app = build_app(settings)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await open_view(app, pilot)
        real_notify = app.notify

        def spy(message: str, **kwargs: object) -> None:
            notes.append(message)
            real_notify(message, **kwargs)  # type: ignore[arg-type]

        app.notify = spy  # type: ignore[method-assign]
        await pilot.press("t", *"russia", "enter")
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause(0.1)
        await pilot.press("i", "1")  # json, with every entity shown
        await settle(pilot)
    exports = sorted((settings.db_path.parent / "exports").glob("*.json"))
    assert len(exports) == 1
    assert any(str(exports[0]) in note for note in notes), notes
    data = json.loads(exports[0].read_text(encoding="utf-8"))
    (article,) = data["articles"]
    assert article["tags"] == ["russia"]
    assert any(e["text"] == "Qamar Javed Bajwa" for e in article["entities"])


async def test_a_note_that_cannot_be_saved_is_given_back(make_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import errno

    settings = make_settings()
    async with in_article(settings, SIZE) as (app, pilot, _):
        assert app.store is not None

        def disk_full(*args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(app.store, "add_note", disk_full)
        await pilot.press("a")
        await pilot.pause(0.1)
        await pilot.press(*"Precious words", "ctrl+s")
        await settle(pilot)
        # The editor is back, with the text and the reason.
        assert isinstance(app.screen, NoteScreen)
        assert "Precious words" in app.screen.query_one("#note-text").text  # type: ignore[attr-defined]
        assert "No space left" in str(app.screen.query_one(".dialog-title").render())
        # Escape asks before dropping it, although nothing was typed since.
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        monkeypatch.undo()
        await pilot.pause(0.1)
        await pilot.press("ctrl+s")
        await settle(pilot)
    with stored(settings) as store:
        assert [n.body for n in store.annotations(kind="note")] == ["Precious words"]


async def test_quitting_with_an_unsaved_note_asks_first(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    async with in_article(settings, SIZE) as (app, pilot, _):
        await pilot.press("a")
        await pilot.pause(0.1)
        await pilot.press(*"half a thought", "ctrl+q")
        await pilot.pause(0.1)
        assert app.is_running
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause(0.1)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    with stored(settings) as store:
        assert [n.body for n in store.annotations(kind="note")] == ["half a thought"]


async def test_hostile_tags_and_notes_in_the_database_reach_no_terminal(make_settings) -> None:  # type: ignore[no-untyped-def]
    # A database written by another tool (or by hand) may hold anything.
    import json

    from conftest import CONTROLS

    from reader.annotations import article_ref
    from reader.library import Library

    settings = make_settings()
    (article,) = Library.load(settings.article_paths).articles
    with AnnotationStore(settings.db_path) as store:
        store.add_tags(article_ref(article), ["TAGX"])
        store.add_note(article_ref(article), "NOTEX")
    raw = settings.db_path.read_text(encoding="utf-8")
    hostile = json.dumps(f"[red]x[/red]{CONTROLS}")[1:-1]
    settings.db_path.write_text(
        raw.replace("TAGX", hostile).replace("NOTEX", hostile), encoding="utf-8"
    )
    forbidden = {chr(c) for c in range(0x20) if c != 0x0A} | {chr(c) for c in range(0x7F, 0xA0)}
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def drawn() -> str:
            strips = app.screen._compositor.render_strips()
            return "".join(seg.text for strip in strips for seg in strip)

        assert not forbidden & set(drawn())
        assert "[red]x[/red]" in drawn()  # the sidebar's tag and the notes panel, literally
        panel = app.screen.query_one(AnnotationPanel)
        panel.focus()
        panel.highlighted = 1
        await pilot.press("i")  # the note, in the editor
        await pilot.pause(0.2)
        assert not forbidden & set(drawn())
        assert "[red]x[/red]" in drawn()
        assert isinstance(app.screen, NoteScreen)


async def test_annotation_keys_never_call_the_store_on_the_screens_thread(make_settings) -> None:  # type: ignore[no-untyped-def]
    # Every store call goes through ReaderApp.write / read (the writer thread).
    app = build_app(make_settings())
    on_screen_thread: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        view = await open_view(app, pilot)
        store = app.store
        assert store is not None

        def spy(name: str, method):  # type: ignore[no-untyped-def]
            def call(*args: object, **kwargs: object) -> object:
                if threading.current_thread() is threading.main_thread():
                    on_screen_thread.append(name)
                return method(*args, **kwargs)

            return call

        for name in dir(store):
            method = getattr(store, name)
            if not name.startswith("_") and name != "close" and callable(method):
                setattr(store, name, spy(name, method))
        await pilot.press("t", *"one", "enter")
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause(0.1)
        await pilot.press(*"o", "right", "enter")  # completes "one": the tags were read
        await settle(pilot)
        app.screen.action_rename_tag()  # type: ignore[attr-defined]
        await pilot.pause(0.1)
        await pilot.press(*"on", "right", "enter", *"two", "enter")
        await settle(pilot)
        view.select_range(0, 6)
        await pilot.press("h", "a", *"note", "ctrl+s")
        await settle(pilot)
        assert "#two" in sidebar_text(app)
        assert len(view.marks) == 1
        panel = app.screen.query_one(AnnotationPanel)
        assert [item.annotation.kind for item in panel.annotations.items] == ["highlight", "note"]
    assert on_screen_thread == []


async def test_enter_on_an_orphan_shows_its_whole_quote_and_note(make_settings) -> None:  # type: ignore[no-untyped-def]
    from reader.anchoring import describe
    from reader.annotations import article_ref
    from reader.library import Library
    from reader.ui.widgets.annotation_panel import OrphanScreen

    settings = make_settings()
    (article,) = Library.load(settings.article_paths).articles
    gone = (
        "A passage that was cut from the article when it was edited, long enough that "
        "the notes panel's one line stops at its first words, explained at the end [b]x[/b]"
    )
    note = "Why did they cut this?\nSecond line of the note, also [i]literal[/i]."
    with AnnotationStore(settings.db_path) as store:
        store.add_note(article_ref(article), note, describe(gone, 0, len(gone)))
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        panel = screen.query_one(AnnotationPanel)
        assert [item.state for item in panel.annotations.items] == ["orphaned"]
        drawn = "\n".join(panel.render_line(y).text for y in range(panel.size.height))
        assert "explained at the end" not in drawn  # cut short in the panel
        panel.focus()
        panel.highlighted = 0
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, OrphanScreen)
        from textual.widgets import Static

        text = app.screen.query_one("#orphan-text", Static)
        shown = " ".join(text.render_line(y).text for y in range(text.size.height))
        shown = " ".join(shown.split())
        assert " ".join(gone.split()) in shown  # all of it, markup literal
        assert "Why did they cut this?" in shown
        assert "Second line of the note, also [i]literal[/i]." in shown
        assert "Orphaned" in shown
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen is screen and screen.focused is panel


async def test_opening_a_moved_file_records_its_new_path(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from conftest import SEED

    from reader.annotations import article_ref
    from reader.library import Library

    before = tmp_path / "a.txt"
    shutil.copy(SEED, before)
    (article,) = Library.load([before]).articles
    settings = make_settings(tmp_path / "b")
    with AnnotationStore(settings.db_path) as store:
        store.add_tags(article_ref(article), ["kept"])
    moved = tmp_path / "b" / "renamed.txt"
    moved.parent.mkdir()
    before.rename(moved)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert screen.query_one(AnnotationPanel).annotations.tags == ["kept"]
    with stored(settings) as store:
        assert [a["path"] for a in store.articles()] == [str(moved.resolve())]


async def test_renaming_a_tag_into_one_in_use_says_they_were_merged(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with in_article(make_settings(), SIZE) as (app, pilot, _):
        await pilot.press("t", *"one", "enter")
        await settle(pilot)
        await pilot.press("t", *"two", "enter")
        await settle(pilot)
        app.screen.action_rename_tag()  # type: ignore[attr-defined]
        await pilot.pause(0.1)
        await pilot.press("ctrl+u", *"one", "enter", "ctrl+u", *"Two", "enter")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if "Renamed" in str(n.message)]
        assert said == [
            "Renamed #one to #Two on 1 article: merged with #two, already in use (now #Two)"
        ]
        assert app.store is not None and app.store.all_tags() == ["Two"]
        # A new name: nothing merged, nothing more said.
        app.screen.action_rename_tag()  # type: ignore[attr-defined]
        await pilot.pause(0.1)
        await pilot.press("ctrl+u", *"Two", "enter", "ctrl+u", *"three", "enter")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if "Renamed" in str(n.message)]
        assert said[-1] == "Renamed #Two to #three on 1 article"


async def test_renaming_a_tag_names_it_as_stored_not_as_typed(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with in_article(make_settings(), SIZE) as (app, pilot, _):
        await pilot.press("t", *"Nigeria watch", "enter")
        await settle(pilot)
        app.screen.action_rename_tag()  # type: ignore[attr-defined]
        await pilot.pause(0.1)
        await pilot.press("ctrl+u", *"nigeria watch", "enter", "ctrl+u", *" Ghana  watch ", "enter")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if "enamed" in str(n.message)]
        assert said == ["Renamed #Nigeria watch to #Ghana watch on 1 article"]
        assert app.store is not None and app.store.all_tags() == ["Ghana watch"]
        # A tag no article has: nothing renamed, and said so.
        app.screen.action_rename_tag()  # type: ignore[attr-defined]
        await pilot.pause(0.1)
        await pilot.press("ctrl+u", *"kenya", "enter", "ctrl+u", *"uganda", "enter")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if "enamed" in str(n.message)]
        assert said[-1] == "No article is tagged #kenya: nothing renamed"
