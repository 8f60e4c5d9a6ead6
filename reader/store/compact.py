"""The annotations table in memory: each document kept as its JSON text, decoded when read.

100,000 annotations as Python dicts take about 300 MB (six times their 50 MB of JSON:
every document is a dict of dicts, its keys and strings objects of their own), and the
garbage collector walks all of them on each full pass, holding the screen's thread. As
text they take a little more than the file, and the collector never looks at them.
:class:`AnnotationTable` is a mutable mapping of doc id to document like the other tables,
so TinyDB and the storage use it as they use a dict; each document read is decoded anew
(microseconds; callers read one article's at a time), and the store finds those through
its index by article and its set of corrections rather than by decoding every document.

A document written in memory is kept as given until the table is encoded for a save,
then as the JSON written. The documents read from the file keep the file's own text; they
are checked as they are read (:meth:`AnnotationTable.add_json`), the others by
``schema.check_tables``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

__all__ = ["AnnotationTable"]

_Document = dict[str, Any]


class AnnotationTable(MutableMapping[str, _Document]):
    """Annotation documents by doc id, kept as JSON text, indexed by article and kind."""

    def __init__(self, check: Callable[[str, Any], None] | None = None) -> None:
        """An empty table; ``check(doc_id, document)`` checks each document read from the
        file (:meth:`add_json`) and raises ValueError for a bad one."""
        self._check = check
        self._documents: dict[str, str | _Document] = {}
        self._by_article: dict[str, set[str]] = {}
        self._corrections: set[str] = set()
        self._problems: dict[str, str] = {}
        self._ids: dict[str, str] | None = {} if check is not None else None
        """doc id -> annotation id while the table is being read (for the duplicate
        check); None once :meth:`seal` has dropped it."""
        self._unchecked: set[str] = set()

    # The mapping.

    def __getitem__(self, doc_id: str) -> _Document:
        document = self._documents[doc_id]
        if isinstance(document, str):
            decoded: _Document = json.loads(document)
            return decoded
        return document

    def __setitem__(self, doc_id: str, document: _Document) -> None:
        self._forget(doc_id)
        self._documents[doc_id] = document
        self._unchecked.add(doc_id)
        self._index(doc_id, document)

    def __delitem__(self, doc_id: str) -> None:
        self._forget(doc_id)
        del self._documents[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._documents)

    def __len__(self) -> int:
        return len(self._documents)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._documents

    def __repr__(self) -> str:
        return f"AnnotationTable({len(self)} documents)"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MutableMapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    # Reading the file.

    def add_json(self, doc_id: str, text: str, document: Any) -> None:
        """Add a document read from the file: its JSON ``text``, and ``document``, the
        same decoded, which the table's check checks (a ValueError is kept and reported
        by :meth:`problem`)."""
        self._forget(doc_id)
        self._documents[doc_id] = text
        try:
            if self._check is not None:
                self._check(doc_id, document)
        except ValueError as error:
            self._problems[doc_id] = str(error)
            return
        self._index(doc_id, document)

    def problem(self) -> str | None:
        """The first problem :meth:`add_json` found in a document still in the table."""
        return next(iter(self._problems.values()), None)

    def unchecked(self) -> Iterator[tuple[str, _Document]]:
        """The documents written in memory since the last :meth:`seal`, unchecked."""
        for doc_id in list(self._unchecked):
            yield doc_id, self[doc_id]

    def duplicate(self) -> tuple[str, str] | None:
        """A doc id whose annotation id an earlier document has, with that id, or None
        (while the table is being read)."""
        if self._ids is None:
            return None
        seen: set[str] = set()
        for doc_id, annotation_id in self._ids.items():
            if annotation_id in seen:
                return doc_id, annotation_id
            seen.add(annotation_id)
        return None

    def seal(self) -> None:
        """The table is checked: drop what only the checks needed."""
        self._ids = None
        self._unchecked.clear()

    # Finding documents.

    def doc_ids(self, *, article: str | None = None, corrections: bool = False) -> list[str]:
        """The doc ids of one article's documents, or of the corrections (both: of the
        corrections of that article), in the table's order."""
        found: set[str] | None = None
        if article is not None:
            found = set(self._by_article.get(article, ()))
        if corrections:
            found = self._corrections & found if found is not None else set(self._corrections)
        if found is None:
            return list(self._documents)
        return sorted(found, key=int)

    def has_article(self, sha256: str) -> bool:
        """Whether any document is an annotation of the article ``sha256``."""
        return bool(self._by_article.get(sha256))

    def find(self, annotation_id: str) -> str | None:
        """The doc id of the annotation ``annotation_id``, or None."""
        needle = f'"id":{json.dumps(annotation_id)}'
        for doc_id, document in self._documents.items():
            if isinstance(document, str) and needle not in document:
                continue
            if self[doc_id].get("id") == annotation_id:
                return doc_id
        # A file written by hand may space its JSON: look at every document.
        for doc_id in self._documents:
            if self[doc_id].get("id") == annotation_id:
                return doc_id
        return None

    # Saving.

    def encoded(self, encode: Callable[[str, Any], bytes]) -> Iterator[bytes]:
        """Each document as ``"<doc id>":<JSON>``, in order; a document written in
        memory is encoded with ``encode(doc_id, document)`` and kept as that JSON."""
        documents = self._documents
        for doc_id, document in documents.items():
            if isinstance(document, str):
                yield json.dumps(doc_id).encode() + b":" + document.encode("utf-8")
            else:
                part = encode(doc_id, document)
                documents[doc_id] = part[part.index(b":") + 1 :].decode("utf-8")
                yield part

    # The index.

    def _index(self, doc_id: str, document: Any) -> None:
        if not isinstance(document, dict):
            return
        sha256 = document.get("article_sha256")
        if isinstance(sha256, str):
            self._by_article.setdefault(sha256, set()).add(doc_id)
        if document.get("kind") == "correction":
            self._corrections.add(doc_id)
        if self._ids is not None and isinstance(document.get("id"), str):
            self._ids[doc_id] = document["id"]

    def _forget(self, doc_id: str) -> None:
        if doc_id not in self._documents:
            return
        self._problems.pop(doc_id, None)
        self._unchecked.discard(doc_id)
        self._corrections.discard(doc_id)
        if self._ids is not None:
            self._ids.pop(doc_id, None)
        try:
            old = self[doc_id]
        except ValueError:
            old = None
        sha256 = old.get("article_sha256") if isinstance(old, dict) else None
        if isinstance(sha256, str):
            held = self._by_article.get(sha256)
            if held is not None:
                held.discard(doc_id)
                if not held:
                    del self._by_article[sha256]
