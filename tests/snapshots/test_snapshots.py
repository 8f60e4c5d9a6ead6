"""SVG snapshots of each screen, built by the same factory the `reader` command uses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ui.conftest import settle

from reader.settings import Settings
from reader.ui.app import ReaderApp, build_app

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
