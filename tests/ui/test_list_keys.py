"""Pilot tests of the one rule for the annotation keys while the article list has the focus:
a key about an article as a whole (`m`, `t`, `a` without a selection) acts on the
highlighted row and names it; a key bound to the text shown (`c`, `h`, `a` on a selection)
acts on the article shown only when it is the highlighted row, else says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Static

from reader.settings import Settings
from reader.store import AnnotationStore
from reader.ui.screens.dialogs import TagScreen
from reader.ui.screens.main import MainScreen
from reader.ui.screens.note_editor import NoteScreen
from reader.ui.widgets.article_list import ArticleList

from .conftest import settle, started
from .test_reading import SIZE, article_of, library, notices, open_titled

ELSEWHERE = "works on the text shown (Long piece); Enter opens the highlighted article"


def tags_of(settings: Settings, sha256: str) -> list[str]:
    with AnnotationStore(settings.db_path, read_only=True) as store:
        return store.tags(sha256)


async def test_list_keys_act_on_the_highlighted_row_or_say_why_not(
    make_settings: Any, tmp_path: Path
) -> None:
    settings = make_settings(library(tmp_path / "lib"))
    async with started(settings, SIZE) as (app, pilot, _):
        long, short = article_of(app, "Long piece"), article_of(app, "Short piece")
        view = await open_titled(app, pilot, "Long piece")
        await pilot.press("v")  # a selection in the article shown
        await pilot.pause()
        assert view.selection is not None
        articles = app.screen.query_one(ArticleList)
        articles.focus()  # as Tab does (Esc would end the selection first)
        articles.highlighted = articles.articles.index(short)
        await pilot.pause()
        # `t`: the highlighted row, named in the dialog, tagged without being opened.
        await pilot.press("t")
        await pilot.pause(0.1)
        assert isinstance(app.screen, TagScreen)
        title = app.screen.query_one(".dialog-title", Static)
        assert "Short piece" in str(title.render())
        await pilot.press(*"energy", "enter")
        await settle(pilot)
        assert tags_of(settings, short.sha256) == ["energy"]
        assert notices(app)[-1] == "Tagged Short piece: #energy"
        assert tags_of(settings, long.sha256) == []
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.article is not None
        assert screen.article.id == long.id  # not opened
        # Keys bound to the text shown: not on another article; the selection is kept.
        for key in ("c", "h", "a", "p"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, MainScreen), key
            said = "a on a selection" if key == "a" else key
            assert notices(app)[-1] == f"{said} {ELSEWHERE}"
        assert view.selection is not None
        with AnnotationStore(settings.db_path, read_only=True) as store:
            assert store.annotations(long.sha256) == []
        # Without a selection, `a` is a note on the highlighted row.
        view.action_clear_selection()
        await pilot.press("a")
        await pilot.pause(0.1)
        assert isinstance(app.screen, NoteScreen)
        assert app.screen.heading == "Note on Short piece"
        await pilot.press("escape")
        await settle(pilot)
        # On the row of the article shown, nothing changes: `t` tags it.
        articles.focus()
        articles.highlighted = articles.articles.index(long)
        await pilot.press("t")
        await pilot.pause(0.1)
        assert isinstance(app.screen, TagScreen)
        assert "Long piece" in str(app.screen.query_one(".dialog-title", Static).render())
        await pilot.press("escape")
        await pilot.press("c")
        await settle(pilot)
        assert notices(app)[-1].startswith("Mark an entity first")
