"""Entity colours: the component classes of styles/entities.tcss, on a widget of their own.

Textual restyles a widget, component classes included, every time it gains or loses
focus. With a class per entity label on the article view that was 6 ms of every article
switch (Enter moves the focus to the article). This widget is never focused nor shown;
the article view and the legend take their colours from it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from textual.widget import Widget

from reader.entities.span import LABELS, Span


def label_class(label: str) -> str:
    """Return the component class that colours entities labelled *label*."""
    return f"entity--{label.lower().replace('_', '-')}"


class EntityColours(Widget, can_focus=False):
    """Holds the entity styles (``display: none`` in styles/entities.tcss)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(label_class(label) for label in LABELS),
        "entity--other",
        "entity--current",
        "entity--corrected",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._styles: dict[tuple[str, bool, bool], Style] = {}

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def label_style(self, label: str) -> Style:
        """The style entities labelled *label* are drawn with (over the text's own)."""
        return self._style(label, corrected=False, current=False)

    def span_style(self, span: Span, current: bool) -> Style:
        """The style *span* is drawn with: its label's, corrected or marked as current."""
        return self._style(span.label, span.source == "user", current)

    def _style(self, label: str, corrected: bool, current: bool) -> Style:
        key = (label, corrected, current)
        style = self._styles.get(key)
        if style is None:
            name = label_class(label)
            if name not in self.COMPONENT_CLASSES:
                name = "entity--other"
            style = self.get_component_rich_style(name, partial=True)
            if corrected:
                style += self.get_component_rich_style("entity--corrected", partial=True)
            if current:
                style += self.get_component_rich_style("entity--current", partial=True)
            self._styles[key] = style
        return style
