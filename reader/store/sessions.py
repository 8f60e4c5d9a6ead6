"""Where each library was left: the article last opened and the filter's query, so that
the app reopens on them (a part of :class:`~reader.store.annotation_store.AnnotationStore`).
Never undone, never in the undo journal, as the reading state.

One document a library, in the ``sessions`` table (schema 5): ``{"library", "sha256",
"path", "query"}``. The library is a key the caller makes of its folders (the app: the
SHA-256 of its resolved paths), so that one database serving several libraries keeps
each one's place; the article is named by its content hash and its path (either finds it
again: an edited file by its path, a moved one by its hash); the query is the filter's
text as typed ("" when the list was not filtered). Where in the article is the reading
table's position.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reader.store import model
from reader.store.model import ArticleRef
from reader.store.store_core import StoreCore

__all__ = ["Session", "Sessions"]

_Document = Mapping[str, Any]

MAX_QUERY = 10_000
"""The longest query kept (code points); a longer one is kept as "" (not filtered)."""


@dataclass(frozen=True)
class Session:
    """Where a library was left."""

    sha256: str
    """The content hash of the article last opened."""
    path: str
    """Its path then."""
    query: str
    """The filter's query in force ("" for none)."""


class Sessions(StoreCore):
    """The place each library was left, one document a library."""

    def session(self, library: str) -> Session | None:
        """Where the library keyed *library* was left, or None."""
        with self._reading(light=True):
            found = self._find_session(library)
            if found is None:
                return None
            document = found[1]
            return Session(document["sha256"], document["path"], document["query"])

    def set_session(self, library: str, article: ArticleRef, query: str) -> bool:
        """Remember that the library keyed *library* was left on *article* with the filter's
        *query* ("" for none); return whether that changed what was kept (nothing is
        written when it did not). Not undoable.

        Raises:
            TypeError: *library* or *query* is not a string, or *article* not an ArticleRef.
            ValueError: *library* is empty.
        """
        if not isinstance(library, str) or not isinstance(query, str):
            raise TypeError("the library key and the query must be strings")
        if not library:
            raise ValueError("the library key cannot be empty")
        model.check_article(article)
        if len(query) > MAX_QUERY:
            query = ""
        document = {
            "library": library,
            "sha256": article.sha256,
            "path": article.path,
            "query": query,
        }
        with self._mutex:
            with self._reading(light=True):
                found = self._find_session(library)
                if found is not None and dict(found[1]) == document:
                    return False
            with self._changing("remember where the library was left", undoable=False, light=True):
                found = self._find_session(library)
                if found is None:
                    self._sessions.add(document)
                elif dict(found[1]) != document:
                    self._sessions.put_many({found[0]: document})
                return True

    def _find_session(self, library: str) -> tuple[int, _Document] | None:
        for doc_id, document in self._sessions.documents().items():
            if document["library"] == library:
                return int(doc_id), document
        return None
