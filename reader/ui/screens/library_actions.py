"""The main screen's library actions: the filter field, the saved views and the search
index (for :class:`LibrarySearch`), read marks, the live library and Ctrl+O's adding, and
the database changed by another reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.worker import Worker

from reader.library import Article
from reader.ui.add_dialog import Adder
from reader.ui.live_library import LiveLibrary
from reader.ui.messages import (
    AddFinished,
    AddProgress,
    AnnotationsChanged,
    FilterFound,
    IndexUpdated,
    LibraryChanged,
    StoreChangedElsewhere,
    ViewCounts,
    WatchStopped,
)
from reader.ui.screens.annotator import Annotator
from reader.ui.screens.entity_pages import EntityPages
from reader.ui.screens.library_search import LibrarySearch
from reader.ui.screens.reading import Reading, reading_state
from reader.ui.screens.resume import Resume
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.view_list import ViewList

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp


class LibraryActions(Screen[None]):
    """The main screen's keys and messages about the library as a whole (a base of
    :class:`~reader.ui.screens.main.MainScreen`)."""

    # Set by MainScreen.
    app: ReaderApp
    article: Article | None
    _user_acted: bool
    annotator: Annotator
    reading: Reading
    resume: Resume
    library_search: LibrarySearch
    entity_pages: EntityPages
    live_library: LiveLibrary
    adder: Adder

    def action_filter(self) -> None:
        """Filter the article list (`/` in the list)."""
        self._user_acted = True  # what the user types wins over the filter last left
        self.query_one(FilterBar).open()

    def on_filter_bar_query_changed(self, message: FilterBar.QueryChanged) -> None:
        self.library_search.query_changed(message.text, message.query)

    def on_filter_bar_unparsed(self, message: FilterBar.Unparsed) -> None:
        self.library_search.show_title()

    def on_filter_bar_kept(self, message: FilterBar.Kept) -> None:
        self.set_focus(self.query_one(ArticleList))
        self.resume.save(self.article, self.library_search.text)

    def on_filter_bar_cleared(self, message: FilterBar.Cleared) -> None:
        self.library_search.cleared()
        self.set_focus(self.query_one(ArticleList))
        self.resume.save(self.article, self.library_search.text)

    def on_filter_bar_save_asked(self, message: FilterBar.SaveAsked) -> None:
        self.library_search.save(message.text)

    def on_view_list_chosen(self, message: ViewList.Chosen) -> None:
        self.library_search.apply(message.view)

    def on_filter_found(self, message: FilterFound) -> None:
        self.library_search.found(message)

    def on_index_updated(self, message: IndexUpdated) -> None:
        self.library_search.index_updated(message)

    def on_view_counts(self, message: ViewCounts) -> None:
        self.library_search.view_counts(message)

    def on_store_changed_elsewhere(self, message: StoreChangedElsewhere) -> None:
        """Another reader saved the database: show what it holds now. A note being typed
        lives in its own dialog and is not touched."""
        self.annotator.load()
        self.annotator.load_tags()
        self.app.read(reading_state, self.reading.loaded)
        self.library_search.update_index()
        self.library_search.load_views()
        self.entity_pages.undone()  # a merge made by `reader entity`, an import

    def on_annotations_changed(self, message: AnnotationsChanged) -> None:
        # Tags and notes are searched; an undo may bring a deleted view back.
        self.library_search.update_index()
        self.library_search.load_views()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.library_search.worker_changed(event.worker)

    def action_toggle_read(self) -> None:
        """Mark read or unread the article highlighted in the list, or the one shown (`m`)."""
        self.reading.toggle()

    # --- the live library and adding (see LiveLibrary, Adder) -------------------------

    def on_library_changed(self, message: LibraryChanged) -> None:
        self.live_library.changed(message)

    def on_watch_stopped(self, message: WatchStopped) -> None:
        self.live_library.stopped(message)

    def action_add(self) -> None:
        """Add a URL, a saved page or text file, or a feed to the library (Ctrl+O)."""
        self.adder.ask()

    def on_add_progress(self, message: AddProgress) -> None:
        self.adder.progressed(message)

    def on_add_finished(self, message: AddFinished) -> None:
        self.adder.finished(message)
