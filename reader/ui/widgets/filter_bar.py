"""The filter field above the article list: `/` opens it, each keystroke is parsed as a
query of the library (reader.search.query) and a bad one says why and where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from reader.search.query import Query, QueryError, parse
from reader.text import sanitize_line

#: What the empty field suggests (a few fields; the README lists them all).
PLACEHOLDER = "filter: words tag: in: sort:"


class FilterBar(Vertical, can_focus=False):
    """A one-line field and, under it, a status line (the error with a caret under its
    position, or a notice such as the index being built).

    It parses what is typed on every keystroke and tells the screen (:class:`QueryChanged`)
    only when the query parses; the screen searches and narrows the list. Enter keeps the
    filter (:class:`Kept`), Escape clears it (:class:`Cleared`), Ctrl+S asks to save it as a
    view (:class:`SaveAsked`).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown in the keys line: the field is where a user looks for how to save.
        Binding("escape", "clear", "Clear filter"),
        Binding("ctrl+s", "save", "Save as view"),
    ]

    EXTRA_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("enter", "Keep the filter and go back to the list"),
    ]
    """Handled by the field itself (Input.Submitted), listed by the help."""

    @dataclass
    class QueryChanged(Message):
        """The field holds a new query that parses (``query.where`` is None for a blank
        field: every article)."""

        text: str
        query: Query

    @dataclass
    class Unparsed(Message):
        """The field holds a query that does not parse: the list is left as it was (the
        last query that parsed), and its title must say the field's query is not applied."""

    @dataclass
    class Kept(Message):
        """Enter: the filter stays (with an error: the last query that parsed), the list
        gets the focus."""

    @dataclass
    class Cleared(Message):
        """Escape: the filter is gone (the field is empty and hidden)."""

    @dataclass
    class SaveAsked(Message):
        """Ctrl+S with a query that parses: name it and save it as a view."""

        text: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.query_in_force: Query | None = None
        """The last query that parsed (what the list shows), None when the field is empty."""
        self.error: QueryError | None = None
        """Why what is typed does not parse, if it does not."""
        self.applied = ""
        """The text of the last query that parsed: what the list shows ("": every article)."""
        self._notice = ""
        self._shown = ""
        """The status line as last drawn."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="filter-line"):
            yield Static(Content("/"), id="filter-prompt", markup=False)
            # Not selected as it gets the focus (Input's default): only `/` selects the
            # query kept (open), not Shift+Tab from the list or a click.
            yield Input(
                placeholder=PLACEHOLDER, compact=True, select_on_focus=False, id="filter-input"
            )
        yield Static(id="filter-status", markup=False)

    @property
    def input(self) -> Input:
        """The field."""
        return self.query_one("#filter-input", Input)

    @property
    def value(self) -> str:
        """What is typed in the field."""
        return self.input.value

    @property
    def status(self) -> str:
        """The status line as shown (the error, or the notice), as plain text."""
        return str(self.query_one("#filter-status", Static).content)

    # --- opening and closing ---------------------------------------------------------

    def open(self) -> None:
        """Show the field and focus it, the query kept (if any) selected, the cursor at its
        end: what is typed replaces it (typed on after it, `in:mine` and `in:world` made
        `in:minein:world`), while End or an arrow key keeps it to edit it."""
        self.display = True
        field = self.input
        # Now, not later as focus() does: the keys typed next are the field's.
        self.screen.set_focus(field)
        field.cursor_position = len(field.value)
        if field.value:
            field.select_all()

    def close(self) -> None:
        """Empty the field and hide it."""
        with self.prevent(Input.Changed):
            self.input.value = ""
        self.query_in_force = None
        self.error = None
        self.applied = ""
        self._notice = ""
        self._show_status()
        self.display = False

    def set_value(self, text: str) -> None:
        """Put *text* in the field (a view chosen) and apply it as if typed."""
        self.display = True
        with self.prevent(Input.Changed):
            self.input.value = text
        self.input.cursor_position = len(text)
        self._parse(text)

    def set_notice(self, notice: str) -> None:
        """Say *notice* under the field (unless an error is shown); "" clears it."""
        if notice != self._notice:
            self._notice = notice
            self._show_status()

    # --- typing ----------------------------------------------------------------------

    @on(Input.Changed, "#filter-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._parse(event.value)

    def _parse(self, text: str) -> None:
        try:
            query = parse(text)
        except QueryError as error:
            # The list stays as it was (not every article on each keystroke that breaks the
            # query, as `(` does): the status line says what is wrong and which query the
            # list shows, the list's title that the field's is not applied.
            self.error = error
            self._show_status()
            self.post_message(self.Unparsed())
            return
        self.error = None
        self.applied = text.strip()
        self.query_in_force = query if query.where is not None or query.sort else None
        self._show_status()
        self.post_message(self.QueryChanged(text, query))

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        # Enter: keep the filter and go back to the list (an empty field closes). With an
        # error too: the keys typed next (`j`) are the list's, not silently the field's;
        # the list keeps the last query that parsed, the field what was typed and the
        # error under it, and a notice says so (the status line may be out of sight).
        event.stop()
        if self.error is not None:
            applied = sanitize_line(self.applied, 60)
            shown = f"the list keeps “{applied}”" if applied else "the list shows every article"
            self.notify(
                f"{self.error}; {shown} (/ to fix the query)",
                title="Query not applied",
                severity="warning",
                markup=False,
            )
            self.post_message(self.Kept())
        elif not event.value.strip():
            self.action_clear()
        else:
            self.post_message(self.Kept())

    def action_clear(self) -> None:
        """Escape in the field: clear the filter."""
        self.close()
        self.post_message(self.Cleared())

    def action_save(self) -> None:
        """Ctrl+S in the field: save the query as a view (it must parse and not be empty)."""
        if self.error is not None:
            self.notify("Fix the query first: " + str(self.error), severity="warning", markup=False)
        elif not self.value.strip():
            self.notify("Type a query first, then Ctrl+S to save it", severity="warning")
        else:
            self.post_message(self.SaveAsked(self.value.strip()))

    # --- the status line -------------------------------------------------------------

    def _show_status(self) -> None:
        error = self.error
        if error is None:
            text = self._notice
        else:
            applied = sanitize_line(self.applied, 60)
            shown = f"the list shows “{applied}”" if applied else "the list shows every article"
            text = f"{self._caret(error.position)}{error}\nnot applied: {shown}"
        if text == self._shown:
            return  # most keystrokes: no new layout (the line's height may change)
        self._shown = text
        status = self.query_one("#filter-status", Static)
        status.update(Content(text))
        status.set_class(error is not None, "-error")
        status.display = bool(text)

    def _caret(self, position: int) -> str:
        """A caret under character *position* of the field as drawn (the field scrolls
        sideways when its text is wider than it): a line of its own, or "" when the
        character is not in sight."""
        field = self.input
        text = field.value
        column = cell_len(text[:position]) - int(field.scroll_x)
        if not 0 <= column < field.content_region.width:
            return ""
        start = field.content_region.x - self.content_region.x
        return " " * (start + column) + "^\n"
