"""A library listed before the screen is mounted (as the `reader` command lists it while the
UI is imported) is in the screen's first frame; the store's part follows."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import reader.library.catalogue
from reader.annotations import article_ref
from reader.library import Library
from reader.store import AnnotationStore
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.workspace import Workspace

from .conftest import ready
from .test_app import SIZE, screen_text, two_articles


def hold_the_store(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make the screen's worker wait, before it opens the database, until the event is set
    (so nothing it posts can be what put the list on screen)."""
    go = threading.Event()
    open_store = ReaderApp.open_store

    def held(self: ReaderApp) -> None:
        go.wait(timeout=30)
        open_store(self)

    monkeypatch.setattr(ReaderApp, "open_store", held)
    return go


async def test_a_library_listed_before_the_screen_is_in_its_first_frame(
    make_settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = two_articles(tmp_path)
    monkeypatch.setattr(reader.library.catalogue, "RACY_SECONDS", 0.0)  # trust new files
    settings = make_settings(folder, model="no-such-pipeline")
    warm = build_app(settings)  # a first session: the catalogue is written
    async with warm.run_test(size=SIZE) as pilot:
        await ready(pilot)
    (first, _) = Library.load([folder]).articles
    with AnnotationStore(settings.db_path) as store:
        store.add_tags(article_ref(first), ["kept"])
    go = hold_the_store(monkeypatch)
    app = build_app(settings)
    listed = app.workspace.list_library()  # what `reader` does while the UI is imported
    assert not listed.pending  # the catalogue knew every file
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        articles = screen.query_one(ArticleList)
        assert [a.title for a in articles.articles] == [a.title for a in listed.articles]
        assert "Second article" in screen_text(app)
        # Nothing that needs the store yet: no tags drawn, no article opened before its
        # annotations and its entities' corrections can be read.
        assert screen.library is None and screen.article is None
        assert "#kept" not in screen_text(app)
        go.set()
        screen = await ready(pilot)
        assert screen.article is articles.articles[0]
        assert screen.query_one(AnnotationPanel).annotations.tags == ["kept"]
        assert "#kept" in screen_text(app)
        assert articles.has_focus


async def test_a_first_start_listed_before_the_screen_opens_the_first_article_after_it(
    make_settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = two_articles(tmp_path)
    go = hold_the_store(monkeypatch)
    app = build_app(make_settings(folder, model="no-such-pipeline"))
    listed = app.workspace.list_library()
    assert listed.pending  # no catalogue: listed by first lines
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert "Second article" in screen_text(app)
        # Opened right after the list's frame, read for its hash (the store still held).
        first = screen.query_one(ArticleList).articles[0]
        assert screen.article is first and first.known
        go.set()
        screen = await ready(pilot)
        assert screen.library is not None and all(a.known for a in screen.library.articles)
        assert screen.article is first


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "found"])
async def test_a_first_start_applies_the_corrections_once_the_store_opens(
    make_settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cached: bool,
) -> None:
    # The first article's entities are cached (a first start after `reader index`, or
    # with a cache kept) and shown at once, or found by the model, before the store with
    # the user's corrections is open. Once it opens, they are found again, corrected.
    folder = two_articles(tmp_path)
    settings = make_settings(folder)
    warm = settings if cached else make_settings(folder, cache_dir=tmp_path / "elsewhere")
    workspace = Workspace(warm, model_in_process=True)  # writes no catalogue
    people: list[str] = []
    with AnnotationStore(settings.db_path) as store:
        for article in Library.load([folder]).articles:
            spans = workspace.finder.find(article.sha256, article.text)
            person = next(s for s in spans if s.label == "PERSON")
            people.append(person.text)
            target = {"position": {"start": person.start, "end": person.end}}
            fix = {"action": "relabel", "label": "ORG", "scope": "global", "text": person.text}
            store.add_correction(article_ref(article), target, fix)
    workspace.close()
    go = hold_the_store(monkeypatch)
    app = build_app(settings)
    assert app.workspace.list_library().pending  # no catalogue: listed by first lines
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        view = screen.query_one(ArticleView)
        # Shown before the store is open: no corrections yet. Found by the model (not
        # cached): the worker may not have started yet on a busy machine, so wait for the
        # spans themselves (bounded), not for the workers running now.
        for _ in range(400):
            if any(s.text in people and s.label == "PERSON" for s in view.spans):
                break
            await pilot.pause(0.05)
        assert screen.article is not None
        assert any(s.text in people and s.label == "PERSON" for s in view.spans)
        go.set()
        screen = await ready(pilot)
        named = [s for s in view.spans if s.text in people]
        assert named and all(s.label == "ORG" and s.source == "user" for s in named)
