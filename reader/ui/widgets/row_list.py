"""A list of fixed-height rows drawn on demand: the sidebar, the entity panel, the legend.

Textual's OptionList measures (wraps) every option when options are added: ~85% of
filling the sidebar at 2,000 articles, and 5-10 ms of every article switch for the entity
panel (figures 1 and 2 of bench/run.py). Here each row has a height known without
measuring text, the rows' first lines are one list, and only the lines on screen are
drawn (``render_line``, cached per row line). Subclasses say how tall each row is and
draw its lines; rows that cannot be highlighted (headings) are skipped by the cursor.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style

from reader.text import sanitize_line


def fit(text: str, width: int) -> str:
    """Return *text* cut to *width* cells with "…" when longer (never a half wide character)."""
    if cell_len(text) <= width:
        return text
    # set_cell_size pads a wide character cut in half with a space: drop it, and any
    # space at the cut, so that "…" follows the text.
    return set_cell_size(text, max(width - 1, 0)).rstrip(" ") + "…"


def heading_line(label: str, count: int) -> Content:
    """A heading row of a list grouped by label: ``LABEL (count)``, the label sanitised
    (labels can be the user's) and bold, the count dim."""
    return Content.assemble((f"{sanitize_line(label, 40)} ", "bold"), (f"({count:,})", "dim"))


def content_strip(content: Content, style: Style) -> Strip:
    """Draw one line of *content* over *style* (never parsed as markup)."""
    return Strip(content.render_segments(style), content.cell_length)


class RowList(ScrollView, can_focus=True):
    """Rows of known heights; a highlighted row, moved by keys, chosen by Enter or a click."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"row-list--highlighted", "row-list--hover"}

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False),
        Binding("k,up", "cursor_up", "Up", show=False),
        Binding("g,home", "first", "First", show=False),
        Binding("G,end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
    ]

    highlighted: reactive[int | None] = reactive(None)
    """The index of the highlighted row; setting it scrolls that row into view."""

    _hover: reactive[int | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._offsets: list[int] = [0]
        """The first line of each row, then the total number of lines."""
        self._cache: LRUCache[tuple[int, int, Style, int], Strip] = LRUCache(1024)
        self._scrollbars_for: tuple[Size, Size] | None = None
        """The virtual and container sizes the scrollbars were last decided for here."""
        self._scroll_wanted = False
        """The highlighted row was to be scrolled into view before the list had a height:
        done once it has one (see :meth:`scroll_to_highlight`)."""

    # --- what subclasses provide ---------------------------------------------------

    def render_row_line(self, index: int, part: int, style: Style, width: int) -> Strip:
        """Draw line *part* of row *index*, *width* cells wide, over *style*."""
        raise NotImplementedError

    def can_highlight(self, index: int) -> bool:
        """Whether row *index* can be highlighted (a heading cannot)."""
        return True

    def row_chosen(self, index: int) -> None:
        """Row *index* was chosen (Enter or a click): post the subclass's message."""

    # --- rows ----------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """How many rows there are."""
        return len(self._offsets) - 1

    def set_row_heights(self, heights: Iterable[int], highlighted: int | None = -1) -> None:
        """Lay out rows of *heights* lines; also move the highlight, unless -1."""
        offsets = [0]
        total = 0
        for height in heights:
            total += height
            offsets.append(total)
        self._offsets = offsets
        if highlighted != -1:
            # Without the watcher, which would scroll before the new layout.
            self.set_reactive(RowList.highlighted, self.validate_highlighted(highlighted))
        elif self.highlighted is not None and self.highlighted >= self.row_count:
            self.set_reactive(RowList.highlighted, self.validate_highlighted(0))
        self._set_virtual_size()
        self.scroll_to_highlight()
        self.redraw_rows()

    def _set_virtual_size(self) -> None:
        """Make the virtual size the rows' lines, as wide as the rows are drawn, and decide
        the scrollbars for it now.

        Textual decides a ScrollView's scrollbars in a layout pass, and only when that pass
        finds a change: its size, or a virtual size other than the one it measures (for a
        ScrollView, the area inside the scrollbars shown). Set here, outside layout, rows
        that exactly fill that area (16 rows in 16 lines beside the scrollbar, once the
        entity panel's names are resolved) look unchanged to it and the scrollbar stayed.
        Decided now, as Textual's OptionList does when its lines change (``_update_lines``):
        ``_scroll_update`` also sizes the scrollbar's thumb and keeps the scroll offset within
        the new rows. Private Textual API, Textual pinned (8.2.8). Only when the rows' lines
        or the area changed since it was last decided here: an article switch sets the
        rows of the panel and the legend, often to as many lines as before, and each call
        repaints the scrollbar in the switch's frame.
        """
        self.virtual_size = Size(self.scrollable_content_region.width, self._offsets[-1])
        decided = (self.virtual_size, self.container_size)
        if decided != self._scrollbars_for:
            self._scrollbars_for = decided
            self._scroll_update(self.virtual_size)

    def redraw_rows(self) -> None:
        """Draw every row again (what the rows show changed, not their heights)."""
        self._cache.clear()
        self.refresh()

    def row_at(self, line: int) -> int | None:
        """Return the index of the row drawn on virtual line *line*, or None past the end."""
        if not 0 <= line < self._offsets[-1]:
            return None
        return bisect_right(self._offsets, line) - 1

    def row_region(self, index: int) -> Region:
        """Return the virtual region of row *index*."""
        top = self._offsets[index]
        return Region(0, top, self.scrollable_content_region.width, self._offsets[index + 1] - top)

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self._set_virtual_size()
        if self._scroll_wanted:
            self.scroll_to_highlight()

    def on_show(self) -> None:
        self.scroll_to_highlight()

    # --- rendering -----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        index = self.row_at(line)
        if index is None:
            return Strip.blank(width, self.rich_style)
        if index == self.highlighted:
            state = "row-list--highlighted"
        elif index == self._hover and self.can_highlight(index):
            state = "row-list--hover"
        else:
            state = ""
        part = line - self._offsets[index]
        style = self.get_visual_style(state) if state else self.get_visual_style()
        # Keyed by the style, not cleared when styles change: focus comes and goes on
        # every article switch, and only the highlighted row looks different.
        key = (index, part, style, width)
        strip = self._cache.get(key)
        if strip is None:
            strip = self.render_row_line(index, part, style, width)
            strip = strip.extend_cell_length(width, style.rich_style)
            self._cache[key] = strip
        return strip

    # --- highlight and choice ------------------------------------------------------

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self.row_count:
            return None
        return max(0, min(highlighted, self.row_count - 1))

    def watch_highlighted(self) -> None:
        self.scroll_to_highlight()

    def scroll_to_highlight(self) -> None:
        """Scroll so that the highlighted row is wholly on screen.

        Not before the list is laid out: in no height at all, the second row is "on
        screen" only one line down, and that scroll stayed once the list had its height
        (an entity page, its first snippet highlighted, opened with its first title off
        screen). Then done on the first resize that gives it a height."""
        if self.highlighted is None or not self.is_mounted:
            return
        if not self.scrollable_content_region.height:
            self._scroll_wanted = True
            return
        self._scroll_wanted = False
        self.scroll_to_region(
            self.row_region(self.highlighted), animate=False, force=True, immediate=True
        )

    def _step(self, start: int, step: int) -> int | None:
        """The first row that can be highlighted from *start* on, by *step*, wrapping."""
        count = self.row_count
        for n in range(count):
            index = (start + step * n) % count
            if self.can_highlight(index):
                return index
        return None

    def _nearest(self, start: int, step: int) -> int | None:
        """The first row that can be highlighted from *start* on by *step*, else the other
        way (no wrapping: a page up from near the top stays at the top)."""
        for direction in (step, -step):
            index = start
            while 0 <= index < self.row_count:
                if self.can_highlight(index):
                    return index
                index += direction
        return None

    def action_cursor_down(self) -> None:
        """Highlight the next row (from the last, the first)."""
        if self.row_count:
            current = self.highlighted
            self.highlighted = self._step(0 if current is None else current + 1, 1)

    def action_cursor_up(self) -> None:
        """Highlight the previous row (from the first, the last)."""
        if self.row_count:
            current = self.highlighted
            self.highlighted = self._step(-1 if current is None else current - 1, -1)

    def action_first(self) -> None:
        """Highlight the first row."""
        if self.row_count:
            self.highlighted = self._step(0, 1)

    def action_last(self) -> None:
        """Highlight the last row."""
        if self.row_count:
            self.highlighted = self._step(self.row_count - 1, -1)

    def _move_page(self, direction: int) -> None:
        if not self.row_count:
            return
        if self.highlighted is None:
            self.action_first() if direction < 0 else self.action_last()
            return
        line = self._offsets[self.highlighted] + direction * self.scrollable_content_region.height
        line = max(0, min(line, self._offsets[-1] - 1))
        index = self.row_at(line)
        if index is not None:
            self.highlighted = self._nearest(index, direction)

    def action_page_down(self) -> None:
        """Highlight the row a screen further down."""
        self._move_page(1)

    def action_page_up(self) -> None:
        """Highlight the row a screen further up."""
        self._move_page(-1)

    def action_select(self) -> None:
        """Choose the highlighted row."""
        index = self.highlighted
        if index is not None and self.can_highlight(index):
            self.row_chosen(index)

    # --- mouse ---------------------------------------------------------------------

    def _row_under(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        return self.row_at(int(self.scroll_offset.y) + offset.y)

    def on_click(self, event: events.Click) -> None:
        index = self._row_under(event)
        if index is not None and self.can_highlight(index):
            self.highlighted = index
            self.action_select()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover = self._row_under(event)

    def on_leave(self, event: events.Leave) -> None:
        self._hover = None

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # The row under the pointer is another one now; the next move says which.
        self._hover = None
