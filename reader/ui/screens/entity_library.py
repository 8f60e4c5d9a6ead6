"""The library's entities: by label, most mentioned first, filtered as you type; choosing
one opens its page (`P`, or the palette), or, for a merge, names the entity to merge into.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from reader.entities.library.resolve import Entity
from reader.text import sanitize_line
from reader.ui.background import finding_the_rest
from reader.ui.messages import EntityEditsChanged, LibraryEntitiesLoaded
from reader.ui.widgets.entity_lists import EntityList
from reader.ui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp


class EntityFilter(Input):
    """The filter field: Down (or Tab) goes to the list, Enter chooses its first entity."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "screen.focus_list", "To the list", show=False),
    ]


class EntityLibraryScreen(Screen[Entity | None]):
    """Lists the library's entities; returns the one chosen (None: Escape).

    Without *picking*, choosing one opens its page (*open_page* is called with it) and the
    list stays under it; with *picking* (a merge's "into which entity?"), the screen is
    dismissed with the entity chosen. *leave_out* is an entity id not to list (the one
    being merged).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("slash", "focus_filter", "Filter (in the list)", show=False),
    ]

    EXTRA_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("↓", "From the filter to the list"),
        ("enter", "Open the entity's page (for a merge: merge into it)"),
    ]
    """Keys of the filter field and the list, listed by the help."""

    app: ReaderApp

    def __init__(
        self,
        *,
        open_page: Callable[[Entity], None] | None = None,
        picking: str | None = None,
        leave_out: str = "",
    ) -> None:
        super().__init__()
        self._open_page = open_page
        self._picking = picking
        self._leave_out = leave_out

    def compose(self) -> ComposeResult:
        yield Header(icon="¶")
        title = self._picking or "Entities of the library"
        yield Static(Content.styled(title, "bold"), id="entity-library-title", markup=False)
        yield EntityFilter(placeholder="type to filter by name", id="entity-filter")
        yield EntityList(id="entity-list")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one(EntityList).border_title = "Loading entities…"
        self.query_one(EntityFilter).focus()
        self._load()

    @work(thread=True, exclusive=True, group="entity-library", exit_on_error=False)
    def _load(self) -> None:
        workspace = self.app.workspace
        try:
            index = workspace.entity_index()
            entities = index.entities()
            articles = (index.article_count(), len(workspace.library().articles))
        except Exception as error:  # a broken index file must not leave "Loading…"
            self.post_message(LibraryEntitiesLoaded([], f"the entity index failed: {error}"))
            return
        if self._leave_out:
            entities = [e for e in entities if e.id != self._leave_out]
        self.post_message(LibraryEntitiesLoaded(entities, articles=articles))

    def on_entity_edits_changed(self, message: EntityEditsChanged) -> None:
        self._load()  # a merge, rename, relabel or split changes the list

    def on_library_entities_loaded(self, message: LibraryEntitiesLoaded) -> None:
        entity_list = self.query_one(EntityList)
        if message.problem:
            self.notify(message.problem, severity="error", markup=False)
        entity_list.set_entities(message.entities)
        entity_list.filter(self.query_one(EntityFilter).value)
        self._count()
        # Articles not opened yet (nor found in the background, nor by `reader index`)
        # have no entities found: the list is the rest's, and says so (and, while the
        # background pass runs, that it finds the rest: reader/ui/background.py).
        found, total = message.articles or (0, 0)
        missing = found < total
        finding = (
            " · finding the rest"
            if finding_the_rest(self.app)
            else " · reader index finds the rest"
        )
        entity_list.border_subtitle = (
            f"entities found for {found:,} of {total:,} articles{finding}" if missing else ""
        )

    def _count(self) -> None:
        entity_list = self.query_one(EntityList)
        shown = entity_list.shown
        entity_list.border_title = f"{shown:,} entit{'y' if shown == 1 else 'ies'}"

    @on(Input.Changed, "#entity-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.query_one(EntityList).filter(sanitize_line(event.value, 200))
        self._count()

    @on(Input.Submitted, "#entity-filter")
    def _submitted(self) -> None:
        self.query_one(EntityList).action_select()

    @on(EntityList.Chosen)
    def _chosen(self, event: EntityList.Chosen) -> None:
        event.stop()
        if self._picking is not None or self._open_page is None:
            self.dismiss(event.entity)
        else:
            self._open_page(event.entity)

    def action_focus_list(self) -> None:
        """Move to the list."""
        self.query_one(EntityList).focus()

    def action_focus_filter(self) -> None:
        """Move to the filter field (`/` in the list)."""
        self.query_one(EntityFilter).focus()

    def action_close(self) -> None:
        """Back to where the list was opened from."""
        self.dismiss(None)
