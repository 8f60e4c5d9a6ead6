"""The first start: the list at once from each file's first lines, the rest learnt after."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.library import Library, read_article
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

from .conftest import ready, settle
from .test_app import SIZE, screen_text


def a_library(tmp_path: Path) -> Path:
    """60 articles: plain text (a title on line one), Markdown with front matter as
    ``reader add`` writes it, Markdown with a heading; one Markdown file with front matter
    and no text (listed by its title, then found not to be an article)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    body = "\n\n".join(f"Paragraph {i} of the story, with words." for i in range(5))
    for i in range(60):
        if i == 2:
            text = '---\ntitle: "Nothing here"\n---\n'
            name = f"{i:02d}.md"
        elif i % 3 == 0:
            text, name = f"Plain title {i}\n\n{body}\n", f"{i:02d}.txt"
        elif i % 3 == 1:
            text = f'---\ntitle: "Front matter title {i}"\nauthor: "A"\n---\n\n{body}\n'
            name = f"{i:02d}.md"
        else:
            text, name = f"# Heading title {i}\n\n{body}\n", f"{i:02d}.md"
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def hold_the_worker(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make the worker that reads the listed articles wait until the event is set."""
    go = threading.Event()
    learn = Library.learn

    def held(self: Library, *args: object, **kwargs: object) -> object:
        go.wait(timeout=30)
        return learn(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Library, "learn", held)
    return go


async def listed_while_held(
    pilot: Pilot[ReaderApp], ready_too: Callable[[], bool] = lambda: True
) -> tuple[MainScreen, ArticleList]:
    """Wait (the worker held) until the list is there and *ready_too* says so; the main
    screen and its list."""
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    articles = screen.query_one(ArticleList)
    for _ in range(200):
        await pilot.pause()
        if articles.articles and ready_too():
            break
    return screen, articles


async def test_the_first_start_lists_titles_before_reading_and_keeps_the_place(
    make_settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = a_library(tmp_path)
    go = hold_the_worker(monkeypatch)
    app = build_app(make_settings(folder, model="no-such-pipeline"))
    async with app.run_test(size=SIZE) as pilot:
        screen, articles = await listed_while_held(pilot)  # the list comes while held
        titles = [a.title for a in articles.articles]
        assert titles[:5] == [
            "Plain title 0",
            "Front matter title 1",
            "Nothing here",
            "Plain title 3",
            "Front matter title 4",
        ]
        assert titles[5] == "Heading title 5" and len(titles) == 60
        assert screen.library is None  # not read yet: nothing keys on a hash so far
        assert not any(a.known for a in articles.articles[1:])
        shown = screen_text(app)
        # Counts only for the article read (the one open); the others are not known yet.
        assert "Front matter title 1" in shown and "01.md" in shown and "01.md ·" not in shown
        assert "00.txt · 38 words" in shown
        # The first article is open, read to be shown: its hash is its text's.
        first = articles.articles[0]
        assert screen.article is first and first.known
        assert first.sha256 == hashlib.sha256(first.text.encode()).hexdigest()
        assert "Paragraph 0" in screen.query_one(ArticleView).text

        await pilot.press(*["j"] * 30)
        await pilot.pause()
        before_article = articles.highlighted_article
        before_top = articles.row_at(int(articles.scroll_y))
        assert before_article is not None and before_top is not None and before_top > 2
        top_article = articles.articles[before_top]

        go.set()
        main = await ready(pilot)
        assert main.library is not None and all(a.known for a in main.library.articles)
        # "Nothing here" has no text: it left the list; the place is kept all the same.
        assert "Nothing here" not in [a.title for a in articles.articles]
        assert articles.highlighted_article is before_article
        assert articles.articles[articles.row_at(int(articles.scroll_y)) or 0] is top_article
        assert articles.has_focus
        for article in main.library.articles:
            assert article.sha256 == read_article(article.path).sha256  # type: ignore[union-attr]
        assert f"{before_article.source} · " in screen_text(app)  # its counts, learnt


async def test_an_article_opened_before_it_is_learnt_is_annotated_under_its_hash(
    make_settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = a_library(tmp_path)
    go = hold_the_worker(monkeypatch)
    app = build_app(make_settings(folder, model="no-such-pipeline"))
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await listed_while_held(pilot, lambda: app.store is not None)
        await pilot.press("j", "enter")  # "Front matter title 1", listed, not yet read
        for _ in range(50):
            await pilot.pause()
            if screen.article is not None and screen.article.loaded:
                break
        opened = screen.article
        assert opened is not None and opened.title == "Front matter title 1"
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"kept", "enter")
        await pilot.pause()
        go.set()
        await settle(pilot)
    expected = read_article(folder / "01.md")
    assert not isinstance(expected, type(None))
    from reader.store import AnnotationStore

    with AnnotationStore(app.workspace.settings.db_path, read_only=True) as store:
        assert store.tags(expected.sha256) == ["kept"]  # type: ignore[union-attr]
