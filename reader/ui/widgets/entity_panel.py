"""The entity panel: the article's entities grouped by label, with mention counts.

A :class:`RowList` of one-line rows (a heading per label, then its entities, most
mentioned first): OptionList wrapped every entry when the panel was filled, 5-10 ms of
each article switch (figure 2 of bench/run.py). A name too long for the panel is cut with
"…"; its count stays.

The keys of the entity edits (M r L S) are the panel's while it has the focus; their
actions are its screen's (``entity_edit``: the screen says when they are offered).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.style import Style

from reader.entities.span import Span, label_order
from reader.text import sanitize_line
from reader.ui.widgets.row_list import RowList, content_strip, fit, heading_line


@dataclass(frozen=True)
class EntityGroup:
    """One distinct entity: its label, surface text, mentions and first offset."""

    label: str
    text: str
    count: int
    first: int
    entity_id: str = ""
    """The library entity it is (the entity index's id), once looked up; "" until then."""


Resolved = Mapping[int, tuple[str, str, str]]
"""By mention start: the library entity the mention is (id, name, label)."""


def group_entities(
    spans: Sequence[Span], resolved: Resolved | None = None
) -> dict[str, list[EntityGroup]]:
    """Group *spans* by label, then by text; most mentioned first within a label. With
    *resolved*, mentions of one library entity are one group, under its name and label
    (a merge, rename or relabel made by the user shows here)."""
    resolved = resolved or {}
    counts: Counter[tuple[str, str, str]] = Counter()
    first: dict[tuple[str, str, str], int] = {}
    for span in spans:
        ident, name, label = resolved.get(span.start, ("", span.text, span.label))
        key = (label, name, ident)
        counts[key] += 1
        first.setdefault(key, span.start)
    groups: dict[str, list[EntityGroup]] = {}
    for key, count in counts.items():
        label, text, ident = key
        groups.setdefault(label, []).append(EntityGroup(label, text, count, first[key], ident))
    return {
        label: sorted(groups[label], key=lambda g: (-g.count, g.first))
        for label in sorted(groups, key=label_order)
    }


class EntityPanel(RowList):
    """Lists entities by label; choosing one asks to jump to its first mention."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Jump to its first mention", show=False),
        Binding("M", "screen.entity_edit('merge')", "Merge into…"),
        Binding("r", "screen.entity_edit('rename')", "Rename"),
        Binding("L", "screen.entity_edit('relabel')", "Relabel"),
        Binding("S", "screen.entity_edit('split')", "Split"),
    ]

    @dataclass
    class Jump(Message):
        """The user chose an entity: go to its first mention."""

        offset: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[EntityGroup | str] = []
        """Top to bottom: a label (its heading), then its entities."""
        self._mentions: dict[str, int] = {}
        """Mentions per label (shown on its heading)."""
        self._spans: Sequence[Span] = ()

    def set_spans(self, spans: Sequence[Span]) -> None:
        """Show the entities of *spans*, the first one highlighted."""
        self._spans = spans
        self._group(group_entities(spans), highlighted=1)

    def set_resolved(self, resolved: Resolved) -> None:
        """Show the spans as the library's entities (*resolved*: see :func:`group_entities`),
        the entity highlighted before still highlighted."""
        chosen = self.chosen
        grouped = group_entities(self._spans, resolved)
        highlighted = 1
        if chosen is not None:
            where = resolved.get(chosen.first)
            for i, row in enumerate(r for rows in grouped.values() for r in ("", *rows)):
                if isinstance(row, EntityGroup) and (
                    row.first == chosen.first or (where is not None and row.entity_id == where[0])
                ):
                    highlighted = i
                    break
        self._group(grouped, highlighted)

    @property
    def chosen(self) -> EntityGroup | None:
        """The entity highlighted, if any."""
        index = self.highlighted
        if index is None or index >= len(self._rows):
            return None
        row = self._rows[index]
        return row if isinstance(row, EntityGroup) else None

    def _group(self, grouped: dict[str, list[EntityGroup]], highlighted: int) -> None:
        rows: list[EntityGroup | str] = []
        mentions: dict[str, int] = {}
        for label, groups in grouped.items():
            mentions[label] = sum(g.count for g in groups)
            rows.append(label)
            rows.extend(groups)
        self._rows = rows
        self._mentions = mentions
        self.set_row_heights(
            [1] * len(rows), highlighted=highlighted if len(rows) > highlighted else None
        )

    def can_highlight(self, index: int) -> bool:
        return isinstance(self._rows[index], EntityGroup)

    def render_row_line(self, index: int, part: int, style: Style, width: int) -> Strip:
        # Entity texts and labels are the article's or the user's: a newline or tab in
        # them must not reach the screen.
        row = self._rows[index]
        if isinstance(row, EntityGroup):
            count = f" ×{row.count}"
            name = fit(sanitize_line(row.text), max(width - 2 - len(count), 1))
            line = Content.assemble("  ", name, (count, "dim"))
        else:
            line = heading_line(row, self._mentions[row])
        return content_strip(line.truncate(width), style)

    def row_chosen(self, index: int) -> None:
        row = self._rows[index]
        if isinstance(row, EntityGroup):
            self.post_message(self.Jump(row.first))
