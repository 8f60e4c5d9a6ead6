"""The changes made through one store, recorded so that the last ones can be undone.

Every user action (add a note, rename a tag, ...) is one :class:`Change`: its description,
and each document it touched as it was before and as it left it. Undoing the change puts
the "before" documents back. The journal lives in memory, for one store object: a change
made in another session is not undone here.

Other writers may change the file between two changes of this store. When one of them
has since changed a document this change wrote (the later save won), undoing this change
would throw their change away: the undo is refused and dropped from the journal instead
(:class:`ChangedSince`). Their own undo still puts back what they replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reader.store.storage import DocumentTable

__all__ = ["Change", "ChangedSince", "Journal", "counted", "quoted", "tag_list"]

Document = Mapping[str, Any]
"""A stored document, read-only (see DocumentTable)."""


class Change:
    """One user action: its description and the documents it replaced."""

    def __init__(self) -> None:
        """Start an empty change; writes through :class:`Journal` fill it."""
        self.description = ""
        """One line saying what the change did, e.g. ``added note on “Title”``."""
        self.before: dict[tuple[str, int], Document | None] = {}
        """(table, doc id) -> the document before the change, None if it did not exist."""
        self.after: dict[tuple[str, int], Document | None] = {}
        """(table, doc id) -> the document as the change left it, None if it deleted it."""

    def remember(self, table: str, doc_id: int, document: Document | None) -> None:
        """Note a document about to be replaced; only its state before the change counts."""
        self.before.setdefault((table, doc_id), document)

    def wrote(self, table: str, doc_id: int, document: Document | None) -> None:
        """Note a document as the change left it; the last write counts."""
        self.after[(table, doc_id)] = document


class ChangedSince(Exception):
    """The change to undo wrote documents that another writer has changed since."""

    def __init__(self, change: Change) -> None:
        self.change = change
        """The change that was not undone."""
        super().__init__(change.description)


class Journal:
    """Writes documents on behalf of changes, and keeps the last changes for undo."""

    def __init__(self, depth: int = 200) -> None:
        """Keep up to ``depth`` changes."""
        self.depth = depth
        """How many changes can be undone, at most."""
        self._done: list[Change] = []

    def put(
        self, change: Change, table: DocumentTable, documents: Mapping[int, Document | None]
    ) -> None:
        """Replace documents by doc id (None deletes), remembering what was there."""
        stored = table.documents()
        for doc_id in documents:
            change.remember(table.name, doc_id, stored.get(str(doc_id)))
        table.put_many(documents)
        stored = table.documents()
        for doc_id in documents:
            change.wrote(table.name, doc_id, stored.get(str(doc_id)))

    def add(self, change: Change, table: DocumentTable, document: Document) -> int:
        """Store a new document and return its doc id."""
        doc_id = table.add(document)
        change.remember(table.name, doc_id, None)
        change.wrote(table.name, doc_id, table.stored(doc_id))
        return doc_id

    def record(self, change: Change) -> None:
        """Keep a finished change for undo, unless it changed nothing."""
        if change.before:
            self._done.append(change)
            del self._done[: -self.depth]

    def last(self) -> Change | None:
        """The change :meth:`revert` would undo, or None."""
        return self._done[-1] if self._done else None

    def revert(self, tables: Callable[[str], DocumentTable]) -> Change | None:
        """Put back the documents the last change replaced; return that change.

        The change stays in the journal until :meth:`forget_last`, which the caller calls
        once the undo is on disk.

        Raises:
            ChangedSince: another writer has changed a document this change wrote; nothing
                is put back (the caller drops the change, see the module docstring).
        """
        last = self.last()
        if last is None:
            return None
        for (table, doc_id), after in last.after.items():
            if tables(table).documents().get(str(doc_id)) != after:
                raise ChangedSince(last)
        by_table: dict[str, dict[int, Document | None]] = {}
        for (table, doc_id), before in last.before.items():
            by_table.setdefault(table, {})[doc_id] = before
        for table, documents in by_table.items():
            tables(table).put_many(documents)
        return last

    def clear(self) -> None:
        """Forget every change, e.g. when the file was changed behind the store's back."""
        self._done.clear()

    def forget_last(self) -> None:
        """Drop the last change (it has been undone)."""
        self._done.pop()


def quoted(text: str, limit: int = 60) -> str:
    """A title or tag in quotes, on one line and shortened, for descriptions."""
    flat = " ".join(text.split()) or "untitled"
    return f"“{flat[: limit - 1]}…”" if len(flat) > limit else f"“{flat}”"


def tag_list(tags: list[str]) -> str:
    """``tag “a”`` or ``tags “a”, “b”``."""
    return ("tag " if len(tags) == 1 else "tags ") + ", ".join(quoted(t, 30) for t in tags)


def counted(n: int, noun: str) -> str:
    """``1 article``, ``2 articles``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
