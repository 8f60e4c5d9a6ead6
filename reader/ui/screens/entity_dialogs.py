"""Dialogs of the entity edits: a new name for an entity, its new label (chosen from the
labels the app knows, as the correction dialog offers them), the variant to split off it.
(The entity to merge into is chosen in the library's entity list:
:class:`reader.ui.screens.entity_library.EntityLibraryScreen`.)"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.entities.library.resolve import Entity
from reader.entities.span import LABELS
from reader.text import sanitize_line


class EntityTextScreen(ModalScreen[str | None]):
    """Asks for one line of text about *entity* (its new name, its new label). Returns it,
    stripped, or None (Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, entity: Entity, value: str, placeholder: str) -> None:
        super().__init__()
        self._title = title
        self._entity = entity
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        entity = self._entity
        with Vertical(classes="dialog"):
            yield Static(
                Content.assemble(
                    self._title,
                    " ",
                    (sanitize_line(entity.name, 80), "bold"),
                    (f"  {sanitize_line(entity.label, 20)}", "dim"),
                ),
                classes="dialog-title",
                markup=False,
            )
            yield Input(
                value=sanitize_line(self._value, 200),
                placeholder=self._placeholder,
                max_length=200,
                id="entity-text",
            )
            yield Static(Content("Enter: save    Esc: cancel"), classes="dialog-hint")

    @on(Input.Submitted, "#entity-text")
    def _submitted(self, event: Input.Submitted) -> None:
        value = sanitize_line(event.value, limit=200).strip()
        if not value:
            self.notify("It cannot be blank", severity="warning", markup=False)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        """Close without a change."""
        self.dismiss(None)


class LabelScreen(ModalScreen[str | None]):
    """Picks *entity*'s new label from the labels the app knows (digits 1-9 as shortcuts,
    the current one highlighted). Returns the label, or None (Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10)),
    ]

    def __init__(self, entity: Entity) -> None:
        super().__init__()
        self._entity = entity

    def compose(self) -> ComposeResult:
        entity = self._entity
        with Vertical(classes="dialog dialog-tall"):
            yield Static(
                Content.assemble(
                    "Relabel ",
                    (sanitize_line(entity.name, 80), "bold"),
                    (f"  {sanitize_line(entity.label, 20)}", "dim"),
                    " everywhere",
                ),
                classes="dialog-title",
                markup=False,
            )
            yield OptionList(
                *(
                    Option(Content(f"{n + 1 if n < 9 else ' '}  {label}"), id=label)
                    for n, label in enumerate(LABELS)
                ),
                id="entity-labels",
            )
            yield Static(Content("1–9 or Enter: label    Esc: cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        labels = self.query_one(OptionList)
        if self._entity.label in LABELS:
            labels.highlighted = LABELS.index(self._entity.label)
        labels.focus()

    def action_pick(self, index: int) -> None:
        """Choose the label at *index*."""
        self.dismiss(LABELS[index])

    @on(OptionList.OptionSelected, "#entity-labels")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without a change."""
        self.dismiss(None)


class SplitScreen(ModalScreen[str | None]):
    """Asks which variant of *entity* to split off (its own entity from now on), or every
    variant apart. Returns the variant ("" for every one), or None (Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, entity: Entity) -> None:
        super().__init__()
        self._entity = entity

    def compose(self) -> ComposeResult:
        entity = self._entity
        options = [Option(Content.styled("every name apart", "italic"), id="")]
        options += [
            Option(Content(sanitize_line(key, 100)), id=key) for key, _label in entity.keys[1:]
        ]
        with Vertical(classes="dialog"):
            yield Static(
                Content.assemble("Split off ", (sanitize_line(entity.name, 80), "bold")),
                classes="dialog-title",
                markup=False,
            )
            yield OptionList(*options, id="split-variants")
            yield Static(Content("Enter: split    Esc: cancel"), classes="dialog-hint")

    @on(OptionList.OptionSelected, "#split-variants")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id or "")

    def action_cancel(self) -> None:
        """Close without a change."""
        self.dismiss(None)
