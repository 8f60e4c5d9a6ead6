"""What a query that parses is told when a value names nothing in the library.

``label:perosn`` parses (the grammar accepts any label: its property tests generate
arbitrary ones) and finds no article; a silent empty list looks like a library without
people. :func:`unknown_values` says instead, as a notice and not an error (the query is
still applied): ``no label PEROSN: did you mean PERSON?``. The app's filter shows it under
the field, `reader search` on stderr. ``in:`` a folder the library does not have is told
the same way. (``has:``, ``is:``, ``sort:``, ``date:`` and ``words:`` take a closed set of
values or a syntax: a wrong one is already a :class:`~reader.search.query.QueryError`.)

Textual-free; the values are untrusted text and are sanitised onto one line.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from difflib import get_close_matches

from reader.search.query import And, Field, Node, Not, Or, Query, uses_fields
from reader.text import sanitize_line

__all__ = ["NOTICE_FIELDS", "unknown_values"]

NOTICE_FIELDS = ("label", "in")
"""The fields :func:`unknown_values` checks (a query without them needs no vocabulary)."""


def _fields(node: Node | None) -> Iterator[Field]:
    if isinstance(node, Field):
        yield node
    elif isinstance(node, Not):
        yield from _fields(node.child)
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from _fields(child)


def unknown_values(
    query: Query, *, labels: Collection[str] = (), folders: Collection[str] = ()
) -> list[str]:
    """One notice per ``label:`` or ``in:`` value of *query* that names nothing: a label
    neither among spaCy's (:data:`~reader.entities.span.LABELS`) nor in *labels* (those
    the library's entities have), a folder matching none of *folders* (the library's
    folders relative to its root, ``world/europe``, as ``in:`` matches them). Each names the
    closest known value when there is one. Empty when every value names something."""
    if not uses_fields(query.where, NOTICE_FIELDS):
        return []
    # Imported here: a `reader search` without label: nor in: does without them (~5 ms).
    from reader.entities.span import LABELS, label_order
    from reader.search.reference import in_folder

    known_labels = sorted({*LABELS, *labels}, key=label_order)
    notices: list[str] = []
    seen: set[tuple[str, str]] = set()
    for field in _fields(query.where):
        key = (field.name, field.value)
        if key in seen:
            continue
        seen.add(key)
        if field.name == "label" and field.value.upper() not in known_labels:
            notices.append(_no_label(field.value.upper(), known_labels))
        elif field.name == "in" and not any(in_folder(field.value, f) for f in folders):
            notices.append(_no_folder(field.value, folders))
    return notices


def _nearest(value: str, known: list[str], cutoff: float) -> list[str]:
    """The known values *value* begins (a value being typed: up to three), else the
    closest one, else none."""
    begun = [candidate for candidate in known if candidate.startswith(value)]
    return begun[:3] or get_close_matches(value, known, n=1, cutoff=cutoff)


def _either(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def _no_label(value: str, known: list[str]) -> str:
    shown = sanitize_line(value, 40)
    # The library's labels are untrusted text as the value is (a correction's label is any
    # string, an imported annotation file's too).
    near = [sanitize_line(label, 40) for label in _nearest(value, known, 0.5)]
    if near:
        return f"no label {shown}: did you mean {_either(near)}?"
    labels = ", ".join(sanitize_line(label, 40) for label in known)
    return f"no label {shown} (labels: {labels})"


def _no_folder(value: str, folders: Collection[str]) -> str:
    shown = sanitize_line(value, 60)
    folders = [folder for folder in folders if folder]  # "": the library's root
    if not folders:
        return f"no folder {shown} in the library (its articles are in no folder)"
    # A value with a slash is matched against whole folders (world/europe), one without
    # against the names in them (europe), as the library spells them.
    candidates: dict[str, str] = {}
    whole = "/" in value.replace("\\", "/")
    for folder in folders:
        for name in [folder] if whole else folder.split("/"):
            if name:
                candidates.setdefault(name.casefold(), name)
    near = _nearest(value.casefold(), sorted(candidates), 0.6)
    if near:
        names = _either([sanitize_line(candidates[name], 60) for name in near])
        return f"no folder {shown} in the library: did you mean {names}?"
    return f"no folder {shown} in the library"
