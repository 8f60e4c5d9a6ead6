"""Pilot tests: `e`, `E` and `v` start where the reader is (not at a mark scrolled away),
and a mark whose entity is removed moves to its neighbour."""

from __future__ import annotations

from reader.ui.widgets.article_view import ArticleView

from .conftest import in_article, settle

SIZE = (120, 30)


def top_line(view: ArticleView) -> int:
    return int(view.scroll_offset.y)


async def test_e_after_paging_marks_the_next_entity_on_screen_not_the_old_mark(
    make_settings,
) -> None:  # type: ignore[no-untyped-def]
    async with in_article(make_settings(), SIZE) as (_app, pilot, view):  # the seed article
        await pilot.press("e")
        assert view.current_span == view.spans[0]
        await pilot.press("space", "space")
        top = view.top_offset
        assert top > view.spans[1].start  # the first entities are off screen now
        await pilot.press("e")
        span = view.current_span
        assert span is not None
        assert span.start >= top, (span, top)  # not back to the top
        assert span == min((s for s in view.spans if s.start >= top), key=lambda s: s.start)
        assert view.top_offset == top  # it was on screen: nothing scrolled
        # E from there goes back one, and once scrolled away from the mark, counts from
        # the screen too.
        await pilot.press("E")
        previous = view.current_span
        assert previous is not None and previous.start < span.start
        await pilot.press("G", "E")
        last = view.current_span
        assert last is not None and last.start > span.start


async def test_v_starts_at_the_cursor_word_not_at_a_mark_scrolled_away(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with in_article(make_settings(), SIZE) as (_app, pilot, view):
        await pilot.press("e", "space", "space")
        top = view.top_offset
        await pilot.press("v")
        assert view.selection is not None
        assert view.selection[0] >= top  # the top of the screen, not the old mark
        await pilot.press("escape")
        # A click on a word that is no entity puts the cursor there: v selects that word.
        x0, y0 = view.gutter.left, 2
        offset = view.offset_at_screen(x0 + 3, y0)
        assert offset is not None
        await pilot.click(ArticleView, offset=(x0 + 3, y0))
        await pilot.press("v")
        assert view.selection is not None
        start, end = view.selection
        assert start <= offset < end or start == offset


async def test_removing_the_marked_entity_moves_the_mark_to_its_neighbour(make_settings) -> None:  # type: ignore[no-untyped-def]
    async with in_article(make_settings(), SIZE) as (_app, pilot, view):
        while view.current_span is None or view.current_span.text != "Twitter":
            await pilot.press("e")
        removed = view.current_span
        after = min((s for s in view.spans if s.start > removed.start), key=lambda s: s.start)
        await pilot.press("c")
        await pilot.pause(0.1)
        await pilot.press("x")  # remove this mention
        await settle(pilot)
        assert not any(s.text == "Twitter" for s in view.spans)
        assert view.current_span == after
        await pilot.press("E")
        previous = view.current_span
        assert previous is not None and previous.end <= removed.start
