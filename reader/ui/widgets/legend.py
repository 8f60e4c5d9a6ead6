"""The legend: each entity label with its colour and count; unticking one hides its colour."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.style import Style as ContentStyle
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from reader.entities.span import LABELS, Span

#: One-line descriptions of the OntoNotes labels, for the legend and the help screen.
LABEL_DESCRIPTIONS: dict[str, str] = {
    "PERSON": "people",
    "NORP": "nationalities, religious, political groups",
    "FAC": "buildings, airports, roads, bridges",
    "ORG": "companies, agencies, institutions",
    "GPE": "countries, cities, states",
    "LOC": "other locations, mountains, waters",
    "PRODUCT": "objects, vehicles, foods",
    "EVENT": "named events, wars, storms",
    "WORK_OF_ART": "titles of books, songs",
    "LAW": "named documents and laws",
    "LANGUAGE": "named languages",
    "DATE": "dates and periods",
    "TIME": "times of day",
    "PERCENT": "percentages",
    "MONEY": "monetary values",
    "QUANTITY": "measurements",
    "ORDINAL": "first, second…",
    "CARDINAL": "other numbers",
}


class Legend(SelectionList[str]):
    """Labels present in the article, each ticked while its entities are coloured."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, style_of: Callable[[str], Style], *, id: str | None = None) -> None:
        """*style_of* returns the Rich style entities of a label are drawn with."""
        super().__init__(id=id)
        self._style_of = style_of
        self.hidden: set[str] = set()
        """Labels the user unticked (kept across articles)."""

    def set_spans(self, spans: Sequence[Span]) -> None:
        """Show the labels present in *spans* with their counts."""
        counts = Counter(span.label for span in spans)
        order = {label: i for i, label in enumerate(LABELS)}
        labels = sorted(counts, key=lambda lab: (order.get(lab, len(order)), lab))
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(
            Selection(self._prompt(label, counts[label]), label, label not in self.hidden)
            for label in labels
        )
        if labels:
            self.highlighted = min(highlighted or 0, len(labels) - 1)

    def _prompt(self, label: str, count: int) -> Content:
        swatch = Content(f" {label} ").stylize(ContentStyle.from_rich_style(self._style_of(label)))
        return Content.assemble(swatch, (f" {count}", "bold"))

    def on_selection_list_selection_toggled(
        self, event: SelectionList.SelectionToggled[str]
    ) -> None:
        label = event.selection.value
        if label in self.hidden:
            self.hidden.discard(label)
        else:
            self.hidden.add(label)
