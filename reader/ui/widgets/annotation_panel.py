"""The notes panel: the article's tags, notes, highlights and corrections, and their state.

Enter on an orphaned annotation opens :class:`OrphanScreen`, its whole quote and note:
the panel's one line cuts them short, and an orphan has no passage in the article to
jump to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.annotations import ArticleAnnotations, Placed
from reader.text import sanitize, sanitize_line
from reader.ui.widgets.article_view import copied_notice

#: How each anchoring state is shown after an annotation.
STATE_MARKS = {
    "anchored": ("  anchored", "dim"),
    "moved": ("  moved", "italic"),
    "orphaned": ("  ⚠ orphaned", "bold italic"),
}


#: How many cells a passage note's quote line takes when the panel's width is not known.
QUOTE_WIDTH = 56


def quote_of(item: Placed) -> str:
    """The passage *item* is on, as stored ("" for an article note or a tag)."""
    quote = (item.annotation.target or {}).get("quote", {})
    exact = quote.get("exact", "") if isinstance(quote, dict) else ""
    return exact if isinstance(exact, str) else ""


def cut_to_cells(text: str, width: int) -> str:
    """*text* (one line) cut to *width* terminal cells, ending in "…" when cut (a wide
    character counts two)."""
    if cell_len(text) <= width:
        return text
    kept: list[str] = []
    used = 0
    for char in text:
        size = cell_len(char)
        if used + size > width - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept) + "…"


def describe(item: Placed, width: int = QUOTE_WIDTH) -> Content:
    """Return the entry for *item*: kind sign, text, anchoring state; a passage note has
    its passage above, quoted and cut to one line of *width* cells (plain text, dim)."""
    annotation = item.annotation
    if annotation.kind == "note":
        sign, body = "✎ ", sanitize_line(annotation.body, 60)
        passage = quote_of(item)
        if passage:
            line = cut_to_cells(sanitize_line(passage, 400), max(4, width - 4))
            parts: list[str | tuple[str, str]] = [(f"  “{line}”\n", "dim italic")]
            parts += [(sign, "bold"), body]
            if item.state in STATE_MARKS:
                parts.append(STATE_MARKS[item.state])
            return Content.assemble(*parts)
    elif annotation.kind == "highlight":
        quote = (annotation.target or {}).get("quote", {}).get("exact", "")
        sign, body = "▍ ", f"“{sanitize_line(quote, 56)}”"
    else:
        data = annotation.correction or {}
        label = sanitize_line(str(data.get("label")), 30)  # any string: untrusted
        change = "removed" if data.get("action") == "remove" else f"→ {label}"
        scope = {"mention": "here", "article": "article", "global": "everywhere"}
        where = scope.get(str(data.get("scope")), "")
        sign, body = "⚑ ", f"{sanitize_line(str(data.get('text', '')), 30)} {change} ({where})"
    parts = [(sign, "bold"), body]
    if item.state in STATE_MARKS:
        parts.append(STATE_MARKS[item.state])
    return Content.assemble(*parts)


def copy_text(item: Placed) -> str:
    """What `y` copies of *item*: a note's text (else its passage), a correction's entity."""
    annotation = item.annotation
    if annotation.body:
        return sanitize(annotation.body)  # stored as typed; no control sequence on paste
    if annotation.kind == "correction":
        return str((annotation.correction or {}).get("text", ""))
    quote = (annotation.target or {}).get("quote", {})
    exact = quote.get("exact", "") if isinstance(quote, dict) else ""
    return exact if isinstance(exact, str) else ""


_KIND_NAMES = {"note": "Note", "highlight": "Highlight", "correction": "Correction"}


def full_text(item: Placed) -> Content:
    """The whole of *item*: its quote, its note or correction, and what orphaned means."""
    annotation = item.annotation
    quote = (annotation.target or {}).get("quote", {})
    exact = quote.get("exact", "") if isinstance(quote, dict) else ""
    parts: list[str | tuple[str, str]] = [
        (f"{_KIND_NAMES.get(annotation.kind, 'Annotation')} on\n", "bold"),
        f"“{sanitize(exact if isinstance(exact, str) else '')}”\n",
    ]
    if annotation.kind == "correction":
        data = annotation.correction or {}
        label = sanitize_line(str(data.get("label")), 200)  # any string: untrusted
        change = "removed" if data.get("action") == "remove" else f"labelled {label}"
        parts += ["\n", (f"{sanitize_line(str(data.get('text', '')), 200)} {change}\n", "bold")]
    if annotation.body:
        parts += ["\n", sanitize(annotation.body).rstrip("\n") + "\n"]
    parts += [
        "\n",
        (
            "Orphaned: this passage is no longer in the article. It is kept; "
            "d in the notes panel deletes it.",
            "italic",
        ),
    ]
    return Content.assemble(*parts)


class OrphanScreen(ModalScreen[None]):
    """An orphaned annotation, read in full (read-only); Esc, Enter or q closes it."""

    DEFAULT_CSS = """
    OrphanScreen { align: center middle; }
    OrphanScreen > VerticalScroll {
        width: 80%; max-width: 100; height: auto; max-height: 80%;
        border: round $accent; padding: 1 2; background: $surface;
    }
    """
    # DEFAULT_CSS: the panel is the only place that opens it, and styles/app.tcss is
    # shared with work on other screens; the layout is four lines.

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close"),
        Binding("j,down", "scroll_down", "Down", show=False),
        Binding("k,up", "scroll_up", "Up", show=False),
    ]

    def __init__(self, item: Placed) -> None:
        super().__init__()
        self._text = full_text(item)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._text, id="orphan-text", markup=False)

    def action_close(self) -> None:
        """Back to the notes panel."""
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        """Scroll a long quote or note."""
        self.query_one(VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        """Scroll back."""
        self.query_one(VerticalScroll).scroll_up()


class AnnotationPanel(OptionList):
    """Lists what the user wrote; Enter jumps to it (an orphan: shows it whole), `i` edits
    a note, `d` deletes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Jump to it (an orphan: shown whole)", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g,home", "first", "First", show=False),
        Binding("G,end", "last", "Last", show=False),
        Binding("i", "edit", "Edit note"),
        Binding("y", "copy", "Copy (a note's text, a quote, a tag)", show=False),
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
        self._quote_width = QUOTE_WIDTH
        """The cells a passage note's quote line was cut to (the panel's width)."""

    def _width(self) -> int:
        """The cells an entry's line has (the options' padding and the scrollbar aside)."""
        width = self.scrollable_content_region.width - 2
        return width if width > 8 else QUOTE_WIDTH

    def on_resize(self, event: events.Resize) -> None:
        """Cut the passages of the notes to the new width."""
        if self._width() != self._quote_width and any(
            quote_of(item) for item in self.annotations.items if item.annotation.kind == "note"
        ):
            annotations, self.annotations = self.annotations, ArticleAnnotations()
            self.show(annotations)

    def show(self, annotations: ArticleAnnotations) -> None:
        """List *annotations* (tags first, then the rest in the order made; a passage note
        with its passage above it, on one line)."""
        if annotations == self.annotations:
            return  # most articles have none: nothing to redraw on a switch
        self.annotations = annotations
        self._quote_width = width = self._width()
        highlighted = self.highlighted
        self.clear_options()
        options = [
            Option(Content.assemble(("# ", "bold"), sanitize_line(tag, 60)), id=f"tag:{tag}")
            for tag in annotations.tags
        ]
        options += [
            Option(describe(item, width), id=f"ann:{item.annotation.id}")
            for item in annotations.items
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
        if not option_id.startswith("ann:"):
            return
        for item in self.annotations.items:
            if item.annotation.id == option_id[4:] and item.state == "orphaned":
                self.app.push_screen(OrphanScreen(item))
                return
        self.post_message(self.Jump(option_id[4:]))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete"):  # not offered while nothing can be saved
            return not getattr(self.app, "store_problem", None)
        return True

    def action_edit(self) -> None:
        """Edit the highlighted note."""
        option_id = self._highlighted_id() or ""
        if option_id.startswith("ann:"):
            self.post_message(self.Edit(option_id[4:]))

    def action_copy(self) -> None:
        """Copy the highlighted entry's text to the clipboard: a note's text (else the
        passage it is on), a highlight's quote, a corrected entity, a tag."""
        option_id = self._highlighted_id() or ""
        text = option_id[4:] if option_id.startswith("tag:") else None
        for item in self.annotations.items:
            if option_id == f"ann:{item.annotation.id}":
                text = copy_text(item)
        if not text:
            self.notify("Nothing to copy", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.notify(copied_notice(text), markup=False)

    def action_delete(self) -> None:
        """Delete the highlighted annotation or tag."""
        option_id = self._highlighted_id() or ""
        if option_id.startswith("ann:"):
            self.post_message(self.Delete(annotation_id=option_id[4:]))
        elif option_id.startswith("tag:"):
            self.post_message(self.Delete(tag=option_id[4:]))
