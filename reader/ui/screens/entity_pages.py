"""The main screen's way into the library's entities: the entity index kept up to date,
the entity panel showing which library entity each mention is, and the entity pages
opened from the article (`p`), the panel (`p`) or the library's list (`P`); the entity
edits (merge, rename, relabel, split) made on the panel's choice (M r L S there).

An :class:`EntityPages` is a collaborator the main screen owns, as its :class:`Annotator`
is. Every call to the entity index runs in a thread worker of the screen: the update at
start (group ``entities-index``, not exclusive: it writes, and must not be cancelled by
another), an article's spans after the entity worker found them (in that worker), the
panel's lookups (group ``entity-panel``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from reader.entities.span import Span
from reader.library import Article
from reader.library.folders import index_path
from reader.store.entity_edits import EntityEdits
from reader.text import sanitize_line
from reader.ui.messages import EntityPageLoaded, PanelResolved
from reader.ui.screens.entity_editing import EditKind, ask_edit, store_edit, undo_words
from reader.ui.screens.entity_library import EntityLibraryScreen
from reader.ui.screens.entity_page import EntityPageScreen, MentionAt, Order, read_page
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_panel import EntityPanel

if TYPE_CHECKING:
    from textual.screen import Screen

    from reader.entities.library.edits import Edit
    from reader.entities.library.resolve import Entity
    from reader.ui.app import ReaderApp


class EntityPages:
    """Opens entity pages from the main screen and keeps the entity index current.

    - *app*: the workspace (its entity index), ``write``/``read``, ``push_screen``.
    - *screen*: runs the workers and gets their messages (``PanelResolved``).
    - *view*, *panel*: where the marked entity and the panel's choice are read from; the
      panel is told which library entity each mention is.
    - *shown*: the article on screen; *open_at*: opens an article (by path) at an offset
      with the entity there marked.
    """

    def __init__(
        self,
        app: ReaderApp,
        screen: Screen[None],
        *,
        view: ArticleView,
        panel: EntityPanel,
        shown: Callable[[], Article | None],
        open_at: Callable[[str, int], None],
    ) -> None:
        self._app = app
        self._screen = screen
        self._view = view
        self._panel = panel
        self._shown = shown
        self._open_at = open_at
        self._stop = threading.Event()
        self._updating = threading.Lock()
        """Held by the one update running (at start, or after a correction)."""
        self._again = threading.Event()
        """Set when the index should be brought up to date (again): the update running
        then runs once more instead of a second one running beside it."""
        self._page: EntityPageScreen | None = None
        """The entity page screen, once opened (installed in the app: reused)."""
        self._spans: tuple[str, Sequence[Span]] | None = None
        """The article's id and spans the panel shows (to look them up again after an
        edit)."""

    # --- the index ---------------------------------------------------------------------

    def start(self) -> None:
        """Bring the entity index up to date in the background (once the library is
        loaded), then show the panel's entities as the library's."""
        self._screen.run_worker(
            self._update, thread=True, group="entities-index", exit_on_error=False
        )

    def corrections_changed(self) -> None:
        """A correction was made, deleted or undone: every article it may change (one made
        everywhere: any article, most never opened) is indexed again in the background,
        as at start (only those whose corrections changed are read), then the panel is
        looked up again. Without it the entity pages kept an article's old labels until
        it was opened."""
        self.start()

    def _update(self) -> None:
        self._again.set()
        wrote = False
        while not self._stop.is_set():
            if not self._updating.acquire(blocking=False):
                return  # the update running sees _again and runs once more
            try:
                while self._again.is_set() and not self._stop.is_set():
                    self._again.clear()
                    written = self._update_once()
                    if written is None:
                        return
                    wrote = wrote or written
            finally:
                self._updating.release()
            if not self._again.is_set():  # not set between the last run and the release
                break
        self._resolve_again()
        if wrote:  # an entity page opened meanwhile is read again
            self._app.call_from_thread(self._reload_page)

    def _reload_page(self) -> None:
        page = self._page
        if page is not None and self._app.screen is page:
            page.load()

    def _update_once(self) -> bool | None:
        """One update of the index: whether it wrote; None when it failed (and said so)."""
        workspace = self._app.workspace
        try:
            index = workspace.entity_index()
            before = index.generation()
            index.update(workspace, cancelled=self._stop)
            wrote = index.generation() != before
            # The filter's entity: from now on as the library's entities are (merges and
            # splits applied, "Lavrov" finding "Sergey Lavrov").
            workspace.search_index().entity_resolver = index.articles_of
        except Exception as error:  # a broken index file: said, the reading goes on
            self._app.call_from_thread(
                self._app.notify,
                f"The entity index could not be built: {error}",
                severity="warning",
                markup=False,
            )
            return None
        return wrote

    def stop(self) -> None:
        """The screen is closing: an update in progress stops at its next batch."""
        self._stop.set()

    def found(self, article: Article, spans: Sequence[Span]) -> None:
        """In the entity worker: *article*'s entities were found; the index takes them."""
        # A failure is not said: the update at the next start indexes the article.
        with contextlib.suppress(Exception):
            self._app.workspace.entity_index().put_article(article, spans)

    # --- the panel ---------------------------------------------------------------------

    def spans_shown(self, article: Article, spans: Sequence[Span]) -> None:
        """The panel shows *spans* of *article*: look up, in a worker, which library
        entity each is (the panel then groups and names them as the library does)."""
        self._spans = (article.id, spans)
        if not spans:
            return
        path = article.path
        found = list(spans)

        def resolve() -> None:
            worker = get_current_worker()
            index = self._app.workspace.entity_index()
            resolved: dict[int, tuple[str, str, str]] = {}
            try:
                # A correction or an undo since the article was indexed (here, or one made
                # everywhere in another article): the index takes the spans shown first, or
                # it names their mentions with their old labels (the legend's "WORK_OF_ART 2"
                # under the panel's "ORG (11) … Dawn ×2").
                index.refresh_article(article, found)
                for span in found:
                    if worker.is_cancelled:
                        return  # another article was opened since
                    entity = index.entity_at(path, span.start, span.text, span.label)
                    if entity is not None:
                        resolved[span.start] = (entity.id, entity.name, entity.label)
            except Exception:
                return  # the panel keeps the article's own names
            self._screen.post_message(PanelResolved(article.id, resolved))

        def start() -> None:
            self._screen.run_worker(
                resolve, thread=True, exclusive=True, group="entity-panel", exit_on_error=False
            )

        # After the article's frame is painted: the lookups never delay an article switch.
        self._screen.call_after_refresh(start)

    def resolved(self, message: PanelResolved) -> None:
        """The lookups are back: show them, if the article is still the one shown."""
        article = self._shown()
        if article is not None and article.id == message.article_id:
            self._panel.set_resolved(message.resolved)

    def _resolve_again(self) -> None:
        """From any thread: the library's entities changed, look the panel's up again."""
        spans = self._spans
        article = self._shown()
        if spans is not None and article is not None and article.id == spans[0]:
            self._app.call_from_thread(self.spans_shown, article, spans[1])

    def edits_changed(self) -> None:
        """An entity edit or an undo is in the index: the panel's names may change."""
        spans = self._spans
        article = self._shown()
        if spans is not None and article is not None and article.id == spans[0]:
            self.spans_shown(article, spans[1])

    def undone(self) -> None:
        """Something was undone on the main screen (maybe an entity edit): the index takes
        the store's edits again, then the panel is looked up again."""

        def done(edits: list[Edit]) -> None:
            self._app.workspace.entity_index().set_edits(edits)
            self.edits_changed()

        self._app.read(lambda store: EntityEdits(store).edits(), done)

    # --- opening pages -------------------------------------------------------------------

    def open_page(self) -> None:
        """Open the page of the entity chosen in the panel (when it has the focus), else
        of the entity marked in the article (`p`)."""
        article = self._shown()
        if article is None:
            return
        wanted: str | MentionAt | None = None
        group = self._panel.chosen if self._panel.has_focus else None
        if group is not None:
            wanted = group.entity_id or MentionAt(
                article.path, group.first, group.text, group.label
            )
        else:
            span = self._view.current_span
            if span is not None:
                wanted = MentionAt(article.path, span.start, span.text, span.label)
        if wanted is None:
            self._app.notify(
                "Mark an entity first (e, E), or choose one in the entity panel",
                severity="warning",
                markup=False,
            )
            return
        read_page(self._screen, wanted, "newest", new=True)

    def page_read(self, message: EntityPageLoaded) -> None:
        """The page asked for by :meth:`open_page` is read: open it (or say why not)."""
        if message.page is None:
            problem = message.problem or "That entity is no longer in the library"
            self._app.notify(problem, severity="warning", markup=False)
            return
        order: Order = "mentions" if message.order == "mentions" else "newest"
        page = self._page
        if page is None:
            # Installed: kept when closed, so that the next page is drawn on widgets that
            # exist (a new screen's first frame took ~200 ms of the keypress).
            page = self._page = EntityPageScreen(message.page, self.show_mention, order=order)
            page.coverage = message.coverage
            self._app.install_screen(page, name="entity-page")
        else:
            page.open(message.page, order, message.coverage)
        if page in self._app.screen_stack:  # under the library's list, say
            while self._app.screen is not page:
                self._app.pop_screen()
        else:
            self._app.push_screen(page)

    def open_library(self) -> None:
        """List the library's entities; choosing one opens its page (`P`)."""

        def open_page(entity: Entity) -> None:
            read_page(self._screen, entity.id, "newest", new=True)

        self._app.push_screen(EntityLibraryScreen(open_page=open_page))

    # --- edits from the panel ------------------------------------------------------------

    def edit(self, kind: EditKind) -> None:
        """Ask for the edit *kind* of the entity chosen in the panel: the library entity it
        is looked up in a worker, then the edit's dialog opens (as on its page)."""
        article = self._shown()
        group = self._panel.chosen
        if article is None or group is None:
            self._app.notify(
                "Choose an entity in the entity panel first", severity="warning", markup=False
            )
            return
        if not self._app.writable():
            return
        path = article.path

        def find() -> None:
            index = self._app.workspace.entity_index()
            try:
                entity = index.resolution().get(group.entity_id) if group.entity_id else None
                if entity is None:
                    entity = index.entity_at(path, group.first, group.text, group.label)
            except Exception as error:  # a broken index file: said, nothing changed
                problem = f"The entity index failed: {error}"
                self._app.call_from_thread(
                    self._app.notify, problem, severity="warning", markup=False
                )
                return
            self._app.call_from_thread(self._ask, kind, entity, group.text)

        self._screen.run_worker(
            find, thread=True, exclusive=True, group="entity-edit", exit_on_error=False
        )

    def _ask(self, kind: EditKind, entity: Entity | None, text: str) -> None:
        if entity is None:
            self._app.notify(
                f"{sanitize_line(text, 80)} is not in the library's entity index (yet)",
                severity="warning",
                markup=False,
            )
            return
        ask_edit(self._app, kind, entity, self._save)

    def _save(self, edit: Edit, said: str, _then: str | None) -> None:
        """Store *edit*; the panel is looked up again once it is in the index (the main
        screen gets ``EntityEditsChanged``)."""

        def done(_result: object, _edits: list[Edit]) -> None:
            self._app.notify(said, markup=False, timeout=3)

        store_edit(
            self._app, lambda store: EntityEdits(store).add(edit, said=undo_words(said)), done
        )

    def show_mention(self, path: str, start: int) -> None:
        """Close the entity pages and open the article at *path* at *start*, marked."""
        app = self._app
        while app.screen is not self._screen and len(app.screen_stack) > 1:
            app.pop_screen()
        self._open_at(index_path(path), start)
