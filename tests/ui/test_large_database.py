"""A large database (issue 15, 100,000 annotations): the app's first frame does not wait
for the annotations; the notes panel says they are loading; a note typed meanwhile is
saved once they are read.

A database of one note stands for a large one: the test lowers
:data:`~reader.store.changelog.LOG_FROM_BYTES`, so the app opens it from its summary, and
holds the reading of the file until the test lets it go.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from reader.annotations import article_ref
from reader.store import AnnotationStore, changelog
from reader.store.storage import DurableStorage
from reader.ui.app import build_app
from reader.ui.screens.main import MainScreen
from reader.ui.screens.note_editor import NoteScreen
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_list import ArticleList

from .conftest import ready

SIZE = (140, 45)


async def test_the_first_frame_and_a_typed_note_do_not_wait_for_a_large_database(
    make_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changelog, "LOG_FROM_BYTES", 0)
    settings = make_settings()
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        article = main.article
        assert article is not None
    with AnnotationStore(settings.db_path) as store:
        store.add_note(article_ref(article), "stored before")
    assert settings.db_path.with_name("annotations.json.summary").exists()

    release = threading.Event()
    reads: list[str] = []
    load_full = DurableStorage.load_full

    def held(storage: DurableStorage) -> bool:
        if storage.partial:
            reads.append("full")
            release.wait(timeout=30)
        return load_full(storage)

    monkeypatch.setattr(DurableStorage, "load_full", held)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        panel = None
        for _ in range(200):  # the sidebar drawn, the panel loading: the file not read
            await pilot.pause(0.05)
            if isinstance(app.screen, MainScreen):
                panel = app.screen.query_one(AnnotationPanel)
                if panel.loading and app.screen.article is not None:
                    break
        assert panel is not None and panel.loading
        assert isinstance(app.screen, MainScreen)
        sidebar = app.screen.query_one(ArticleList)
        lines = "\n".join(sidebar.render_line(y).text for y in range(sidebar.size.height))
        assert article.title[:20] in lines
        assert app.store is not None and not app.store.loaded
        await pilot.press("a")
        await pilot.pause(0.1)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"typed while loading")
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert isinstance(app.screen, MainScreen)
        assert panel.annotations.items == []  # nothing shown yet, nothing lost either
        release.set()
        main = await ready(pilot)
        assert not panel.loading
        shown = [item.annotation.body for item in panel.annotations.items]
        assert shown == ["stored before", "typed while loading"]
        assert reads == ["full"]
    with AnnotationStore(settings.db_path, read_only=True) as store:
        assert [a.body for a in store.annotations()] == ["stored before", "typed while loading"]
