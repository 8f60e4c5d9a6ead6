"""Writing notes: the note editor opened for a new note (on the article, on a passage) or
an existing one, started from its draft when one is kept, saved, given back when the save
fails; and, at start, the notice naming the drafts kept (a part of the main screen's
:class:`~reader.ui.screens.annotator.Annotator`).

Every store call goes through ``ReaderApp.write`` / ``read`` (the writer thread).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual.notifications import Notification

from reader.annotations import article_ref
from reader.library import Article
from reader.store import Annotation, AnnotationStore, ArticleRef, Draft, DraftOwner
from reader.text import sanitize, sanitize_line
from reader.ui.screens.note_drafts import DraftKeeper, describe, draft_key, find_draft, when
from reader.ui.screens.note_editor import NoteScreen

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp

__all__ = ["NoteWriter"]

MAX_NAMED = 5
"""The most drafts the notice at start names (the rest are counted)."""

NOTICE_SECONDS = 15
"""How long the notice at start stays up (unless the drafts it names are all saved or
dropped before)."""


class NoteWriter:
    """Opens the note editor and saves what is written (see the module).

    The contract: *app* (``write``, ``read``, ``push_screen``, ``notify``); *saved*,
    called with a message once a note is on disk (the annotator shows it);
    *clear_selection*, called as a new note is saved.
    """

    def __init__(
        self,
        app: ReaderApp,
        saved: Callable[[str], None],
        clear_selection: Callable[[], None],
    ) -> None:
        self._app = app
        self._saved = saved
        self._clear_selection = clear_selection
        self._named: list[tuple[Draft, str]] = []
        """The drafts the notice at start names, each with where it is."""
        self._notice: Notification | None = None
        """That notice, while it may be up."""
        self._notice_ends = 0.0
        """When it goes (``time.monotonic``)."""

    def new(self, article: Article, heading: str, target: dict[str, Any] | None) -> None:
        """A new note on *article* (on the passage *target*, or the whole article),
        started from its draft if one is kept."""
        key = draft_key(article.sha256, target)
        keeper = DraftKeeper(self._app, key, article_ref(article), target)
        screen = self._open_new(article, heading, "", keeper)
        self._restore(screen, keeper, article, whole=target is None)

    def _open_new(
        self, article: Article, heading: str, text: str, keeper: DraftKeeper, unsaved: bool = False
    ) -> NoteScreen:
        def written(body: str | None) -> None:
            if body is None:  # dropped: its draft removed
                self._draft_gone(keeper.key)
                return
            self._clear_selection()
            ref, key, target = article_ref(article), keeper.key, keeper.target
            owner = keeper.owner
            shown = screen.heading

            def failed(reason: str) -> None:
                # Never lose a note: give the text back, with the reason (and keep it).
                base = shown.split(" — ", 1)[-1] if shown.startswith("Not saved") else shown
                again = DraftKeeper(self._app, key, ref, target, owner=owner)
                self._open_new(article, f"Not saved ({reason}) — {base}", body, again, True)

            # The note and the removal of its draft: one save (a kill cannot leave both).
            def done(_result: object) -> None:
                self._draft_gone(key)
                self._saved("Note saved")

            self._app.write(
                lambda s: s.add_note(ref, body, target, draft=(key, owner)),
                done,
                failed,
            )

        screen = NoteScreen(heading, text, unsaved=unsaved, keeper=keeper)
        self._app.push_screen(screen, written)
        return screen

    def edit(self, annotation: Annotation, title: str) -> None:
        """Open the note *annotation* (on the article titled *title*) in the editor (from
        its draft if one is kept) and save what is written."""
        # The store keeps a note as it was typed (or imported); the editor shows it
        # sanitised, like every screen, and saves only if the user changed it.
        shown = sanitize(annotation.body)
        key = draft_key(annotation.article_sha256, None, annotation.id)

        owner = DraftOwner.new()  # one for the editor and the editors a failed save opens

        def keeper() -> DraftKeeper:
            ref = ArticleRef(annotation.article_path, annotation.article_sha256, title)
            return DraftKeeper(self._app, key, ref, None, annotation.id, owner)

        def written(body: str | None) -> None:
            if body is None:  # dropped: its draft removed
                self._draft_gone(key)
                return
            if body == shown:  # unchanged: nothing to save, no draft to keep (its own)
                self._app.write(lambda s: s.delete_draft(key, owner), _ignore, quiet=True)
                self._draft_gone(key)
                return

            def failed(reason: str) -> None:
                heading = f"Not saved ({reason}) — edit note"
                self._app.push_screen(
                    NoteScreen(heading, body, unsaved=True, keeper=keeper()), written
                )

            def done(_result: object) -> None:
                self._draft_gone(key)
                self._saved("Note saved")

            self._app.write(
                lambda s: s.update(annotation.id, body=body, draft=(key, owner)),
                done,
                failed,
            )

        screen = NoteScreen("Edit note", shown, keeper=keeper())
        self._app.push_screen(screen, written)
        self._restore(screen, screen.keeper, None, whole=False)

    def _restore(
        self, screen: NoteScreen, keeper: DraftKeeper | None, article: Article | None, whole: bool
    ) -> None:
        """Read the draft for the editor just opened (in the writer thread) and start the
        editor from it: the one under its key; for a note on the whole article, else one
        on an earlier text of the file or on one of its passages (*whole*). Never one
        another living editor writes (another app on the database). The draft shown is
        claimed for this editor (its owner) then, a write queued before any of the
        keeper's: an editor closed before it is shown never removes it."""
        if keeper is None or self._app.store is None:
            return
        key, owner = keeper.key, keeper.owner

        def look(store: AnnotationStore) -> Draft | None:
            store.refresh()  # another app's drafts, written since (a stat if none)
            free = [d for d in store.drafts() if d.owner != owner and not d.held_elsewhere()]
            return find_draft(free, key, article, whole=whole)

        def found(draft: Draft | None) -> None:
            if draft is None or not screen.is_attached or keeper.stopped:
                return
            if self._app.store is not None and not self._app.store.read_only:
                mine = keeper.key
                self._app.write(lambda s: s.claim_draft(draft, owner, mine), _ignore, quiet=True)
            keeper.adopt(draft)
            heading = None
            quote = (draft.target or {}).get("quote") or {}
            if draft.key != key and isinstance(quote.get("exact"), str):
                heading = f"Note on “{sanitize_line(quote['exact'], 50)}”"
            text = screen.restore(draft.body, f"Draft from {when(draft)} restored", heading)
            keeper.changed(text)
            keeper.keep_now()  # what was typed before it came, kept with it at once

        def unread(reason: str) -> None:
            screen.say(f"The draft could not be read: {reason}")

        self._app.read(look, found, unread, quiet=True)

    def say_drafts(self, articles: Sequence[Article]) -> None:
        """At start: name the drafts kept, if any (sanitised), and say which articles are
        no longer in the library (their drafts are kept: ``reader drafts`` prints them)."""
        if self._app.store is None:
            return

        def present(store: AnnotationStore) -> list[tuple[Draft, str]]:
            drafts = [d for d in store.drafts() if not d.held_elsewhere()]
            if not drafts:  # none, or only those another running app is writing
                return []
            hashes = {a.sha256 for a in articles if a.known}
            paths: set[str] | None = None
            notes: set[str] | None = None
            found = []
            for draft in drafts:
                where = ""
                if draft.annotation:
                    if notes is None:  # read once, only for an edit's draft
                        notes = {note.id for note in store.annotations(kind="note")}
                    if draft.annotation not in notes:
                        where = " — its note was deleted: reader drafts prints it"
                here = bool(where) or draft.article.sha256 in hashes
                if not here:
                    if paths is None:  # resolved once, only when a hash is not found
                        paths = {os.path.realpath(a.path) for a in articles}
                    here = draft.article.path in paths
                if not here:
                    where = " — its article is not in the library: reader drafts prints it"
                found.append((draft, where))
            return found

        self._app.read(present, self._said, quiet=True)

    def _said(self, found: list[tuple[Draft, str]]) -> None:
        if not found:
            return
        self._named = found
        self._notice_ends = time.monotonic() + NOTICE_SECONDS
        self._show_notice()

    def _show_notice(self) -> None:
        """Put up the notice naming :attr:`_named` until :attr:`_notice_ends` (replacing
        the one up, if any)."""
        self._take_notice_down()
        found = self._named
        left = self._notice_ends - time.monotonic()
        if not found or left <= 0:
            return
        lines = []
        for draft, where in found[:MAX_NAMED]:
            lines.append(f"• {describe(draft)} ({when(draft)}){where}")
        if len(found) > MAX_NAMED:
            lines.append(f"…and {len(found) - MAX_NAMED} more (reader drafts prints them all)")
        lines.append("Open the note again (a on the article, i on a note) to go on.")
        count = len(found)
        # Built here rather than by App.notify (which returns nothing) so that it can be
        # taken down: App._unnotify is Textual's (8.2.8) own way to remove a notification.
        # Added as App._on_notify adds one, at once (this is the UI thread), not through a
        # Notify message: a save before the message arrived could not take it down.
        notice = Notification(
            "\n".join(lines),
            f"{count} note{'' if count == 1 else 's'} not saved, kept as draft"
            + ("" if count == 1 else "s"),
            "warning",
            left,
            markup=False,
        )
        self._notice = notice
        self._app._notifications.add(notice)
        self._app._refresh_notifications()

    def _take_notice_down(self) -> None:
        notice, self._notice = self._notice, None
        if notice is not None and notice in self._app._notifications:
            self._app._unnotify(notice)

    def _draft_gone(self, key: str) -> None:
        """The draft under *key* was saved or dropped: the notice at start no longer names
        it (taken down once it names none)."""
        if not any(draft.key == key for draft, _where in self._named):
            return
        self._named = [(draft, where) for draft, where in self._named if draft.key != key]
        if self._named:
            self._show_notice()
        else:
            self._take_notice_down()


def _ignore(_result: object) -> None:
    """What a draft's removal does once it is on disk: nothing."""
