"""The user's edits of the library's entities: merge, split, rename, relabel.

An :class:`Edit` names the entity it is about by its canonical name key and label when it
was made (stable: a rename does not change them), is stored by
:mod:`reader.store.entity_edits` and exported in the json format, and is applied in order
by :func:`reader.entities.library.resolve.resolve`. The ``*_edit`` functions make one from
the entities the user picked, refusing what cannot be done with a message for the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from reader.entities.library.names import name_key
from reader.entities.span import check_label
from reader.text import sanitize_line

if TYPE_CHECKING:
    from reader.entities.library.resolve import Entity

__all__ = ["OPS", "Edit", "EditOp", "merge_edit", "relabel_edit", "rename_edit", "split_edit"]

EditOp = Literal["merge", "split", "rename", "relabel"]
OPS: tuple[str, ...] = ("merge", "split", "rename", "relabel")
"""The kinds of edit, as stored."""


@dataclass(frozen=True)
class Edit:
    """One of the user's edits of the library's entities (stored by
    :mod:`reader.store.entity_edits`, applied here)."""

    op: EditOp
    """``merge``, ``split``, ``rename`` or ``relabel``."""
    key: str
    """The entity edited: its canonical name key when the edit was made..."""
    label: str
    """...and that key's label."""
    into_key: str = ""
    """merge: the entity it goes into (its canonical key)..."""
    into_label: str = ""
    """...and label."""
    variant: str = ""
    """split: the variant's name key to split off; ``""`` splits every variant apart."""
    name: str = ""
    """rename: the new canonical name."""
    new_label: str = ""
    """relabel: the new label."""
    id: str = ""
    """The stored edit's id (empty before it is stored)."""

    def to_json(self) -> dict[str, Any]:
        """The edit as a JSON-ready dict (what the store and exports keep)."""
        data: dict[str, Any] = {"op": self.op, "key": self.key, "label": self.label}
        for name in ("into_key", "into_label", "variant", "name", "new_label", "id"):
            value = getattr(self, name)
            if value:
                data[name] = value
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Edit:
        """An edit from :meth:`to_json` output.

        Raises:
            ValueError: not an edit (unknown op, a field missing or not a string).
        """
        op = data.get("op")
        if op not in OPS:
            raise ValueError(f"unknown entity edit {op!r}")
        values: dict[str, str] = {}
        for name in ("key", "label", "into_key", "into_label", "variant", "name", "new_label"):
            value = data.get(name, "")
            if not isinstance(value, str):
                raise ValueError(f"entity edit: {name!r} is not a string")
            # Imported files are untrusted: names and labels are shown on the screen.
            values[name] = sanitize_line(value, 300)
        if not values["key"] or not values["label"]:
            raise ValueError("entity edit: 'key' and 'label' are required")
        needed = {"merge": ("into_key", "into_label"), "rename": ("name",)}.get(op, ())
        if op == "relabel":
            needed = ("new_label",)
        for name in needed:
            if not values[name]:
                raise ValueError(f"entity edit {op}: {name!r} is required")
        ident = data.get("id", "")
        return cls(op=op, id=ident if isinstance(ident, str) else "", **values)

    def describe(self, names: Mapping[tuple[str, str], str] | None = None) -> str:
        """One line saying what the edit does, for messages and undo.

        *names* maps a (name key, label) to the name the user sees (``KeyStats.name``);
        a key it lacks is shown as the key itself ("sergey lavrov")."""
        shown = names or {}
        what = f"{shown.get((self.key, self.label)) or self.key} ({self.label})"
        if self.op == "merge":
            into = shown.get((self.into_key, self.into_label)) or self.into_key
            return f"merged {what} into {into} ({self.into_label})"
        if self.op == "split":
            variant = shown.get((self.variant, self.label)) or self.variant
            return f"split {variant or 'every variant'} off {what}"
        if self.op == "rename":
            return f"renamed {what} to {self.name}"
        return f"relabelled {what} as {self.new_label}"


def merge_edit(source: Entity, into: Entity) -> Edit:
    """The edit merging *source* into *into* (which keeps its name and label).

    Raises:
        ValueError: they are the same entity.
    """
    if source.id == into.id:
        raise ValueError(f"{source.name} is already {into.name}")
    (key, label), (into_key, into_label) = source.keys[0], into.keys[0]
    return Edit("merge", key, label, into_key=into_key, into_label=into_label)


def split_edit(entity: Entity, variant: str = "") -> Edit:
    """The edit splitting *variant* (a variant's text or name key) off *entity*, or every
    variant apart when it is empty.

    Raises:
        ValueError: the entity has one key only, or *variant* is not one of its variants.
    """
    if len(entity.keys) < 2:
        raise ValueError(f"{entity.name} has no variant to split off (one name only)")
    key, label = entity.keys[0]
    if not variant:
        return Edit("split", key, label)
    wanted = {name_key(variant, k[1]) for k in entity.keys} | {variant}
    for member, _member_label in entity.keys:
        if member in wanted:
            if member == key:
                raise ValueError(f"{variant} is {entity.name}'s own name: split the others off")
            return Edit("split", key, label, variant=member)
    # A form written differently from its key ("Lavrov’s"): the key it was counted under.
    raise ValueError(
        f"{variant} is not a separate variant of {entity.name} "
        f"(its names: {', '.join(k for k, _ in entity.keys)})"
    )


def rename_edit(entity: Entity, name: str) -> Edit:
    """The edit renaming *entity* to *name*.

    Raises:
        ValueError: *name* is blank.
    """
    name = " ".join(name.split())
    if not name:
        raise ValueError("a name cannot be blank")
    key, label = entity.keys[0]
    return Edit("rename", key, label, name=name)


def relabel_edit(entity: Entity, new_label: str) -> Edit:
    """The edit giving *entity* the label *new_label* everywhere.

    Raises:
        ValueError: *new_label* is not one of the labels (:data:`~reader.entities.span.LABELS`).
    """
    new_label = check_label(new_label)
    key, label = entity.keys[0]
    return Edit("relabel", key, label, new_label=new_label)
