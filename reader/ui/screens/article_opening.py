"""The main screen's article switch: an article opened (Enter, an entity page's mention,
the library's first), read and wrapped here or in a worker, and its entities shown from the
cache or found by the model in an exclusive worker, stale results dropped."""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import TYPE_CHECKING

from textual import on, work
from textual.widgets import Static
from textual.worker import get_current_worker

from reader import foreground
from reader.annotations import ArticleAnnotations
from reader.entities.engines import Cancelled, NoModel
from reader.entities.span import Span
from reader.library import Article, Library
from reader.library.folders import index_path
from reader.library.parsers import RENDERED_SUFFIXES
from reader.ui.frames import draw_in_next_frame, draw_now, lay_out_in_next_frame
from reader.ui.messages import (
    ArticleRead,
    BackgroundFound,
    EntitiesFailed,
    EntitiesReady,
    EntitiesSaved,
)
from reader.ui.screens.annotator import Annotator
from reader.ui.screens.article_header import ArticleHeader
from reader.ui.screens.entity_pages import EntityPages
from reader.ui.screens.library_search import LibrarySearch
from reader.ui.screens.reading import Reading
from reader.ui.screens.resume import Resume
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_panel import EntityPanel
from reader.ui.widgets.find_bar import FindBar
from reader.ui.widgets.legend import Legend
from reader.ui.wrapping import wrap

if TYPE_CHECKING:
    from reader.entities.finder import EntityFinder

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


class ArticleOpening(ArticleHeader):
    """The main screen's part that opens articles and shows their entities (a base of
    :class:`~reader.ui.screens.main.MainScreen`, which holds the state below)."""

    # Set by MainScreen.
    library: Library | None
    _mark_at: int | None
    _by_path: tuple[object, dict[str, Article]]
    _without_store: bool
    _user_acted: bool
    _unwritten: set[threading.Event]
    _quitting: bool
    _unwritten_lock: threading.Lock
    _finding: int | None
    annotator: Annotator
    reading: Reading
    resume: Resume
    library_search: LibrarySearch
    entity_pages: EntityPages

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
