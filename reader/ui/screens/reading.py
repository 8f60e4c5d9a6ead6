"""The main screen's read state: articles marked read (read to the end, or `m`), the unread
drawn apart in the sidebar, and where each article was left.

A :class:`Reading` is a collaborator the main screen owns, as the :class:`Annotator` is:
given what it touches and nothing else. Every store call goes through ``ReaderApp.write``
or ``ReaderApp.read`` (one writer thread, results back on the UI thread); the read set and
the positions are read once at start, with the sidebar's tags, and kept here after that.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from reader.annotations import article_ref
from reader.library import Article
from reader.store import AnnotationStore
from reader.text import sanitize_line
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp


class ReadingState(NamedTuple):
    """What is read from the store at start: which articles are read, where each was left."""

    read: frozenset[str]
    """The content hashes of the articles marked read."""
    positions: dict[str, int]
    """Where each article was left: the offset of its top line on screen, by hash."""


def reading_state(store: AnnotationStore) -> ReadingState:
    """Read the read marks and the positions (in the writer thread)."""
    return ReadingState(store.read_articles(), store.positions())


class Reading:
    """Marks articles read, shows which are, and remembers where each was left.

    The contract, all of it given to the constructor:

    - *app*: the store, only through ``write`` (``store`` only says whether it can be
      written: the app's own marks and positions are not saved, silently, in a read-only
      database; the screen does not offer `m` then, and ``write`` says why if it is
      called anyway), and ``notify``.
    - *view*: the article's text; says where its top line is (``top_offset``), whether its
      last line has been on screen (``end_seen``, ``end_on_screen``), whether it has the
      focus, and scrolls to a saved position (``scroll_to_top_line``).
    - *articles*: the sidebar; shows the read set (``set_read``); its highlighted row is
      what `m` applies to while it has the focus.
    - *shown*: returns the article on screen (None until the library is loaded).
    - *marked*: called once a read mark is on disk (by `m` or by reading): what depends
      on read state (the search index's ``is:unread``) may be out of date.

    The screen calls :meth:`loaded` with the state read at start, :meth:`shown` once an
    article's text is in the view, :meth:`leaving` before another is opened and as it
    closes, :meth:`tick` every :attr:`TICK` seconds and :meth:`toggle` for `m`.

    An article is marked read once its last line has been on screen and the article pane
    has had the focus for :attr:`READ_AFTER` seconds, in any order; at most once each time
    it is opened, and never after `m` on it. An article left with its last line on screen
    reopens at the top, any other where it was left.
    """

    READ_AFTER: ClassVar[float] = 3.0
    """Seconds the article pane must have had the focus before reading to the end marks
    an article read. Long enough that passing through (the wrong article opened, `G` to
    see how long it is, back to the list) marks nothing; short enough that a short
    article read to its end is marked before the reader moves on. Only focused time
    counts: the article shown under the list at start is not being read yet."""

    TICK: ClassVar[float] = 0.5
    """How often the screen calls :meth:`tick` (seconds)."""

    def __init__(
        self,
        app: ReaderApp,
        *,
        view: ArticleView,
        articles: ArticleList,
        shown: Callable[[], Article | None],
        marked: Callable[[], object] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._app = app
        self._marked = marked
        self._view = view
        self._articles = articles
        self._shown = shown
        self.clock = clock
        """Where the time is read from, in seconds (a test gives a clock it moves itself)."""
        self._read: frozenset[str] | None = None
        """The hashes of the articles marked read; None until read (or without a store)."""
        self._positions: dict[str, int] = {}
        self._showing: Article | None = None
        """The article whose text is in the view (not a long one still being read)."""
        self._focused_for = 0.0
        self._last_tick: float | None = None
        self._settled = True
        """Whether the article shown can no longer be marked read by itself (it was, or
        it is read already, or `m` was pressed on it)."""

    # --- the state -------------------------------------------------------------------

    def loaded(self, state: ReadingState) -> None:
        """Take the state read at start, and show it in the sidebar."""
        self._read = state.read
        self._positions = dict(state.positions)
        self._articles.set_read(state.read)

    def is_read(self, sha256: str) -> bool | None:
        """Whether the article with this hash is marked read (None: not known)."""
        return None if self._read is None else sha256 in self._read

    def _set(self, sha256: str, read: bool) -> None:
        if self._read is None:
            return
        self._read = self._read | {sha256} if read else self._read - {sha256}
        self._articles.set_read(self._read)

    def _can_save(self) -> bool:
        """Whether the app's own saves (marks by reading, positions) can be written."""
        store = self._app.store
        return store is not None and not store.read_only

    # --- articles opened and left ----------------------------------------------------

    def shown(self) -> None:
        """The shown article's text is in the view: scroll to where it was left, and start
        counting the time it is read."""
        article = self._shown()
        self._showing = article
        if article is None:
            return
        self._focused_for = 0.0
        self._last_tick = self.clock()
        self._settled = self.is_read(article.sha256) is not False
        offset = self._positions.get(article.sha256)
        if offset:
            self._view.scroll_to_top_line(offset)

    def leaving(self) -> None:
        """The article shown is being left (another is opened, or the app closes): save
        where it was left, unless that is already saved. Left at its end, it is saved as
        the top: finished, it is reopened to be read again or looked into."""
        article, self._showing = self._showing, None
        if article is None:
            return
        offset = 0 if self._view.end_on_screen else self._view.top_offset
        if self._positions.get(article.sha256, 0) == offset:
            return
        self._positions[article.sha256] = offset
        if self._can_save():
            ref = article_ref(article)
            # After the switch's frame, not in it (reader/ui/app_store.py: save_after_frame).
            self._app.save_after_frame(lambda store: store.set_position(ref, offset), _ignore)

    # --- marking read ------------------------------------------------------------------

    def tick(self) -> None:
        """Count the time the article pane has had the focus; mark the article read once
        that is long enough and its end has been on screen."""
        now = self.clock()
        last, self._last_tick = self._last_tick, now
        article = self._showing
        if article is None or self._settled or last is None:
            return
        if self._view.has_focus:
            self._focused_for += now - last
        if self._focused_for < self.READ_AFTER or not self._view.end_seen:
            return
        self._settled = True
        if self.is_read(article.sha256) is False and self._can_save():
            ref = article_ref(article)
            self._set(article.sha256, True)

            def done(_changed: bool) -> None:
                self._marked()

            self._app.write(
                lambda store: store.set_read(ref, True),
                done,
                lambda _reason: self._set(article.sha256, False),
            )

    def toggle(self) -> None:
        """Mark read or unread (`m`) the article highlighted in the sidebar while it has the
        focus, else the article shown; say what was done once it is on disk."""
        article = self._articles.focused_article or self._shown()
        if article is None:
            return
        if self._read is None:  # no store, or not read yet
            self._app.writable()
            return
        if article.deferred:  # its hash a stand-in: a mark on it would be on no article
            title = sanitize_line(article.title, 60)
            self._app.notify(f"Still reading the page: {title}; m in a moment", markup=False)
            return
        read = article.sha256 not in self._read
        ref = article_ref(article)
        title = sanitize_line(article.title, 60)

        def done(_changed: bool) -> None:
            self._app.notify(
                f"Marked {'read' if read else 'unread'}: {title}", markup=False, timeout=3
            )
            self._marked()

        def failed(_reason: str) -> None:
            self._set(article.sha256, not read)

        if not self._app.write(lambda store: store.set_read(ref, read), done, failed):
            return  # read-only or no store: write said why
        self._set(article.sha256, read)
        showing = self._showing
        if showing is not None and showing.sha256 == article.sha256:
            self._settled = True  # the reader's choice stands until it is opened again


def _ignore(_result: object) -> None:
    """What a save the user did not ask for does once it is on disk: nothing."""
