"""Pilot tests of the article's measure: on a wide terminal the lines stop at the measure
(90 columns unless the config file says otherwise), centred in the pane; offsets still
map to the text."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len

from reader.config import load_config
from reader.settings import Settings
from reader.ui.app import build_app
from reader.ui.widgets.article_view import ArticleView

from .conftest import ready

WIDE = (300, 50)  # the sidebar takes up to 72 columns and the legend 34: the pane > 150


def library(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(
        "A title\n\n" + "Lavrov arrived in Islamabad on Tuesday for talks. " * 30 + "\n",
        encoding="utf-8",
    )
    return folder


async def test_lines_stop_at_the_measure_centred_on_a_wide_terminal(
    make_settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    app = build_app(make_settings(library(tmp_path / "a"), model="no-such-pipeline"))
    async with app.run_test(size=WIDE) as pilot:
        main = await ready(pilot)
        view = main.query_one(ArticleView)
        pane = view.scrollable_content_region.width
        assert pane > 150  # the terminal is wide
        assert view.wrap_width == 90
        assert max(cell_len(view.text[ln.start : ln.end].rstrip()) for ln in view._lines) <= 90
        assert view.margin == (pane - 90) // 2 > 0
        # Drawn: the margin is blank, the text starts after it.
        line = "".join(s.text for s in view.render_line(2))
        assert line[: view.margin].strip() == ""
        assert line[view.margin :].startswith("Lavrov arrived")
        # A click on the text finds the word under it.
        x = view.gutter.left + view.margin + len("Lavrov arrived in ")
        offset = view.offset_at_screen(x, view.gutter.top + 2)
        assert offset is not None and view.text[offset:].startswith("Islamabad")
        header = main.query_one("#article-header")
        assert header.styles.padding.left == 2 + view.margin


async def test_the_measure_comes_from_the_config_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text("measure = 60\n", encoding="utf-8")
    settings = Settings.build(
        paths=[str(library(tmp_path / "a"))],
        db=str(tmp_path / "db.json"),
        cache_dir=str(tmp_path / "cache"),
        model="no-such-pipeline",
        config=load_config(config),
        env={},
        cwd=tmp_path,
    )
    assert settings.measure == 60
    assert ("measure", "60 columns", "config file") in settings.in_use()
    app = build_app(settings)
    async with app.run_test(size=WIDE) as pilot:
        main = await ready(pilot)
        view = main.query_one(ArticleView)
        assert view.wrap_width == 60
        assert max(cell_len(view.text[ln.start : ln.end].rstrip()) for ln in view._lines) <= 60
