"""Which articles are read and where each was left: never undone, never in the undo
journal (a part of :class:`~reader.store.annotation_store.AnnotationStore`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from reader.store import model
from reader.store.model import ArticleRef, Reading
from reader.store.store_core import StoreCore

__all__ = ["ReadingState"]

_Document = Mapping[str, Any]


class ReadingState(StoreCore):
    """Read marks and reading positions, one ``reading`` document per article."""

    def set_read(self, article: ArticleRef, read: bool) -> bool:
        """Mark an article read or unread; return True if that changed it.

        Not undoable, and it leaves the undo history as it is: the app marks articles read
        by itself once they have been read to the end, and `u` must undo the user's last
        tag or note, not that; `m` toggles the mark back just as cheaply. The article's
        path and title are updated with the mark.

        Raises:
            TypeError: ``read`` is not a bool, or ``article`` not an ArticleRef.
        """
        if not isinstance(read, bool):
            raise TypeError(f"read must be True or False, not {type(read).__name__}")
        model.check_article(article)
        with self._changing("mark an article read", undoable=False, light=True):
            found = self._find_reading(article.sha256)
            if (found is not None and found[1]["read"]) == read:
                return False
            self._save_reading(article, found, read=read)
            return True

    def is_read(self, sha256: str) -> bool:
        """Whether the article with this hash is marked read."""
        with self._reading(light=True):
            found = self._find_reading(sha256)
            return found is not None and bool(found[1]["read"])

    def read_articles(self) -> frozenset[str]:
        """The hashes of every article marked read."""
        with self._reading(light=True):
            return frozenset(
                document["sha256"]
                for document in self._reading_table.documents().values()
                if document["read"]
            )

    def set_position(self, article: ArticleRef, offset: int) -> None:
        """Remember where the user left an article: the code-point offset into its
        displayed text of the top line shown.

        Nothing is written when the article already has this position (and path and
        title): the app calls this whenever the user leaves an article. Not undoable.

        Raises:
            TypeError: ``offset`` is not an int, or ``article`` not an ArticleRef.
            ValueError: ``offset`` is negative.
        """
        model.check_article(article)
        model.check_position(offset)
        with self._mutex:
            with self._reading(light=True):
                found = self._find_reading(article.sha256)
                if found is not None and found[1] == self._reading_document(
                    article, read=found[1]["read"], position=offset
                ):
                    return
            with self._changing("save the reading position", undoable=False, light=True):
                found = self._find_reading(article.sha256)
                self._save_reading(article, found, position=offset)

    def position(self, sha256: str) -> int | None:
        """Where the user left the article with this hash (see :meth:`set_position`), or
        None."""
        with self._reading(light=True):
            found = self._find_reading(sha256)
            return None if found is None else cast(int | None, found[1]["position"])

    def positions(self) -> dict[str, int]:
        """Every saved reading position, by article hash."""
        with self._reading(light=True):
            return {
                document["sha256"]: document["position"]
                for document in self._reading_table.documents().values()
                if document["position"] is not None
            }

    def reading(self) -> list[Reading]:
        """Every article marked read or with a position, in the order first seen."""
        with self._reading(light=True):
            documents = self._reading_table.documents()
            return [Reading.from_document(documents[i]) for i in sorted(documents, key=int)]

    def _find_reading(self, sha256: str) -> tuple[int, _Document] | None:
        for doc_id, document in self._reading_table.documents().items():
            if document["sha256"] == sha256:
                return int(doc_id), document
        return None

    @staticmethod
    def _reading_document(
        article: ArticleRef, *, read: bool, position: int | None
    ) -> dict[str, Any]:
        return {
            "sha256": article.sha256,
            "path": article.path,
            "title": article.title,
            "read": read,
            "position": position,
        }

    def _save_reading(
        self,
        article: ArticleRef,
        found: tuple[int, _Document] | None,
        *,
        read: bool | None = None,
        position: int | None = None,
    ) -> None:
        """Write an article's reading document (outside the journal: never undone), with
        its current path and title; ``read`` or ``position`` None keeps what ``found``
        has. The document is dropped once it is unread with no position."""
        was_read, was_at = (
            (False, None) if found is None else (found[1]["read"], found[1]["position"])
        )
        document = self._reading_document(
            article,
            read=was_read if read is None else read,
            position=was_at if position is None else position,
        )
        empty = not document["read"] and document["position"] is None
        if found is None:
            if not empty:
                self._reading_table.add(document)
        elif empty:
            self._reading_table.put_many({found[0]: None})
        elif document != found[1]:
            self._reading_table.put_many({found[0]: document})

    def _relink_reading(self, old_sha256: str, new: ArticleRef) -> None:
        old = self._find_reading(old_sha256)
        if old is None:
            return
        if old_sha256 == new.sha256:
            self._save_reading(new, old)
            return
        current = self._find_reading(new.sha256)
        self._reading_table.put_many({old[0]: None})
        # The new text's own position wins; else the old one's.
        position = old[1]["position"]
        if current is not None and current[1]["position"] is not None:
            position = current[1]["position"]
        read = old[1]["read"] or (current is not None and current[1]["read"])
        self._save_reading(new, current, read=read, position=position)
