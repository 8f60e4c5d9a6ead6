"""The entity panel: the article's entities grouped by label, with mention counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.entities.span import LABELS, Span


@dataclass(frozen=True)
class EntityGroup:
    """One distinct entity: its label, surface text, mentions and first offset."""

    label: str
    text: str
    count: int
    first: int


def group_entities(spans: Sequence[Span]) -> dict[str, list[EntityGroup]]:
    """Group *spans* by label, then by text; most mentioned first within a label."""
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], int] = {}
    for span in spans:
        key = (span.label, span.text)
        counts[key] += 1
        first.setdefault(key, span.start)
    groups: dict[str, list[EntityGroup]] = {}
    order = {label: i for i, label in enumerate(LABELS)}
    for (label, text), count in counts.items():
        groups.setdefault(label, []).append(EntityGroup(label, text, count, first[(label, text)]))
    return {
        label: sorted(groups[label], key=lambda g: (-g.count, g.first))
        for label in sorted(groups, key=lambda lab: (order.get(lab, len(order)), lab))
    }


class EntityPanel(OptionList):
    """Lists entities by label; selecting one asks to jump to its first mention."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]

    @dataclass
    class Jump(Message):
        """The user chose an entity: go to its first mention."""

        offset: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self._offsets: dict[str, int] = {}

    def set_spans(self, spans: Sequence[Span]) -> None:
        """Show the entities of *spans*."""
        self.clear_options()
        self._offsets.clear()
        options: list[Option | None] = []
        for label, groups in group_entities(spans).items():
            total = sum(g.count for g in groups)
            heading = Content.assemble((f"{label} ", "bold"), (f"({total})", "dim"))
            options.append(Option(heading, disabled=True))
            for number, group in enumerate(groups):
                option_id = f"{label}:{number}"
                self._offsets[option_id] = group.first
                prompt = Content.assemble("  ", group.text, (f" ×{group.count}", "dim"))
                options.append(Option(prompt, id=option_id))
        self.add_options([o for o in options if o is not None])
        if len(options) > 1:
            self.highlighted = 1  # the first entity, under its label heading

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None and event.option.id in self._offsets:
            self.post_message(self.Jump(self._offsets[event.option.id]))
