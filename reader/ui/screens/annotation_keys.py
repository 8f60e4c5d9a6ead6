"""The main screen's annotation keys (t a h c u x) and the messages that concern the
annotations, handed to its :class:`Annotator`; which actions write to the database."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.screen import Screen

from reader.library import Article
from reader.ui.screens.annotator import Annotator
from reader.ui.screens.early_keys import EarlyKeys
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_view import ArticleView

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp

#: The actions that write to the database (the keys t a h c u, m: read marks are kept there
#: too, and the entity panel's M r L S; the palette's "Rename tag"): neither their keys nor
#: the palette's commands are offered while it cannot be written.
WRITING_ACTIONS = frozenset(
    {"tag", "note", "highlight", "correct", "undo", "toggle_read", "entity_edit", "rename_tag"}
)


class AnnotationKeys(Screen[None]):
    """The main screen's annotation keys, bound on a base class of :class:`MainScreen`
    only to keep their place: Textual (and so the key bar) lists a base class's bindings
    first (t a h c u x, then l), the help lists the screen's own first (l, then t …)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "tag", "Tag"),
        Binding("a", "note", "Note"),
        Binding("h", "highlight", "Highlight"),
        Binding("c", "correct", "Correct entity"),
        Binding("u", "undo", "Undo"),
        Binding("x", "export", "Export"),
    ]

    # Set by MainScreen.
    app: ReaderApp
    article: Article | None
    annotator: Annotator
    early_keys: EarlyKeys

    def on_key(self, event: events.Key) -> None:
        # Before the app's bindings see it (it bubbles up to the app from here).
        if self.early_keys.drop(event):
            event.prevent_default()
            event.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITING_ACTIONS and self.app.store_problem:
            return False  # read-only (the file or its folder cannot be written) or unavailable
        if action in ("tag", "note", "correct", "highlight"):
            return self.article is not None
        return True

    def action_tag(self) -> None:
        """Add tags to the article (`t`)."""
        self.annotator.tag()

    def action_note(self) -> None:
        """Write a note on the article, or on the selected passage (`a`)."""
        self.annotator.note()

    def action_highlight(self) -> None:
        """Highlight the selected passage (`h`, with a selection)."""
        self.annotator.highlight()

    def action_correct(self) -> None:
        """Correct the marked entity, or add one from the selection (`c`)."""
        self.annotator.correct()

    def action_undo(self) -> None:
        """Undo the last annotation change (`u`)."""
        self.annotator.undo()

    def action_rename_tag(self) -> None:
        """Rename a tag on every article (command palette)."""
        self.annotator.rename_tag()

    def action_export(self, fmt: str | None = None) -> None:
        """Export the annotations (`x`: pick a format; the palette names one)."""
        self.annotator.export(fmt)

    def on_annotation_panel_jump(self, message: AnnotationPanel.Jump) -> None:
        self.annotator.jump(message.annotation_id)

    def on_annotation_panel_edit(self, message: AnnotationPanel.Edit) -> None:
        self.annotator.edit(message.annotation_id)

    def on_annotation_panel_delete(self, message: AnnotationPanel.Delete) -> None:
        self.annotator.delete(message.annotation_id, message.tag)

    def on_article_view_annotation_jump(self, message: ArticleView.AnnotationJump) -> None:
        self.annotator.next_mark(message.forward)
