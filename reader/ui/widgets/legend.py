"""The legend: each entity label with its colour and count; unticking one hides its colour.

A :class:`RowList` of one-line rows (a SelectionList rebuilt its options, each measured,
on every article switch: figure 2 of bench/run.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as ContentStyle

from reader.entities.span import Span, label_order
from reader.text import sanitize_line
from reader.ui.widgets.row_list import RowList, content_strip


class Legend(RowList):
    """Labels present in the article, each ticked while its entities are coloured."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *RowList.COMPONENT_CLASSES,
        "legend--shown",
        "legend--hidden",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,enter", "select", "Show/hide colour", show=False),
    ]

    @dataclass
    class Toggled(Message):
        """A label's colour was shown or hidden (:attr:`Legend.hidden` says which are)."""

        legend: Legend = field(repr=False)
        label: str
        shown: bool

        @property
        def control(self) -> Legend:
            """The legend (for ``@on(..., "#legend")``)."""
            return self.legend

    def __init__(self, style_of: Callable[[str], Style], *, id: str | None = None) -> None:
        """*style_of* returns the Rich style entities of a label are drawn with."""
        super().__init__(id=id)
        self._style_of = style_of
        self.hidden: set[str] = set()
        """Labels the user unticked (kept across articles)."""
        self._labels: list[str] = []
        """The labels shown, in :func:`label_order`."""
        self._counts: dict[str, int] = {}
        """How many entities have each label."""

    def set_spans(self, spans: Sequence[Span]) -> None:
        """Show the labels present in *spans* with their counts."""
        counts = dict(Counter(span.label for span in spans))
        if counts == self._counts:
            return
        self._counts = counts
        self._labels = sorted(counts, key=label_order)
        rows = len(self._labels)
        highlighted = min(self.highlighted or 0, rows - 1) if rows else None
        self.set_row_heights([1] * rows, highlighted)

    def render_row_line(self, index: int, part: int, style: ContentStyle, width: int) -> Strip:
        label = self._labels[index]
        shown = label not in self.hidden
        tick = self.get_visual_style("legend--shown" if shown else "legend--hidden", partial=True)
        swatch = ContentStyle.from_rich_style(self._style_of(label))
        line = Content.assemble(
            ("✓ " if shown else "· ", tick),
            Content(f" {sanitize_line(label, 40)} ").stylize(swatch),
            (f" {self._counts[label]:,}", "bold"),
        ).truncate(width)
        return content_strip(line, style)

    def row_chosen(self, index: int) -> None:
        label = self._labels[index]
        shown = label in self.hidden
        if shown:
            self.hidden.discard(label)
        else:
            self.hidden.add(label)
        self.redraw_rows()  # with the new tick
        self.post_message(self.Toggled(self, label, shown))
