"""The entity panel: the article's entities grouped by label, with mention counts.

A :class:`RowList` of one-line rows (a heading per label, then its entities, most
mentioned first): OptionList wrapped every entry when the panel was filled, 5-10 ms of
each article switch (figure 2 of bench/run.py). A name too long for the panel is cut with
"…"; its count stays.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.style import Style

from reader.entities.span import Span, label_order
from reader.text import sanitize_line
from reader.ui.widgets.row_list import RowList, content_strip, fit


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
    for (label, text), count in counts.items():
        groups.setdefault(label, []).append(EntityGroup(label, text, count, first[(label, text)]))
    return {
        label: sorted(groups[label], key=lambda g: (-g.count, g.first))
        for label in sorted(groups, key=label_order)
    }


@dataclass(frozen=True)
class EntityRow:
    """One row: a label heading (no group) or an entity of that label."""

    label: str
    total: int
    """Mentions of the label (shown on its heading)."""
    group: EntityGroup | None = None

    @property
    def id(self) -> str | None:
        """ "LABEL:text" for an entity, None for a heading."""
        return None if self.group is None else f"{self.label}:{self.group.text}"

    @property
    def prompt(self) -> Content:
        """The row's whole text, uncut, on one line (entity texts and labels are the
        article's or the user's: a newline or tab in them must not reach the screen)."""
        if self.group is None:
            label = sanitize_line(self.label, 40)
            return Content.assemble((f"{label} ", "bold"), (f"({self.total})", "dim"))
        text = sanitize_line(self.group.text)
        return Content.assemble("  ", text, (f" ×{self.group.count}", "dim"))


class EntityPanel(RowList):
    """Lists entities by label; choosing one asks to jump to its first mention."""

    @dataclass
    class Jump(Message):
        """The user chose an entity: go to its first mention."""

        offset: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[EntityRow] = []
        """The headings and entities, top to bottom."""

    def set_spans(self, spans: Sequence[Span]) -> None:
        """Show the entities of *spans*, the first one highlighted."""
        rows: list[EntityRow] = []
        for label, groups in group_entities(spans).items():
            total = sum(g.count for g in groups)
            rows.append(EntityRow(label, total))
            rows.extend(EntityRow(label, total, group) for group in groups)
        self.rows = rows
        self.set_row_heights([1] * len(rows), highlighted=1 if len(rows) > 1 else None)

    @property
    def option_count(self) -> int:
        """How many rows there are (headings included)."""
        return len(self.rows)

    def get_option_at_index(self, index: int) -> EntityRow:
        """Return row *index* (raises IndexError past the end)."""
        return self.rows[index]

    def can_highlight(self, index: int) -> bool:
        return self.rows[index].group is not None

    def render_row_line(self, index: int, part: int, style: Style, width: int) -> Strip:
        row = self.rows[index]
        if row.group is None:
            line = row.prompt
        else:
            count = f" ×{row.group.count}"
            name = fit(sanitize_line(row.group.text), max(width - 2 - len(count), 1))
            line = Content.assemble("  ", name, (count, "dim"))
        line = line.truncate(width)
        return content_strip(line, style)

    def row_chosen(self, index: int) -> None:
        group = self.rows[index].group
        if group is not None:
            self.post_message(self.Jump(group.first))
