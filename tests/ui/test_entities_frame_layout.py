"""The entities' frame lays the screen out: when they come (the model found them), the
legend grows from its empty box to a row a label and the entity panel below it moves
down; the header's "Finding entities…" goes from its rule (the text does not move). Drawn
without that layout, the frame painted the panel at its old place (over the
legend's new rows), and the layout a frame later repainted only what it moved: in a
terminal the old panel stayed on screen under the legend (switching while the model
loads: `Escape`, `j`, `Enter` repeated, in tmux).

Real parts: the real app under Pilot, the real entity cache (the real pipeline's spans).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from reader.ui.app import ReaderApp
from reader.ui.messages import EntitiesReady
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_panel import EntityPanel
from reader.ui.widgets.legend import Legend

from .test_entity_pages import entity_cache, make_app, open_article

__all__ = ["entity_cache"]  # the module's fixture, found by pytest here too


async def finding(pilot: Pilot[Any], main: MainScreen) -> None:
    """The state of an article whose entities the model is finding: empty panels, the
    header saying so."""
    main._apply_spans([])
    main._set_status("Finding entities…")
    for _ in range(3):
        await pilot.pause()


async def test_the_entities_frame_draws_the_legend_and_panel_where_they_end(
    tmp_path: Path, entity_cache: Path
) -> None:
    app: ReaderApp = make_app(tmp_path, entity_cache)
    async with app.run_test(size=(160, 50)) as pilot:
        main = await open_article(pilot, "a-geneva.txt")
        assert main.article is not None
        spans = list(main.query_one(ArticleView).spans)
        assert spans
        await finding(pilot, main)
        legend, panel = main.query_one(Legend), main.query_one(EntityPanel)
        empty_legend = legend.region.height
        finding_view = main.query_one(ArticleView).region.y
        view = main.query_one(ArticleView)
        frames: list[tuple[int, int, int]] = []
        refresh = main._compositor_refresh

        def recorded() -> None:
            refresh()
            frames.append((legend.region.height, panel.region.y, view.region.y))

        main._compositor_refresh = recorded  # type: ignore[method-assign]
        main.post_message(EntitiesReady(main.article.id, spans))
        for _ in range(5):
            await pilot.pause()
        final = (legend.region.height, panel.region.y, view.region.y)
        assert final[0] > empty_legend  # the legend grew: the panel moved
        # "Finding entities…" went from the header's rule: the text did not move.
        assert final[2] == finding_view
        assert frames, "no frame drawn"
        assert frames[0] == final  # not the panel drawn at its old place first


async def test_a_cached_switch_from_an_article_being_found_draws_the_panel_where_it_ends(
    tmp_path: Path, entity_cache: Path
) -> None:
    """Switching from an article whose entities the model is finding (empty legend) to a
    cached one: the switch's frame (drawn from Enter's handler) has the legend grown and
    the panel below it, not the panel at its old place."""
    app: ReaderApp = make_app(tmp_path, entity_cache)
    async with app.run_test(size=(160, 50)) as pilot:
        main = await open_article(pilot, "a-geneva.txt")
        await finding(pilot, main)
        legend, panel = main.query_one(Legend), main.query_one(EntityPanel)
        empty_legend = legend.region.height
        frames: list[tuple[int, int]] = []
        refresh = main._compositor_refresh

        def recorded() -> None:
            refresh()
            frames.append((legend.region.height, panel.region.y))

        main._compositor_refresh = recorded  # type: ignore[method-assign]
        main.query_one(ArticleList).focus()
        await pilot.pause()
        frames.clear()
        await pilot.press("j", "enter")
        for _ in range(5):
            await pilot.pause()
        assert main.article is not None and main.article.path.name == "b-moscow.txt"
        final = (legend.region.height, panel.region.y)
        assert final[0] > empty_legend
        switch_frames = frames[1:]  # the first: j's move in the list
        assert switch_frames and switch_frames[0] == final, frames
