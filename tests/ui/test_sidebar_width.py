"""Pilot tests: the sidebar takes a share of a wide screen (more of each title shown), and
`<` `>` set a width of the user's own, kept in the config file for the next start."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.settings import Settings
from reader.ui.app import build_app
from reader.ui.widgets.article_list import ArticleList

from .conftest import ready, settle

LONG = "Parliament debates the long-delayed reform of the regional pension funds at last"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "pensions.txt").write_text(f"{LONG}\n\nThe debate went on.\n", encoding="utf-8")
    (root / "short.txt").write_text("Short\n\nA line.\n", encoding="utf-8")
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "config.toml"))
    for name in ("READER_DB", "READER_MODEL", "READER_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("READER_CACHE_DIR", str(tmp_path / "cache"))
    return Settings.build(
        paths=[str(root)], db=str(tmp_path / "db.json"), model="no-such-pipeline", cwd=tmp_path
    )


def sidebar_width(app) -> int:  # type: ignore[no-untyped-def]
    return int(app.screen.query_one("#sidebar").outer_size.width)


def shown_title(app) -> str:  # type: ignore[no-untyped-def]
    """The first row of the article list as drawn (the long title, cut to the width)."""
    articles = app.screen.query_one(ArticleList)
    return " ".join(articles.render_line(y).text.strip(" │●") for y in range(3))


@pytest.mark.parametrize(
    ("columns", "width"), [(100, 26), (120, 38), (140, 38), (160, 43), (200, 54), (300, 72)]
)
async def test_the_sidebar_takes_a_share_of_the_screen(
    settings: Settings, columns: int, width: int
) -> None:
    app = build_app(settings)
    async with app.run_test(size=(columns, 40)) as pilot:
        await ready(pilot)
        assert sidebar_width(app) == width
        # A title is cut to the sidebar: more of it on a wider screen.
        title = shown_title(app).split("…")[0]
        assert len(title) + len("…") == width - 8, title


async def test_the_keys_set_a_width_kept_for_the_next_start(
    settings: Settings, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("# mine\nmeasure = 80\n", encoding="utf-8")
    app = build_app(settings)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        assert "reform" not in shown_title(app)
        await pilot.press("greater_than_sign", "greater_than_sign", "greater_than_sign")
        await settle(pilot)
        assert sidebar_width(app) == 43 + 12
        assert "long-delayed reform of…" in shown_title(app)
        await pilot.press("less_than_sign")
        await settle(pilot)
        await app.wait_for_config()
        assert sidebar_width(app) == 51
    assert config.read_text(encoding="utf-8") == "# mine\nmeasure = 80\nsidebar = 51\n"
    app = build_app(
        Settings.build(
            paths=[str(p) for p in settings.article_paths],
            db=str(settings.db_path),
            model="no-such-pipeline",
            cwd=tmp_path,
        )
    )
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        assert sidebar_width(app) == 51
        # Never more than the screen can spare: narrowed to its floor, widened to its ceiling.
        await pilot.press(*["less_than_sign"] * 20)
        await settle(pilot)
        assert sidebar_width(app) == 20
        await pilot.press(*["greater_than_sign"] * 40)
        await settle(pilot)
        assert sidebar_width(app) == 80  # half the screen
        # A press counts from the last width set, not the last laid out (keys typed fast).
        await pilot.press(*["less_than_sign"] * 2)
        app.screen.action_sidebar(-4)
        app.screen.action_sidebar(-4)
        await settle(pilot)
        assert sidebar_width(app) == 80 - 16
