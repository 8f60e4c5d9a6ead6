"""The note editor: writes or edits a note, keeping what is typed as a draft
(:mod:`reader.ui.screens.note_drafts`). Untrusted text (the note, the heading's quote) is
shown as plain Content, never parsed as markup."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from reader.text import sanitize, sanitize_line
from reader.ui.screens.dialogs import ConfirmScreen

if TYPE_CHECKING:
    from reader.ui.screens.note_drafts import DraftKeeper

__all__ = ["NoteScreen"]


class NoteScreen(ModalScreen[str | None]):
    """Writes or edits a note (Markdown allowed): Ctrl+S saves, Escape cancels.

    With a *keeper*, what is typed is kept as a draft while it is typed (see
    :mod:`reader.ui.screens.note_drafts`); the note saved or dropped, the draft goes.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(
        self,
        heading: str,
        text: str = "",
        *,
        unsaved: bool = False,
        keeper: DraftKeeper | None = None,
        status: str = "",
    ) -> None:
        """*unsaved*: *text* itself is not saved anywhere (a failed save, a draft), so
        Escape asks. *status*: a line under the heading ("Draft from … restored")."""
        super().__init__()
        self._heading = heading
        self._initial = sanitize(text)
        self._unsaved = unsaved
        self.keeper = keeper
        """Keeps the text as a draft (None: not kept)."""
        self._status = status

    @property
    def heading(self) -> str:
        """What the editor's title says the note is (a note on “…”, Not saved (…) — …)."""
        return self._heading

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-tall"):
            yield Static(Content(self._heading), id="note-heading", classes="dialog-title")
            yield Static(Content(self._status), id="note-status", classes="dialog-hint")
            yield TextArea(self._initial, soft_wrap=True, id="note-text")
            yield Static(Content("Ctrl+S: save    Esc: cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        self.query_one("#note-status").display = bool(self._status)
        if self.keeper is not None:
            self.keeper.problem = self._draft_problem
            if self._unsaved:  # a text saved nowhere else (a failed save): kept at once
                self.keeper.changed(self._initial)
                self.keeper.keep_now()

    def on_unmount(self) -> None:
        # Closed (or the app gone): its drafts are no one's in this process from now on.
        if self.keeper is not None:
            self.keeper.owner.release()

    @on(TextArea.Changed, "#note-text")
    def _typed(self, event: TextArea.Changed) -> None:
        if self.keeper is not None:
            text = event.text_area.text
            # The text as opened (an existing note unchanged) needs no draft.
            self.keeper.changed(text if text != self._initial or self._unsaved else "")

    def restore(self, text: str, status: str, heading: str | None = None) -> str:
        """Start from the draft *text* (saying *status*; *heading*: what the note is on,
        when the draft says otherwise). What was typed before it came (it is read in the
        writer thread) follows it, after a blank line: nothing is lost. Returns the text
        now in the editor."""
        area = self.query_one(TextArea)
        typed = area.text
        text = sanitize(text)
        if typed != self._initial and typed.strip():
            text = f"{text.rstrip()}\n\n{typed}"
        self._unsaved = True  # the draft is saved nowhere else: Esc asks
        area.load_text(text)
        area.move_cursor(area.document.end)
        if heading is not None:
            self._heading = heading
            self.query_one("#note-heading", Static).update(Content(heading))
        self.say(status)
        return text

    def say(self, status: str) -> None:
        """Show *status* under the heading (plain text: never markup)."""
        status_line = self.query_one("#note-status", Static)
        status_line.update(Content(sanitize_line(status, 200)))
        status_line.display = True

    def _draft_problem(self, reason: str) -> None:
        self.say(f"Drafts are not kept: {sanitize_line(reason, 160)}")

    def keep_draft_now(self) -> None:
        """Keep what is typed as a draft now, even if it was kept (the app is stopping);
        the editor writes nothing more after."""
        if self.keeper is not None:
            self.keeper.keep_now(force=True)
            self.keeper.stop()

    @property
    def draft_problem(self) -> str | None:
        """Why the text typed is not kept as a draft (None: it is, or there is no keeper:
        nothing to keep)."""
        return None if self.keeper is None else self.keeper.keeps

    def action_save(self) -> None:
        """Close with the note's text (an empty note is not saved)."""
        text = self.query_one(TextArea).text
        if not text.strip():
            self.notify("The note is empty: type something, or Esc to cancel", severity="warning")
            return
        if self.keeper is not None:
            self.keeper.stop()  # the save removes the draft (kept if it fails)
        self.dismiss(text)

    @property
    def has_unsaved_text(self) -> bool:
        """Whether closing now would lose text."""
        text = self.query_one(TextArea).text
        return bool(text.strip()) and (text != self._initial or self._unsaved)

    def action_cancel(self) -> None:
        """Close without saving (the draft removed); asks first when there is typed text
        to lose."""
        if not self.has_unsaved_text:
            self._drop()
            return

        def answered(drop: bool | None) -> None:
            if drop:
                self._drop()

        self.app.push_screen(ConfirmScreen("Drop what you typed in this note?"), answered)

    def _drop(self) -> None:
        if self.keeper is not None:
            self.keeper.drop()
        self.dismiss(None)
