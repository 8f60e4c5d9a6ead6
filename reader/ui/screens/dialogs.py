"""Dialogs: tags, entity corrections, tag renaming, and yes/no questions (the note editor
is :mod:`reader.ui.screens.note_editor`).

Each is a ModalScreen that dismisses with its result (None when cancelled). Untrusted
text (quotes, tags, notes) is shown as plain Content, never parsed as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.entities.span import LABELS
from reader.store.model import TAG_RULE, tag_problem
from reader.text import sanitize_line


class ConfirmScreen(ModalScreen[bool]):
    """Asks a yes/no question: `y` or Enter for yes, `n` or Escape for no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self._question), classes="dialog-title")
            yield Static(Content("y / Enter: yes    n / Esc: no"), classes="dialog-hint")

    def action_answer(self, answer: bool) -> None:
        """Close with *answer*."""
        self.dismiss(answer)


def split_tags(value: str) -> list[str]:
    """Return the non-empty, stripped, comma-separated tags in *value*."""
    return [tag.strip() for tag in value.split(",") if tag.strip()]


TAG_HINT = f"Commas separate tags: {TAG_RULE}."
"""The tag rule as the tag dialogs show it (the store's rule: reader.store.model)."""


def first_tag_problem(tags: list[str]) -> str | None:
    """Why the first tag of *tags* that breaks the tag rule does, or None."""
    return next((p for p in map(tag_problem, tags) if p is not None), None)


class TagSuggester(Suggester):
    """Completes the last comma-separated tag from the tags already in use, but never with
    one the article has (*taken*) or one typed before it in the field."""

    def __init__(self, known: list[str], taken: list[str] | None = None) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self._known: list[str] = []
        self._taken: frozenset[str] = frozenset()
        self.set_known(known, taken or [])

    def set_known(self, known: list[str], taken: list[str] | None = None) -> None:
        """Complete from *known* from now on, leaving out *taken* (the article's tags;
        compared ignoring case, as the store compares tags)."""
        self._known = [sanitize_line(tag, 100) for tag in known]
        self._taken = frozenset(sanitize_line(tag, 100).casefold() for tag in taken or [])

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(",")
        stem = last.lstrip()
        if not stem:
            return None
        typed = {tag.strip().casefold() for tag in head.split(",")} if head else set()
        for tag in self._known:
            folded = tag.casefold()
            if folded in self._taken or folded in typed:
                continue
            if folded.startswith(stem.casefold()) and tag != stem:
                prefix = f"{head}," if head else ""
                spacing = last[: len(last) - len(stem)]
                return f"{prefix}{spacing}{tag}"
        return None


class TagScreen(ModalScreen[list[str] | None]):
    """Adds tags to an article: several at once, separated by commas, with completion.

    The article's tags and the tags in use may be given later (:meth:`show_tags`), once
    read from the store: the dialog opens at once, so that what is typed goes into it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, title: str, current: list[str] | None = None, known: list[str] | None = None
    ) -> None:
        super().__init__()
        self._title = title
        self._current = current
        self._suggester = TagSuggester(known or [], current)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Content.assemble("Tag ", (sanitize_line(self._title, 70), "bold")),
                classes="dialog-title",
            )
            yield Static(self._tags_now(), id="tags-now", classes="dialog-hint")
            yield Input(
                placeholder="tags, separated by commas (→ accepts a suggestion)",
                suggester=self._suggester,
                id="tag-input",
            )
            yield Static(Content(TAG_HINT), id="tag-rule", classes="dialog-hint")
            yield Static(
                Content("Enter: add    Esc: cancel    (remove tags in the Notes panel: d)"),
                classes="dialog-hint",
            )

    def _tags_now(self) -> Content:
        if self._current is None:
            return Content("Tags now: …")
        current = ", ".join(sanitize_line(t, 40) for t in self._current) or "none yet"
        return Content(f"Tags now: {current}")

    def show_tags(self, current: list[str], known: list[str]) -> None:
        """Show the article's tags *current*; complete from the tags in use, *known*."""
        self._current = current
        self._suggester.set_known(known, current)
        for hint in self.query("#tags-now").results(Static):
            hint.update(self._tags_now())

    @on(Input.Submitted, "#tag-input")
    def _submit(self, event: Input.Submitted) -> None:
        tags = split_tags(event.value)
        if not tags:
            self.notify("Type at least one tag", severity="warning")
            return
        problem = first_tag_problem(tags)
        if problem is not None:  # the dialog stays open with what was typed
            self.notify(problem, title="Not a tag", severity="warning", markup=False)
            return
        self.dismiss(tags)

    def action_cancel(self) -> None:
        """Close without adding anything."""
        self.dismiss(None)


@dataclass(frozen=True)
class CorrectionChoice:
    """What the user chose in the correction dialog."""

    action: str
    """"relabel", "remove" or "add"."""
    label: str | None
    """The new label (None for remove)."""
    scope: str
    """"mention", "article" or "global" (every article)."""


#: Scope keys and names, in the order shown.
SCOPES = (
    ("m", "mention", "this mention"),
    ("a", "article", "this article"),
    ("g", "global", "every article"),
)


class CorrectionScreen(ModalScreen[CorrectionChoice | None]):
    """Picks a label (digits 1–9 as shortcuts), or removal, and how far the fix reaches."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10)),
        *(Binding(key, f"scope('{scope}')", f"Scope: {name}") for key, scope, name in SCOPES),
        Binding("x", "remove", "Remove entity"),
    ]

    def __init__(self, text: str, label: str | None, adding: bool) -> None:
        super().__init__()
        self._text = text
        self._label = label
        self._adding = adding
        self.scope = "mention"
        """The scope currently chosen."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-tall"):
            what = "New entity" if self._adding else f"Correct {self._label}"
            yield Static(
                Content.assemble(f"{what}: ", (sanitize_line(self._text, 60), "bold")),
                classes="dialog-title",
            )
            yield Static(id="scope", classes="dialog-hint")
            options = [
                Option(Content(f"{n + 1 if n < 9 else ' '}  {label}"), id=label)
                for n, label in enumerate(LABELS)
            ]
            if not self._adding:
                options.append(Option(Content("x  remove this entity"), id="__remove__"))
            yield OptionList(*options, id="labels")
            yield Static(
                Content("1–9 or Enter: label    x: remove    m/a/g: scope    Esc: cancel"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self._show_scope()
        labels = self.query_one(OptionList)
        if self._label in LABELS:
            labels.highlighted = LABELS.index(self._label)
        labels.focus()

    def _show_scope(self) -> None:
        parts: list[str | tuple[str, str]] = ["Applies to: "]
        for key, scope, name in SCOPES:
            style = "bold reverse" if scope == self.scope else "dim"
            parts += [(f" {key}: {name} ", style), " "]
        self.query_one("#scope", Static).update(Content.assemble(*parts))

    def action_scope(self, scope: str) -> None:
        """Choose how far the correction reaches."""
        self.scope = scope
        self._show_scope()

    def action_pick(self, index: int) -> None:
        """Choose the label at *index*."""
        self._choose(LABELS[index])

    def action_remove(self) -> None:
        """Remove the entity (not offered when adding one)."""
        if not self._adding:
            self.dismiss(CorrectionChoice("remove", None, self.scope))

    @on(OptionList.OptionSelected, "#labels")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "__remove__":
            self.action_remove()
        elif event.option.id is not None:
            self._choose(event.option.id)

    def _choose(self, label: str) -> None:
        action = "add" if self._adding else "relabel"
        self.dismiss(CorrectionChoice(action, label, self.scope))

    def action_cancel(self) -> None:
        """Close without correcting."""
        self.dismiss(None)


class RenameTagScreen(ModalScreen[tuple[str, str] | None]):
    """Renames a tag on every article (the tags in use, for completion, may come later:
    :meth:`show_tags`)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, known: list[str] | None = None) -> None:
        super().__init__()
        self._suggester = TagSuggester(known or [])

    def show_tags(self, known: list[str]) -> None:
        """Complete from the tags in use, *known*."""
        self._suggester.set_known(known)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content("Rename a tag everywhere"), classes="dialog-title")
            yield Input(placeholder="tag", suggester=self._suggester, id="old-tag")
            yield Input(placeholder="new name", id="new-tag")
            yield Static(Content(TAG_RULE[0].upper() + TAG_RULE[1:] + "."), classes="dialog-hint")
            yield Static(Content("Enter: next / rename    Esc: cancel"), classes="dialog-hint")

    @on(Input.Submitted, "#old-tag")
    def _old(self) -> None:
        self.query_one("#new-tag", Input).focus()

    @on(Input.Submitted, "#new-tag")
    def _new(self) -> None:
        old = self.query_one("#old-tag", Input).value.strip()
        new = self.query_one("#new-tag", Input).value.strip()
        if not old or not new:
            self.notify("Type the tag and its new name", severity="warning")
            return
        problem = tag_problem(new)
        if problem is not None:
            self.notify(problem, title="Not a tag", severity="warning", markup=False)
            return
        self.dismiss((old, new))

    def action_cancel(self) -> None:
        """Close without renaming."""
        self.dismiss(None)


#: Export formats as offered in the app, with what each is for.
EXPORT_CHOICES = (
    ("json", "everything, reader's own format (importable)"),
    ("w3c", "W3C Web Annotation JSON-LD (importable)"),
    ("jsonl", "NER training data: spaCy, Prodigy, doccano"),
    ("markdown", "titles, tags, notes and quotes for note apps"),
    ("csv", "one row per annotation, for spreadsheets"),
)


@dataclass(frozen=True)
class ExportChoice:
    """The format chosen, and whether every entity goes along."""

    fmt: str
    include_entities: bool


class ExportScreen(ModalScreen[ExportChoice | None]):
    """Picks an export format (`1`–`5` or Enter); `i` adds every entity shown (json)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("i", "toggle_entities", "Include entities"),
        *(Binding(str(n + 1), f"pick({n})", show=False) for n in range(len(EXPORT_CHOICES))),
    ]

    def __init__(self, folder: str) -> None:
        super().__init__()
        self._folder = folder
        self.include_entities = False
        """Whether every entity shown goes into the export (json; jsonl always has them)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content("Export annotations"), classes="dialog-title")
            yield OptionList(
                *(
                    Option(Content(f"{n + 1}  {fmt:<9} {what}"), id=fmt)
                    for n, (fmt, what) in enumerate(EXPORT_CHOICES)
                ),
                id="formats",
            )
            yield Static(id="entities-choice", classes="dialog-hint")
            yield Static(
                Content.assemble("Into ", (sanitize_line(self._folder, 60), "bold")),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self._show_choice()
        self.query_one(OptionList).focus()

    def _show_choice(self) -> None:
        state = "yes" if self.include_entities else "no"
        self.query_one("#entities-choice", Static).update(
            Content(f"i: include every entity shown (json; jsonl always has them): {state}")
        )

    def action_toggle_entities(self) -> None:
        """Include every entity shown, or not."""
        self.include_entities = not self.include_entities
        self._show_choice()

    def action_pick(self, index: int) -> None:
        """Export as the format at *index*."""
        self.dismiss(ExportChoice(EXPORT_CHOICES[index][0], self.include_entities))

    @on(OptionList.OptionSelected, "#formats")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(event.option_index)

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
