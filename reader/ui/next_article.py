"""The article under the list's cursor, made ready to open while the user looks at it.

Opening an article wraps its text and reads its cached entities, then runs the consistency
rules on them (~2.5 ms on a 1,000-word article, the most of the app's work on a switch).
When the cursor rests on an article for :data:`PREPARE_AFTER` seconds (the user reads its
title; moving on through the list does nothing), both are done on the screen's thread,
between keystrokes, so that Enter shows the article without them: the view keeps the
wrapped lines (:meth:`ArticleView.prepare`), the finder the ruled spans
(:meth:`EntityFinder.prepare`). Both are checked against the text and the width when used.
Only what the switch itself would do on that thread: nothing for an article read in a
worker, no rules for one whose entities a worker rules (75 ms at 16,000 words, which a
held `j`, resting 0.1 s before it repeats, would wait for).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.timer import Timer

from reader.entities.engines.base import NoModel
from reader.library import Article
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp

#: Seconds the list's cursor rests on an article before it is made ready.
PREPARE_AFTER = 0.1


class NextArticle:
    """Prepares the article the list's cursor rests on (see the module doc)."""

    def __init__(
        self,
        app: ReaderApp,
        *,
        view: ArticleView,
        articles: ArticleList,
        shown: Callable[[], Article | None],
        quick: Callable[[Article], bool],
        rules: Callable[[Article], bool],
    ) -> None:
        self._app = app
        self._view = view
        self._articles = articles
        self._shown = shown
        self._quick = quick
        """Whether an article is read, wrapped and given its entities on the screen's
        thread when opened (else a worker does it: nothing to prepare)."""
        self._rules = rules
        """Whether its cached entities are ruled on the screen's thread when opened (else
        a worker rules them: not prepared here either, where they would stall the keys
        that follow as long as they would have stalled the switch)."""
        self._timer: Timer | None = None

    def moved(self) -> None:
        """The list's cursor moved: prepare its article once it rests there."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._articles.set_timer(PREPARE_AFTER, self._prepare)

    def _prepare(self) -> None:
        self._timer = None
        article = self._articles.highlighted_article
        if article is None or article is self._shown() or not self._quick(article):
            return
        try:
            text = article.text
            self._view.prepare(text)
            if self._rules(article):
                self._app.finder.prepare(article.sha256, text)
        except (OSError, NoModel):
            return  # opening it says what is wrong, as it would have without this
