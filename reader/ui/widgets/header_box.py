"""The article header's box: a Static whose line of metadata ("Jane Reporter · 3 May
2026 · news/a.md · 812 words · 4 min read") wraps between its items only, never inside
one ("· 4" / "min read"). Textual wraps at any space, and counts a no-break space as one
(its wrap splits at ``\\s``), so the box breaks the line itself at its width, again when
that width changes."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.visual import VisualType
from textual.widgets import Static

SEPARATOR = " · "


def pack(items: Sequence[str], width: int) -> str:
    """*items* joined by " · ", a line broken between two items where the next would
    pass *width* cells (the line then ends in " ·" if that fits); an item wider than
    *width* is left for the wrap. No width (not laid out yet): one line."""
    lines: list[str] = []
    line = ""
    for item in items:
        if not line:
            line = item
        elif width > 0 and cell_len(line) + cell_len(SEPARATOR) + cell_len(item) > width:
            lines.append(line + SEPARATOR.rstrip() if cell_len(line) + 2 <= width else line)
            line = item
        else:
            line += SEPARATOR + item
    lines.append(line)
    return "\n".join(lines)


class HeaderBox(Static):
    """Shows *before*, a line of items (packed by :func:`pack` at the box's width), then
    *after*; or any content (:meth:`update`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self._items: tuple[Content, tuple[str, ...], str, Content] | None = None
        self._packed_for = -1
        """The width the items were packed for."""

    def show_items(self, before: Content, items: Sequence[str], style: str, after: Content) -> None:
        """Show *before*, *items* in *style* (one line, or broken between items), *after*."""
        self._items = (before, tuple(items), style, after)
        self._pack()

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        self._items = None
        super().update(content, layout=layout)

    def repack(self) -> None:
        """Pack the items again if the width for them changed (the padding set)."""
        if self._items is not None and self._width() != self._packed_for:
            self._pack()

    def _width(self) -> int:
        return max(0, self.outer_size.width - self.styles.gutter.width)  # padding as set now

    def _pack(self) -> None:
        assert self._items is not None
        before, items, style, after = self._items
        self._packed_for = width = self._width()
        content = Content.assemble(before, (pack(items, width), style), after)
        super().update(content)

    def on_resize(self, event: events.Resize) -> None:
        self.repack()
