"""The TinyDB table the store uses: documents replaced whole, never changed in place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from tinydb.table import Table

from reader.store.validation import check_document

if TYPE_CHECKING:
    from reader.store.storage import DurableStorage

__all__ = ["DocumentTable"]


class DocumentTable(Table):
    """A TinyDB table whose documents are replaced whole and never changed in place.

    :class:`DurableStorage` reuses a document's JSON for as long as the same object is in
    the table, so an in-place change would never reach the disk. TinyDB's ``update``,
    ``update_multiple`` and ``upsert`` change documents in place and are refused; use
    :meth:`put_many`. Documents returned by :meth:`documents` are the stored objects
    themselves: read them, never change them.
    """

    def documents(self) -> Mapping[str, Mapping[str, Any]]:
        """The stored documents by doc id (a decimal string), without copying.

        Raises:
            RuntimeError: after a light open, the annotations were not read (the store
                calls ``DurableStorage.load_full`` first; this is a bug).
        """
        if self.name == "annotations" and self._partial():
            raise RuntimeError("the annotations were not read (light open)")
        return self._read_table()

    def stored(self, doc_id: int) -> Mapping[str, Any] | None:
        """The document stored under ``doc_id`` in memory (one this store just wrote is
        there even after a light open)."""
        return self._read_table().get(str(doc_id))

    def _partial(self) -> bool:
        durable = _durable(self._storage)
        return durable is not None and durable.partial

    def _get_next_id(self) -> int:
        """TinyDB's next doc id, and never one the annotations on disk hold after a
        light open (:meth:`DurableStorage.next_id_floor`)."""
        durable = _durable(self._storage)
        if self._next_id is None and durable is not None:
            floor = durable.next_id_floor(self.name)
            if floor:
                table = self._read_table()
                self._next_id = max(floor, max(map(int, table), default=0) + 1)  # type: ignore[assignment]
        next_id: int = super()._get_next_id()
        return next_id

    def add(self, document: Mapping[str, Any]) -> int:
        """Store a new document under the next free doc id and return the id."""
        doc_id: int = self._get_next_id()
        self.put_many({doc_id: document})
        return doc_id

    def put_many(self, documents: Mapping[int, Mapping[str, Any] | None]) -> None:
        """Store each document under its doc id, replacing what was there; None deletes.

        One write to the storage (and so one save, outside a batch) for all of them. This
        works on the stored table directly, without TinyDB's ``_update_table``, which
        converts every doc id of the table to int and back on each write.

        Every document is checked against its table's shape first
        (:func:`~reader.store.validation.check_document`): what the store writes, it can
        read back.

        Raises:
            DocumentError: a document does not have its table's shape (nothing is
                stored); a ValueError naming the table, doc id and field.
        """
        if not documents:
            return
        for doc_id, document in documents.items():
            if document is not None:
                check_document(self.name, str(doc_id), document)
        tables = self._storage.read() or {}
        durable = _durable(self._storage)
        if durable is not None:
            durable.touch(self.name, map(str, documents))
        table = tables.setdefault(self.name, {})
        for doc_id, document in documents.items():
            if document is None:
                table.pop(str(doc_id), None)
            else:
                table[str(doc_id)] = dict(document)
        if self._next_id is not None:
            # Keep TinyDB's id counter past any id stored here (as Table.insert would).
            self._next_id = max(self._next_id, max(documents) + 1)
        self._storage.write(tables)
        self.clear_cache()

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: it would change a document in place (see the class docstring)."""
        raise TypeError("DocumentTable documents are replaced with put_many(), not updated")

    def update_multiple(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: it would change documents in place (see the class docstring)."""
        raise TypeError("DocumentTable documents are replaced with put_many(), not updated")

    def upsert(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: it would change a document in place (see the class docstring)."""
        raise TypeError("DocumentTable documents are replaced with put_many(), not upserted")


def _durable(storage: object) -> DurableStorage | None:
    """*storage* if it is reader's (which is told what each write changed, and may hold
    only part of the annotations), else None."""
    from reader.store.storage import DurableStorage  # it imports this module

    return storage if isinstance(storage, DurableStorage) else None
