"""The saved searches at the top of the sidebar: one row each, a name and a count.

A :class:`RowList` like the article list under it, so that it moves and is drawn the same
way (`j`/`k`, Enter, a click); hidden while there are no saved searches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.cells import cell_len
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.style import Style

from reader.store import View
from reader.text import sanitize_line
from reader.ui.widgets.row_list import RowList, content_strip, fit


def count_text(count: int | None, known: bool) -> str:
    """How a view's count is shown: ``1,234``, ``…`` while counting, ``!`` for a query that
    no longer parses."""
    if not known:
        return "…"
    return "!" if count is None else f"{count:,}"


class ViewList(RowList):
    """The saved views, one line each: its name, and how many articles it finds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # RowList's Enter, with what it does here (the help lists it).
        Binding("enter", "select", "Apply the view (then the list)", show=False),
    ]

    @dataclass
    class Chosen(Message):
        """A view was chosen (Enter, or a click on its row): the screen applies it."""

        view_list: ViewList = field(repr=False)
        view: View

        @property
        def control(self) -> ViewList:
            """The list it was chosen in."""
            return self.view_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.views: list[View] = []
        """The views listed, in the order they were saved."""
        self.counts: dict[str, int | None] = {}
        """How many articles each view finds, by name (None: its query does not parse);
        a view missing here is still being counted."""
        self.active: str | None = None
        """The name of the view whose query is in the filter field, if any."""

    def set_views(self, views: Sequence[View]) -> None:
        """List *views* (hidden when there are none), keeping the highlighted one's place."""
        current = self.highlighted_view
        self.views = list(views)
        names = [v.name.casefold() for v in self.views]
        keep = current.name.casefold() if current is not None else None
        self.display = bool(self.views)
        self.set_row_heights([1] * len(self.views), names.index(keep) if keep in names else 0)

    def set_counts(self, counts: Mapping[str, int | None]) -> None:
        """Show *counts* (by view name) beside the views."""
        if dict(counts) != self.counts:
            self.counts = dict(counts)
            self.redraw_rows()

    def set_active(self, name: str | None) -> None:
        """Mark the view *name* as the one in force (None: none is)."""
        if name != self.active:
            self.active = name
            self.redraw_rows()

    @property
    def highlighted_view(self) -> View | None:
        """The view on the highlighted row, if any."""
        index = self.highlighted
        return None if index is None or index >= len(self.views) else self.views[index]

    def render_row_line(self, index: int, part: int, style: Style, width: int) -> Strip:
        view = self.views[index]
        count = count_text(self.counts.get(view.name), view.name in self.counts)
        marker = "▸ " if view.name == self.active else "  "
        room = max(width - cell_len(count) - len(marker) - 1, 1)
        name = fit(sanitize_line(view.name, 200), room)
        gap = " " * max(width - len(marker) - cell_len(name) - cell_len(count), 1)
        line = Content.assemble(
            (marker, "bold"),
            (name, "bold" if view.name == self.active else ""),
            gap,
            (count, "dim"),
        )
        return content_strip(line, style)

    def row_chosen(self, index: int) -> None:
        self.post_message(self.Chosen(self, self.views[index]))
