"""The main screen: article list, the article with its entities, legend and entity panel."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Header, Static
from textual.worker import Worker, get_current_worker

from reader import foreground
from reader.annotations import ArticleAnnotations, tags_by_article
from reader.entities.engines import Cancelled, NoModel
from reader.entities.span import Span
from reader.library import Article, Library, Problem
from reader.library.folders import index_path
from reader.library.parsers import RENDERED_SUFFIXES
from reader.store import Session
from reader.ui.add_dialog import AddCommands, Adder
from reader.ui.background import BackgroundEntities
from reader.ui.frames import draw_in_next_frame, draw_now, lay_out_in_next_frame
from reader.ui.live_library import LiveLibrary
from reader.ui.messages import (
    AddFinished,
    AddProgress,
    AnnotationsChanged,
    ArticleRead,
    ArticlesLearnt,
    BackgroundFound,
    EntitiesFailed,
    EntitiesReady,
    EntitiesSaved,
    EntityEditsChanged,
    EntityPageLoaded,
    FilterFound,
    IndexUpdated,
    LibraryChanged,
    LibraryListed,
    LibraryLoaded,
    PanelResolved,
    StoreChangedElsewhere,
    ViewCounts,
    WatchStopped,
)
from reader.ui.next_article import NextArticle
from reader.ui.screens.annotation_keys import WRITING_ACTIONS, AnnotationKeys
from reader.ui.screens.annotator import Annotator
from reader.ui.screens.article_header import ArticleHeader
from reader.ui.screens.early_keys import EarlyKeys
from reader.ui.screens.entity_editing import EDIT_KINDS
from reader.ui.screens.entity_pages import EntityPages
from reader.ui.screens.library_search import LibrarySearch, ViewCommands
from reader.ui.screens.reading import Reading, ReadingState, reading_state
from reader.ui.screens.resume import Resume
from reader.ui.screens.skipped import skipped_changed
from reader.ui.sidebar import STEP, set_width, stepped
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_colours import ArticleStyles
from reader.ui.widgets.entity_panel import EntityPanel
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.find_bar import FindBar
from reader.ui.widgets.key_bar import KeyBar
from reader.ui.widgets.legend import Legend
from reader.ui.widgets.view_list import ViewList
from reader.ui.wrapping import wrap

if TYPE_CHECKING:
    from reader.entities.finder import EntityFinder
    from reader.ui.app import ReaderApp

#: Up to this many characters (~3,400 words), cached entities are shown in the same frame
#: as the text: the consistency rules on the cached model spans take ~0.8 ms of the
#: screen's thread per 1,000 characters (4 ms for 1,000 words, 75 ms for 16,000: the most
#: of such a switch, bench/long_switch.py); a longer article's, unless ruled already (it
#: was shown before), come from a worker a few frames after its text.
SYNC_ENTITIES_LIMIT = 20_000


#: Up to this many characters, an article's text is sent to the model as it opens when
#: its entities are not cached (before its entity worker starts).
SYNC_ASK_LIMIT = 200_000


def rules_here(finder: EntityFinder, article: Article) -> bool:
    """Whether *article*'s cached entities are ruled on the screen's thread (its text
    short enough, or its rules' result kept from before); else in a worker."""
    return len(article.text) <= SYNC_ENTITIES_LIMIT or finder.is_ruled(article.sha256, article.text)


#: Seconds the entity worker waits at most for the frame of the entities it found before
#: it writes them to the entity cache and the entity index anyway.
WRITE_AFTER_MOST = 1.0

#: An article with more words than this, or a file larger than SYNC_READ_BYTES (few but
#: long words: an embedded data: URI), is read (if not yet: a warm start reads no text)
#: and wrapped in a worker: a 2 MiB file took ~135 ms to read and ~230 ms to wrap. The
#: switch's handler (read, wrap, the rest) took 5 ms of the screen's thread for 1,000
#: words, 13-22 ms for 10,000, 20-37 for 16,000 (its frame drawn in it: 15-20 ms more):
#: up to 8,000 words it stays within ~15 ms, about a frame (bench/long_switch.py).
SYNC_READ_WORDS = 8_000
SYNC_READ_BYTES = 256 * 1024
#: Markdown is rendered as it is read (markdown-it-py, a few hundred KB a second): a
#: larger .md file is read in the worker too.
SYNC_RENDER_BYTES = 16 * 1024

#: A first start learns the articles it listed by their first lines in batches of this
#: many, the sidebar showing their counts after each (~0.3 s of Markdown a batch).
LEARN_BATCH = 64


def _long(article: Article) -> bool:
    """Whether *article* is to be read and wrapped in a worker."""
    if article.deferred or (article.known and article.word_count > SYNC_READ_WORDS):
        return True
    if article.loaded:
        return len(article.text) > SYNC_READ_BYTES
    rendered = article.path.suffix.lower() in RENDERED_SUFFIXES
    try:
        return article.path.stat().st_size > (SYNC_RENDER_BYTES if rendered else SYNC_READ_BYTES)
    except OSError:
        return False  # gone: reading it says so at once


class MainScreen(ArticleHeader, AnnotationKeys):
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
        self._status = ""
        """The header's status line as last set (Finding entities…, No entities: ...)."""
        self.shown_removed = False
        """The article shown was removed from the library while open (its text stays until
        another is opened): the header says so."""
        self._user_acted = False
        """Whether the user has opened an article or the filter field: then where the
        library was left is not restored over what they did (see on_library_loaded)."""
        """Whether the sidebar listed the articles before they were read (a first start)."""
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
                yield Static(id="article-header", markup=False)
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

    # --- library -------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def _load_library(self) -> None:
        app = self.app
        workspace = app.workspace
        opened = False
        try:
            # A first start lists the files the catalogue does not know by their first
            # lines, and reads them below, batch by batch: the list comes at once.
            listed = workspace.list_library()
            if listed.pending:
                if not self._listed:  # else on_mount showed it
                    self.post_message(LibraryListed(listed))
                app.open_store()  # for the articles opened meanwhile
                opened = True
                self._list_painted.wait(timeout=5)
            cancelled = get_current_worker().cancelled_event
            while learnt := workspace.learn_library(LEARN_BATCH, cancelled):
                self.post_message(ArticlesLearnt(len(learnt)))
            if cancelled.is_set():
                return
            library = workspace.library()
        except Exception as error:  # a bug must not leave "Loading articles…" forever
            library = Library(problems=[Problem(Path("."), f"the library failed: {error}")])
        if not opened:
            app.open_store()
        # Whether to tell the files skipped: their real paths digested and the digest
        # written here, off the screen's thread (tens of ms for thousands of files).
        settings = workspace.settings
        tell_skipped = bool(library.problems) and skipped_changed(
            settings.cache_dir if settings.use_cache else None,
            self.resume.key,
            library.problems,
        )

        def loaded(
            found: tuple[dict[str, list[str]], ReadingState, Session | None] | None = None,
        ) -> None:
            if found is not None:  # on the UI thread (read's callback)
                self.reading.loaded(found[1])
                self.resume.session = found[2]
            self.post_message(LibraryLoaded(library, found[0] if found else {}, tell_skipped))

        if app.store is None:
            loaded()
        else:  # the sidebar's tags and read marks are read in the writer thread, as every
            # store call is
            app.read(
                lambda s: (tags_by_article(s), reading_state(s), self.resume.read(s)),
                loaded,
                lambda _: loaded(),
            )

    def on_library_listed(self, message: LibraryListed) -> None:
        self._show_listed(message.library)

    def _show_listed(self, library: Library) -> None:
        """Show the titles at once, before the store is open and before the files the
        catalogue does not know are read. On a first start (articles pending) the first
        article is opened as on any start (reading its file gives its hash before
        anything keys on it), right after the frame that shows the list; else it is
        opened with LibraryLoaded, once its annotations and the corrections of its
        entities can be read."""
        self._listed = True
        articles = self.query_one(ArticleList)
        articles.set_articles(library.articles, None, self.app.settings.article_paths)
        # The screen is marked for a repaint now, so that what follows waits for the frame
        # with the list (the list's own refresh reaches the screen a message later: the
        # callbacks ran before that frame, and a first start's first article, rendered
        # and wrapped, held it back ~90 ms at 10,000 Markdown files).
        self.refresh()
        if library.articles:
            if library.pending:
                self.call_after_refresh(self._open_first)
            articles.focus()
        self.call_after_refresh(self._list_painted.set)
        self.call_after_refresh(self.early_keys.shown)

    def _open_first(self) -> None:
        """Open the article highlighted in the list just shown, unless one is open."""
        article = self.query_one(ArticleList).highlighted_article
        if self.article is None and article is not None:
            self.open_article(article)

    def on_articles_learnt(self, message: ArticlesLearnt) -> None:
        # Counts and read marks now known are drawn; no row moves (every row keeps its
        # height).
        self.query_one(ArticleList).learnt()

    @work(thread=True, exclusive=True, group="pages", exit_on_error=False)
    def _extract_pages(self, articles: list[Article]) -> None:
        """Extract the saved pages listed before they were (a first start, a cache dir
        wiped, pages dropped in), off the screen's thread: until then a page's hash is a
        stand-in, so its read mark, title and counts are not known. From the page cache
        when it has them (the search index's update extracts them too)."""
        worker = get_current_worker()
        done = 0
        for article in articles:
            if worker.is_cancelled:
                return
            if article.deferred:
                article.text  # noqa: B018 - reads and extracts the page, keeping its hash
                done += 1
                if done % LEARN_BATCH == 0:
                    self.post_message(ArticlesLearnt(LEARN_BATCH))
        if done % LEARN_BATCH:
            self.post_message(ArticlesLearnt(done % LEARN_BATCH))

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        self.library = message.library
        articles = self.query_one(ArticleList)
        if self._listed:
            # Listed before it was read: the cursor and the scroll stay where the user
            # put them (files that turned out not to be articles leave the list).
            articles.update_library(message.library.articles, message.tags)
        else:
            articles.set_articles(
                message.library.articles, message.tags, self.app.settings.article_paths
            )
        self.library_search.library_loaded(message.library.articles)
        left_on, query = self.resume.find(message.library.articles)
        view = self.query_one(ArticleView)
        # Where the library was left, unless the user has moved already: the list's cursor
        # on its first row, no article opened nor filter field opened by the user, and (an
        # article opened before the library was read: a first start) that article neither
        # focused nor scrolled.
        resume = left_on is not None and not articles.highlighted and not self._user_acted
        if self.article is not None:
            resume = resume and left_on is not self.article
            resume = resume and not view.has_focus and view.top_offset == 0
        self.entity_pages.start()
        self.annotator.notes.say_drafts(message.library.articles)
        if self.app.store_problem:
            self.notify(
                self.app.store_problem, title="Annotations", severity="warning", markup=False
            )
            # Said for as long as it lasts, and the keys that write are no longer offered.
            off = "read-only" if self.app.store is not None else "annotations off"
            self.sub_title = f"{self.app.sub_title} · {self.app.store_brief or off}"
            self.refresh_bindings()
        if message.tell_skipped:
            skipped = "\n".join(str(p) for p in message.library.problems[:10])
            more = len(message.library.problems) - 10
            if more > 0:
                skipped += f"\n…and {more} more"
            skipped += "\n(said again when these change; reader index lists them)"
            self.notify(skipped, title="Some files were skipped", severity="warning", markup=False)
        if self._listed and self.article is not None:
            # The user is reading already: the store may have opened after the article,
            # and where it was left is known now: taken up if the user has not scrolled
            # (else leaving it would save the top over it).
            self.annotator.load()
            if self._without_store and self.app.store is not None:
                self.refresh_entities()  # with the corrections now (cheap: cached)
            if view.top_offset == 0:
                self.reading.shown()
            self.refresh_bindings()
            if resume and left_on is not None:
                self._resume(left_on, query)
        elif message.library.articles:
            # The one highlighted: listed before, the user may have moved already; else
            # the one the library was left on.
            if resume and left_on is not None:
                self._resume(left_on, query)
            else:
                self.open_article(articles.highlighted_article or message.library.articles[0])
            articles.focus()
        else:
            self._show_empty()
        self.call_after_refresh(self.early_keys.shown)
        self.app.library_shown()
        self.live_library.start()
        self.background.start()
        if any(article.deferred for article in message.library.articles):
            self._extract_pages(list(message.library.articles))

    def _resume(self, article: Article, query: str) -> None:
        """Open *article*, the one the library was left on, the list's cursor on it and the
        filter's *query* then in force again (the list narrows once it is searched)."""
        articles = self.query_one(ArticleList)
        articles.show_article(article.id)
        if query:
            self.library_search.restore(query)
            # The list narrows from its top, the cursor kept on the article: not from the
            # article's row in the whole library (scrolled as far down as the shorter
            # list allows, its first row cut).
            articles.scroll_to(y=0, animate=False, immediate=True)
        self.open_article(article)

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

    # --- articles and entities -------------------------------------------------------

    @on(ArticleList.Selected, "#articles")
    def _article_chosen(self, event: ArticleList.Selected) -> None:
        event.stop()
        self._user_acted = True
        # No garbage collection until the switch's frame is handed to the terminal: the
        # handler and its frame allocate enough for ~15 young passes and one or two of the
        # middle generation (2-3 ms of this thread a switch, up to 10 ms), and now and
        # then a full pass (250 ms of CPU, N = 10,000, during the search index's first
        # build) fell in it. They run after the frame instead, on what it left.
        collecting = gc.isenabled()
        if collecting:  # off already (a worker's ``without_gc``): that worker turns it on
            gc.disable()
        try:
            self._switch_to(event.article)
        finally:
            if collecting:
                gc.enable()

    def _switch_to(self, article: Article) -> None:
        """Open *article*, chosen with Enter in the list, and draw its frame (a cached
        one's now)."""
        # Until the switch's frame is painted, background passes (the search index's
        # build, which runs through the first seconds of a session) give way: the switch
        # is not drawn in the GIL's turns with them (reader.foreground).
        holding = foreground.hold()
        self.call_after_refresh(foreground.release, holding)
        # The article the message carries: the list may have been narrowed since Enter.
        self.open_article(article)
        # Now, not as ``focus()`` does it (a callback on the app's queue, one more turn of
        # the loop before the frame): the new focus's styles go into the article's frame.
        view = self.query_one(ArticleView)
        self.set_focus(view)
        if not view.finding:
            # Its :focus style (a tint) for the frame drawn below, before its Focus event
            # is handled (which then finds it set, and restyles nothing).
            view.has_focus = True
        # Everything the switch changed in that one frame: the screen no longer repaints
        # whole when the focus moves (``focused``), so a widget whose size stayed the same
        # would otherwise wait for its own queue to say so, maybe a frame later. While the
        # model finds the entities, laid out in that frame too (the header's status line,
        # the emptied panels), not in one more whole-screen frame that would share the
        # machine with the model; a cached switch's frame stays the quickest to draw.
        in_next_frame = lay_out_in_next_frame if view.finding else draw_in_next_frame
        # The header, the legend and the entity panel laid out in it always: their sizes
        # change when the switch leaves an article whose entities were being found (its
        # status line, the empty legend); the frame drawn now with the panel at its old
        # place left that panel on the terminal under the legend's new rows (the layout
        # a frame later did not draw over it). Only a widget whose size changed is laid
        # out (reader/ui/frames.py).
        lay_out_in_next_frame(
            self.query_one("#article-header", Static),
            self.query_one(Legend),
            self.query_one(EntityPanel),
        )
        in_next_frame(view, self.query_one(AnnotationPanel), self.query_one(ArticleList))
        if not view.finding:
            # A cached switch's frame, drawn now: not after the Blur and Focus queued
            # above (the sidebar's restyle as it loses the focus is drawn in the frame
            # after, as it was). The model's first frame stays the timer's: its worker
            # starts first (``_ask_model``).
            draw_now(self)

    def open_article(self, article: Article, mark_at: int | None = None) -> None:
        """Show *article* (a long one once a worker has read and wrapped it); its entities
        follow from the cache or the entity worker; the one at *mark_at*, if given, is
        marked once they are shown."""
        self.reading.leaving()
        self.library_search.switching()
        self._mark_at = mark_at
        self.article = article
        self.shown_removed = False
        self._without_store = False
        # The previous article's entities are no longer wanted, even if this one's are
        # cached: let the entity worker stop at its next batch.
        self.workers.cancel_group(self, "entities")
        self.workers.cancel_group(self, "reading")
        long = _long(article)
        # The previous article, sent to the model ahead of its entity worker, and opened
        # away from before that worker started (it never runs then): the model stops on it.
        self.app.finder.withdraw(None if long else article.text)
        if not long:
            self._ask_model(article)
        view = self.query_one(ArticleView)
        self.query_one(FindBar).close()
        self.query_one(AnnotationPanel).show(ArticleAnnotations())
        if long:
            view.show("")
            self._apply_spans([])
            self._set_status("Reading…")
            self._read(article, view.wrap_width)
            return
        view.show(article.text, formats=article.formats)
        self._article_shown()

    def _ask_model(self, article: Article) -> None:
        """When *article*'s entities are not cached, have the entity worker start on them
        now, before the article is drawn (3-5 ms of this thread), not once
        :meth:`refresh_entities` finds them missing: the model is most of an uncached
        switch, so every ms it starts earlier is one the highlights come earlier."""
        if len(article.text) > SYNC_ASK_LIMIT:
            return  # found in a worker (the rules take seconds even when cached)
        with contextlib.suppress(NoModel):  # said by refresh_entities
            # Cached, ruled here only where the switch rules them (else in its worker).
            self.app.finder.ask_unless_cached(
                article.sha256, article.text, rule=rules_here(self.app.finder, article)
            )

    def _article_shown(self) -> None:
        self.reading.shown()
        self.resume.save(self.article, self.library_search.text)
        self.annotator.load()
        self.refresh_entities()
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="reading", exit_on_error=False)
    def _read(self, article: Article, width: int) -> None:
        lines = wrap(article.text, width)  # reads the file once; the article keeps the text
        if not get_current_worker().is_cancelled:  # else another article was opened since
            self.post_message(ArticleRead(article.id, width, lines))

    def on_article_read(self, message: ArticleRead) -> None:
        article = self.article
        if article is not None and article.id == message.article_id:
            self.query_one(ArticleView).show(
                article.text, wrapped=(message.width, message.lines), formats=article.formats
            )
            # A saved page just extracted: its row shows its title, counts and read mark.
            self.query_one(ArticleList).learnt()
            self._article_shown()

    def refresh_entities(self) -> None:
        """Show the article's entities: from the cache now, else when a worker found them."""
        article = self.article
        if article is None:
            return
        finder = self.app.finder
        self._found()  # the previous article's, if the user moved on before they came
        if not rules_here(finder, article):
            # Even cached, the rules take 75 ms on 16,000 words (seconds on a 2 MiB
            # article): not on the screen's thread.
            self._apply_spans([])
            self._set_status("Finding entities…")
            self._extract(article)
            return
        without_store = self.app.store is None  # read first: it may open meanwhile
        try:
            # Without waiting: while a save holds the store, the worker below finds them.
            spans = finder.cached(article.sha256, article.text, wait=False)
        except NoModel as error:
            self._entities_unavailable(str(error))
            return
        if spans is not None:
            self._without_store = without_store
            self._apply_spans(spans)
            self._set_status("")
        else:
            finder.ask(article.text)  # the model starts now, not once the thread below runs
            # The user waits for the model: background passes (the search index's build
            # in a session's first seconds) give way until the highlights are painted, as
            # for the switch's own frame; not in the GIL's turns with the rules and the
            # highlight frame (reader.foreground). Not while the model loads (seconds).
            if getattr(finder.recognizer, "loaded", False):
                self._finding = foreground.hold()
            self._apply_spans([])
            self._set_status("Finding entities…")
            self._extract(article)

    @work(
        thread=True,
        exclusive=True,
        group="entities",
        exit_on_error=False,
        description="Finding entities",
    )
    def _extract(self, article: Article) -> None:
        worker = get_current_worker()
        without_store = self.app.store is None  # read before the corrections are
        try:
            spans, save = self.app.finder.find_then_save(
                article.sha256, article.text, cancelled=worker.cancelled_event
            )
        except Cancelled:
            return
        except NoModel as error:
            self.post_message(EntitiesFailed(article.id, str(error)))
            return
        except Exception as error:  # a bad model or a bug must not end the reading
            self.post_message(EntitiesFailed(article.id, f"entity recognition failed: {error}"))
            return
        # Shown first, then written: the entity cache's file and the library's entity
        # index (~2 + ~3 ms) once their frame is painted, not while the user waits for
        # it. The panel asks the index for their library names after that write (asked
        # before it, some mentions were named and not others: "Lavrov ×4", "Sergey Lavrov
        # ×4"); the search index takes them from the cache after it.
        painted = threading.Event()
        self.entity_pages.writing(article)
        with self._unwritten_lock:
            if self._quitting:  # no frame is coming
                painted.set()
            self._unwritten.add(painted)
        try:
            self.post_message(EntitiesReady(article.id, spans, without_store, painted))
            painted.wait(WRITE_AFTER_MOST)
            save()
        finally:
            with self._unwritten_lock:
                self._unwritten.discard(painted)
            self.entity_pages.found(article, spans)
        self.post_message(EntitiesSaved(article.id))

    def on_entities_ready(self, message: EntitiesReady) -> None:
        painted = message.painted
        if self.article is None or message.article_id != self.article.id:
            if painted is not None:
                painted.set()  # the user has moved on: written now
            return
        self._without_store = message.without_store
        self._apply_spans(message.spans)
        self._set_status("")
        # Laid out and drawn in the next frame (not once each widget's queue is idle):
        # the callbacks below then run after that frame, not before it. Laid out too, not
        # only drawn: the legend's height follows its labels (and the header loses its
        # status line). Drawn at their old sizes with the layout left to a later frame,
        # Textual 8.2.8 could lose that layout's repaint: a frame between them that rebuilt
        # the compositor's map (``Compositor.full_map``, rebuilt lazily once a dirty widget
        # is not visible) took the new sizes into the map that the layout's frame compares
        # with, found nothing moved, and the panel drawn at the old place stayed on the
        # screen under the legend (two "Entities" boxes, 1 switch in 6).
        lay_out_in_next_frame(
            self.query_one(ArticleView),
            self.query_one("#article-header", Static),
            self.query_one(EntityPanel),
            self.query_one(Legend),
        )
        if self._finding is not None:
            self.call_after_refresh(foreground.release, self._finding)
            self._finding = None
        if painted is not None:
            self.call_after_refresh(painted.set)

    def on_entities_saved(self, message: EntitiesSaved) -> None:
        # In the entity cache now: the search index takes them once the user is idle (or
        # a search asks): its update would share the machine with the next switch.
        self.library_search.entities_found()
        if self.article is None or message.article_id != self.article.id:
            return
        if self._without_store and self.app.store is not None:
            self.refresh_entities()  # the store opened meanwhile: with its corrections

    def on_background_found(self, message: BackgroundFound) -> None:
        # As on_entities_saved, less often: the pass finds an article every ~0.2 s.
        self.library_search.entities_found(background=message.article_id is not None)

    def on_entities_failed(self, message: EntitiesFailed) -> None:
        if self.article is not None and message.article_id == self.article.id:
            self._found()
            self._entities_unavailable(message.reason)

    def _found(self) -> None:
        """End the hold of :meth:`refresh_entities` now, if one is in force."""
        if self._finding is not None:
            foreground.release(self._finding)
            self._finding = None

    def _entities_unavailable(self, reason: str) -> None:
        self._apply_spans([])
        self._set_status(f"No entities: {reason}")

    def _apply_spans(self, spans: list[Span]) -> None:
        view = self.query_one(ArticleView)
        view.set_spans(spans)
        self.query_one(EntityPanel).set_spans(spans)
        self.query_one(Legend).set_spans(spans)
        if self.article is not None:
            self.entity_pages.spans_shown(self.article, spans)
        if self._mark_at is not None and (spans or not view.finding):
            view.mark_at(self._mark_at)
            if spans:
                self._mark_at = None

    def open_article_at(self, path: str, offset: int) -> None:
        """Open the article at *path* (its index key, :func:`index_path`: a page may name it
        by another form than the library's) with the entity at *offset* marked (an entity
        page's snippet was chosen)."""
        if self.library is None:
            return
        if self._by_path[0] is not self.library:
            by_path = {index_path(a.path): a for a in self.library.articles}
            self._by_path = (self.library, by_path)
        found = self._by_path[1].get(path)
        if found is None:
            self.notify("That article is no longer in the library", severity="warning")
            return
        self.open_article(found, mark_at=offset)
        self.query_one(ArticleList).show_article(found.id)
        self.query_one(ArticleView).focus()

    def _entities_changed(self) -> None:
        """A correction or an undo changed the article's entities (or the entity edits)."""
        self.refresh_entities()
        self.entity_pages.undone()
        self.entity_pages.corrections_changed()

    def action_entity_page(self) -> None:
        """Open the page of the marked entity, or of the one chosen in the panel (`p`)."""
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
        """Show or hide the legend (on a narrow screen, the side panels with it)."""
        legend = self.query_one(Legend)
        panels = self.query_one("#panels")
        if self.has_class("-narrow"):
            shown = not panels.has_class("-shown")
            panels.set_class(shown, "-shown")
            legend.display = shown
        else:
            legend.display = not legend.display

    def action_find(self) -> None:
        """Find in the article (`/` in the article)."""
        self.query_one(FindBar).open()

    def on_article_view_margin_changed(self, message: ArticleView.MarginChanged) -> None:
        # The header's text lines up with the article's (styles/app.tcss: padding 0 2).
        self.query_one("#article-header").styles.padding = (0, 2 + message.margin)

    def on_article_view_find_moved(self, message: ArticleView.FindMoved) -> None:
        self.query_one(FindBar).moved(message)

    def action_focus_list(self) -> None:
        """Go back to the article list."""
        self.query_one(ArticleList).focus()

    def action_sidebar(self, step: int) -> None:
        """`<` `>`: a narrower or wider sidebar, remembered in the config file."""
        sidebar = self.query_one("#sidebar")
        # From the width last set, not the one laid out: keys pressed quickly come before
        # the next layout, and each must count.
        now = self._sidebar_width or sidebar.outer_size.width
        self._sidebar_width = width = stepped(now, step, self.size.width)
        set_width(sidebar, width)
        self.app.remember_sidebar(width)
        self.notify(f"Sidebar: {width} columns", timeout=2)

    # --- finding articles: the filter, the index, the views (see LibrarySearch) ---------

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
