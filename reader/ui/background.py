"""The entities of every article found in the background while the user reads.

Without it, an article's entities were found only when it was opened (or by `reader
index`), so the entity pages, the entity list (`P`) and ``label:``/``entity:`` searches
knew the opened articles only. :class:`BackgroundEntities`, a collaborator of the main
screen, finds the others, one article at a time, in a thread of the screen:

- **When**: once the library is shown and its first-start work is done (the search
  index's first build, text then entities: ``settled``), and only while the user rests:
  no key (nor click, nor scroll) for :data:`REST_SECONDS`, no foreground hold in force
  (reader.foreground), not suspended (Ctrl+Z). Checked before every piece of work.
- **Through the same worker process** as an opened article (no second model in memory):
  :meth:`~reader.entities.worker.WorkerRecognizer.extract_behind` sends the text in
  pieces of a few paragraphs, each only while no request of the user's wants the worker,
  so a switch to an uncached article waits at most for the piece in flight.
- **The same path** as an opened article's entities, without the frame: the model's
  spans into the entity cache, the finder's rules and the user's corrections, the entity
  index (:meth:`EntityPages.found`), then :class:`~reader.ui.messages.BackgroundFound`,
  after which the search index takes them (every :data:`INDEX_EVERY` seconds of the pass
  at most, or at once for an entity search).
- **Order**: the article list as shown (filtered and sorted as the user left it), outward
  from the cursor, the rows below first at each distance (the list is read downwards),
  then the rest of the library in its order: what the user is likely to open next comes
  first. Looked at again before every article (the cursor moves).
- **Skipped** once, not retried in this session: an unreadable or empty article, one
  longer than :data:`LONGEST` (found when opened), one the model failed on. Only the
  model's failures count towards the end: after :data:`GIVE_UP_AFTER` of them in a row
  (the worker keeps dying), or with no model, the pass ends.
- **Big pieces last**: a piece is whole paragraphs of about
  :data:`~reader.entities.worker.PIECE_CHARS` (3,000) characters, but a paragraph (text
  without blank lines) can be one chunk of up to 20,000 (``MAX_CHUNK``), ~0.4 s of the
  model that a switch would wait for. An article with a chunk longer than
  :data:`BIG_CHUNK` is put off until no other is left, and then goes on only after a rest
  of :data:`LONG_REST_SECONDS`: a switch waits at most for ~:data:`BIG_CHUNK` characters
  of the model unless the user rested that long. Its spans are the same as when opened
  (the same chunks).
- **Off** with ``background_entities = false`` in the config file.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from reader import foreground, heap
from reader.entities.engines import Cancelled, NoModel
from reader.entities.engines.base import paragraphs
from reader.entities.worker import PIECE_CHARS, WorkerStopped
from reader.library import Article, Problem, read_article
from reader.ui.messages import BackgroundFound

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from reader.entities.span import Span
    from reader.ui.app import ReaderApp
    from reader.ui.widgets.article_list import ArticleList

#: Seconds without a key, a click or a scroll before the pass goes on.
REST_SECONDS = 2.0

#: An article with a chunk (a paragraph, cut at MAX_CHUNK) longer than this many
#: characters is done last, and only after :data:`LONG_REST_SECONDS` of rest.
BIG_CHUNK = 2 * PIECE_CHARS

#: The rest before a piece of an article with a big chunk (:data:`BIG_CHUNK`).
LONG_REST_SECONDS = 30.0

#: Seconds between two looks at whether the pass may go on (while it waits).
LOOK_EVERY = 0.1

#: Seconds between two searches for work once every article is done (files added later).
AGAIN_AFTER = 5.0

#: Model failures in a row (the worker dying, a model error) after which the pass ends;
#: an article skipped for what it is (unreadable, empty, too long) does not count.
GIVE_UP_AFTER = 3

#: Articles longer than this many characters are left to be found when opened (the
#: screen's own limit for sending a text to the model, SYNC_ASK_LIMIT).
LONGEST = 200_000

#: Seconds between two search index updates asked by the pass (each compares the whole
#: library: ~0.1-0.3 s of CPU); an entity search asks for one at once.
INDEX_EVERY = 10.0


class _Unwritable(Exception):
    """The entity cache did not keep what the pass found (``EntityCache.put`` skips a
    cache it cannot write): every session would run the model again for nothing."""


class _Taken(Exception):
    """The article the pass works on was opened by the user (the foreground finds it) or
    cached meanwhile: the pass leaves it."""


def outward(count: int, cursor: int | None) -> Iterator[int]:
    """Row numbers of a list of *count* rows, from *cursor* outward: the cursor's, then at
    each distance the row below before the row above (from the top without a cursor)."""
    if count <= 0:
        return
    start = 0 if cursor is None else min(max(cursor, 0), count - 1)
    yield start
    for distance in range(1, count):
        below, above = start + distance, start - distance
        if below < count:
            yield below
        if above >= 0:
            yield above
        if below >= count and above < 0:
            return


def finding_the_rest(app: App[Any]) -> bool:
    """Whether the background pass of *app*'s main screen is at work and has articles
    left to do (:attr:`BackgroundEntities.active`, not :attr:`~BackgroundEntities.done`):
    the coverage notices say the app finds the rest only then, else `reader index`."""
    for screen in app.screen_stack:
        background = getattr(screen, "background", None)
        if isinstance(background, BackgroundEntities):
            return background.active and not background.done
    return False


class BackgroundEntities:
    """Finds, while the user rests, the entities of the articles not yet cached (see the
    module doc).

    - *app*: the finder (its worker and cache), the settings, the time of the last key
      (``last_input``);
    - *screen*: runs the thread and gets :class:`BackgroundFound`;
    - *articles*: the list (its order and cursor); *shown*: the article open (left to the
      foreground); *settled*: whether the first-start work is done; *found*: what the
      foreground does with an article's entities once found (the entity index).
    """

    def __init__(
        self,
        app: ReaderApp,
        screen: Screen[None],
        *,
        articles: ArticleList,
        shown: Callable[[], Article | None],
        settled: Callable[[], bool],
        found: Callable[[Article, Sequence[Span]], None],
    ) -> None:
        self._app = app
        self._screen = screen
        self._articles = articles
        self._shown = shown
        self._settled = settled
        self._found = found
        self._stop = threading.Event()
        self._writing = threading.Lock()
        """Held while what was found is written (the cache, the entity index)."""
        self._suspended = False
        self._started = False
        self._thread: threading.Thread | None = None
        self._current: tuple[Article, str] | None = None
        """The article the pass is finding (as listed) and its text's hash."""
        self._known: set[str] = set()
        """Content hashes seen cached (or found here): never looked at again."""
        self._big: set[str] = set()
        """Content hashes (as listed) of the articles with a big chunk: done last."""
        self._big_in_hand = False
        """Whether the article in hand has a big chunk (:data:`LONG_REST_SECONDS`)."""
        self._failed: set[str] = set()
        """Content hashes (or paths, unreadable) that failed: not tried again."""
        self.found_count = 0
        """Articles whose entities the pass found this session."""
        self.failures: list[tuple[str, str]] = []
        """Articles skipped: their path and why (for tests and the curious)."""
        self.done = False
        """Whether the last search for work found none (every article is done)."""
        self.ended: str | None = None
        """Why the pass ended before the app's end, when it says so (the cache)."""
        self.gave_up = False
        """Whether the pass ended: no model, or the model failed too often."""
        self.asked: list[str] = []
        """The ids of the articles the pass sent to the worker, in order (for tests)."""

    @property
    def active(self) -> bool:
        """Whether the pass is at work this session (started, its thread alive, not
        given up): the coverage notices say the rest is being found only then."""
        thread = self._thread
        return (
            self._started
            and thread is not None
            and thread.is_alive()
            and not self.gave_up
            and self.ended is None
            and not self._stop.is_set()
        )

    @property
    def enabled(self) -> bool:
        """Whether the config file lets the pass run (``background_entities``)."""
        return self._app.settings.background_entities

    def start(self) -> None:
        """The library is shown: the pass starts (once), and waits for its moment."""
        if self._started or not self.enabled or self._stop.is_set():
            return
        finder = self._app.finder
        if finder.cache is None or not hasattr(finder.recognizer, "extract_behind"):
            return  # --no-cache, or the model in this process: nowhere to find them behind
        self._started = True
        # A thread of its own, not one of the screen's workers: it lives as long as the
        # screen, and waiting for the screen's workers (Textual's, tests') means waiting
        # for work that ends.
        self._thread = threading.Thread(target=self._run, name="background-entities", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """The app is quitting: the piece in flight is cancelled, nothing more is sent."""
        self._stop.set()

    def join(self, timeout: float) -> None:
        """Wait at most *timeout* seconds for the thread to end (after :meth:`stop`): what
        it found is in the cache before the app closes what it writes to. Should the thread
        outlive *timeout* (the model between two polls), it writes nothing after: it
        checks :meth:`stop` under the lock waited for here."""
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive() and self._writing.acquire(timeout=timeout):
                self._writing.release()  # no write in flight; none starts (stopped)

    def suspending(self) -> None:
        """Ctrl+Z: nothing is sent until the app is back and the user has rested."""
        self._suspended = True

    def resumed(self) -> None:
        """Back from Ctrl+Z: the rest is counted from now."""
        self._suspended = False
        self._app.last_input = time.monotonic()

    # --- in the thread ----------------------------------------------------------------

    def _may_go(self) -> bool:
        if self._suspended or not self._settled() or foreground.held():
            return False
        rest = LONG_REST_SECONDS if self._big_in_hand else REST_SECONDS
        return time.monotonic() - self._app.last_input >= rest

    def _turn(self) -> None:
        """Return once the pass may go on; :class:`Cancelled` once it is stopped,
        :class:`_Taken` once the article in hand is opened or cached."""
        while not self._may_go():
            if self._stop.wait(LOOK_EVERY):
                raise Cancelled
        if self._stop.is_set():
            raise Cancelled
        # The user rests: what the index updates freed goes back to the system now
        # (reader/heap.py), not in the middle of a key's frame.
        heap.give_back_if_wanted()
        current = self._current
        if current is not None:
            article, sha = current
            finder = self._app.finder
            cache = finder.cache
            shown = self._shown()  # by id: a live reload replaces the articles
            if (shown is not None and shown.id == article.id) or (
                cache is not None and cache.has(sha, finder.pipeline)
            ):
                raise _Taken

    def _run(self) -> None:
        failed_in_row = found_before = 0
        while not self._stop.is_set():
            try:
                self._turn()
            except Cancelled:
                return
            article = self._next()
            if article is None:
                if found_before != self.found_count:  # the last ones go to the index now
                    self._screen.post_message(BackgroundFound(None))
                    found_before = self.found_count
                self.done = True
                if self._stop.wait(AGAIN_AFTER):
                    return
                continue
            self.done = False
            try:
                outcome = self._find(article)
            except Cancelled:
                return
            except NoModel:
                self.gave_up = True
                return  # said where an article is opened
            except _Unwritable as error:
                self.ended = f"the entity cache cannot be written ({error})"
                self._app.notify(  # thread-safe (Textual)
                    f"Entities are not found in the background: {self.ended}.",
                    severity="warning",
                    markup=False,
                )
                return
            if outcome is None:
                failed_in_row = 0
                continue
            reason, model_failed = outcome
            if not reason.startswith("entity worker stopped"):
                self._failed.add(article.sha256)  # else tried again (a new worker)
            self.failures.append((str(article.path), reason))
            if model_failed:
                failed_in_row += 1
                if failed_in_row >= GIVE_UP_AFTER:
                    self.gave_up = True
                    return

    def _next(self) -> Article | None:
        """The next article whose entities are not cached, in the pass's order."""
        cache = self._app.finder.cache
        if cache is None:
            return None
        engine = self._app.finder.pipeline
        shown = self._shown()
        shown_id = shown.id if shown is not None else None
        listed, library = self._articles.articles, self._articles.library
        cursor = self._articles.highlighted
        order = (listed[i] for i in outward(len(listed), cursor))
        rest = library if listed is not library else ()
        big: Article | None = None
        for article in (*order, *rest) if rest else order:
            if article.deferred or not article.known:
                continue  # its hash is a stand-in until the page is read (the app does)
            if article.id == shown_id:
                continue
            sha = article.sha256
            if sha in self._known or sha in self._failed:
                continue
            if cache.has(sha, engine):
                self._known.add(sha)
                continue
            if sha in self._big:
                big = big or article
                continue
            return article
        return big

    def _find(self, listed: Article) -> tuple[str, bool] | None:
        """Find *listed*'s entities and take them where an opened article's go; None, or
        why it was skipped and whether the model failed (not the article)."""
        finder = self._app.finder
        # Read afresh (not the library's article, which would keep the text in memory).
        article = listed if listed.loaded else read_article(listed.path)
        if isinstance(article, Problem):
            return article.reason, False
        text = article.text
        if not text.strip():
            return "no text", False
        if len(text) > LONGEST:
            return f"longer than {LONGEST:,} characters: found when opened", False
        sha = article.sha256
        cache = finder.cache
        assert cache is not None
        if sha != listed.sha256 and cache.has(sha, finder.pipeline):  # changed since listed
            self._known.update((sha, listed.sha256))
            return None
        big = max(len(chunk) for _, chunk in paragraphs(text)) > BIG_CHUNK
        if big and listed.sha256 not in self._big:
            self._big.add(listed.sha256)  # after the others (_next)
            return None
        self.asked.append(listed.id)
        self._current = (listed, sha)
        self._big_in_hand = big
        try:
            model_spans = finder.recognizer.extract_behind(  # type: ignore[attr-defined]
                text, self._stop, self._turn
            )
        except _Taken:
            return None  # the user's now (the next search for work skips it once cached)
        except (Cancelled, NoModel):
            raise
        except WorkerStopped as error:  # killed mid-piece: tried again (GIVE_UP_AFTER)
            return f"entity worker stopped: {error}", True
        except Exception as error:  # a model error: skipped once
            return f"entity recognition failed: {error}", True
        finally:
            self._current = None
            self._big_in_hand = False
        with self._writing:  # join() waits for a write in flight; none starts after stop()
            if self._stop.is_set():
                raise Cancelled  # quitting: the workspace closes the index meanwhile
            # As an opened article's (MainScreen._extract): the cache, then the index. The
            # key is read now, as find_then_save does: the worker may have fallen back (md
            # to sm).
            engine = finder.pipeline
            cache.put(sha, engine, model_spans)
            if not cache.has(sha, engine):
                raise _Unwritable(str(cache.directory))
            self._known.update((sha, listed.sha256))
            spans = finder.finish(sha, text, model_spans)
            self._found(article, spans)
        self.found_count += 1
        self._screen.post_message(BackgroundFound(listed.id))
        return None
