"""SVG snapshots of each screen, built by the same factory the `reader` command uses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import entities_found
from ui.conftest import settle

from reader.settings import Settings
from reader.ui.app import ReaderApp, build_app
from reader.ui.widgets.article_view import ArticleView

ROOT = Path(__file__).resolve().parent.parent.parent
SIZE = (140, 44)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ReaderApp:
    # A folder of its own (no one's real annotations), and relative paths, so the help
    # screen reads the same on every machine.
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    settings = Settings(
        article_paths=[Path("seeds")],
        db_path=Path("annotations/annotations.json"),
        use_cache=False,
    )
    return build_app(settings)


def test_main_screen_with_the_seed_article(snap_compare, app: ReaderApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_main_screen_at_80x24(snap_compare, app: ReaderApp) -> None:  # type: ignore[no-untyped-def]
    """A small terminal: the list and the article, no side panels."""
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_side_panels_at_80x24(snap_compare, app: ReaderApp) -> None:  # type: ignore[no-untyped-def]
    """`l` at 80x24: the legend, entities and notes, the article kept 44 columns wide."""

    async def show_panels(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("tab", "l")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=show_panels)


def test_current_entity_is_marked(snap_compare, app: ReaderApp) -> None:  # type: ignore[no-untyped-def]
    async def walk(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("tab", "e", "e", "e", "e")

    assert snap_compare(app, terminal_size=SIZE, run_before=walk)


def test_help_screen(snap_compare, app: ReaderApp) -> None:  # type: ignore[no-untyped-def]
    async def open_help(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(140, 60), run_before=open_help)


def test_filtered_list_with_a_saved_view(  # type: ignore[no-untyped-def]
    snap_compare, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Five short articles in three folders, one saved view; no entity model (the header
    # says so, the same on every machine).
    from ui.test_filter import ARTICLES, idle

    from reader.store import AnnotationStore

    for name, text in ARTICLES.items():
        path = tmp_path / "lib" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = Settings(
        article_paths=[Path("lib")],
        db_path=Path("annotations/annotations.json"),
        use_cache=False,
        model="no-such-pipeline",
    )
    with AnnotationStore(settings.db_path) as store:
        store.save_view("Ministers abroad", "minister in:world")
        store.save_view("Not economy", "-in:economy")

    async def filter_list(pilot) -> None:  # type: ignore[no-untyped-def]
        await idle(pilot)
        await pilot.press("slash", *"minister sort:-title")
        await idle(pilot)

    assert snap_compare(build_app(settings), terminal_size=SIZE, run_before=filter_list)


RICH_MARKDOWN = """\
---
title: Talks resume in Berlin
author: Jane Doe
date: 2026-05-04
url: https://news.example.org/world/talks
---
# Leaders meet again in *Berlin*

Chancellor **Olaf Scholz** met [Emmanuel Macron](/people/macron) on Monday, and the two
leaders agreed to meet again in `Paris` before the summer.

## What was agreed

1. A joint statement on energy
2. Talks on trade, with:
   - tariffs on steel
   - rules for data

> We have more in common than ever, Scholz told reporters.

```
Statement, 4 May 2026: both governments will report by June.
```

---

| Leader | Country |
|--------|---------|
| Olaf Scholz | Germany |
| Emmanuel Macron | France |
"""


def test_rich_markdown_article(  # type: ignore[no-untyped-def]
    snap_compare, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Rendered: front matter as the title and byline, no syntax, styles under the
    # entities; `]l` marks the first link and shows its address.
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "talks.md").write_text(RICH_MARKDOWN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = Settings(
        article_paths=[Path("lib")],
        db_path=Path("annotations/annotations.json"),
        use_cache=False,
    )

    async def mark_link(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        # Found by the model (no cache): on a busy machine its worker may not have
        # started when the app is first quiet, so wait for the spans themselves (bounded).
        view = pilot.app.screen.query_one(ArticleView)
        for _ in range(400):
            if view.spans:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        await pilot.press("tab", "right_square_bracket", "l")
        await settle(pilot)

    assert snap_compare(build_app(settings), terminal_size=SIZE, run_before=mark_link)


def test_entity_page(  # type: ignore[no-untyped-def]
    snap_compare, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The entity pages' test library (five dated articles, entities cached from the real
    # pipeline), Sergey Lavrov's page opened from his marked mention.
    from ui.test_entity_pages import make_app, mark, write_library

    from reader.library import catalogue

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    write_library(tmp_path / "found" / "library")
    cache = entities_found(tmp_path / "found" / "library", tmp_path / "found")

    async def open_page(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await mark(pilot, "Sergey Lavrov")
        await pilot.press("p")
        await settle(pilot)

    app = make_app(tmp_path / "app", cache)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_page)
