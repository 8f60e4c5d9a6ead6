"""The entity panel after a correction: it groups the mentions under the labels the
article and the legend show, at once and after switching articles and back. (It kept the
entity index's old labels until the next start: the index was not told of the correction,
and the panel names each mention as the index has it.)

Real parts: the real spaCy pipeline's entities, the real entity index (SQLite), a real
TinyDB store, the real app.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.style import Style

from reader.library import catalogue
from reader.ui.app import build_app
from reader.ui.screens.dialogs import CorrectionScreen
from reader.ui.screens.entity_page import EntityPageScreen
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_panel import EntityPanel

from .conftest import ready, settle
from .test_entity_pages import (  # noqa: F401
    entity_cache,
    make_app,
    mark,
    open_article,
    page_screen,
    titles,
)

SIZE = (140, 45)


def panel_lines(screen: MainScreen) -> list[str]:
    panel = screen.query_one(EntityPanel)
    return [panel.render_row_line(i, 0, Style(), 60).text.rstrip() for i in range(panel.row_count)]


def headings(screen: MainScreen) -> dict[str, int]:
    """The panel's label headings: mentions per label."""
    found = (re.fullmatch(r"(\S+) \((\d+)\)", line) for line in panel_lines(screen))
    return {m[1]: int(m[2]) for m in found if m}


def group_of(screen: MainScreen, name: str) -> tuple[str, str]:
    """The label heading *name* is under in the panel, and its row."""
    label = ""
    for line in panel_lines(screen):
        if not line.startswith("  "):
            label = line.split(" ")[0]
        elif line.strip().rsplit(" ×", 1)[0] == name:
            return label, line.strip()
    raise AssertionError(f"{name!r} not in the panel: {panel_lines(screen)}")


def as_shown(screen: MainScreen) -> dict[str, int]:
    """Mentions per label in the article (what the legend counts)."""
    return dict(Counter(span.label for span in screen.query_one(ArticleView).spans))


def indexed_label(screen: MainScreen, text: str) -> str | None:
    """The label of the library entity the index names *text*'s first mention by."""
    article = screen.article
    assert article is not None
    index = screen.app.workspace.entity_index()  # type: ignore[attr-defined]
    found = index.entity_at(article.path, article.text.index(text))
    return None if found is None else str(found.label)


async def correct(pilot: Pilot[Any], text: str, *keys: str) -> None:
    """Mark *text* in the article, then `c` and *keys* (scope, label) in the dialog."""
    await mark(pilot, text)
    await pilot.press("c")
    await pilot.pause(0.1)
    assert isinstance(pilot.app.screen, CorrectionScreen)
    await pilot.press(*keys)
    await settle(pilot)


async def test_the_seed_articles_relabelled_entity_moves_to_its_new_label(make_settings) -> None:  # type: ignore[no-untyped-def]
    app = build_app(make_settings())
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert group_of(main, "Dawn") == ("ORG", "Dawn ×2")
        await correct(pilot, "Dawn", "g", "9")  # every article; label 9: WORK_OF_ART
        assert group_of(main, "Dawn") == ("WORK_OF_ART", "Dawn ×2")
        assert headings(main) == as_shown(main)
        assert headings(main)["ORG"] == 9


async def test_a_correction_is_in_the_panel_after_switching_articles_and_back(
    tmp_path: Path,
    entity_cache: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    app = make_app(tmp_path, entity_cache)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)  # a-geneva, every article's entities in the index
        assert group_of(main, "Moscow")[0] == "GPE"
        await correct(pilot, "Moscow", "g", "6")  # every article; label 6: LOC
        assert group_of(main, "Moscow")[0] == "LOC"
        assert headings(main) == as_shown(main)
        # Another article the correction applies to, indexed before it.
        main = await open_article(pilot, "b-moscow.txt")
        assert group_of(main, "Moscow")[0] == "LOC"
        assert headings(main) == as_shown(main)
        # The index has it too (the entity pages, the library's list).
        assert indexed_label(main, "Moscow") == "LOC"
        main = await open_article(pilot, "a-geneva.txt")
        assert group_of(main, "Moscow")[0] == "LOC"
        assert headings(main) == as_shown(main)
        # Undone: back under its old label, here and there.
        main.query_one(ArticleView).focus()
        await pilot.press("u")
        await settle(pilot)
        assert group_of(main, "Moscow")[0] == "GPE"
        assert headings(main) == as_shown(main)
        main = await open_article(pilot, "b-moscow.txt")
        assert group_of(main, "Moscow")[0] == "GPE"
        assert headings(main) == as_shown(main)


async def test_a_correction_everywhere_reaches_the_pages_of_articles_never_opened(
    tmp_path: Path,
    entity_cache: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """b-moscow is never opened: its entry on the entity pages takes the correction made
    everywhere in a-geneva all the same (it kept its old label until opened)."""
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    app = make_app(tmp_path, entity_cache)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)  # a-geneva, every article's entities in the index
        await correct(pilot, "Moscow", "g", "6")  # every article; label 6: LOC
        await mark(pilot, "Moscow")
        await pilot.press("p")
        await settle(pilot)
        page = page_screen(pilot)
        assert page.page is not None
        assert (page.page.entity.name, page.page.entity.label) == ("Moscow", "LOC")
        assert sorted(titles(page)) == [
            "Lavrov and Blair meet in Geneva",
            "Talks in Moscow end without a deal",
        ]
        index = app.workspace.entity_index()
        assert index.find("Moscow", "GPE") == []
        # Undone (from the article): the pages go back, again without opening b-moscow.
        await pilot.press("escape")
        await settle(pilot)
        main = await ready(pilot)
        main.query_one(ArticleView).focus()
        await pilot.press("u")
        await settle(pilot)
        assert index.find("Moscow", "LOC") == []
        (moscow,) = index.find("Moscow", "GPE")
        assert moscow.articles == 2


async def test_a_page_opened_before_the_index_caught_up_is_read_again(
    tmp_path: Path,
    entity_cache: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The update after a correction made everywhere takes seconds at 10,000 articles: a
    page opened meanwhile shows what the index had, then the whole, once it caught up."""
    import threading

    from reader.entities.library.index import EntityIndex

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    app = make_app(tmp_path, entity_cache)
    held = threading.Event()
    release = threading.Event()
    update = EntityIndex.update

    def slow_update(self: EntityIndex, *args: Any, **kwargs: Any) -> Any:
        if held.is_set():  # the update after the correction waits for the test
            release.wait(30)
        return update(self, *args, **kwargs)

    monkeypatch.setattr(EntityIndex, "update", slow_update)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        held.set()
        await mark(pilot, "Moscow")
        await pilot.press("c")
        await pilot.pause(0.1)
        await pilot.press("g", "6")  # every article; label 6: LOC
        for _ in range(50):  # the correction written, its update waiting
            await pilot.pause(0.02)
            if main.query_one(ArticleView).current_span is not None:
                break
        await app.wait_for_writes()
        await pilot.pause(0.2)
        await mark(pilot, "Moscow")
        await pilot.press("p")
        for _ in range(100):
            await pilot.pause(0.02)
            if isinstance(pilot.app.screen, EntityPageScreen):
                break
        page = page_screen(pilot)
        assert titles(page) == ["Lavrov and Blair meet in Geneva"]  # b-moscow: not yet
        release.set()
        await settle(pilot)
        assert pilot.app.screen is page
        assert sorted(titles(page)) == [
            "Lavrov and Blair meet in Geneva",
            "Talks in Moscow end without a deal",
        ]
