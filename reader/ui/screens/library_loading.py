"""The main screen's library loading: the list shown as soon as it is made, the library
read and the database opened in a thread worker, then where the library was left taken up
and what is wrong with the database or the files skipped told."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.worker import get_current_worker

from reader.annotations import tags_by_article
from reader.library import Article, Library, Problem
from reader.store import Session
from reader.ui.background import BackgroundEntities
from reader.ui.live_library import LiveLibrary
from reader.ui.messages import (
    ArticlesLearnt,
    LibraryListed,
    LibraryLoaded,
)
from reader.ui.screens.article_opening import ArticleOpening
from reader.ui.screens.early_keys import EarlyKeys
from reader.ui.screens.reading import ReadingState, reading_state
from reader.ui.screens.skipped import skipped_changed
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

if TYPE_CHECKING:
    pass

#: A first start learns the articles it listed by their first lines in batches of this
#: many, the sidebar showing their counts after each (~0.3 s of Markdown a batch).
LEARN_BATCH = 64


class LibraryLoading(ArticleOpening):
    """The main screen's part that loads the library (a base of
    :class:`~reader.ui.screens.main.MainScreen`)."""

    # Set by MainScreen.
    _listed: bool
    _list_painted: threading.Event
    early_keys: EarlyKeys
    live_library: LiveLibrary
    background: BackgroundEntities

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
