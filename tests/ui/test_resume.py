"""Reopening brings the reader back (reader/ui/screens/resume.py): the app opens on the
article last read, at its position, the list's cursor on it and the filter's query in
force as it was left; per library; an article gone opens as before (the first).

Real parts: the real app under Pilot, quit and started again on the same real TinyDB
file; the real search index (the filter); no entity model (not what this is about)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from reader.library import catalogue
from reader.settings import Settings
from reader.store import AnnotationStore
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.main import MainScreen
from reader.ui.screens.resume import library_key
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.filter_bar import FilterBar

from .conftest import settle
from .test_filter import idle, titles

SIZE = (140, 40)


def library(root: Path) -> Path:
    """Articles in folders; world/europe/c-oslo.txt long (more lines than a screen)."""
    paragraphs = "\n\n".join(f"Paragraph {n} of the Oslo talks, minister." for n in range(150))
    articles = {
        "business/a-markets.txt": "Markets rally\n\nShares rose as oil fell.\n",
        "business/b-budget.txt": "Budget talks\n\nThe finance minister delayed it.\n",
        "world/europe/c-oslo.txt": f"Talks in Oslo\n\n{paragraphs}\n",
        "world/europe/d-vote.txt": "Vote in Paris\n\nThe minister lost the vote.\n",
        "world/asia/e-tokyo.txt": "Tokyo summit\n\nLeaders met in Tokyo.\n",
    }
    for name, text in articles.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def settings_for(make_settings: Any, tmp_path: Path) -> Settings:
    settings: Settings = make_settings(library(tmp_path / "lib"), model="no-such-pipeline")
    return settings


async def leave_oslo_filtered_halfway(app: ReaderApp, pilot: Pilot[Any]) -> int:
    """Filter the list (`minister in:world`), open Talks in Oslo, scroll it halfway;
    return the offset of its top line."""
    main = await idle(pilot)
    articles = main.query_one(ArticleList)
    articles.focus()
    await pilot.press("slash", *"minister in:world", "enter")
    main = await idle(pilot)
    assert titles(main) == ["Talks in Oslo", "Vote in Paris"]
    await pilot.press("g", "enter")
    await settle(pilot)
    assert main.article is not None and main.article.title == "Talks in Oslo"
    view = main.query_one(ArticleView)
    await pilot.press(*["space"] * 4)
    await pilot.pause()
    top = view.top_offset
    assert top > 0 and view.text[top:].startswith("Paragraph ")
    return top


@pytest.mark.parametrize("warm", [True, False])
async def test_reopening_brings_back_the_article_its_place_and_the_filter(
    make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm: bool
) -> None:
    """Warm: the catalogue vouches for every file at the next start (the list shown
    before the store is read); else the files were written just now and are read again
    (a first start's path: the first article opened before the library is read)."""
    if warm:
        monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    settings = settings_for(make_settings, tmp_path)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        top = await leave_oslo_filtered_halfway(app, pilot)
        await pilot.press("q")
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        assert main.article is not None and main.article.title == "Talks in Oslo"
        assert main.query_one(ArticleView).top_offset == top
        articles = main.query_one(ArticleList)
        assert articles.highlighted_article is main.article
        bar = main.query_one(FilterBar)
        assert bar.display and bar.value == "minister in:world"
        assert titles(main) == ["Talks in Oslo", "Vote in Paris"]
        assert articles.border_title == "Articles · 2 of 5"
        assert articles.scroll_y == 0
        assert app.focused is articles
        # Cleared, then quit: the next start has every article, on Oslo still.
        await pilot.press("slash", "escape")
        await idle(pilot)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        assert main.article is not None and main.article.title == "Talks in Oslo"
        assert not main.query_one(FilterBar).display and len(titles(main)) == 5
        assert main.query_one(ArticleList).highlighted_article is main.article


async def test_each_library_keeps_its_own_place(make_settings: Any, tmp_path: Path) -> None:
    settings = settings_for(make_settings, tmp_path)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await leave_oslo_filtered_halfway(app, pilot)
    # Another library (its business folder alone), the same database: its own first.
    business = make_settings(tmp_path / "lib" / "business", model="no-such-pipeline")
    async with build_app(business).run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        assert main.article is not None and main.article.title == "Markets rally"
        assert not main.query_one(FilterBar).display
    with AnnotationStore(settings.db_path, read_only=True) as store:
        left = store.session(library_key(settings.article_paths))
        assert left is not None and left.query == "minister in:world"
        assert left.path.endswith("c-oslo.txt")
        assert store.session(library_key(business.article_paths)) is not None


async def test_an_article_gone_opens_as_before(make_settings: Any, tmp_path: Path) -> None:
    settings = settings_for(make_settings, tmp_path)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await leave_oslo_filtered_halfway(app, pilot)
    (tmp_path / "lib" / "world" / "europe" / "c-oslo.txt").unlink()
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        assert main.article is not None and main.article.title == "Markets rally"
        assert main.query_one(ArticleList).highlighted == 0
        assert not main.query_one(FilterBar).display and len(titles(main)) == 4


async def test_the_restored_filter_lists_from_its_top(
    make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cursor is put on the article in the whole library, and the list narrows once
    searched: from its top, not scrolled as far as the shorter list allows from the
    article's row in the whole library (its first row cut)."""
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    settings = settings_for(make_settings, tmp_path)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        main.query_one(ArticleList).focus()
        await pilot.press("slash", *"minister", "enter")
        main = await idle(pilot)
        assert titles(main) == ["Budget talks", "Talks in Oslo", "Vote in Paris"]
        await pilot.press("g", "j", "enter")
        await settle(pilot)
    app = build_app(settings)
    async with app.run_test(size=(140, 10)) as pilot:
        main = await idle(pilot)
        articles = main.query_one(ArticleList)
        assert main.article is not None and main.article.title == "Talks in Oslo"
        assert titles(main) == ["Budget talks", "Talks in Oslo", "Vote in Paris"]
        assert articles.virtual_size.height > articles.scrollable_content_region.height
        assert articles.highlighted == 1 and articles.scroll_y == 0


async def test_switching_writes_where_the_library_is_left_once_the_user_rests(
    make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save of the session writes the whole database file: not one per switch, but once
    the user rests on an article (SAVE_AFTER), in the writer thread; a quit right after a
    switch still saves it, and so does a suspend (Ctrl+Z)."""
    import threading

    from reader.ui.screens import resume

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    settings = settings_for(make_settings, tmp_path)
    written: list[tuple[str, str]] = []
    real = AnnotationStore.set_session

    def set_session(store: AnnotationStore, key: str, ref: Any, query: str) -> Any:
        written.append((ref.path, threading.current_thread().name))
        return real(store, key, ref, query)

    monkeypatch.setattr(AnnotationStore, "set_session", set_session)
    # The rest is made by the test, never by the clock: on a loaded machine two switches
    # and their settling can take longer than SAVE_AFTER (the first assert failed once).
    monkeypatch.setattr(resume, "SAVE_AFTER", 3600.0)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        written.clear()

        async def next_article() -> str:
            main.query_one(ArticleList).focus()
            await pilot.press("j", "enter")
            await settle(pilot)
            assert main.article is not None
            return main.article.path.name

        shown = [await next_article() for _ in range(2)]
        assert written == []  # not yet: the user may switch again
        main.resume._asked -= resume.SAVE_AFTER  # rested (the timer's wait, not slept)
        main.resume._rested()
        await settle(pilot)
        assert [path.rsplit("/", 1)[-1] for path, _ in written] == shown[-1:]
        assert all(thread != "MainThread" for _, thread in written)
        shown.append(await next_article())
        app.app_suspend_signal.publish(app)  # Ctrl+Z: saved before the process stops
        await settle(pilot)
        assert [path.rsplit("/", 1)[-1] for path, _ in written][1:] == shown[-1:]
        shown.append(await next_article())
        title = main.article.title if main.article else None
        await pilot.press("q")
    assert [path.rsplit("/", 1)[-1] for path, _ in written][2:] == shown[-1:]
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        assert main.article is not None and main.article.title == title


@pytest.mark.parametrize("opens", [False, True])
async def test_what_the_user_does_while_the_library_is_read_wins_over_the_restore(
    make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opens: bool
) -> None:
    """A first start (the files read again, the list shown first): a filter typed, or an
    article opened, before the library is read keeps the field and the article; the
    place the library was left on (Oslo, `minister in:world`) is dropped."""
    import threading

    from reader.workspace import Workspace

    settings = settings_for(make_settings, tmp_path)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await leave_oslo_filtered_halfway(app, pilot)
        await pilot.press("q")
    go_on = threading.Event()
    real = Workspace.learn_library

    def learn_library(workspace: Workspace, *args: Any, **kwargs: Any) -> Any:
        go_on.wait(timeout=10)  # the library is read once the user has acted
        return real(workspace, *args, **kwargs)

    monkeypatch.setattr(Workspace, "learn_library", learn_library)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            main = app.screen
            if getattr(main, "article", None) is not None:
                break
        assert isinstance(main, MainScreen) and main.article is not None
        assert main.library is None or not main.library.articles  # not read yet
        first = main.article.title
        articles = main.query_one(ArticleList)
        articles.focus()
        if opens:
            # Opened (the first row: the cursor where it was), then back to the list.
            await pilot.press("enter", "escape")
            await pilot.pause(0.1)
            assert app.focused is articles and articles.highlighted == 0
        else:
            await pilot.press("slash", *"tokyo")
            await pilot.pause(0.1)
        go_on.set()
        main = await idle(pilot)
        assert main.article is not None and main.article.title == first
        bar = main.query_one(FilterBar)
        if opens:
            assert not bar.display
        else:
            assert bar.value == "tokyo"
            assert titles(main) == ["Tokyo summit"]


async def test_a_suspend_writes_the_save_before_the_process_stops(
    make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+Z: Textual publishes its suspend signal and stops the process in the same call,
    with no turn of the loop between: the save is in the store by the time the handler
    returns, not queued for a frame (review6; a terminal closed while stopped kills it)."""
    from reader.ui.screens import resume

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    monkeypatch.setattr(resume, "SAVE_AFTER", 3600.0)
    written: list[str] = []
    real = AnnotationStore.set_session

    def set_session(store: AnnotationStore, key: str, ref: Any, query: str) -> Any:
        written.append(ref.path)
        return real(store, key, ref, query)

    monkeypatch.setattr(AnnotationStore, "set_session", set_session)
    app = build_app(settings_for(make_settings, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        written.clear()
        main.query_one(ArticleList).focus()
        await pilot.press("j", "enter")
        await settle(pilot)
        assert written == []
        main._suspending(app)  # what the signal calls, then os.kill(SIGTSTP) at once
        assert main.article is not None
        assert [path.rsplit("/", 1)[-1] for path in written] == [main.article.path.name]


async def test_an_update_stopped_for_the_exit_starts_no_other(
    make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app begins to exit while an index update runs: the update is told to stop, and
    its message (stopped) starts no fresh update during the teardown (review6: it did,
    uncancelled, and the exit waited for its first pass)."""
    import threading

    from reader.ui.messages import IndexUpdated

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    app = build_app(settings_for(make_settings, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        search = main.library_search
        search._updating, search._cancel = True, threading.Event()  # one running
        running = search._cancel
        main.stop_background()  # what ReaderApp.exit does first
        assert running.is_set()
        started: list[object] = []
        real = main.run_worker

        def run_worker(work: Any, *args: Any, **kwargs: Any) -> Any:
            started.append(kwargs.get("description"))
            return real(work, *args, **kwargs)

        monkeypatch.setattr(main, "run_worker", run_worker)
        search.index_updated(IndexUpdated(False))  # the stopped update's message
        search.update_index()
        assert started == []
