"""The main screen's annotation actions: tags, notes, highlights, corrections, undo.

A mixin of MainScreen, kept apart so that each file holds one concern. Every change goes
through ``ReaderApp.write`` (one writer thread, in order); what is shown is reloaded
from the store once the change is on disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.screen import Screen

from reader.anchoring import describe
from reader.annotations import ArticleAnnotations, article_ref, load, tags_by_article
from reader.library import Article, Library
from reader.store import Annotation
from reader.text import sanitize_line
from reader.ui.messages import AnnotationsLoaded
from reader.ui.screens.dialogs import (
    CorrectionChoice,
    CorrectionScreen,
    ExportChoice,
    ExportScreen,
    NoteScreen,
    RenameTagScreen,
    TagScreen,
)
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView, Mark

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp


class Annotating(Screen[None]):
    """Annotation keys and handlers; MainScreen provides the article and the entities."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "tag", "Tag"),
        Binding("a", "note", "Note"),
        Binding("h", "highlight", "Highlight"),
        Binding("c", "correct", "Correct entity"),
        Binding("u", "undo", "Undo"),
        Binding("x", "export", "Export"),
    ]

    app: ReaderApp
    article: Article | None
    library: Library | None

    def refresh_entities(self) -> None:
        """Find the shown article's entities again (after a correction); MainScreen's."""
        raise NotImplementedError

    # --- loading ---------------------------------------------------------------------

    def reload_annotations(self) -> None:
        """Read the shown article's annotations (in the store's thread), then show them."""
        article = self.article
        if article is None:
            return

        def loaded(annotations: ArticleAnnotations) -> None:
            self.post_message(AnnotationsLoaded(article.id, annotations))

        self.app.read(lambda store: load(store, article), loaded)

    def on_annotations_loaded(self, message: AnnotationsLoaded) -> None:
        if self.article is None or message.article_id != self.article.id:
            return
        annotations = message.annotations
        self.query_one(AnnotationPanel).show(annotations)
        marks = []
        for item in annotations.items:
            span = item.span
            if span is not None and item.annotation.kind in ("highlight", "note"):
                marks.append(Mark(item.annotation.id, item.annotation.kind, *span))
        self.query_one(ArticleView).set_marks(marks)
        self.query_one(ArticleList).set_tags(self.article.id, annotations.tags)
        if annotations.relinked:
            self.notify(
                f"This article changed on disk: its annotations ({annotations.relinked}) were "
                "re-anchored; see their state in the Notes panel",
                markup=False,
            )

    def reload_tags(self) -> None:
        """Refresh the tags under every title in the sidebar."""

        self.app.read(tags_by_article, self.query_one(ArticleList).set_all_tags)

    def _changed(self, message: str) -> None:
        """A change is on disk: say so and show the new state."""
        self.notify(message, markup=False, timeout=3)
        self.reload_annotations()
        self.reload_tags()

    # --- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("tag", "note", "correct", "highlight"):
            return self.article is not None
        return True

    def action_tag(self) -> None:
        """Add tags to the article (`t`)."""
        article = self.article
        store = self.app.store
        if article is None or not self.app.writable():
            return
        current = store.tags(article.sha256) if store is not None else []
        known = store.all_tags() if store is not None else []

        def chosen(tags: list[str] | None) -> None:
            if tags:
                self.app.write(
                    lambda s: s.add_tags(article_ref(article), tags),
                    lambda added: self._changed(
                        f"Tagged: {', '.join(added)}" if added else "Already tagged"
                    ),
                )

        self.app.push_screen(TagScreen(article.title, current, known), chosen)

    def action_note(self) -> None:
        """Write a note on the article, or on the selected passage (`a`)."""
        article = self.article
        if article is None or not self.app.writable():
            return
        view = self.query_one(ArticleView)
        selection = view.selection
        target = describe(article.text, *selection) if selection else None
        if selection:
            quote = sanitize_line(article.text[selection[0] : selection[1]], 50)
            heading = f"Note on “{quote}”"
        else:
            heading = f"Note on {sanitize_line(article.title, 60)}"
        self._write_note(article, heading, target, "")

    def _write_note(
        self,
        article: Article,
        heading: str,
        target: dict[str, Any] | None,
        text: str,
        unsaved: bool = False,
    ) -> None:
        """Open the note editor; save what is written, and reopen it if the save fails."""
        view = self.query_one(ArticleView)

        def written(body: str | None) -> None:
            if body is None:
                return
            view.action_clear_selection()

            def failed(reason: str) -> None:
                # Never lose a note: give the text back, with the reason.
                base = heading.split(" — ", 1)[-1] if heading.startswith("Not saved") else heading
                self._write_note(
                    article, f"Not saved ({reason}) — {base}", target, body, unsaved=True
                )

            self.app.write(
                lambda s: s.add_note(article_ref(article), body, target),
                lambda _: self._changed("Note saved"),
                failed,
            )

        self.app.push_screen(NoteScreen(heading, text, unsaved=unsaved), written)

    def action_highlight(self) -> None:
        """Highlight the selected passage (`h`, with a selection)."""
        article = self.article
        view = self.query_one(ArticleView)
        selection = view.selection
        if article is None or selection is None:
            self.notify("Select a passage first: v, then w ) } to extend", severity="warning")
            return
        if not self.app.writable():
            return
        target = describe(article.text, *selection)
        view.action_clear_selection()
        self.app.write(
            lambda s: s.add_highlight(article_ref(article), target),
            lambda _: self._changed("Highlighted"),
        )

    def action_correct(self) -> None:
        """Correct the marked entity, or add one from the selection (`c`)."""
        article = self.article
        if article is None or not self.app.writable():
            return
        view = self.query_one(ArticleView)
        selection = view.selection
        if selection is not None:
            start, end = selection
            text, label, adding = article.text[start:end], None, True
        elif view.current_span is not None:
            span = view.current_span
            start, end, text, label, adding = span.start, span.end, span.text, span.label, False
        else:
            self.notify(
                "Mark an entity first (e / E), or select text (v) to add one",
                severity="warning",
            )
            return

        def chosen(choice: CorrectionChoice | None) -> None:
            if choice is None:
                return
            correction: dict[str, Any] = {
                "action": choice.action,
                "label": choice.label,
                "scope": choice.scope,
                "text": text,
            }
            target = describe(article.text, start, end)
            view.action_clear_selection()
            where = {"mention": "here", "article": "in this article", "global": "everywhere"}
            what = "removed" if choice.action == "remove" else f"now {choice.label}"
            self.app.write(
                lambda s: s.add_correction(article_ref(article), target, correction),
                lambda _: self._corrected(f"“{text}” {what} {where[choice.scope]}"),
            )

        self.app.push_screen(CorrectionScreen(text, label, adding), chosen)

    def _corrected(self, message: str) -> None:
        self._changed(message)
        self.refresh_entities()

    def action_undo(self) -> None:
        """Undo the last annotation change (`u`)."""

        def undone(description: str | None) -> None:
            self._changed(f"Undone: {description}" if description else "Nothing to undo")
            self.refresh_entities()

        self.app.write(lambda s: s.undo(), undone)

    def action_rename_tag(self) -> None:
        """Rename a tag on every article (command palette)."""
        if not self.app.writable():
            return
        store = self.app.store
        known = store.all_tags() if store is not None else []

        def chosen(names: tuple[str, str] | None) -> None:
            if names is None:
                return
            old, new = names
            self.app.write(
                lambda s: s.rename_tag(old, new),
                lambda count: self._changed(
                    f"Renamed #{old} to #{new} on {count} article{'' if count == 1 else 's'}"
                ),
            )

        self.app.push_screen(RenameTagScreen(known), chosen)

    def action_export(self, fmt: str | None = None) -> None:
        """Export the annotations (`x`: pick a format; the palette names one)."""
        from reader.export.writing import export_folder

        if self.app.store is None:
            self.notify(
                self.app.store_problem or "annotations are not available",
                severity="error",
                markup=False,
            )
            return
        if fmt is not None:
            self._export(ExportChoice(fmt, include_entities=False))
            return
        folder = str(export_folder(self.app.settings))

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self._export(choice)

        self.app.push_screen(ExportScreen(folder), chosen)

    @work(thread=True, group="export", exit_on_error=False, description="Exporting")
    def _export(self, choice: ExportChoice) -> None:
        # Not exclusive: it writes a file, and cancelling a write would lose it.
        from reader.export.collect import ExportError
        from reader.export.exporting import export_to_folder
        from reader.export.writing import ExportWriteError
        from reader.store import StoreError

        store = self.app.store
        if store is None:
            return
        warnings: list[str] = []
        try:
            path = export_to_folder(
                store,
                self.app.settings,
                choice.fmt,
                include_entities=choice.include_entities,
                library=self.library,
                finder=self.app.finder,
                warn=warnings.append,
            )
        except (ExportError, ExportWriteError, StoreError, OSError) as error:
            self.app.call_from_thread(
                self.notify, str(error), title="Not exported", severity="error", markup=False
            )
            return
        except Exception as error:  # a bug: say so rather than fail silently in a worker
            self.app.call_from_thread(
                self.notify,
                f"{type(error).__name__}: {error}",
                title="Not exported (a bug in reader)",
                severity="error",
                markup=False,
            )
            return
        message = f"Wrote {path}"
        if warnings:
            message += f"\n{len(warnings)} warning(s): {warnings[0]}"
        self.app.call_from_thread(
            self.notify, message, title=f"Exported {choice.fmt}", markup=False, timeout=8
        )

    # --- the notes panel and ]a / [a ---------------------------------------------------

    def _item(self, annotation_id: str) -> Annotation | None:
        for item in self.query_one(AnnotationPanel).annotations.items:
            if item.annotation.id == annotation_id:
                return item.annotation
        return None

    def on_annotation_panel_jump(self, message: AnnotationPanel.Jump) -> None:
        view = self.query_one(ArticleView)
        if any(mark.id == message.annotation_id for mark in view.marks):
            view.show_mark(message.annotation_id)
            return
        for item in self.query_one(AnnotationPanel).annotations.items:
            if item.annotation.id != message.annotation_id:
                continue
            if item.state == "orphaned":
                self.notify("Orphaned: its passage is no longer in the article", markup=False)
            elif item.span is not None:
                view.scroll_to_offset(item.span[0])
            elif item.annotation.kind == "note":
                self.on_annotation_panel_edit(AnnotationPanel.Edit(message.annotation_id))

    def on_annotation_panel_edit(self, message: AnnotationPanel.Edit) -> None:
        annotation = self._item(message.annotation_id)
        if annotation is None or annotation.kind != "note":
            self.notify("Only notes have text to edit", severity="warning")
            return

        def written(body: str | None) -> None:
            if body is None or body == annotation.body:
                return

            def failed(reason: str) -> None:
                heading = f"Not saved ({reason}) — edit note"
                self.app.push_screen(NoteScreen(heading, body, unsaved=True), written)

            self.app.write(
                lambda s: s.update(annotation.id, body=body),
                lambda _: self._changed("Note saved"),
                failed,
            )

        self.app.push_screen(NoteScreen("Edit note", annotation.body), written)

    def on_annotation_panel_delete(self, message: AnnotationPanel.Delete) -> None:
        article = self.article
        if article is None:
            return
        if message.tag is not None:
            tag = message.tag
            self.app.write(
                lambda s: s.remove_tags(article_ref(article), [tag]),
                lambda _: self._changed(f"Removed #{tag} (u undoes)"),
            )
        elif message.annotation_id is not None:
            annotation_id = message.annotation_id
            item = self._item(annotation_id)
            was_correction = item is not None and item.kind == "correction"

            def deleted(_: Annotation) -> None:
                self._changed("Deleted (u undoes)")
                if was_correction:
                    self.refresh_entities()

            self.app.write(lambda s: s.delete(annotation_id), deleted)

    def on_article_view_annotation_jump(self, message: ArticleView.AnnotationJump) -> None:
        view = self.query_one(ArticleView)
        marks = view.marks
        if not marks:
            self.notify("No highlights or passage notes in this article", severity="warning")
            return
        ids = [m.id for m in marks]
        current = view.current_mark
        if current in ids:
            index = ids.index(current) + (1 if message.forward else -1)
        else:
            top = view.cursor_offset()
            after = [i for i, m in enumerate(marks) if m.start >= top]
            index = (
                (after[0] if after else 0) if message.forward else (after[0] - 1 if after else -1)
            )
        view.show_mark(ids[index % len(ids)])
