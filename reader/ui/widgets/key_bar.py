"""The bottom line of keys: what Textual's Footer shows, drawn as one line of text.

Textual's ``Footer`` recomposes itself (a widget, CSS and layout per key) every time the
bindings change, which is every time the focus moves: 40-80 ms when Enter opens an
article and the focus goes from the list to the article, most of the article switch
(figure 2 of bench/run.py). This bar is one widget that redraws one line, and only when
the keys it shows have changed. A click on a key presses it, as on the Footer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget


@dataclass(frozen=True)
class ShownKey:
    """One key of the bar: what is pressed, how it is written, and what it does."""

    key: str
    display: str
    description: str
    enabled: bool


#: Actions whose key is always shown, at the right end (with the command palette's).
RIGHT = frozenset({"help"})


class KeyBar(Widget, can_focus=False):
    """The keys in force on the screen (bindings with ``show=True``), one per action."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--disabled",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple[ShownKey, ...] = ()
        self._right: tuple[ShownKey, ...] = ()
        self._places: list[tuple[int, int, ShownKey]] = []
        self._drawn: dict[tuple[object, ...], tuple[Content, list[tuple[int, int, ShownKey]]]] = {}
        """The bar as drawn for the last few sets of keys, widths and styles."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        app = self.app
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        keys: list[ShownKey] = []
        right: list[ShownKey] = []
        actions: set[str] = set()
        for key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items():
            if not (binding.show or key == palette_key) or binding.action in actions:
                continue
            actions.add(binding.action)
            shown = ShownKey(
                binding.key, app.get_key_display(binding), binding.description, enabled
            )
            # Help and the command palette stay on the right, shown however narrow.
            (right if key == palette_key or binding.action in RIGHT else keys).append(shown)
        if (tuple(keys), tuple(right)) != (self._keys, self._right):
            self._keys, self._right = tuple(keys), tuple(right)
            self.refresh()

    @property
    def keys(self) -> tuple[ShownKey, ...]:
        """The keys shown, left to right (help and the command palette's on the right)."""
        return self._keys + self._right

    def render(self) -> Content:
        key_style = Style.from_rich_style(self.get_component_rich_style("key-bar--key"))
        text_style = Style.from_rich_style(self.get_component_rich_style("key-bar--description"))
        off_style = Style.from_rich_style(self.get_component_rich_style("key-bar--disabled"))
        # The bar takes turns between a few sets of keys (the list's, the article's, as
        # the focus moves on every article switch): each drawn once.
        width = self.size.width
        cache_key = (self._keys, self._right, width, key_style, text_style, off_style)
        drawn = self._drawn.get(cache_key)
        if drawn is None:
            drawn = self._draw(width, key_style, text_style, off_style)
            if len(self._drawn) >= 8:
                self._drawn.clear()
            self._drawn[cache_key] = drawn
        content, self._places = drawn
        return content

    def _draw(
        self, width: int, key_style: Style, text_style: Style, off_style: Style
    ) -> tuple[Content, list[tuple[int, int, ShownKey]]]:
        def item(shown: ShownKey) -> Content:
            key = Content(f" {shown.display} ").stylize(key_style)
            text = Content(f"{shown.description} ").stylize(text_style)
            drawn = Content.assemble(key, text)
            return drawn if shown.enabled else drawn.stylize(off_style)

        right = [(shown, item(shown)) for shown in self._right]
        right_width = sum(drawn.cell_length for _, drawn in right)
        parts: list[Content] = []
        places: list[tuple[int, int, ShownKey]] = []
        x = 0
        for shown in self._keys:
            drawn = item(shown)
            if x + drawn.cell_length > width - right_width:
                break  # no room: the help screen lists every key
            parts.append(drawn)
            places.append((x, x + drawn.cell_length, shown))
            x += drawn.cell_length
        if right and right_width <= width:
            parts.append(Content(" " * (width - x - right_width)))
            x = width - right_width
            for shown, drawn in right:
                parts.append(drawn)
                places.append((x, x + drawn.cell_length, shown))
                x += drawn.cell_length
        return Content.assemble(*parts), places

    def on_click(self, event: events.Click) -> None:
        for start, end, shown in self._places:
            if start <= event.x < end:
                event.stop()
                if shown.enabled:
                    self.app.simulate_key(shown.key)
                else:
                    self.app.bell()
                return
