"""`LibrarySearch`, the main screen's collaborator for finding articles: the filter field
and the list it narrows, the search index kept up to date, and the saved views.

Searches run while the index is updated (SQLite's WAL: a search reads the last commit), so a
keystroke never waits for an update; only before the session's first update has indexed the
text does the field say that the list narrows once the index is ready.

The entities the model finds for an article opened uncached are indexed later, not right
after they are shown (an update compares every article: ~130 ms of CPU at 2,000 articles,
~300 ms at 10,000, which would share the machine with the next switch): once no article
has been opened for :data:`INDEX_ENTITIES_AFTER` seconds, one update for all found
meanwhile; a search for entities asked before that waits for that update, so it sees
them (other searches do not: words are not looked for in entities).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import Worker

from reader.library import Article
from reader.search.query import (
    Query,
    QueryError,
    Sort,
    asks_for_entities,
    entities_missing,
    parse,
)
from reader.search.stamp import entity_cache_stamp
from reader.store import View
from reader.text import sanitize_line
from reader.ui.background import INDEX_EVERY, finding_the_rest
from reader.ui.messages import FilterFound, IndexUpdated, ViewCounts
from reader.ui.screens.dialogs import ConfirmScreen
from reader.ui.screens.view_dialogs import ViewNameScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.list_title import fitting, short_count
from reader.ui.widgets.view_list import ViewList

if TYPE_CHECKING:
    from textual.screen import Screen

    from reader.ui.app import ReaderApp

#: What the field says while the first update of the session indexes the library's text.
BUILDING = "indexing the library… the list narrows when the index is ready"


def _not_built(problem: str) -> str:
    """What the filter says when the index could not be built: the list is not narrowed."""
    reason = sanitize_line(problem, 120)  # may name a file: untrusted
    return f"the search index could not be built ({reason}): the list is not filtered"


#: What it says while entities are indexed, to a query that asks for them.
ENTITIES_PENDING = "entities are still being indexed: results may be incomplete"

#: What it says while a search for entities waits for the ones just found to be indexed.
ENTITIES_JUST_FOUND = "indexing the entities just found… the list narrows in a moment"

#: Seconds without an article opened after which the entities found meanwhile are indexed.
INDEX_ENTITIES_AFTER = 1.5


class LibrarySearch:
    """Filters the article list, keeps the search index up to date, and keeps the views.

    The contract, all of it given to the constructor: *app* (the store only through
    ``write`` / ``read``, the workspace's search index, dialogs, notifications); *screen*
    (where the workers run and their messages go: :class:`FilterFound`,
    :class:`IndexUpdated`, :class:`ViewCounts`, handed back here by the screen); the three
    widgets of the sidebar it drives.
    """

    def __init__(
        self,
        app: ReaderApp,
        screen: Screen[None],
        *,
        articles: ArticleList,
        bar: FilterBar,
        views: ViewList,
    ) -> None:
        self._app = app
        self._screen = screen
        self._articles = articles
        self._bar = bar
        self._views = views
        self._library: list[Article] = []
        self._by_path: dict[str, Article] = {}
        self._loaded = False

        self._text = ""
        """The query in force, as typed."""
        self._query: Query | None = None
        self._listed_sort: Sort | None = None
        """The order of the list shown (None: the library's): a search in another order
        shows the list from its top."""
        """The query in force, None when the list is not filtered."""
        self._entity_notice = ""
        """What the query in force is told about the entities indexed (ENTITIES_PENDING...)."""
        self._restored = False
        """Whether the query in force was restored and its list not yet shown."""
        self._generation = 0
        """Bumped on every new query: a search's result for an older one is dropped."""

        self._index_ready = False
        """Whether the session's first update has indexed the text (the filter works)."""
        self._entities_ready = False
        """Whether an update has run its entity pass to the end."""
        self._entity_counts: tuple[int, int] | None = None
        """After the last entity pass: articles with entities indexed, and articles."""
        self._updating = False
        self._update_wanted = False
        self._stopped = False
        """Set by :meth:`stop` (the app is quitting): no update starts after it."""
        self._entities_due = False
        """Entities were found (an article opened uncached) since the last update started."""
        self._entities_in_flight = False
        """An update started after entities were found runs (or will run again)."""
        self._cache_stamp: str | None = None
        """The entity cache's folders (:func:`entity_cache_stamp`) when the last complete
        entity pass started: an ``entity:`` query finding them changed (`reader index` run
        in another shell) waits for an update, which takes the new entities and counts."""
        self._idle_timer: Timer | None = None
        self._cancel: threading.Event | None = None
        """Stops the running update between batches (set when the screen goes)."""
        self._running: set[Worker[None]] = set()
        """Searches and counts running (for :attr:`busy`)."""
        self._search_waiting = False
        self._value_notices: tuple[str, ...] = ()
        """What the last search's query names that the library has not (label:perosn)."""
        self._problem_said = False
        self._index_problem: str | None = None
        """Why the last update failed (None when it did not): what the filter says while
        the index is not built, rather than that it is being built."""
        self._counts_generation = 0
        """Bumped on every count of the views: an older count's figures are dropped."""

    # --- the library ---------------------------------------------------------------

    def library_loaded(self, articles: list[Article]) -> None:
        """The library is listed: index it (text first, then entities) and show the views."""
        self._library = articles
        self._by_path = {str(a.path): a for a in articles}
        self._loaded = True
        self.update_index()
        self.load_views()

    @property
    def index_ready(self) -> bool:
        """Whether the filter can search (the session's first update indexed the text)."""
        return self._index_ready

    @property
    def settled(self) -> bool:
        """Whether the session's first updates are done (the text indexed, then the
        entities; or an update failed): the first-start work the background pass waits
        for. Read from its thread."""
        return self._entities_ready or self._index_problem is not None

    @property
    def writable(self) -> bool:
        """Whether views can be saved, renamed and deleted (the database can be written)."""
        return not self._app.store_problem

    @property
    def busy(self) -> bool:
        """Whether an index update or a search is running or waiting (for tests)."""
        return self._updating or bool(self._running) or self._update_wanted

    # --- the index -------------------------------------------------------------------

    def stop(self) -> None:
        """The screen is going: a running update stops between batches, and none starts
        after it (the stopped one's message would otherwise start the next)."""
        self._stopped = True
        self._stop_idle_timer()
        if self._cancel is not None:
            self._cancel.set()

    def update_index(self) -> None:
        """Bring the index up to date (incremental: articles by path and hash, annotations
        and entities compared), now or once what runs has finished."""
        if not self._loaded:
            return
        self._update_wanted = True
        self._maybe_update()

    def entities_found(self, *, background: bool = False) -> None:
        """An article's entities were found by the model (and shown): index them once no
        article has been opened for a while, or before the next search. Found by the
        background pass (reader/ui/background.py): at most every
        :data:`~reader.ui.background.INDEX_EVERY` seconds while it runs (an update
        compares the whole library), at once for a search for entities."""
        if not self._loaded:
            return
        self._entities_due = True
        if not background:
            self._wait_for_idle()
        elif self._idle_timer is None:
            self._idle_timer = self._screen.set_timer(INDEX_EVERY, self._idle)

    def switching(self) -> None:
        """An article is being opened: entities waiting to be indexed wait longer."""
        if self._entities_due:
            self._wait_for_idle()

    def _wait_for_idle(self) -> None:
        self._stop_idle_timer()
        self._idle_timer = self._screen.set_timer(INDEX_ENTITIES_AFTER, self._idle)

    def _stop_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None

    def _idle(self) -> None:
        self._idle_timer = None
        if self._entities_due:
            self.update_index()

    def _maybe_update(self) -> None:
        if not self._update_wanted or self._updating or self._stopped:
            return
        self._update_wanted = False
        self._updating = True
        if self._index_ready and self._entities_due:  # this update's entity pass takes them
            self._entities_due = False
            self._entities_in_flight = True
            self._stop_idle_timer()
        self._cancel = threading.Event()
        self._screen.run_worker(
            partial(self._update, self._index_ready, self._cancel),
            group="index",
            description="Updating the search index",
            exit_on_error=False,
            thread=True,
        )

    def _update(self, entities: bool, cancelled: threading.Event) -> None:
        """In a thread: one update (the first of a session without entities: the text is
        searchable sooner)."""
        workspace = self._app.workspace
        stamp = entity_cache_stamp(workspace.settings) if entities else None
        # Kept beside the index when this update only indexes entities: `reader search`
        # then finds the index current (the app's pass does not make it update again).
        trusted = entity_cache_stamp(workspace.settings, trusted=True) if entities else None
        try:
            if self._cache_stamp is not None and stamp != self._cache_stamp:
                # Cached elsewhere since (`reader index` in another shell): the entity
                # index too (for `P`, pages and entity:; current already when that run's
                # library is this one, its index file being this one's).
                workspace.entity_index().update(workspace, cancelled=cancelled)
            index = workspace.search_index()
            # Lean: the app's memory counts every process (no read-ahead child), and the
            # page cache stays small beside the entity worker.
            report = index.update(
                self._app.workspace, entities=entities, cancelled=cancelled, lean=True
            )
            index.carry(report, trusted, entities and not cancelled.is_set())
        except Exception as error:  # a bug or a full disk must not end the reading
            self._screen.post_message(IndexUpdated(False, f"{type(error).__name__}: {error}"))
            return
        complete = entities and not cancelled.is_set()
        if complete:
            self._cache_stamp = stamp
        counted = None
        if complete and report.entities_unavailable is None:
            counted = (report.articles - report.entities_missing, report.articles)
        self._screen.post_message(IndexUpdated(complete, entities=counted))

    def index_updated(self, message: IndexUpdated) -> None:
        """An update ended: search again (results may have changed), count the views, and
        update again if it stopped early, was the text-only first one, or more was asked."""
        self._updating = False
        self._cancel = None
        if message.complete or message.problem is not None:
            self._entities_in_flight = False  # in the index (or never: a search need not wait)
        self._index_problem = message.problem
        if message.problem is not None:
            if not self._index_ready and self._search_waiting:
                self._bar.set_notice(_not_built(message.problem))
            if not self._problem_said:  # once a session, not after every keystroke
                self._problem_said = True
                self._app.notify(
                    f"The search index could not be updated: {message.problem}",
                    title="Search",
                    severity="warning",
                    markup=False,
                )
        elif not self._index_ready:
            self._index_ready = True
            self._update_wanted = True  # now the entities
        elif message.complete:
            self._entities_ready = True
            self._entity_counts = message.entities
        else:
            self._update_wanted = True  # stopped for a search: carry on after it
        if self._index_ready and (self._search_waiting or self._query is not None):
            self._search_waiting = False
            self._search()
        if self._index_ready:
            self._count_views()
        self._maybe_update()

    # --- the filter ------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The query in force, as typed ("" when the list is not filtered)."""
        return self._text

    def restore(self, text: str) -> None:
        """Put *text*, the query in force when the library was last left, in the field,
        which narrows the list as if typed; the list's cursor stays on the article it is
        on (also when the query sorts: the list was left in that order)."""
        try:
            self._listed_sort = parse(text).sort
        except QueryError:
            pass  # said by the field, the list left whole
        else:
            self._text = text.strip()  # in force from now (the search follows)
            self._restored = True
        self._bar.set_value(text)

    def query_changed(self, text: str, query: Query) -> None:
        """The field holds a new query that parses: narrow the list to what it finds."""
        self._generation += 1
        self._text = text.strip()
        self._mark_active_view()
        if query.where is None and query.sort is None:
            self._query = None
            self._articles.narrow(None)
            self._listed_sort = None
            self._value_notices = ()
            self._bar.set_notice("")
            self.show_title()
            return
        self._query = query
        self.show_title()  # no longer "query not applied", if it was
        self._search()

    def cleared(self) -> None:
        """The filter was cleared: every article again."""
        self._generation += 1
        self._text = ""
        self._query = None
        self._search_waiting = False
        self._value_notices = ()
        self._articles.narrow(None)
        self._listed_sort = None
        self._mark_active_view()
        self.show_title()

    def _cache_changed(self) -> bool:
        """Whether entities were cached since the last complete entity pass started (by
        `reader index` in another shell, or the app's worker): by stat, ~1 ms."""
        if self._cache_stamp is None or self._updating:
            return False
        return entity_cache_stamp(self._app.workspace.settings) != self._cache_stamp

    def _search(self) -> None:
        query = self._query
        if query is None:
            return
        if not self._index_ready:
            self._search_waiting = True
            problem = self._index_problem
            self._bar.set_notice(BUILDING if problem is None else _not_built(problem))
            return
        entities = asks_for_entities(query)
        if entities and not self._entities_due and self._cache_changed():
            self._entities_due = True  # `reader index` ran in another shell
        if entities and (self._entities_due or self._entities_in_flight):
            # Entities found since the last update: a search for entities waits for the
            # update that indexes them (started now if it was waiting for the user to be
            # idle). Words are not looked for in entities: those searches do not wait.
            self._search_waiting = True
            self._bar.set_notice(ENTITIES_JUST_FOUND)
            if self._entities_due:
                self.update_index()
            return
        notice = ""
        if entities:
            if not self._entities_ready:
                notice = ENTITIES_PENDING
            elif self._entity_counts is not None:
                finding = finding_the_rest(self._app)
                notice = entities_missing(*self._entity_counts, finding=finding)
        self._entity_notice = notice
        # The last search's notices stay until this one's result replaces them (the status
        # line does not blink on every keystroke).
        self._bar.set_notice("\n".join((*self._value_notices, notice)).strip())
        self._start(
            partial(self._find, self._generation, query, self._library),
            group="filter",
            description="Filtering the articles",
        )

    def _start(self, work: Callable[[], None], *, group: str, description: str) -> None:
        """Run a search (or the counts) in a thread worker, the latest of its group only."""
        worker = self._screen.run_worker(
            work,
            group=group,
            description=description,
            exclusive=True,
            exit_on_error=False,
            thread=True,
        )
        self._running.add(worker)

    def worker_changed(self, worker: Worker[object]) -> None:
        """A worker changed state: once no search runs, a waiting update may start. (Counted
        by state, not by their messages: a search cancelled before it started sends none.)"""
        if worker in self._running and worker.is_finished:
            self._running.discard(worker)
            self._maybe_update()

    def _find(self, generation: int, query: Query, articles: list[Article]) -> None:
        """In a thread: the paths of the articles *query* finds."""
        # Imported here (the workspace imports the index when first asked for it): the
        # first start shows its list without importing the search index's modules.
        from reader.search.index import IndexReset

        paths: list[str] = []
        notices: list[str] = []
        problem = None
        try:
            index = self._app.workspace.search_index()
            paths = index.paths(query, articles)
            notices = index.notices(query)
        except IndexReset:
            problem = "reset"
        except Exception as error:
            problem = f"{type(error).__name__}: {error}"
        self._screen.post_message(FilterFound(generation, paths, problem, tuple(notices)))

    def found(self, message: FilterFound) -> None:
        """A search ended: narrow the list, unless a later keystroke made it stale."""
        if message.problem == "reset":  # the index file broke: rebuild, then search again
            self._index_ready = self._entities_ready = False
            self._search_waiting = True
            self.update_index()
        elif message.generation == self._generation and self._query is not None:
            if message.problem is not None:
                self._bar.set_notice(f"the search failed: {message.problem}")
            else:
                by_path = self._by_path
                # A new order shows its top (the user asked for what comes first); a
                # narrower filter in the same order keeps the highlighted article.
                sort = self._query.sort
                from_top = sort != self._listed_sort
                self._listed_sort = sort
                found = [by_path[p] for p in message.paths if p in by_path]
                self._articles.narrow(found, from_top=from_top)
                if self._restored:
                    # The restored query's list shows from its top, the cursor's row on
                    # screen: whatever the whole library was scrolled to meanwhile (the
                    # cursor's row scrolled to once the list got its height, which can come
                    # after the restore: the shorter list was then cut at its first row).
                    self._restored = False
                    self._articles.show_from_top()
                self._value_notices = message.notices
                self._bar.set_notice("\n".join((*message.notices, self._entity_notice)).strip())
                self.show_title()

    def show_title(self) -> None:
        """Say in the list's border how many articles are listed out of how many, and the
        sort in force (then without "Articles": the sidebar is narrow, and the border's
        bottom line is the unread count's); first "query not applied" while the field's
        query does not parse."""
        articles = self._articles
        # The field's query does not parse: the list is the last query's that did, and the
        # title says first that the field's is not applied (the status line says which is).
        broken = self._bar.display and self._bar.error is not None
        if not articles.filtered:
            articles.border_title = "Articles · query not applied" if broken else "Articles"
            return
        shown, total = len(articles.articles), len(articles.library)
        sort = self._query.sort if self._query is not None else None
        titles = []  # the longest first; the first that fits the border is shown
        for count in (f"{shown:,} of {total:,}", f"{short_count(shown)} of {short_count(total)}"):
            if broken:
                count = f"query not applied · {count}"
            if sort is None:
                titles += [count] if broken else [f"Articles · {count}", count]
            else:
                titles.append(f"{count} · sort: {'-' if sort.descending else ''}{sort.key}")
        articles.border_title = fitting(titles, articles.outer_size.width)

    # --- views -----------------------------------------------------------------------

    @property
    def views(self) -> list[View]:
        """The saved views, as last read from the store."""
        return self._views.views

    def load_views(self) -> None:
        """Read the saved views (in the writer thread), list them and count them."""
        if self._app.store is None:
            return

        def loaded(views: list[View]) -> None:
            self._views.set_views(views)
            self._mark_active_view()
            self._count_views()

        self._app.read(lambda store: store.views(), loaded)

    def _count_views(self) -> None:
        views = list(self._views.views)
        if not views:
            return
        if not self._index_ready:
            return  # counted when the first update ends
        self._counts_generation += 1
        self._start(
            partial(
                self._count,
                self._counts_generation,
                views,
                self._library,
                entities=self._entities_ready,
            ),
            group="view-counts",
            description="Counting the views",
        )

    def _count(
        self, generation: int, views: list[View], articles: list[Article], *, entities: bool
    ) -> None:
        """In a thread: how many articles each view finds (None: its query is broken).
        A view asking for entities is not counted before the session's entity pass
        (*entities* False): the index has the text only, and its 0 is not known yet (it
        stays shown as being counted, "…")."""
        counts: dict[str, int | None] = {}
        try:
            index = self._app.workspace.search_index()
            for view in views:
                try:
                    query = parse(view.query)
                except QueryError:
                    counts[view.name] = None
                    continue
                if not entities and asks_for_entities(query):
                    continue
                counts[view.name] = len(index.paths(query, articles))
        except Exception:
            counts = {}  # the index broke: the next update counts them again
        self._screen.post_message(ViewCounts(counts, generation))

    def view_counts(self, message: ViewCounts) -> None:
        """Counts are in: show them beside the views, unless a later count was asked (the
        group is exclusive, but a cancelled worker's thread runs on and may end after)."""
        if message.counts and message.generation == self._counts_generation:
            self._views.set_counts(message.counts)

    def _mark_active_view(self) -> None:
        text = self._text
        active = next((v.name for v in self._views.views if text and v.query == text), None)
        self._views.set_active(active)

    def apply(self, view: View) -> None:
        """Put *view*'s query in the filter field (which narrows the list) and go to the list."""
        self._bar.set_value(view.query)
        self._screen.set_focus(self._articles if self._bar.error is None else self._bar.input)

    def save(self, text: str) -> None:
        """Ask for a name and save *text* as a view (asking first to replace one of that
        name with another query)."""
        if not self._app.writable():
            return

        def named(name: str | None) -> None:
            if not name:
                return
            same = next((v for v in self.views if v.name.casefold() == name.casefold()), None)
            if same is None or same.query == text:
                self._write_view(name, text)
                return
            question = (
                f"A view named “{sanitize_line(same.name, 80)}” finds "
                f"“{sanitize_line(same.query, 120)}”. Replace its query with this one?"
            )

            def answered(replace: bool | None) -> None:
                if replace:
                    self._write_view(name, text)
                elif replace is False:  # No: another name, this one selected (Esc: cancel)
                    self._app.push_screen(ViewNameScreen(text, name=name), named)

            self._app.push_screen(ConfirmScreen(question), answered)

        self._app.push_screen(ViewNameScreen(text), named)

    def _write_view(self, name: str, text: str) -> None:
        def saved(view: View) -> None:
            self._app.notify(f"Saved the view “{view.name}”", markup=False, timeout=3)
            self.load_views()

        self._app.write(lambda store: store.save_view(name, text), saved)

    def rename(self, view: View) -> None:
        """Ask for a new name for *view*, then rename it."""
        if not self._app.writable():
            return

        def named(name: str | None) -> None:
            if not name or name == view.name:
                return

            def renamed(new: View) -> None:
                self._app.notify(
                    f"Renamed the view “{view.name}” to “{new.name}”", markup=False, timeout=3
                )
                self.load_views()

            self._app.write(lambda store: store.rename_view(view.name, name), renamed)

        self._app.push_screen(ViewNameScreen(view.query, current=view.name), named)

    def delete(self, view: View) -> None:
        """Delete *view* (`u` undoes it, as any annotation change)."""
        if not self._app.writable():
            return

        def deleted(old: View) -> None:
            # `u` undoes it in the list, not in a field (where it is typed): the filter
            # field (the palette gives the focus back to it) hands the focus to the list.
            if isinstance(self._app.focused, Input):
                self._screen.set_focus(self._articles)
            self._app.notify(f"Deleted the view “{old.name}” (u undoes)", markup=False, timeout=3)
            self.load_views()

        self._app.write(lambda store: store.delete_view(view.name), deleted)


class ViewCommands(Provider):
    """The command palette's view commands on the main screen: apply, rename, delete each
    saved view. Names are untrusted: shown as Content, never markup (Textual's
    ``Matcher.highlight`` parses its candidate as markup, so it is not used)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        search = getattr(self.screen, "library_search", None)
        if not isinstance(search, LibrarySearch):
            return []
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for view in search.views:
            name = sanitize_line(view.name, 80)
            commands.append(
                (f"View: {name}", "Filter the list with this view", partial(search.apply, view))
            )
            if search.writable:  # read-only: not offered (as the writing keys)
                commands += [
                    (f"Rename view: {name}", "Give it another name", partial(search.rename, view)),
                    (f"Delete view: {name}", "u undoes it", partial(search.delete, view)),
                ]
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, Content(title), callback, text=title, help=help_text)
