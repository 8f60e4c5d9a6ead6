"""Drafts of the note being written: the note editor's text kept in the store while it is
typed (:mod:`reader.store.drafts`), so that a terminal closed, a kill or a crash loses at
most the last :data:`DRAFT_AFTER` seconds of typing.

A :class:`DraftKeeper` belongs to one note editor. It writes the text once the typing
pauses for :data:`DRAFT_AFTER` seconds (not on every key), and at once when the app is
told to stop (SIGTERM, SIGHUP: the app calls :meth:`DraftKeeper.keep_now` before the
database closes) or quits; always through ``ReaderApp.write`` (the writer thread: a
journalled save), never on the screen's thread. Saving the note (in the save's own store
change) or dropping it (:meth:`DraftKeeper.drop`) removes the draft; text emptied never
does. Each keeper writes and removes only its own draft (its :class:`DraftOwner`: another
app on the same database writing the same note keeps its own), and the draft it adopted.

A draft is keyed by what the note is for (:func:`draft_key`): a new note on an article by
its content hash, as notes hang on it (a moved or renamed file keeps it); on a passage by
the hash and the passage's place; an existing note by its id. :func:`find_draft` finds an
article's draft again when its text was edited since (by its path).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from reader.library import Article
from reader.store import AnnotationStore, ArticleRef, Draft, DraftOwner
from reader.text import sanitize_line

if TYPE_CHECKING:
    from textual.timer import Timer

    from reader.ui.app import ReaderApp


def _draft_after(value: str | None) -> float:
    """READER_DRAFT_AFTER's seconds (a positive number), else 1."""
    try:
        seconds = float(value or "")
    except ValueError:
        return 1.0
    return seconds if 0 < seconds < float("inf") else 1.0


DRAFT_AFTER = _draft_after(os.environ.get("READER_DRAFT_AFTER"))
"""Seconds without a key before the text typed is kept as a draft (READER_DRAFT_AFTER, for
the end-to-end tests: a pause that cannot come while they type; not a user's setting)."""


def draft_key(sha256: str, target: dict[str, Any] | None, annotation: str = "") -> str:
    """The key of the draft of a note: an existing note's (*annotation*, its id), else a new
    note on the article with this content hash, on the passage *target* or on the whole."""
    if annotation:
        return f"note/{annotation}"
    if target is None:
        return f"article/{sha256}"
    position = target.get("position") or {}
    return f"passage/{sha256}/{position.get('start')}-{position.get('end')}"


def find_draft(
    drafts: Iterable[Draft], key: str, article: Article | None = None, *, whole: bool = False
) -> Draft | None:
    """The draft under *key*; else, for a new note on the whole *article* (*whole*), a
    new note's draft on it found another way: on an earlier text of the file (edited
    since: its content hash changed, its path not), or on one of its passages (so that
    ``a`` on the article reaches a passage's draft without selecting it again)."""
    kept = list(drafts)
    found = next((draft for draft in kept if draft.key == key), None)
    if found is not None or article is None or not whole:
        return found
    path = str(article.path.resolve())
    mine = [
        draft
        for draft in kept
        if not draft.annotation
        and (draft.article.sha256 == article.sha256 or draft.article.path == path)
    ]
    mine.sort(key=lambda draft: draft.target is not None)  # the whole article's first
    return mine[0] if mine else None


def when(draft: Draft) -> str:
    """When *draft* was kept, in local time: ``2026-12-07 09:41``."""
    try:
        saved = datetime.strptime(draft.saved, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return sanitize_line(draft.saved, 40)
    return saved.astimezone().strftime("%Y-%m-%d %H:%M")


def describe(draft: Draft) -> str:
    """A draft in a few words, sanitised (titles, quotes and notes are untrusted)."""
    title = f"“{sanitize_line(draft.article.title, 60)}”"
    if draft.annotation:
        return f"an edit of a note on {title}"
    quote = (draft.target or {}).get("quote") or {}
    if isinstance(quote.get("exact"), str):
        return f"a note on “{sanitize_line(quote['exact'], 40)}” in {title}"
    return f"a note on {title}"


class DraftKeeper:
    """Keeps one note editor's text as a draft in the store (see the module).

    The contract: *app* (``write`` only: the writer thread; ``store`` to know whether a
    draft can be kept; ``set_timer``); the draft's *key*, *article*, *target* and
    *annotation* (as the store takes them); *problem*, called once with why drafts are
    not kept (a read-only store, a save that failed), for the editor to say.
    """

    def __init__(
        self,
        app: ReaderApp,
        key: str,
        article: ArticleRef,
        target: dict[str, Any] | None = None,
        annotation: str = "",
        owner: DraftOwner | None = None,
    ) -> None:
        self._app = app
        self.owner = owner or DraftOwner.new()
        """Whose draft this is (held while the editor is open)."""
        self.owner.hold()
        self.key = key
        """What the note is for, in the store."""
        self._article = article
        self.target = target
        """The passage the note is on (None: the whole article)."""
        self._annotation = annotation
        self._text: str | None = None
        """The text last typed (None: nothing typed yet)."""
        self._written: str | None = None
        """The text last handed to the writer ("" for a draft removed)."""
        self._asked = 0.0
        """When the text last changed (``time.monotonic``)."""
        self._timer: Timer | None = None
        self.stopped = False
        """True once the editor closed: nothing more is written."""
        self._said = False
        self.failed: str | None = None
        """Why the last draft's save failed (None: it did not)."""
        self.problem: Callable[[str], None] | None = None
        """Told once why drafts cannot be kept (the editor says it)."""

    def changed(self, text: str) -> None:
        """The editor's text is now *text*: kept once the typing pauses."""
        if self.stopped:
            return
        self._text = text
        self._asked = time.monotonic()
        if self._timer is None:
            self._timer = self._app.set_timer(DRAFT_AFTER, self._rested)

    def _rested(self) -> None:
        self._timer = None
        waited = time.monotonic() - self._asked
        if waited < DRAFT_AFTER:  # typed again since the timer started
            self._timer = self._app.set_timer(DRAFT_AFTER - waited, self._rested)
            return
        self.keep_now()

    def keep_now(self, *, force: bool = False) -> None:
        """Hand the text typed to the writer now, if it is not kept already (the typing
        paused); *force*: even if it is (the app is stopping: another editor may have
        removed it meanwhile, never this keeper's own draft, but be sure). Text emptied is
        not written, and removes nothing: only a save or a drop does."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        text = self._text
        if self.stopped or text is None or not text.strip():
            return
        if text == self._written and not force:
            return
        if not self._can_keep():
            return
        self._written = text
        key, owner = self.key, self.owner
        article, target, annotation = self._article, self.target, self._annotation
        self._write(lambda s: s.set_draft(key, article, text, target, annotation, owner))

    def adopt(self, draft: Draft) -> None:
        """The editor starts from *draft* (claimed for :attr:`owner` in the writer thread,
        after this): kept under its key (and on its passage) from now on; its text is kept
        already."""
        self.key = draft.key
        if not draft.annotation:
            self.target = draft.target
        self._written = draft.body

    @property
    def keeps(self) -> str | None:
        """None while the text is kept as a draft; else why not (a read-only store, the
        last draft's save failed)."""
        store = self._app.store
        if store is None or store.read_only:
            reason = store.read_only_reason if store is not None else None
            return self._app.store_problem or reason or "annotations are not available"
        return self.failed

    def stop(self) -> None:
        """The editor closed with the note saved (its save removes the draft): write no
        more."""
        self.stopped = True
        self.owner.release()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def drop(self) -> None:
        """The editor closed with the note dropped: remove its draft (its own, or the one
        it adopted: never one it has not shown)."""
        self.stop()
        if self._can_keep():
            key, owner = self.key, self.owner
            self._write(lambda s: s.delete_draft(key, owner))

    def _can_keep(self) -> bool:
        store = self._app.store
        if store is None or store.read_only:
            reason = store.read_only_reason if store is not None else None
            self._say(self._app.store_problem or reason or "annotations are not available")
            return False
        return True

    def _write(self, change: Callable[[AnnotationStore], object]) -> None:
        def done(_result: object) -> None:
            self.failed = None

        def failed(reason: str) -> None:
            self._written = None  # tried again at the next pause
            self.failed = reason
            self._say(reason)

        try:
            self._app.write(change, done, failed, quiet=True)
        except RuntimeError:  # the writer has shut down: the app is closed
            return

    def _say(self, reason: str) -> None:
        if not self._said and self.problem is not None:
            self._said = True
            self.problem(reason)
