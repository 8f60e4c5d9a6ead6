"""The find field under the article: `/` opens it, matches are found as you type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from reader.search.find import FoldedText
from reader.ui.frames import draw_in_next_frame
from reader.ui.widgets.article_view import ArticleView

#: Up to this many characters the text is folded for finding on the screen's thread, when
#: `/` is first pressed (~10 ms); a longer article is folded in a worker (~150 ms at 2 MiB)
#: while the field already takes what is typed.
SYNC_FOLD_LIMIT = 200_000

#: The count's least width (``min-width`` of ``#find-count`` in styles/app.tcss): a count
#: no wider than this leaves the field's size as it was, so it is drawn without laying the
#: screen out again (a new width costs a second layout, a frame later).
COUNT_WIDTH = 16


class FindInput(Input):
    """The find field: an Input whose text never lays the screen out.

    Input sets its virtual size from its text on every keystroke, and Widget's
    ``virtual_size`` is a reactive with ``layout=True``: each key would lay the whole screen
    out, and a layout makes Textual redraw the article's scrollbar one frame later (so a
    keystroke took two frames). The field's size is fixed by the bar (one line, ``1fr``
    wide): its text changes nothing else's place.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class FindBar(Horizontal, can_focus=False):
    """A one-line field docked under the article, like less's and vim's search line.

    Each keystroke finds every match in the article shown by *view* (through a
    :class:`FoldedText` made once per article) and draws them there; the count says where
    the current one is. Enter keeps the find and goes back to the article (`n`/`N` there);
    Escape clears it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Clear find", show=False),
    ]

    @dataclass
    class Folded(Message):
        """A worker folded an article's text for finding (for the bar itself)."""

        folded: FoldedText

    def __init__(self, view: ArticleView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view = view
        self._folded: FoldedText | None = None
        self._folding: str | None = None
        """The text a worker is folding, if any."""
        self._count = ""
        """The count shown (drawn again only when it changes)."""
        self._origin: int | None = None
        """Where the find started: the current match is the first at or after it."""

    def compose(self) -> ComposeResult:
        yield Static(Content("/"), id="find-prompt", markup=False)
        yield FindInput(placeholder="find in the article", compact=True, id="find-input")
        yield Static(id="find-count", markup=False)

    @property
    def value(self) -> str:
        """What is typed in the field."""
        return self.query_one(Input).value

    @property
    def count(self) -> str:
        """The count as shown ("3 of 17", "no match", …)."""
        return str(self.query_one("#find-count", Static).content)

    # --- opening and closing ---------------------------------------------------------

    def open(self) -> None:
        """Show the field and focus it (the last query selected, so typing replaces it)."""
        view = self._view
        current = view.found_current
        # Fixed while typing, as vim's incsearch starts from the cursor, not from wherever
        # the previous keystroke scrolled to.
        self._origin = view.found[current][0] if current is not None else view.cursor_offset()
        self.display = True
        # Now, not later as focus() does: the keys typed next are the field's.
        self.screen.set_focus(self.query_one(Input))
        if self.value and not view.find_shown:
            self._search(self.value)

    def close(self) -> None:
        """Clear the find and hide the field; the article gets the focus if the field had it."""
        field = self.query_one(Input)
        had_focus = field.has_focus
        with self.prevent(Input.Changed):
            field.value = ""
        self._set_count("")
        self.display = False
        self._view.clear_found()
        if had_focus:
            self.screen.set_focus(self._view)

    def action_cancel(self) -> None:
        """Escape in the field: clear the find."""
        self.close()

    # --- finding ---------------------------------------------------------------------

    @on(Input.Changed, "#find-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search(event.value)

    @on(Input.Submitted, "#find-input")
    def _submitted(self, event: Input.Submitted) -> None:
        # Enter in the field: keep the find and go back to the article (close if empty).
        # Not a priority binding, which would run before the keys typed just before Enter
        # have reached the field.
        event.stop()
        if not event.value.strip():
            self.close()
        else:
            self.screen.set_focus(self._view)

    def _search(self, query: str) -> None:
        view = self._view
        if not query.strip():
            view.set_found([])
            self._set_count("")
            return
        folded = self._folded_text()
        if folded is None:
            self._set_count("preparing…")
            return
        matches = folded.find_all(query)
        self._show(view.set_found(matches, self._origin), len(matches))
        # The matches and the count in the frame that draws the key typed, not one later.
        draw_in_next_frame(view, self.query_one("#find-count", Static))

    def _folded_text(self) -> FoldedText | None:
        """The shown text folded, or None while a worker folds it."""
        text = self._view.text
        if self._folded is not None and self._folded.text is text:
            return self._folded
        if len(text) <= SYNC_FOLD_LIMIT:
            self._folded = FoldedText(text)
            return self._folded
        if self._folding is not text:
            self._folding = text
            self._fold(text)
        return None

    @work(thread=True, exclusive=True, group="find", exit_on_error=False)
    def _fold(self, text: str) -> None:
        folded = FoldedText(text).prepare()
        if not get_current_worker().is_cancelled:
            self.post_message(self.Folded(folded))

    @on(Folded)
    def _folded_ready(self, message: Folded) -> None:
        if message.folded.text is self._folding:
            self._folding = None
        if message.folded.text is not self._view.text:
            return  # another article is shown since
        self._folded = message.folded
        if self.display and self.value.strip():
            self._search(self.value)

    # --- the count -------------------------------------------------------------------

    def moved(self, message: ArticleView.FindMoved) -> None:
        """Follow `n`/`N` (or Escape) in the article."""
        if message.cleared:
            self.close()
            return
        note = ""
        if message.wrapped:
            note = " · from the top" if message.index == 0 else " · from the bottom"
        self._show(message.index, message.total, note)

    def _show(self, index: int | None, total: int, note: str = "") -> None:
        if not total:
            self._set_count("no match")
        else:
            shown = "?" if index is None else f"{index + 1:,}"
            self._set_count(f"{shown} of {total:,}{note}")

    def _set_count(self, count: str) -> None:
        if count == self._count:
            return  # the same count again ("no match" while typing on): nothing to draw
        # Content, not markup: the count is plain text (no part of it is ever parsed).
        content = Content(count)
        resized = max(content.cell_length, Content(self._count).cell_length) > COUNT_WIDTH
        self._count = count
        self.query_one("#find-count", Static).update(content, layout=resized)
