"""The user's entity edits as the app asks for them: merge (into an entity chosen in the
library's list), rename, relabel (from the labels the app knows), split; the same dialogs
from an entity page and from the entity panel on the main screen.

:func:`ask_edit` shows the dialog of one kind of edit and hands the edit made to its
caller, who stores it (:func:`store_edit`: in the writer thread, then the entity index
takes the store's edits and every screen is told).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from reader.entities.library.edits import (
    Edit,
    merge_edit,
    relabel_edit,
    rename_edit,
    split_edit,
)
from reader.entities.library.resolve import Entity
from reader.store import AnnotationStore
from reader.store.entity_edits import EntityEdits
from reader.text import sanitize_line
from reader.ui.messages import EntityEditsChanged
from reader.ui.screens.entity_dialogs import EntityTextScreen, LabelScreen, SplitScreen
from reader.ui.screens.entity_library import EntityLibraryScreen

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp

EditKind = Literal["merge", "rename", "relabel", "split"]

EDIT_KINDS: tuple[EditKind, ...] = ("merge", "rename", "relabel", "split")
"""The kinds of edit, as the keys' actions name them."""

Save = Callable[[Edit, str, str | None], None]
"""Stores an edit: the edit, what to say once stored, the entity id to show after (a
merge: the entity merged into) or None."""

Change = Callable[[AnnotationStore], object]


def edits_after(change: Change) -> Callable[[AnnotationStore], tuple[object, list[Edit]]]:
    """*change*, then the store's entity edits (both in the writer thread)."""

    def run(store: AnnotationStore) -> tuple[object, list[Edit]]:
        result = change(store)
        return result, EntityEdits(store).edits()

    return run


def store_edit(
    app: ReaderApp,
    change: Change,
    done: Callable[[object, list[Edit]], None] | None = None,
) -> None:
    """Run *change* in the writer thread; once on disk, the entity index takes the store's
    edits, every screen gets :class:`EntityEditsChanged`, then *done* (the change's result
    and the edits) runs."""

    def written(result: tuple[object, list[Edit]]) -> None:
        app.workspace.entity_index().set_edits(result[1])
        if done is not None:
            done(*result)
        for screen in app.screen_stack:
            screen.post_message(EntityEditsChanged())

    app.write(edits_after(change), written)


def undo_words(said: str) -> str:
    """What undoing an edit the user was told of as *said* ("Merged Blair into Tony
    Blair") says it undid: "Undone: merged Blair into Tony Blair"."""
    return said[:1].lower() + said[1:]


def ask_edit(app: ReaderApp, kind: EditKind, entity: Entity, save: Save) -> None:
    """Show the dialog of the edit *kind* of *entity*; *save* gets the edit made (an edit
    that cannot be made is said, nothing saved)."""

    def make(build: Callable[[], Edit], said: str, then: str | None = None) -> None:
        try:
            edit = build()
        except ValueError as error:
            app.notify(str(error), title="Not changed", severity="warning", markup=False)
            return
        save(edit, said, then)

    if kind == "merge":

        def merge_into(into: Entity | None) -> None:
            if into is not None:
                said = f"Merged {entity.name} into {into.name}"
                make(lambda: merge_edit(entity, into), said, into.id)

        title = f"Merge {sanitize_line(entity.name, 60)} into… (choose an entity)"
        app.push_screen(EntityLibraryScreen(picking=title, leave_out=entity.id), merge_into)
    elif kind == "rename":

        def renamed(name: str | None) -> None:
            if name is not None:
                make(lambda: rename_edit(entity, name), f"Renamed {entity.name} to {name}")

        app.push_screen(
            EntityTextScreen("Rename", entity, entity.name, "its name everywhere"), renamed
        )
    elif kind == "relabel":

        def relabelled(label: str | None) -> None:
            if label is None:
                return
            if label == entity.label:
                app.notify(f"{entity.name} is {label} already", markup=False, timeout=3)
                return
            said = f"Relabelled {entity.name} as {label}"
            make(lambda: relabel_edit(entity, label), said)

        app.push_screen(LabelScreen(entity), relabelled)
    else:
        if len(entity.keys) < 2:
            app.notify(f"{entity.name} has one name only: nothing to split", markup=False)
            return

        def split(variant: str | None) -> None:
            if variant is not None:
                said = f"Split {variant or 'every name'} off {entity.name}"
                make(lambda: split_edit(entity, variant), said)

        app.push_screen(SplitScreen(entity), split)
