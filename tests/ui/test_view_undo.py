"""Pilot test: the palette's "Delete view" says `u` undoes it, and `u` does, even when the
palette was opened from the filter field."""

from __future__ import annotations

from textual.widgets import Input

from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.view_list import ViewList

from .test_app import SIZE
from .test_filter import idle, make_app, palette, stored_views, type_filter


async def test_u_undoes_a_view_deleted_from_the_palette_opened_in_the_field(  # type: ignore[no-untyped-def]
    make_settings, tmp_path
) -> None:
    app = make_app(make_settings, tmp_path, {"Inflation watch": "minister"})
    async with app.run_test(size=SIZE) as pilot:
        main = await type_filter(pilot, "in:economy")
        assert isinstance(app.focused, Input)
        await palette(pilot, "delete view inflation")
        await idle(pilot)
        assert stored_views(app) == []
        assert app.focused is main.query_one(ArticleList)
        await pilot.press("u")
        await idle(pilot)
        assert [v.name for v in main.query_one(ViewList).views] == ["Inflation watch"]
        assert main.query_one(FilterBar).value == "in:economy"
        assert main.query_one(FilterBar).error is None
