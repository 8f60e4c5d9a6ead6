"""Drafts: the text of a note being written, kept while it is typed so that a closed
terminal, a kill or a crash does not lose it (a part of
:class:`~reader.store.annotation_store.AnnotationStore`). Never undone, never in the undo
journal, never a note: not in the annotations, the exports or the search index.

One document a draft, in the ``drafts`` table (schema 6): ``{"key", "sha256", "path",
"title", "target", "annotation", "body", "saved"}``. The key is the caller's name for
what the note is for (the app: a new note on an article, by its content hash; on a
passage, by the hash and the passage's place; an existing note, by its id); the article
is named as notes name it (content hash, path, title: either finds it again, a moved file
by its hash, an edited one by its path); ``target`` is the passage (the selectors of an
annotation's target) or null; ``annotation`` is the id of the note being edited, "" for a
new note; ``saved`` is when the draft was written, ISO-8601 UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reader.store import model
from reader.store.model import ArticleRef
from reader.store.store_core import StoreCore
from reader.store.validation import check_target_shape

__all__ = ["Draft", "Drafts"]

_Document = Mapping[str, Any]


@dataclass(frozen=True)
class Draft:
    """A note being written, as last kept."""

    key: str
    """What the note is for, in the caller's words (one draft a key)."""
    article: ArticleRef
    """The article it is on (as notes name it)."""
    target: dict[str, Any] | None
    """The passage (an annotation target's selectors), or None: the whole article."""
    annotation: str
    """The id of the note being edited; "" for a new note."""
    body: str
    """The text as typed."""
    saved: str
    """When it was kept, ISO-8601 UTC (``2026-11-27T11:00:00Z``)."""

    @classmethod
    def from_document(cls, document: _Document) -> Draft:
        """Build from a ``drafts`` document."""
        return cls(
            document["key"],
            ArticleRef(document["path"], document["sha256"], document["title"]),
            model.copy_json(document["target"]),
            document["annotation"],
            document["body"],
            document["saved"],
        )


class Drafts(StoreCore):
    """The notes being written, one document a key."""

    def drafts(self) -> list[Draft]:
        """Every draft, the oldest kept first."""
        with self._reading(light=True):
            documents = self._drafts.documents()
            found = [Draft.from_document(documents[i]) for i in sorted(documents, key=int)]
            return sorted(found, key=lambda draft: draft.saved)

    def draft(self, key: str) -> Draft | None:
        """The draft kept under *key*, or None."""
        with self._reading(light=True):
            found = self._find_draft(key)
            return None if found is None else Draft.from_document(found[1])

    def set_draft(
        self,
        key: str,
        article: ArticleRef,
        body: str,
        target: dict[str, Any] | None = None,
        annotation: str = "",
    ) -> Draft:
        """Keep *body* as the draft under *key* (replacing the one there); return it as
        kept. Not undoable; one save (a journalled append on a large file).

        Raises:
            TypeError: a field is not of its type (*article* not an ArticleRef).
            ValueError: *key* is empty, or *target* is not a target's shape.
        """
        if not isinstance(key, str) or not isinstance(annotation, str):
            raise TypeError("the draft's key and annotation id must be strings")
        if not key:
            raise ValueError("a draft's key cannot be empty")
        model.check_article(article)
        body = model.check_body(body)
        if target is not None:
            target = model.storable(target, "the draft's target")
            check_target_shape(target, "target")
        document = {
            "key": key,
            "sha256": article.sha256,
            "path": article.path,
            "title": article.title,
            "target": target,
            "annotation": annotation,
            "body": body,
            "saved": model.utc_now(),
        }
        with self._changing("keep a draft", undoable=False, light=True):
            found = self._find_draft(key)
            if found is None:
                self._drafts.add(document)
            else:
                self._drafts.put_many({found[0]: document})
        return Draft.from_document(document)

    def delete_draft(self, key: str) -> bool:
        """Forget the draft under *key*; return whether there was one (nothing is written
        when there was not). Not undoable."""
        with self._mutex:
            with self._reading(light=True):
                if self._find_draft(key) is None:
                    return False
            with self._changing("drop a draft", undoable=False, light=True):
                found = self._find_draft(key)
                if found is None:
                    return False
                self._drafts.put_many({found[0]: None})
                return True

    def _find_draft(self, key: str) -> tuple[int, _Document] | None:
        for doc_id, document in self._drafts.documents().items():
            if document["key"] == key:
                return int(doc_id), document
        return None
