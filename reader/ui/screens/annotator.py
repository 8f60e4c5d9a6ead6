"""The main screen's annotation work: tags, notes, highlights, corrections, undo, export,
and the notes panel's jumps, edits and deletions.

An :class:`Annotator` is a collaborator the main screen owns, not a part of the screen:
it is given what it touches (the app's store calls, three widgets, the article shown, a
callback) and nothing else. Every store call goes through ``ReaderApp.write`` or
``ReaderApp.read`` (one writer thread, in order, results back on the UI thread); what is
shown is reloaded from the store once a change is on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from reader.anchoring import describe
from reader.annotations import (
    ArticleAnnotations,
    Relinked,
    article_ref,
    load,
    relink_all,
    tags_by_article,
)
from reader.library import Article
from reader.store import Annotation, AnnotationStore
from reader.store.model import clean_tag, tag_key
from reader.text import sanitize_line
from reader.ui.messages import AnnotationsChanged
from reader.ui.screens.dialogs import (
    CorrectionChoice,
    CorrectionScreen,
    ExportChoice,
    ExportScreen,
    RenameTagScreen,
    TagScreen,
)
from reader.ui.screens.note_writing import NoteWriter
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView, Mark

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp


class Annotator:
    """Makes, shows and changes the annotations of the article on the main screen.

    The contract, all of it given to the constructor:

    - *app*: the store, only through ``write`` / ``read`` (never called here directly:
      ``store`` and ``store_problem`` only say whether annotations are available);
      ``writable``, ``push_screen`` (the dialogs), ``notify``, ``run_worker`` (the export)
      and ``workspace`` (what an export reads).
    - *view*, *panel*, *articles*: where marks, the notes panel's entries and the sidebar's
      tags are shown; the view's selection and marked entity say what a key applies to,
      and the list's highlighted row, while it has the focus, which article (see
      :meth:`on_text`).
    - *shown*: returns the article on screen (None until the library is loaded).
    - *entities_changed*: called once a change on disk may change the article's entities
      (a correction, an undo, a correction deleted): the screen finds them again.

    The screen keeps the keys and the messages; its actions and handlers call the methods
    here, on the UI thread.
    """

    def __init__(
        self,
        app: ReaderApp,
        *,
        view: ArticleView,
        panel: AnnotationPanel,
        articles: ArticleList,
        shown: Callable[[], Article | None],
        entities_changed: Callable[[], None],
    ) -> None:
        self._app = app
        self._view = view
        self._panel = panel
        self._articles = articles
        self._shown = shown
        self._entities_changed = entities_changed
        self.notes = NoteWriter(app, self._changed, view.action_clear_selection)
        """The note editor's flows: new notes, edits, their drafts."""

    # --- loading ---------------------------------------------------------------------

    def load(self) -> None:
        """Read the shown article's annotations (in the writer thread), then show them."""
        article = self._shown()
        if article is None:
            return

        def loaded(annotations: ArticleAnnotations) -> None:
            self._panel.loading = False
            current = self._shown()
            if current is not None and current.id == article.id:  # else the user moved on
                self._show(article, annotations)

        def failed(_: str) -> None:
            self._panel.loading = False

        store = self._app.store
        if store is not None and not store.loaded:  # a large database, read after the start
            self._panel.loading = True
        self._app.read(lambda store: load(store, article), loaded, failed)

    def _show(self, article: Article, annotations: ArticleAnnotations) -> None:
        self._panel.show(annotations)
        marks = []
        for item in annotations.items:
            span = item.span
            if span is not None and item.annotation.kind in ("highlight", "note"):
                marks.append(Mark(item.annotation.id, item.annotation.kind, *span))
        self._view.set_marks(marks)
        self._articles.set_tags(article.id, annotations.tags)
        if annotations.relinked:
            self._app.notify(
                f"This article changed on disk: its annotations ({annotations.relinked}) were "
                "re-anchored; see their state in the Notes panel",
                markup=False,
            )

    def load_tags(self) -> None:
        """Refresh the tags under every title in the sidebar."""
        self._app.read(tags_by_article, self._articles.set_all_tags)

    def _changed(self, message: str) -> None:
        """A change is on disk: say so and show the new state."""
        self._app.notify(message, markup=False, timeout=3)
        self.load()
        self.load_tags()
        self._articles.post_message(AnnotationsChanged())  # the screen: search index, views

    # --- the annotation keys -----------------------------------------------------------
    #
    # One rule while the list has the focus: a key about an article as a whole (`t`, `a`
    # without a selection; `m` in Reading) acts on the highlighted row; a key bound to the
    # text shown (`c`, `h`, `a` on a selection) acts on the article shown only when the
    # highlighted row is that article, else says so (Enter opens the highlighted one).

    def _whole(self) -> Article | None:
        """The article a key about an article as a whole acts on: the highlighted row
        while the list has the focus, else the article shown."""
        listed = self._articles.focused_article
        if listed is None:
            return self._shown()
        if listed.deferred:  # its hash a stand-in: nothing can be kept on it yet
            title = sanitize_line(listed.title, 60)
            self._app.notify(f"Still reading the page: {title}", markup=False)
            return None
        return listed

    def on_text(self, key: str) -> Article | None:
        """The article shown, for a key bound to its text (*key*: `c`, `h`, `a` on a
        selection, `p` on the marked entity), unless the list has the focus on another
        article: then None, and a notice says why."""
        article = self._shown()
        listed = self._articles.focused_article
        if article is not None and listed is not None and listed.id != article.id:
            self._app.notify(
                f"{key} works on the text shown ({sanitize_line(article.title, 60)}); "
                f"Enter opens the highlighted article",
                severity="warning",
                markup=False,
            )
            return None
        return article

    def tag(self) -> None:
        """Ask for tags to add to the article (the dialog completes the tags in use): the
        highlighted one while the list has the focus, else the one shown."""
        article = self._whole()
        if article is None or not self._app.writable():
            return

        title = sanitize_line(article.title, 60)

        def chosen(tags: list[str] | None) -> None:
            if tags:
                self._app.write(
                    lambda s: s.add_tags(article_ref(article), tags),
                    lambda added: self._changed(
                        f"Tagged {title}: {', '.join('#' + tag for tag in added)}"
                        if added
                        else f"Already tagged: {title}"
                    ),
                )

        def tags(store: AnnotationStore) -> tuple[list[str], list[str]]:
            return store.tags(article.sha256), store.all_tags()

        # The dialog opens now, so that what is typed next goes into it; the tags follow.
        dialog = TagScreen(article.title)
        self._app.push_screen(dialog, chosen)
        self._app.read(tags, lambda found: dialog.show_tags(*found))

    def note(self) -> None:
        """Ask for a note on the article (the highlighted one while the list has the
        focus), or on the selected passage (of the article shown)."""
        selection = self._view.selection
        article = self.on_text("a on a selection") if selection else self._whole()
        if article is None or not self._app.writable():
            return
        target = describe(article.text, *selection) if selection else None
        if selection:
            quote = sanitize_line(article.text[selection[0] : selection[1]], 50)
            heading = f"Note on “{quote}”"
        else:
            heading = f"Note on {sanitize_line(article.title, 60)}"
        self.notes.new(article, heading, target)

    def highlight(self) -> None:
        """Highlight the selected passage (says how to select one when none is)."""
        article = self.on_text("h")
        selection = self._view.selection
        if article is None:
            return
        if selection is None:
            self._app.notify("Select a passage first: v, then w ) } to extend", severity="warning")
            return
        if not self._app.writable():
            return
        target = describe(article.text, *selection)
        self._view.action_clear_selection()
        self._app.write(
            lambda s: s.add_highlight(article_ref(article), target),
            lambda _: self._changed("Highlighted"),
        )

    def correct(self) -> None:
        """Ask how to correct the marked entity, or which entity the selection is."""
        article = self.on_text("c")
        if article is None or not self._app.writable():
            return
        view = self._view
        selection = view.selection
        if selection is not None:
            start, end = selection
            text, label, adding = article.text[start:end], None, True
        elif view.current_span is not None:
            span = view.current_span
            start, end, text, label, adding = span.start, span.end, span.text, span.label, False
        else:
            self._app.notify(
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
            self._app.write(
                lambda s: s.add_correction(article_ref(article), target, correction),
                lambda _: self._corrected(f"“{text}” {what} {where[choice.scope]}"),
            )

        self._app.push_screen(CorrectionScreen(text, label, adding), chosen)

    def _corrected(self, message: str) -> None:
        self._changed(message)
        self._entities_changed()

    def undo(self) -> None:
        """Undo the last annotation change."""

        def undone(description: str | None) -> None:
            self._changed(f"Undone: {description}" if description else "Nothing to undo")
            self._entities_changed()

        self._app.write(lambda s: s.undo(), undone)

    def rename_tag(self) -> None:
        """Ask for a tag and its new name, then rename it on every article."""
        if not self._app.writable():
            return

        def chosen(names: tuple[str, str] | None) -> None:
            if names is None:
                return
            old, new = names
            self._app.write(partial(_rename_tag, old, new), self._changed)

        dialog = RenameTagScreen()
        self._app.push_screen(dialog, chosen)
        self._app.read(lambda store: store.all_tags(), dialog.show_tags)

    # --- export ----------------------------------------------------------------------

    def export(self, fmt: str | None = None) -> None:
        """Export the annotations: as *fmt*, else in the format the user picks."""
        app = self._app
        if app.store is None:
            app.notify(
                app.store_problem or "annotations are not available",
                severity="error",
                markup=False,
            )
            return
        if fmt is not None:
            self._start_export(ExportChoice(fmt, include_entities=False))
            return

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self._start_export(choice)

        app.push_screen(ExportScreen(str(app.workspace.exports_dir)), chosen)

    def _start_export(self, choice: ExportChoice) -> None:
        """Record where moved or edited articles are now (as `reader export` does, so that
        none is skipped for its text not being found at the old path), then export."""
        app = self._app
        store = app.store
        if store is None or store.read_only:
            self._run_export(choice)  # nothing can be recorded: export what is known
            return

        def relink(store: AnnotationStore) -> list[Relinked]:
            # In the writer thread: each relink is one save (workspace.library() is the
            # app's own, loaded already).
            return relink_all(store, app.workspace.library().articles)

        def relinked(done: list[Relinked]) -> None:
            if done:
                more = f" (and {len(done) - 1} more)" if len(done) > 1 else ""
                app.notify(sanitize_line(done[0].summary(), 300) + more, markup=False)
                self.load_tags()
            self._run_export(choice)

        app.write(relink, relinked, lambda _reason: self._run_export(choice))

    def _run_export(self, choice: ExportChoice) -> None:
        # A thread worker, not the writer thread: with entities it may run the model for
        # minutes, and saves must not wait that long (the store is safe across threads).
        # Not exclusive: it writes a file, and cancelling a write would lose it.
        self._app.run_worker(
            partial(self._export, choice),
            thread=True,
            group="export",
            exit_on_error=False,
            description="Exporting",
        )

    def _export(self, choice: ExportChoice) -> None:
        """Write the export (in a thread worker) and say where, or why not."""
        from reader.export.collection import ExportError
        from reader.export.exporting import export_to_folder
        from reader.export.writing import ExportWriteError
        from reader.store import StoreError

        app = self._app
        store = app.store
        if store is None:
            return
        warnings: list[str] = []
        try:
            path = export_to_folder(
                app.workspace,
                store,
                choice.fmt,
                include_entities=choice.include_entities,
                warn=warnings.append,
            )
        except (ExportError, ExportWriteError, StoreError, OSError) as error:
            app.call_from_thread(
                app.notify, str(error), title="Not exported", severity="error", markup=False
            )
            return
        except Exception as error:  # a bug: say so rather than fail silently in a worker
            app.call_from_thread(
                app.notify,
                f"{type(error).__name__}: {error}",
                title="Not exported (a bug in reader)",
                severity="error",
                markup=False,
            )
            return
        message = f"Wrote {path}"
        if warnings:
            message += f"\n{len(warnings)} warning(s): {warnings[0]}"
        app.call_from_thread(
            app.notify, message, title=f"Exported {choice.fmt}", markup=False, timeout=8
        )

    # --- the notes panel and ]a / [a ---------------------------------------------------

    def _item(self, annotation_id: str) -> Annotation | None:
        for item in self._panel.annotations.items:
            if item.annotation.id == annotation_id:
                return item.annotation
        return None

    def jump(self, annotation_id: str) -> None:
        """Show the annotation *annotation_id* in the article (a note on the article: edit it)."""
        view = self._view
        if any(mark.id == annotation_id for mark in view.marks):
            view.show_mark(annotation_id)
            return
        for item in self._panel.annotations.items:
            if item.annotation.id != annotation_id:
                continue
            if item.state == "orphaned":
                self._app.notify("Orphaned: its passage is no longer in the article", markup=False)
            elif item.span is not None:
                view.scroll_to_offset(item.span[0])
            elif item.annotation.kind == "note":
                self.edit(annotation_id)

    def edit(self, annotation_id: str) -> None:
        """Open the note *annotation_id* in the editor and save what is written."""
        annotation = self._item(annotation_id)
        if annotation is None or annotation.kind != "note":
            self._app.notify("Only notes have text to edit", severity="warning")
            return

        article = self._shown()
        self.notes.edit(annotation, article.title if article is not None else "")

    def delete(self, annotation_id: str | None = None, tag: str | None = None) -> None:
        """Delete the annotation *annotation_id*, or remove the tag *tag* from the article."""
        article = self._shown()
        if article is None:
            return
        if tag is not None:
            self._app.write(
                lambda s: s.remove_tags(article_ref(article), [tag]),
                lambda _: self._changed(f"Removed #{tag} (u undoes)"),
            )
        elif annotation_id is not None:
            item = self._item(annotation_id)
            was_correction = item is not None and item.kind == "correction"

            def deleted(_: Annotation) -> None:
                self._changed("Deleted (u undoes)")
                if was_correction:
                    self._entities_changed()

            self._app.write(lambda s: s.delete(annotation_id), deleted)

    def next_mark(self, forward: bool) -> None:
        """Show the next passage annotation (]a), or the previous one ([a), wrapping."""
        view = self._view
        marks = view.marks
        if not marks:
            self._app.notify("No highlights or passage notes in this article", severity="warning")
            return
        ids = [m.id for m in marks]
        current = view.current_mark
        shown = next((m for m in marks if m.id == current), None)
        if shown is not None and view.on_screen(shown.start):  # else from where the user is
            index = ids.index(shown.id) + (1 if forward else -1)
        else:
            top = view.cursor_offset()
            after = [i for i, m in enumerate(marks) if m.start >= top]
            index = (after[0] if after else 0) if forward else (after[0] - 1 if after else -1)
        view.show_mark(ids[index % len(ids)])


def _rename_tag(old: str, new: str, store: AnnotationStore) -> str:
    """Rename the tag *old* to *new* in *store* (in the writer thread); say what was done,
    and that two tags became one when *new* was in use already (the store merges them)."""
    in_use = store.all_tags()
    existing = next((tag for tag in in_use if tag_key(tag) == tag_key(new) != tag_key(old)), None)
    # Named as stored, not as typed ("nigeria watch" renames the tag "Nigeria watch").
    stored = next((tag for tag in in_use if tag_key(tag) == tag_key(old)), None)
    count = store.rename_tag(old, new)
    if stored is None or not count:
        return f"No article is tagged #{sanitize_line(old, 60)}: nothing renamed"
    new = clean_tag(new)
    said = f"Renamed #{stored} to #{new} on {count} article{'' if count == 1 else 's'}"
    if existing is not None and count:
        # The tag in use may be spelled as *new* now (one article's tags are deduped):
        # say how it is spelled after the merge, not only how it was.
        now = next((tag for tag in store.all_tags() if tag_key(tag) == tag_key(new)), existing)
        said += f": merged with #{existing}, already in use"
        if now != existing:
            said += f" (now #{now})"
    return said
