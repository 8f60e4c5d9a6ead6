"""Hostile articles: markup shows literally, nothing is clickable, no control byte is drawn."""

from __future__ import annotations

from pathlib import Path

from conftest import MARKUP, make_hostile_library

from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

from .conftest import settle

FORBIDDEN = {chr(c) for c in range(0x20)} | {chr(c) for c in range(0x7F, 0xA0)}
FORBIDDEN |= {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}


def drawn_text(app: ReaderApp) -> str:
    """Every character the compositor would send to the terminal, as text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def test_every_hostile_article_is_shown_inert(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = make_hostile_library(tmp_path / "hostile")
    app = build_app(make_settings(folder))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        articles = main.query_one(ArticleList)
        titles = [a.title for a in articles.articles]
        # binary and empty are skipped (and listed in a notification), the rest shown.
        assert len(titles) == 6, titles
        assert main.library is not None
        skipped = {p.path.name for p in main.library.problems}
        assert skipped == {"binary.txt", "empty.txt"}
        for index in range(len(titles)):
            articles.highlighted = index
            articles.focus()
            await pilot.press("enter")
            await settle(pilot)
            text = drawn_text(app)
            assert not FORBIDDEN & set(text.replace("\n", "")), (
                titles[index],
                sorted(FORBIDDEN & set(text)),
            )
            if "Markup" in titles[index]:
                # Literally, brackets and all (word by word: at 160 columns the sidebar
                # takes 27% of the screen and the line may wrap in the article's column).
                assert all(part in text for part in MARKUP.split()), MARKUP
            view = main.query_one(ArticleView)
            if titles[index] == "Huge article":
                assert any("truncated" in n for n in main.article.notices)  # type: ignore[union-attr]
                await pilot.press("G")
                assert view.scroll_y > 1000
        # Clicking the would-be [@click=app.quit] link does nothing.
        markup_index = next(i for i, t in enumerate(titles) if t.startswith("Markup"))
        articles.highlighted = markup_index
        articles.focus()
        await pilot.press("enter")
        await settle(pilot)
        view = main.query_one(ArticleView)
        for y in range(4):
            for x in range(0, 40, 3):
                await pilot.click(ArticleView, offset=(x, y))
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, MainScreen)


async def test_file_names_with_markup_are_listed_literally(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / "[red]x [@click=app.quit]q\x1b]0;t\x07.txt").write_text(
        "Title\n\nBody\n", encoding="utf-8"
    )
    app = build_app(make_settings(folder))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        text = drawn_text(app)
        assert "[red]x [@click=app.quit]q" in text
        assert "\x1b" not in text and "\x07" not in text


async def test_notices_and_copied_notes_carry_no_control_sequence(
    make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Notices quote error texts and file names; `y` copies a note stored as typed.
    from reader.ui.widgets.annotation_panel import copy_text

    folder = make_hostile_library(tmp_path / "hostile")
    app = build_app(make_settings(folder))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        app.notify("broken \x1b[2J\x1b]52;c;eA==\x07file", title="t\x1b[31m", markup=False)
        await settle(pilot)
        shown = [(n.message, n.title) for n in app._notifications]
        assert ("broken file", "t") in shown
        assert not any(c in m + t for m, t in shown for c in FORBIDDEN - {"\n"})

    class Note:
        body = "pasted \x1b]52;c;eA==\x07\u202etext"
        kind = "note"

    class Item:
        annotation = Note()

    assert copy_text(Item()) == "pasted text"  # type: ignore[arg-type]


async def test_a_paste_into_a_field_loses_its_control_sequences(
    make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from textual import events
    from textual.widgets import Input

    folder = make_hostile_library(tmp_path / "hostile")
    app = build_app(make_settings(folder, model="no-such-pipeline"))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        app.screen.query_one(ArticleList).focus()
        await pilot.press("slash")
        field = app.focused
        assert isinstance(field, Input)
        app.post_message(events.Paste("Mark\x1b[31mup\x1b]0;owned\x07\x9b2J"))
        await settle(pilot)
        assert field.value == "Markup"
        assert not FORBIDDEN & set(drawn_text(app).replace("\n", ""))
        # Lines pasted into a one-line field are joined, none dropped.
        field.value = ""
        app.post_message(events.Paste('"joint statement"\r\nin:economy\n'))
        await settle(pilot)
        assert field.value == '"joint statement" in:economy'


async def test_the_files_skipped_are_told_once_not_at_every_start(
    make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The same binary and empty files are no news at each start: told when they change."""
    folder = make_hostile_library(tmp_path / "hostile")
    settings = make_settings(folder)

    async def told() -> list[str]:
        app = build_app(settings)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            return [
                str(n.message) for n in app._notifications if n.title == "Some files were skipped"
            ]

    first = await told()
    assert len(first) == 1 and "binary.txt" in first[0] and "empty.txt" in first[0]
    assert await told() == []  # the same files
    (folder / "more.txt").write_bytes(b"")
    again = await told()
    assert len(again) == 1 and "more.txt" in again[0]


async def test_the_files_skipped_are_told_once_per_library(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two libraries (one cache dir), started in turn: each one's skipped files are told
    at its first start only, not again each time the user comes back to it; the same
    library named another way (through a symlink) is the same library."""
    first = make_hostile_library(tmp_path / "first")
    second = tmp_path / "second"
    second.mkdir()
    (second / "story.txt").write_text("A story\n\nIts text.\n", encoding="utf-8")
    (second / "blank.txt").write_bytes(b"")
    (tmp_path / "link").symlink_to(second)

    async def told(*paths: Path) -> list[str]:
        app = build_app(make_settings(*paths))
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            return [
                str(n.message) for n in app._notifications if n.title == "Some files were skipped"
            ]

    at_first = await told(first)
    assert len(at_first) == 1 and "binary.txt" in at_first[0]
    at_second = await told(second)
    assert len(at_second) == 1 and "blank.txt" in at_second[0]
    assert await told(first) == []
    assert await told(second) == []
    assert await told(tmp_path / "link") == []


async def test_the_files_skipped_are_digested_off_the_screens_thread(
    make_settings, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Whether to tell the files skipped (their real paths digested, the digest read and
    written in the cache dir: tens of ms for thousands of files) is found in the library
    loader's thread, not the screen's; the notice still comes, once."""
    import threading

    from reader.ui.screens import library_loading

    threads: list[int] = []
    real = library_loading.skipped_changed

    def spied(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(library_loading, "skipped_changed", spied)
    app = build_app(make_settings(make_hostile_library(tmp_path / "hostile")))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        told = [n for n in app._notifications if n.title == "Some files were skipped"]
        assert len(told) == 1 and "binary.txt" in str(told[0].message)
        assert len(threads) == 1 and threads[0] != app._thread_id
