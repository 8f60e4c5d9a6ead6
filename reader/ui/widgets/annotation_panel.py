"""The notes panel: the article's tags, notes, highlights and corrections, and their state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.annotations import ArticleAnnotations, Placed
from reader.text import sanitize_line

#: How each anchoring state is shown after an annotation.
STATE_MARKS = {
    "anchored": ("  anchored", "dim"),
    "moved": ("  moved", "italic"),
    "orphaned": ("  ⚠ orphaned", "bold italic"),
}


def describe(item: Placed) -> Content:
    """Return the one-line entry for *item*: kind sign, text, anchoring state."""
    annotation = item.annotation
    if annotation.kind == "note":
        sign, body = "✎ ", sanitize_line(annotation.body, 60)
    elif annotation.kind == "highlight":
        quote = (annotation.target or {}).get("quote", {}).get("exact", "")
        sign, body = "▍ ", f"“{sanitize_line(quote, 56)}”"
    else:
        data = annotation.correction or {}
        change = "removed" if data.get("action") == "remove" else f"→ {data.get('label')}"
        scope = {"mention": "here", "article": "article", "global": "everywhere"}
        where = scope.get(str(data.get("scope")), "")
        sign, body = "⚑ ", f"{sanitize_line(str(data.get('text', '')), 30)} {change} ({where})"
    parts: list[str | tuple[str, str]] = [(sign, "bold"), body]
    if item.state in STATE_MARKS:
        parts.append(STATE_MARKS[item.state])
    return Content.assemble(*parts)


class AnnotationPanel(OptionList):
    """Lists what the user wrote; Enter jumps to it, `i` edits a note, `d` deletes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("i", "edit", "Edit note"),
        Binding("d,delete", "delete", "Delete"),
    ]

    @dataclass
    class Jump(Message):
        """Go to the annotation *annotation_id* in the article."""

        annotation_id: str

    @dataclass
    class Edit(Message):
        """Edit the note *annotation_id*."""

        annotation_id: str

    @dataclass
    class Delete(Message):
        """Delete the annotation *annotation_id*, or remove the tag *tag*."""

        annotation_id: str | None = None
        tag: str | None = None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.annotations = ArticleAnnotations()
        """What is listed."""

    def show(self, annotations: ArticleAnnotations) -> None:
        """List *annotations* (tags first, then the rest in the order made)."""
        if annotations == self.annotations:
            return  # most articles have none: nothing to redraw on a switch
        self.annotations = annotations
        highlighted = self.highlighted
        self.clear_options()
        options = [
            Option(Content.assemble(("# ", "bold"), sanitize_line(tag, 60)), id=f"tag:{tag}")
            for tag in annotations.tags
        ]
        options += [
            Option(describe(item), id=f"ann:{item.annotation.id}") for item in annotations.items
        ]
        self.add_options(options)
        if options:
            self.highlighted = min(highlighted or 0, len(options) - 1)

    def _highlighted_id(self) -> str | None:
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith("ann:"):
            self.post_message(self.Jump(option_id[4:]))

    def action_edit(self) -> None:
        """Edit the highlighted note."""
        option_id = self._highlighted_id() or ""
        if option_id.startswith("ann:"):
            self.post_message(self.Edit(option_id[4:]))

    def action_delete(self) -> None:
        """Delete the highlighted annotation or tag."""
        option_id = self._highlighted_id() or ""
        if option_id.startswith("ann:"):
            self.post_message(self.Delete(annotation_id=option_id[4:]))
        elif option_id.startswith("tag:"):
            self.post_message(self.Delete(tag=option_id[4:]))
