"""The user's edits of the library's entities (merge, split, rename, relabel), stored in
the annotations file beside the corrections.

The ``entity_edits`` table (schema version 3) holds one document per edit, in the order
made: ``{"id", "op", "key", "label", ...the op's fields, "created"}`` (the fields of
:class:`reader.entities.library.resolve.Edit`). Every change is one save and one undo step
of the store it goes through (``store.undo()`` takes it back), and is written with the
store's own table and journal, so it is as durable as a note.

Edits are applied by :func:`reader.entities.library.resolve.resolve`, in order, wherever the
library's entities are shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from reader.entities.library.edits import Edit
from reader.store import model
from reader.store.journal import quoted

if TYPE_CHECKING:
    from reader.store.annotation_store import AnnotationStore

__all__ = ["TABLE", "EntityEdits", "check_edit_document"]

TABLE = "entity_edits"
"""The table's name in the annotations file."""


def check_edit_document(document: Any) -> str | None:
    """What is wrong with a stored edit document, or None (used when a file is opened)."""
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        return "an entity edit without an id"
    try:
        Edit.from_json(document)
    except ValueError as error:
        return str(error)
    return None


class EntityEdits:
    """The entity edits of one open :class:`~reader.store.AnnotationStore`."""

    def __init__(self, store: AnnotationStore) -> None:
        """Edits kept in *store* (which stays the caller's to close)."""
        self.store = store
        """The store written to."""

    def edits(self) -> list[Edit]:
        """Every edit, oldest first."""
        store = self.store
        with store._reading(light=True):
            documents = store._table(TABLE).documents()
            return [Edit.from_json(documents[i]) for i in sorted(documents, key=int)]

    def add(self, edit: Edit, *, said: str = "") -> Edit:
        """Store *edit* (one save, one undo step); return it with its id.

        *said* is how the user was told of it, with the names they saw ("merged Blair into
        Tony Blair"): what undoing it says it undid. The default, :meth:`Edit.describe`,
        can only name the entities by their name keys.

        Raises:
            StoreReadOnly: the store was opened read-only.
            ValueError: the edit is not valid.
        """
        checked = Edit.from_json({**edit.to_json(), "id": uuid.uuid4().hex})
        store = self.store
        with store._changing("edit an entity", light=True) as change:
            document = {**checked.to_json(), "created": model.utc_now()}
            store._journal.add(change, store._table(TABLE), document)
            change.description = " ".join(said.split())[:200] or quoted(checked.describe(), 120)
        return checked

    def remove(self, edit_id: str, names: Mapping[tuple[str, str], str] | None = None) -> Edit:
        """Take an edit back by id (one save, one undo step); return it. *names*: the
        names the user sees for the keys it names, for its undo description.

        Raises:
            KeyError: no edit has that id.
        """
        store = self.store
        with store._changing("remove an entity edit", light=True) as change:
            table = store._table(TABLE)
            for doc_id, document in table.documents().items():
                if document.get("id") == edit_id:
                    edit = Edit.from_json(document)
                    store._journal.put(change, table, {int(doc_id): None})
                    change.description = f"removed entity edit {quoted(edit.describe(names), 120)}"
                    return edit
        raise KeyError(edit_id)

    def import_edits(self, edits: Iterable[Edit]) -> int:
        """Add the edits the store does not hold yet (the same id, or the same edit without
        one, counts as held), in order, in one save and one undo step; return how many."""
        store = self.store
        with store._changing("import entity edits", light=True) as change:
            table = store._table(TABLE)
            held = [Edit.from_json(doc) for doc in table.documents().values()]
            ids = {edit.id for edit in held if edit.id}
            same = {_content(edit) for edit in held}
            added = 0
            for edit in edits:
                if (edit.id and edit.id in ids) or _content(edit) in same:
                    continue
                ident = edit.id or uuid.uuid4().hex
                document = {**edit.to_json(), "id": ident, "created": model.utc_now()}
                store._journal.add(change, table, document)
                ids.add(ident)
                same.add(_content(edit))
                added += 1
            if added:
                change.description = f"imported {added} entity edit{'s' * (added != 1)}"
            return added


def _content(edit: Edit) -> tuple[str, ...]:
    data = edit.to_json()
    data.pop("id", None)
    return tuple(f"{k}={v}" for k, v in sorted(data.items()))
