"""The help screen: every key, taken from the bindings themselves, and the files and
settings in use with where each came from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

#: A pane's title and the classes whose bindings act in it.
Section = tuple[str, Sequence[type]]

#: Actions bound by Textual's base classes that do nothing in reader, not listed: no pane
#: scrolls sideways (the text wraps, entries are cut to one line), and text is selected
#: with the article's own selection (`v`, the mouse), copied with `y` or Ctrl+C there.
INERT_ACTIONS = frozenset(
    {"scroll_left", "scroll_right", "page_left", "page_right", "screen.copy_text"}
)


def key_rows(classes: Iterable[type]) -> list[tuple[list[str], str]]:
    """Return ``(keys, description)`` for the bindings in force in *classes*.

    As in Textual, a key bound by a subclass hides the same key bound by a base class
    (a class may bind one key twice, for two modes: both are listed); bindings without a
    description are internal and not listed, nor are Textual's that do nothing here
    (:data:`INERT_ACTIONS`). A class's ``EXTRA_KEYS`` (key sequences
    handled outside bindings, such as ``]a``) are listed after its bindings.
    """
    taken: set[str] = set()
    rows: dict[tuple[str, str], list[str]] = {}
    for cls in classes:
        for klass in cls.__mro__:
            bound_here: set[str] = set()
            for item in klass.__dict__.get("BINDINGS", []):
                binding = _as_binding(item)
                for key in (k.strip() for k in binding.key.split(",")):
                    if key in taken:
                        continue
                    bound_here.add(key)
                    if binding.description and binding.action not in INERT_ACTIONS:
                        rows.setdefault((binding.action, binding.description), []).append(key)
            taken |= bound_here
        for keys, description in getattr(cls, "EXTRA_KEYS", ()):
            rows.setdefault((keys, description), []).append(keys)
    return [(keys, description) for (_, description), keys in rows.items()]


def _as_binding(item: BindingType) -> Binding:
    if isinstance(item, Binding):
        return item
    key, action, *rest = item
    return Binding(key, action, rest[0] if rest else "")


def _shown_key(key: str, key_display: object) -> str:
    """A key as the help shows it: key sequences such as ``]a`` as typed."""
    if len(key) > 1 and key[0] in "[]":
        return key
    return str(key_display(Binding(key, "")))  # type: ignore[operator]


def key_table(title: str, classes: Sequence[type], key_display: object) -> Table:
    """Return a two-column table of the keys bound by *classes*."""
    table = Table(title=title, title_justify="left", show_header=False, box=None, expand=False)
    table.add_column("keys", style="bold", no_wrap=True, width=16)
    table.add_column("action")
    for keys, description in key_rows(classes):
        shown = " ".join(_shown_key(key, key_display) for key in keys)
        table.add_row(Text(shown), Text(description))
    return table


def _pairs_table(
    title: str, rows: Sequence[tuple[str, str]], *, first_width: int | None = None
) -> Table:
    """A titled table of two columns, the first bold (a key, a query) and the second
    what it does; no header, no box."""
    table = Table(title=title, title_justify="left", show_header=False, box=None, expand=False)
    table.add_column(style="bold", no_wrap=True, width=first_width)
    table.add_column()
    for first, second in rows:
        table.add_row(Text(first), Text(second))
    return table


def syntax_table() -> Table:
    """The query language of the filter (`/` in the list) and `reader search`."""
    from reader.search.query import SYNTAX

    return _pairs_table("Finding articles (/ in the list; reader search)", SYNTAX)


DRAFTS = (
    ("a, i", "a note typed and not saved is kept as a draft (a crash loses nothing)"),
    ("", "open the note again to go on: Ctrl+S saves it, Esc drops it"),
    ("reader drafts", "prints every draft kept; --drop KEY removes one"),
)
"""What the help says of drafts (reader/ui/screens/note_drafts.py)."""


def drafts_table() -> Table:
    """Drafts: notes being written, kept until saved or dropped."""
    return _pairs_table("Drafts (notes not saved yet)", DRAFTS, first_width=16)


class HelpScreen(ModalScreen[None]):
    """Lists every key by pane, and where reader reads and writes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False),
        Binding("k,up", "scroll('up')", "Scroll up", show=False),
        # As in the article: Space and b page (PgDn and PgUp do, through the scroll view).
        Binding("space", "page('down')", "Page down", show=False),
        Binding("b", "page('up')", "Page up", show=False),
        # As everywhere else: g and G go to the top and the bottom (Home and End do too).
        Binding("g", "end('top')", "Top", show=False),
        Binding("G", "end('bottom')", "Bottom", show=False),
    ]

    def __init__(self, sections: Sequence[Section], paths: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self._sections = sections
        self._paths = paths

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("reader — keys", style="bold"), id="help-title")
            for title, classes in self._sections:
                yield Static(key_table(title, classes, self.app.get_key_display))
            yield Static(syntax_table())
            yield Static(drafts_table())
            paths = Table(
                title="In use (and where each came from; reader config says the same)",
                title_justify="left",
                show_header=False,
                box=None,
            )
            paths.add_column(style="bold", no_wrap=True, width=16)
            paths.add_column()
            for name, value in self._paths:
                paths.add_row(Text(name), Text(value, overflow="fold"))  # whole paths
            yield Static(paths)

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        if direction == "down":
            body.scroll_down()
        else:
            body.scroll_up()

    def action_end(self, which: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        if which == "top":
            body.scroll_home(animate=False)
        else:
            body.scroll_end(animate=False)

    def action_page(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        if direction == "down":
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)
