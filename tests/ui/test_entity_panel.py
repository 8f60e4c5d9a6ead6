"""Pilot tests of the entity panel on its own: headings, cursor, long names, choosing."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.errors import NoWidget

from reader.entities.library.resolve import Entity
from reader.entities.span import Span
from reader.ui.widgets.entity_lists import EntityList
from reader.ui.widgets.entity_panel import EntityPanel

STYLES = Path(__file__).resolve().parent.parent.parent / "styles" / "app.tcss"
LONG = "The International Bank for Reconstruction and Development"


def spans() -> list[Span]:
    text = f"Ann met Bob and Ann in Paris. {LONG} too."
    found = []
    for surface, label in [("Ann", "PERSON"), ("Bob", "PERSON"), ("Ann", "PERSON")]:
        start = text.index(surface, found[-1].end if found else 0)
        found.append(Span(start, start + len(surface), label, surface, "model"))
    for surface, label in [("Paris", "GPE"), (LONG, "ORG")]:
        start = text.index(surface)
        found.append(Span(start, start + len(surface), label, surface, "model"))
    return found


class Host(App[None]):
    CSS_PATH = STYLES

    def __init__(self) -> None:
        super().__init__()
        self.jumps: list[int] = []

    def compose(self) -> ComposeResult:
        yield EntityPanel(id="entity-panel")

    def on_mount(self) -> None:
        panel = self.query_one(EntityPanel)
        panel.styles.width = 34
        panel.set_spans(spans())
        panel.focus()

    def on_entity_panel_jump(self, message: EntityPanel.Jump) -> None:
        self.jumps.append(message.offset)


def lines(panel: EntityPanel) -> list[str]:
    return [panel.render_line(y).text.rstrip() for y in range(panel.row_count)]


async def test_rows_are_headings_then_entities_most_mentioned_first() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        panel = app.query_one(EntityPanel)
        drawn = lines(panel)
        assert drawn[:6] == ["PERSON (3)", "  Ann ×2", "  Bob ×1", "ORG (1)", drawn[4], "GPE (1)"]
        assert panel.highlighted == 1  # the first entity, under its heading
        # Too long for the panel: cut with "…", the count kept, within the width.
        assert drawn[4].startswith("  The International") and drawn[4].endswith("… ×1")
        assert len(drawn[4]) <= panel.scrollable_content_region.width


async def test_the_cursor_skips_headings_and_wraps() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        panel = app.query_one(EntityPanel)
        seen = []
        for _ in range(4):
            await pilot.press("j")
            seen.append(panel.highlighted)
        assert seen == [2, 4, 6, 1]  # rows 0, 3 and 5 are headings
        await pilot.press("k")
        assert panel.highlighted == 6
        await pilot.press("g")
        assert panel.highlighted == 1


async def test_enter_or_a_click_jumps_to_the_first_mention_and_headings_do_nothing() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        panel = app.query_one(EntityPanel)
        await pilot.press("j", "enter")  # Bob
        assert app.jumps == [spans()[1].start]
        top = panel.gutter.top
        await pilot.click(EntityPanel, offset=(4, top + 5))  # the GPE heading
        await pilot.pause()
        assert app.jumps == [spans()[1].start]
        await pilot.click(EntityPanel, offset=(4, top + 6))  # Paris
        await pilot.pause()
        assert app.jumps == [spans()[1].start, spans()[3].start]


async def test_page_up_from_near_the_top_stays_at_the_top() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        panel = app.query_one(EntityPanel)
        await pilot.press("j")
        assert panel.highlighted == 2
        await pilot.press("pageup")  # lands on the PERSON heading: the entity under it
        assert panel.highlighted == 1
        await pilot.press("pagedown")
        assert panel.highlighted == 6  # the last entity (past the end: no wrapping)


async def test_entity_texts_and_labels_are_drawn_on_one_line_without_controls() -> None:
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        panel = app.query_one(EntityPanel)
        text = "Sergey\nLavrov\tand \x1b[31mred"
        panel.set_spans([Span(0, len(text), "PER\x1b]0;x\x07SON", text, "user")])
        await pilot.pause()
        drawn = [panel.render_line(y) for y in range(2)]
        for strip in drawn:
            assert all(c >= " " for segment in strip for c in segment.text), strip.text
        assert drawn[1].text.startswith("  Sergey Lavrov and")


class ListHost(App[None]):
    CSS_PATH = STYLES

    def compose(self) -> ComposeResult:
        yield EntityPanel(id="entity-panel")
        yield EntityList(id="entity-list")


async def test_the_panel_and_the_library_list_draw_one_heading() -> None:
    """One heading row for both lists: the label bold, the count dim, thousands grouped."""
    many = [
        Entity(f"GPE:p{i}", f"Place {i}", "GPE", ((f"p{i}", "GPE"),), (f"Place {i}",), 1, 1)
        for i in range(1_200)
    ]
    mentions = [Span(i * 6, i * 6 + 5, "GPE", "Paris", "model") for i in range(1_200)]
    app = ListHost()
    async with app.run_test() as pilot:
        panel, library = app.query_one(EntityPanel), app.query_one(EntityList)
        panel.set_spans(mentions)
        library.set_entities(many)
        await pilot.pause()
        drawn = [widget.render_line(0) for widget in (panel, library)]
        assert [strip.text.rstrip() for strip in drawn] == ["GPE (1,200)"] * 2
        panel_segments, library_segments = (
            [(s.text, bool(s.style and s.style.bold)) for s in strip if s.text.strip()]
            for strip in drawn
        )
        assert panel_segments == library_segments


class FitHost(App[None]):
    """The panel with room for six rows (eight lines with its border)."""

    CSS_PATH = STYLES

    def compose(self) -> ComposeResult:
        yield EntityPanel(id="entity-panel")

    def on_mount(self) -> None:
        panel = self.query_one(EntityPanel)
        panel.styles.width = 34
        panel.styles.height = 8


def scrollbar_on_screen(panel: EntityPanel) -> bool:
    """Whether the panel's vertical scrollbar is in the screen's layout (drawn)."""
    if panel._vertical_scrollbar is None:
        return False
    try:
        panel.screen.find_widget(panel._vertical_scrollbar)
    except NoWidget:
        return False
    return True


async def test_the_scrollbar_goes_when_the_library_names_make_the_rows_fit() -> None:
    """Seven rows in six lines, then six once "Lavrov" is found to be Sergey Lavrov: the
    scrollbar must go (Textual's layout pass took the rows for unchanged and kept it)."""
    text = "Sergey Lavrov met Ann, Bob, Cem and Dan. Lavrov left."
    found = [
        Span(text.index(name), text.index(name) + len(name), "PERSON", name, "model")
        for name in ("Sergey Lavrov", "Ann", "Bob", "Cem", "Dan")
    ]
    found.append(
        Span(text.rindex("Lavrov"), text.rindex("Lavrov") + 6, "PERSON", "Lavrov", "model")
    )
    lavrov = ("PERSON:sergey lavrov", "Sergey Lavrov", "PERSON")
    app = FitHost()
    async with app.run_test() as pilot:
        panel = app.query_one(EntityPanel)
        panel.set_spans(found)
        for _ in range(100):  # laid out with seven rows: the scrollbar shown
            await pilot.pause(0.02)
            if scrollbar_on_screen(panel):
                break
        assert panel.row_count == 7 and panel.scrollable_content_region.height == 6
        assert scrollbar_on_screen(panel)

        panel.set_resolved({found[0].start: lavrov, found[-1].start: lavrov})
        for _ in range(100):  # laid out again (bounded: a stale scrollbar stays for good)
            await pilot.pause(0.02)
            if not scrollbar_on_screen(panel):
                break
        assert panel.row_count == 6
        assert not panel.show_vertical_scrollbar and not scrollbar_on_screen(panel)
        # The rows have the whole width, from the top: all six drawn.
        assert panel.scrollable_content_region.width == panel.content_region.width
        assert panel.scroll_y == 0
        drawn = [panel.render_line(y).text.rstrip() for y in range(6)]
        assert drawn[:2] == ["PERSON (6)", "  Sergey Lavrov ×2"] and drawn[5] == "  Dan ×1"
