"""One entity's page: its name, label and variants; every article that mentions it with a
snippet per mention; who appears with it; its mentions by month. The user's merge, split,
rename and relabel are made here (and undone with `u`).

Every read of the entity index runs in a thread worker (group ``entity-page``, reads
only); every change goes through ``ReaderApp.write`` (the writer thread), then the index
takes the store's edits and the page is read again.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Header, Static

from reader import foreground
from reader.entities.library.edits import Edit
from reader.entities.library.pages import EntityPage, PageArticle
from reader.entities.library.resolve import Entity
from reader.store.entity_edits import EntityEdits
from reader.text import sanitize_line
from reader.ui.background import finding_the_rest
from reader.ui.messages import EntityPageLoaded, SnippetsLoaded
from reader.ui.screens.entity_editing import Change, EditKind, ask_edit, store_edit, undo_words
from reader.ui.widgets.entity_lists import CooccurringList, MentionList, timeline_content
from reader.ui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp

Order = Literal["newest", "mentions"]

#: The keys that change entities: not offered while the database cannot be written.
EDITING_ACTIONS = frozenset({"merge", "rename", "relabel", "split", "undo"})

ORDER_NAMES: dict[str, str] = {"newest": "newest first", "mentions": "most mentions first"}


@dataclass(frozen=True)
class MentionAt:
    """Where an entity page is opened from: a mention in an article (the marked entity,
    or the entity panel's choice)."""

    path: Path
    start: int
    text: str
    label: str


def read_page(node: DOMNode, wanted: str | MentionAt, order: Order, *, new: bool = False) -> None:
    """Read the page of *wanted* (an entity id, or the entity of a mention) in a worker of
    *node*, which gets it as :class:`EntityPageLoaded` (*new*: to open it on a screen of its
    own, once read: one frame painted, not an empty page then a full one).

    From now until the frame after that message, background passes (the search index's
    build) give way (:mod:`reader.foreground`): the page is read and drawn as fast as on
    an idle app, not in the GIL's turns with the build's consistency rules."""
    app = node.app
    # The read this one replaces (the group is exclusive) may be cancelled before its
    # thread starts, and then never releases its hold: end it here (again: nothing).
    replaced = _holding.pop(node, None)
    if replaced is not None:
        foreground.release(replaced)
    holding = _holding[node] = foreground.hold()

    def read() -> None:
        try:
            index = app.workspace.entity_index()  # type: ignore[attr-defined]
            ident = wanted
            message: EntityPageLoaded | None = None
            if isinstance(ident, MentionAt):
                entity = index.entity_at(ident.path, ident.start, ident.text, ident.label)
                if entity is None:
                    name = sanitize_line(ident.text, 80)
                    problem = f"{name} is not in the library's entity index (yet)"
                    message = EntityPageLoaded(None, order, problem, new)
                else:
                    ident = entity.id
            if message is None:
                page = index.page(ident, order=order)
                # Entities are found for an article once it is opened, found in the
                # background (reader/ui/background.py) or by `reader index`: a page of a
                # library not yet covered says how much it covers.
                coverage = (index.article_count(), len(app.workspace.library().articles))  # type: ignore[attr-defined]
                message = EntityPageLoaded(page, order, None, new, coverage)
        except Exception as error:  # a broken index file: said, the reading goes on
            message = EntityPageLoaded(None, order, f"the entity index failed: {error}", new)
        node.post_message(message)
        # Handled before this (the same queue), so released once its frame is painted.
        if not node.call_after_refresh(_release, node, holding):
            foreground.release(holding)  # the node is gone (and its entry with it)

    node.run_worker(read, thread=True, exclusive=True, group="entity-page", exit_on_error=False)


_holding: weakref.WeakKeyDictionary[DOMNode, int] = weakref.WeakKeyDictionary()
"""The hold of each node's latest :func:`read_page` (until its frame is painted)."""


def _release(node: DOMNode, holding: int) -> None:
    """The frame of the read that took *holding* is painted (on the node's thread)."""
    if _holding.get(node) == holding:
        del _holding[node]
    foreground.release(holding)


class EntityPageScreen(Screen[None]):
    """An entity's page. *open_mention* opens an article at a mention (path, start) on the
    main screen.

    One screen shows every page (the main screen keeps it installed: a new screen's first
    frame costs more than the page itself): :meth:`open` shows a page read for it; a
    co-occurring entity's page replaces the page shown, which Escape brings back.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("o", "toggle_order", "Order"),
        Binding("M", "merge", "Merge into…"),
        Binding("r", "rename", "Rename"),
        Binding("L", "relabel", "Relabel"),
        Binding("S", "split", "Split"),
        Binding("u", "undo", "Undo"),
    ]

    app: ReaderApp

    def __init__(
        self, page: EntityPage, open_mention: Callable[[str, int], None], *, order: Order
    ) -> None:
        super().__init__()
        self._wanted = page.entity.id
        self._open_mention = open_mention
        self.order: Order = order
        """How the articles are sorted."""
        self.page: EntityPage | None = page
        """The page shown."""
        self._history: list[tuple[str, Order, int | None]] = []
        """The pages left for a co-occurring entity's: entity id, order, row highlighted."""
        self._restore: int | None = None
        """The row to highlight once the page read is shown (a page gone back to)."""
        self.coverage: tuple[int, int] | None = None
        """Articles with their entities found, of the library's, when the page was read."""

    def open(self, page: EntityPage, order: Order, coverage: tuple[int, int] | None = None) -> None:
        """Show *page* as the first of a new visit (Escape closes it)."""
        self._history.clear()
        self._restore = None
        self.coverage = coverage
        self._wanted = page.entity.id
        self.page = page
        self.order = order
        if self.is_mounted:
            self._show(page)
            self.query_one(MentionList).focus()

    @property
    def entity(self) -> Entity | None:
        """The entity shown."""
        return None if self.page is None else self.page.entity

    def compose(self) -> ComposeResult:
        yield Header(icon="¶")
        yield Static(id="entity-head", markup=False)
        yield Static(id="entity-timeline", markup=False)
        with Horizontal(id="entity-body"):
            yield MentionList(id="mentions")
            yield CooccurringList(id="cooccurring")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one("#mentions").border_title = "Articles"
        self.query_one("#cooccurring").border_title = "Appears with"
        self.query_one(MentionList).focus()
        if self.page is not None:
            self._show(self.page)

    def on_screen_resume(self) -> None:
        self.refresh_bindings()  # the store may have become read-only since

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Read-only (another instance has the database) or unavailable: no editing keys.
        return not (action in EDITING_ACTIONS and self.app.store_problem)

    # --- reading ---------------------------------------------------------------------

    def load(self) -> None:
        """Read the page (again) in a worker."""
        read_page(self, self._wanted, self.order)

    def on_entity_page_loaded(self, message: EntityPageLoaded) -> None:
        message.stop()
        if message.new:
            self.show_new_page(message)
            return
        page = message.page
        if page is None:
            if self is self.app.screen:
                problem = message.problem or "This entity is no longer in the library"
                self.notify(problem, severity="warning", markup=False)
            return
        restore, self._restore = self._restore, None
        mentions = self.query_one(MentionList)
        top = None
        if restore is None and self.page is not None and self.page.entity.id == page.entity.id:
            restore = mentions.highlighted  # the same page read again: stay on the same row
            top = mentions.scroll_y  # and where it was scrolled
        self.page = page
        self._wanted = page.entity.id
        self.order = "mentions" if message.order == "mentions" else "newest"
        self.coverage = message.coverage
        self._show(page)
        if top is not None:
            mentions.scroll_to(y=top, animate=False, immediate=True)
        if restore is not None:
            mentions.highlighted = restore

    def _show(self, page: EntityPage) -> None:
        entity = page.entity
        self.sub_title = sanitize_line(entity.name, 60)
        parts: list[str | tuple[str, str] | Content] = [
            (sanitize_line(entity.name, 120), "bold"),
            "  ",
            (sanitize_line(entity.label, 20), "reverse"),
            (
                f"  {entity.articles:,} article{'s' * (entity.articles != 1)} · "
                f"{entity.mentions:,} mention{'s' * (entity.mentions != 1)}",
                "dim",
            ),
        ]
        found, total = self.coverage or (0, 0)
        if found < total:
            rest = (
                "the app finds the rest while you read"
                if finding_the_rest(self.app)
                else "`reader index` finds the rest"
            )
            said = f"  (entities found in {found:,} of {total:,} articles so far: {rest})"
            parts.append((said, "dim italic"))
        variants = [sanitize_line(v, 60) for v in entity.variants[:12]]
        if variants:
            more = len(entity.variants) - len(variants)
            shown = ", ".join(variants) + (f", …{more} more" if more > 0 else "")
            parts += ["\n", ("variants  ", "dim"), shown]
        if entity.ambiguous:
            names = ", ".join(sanitize_line(n, 60) for n in entity.ambiguous[:8])
            more = len(entity.ambiguous) - 8
            names += f" and {more} more" if more > 0 else ""
            parts += ["\n", ("ambiguous  ", "dim"), (f"may be any of: {names}", "italic")]
        self.query_one("#entity-head", Static).update(Content.assemble(*parts))
        timeline = self.query_one("#entity-timeline", Static)
        width = max(self.app.size.width - 70, 12)
        timeline.update(
            Content.assemble(("mentions by month  ", "dim"), timeline_content(page.timeline, width))
        )
        mentions = self.query_one(MentionList)
        mentions.set_articles(page.articles)
        mentions.border_title = f"Articles ({len(page.articles):,}) · {ORDER_NAMES[self.order]}"
        mentions.border_subtitle = "o: order"
        others = self.query_one(CooccurringList)
        others.set_others(page.cooccurring)
        others.border_title = f"Appears with ({len(page.cooccurring)})"
        counted = page.counted < len(page.articles)
        others.border_subtitle = f"in its first {page.counted:,} articles" if counted else ""

    @on(MentionList.SnippetsWanted)
    def _snippets_wanted(self, event: MentionList.SnippetsWanted) -> None:
        event.stop()
        self._read_snippets(event.article)

    @work(thread=True, group="entity-snippets", exit_on_error=False)
    def _read_snippets(self, article: PageArticle) -> None:
        import os

        try:
            snippets = self.app.workspace.entity_index().snippets(article)
        except Exception:  # an unreadable file: its rows keep their offsets
            snippets = ()
        self.post_message(SnippetsLoaded(os.path.abspath(article.path), snippets))

    def on_snippets_loaded(self, message: SnippetsLoaded) -> None:
        self.query_one(MentionList).set_snippets(message.path, message.snippets)

    # --- moving on ---------------------------------------------------------------------

    @on(MentionList.Chosen)
    def _mention_chosen(self, event: MentionList.Chosen) -> None:
        event.stop()
        self._open_mention(event.path, event.start)

    @on(CooccurringList.Chosen)
    def _other_chosen(self, event: CooccurringList.Chosen) -> None:
        event.stop()
        read_page(self, event.entity_id, self.order, new=True)

    def show_new_page(self, message: EntityPageLoaded) -> None:
        """Show the co-occurring entity's page read for *message* (or say why not); Escape
        comes back to the page shown now."""
        if message.page is None:
            problem = message.problem or "That entity is no longer in the library"
            self.notify(problem, severity="warning", markup=False)
            return
        highlighted = self.query_one(MentionList).highlighted
        self._history.append((self._wanted, self.order, highlighted))
        self.page = message.page
        self._wanted = message.page.entity.id
        self.coverage = message.coverage
        self._show(message.page)
        self.query_one(MentionList).focus()

    def action_back(self) -> None:
        """Back to the page before (a co-occurring entity's was opened from it), else to
        where the page was opened from."""
        if not self._history:
            self.dismiss(None)
            return
        self._wanted, self.order, self._restore = self._history.pop()
        self.query_one(MentionList).focus()
        self.load()

    def action_toggle_order(self) -> None:
        """Sort the articles newest first, or most mentions first (`o`)."""
        self.order = "mentions" if self.order == "newest" else "newest"
        self.load()

    # --- the user's edits ----------------------------------------------------------------

    def _ask(self, kind: EditKind) -> None:
        """Ask for the edit *kind* of the entity shown (see :func:`ask_edit`)."""
        entity = self.entity
        if entity is not None and self.app.writable():
            ask_edit(self.app, kind, entity, self._save)

    def _save(self, edit: Edit, said: str, then: str | None) -> None:
        """Store *edit*; once on disk, this page (or *then*'s) is read again."""
        self._write(lambda store: EntityEdits(store).add(edit, said=undo_words(said)), said, then)

    def _write(self, change: Change, said: str, then: str | None = None) -> None:
        def done(result: object, _edits: list[Edit]) -> None:
            if then is not None:
                self._wanted = then
            self.notify(said if said else _undone(result), markup=False, timeout=3)
            self.load()

        store_edit(self.app, change, done)

    def action_merge(self) -> None:
        """Merge this entity into another, chosen from the library's entities (`M`)."""
        self._ask("merge")

    def action_rename(self) -> None:
        """Give the entity another name everywhere (`r`)."""
        self._ask("rename")

    def action_relabel(self) -> None:
        """Give the entity another label everywhere, chosen from the app's labels (`L`)."""
        self._ask("relabel")

    def action_split(self) -> None:
        """Split a name off the entity, or every name apart (`S`)."""
        self._ask("split")

    def action_undo(self) -> None:
        """Undo the last change (an entity edit, or any annotation change) (`u`)."""
        if self.app.writable():
            self._write(lambda store: store.undo(), "")


def _undone(description: object) -> str:
    return f"Undone: {description}" if description else "Nothing to undo"
