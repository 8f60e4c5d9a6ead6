"""Entity colours and the article's styles: component classes on a widget of their own.

Textual restyles a widget, component classes included, every time it gains or loses
focus. With a class per entity label on the article view that was 6 ms of every article
switch (Enter moves the focus to the article); the view's own 27 classes (headings, marks,
the selection, find matches, Markdown's formats) cost 3-4 ms more. This widget is never
focused nor shown; the article view and the legend take their styles from it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.color import Color
from rich.style import Style
from textual.widget import Widget

from reader.entities.span import LABELS, Span
from reader.ui.widgets.article_formats import FORMAT_CLASSES


def label_class(label: str) -> str:
    """Return the component class that colours entities labelled *label*."""
    return f"entity--{label.lower().replace('_', '-')}"


def contrast(one: Color, other: Color) -> float:
    """The WCAG contrast ratio of two colours (1 to 21; 4.5 reads as body text)."""

    def luminance(colour: Color) -> float:
        red, green, blue = (
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
            for c in (v / 255 for v in colour.get_truecolor())
        )
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


BLACK = Color.from_rgb(0, 0, 0)
WHITE = Color.from_rgb(255, 255, 255)


def readable_on(background: Color) -> Color:
    """Black or white, whichever reads better on *background* (4.58:1 at worst)."""
    return max((BLACK, WHITE), key=lambda colour: contrast(colour, background))


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
            # Black or white on the label's colour, like displaCy's chips: Textual's partial
            # styles drop a background's alpha (``Color.rich_color``), so the colour is
            # drawn at full strength, and the theme's light text on a date's yellow read
            # at 1.2:1. Blending it over the page instead turned the labels into greys
            # that 256-colour terminals (tmux's default) cannot tell apart.
            if style.bgcolor is not None:
                style += Style(color=readable_on(style.bgcolor))
            if corrected:
                style += self.get_component_rich_style("entity--corrected", partial=True)
            if current:
                style += self.get_component_rich_style("entity--current", partial=True)
            self._styles[key] = style
        return style


#: The article view's own styles (styles/entities.tcss): the title and headings of plain
#: text, the user's marks, the selection and the find matches.
ARTICLE_CLASSES = frozenset(
    {
        "article--heading",
        "article--highlight",
        "article--note",
        "article--mark-current",
        "article--selection",
        "article--find-match",
        "article--find-current",
    }
)


class ArticleStyles(EntityColours):
    """The entity colours and the article view's other styles (``ArticleStyles > .x`` in
    styles/entities.tcss and styles/markdown.tcss), for the article view to draw with."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *EntityColours.COMPONENT_CLASSES,
        *ARTICLE_CLASSES,
        *FORMAT_CLASSES,
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._components: dict[str, Style] = {}

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._components.clear()

    def component(self, name: str) -> Style:
        """The style of component class *name* (to draw over the text's own)."""
        style = self._components.get(name)
        if style is None:
            style = self._components[name] = self.get_component_rich_style(name, partial=True)
        return style
