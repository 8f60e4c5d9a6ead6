"""Adding articles from the app (Ctrl+O, or "Add an article" in the palette): a dialog
asks for a URL, a file or a feed, and :class:`Adder` adds it with
:func:`reader.web.add_sources` in a thread worker, its progress in the screen's subtitle
and its outcome in a notice. The new article shows in the list through the live library.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static

from reader.text import sanitize_line
from reader.ui.messages import AddFinished, AddProgress
from reader.ui.widgets.article_list import ArticleList

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp
    from reader.ui.live_library import LiveLibrary
    from reader.ui.screens.main import MainScreen
    from reader.web.adding import SourceResult


@dataclass(frozen=True)
class AddRequest:
    """What the dialog asked for: one source, and whether it is a feed to subscribe to."""

    source: str
    feed: bool = False


class FeedBox(Checkbox, inherit_bindings=False):
    """The dialog's "a feed" box: Space ticks it; Enter is left to the dialog (add), as
    the hint says, where a plain Checkbox would take Enter to toggle too."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Toggle", show=False)
    ]


class AddScreen(ModalScreen[AddRequest | None]):
    """Asks for a URL, a file's path or a feed's URL. Returns it, or None (Escape).
    Enter adds from the field and from the feed box alike."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "add", "Add", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content("Add to the library"), classes="dialog-title")
            yield Input(placeholder="a URL, a saved page or text file, or a feed", id="source")
            yield FeedBox("a feed: subscribe, and add its new entries", id="feed")
            yield Static(
                Content("Enter: add    Tab: the feed box (Space ticks it)    Esc: cancel"),
                classes="dialog-hint",
            )

    @on(Input.Submitted, "#source")
    def _submitted(self) -> None:
        self.action_add()

    def action_add(self) -> None:
        """Add what the field says (a feed if the box is ticked)."""
        source = self.query_one("#source", Input).value.strip()
        if not source:
            self.notify("Type a URL or a path", title="Nothing to add", markup=False)
            return
        if "://" not in source:
            source = os.path.expanduser(source)
        self.dismiss(AddRequest(source, self.query_one("#feed", Checkbox).value))

    def action_cancel(self) -> None:
        """Close without adding."""
        self.dismiss(None)


def _named(result: SourceResult) -> str:
    """The article's title, else its source, for a notice (one line, sanitised)."""
    return f"“{sanitize_line(result.title or result.source, 100)}”"


def _filtered_out(query: str, *, many: bool = False) -> str:
    """The notice's line on an added article the filter in force does not list (yet: a
    query on text finds it once the search index has it)."""
    shown = sanitize_line(query, 60)
    if many:
        return f"The filter “{shown}” is on: it may not list them (/ then Esc clears it)"
    return f"Not listed: the filter “{shown}” is on (/ then Esc clears it, to see it)"


def teasers_kept(kept: list[SourceResult]) -> list[str]:
    """The notice's line on the teasers whose page was fetched again and still failed:
    one line, whatever their number, naming three (by title)."""
    if not kept:
        return []
    if len(kept) == 1:
        why = sanitize_line((kept[0].reason or "").removeprefix("teaser kept: "), 80)
        return [f"Teaser kept: {_named(kept[0])}, its page still failing ({why})"]
    named = sorted(kept, key=lambda r: r.title or r.source)[:3]  # fetched in any order
    names = ", ".join(_named(r) for r in named) + (", …" if len(kept) > 3 else "")
    return [f"{len(kept)} teasers kept, their pages still failing: {names}"]


class Adder:
    """Runs adds for the main *screen* (several may run at once; none is cancelled when
    another starts: each writes files), then has *live* show what was written."""

    def __init__(self, app: ReaderApp, screen: MainScreen, live: LiveLibrary) -> None:
        self._app = app
        self._screen = screen
        self._live = live
        self._running = 0
        self._subtitle: str | None = None
        """The screen's own subtitle before the adds (None: the app's is shown), put back
        after them."""

    def ask(self) -> None:
        """Ask for a source, then add it."""
        self._app.push_screen(AddScreen(), self._chosen)

    def _chosen(self, request: AddRequest | None) -> None:
        if request is None:
            return
        what = "the feed" if request.feed else "“" + sanitize_line(request.source, 100) + "”"
        self._app.notify(f"Adding {what}…", title="Add", timeout=3, markup=False)
        if self._running == 0:
            self._subtitle = self._screen.sub_title
        self._running += 1
        self._live.adding += 1
        self._progress("adding…")
        self._screen.run_worker(
            partial(self._add, request),
            group="add",
            description="Adding to the library",
            exit_on_error=False,
            thread=True,
        )

    def _add(self, request: AddRequest) -> None:
        """In a thread: add, then bring the library up to date with the files written."""
        from reader.web import AddError, add_sources

        def progress(done: int, total: int, result: SourceResult | None) -> None:
            self._screen.post_message(AddProgress(done, total, result))

        try:
            report = add_sources(
                self._app.workspace, [request.source], feed=request.feed, progress=progress
            )
        except AddError as error:
            self._screen.post_message(AddFinished(None, str(error)))
            return
        except Exception as error:  # a bug must not end the reading
            self._screen.post_message(AddFinished(None, f"{type(error).__name__}: {error}"))
            return
        written = [r.path for r in report.added if r.path is not None]
        if written:
            self._live.rescan(written)  # before the message: the list has them by then
        self._screen.post_message(AddFinished(report))

    def _progress(self, text: str) -> None:
        base = self._subtitle if self._subtitle is not None else self._app.sub_title
        self._screen.sub_title = f"{base} · {text}" if base else text

    def progressed(self, message: AddProgress) -> None:
        """One source is done: show how far the add has got."""
        if message.total > 1:
            self._progress(f"adding {message.done} of {message.total}…")

    def finished(self, message: AddFinished) -> None:
        """Say what became of the add; highlight the article added (a single one)."""
        self._running -= 1
        self._live.adding -= 1
        if self._running == 0:
            self._screen.sub_title = self._subtitle
        notify = partial(self._app.notify, title="Add", markup=False)
        report = message.report
        if report is None:
            notify(f"Nothing added: {sanitize_line(message.problem or '', 300)}", severity="error")
            return
        lines = []
        added = report.added
        listed = False
        if len(added) == 1:
            lines.append(f"Added {_named(added[0])}")
            path = added[0].path
            articles = self._screen.query_one(ArticleList)
            listed = path is not None and articles.show_article(str(path))
        elif added:
            lines.append(f"Added {len(added)} articles")
        if added and report.folder is not None:
            # Where they went (the library's first folder unless a feed says otherwise): a
            # filter in force may hide them, the folder says where to look.
            lines.append(f"in {sanitize_line(str(report.folder), 120)}")
        if added and not listed and self._screen.query_one(ArticleList).filtered:
            # The README promises the article added highlighted: say why it is not.
            lines.append(_filtered_out(self._screen.library_search.text, many=len(added) > 1))
        for duplicate in report.duplicates[:3]:
            where = sanitize_line(duplicate.path.name, 80) if duplicate.path else "the library"
            why = sanitize_line(duplicate.reason or "", 40)
            lines.append(f"Already in the library ({why}): {where}")
        # Teasers only (their page failed), kept apart from the plain successes: the
        # retried ones still failing are teasers_kept's line, naming them.
        from reader.web.report import teaser_summary  # imported by the add already

        retry = "adding the feed again (or reader refresh)"
        teasers = teaser_summary(report, retry, kept=False)
        lines.extend(sanitize_line(line, 300) for line in teasers)
        checked = [r for r in report.results if r.status == "checked" and r.reason]
        lines.extend(sanitize_line(r.reason or "", 200) for r in checked if not r.teaser_only)
        lines.extend(teasers_kept([r for r in checked if r.teaser_only]))
        failed = report.failed
        for result in failed[:5]:
            # The command line's hint, in the dialog's words.
            reason = (result.reason or "").replace("with --feed", "by ticking “a feed”")
            lines.append(f"Could not add {_named(result)}: {sanitize_line(reason, 200)}")
        if len(failed) > 5:
            lines.append(f"…and {len(failed) - 5} more failed")
        if not lines:
            lines.append("Nothing new")
        notify("\n".join(lines), severity="error" if failed else "information", timeout=8)


class AddCommands(Provider):
    """The palette's "Add an article" (the same as Ctrl+O)."""

    TITLE = "Add an article or a feed…"
    HELP = "A URL, a saved page or text file, or a feed (Ctrl+O)"

    def _callback(self) -> Callable[[], object] | None:
        adder = getattr(self.screen, "adder", None)
        return adder.ask if isinstance(adder, Adder) else None

    async def discover(self) -> Hits:
        callback = self._callback()
        if callback is not None:
            yield DiscoveryHit(Content(self.TITLE), callback, text=self.TITLE, help=self.HELP)

    async def search(self, query: str) -> Hits:
        callback = self._callback()
        score = self.matcher(query).match(self.TITLE)
        if callback is not None and score > 0:
            yield Hit(score, Content(self.TITLE), callback, text=self.TITLE, help=self.HELP)
