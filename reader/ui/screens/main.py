"""The main screen: article list, the article with its entities, legend and entity panel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Header, Static

from reader import foreground
from reader.library import Article, Library
from reader.ui.add_dialog import AddCommands, Adder
from reader.ui.background import BackgroundEntities
from reader.ui.live_library import LiveLibrary
from reader.ui.messages import (
    AnnotationsChanged,
    EntityEditsChanged,
    EntityPageLoaded,
    PanelResolved,
)
from reader.ui.next_article import NextArticle
from reader.ui.screens.annotation_keys import WRITING_ACTIONS, AnnotationKeys
from reader.ui.screens.annotator import Annotator
from reader.ui.screens.article_opening import _long, rules_here
from reader.ui.screens.early_keys import EarlyKeys
from reader.ui.screens.entity_editing import EDIT_KINDS
from reader.ui.screens.entity_pages import EntityPages
from reader.ui.screens.library_actions import LibraryActions
from reader.ui.screens.library_loading import LibraryLoading
from reader.ui.screens.library_search import LibrarySearch, ViewCommands
from reader.ui.screens.reading import Reading
from reader.ui.screens.resume import Resume
from reader.ui.sidebar import STEP, set_width, stepped
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_colours import ArticleStyles
from reader.ui.widgets.entity_panel import EntityPanel
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.find_bar import FindBar
from reader.ui.widgets.header_box import HeaderBox
from reader.ui.widgets.key_bar import KeyBar
from reader.ui.widgets.legend import Legend
from reader.ui.widgets.view_list import ViewList

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp


MIN_ARTICLE = 44
"""The article's columns (40 of text, 4 of padding) that the side panels shown by `l` on a
narrow screen leave it: the list gives way to them if it must (styles/app.tcss)."""

#: The widths of styles/app.tcss: the sidebar on a narrow screen, the side panels.
NARROW_SIDEBAR = 26
PANELS_WIDTH = 34


class MainScreen(LibraryActions, LibraryLoading, AnnotationKeys):
    """Where reading happens. Loads the library and finds entities in thread workers;
    its :class:`Annotator` makes and shows the annotations."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "toggle_legend", "Legend"),
        Binding("m", "toggle_read", "Read/unread"),
        Binding("p", "entity_page", "Entity page"),
        Binding("P", "entity_library", "Entities of the library", show=False),
        Binding("escape", "focus_list", "Article list", show=False),
        Binding("ctrl+o", "add", "Add an article or a feed", show=False),
        Binding("less_than_sign", f"sidebar({-STEP})", "Narrower sidebar (kept)", show=False),
        Binding("greater_than_sign", f"sidebar({STEP})", "Wider sidebar (kept)", show=False),
    ]

    # Apply, rename and delete views from the palette (the app's own commands: app.py).
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        ViewCommands,
        AddCommands,
    }

    app: ReaderApp

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """As Textual's, without repainting the whole screen when the focus moves (Enter on
    the list moves it to the article: that repaint drew every widget again in the switch's
    frame, ~8 ms; figure 2 of bench/run.py). What looks different with the focus is drawn
    again anyway: its styles change (``:focus`` rules), and a restyled widget repaints."""

    def __init__(self) -> None:
        super().__init__()
        self.library: Library | None = None
        """The articles, once loaded."""
        self.article: Article | None = None
        """The article shown."""
        self._mark_at: int | None = None
        """Where to mark an entity once the article's entities are shown (an article opened
        at a mention from an entity page)."""
        self._by_path: tuple[object, dict[str, Article]] = (None, {})
        """The library's articles by absolute path, and the library they were taken from
        (the live library replaces it: then they are taken again)."""
        self._without_store = False
        """Whether the entities shown were found before the store was open, so without the
        user's corrections (a first start shows the first article before it opens)."""
        self._listed = False
        """Whether the sidebar listed the articles before they were read (a first start)."""
        self._status = ""
        """The header's status line as last set (Finding entities…, No entities: ...)."""
        self.shown_removed = False
        """The article shown was removed from the library while open (its text stays until
        another is opened): the header says so."""
        self._user_acted = False
        """Whether the user has opened an article or the filter field: then where the
        library was left is not restored over what they did (see on_library_loaded)."""
        self._list_painted = threading.Event()
        """Set once the listed articles are on screen: the worker reading them waits for it
        (it would take the interpreter's lock from the first frame's painting)."""
        self.early_keys = EarlyKeys(self, WRITING_ACTIONS)
        """Keys that write, typed before the library was shown: dropped."""
        self._unwritten: set[threading.Event] = set()
        """The ``painted`` events of the entities posted and not yet drawn: set as the
        screen closes, so that no entity worker waits for a frame that never comes."""
        self._quitting = False
        """The app is exiting: an entity worker writes what it found without waiting for
        its frame (one that added its event after the events were set waited 1 s)."""
        self._unwritten_lock = threading.Lock()
        """Around :attr:`_unwritten` and :attr:`_quitting`."""
        self._finding: int | None = None
        """The hold (reader.foreground) in force while the model finds the entities of the
        article shown, until their frame is painted."""

    def compose(self) -> ComposeResult:
        colours = ArticleStyles()
        articles = ArticleList(id="articles")
        views = ViewList(id="views")
        filter_bar = FilterBar(id="filter-bar")
        view = ArticleView(colours, measure=self.app.settings.measure, id="article")
        notes = AnnotationPanel(id="annotation-panel")
        self.annotator = Annotator(
            self.app,
            view=view,
            panel=notes,
            articles=articles,
            shown=lambda: self.article,
            entities_changed=self._entities_changed,
        )
        """Tags, notes, highlights, corrections, undo and export, for the article shown."""
        self.reading = Reading(
            self.app,
            view=view,
            articles=articles,
            shown=lambda: self.article,
            # is:read / is:unread: the search index reads the marks when it is updated.
            marked=lambda: self.post_message(AnnotationsChanged()),
        )
        """Read marks (reading to the end, `m`) and where each article was left."""
        self.resume = Resume(self.app)
        """Where the library was left: the article and the filter, restored at start."""
        self.next_article = NextArticle(
            self.app,
            view=view,
            articles=articles,
            shown=lambda: self.article,
            quick=lambda article: not _long(article),
            rules=lambda article: rules_here(self.app.finder, article),
        )
        """The article the list's cursor rests on, wrapped and its entities ruled ahead."""
        self.library_search = LibrarySearch(
            self.app, self, articles=articles, bar=filter_bar, views=views
        )
        """The filter field, the search index and the saved views."""
        self.live_library = LiveLibrary(self.app, self)
        """Files added, changed or removed while the app runs (see reader/ui/live_library.py)."""
        self.adder = Adder(self.app, self, self.live_library)
        """Ctrl+O: adds a URL, a file or a feed (see reader/ui/add_dialog.py)."""
        panel = EntityPanel(id="entity-panel")
        self.entity_pages = EntityPages(
            self.app,
            self,
            view=view,
            panel=panel,
            shown=lambda: self.article,
            open_at=self.open_article_at,
        )
        """The entity index kept current, the panel's library names, the entity pages."""
        self.background = BackgroundEntities(
            self.app,
            self,
            articles=articles,
            shown=lambda: self.article,
            settled=lambda: self.library_search.settled,
            found=self.entity_pages.found,
        )
        """The entities of the articles not yet cached, found while the user rests."""
        yield colours
        yield Header(icon="¶")
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield views
                yield filter_bar
                yield articles
            with Vertical(id="reading"):
                yield HeaderBox(id="article-header")
                yield view
                yield FindBar(view, id="find-bar")
                yield Static(id="empty", markup=False)
            with Vertical(id="panels"):
                yield Legend(colours.label_style, id="legend")
                yield panel
                yield notes
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        # Where the library is left is written at once before a suspend (Ctrl+Z): a
        # suspended app may never come back. Immediate: called in the publish, which
        # Textual follows with SIGTSTP at once (not posted for after the stop, i.e. `fg`).
        self.app.app_suspend_signal.subscribe(self, self._suspending, immediate=True)
        self.app.app_resume_signal.subscribe(self, lambda _app: self.background.resumed())
        self._sidebar_width = self.app.settings.sidebar
        """The sidebar's width as the user set it (`<` `>`), None: the stylesheet's."""
        if self._sidebar_width is not None:  # the width the user left it at
            set_width(self.query_one("#sidebar"), self._sidebar_width)
        self.query_one("#articles").border_title = "Articles"
        self.query_one("#legend").border_title = "Legend"
        self.query_one("#entity-panel").border_title = "Entities"
        self.query_one("#annotation-panel").border_title = "Notes"
        self.query_one("#empty").display = False
        self.query_one(ViewList).border_title = "Views"
        self.query_one(ViewList).display = False
        self.query_one(FilterBar).display = False
        self._set_header(Content("Loading articles…"))
        # The `reader` command lists the library while the UI is imported and built: if
        # that list is made, the first frame shows it (its tags, read marks and the first
        # article follow with LibraryLoaded; on a first start, the first article at once).
        listed = self.app.workspace.listed()
        if listed is not None:
            self._show_listed(listed)
        self._load_library()
        self.set_interval(Reading.TICK, self.reading.tick)
        self.watch(self.query_one(ArticleList), "highlighted", self.next_article.moved, init=False)

    def on_unmount(self) -> None:
        self.save_before_leaving()
        self._found()
        self.background.join(1.0)  # stopped above: within a poll of the worker's pipe

    def save_before_leaving(self) -> None:
        """The app is going: where the article and the library were left handed to the
        writer thread now (before the app's on_unmount closes it), and the background
        work stopped."""
        self.reading.leaving()
        self.resume.save(self.article, self.library_search.text, closing=True)
        self.stop_background()

    def _suspending(self, _app: object) -> None:
        # Textual stops the process (SIGTSTP) right after this signal, without another turn
        # of the loop: the saves are written now, not queued for a frame or a timer (a
        # terminal closed while the process is stopped kills it).
        self.background.suspending()
        self.resume.save(self.article, self.library_search.text, closing=True)
        self.app.write_queued_saves(wait=1.0)

    def stop_background(self) -> None:
        """The app is quitting (or this screen goes): the index updates stop at their next
        article, the library watch at once, and entities found are written without
        waiting for their frame; called as the app exits, before Textual
        unmounts the screens (~0.2 s), so that they are done by the time it waits for
        them."""
        self.library_search.stop()
        self.background.stop()
        self.live_library.stop()
        self.entity_pages.stop()
        # A switch's hold whose frame never comes (q pressed before it) would keep the
        # stopped passes waiting in give_way for up to HOLD_SECONDS, and the exit for them.
        foreground.release_all()
        with self._unwritten_lock:  # entities found are written now, not after a frame
            self._quitting = True
            for painted in self._unwritten:
                painted.set()

    # --- the entity pages (see EntityPages) -------------------------------------------

    def action_entity_page(self) -> None:
        """Open the page of the marked entity, or of the one chosen in the panel (`p`)."""
        if self.annotator.on_text("p") is not None:  # not from the list on another row
            self.entity_pages.open_page()

    def action_entity_edit(self, kind: str) -> None:
        """Merge, rename, relabel or split the entity chosen in the entity panel (M r L S
        there)."""
        if kind in EDIT_KINDS:
            self.entity_pages.edit(kind)

    def action_entity_library(self) -> None:
        """List the library's entities, filtered as you type (`P`)."""
        self.entity_pages.open_library()

    def on_entity_page_loaded(self, message: EntityPageLoaded) -> None:
        self.entity_pages.page_read(message)

    def on_panel_resolved(self, message: PanelResolved) -> None:
        self.entity_pages.resolved(message)

    def on_entity_edits_changed(self, message: EntityEditsChanged) -> None:
        self.entity_pages.edits_changed()
        # `u` on an entity page undoes the last change, which may be a note or a tag.
        self.annotator.load()
        self.annotator.load_tags()
        self.library_search.update_index()

    # --- panes -----------------------------------------------------------------------

    @on(EntityPanel.Jump)
    def _jump(self, event: EntityPanel.Jump) -> None:
        view = self.query_one(ArticleView)
        view.mark_at(event.offset)

    @on(Legend.Toggled, "#legend")
    def _legend_toggled(self) -> None:
        self.query_one(ArticleView).hidden_labels = frozenset(self.query_one(Legend).hidden)

    def action_toggle_legend(self) -> None:
        """Show or hide the legend (on a narrow screen, the side panels with it: in place
        of the list if the article would keep less than :data:`MIN_ARTICLE` columns)."""
        legend = self.query_one(Legend)
        panels = self.query_one("#panels")
        if self.has_class("-narrow"):
            shown = not panels.has_class("-shown")
            panels.set_class(shown, "-shown")
            legend.display = shown
        else:
            legend.display = not legend.display
        self._fit_panels()

    def on_resize(self) -> None:
        self._fit_panels()
        # The list's title made to fit its border again, at the width it is laid out at.
        self.call_after_refresh(self.library_search.show_title)

    def _fit_panels(self) -> None:
        """Hide the list while the side panels, shown on a narrow screen (`l`), would
        leave the article less than :data:`MIN_ARTICLE` columns; show it again else."""
        panels = self.query_one("#panels")
        shown = self.has_class("-narrow") and panels.has_class("-shown")
        sidebar = self._sidebar_width or NARROW_SIDEBAR
        hide = shown and self.size.width - sidebar - PANELS_WIDTH < MIN_ARTICLE
        if hide == self.has_class("-list-hidden"):
            return
        if hide and self.focused is not None and self.focused in self.query("#sidebar *"):
            self.query_one(ArticleView).focus()
        self.set_class(hide, "-list-hidden")

    def action_find(self) -> None:
        """Find in the article (`/` in the article)."""
        self.query_one(FindBar).open()

    def on_article_view_margin_changed(self, message: ArticleView.MarginChanged) -> None:
        # The header's text lines up with the article's (styles/app.tcss: padding 0 2).
        header = self.query_one("#article-header", HeaderBox)
        header.styles.padding = (0, 2 + message.margin)
        header.repack()

    def on_article_view_find_moved(self, message: ArticleView.FindMoved) -> None:
        self.query_one(FindBar).moved(message)

    def action_focus_list(self) -> None:
        """Go back to the article list (given way to the side panels: they go, `l`)."""
        if self.has_class("-list-hidden"):
            self.action_toggle_legend()
        self.query_one(ArticleList).focus()

    def action_sidebar(self, step: int) -> None:
        """`<` `>`: a narrower or wider sidebar, remembered in the config file."""
        sidebar = self.query_one("#sidebar")
        # From the width last set, not the one laid out: keys pressed quickly come before
        # the next layout, and each must count.
        now = self._sidebar_width or sidebar.outer_size.width
        self._sidebar_width = width = stepped(now, step, self.size.width)
        set_width(sidebar, width)
        self.call_after_refresh(self.library_search.show_title)
        self.app.remember_sidebar(width)
        self.notify(f"Sidebar: {width} columns", timeout=2)
