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


@dataclass(frozen=True)
class LegendRow:
    """One label of the article and how many entities have it."""

    label: str
    count: int


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
        self.rows: list[LegendRow] = []
        """The labels shown, in :func:`label_order`."""

    def set_spans(self, spans: Sequence[Span]) -> None:
        """Show the labels present in *spans* with their counts."""
        counts = Counter(span.label for span in spans)
        labels = sorted(counts, key=label_order)
        rows = [LegendRow(label, counts[label]) for label in labels]
        if rows == self.rows:
            return
        self.rows = rows
        highlighted = min(self.highlighted or 0, len(rows) - 1) if rows else None
        self.set_row_heights([1] * len(rows), highlighted)

    @property
    def option_count(self) -> int:
        """How many labels are shown."""
        return len(self.rows)

    def get_option_at_index(self, index: int) -> LegendRow:
        """Return row *index* (raises IndexError past the end)."""
        return self.rows[index]

    def render_row_line(self, index: int, part: int, style: ContentStyle, width: int) -> Strip:
        row = self.rows[index]
        shown = row.label not in self.hidden
        tick = self.get_visual_style("legend--shown" if shown else "legend--hidden", partial=True)
        swatch = ContentStyle.from_rich_style(self._style_of(row.label))
        line = Content.assemble(
            ("✓ " if shown else "· ", tick),
            Content(f" {sanitize_line(row.label, 40)} ").stylize(swatch),
            (f" {row.count}", "bold"),
        ).truncate(width)
        return content_strip(line, style)

    def row_chosen(self, index: int) -> None:
        label = self.rows[index].label
        shown = label in self.hidden
        if shown:
            self.hidden.discard(label)
        else:
            self.hidden.add(label)
        self.redraw_rows()  # with the new tick
        self.post_message(self.Toggled(self, label, shown))
