"""Dialogs for saved searches (views): naming one to save it, renaming one."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from reader.store.model import MAX_VIEW_NAME_LENGTH
from reader.text import sanitize_line


def view_name_problem(name: str) -> str | None:
    """Why *name*, as typed, cannot name a view, or None (the store's rule: one line, 1 to
    MAX_VIEW_NAME_LENGTH characters, compared ignoring case)."""
    cleaned = sanitize_line(name, limit=1_000_000).strip()
    if not cleaned:
        return "a view needs a name"
    if len(cleaned) > MAX_VIEW_NAME_LENGTH:
        return f"a view's name can be at most {MAX_VIEW_NAME_LENGTH} characters long"
    return None


class ViewNameScreen(ModalScreen[str | None]):
    """Asks for a view's name: to save the query *query* under (*current* None), or a new
    name for the view *current*. Returns the name typed, stripped, or None (Escape).
    *name*: the name to show typed already, selected (one in use the user chose not to
    replace: what they type replaces it)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, query: str, current: str | None = None, *, name: str = "") -> None:
        super().__init__()
        self._query = query
        self._current = current
        self._name = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if self._current is None:
                title = Content("Save this search as a view")
            else:
                title = Content.assemble("Rename the view ", (sanitize_line(self._current), "bold"))
            yield Static(title, classes="dialog-title", markup=False)
            yield Static(
                Content.assemble(("query  ", "dim"), sanitize_line(self._query, 300)),
                markup=False,
            )
            yield Input(
                value=self._current or self._name,
                placeholder="name (shown at the top of the sidebar)",
                max_length=MAX_VIEW_NAME_LENGTH,
                id="view-name",
            )
            yield Static(Content("Enter: save    Esc: cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        field = self.query_one("#view-name", Input)
        field.focus()
        field.select_all()

    @on(Input.Submitted, "#view-name")
    def _submitted(self, event: Input.Submitted) -> None:
        problem = view_name_problem(event.value)
        if problem is not None:
            self.notify(problem, title="Not a name", severity="warning", markup=False)
            return
        self.dismiss(sanitize_line(event.value, limit=1_000_000).strip())

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
