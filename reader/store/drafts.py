"""Drafts: the text of a note being written, kept while it is typed so that a closed
terminal, a kill or a crash does not lose it (a part of
:class:`~reader.store.annotation_store.AnnotationStore`). Never undone, never in the undo
journal, never a note: not in the annotations, the exports or the search index.

One document a draft, in the ``drafts`` table (schema 6): ``{"key", "sha256", "path",
"title", "target", "annotation", "body", "saved", "owner"}``. The key is the caller's name for
what the note is for (the app: a new note on an article, by its content hash; on a
passage, by the hash and the passage's place; an existing note, by its id); the article
is named as notes name it (content hash, path, title: either finds it again, a moved file
by its hash, an edited one by its path); ``target`` is the passage (the selectors of an
annotation's target) or null; ``annotation`` is the id of the note being edited, "" for a
new note; ``saved`` is when the draft was written, ISO-8601 UTC; ``owner`` (optional:
absent or null in a draft no editor holds) is the editor writing it, ``{"pid", "started",
"editor"}`` (:class:`DraftOwner`): two apps on one database each write and remove their own
draft of the same note, never the other's while its process lives (a pid reused later is
told apart by its start time). One draft a key and owner.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reader.store import model
from reader.store.model import ArticleRef
from reader.store.store_core import StoreCore
from reader.store.validation import check_target_shape

__all__ = ["Draft", "DraftOwner", "Drafts"]

_Document = Mapping[str, Any]

_HELD: set[str] = set()
"""The editors of this process that are open (their nonces): a draft of this process
whose editor closed is no one's (a test's second app, in the same process, takes it)."""


def _stat(pid: int) -> tuple[str, str]:
    """Process *pid*'s state letter and start (as the system counts it), from /proc;
    ("", "") where there is none."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return fields[0].decode("ascii"), fields[19].decode("ascii")  # state, starttime
    except (OSError, IndexError, UnicodeDecodeError):
        return "", ""


def process_started(pid: int) -> str:
    """When process *pid* started, as the system counts it ("" if it cannot say): with the
    pid, it names one process (a pid reused later has another start)."""
    return _stat(pid)[1]


def _process_lives(pid: int, started: str) -> bool:
    if pid <= 0 or sys.platform == "win32":  # os.kill would end it there: cannot tell
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's: it lives
    except OSError:
        return False
    state, now = _stat(pid)
    if state in ("Z", "X"):  # killed, not yet reaped: it writes nothing more
        return False
    return not started or now in ("", started)


@dataclass(frozen=True)
class DraftOwner:
    """The note editor writing a draft: its process (pid and start) and a nonce."""

    pid: int
    started: str
    """The process's start (:func:`process_started`), "" unknown."""
    editor: str
    """A nonce naming one editor (several in one process, one after the other)."""

    @classmethod
    def new(cls) -> DraftOwner:
        """An owner for an editor of this process (held: see :meth:`hold`)."""
        owner = cls(os.getpid(), process_started(os.getpid()), uuid.uuid4().hex)
        owner.hold()
        return owner

    def hold(self) -> None:
        """This process's editor is open: its drafts are not to be taken."""
        _HELD.add(self.editor)

    def release(self) -> None:
        """This process's editor closed: its drafts are no one's now."""
        _HELD.discard(self.editor)

    def alive(self) -> bool:
        """Whether the editor may still be writing: its process lives (in this process:
        the editor is open)."""
        if self.pid == os.getpid() and self.started == process_started(self.pid):
            return self.editor in _HELD
        return _process_lives(self.pid, self.started)

    def to_document(self) -> dict[str, Any]:
        return {"pid": self.pid, "started": self.started, "editor": self.editor}

    @classmethod
    def from_document(cls, document: _Document | None) -> DraftOwner | None:
        if document is None:
            return None
        return cls(document["pid"], document["started"], document["editor"])


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
    owner: DraftOwner | None = None
    """The editor writing it (None: no one's)."""

    def held_elsewhere(self, me: DraftOwner | None = None) -> bool:
        """Whether another editor (not *me*) that still lives is writing it."""
        return self.owner is not None and self.owner != me and self.owner.alive()

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
            DraftOwner.from_document(document.get("owner")),
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
        """The draft kept under *key* (the oldest, when several editors keep one), or None."""
        return next((draft for draft in self.drafts() if draft.key == key), None)

    def set_draft(
        self,
        key: str,
        article: ArticleRef,
        body: str,
        target: dict[str, Any] | None = None,
        annotation: str = "",
        owner: DraftOwner | None = None,
    ) -> Draft:
        """Keep *body* as *owner*'s draft under *key* (replacing the one there: never
        another owner's); return it as kept. Not undoable; one save (a journalled append
        on a large file).

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
        if owner is not None:
            document["owner"] = owner.to_document()
        with self._changing("keep a draft", undoable=False, light=True):
            found = self._find_draft(key, owner)
            if found is None:
                self._drafts.add(document)
            else:
                self._drafts.put_many({found[0]: document})
        return Draft.from_document(document)

    def delete_draft(self, key: str, owner: DraftOwner | None = None) -> bool:
        """Forget *owner*'s draft under *key*; with no *owner* (``reader drafts --drop``),
        the drafts under *key* that no living editor writes. Return whether one went
        (nothing is written when none did). Not undoable."""
        with self._changing("drop a draft", undoable=False, light=True):
            return self._drop_drafts(key, owner)

    def claim_draft(self, draft: Draft, owner: DraftOwner, mine: str = "") -> Draft | None:
        """*owner*'s editor starts from *draft*: it is *owner*'s from now on, unless another
        living editor has it (None: not taken). *owner*'s own draft under *mine* (typed
        before *draft* was found: the editor shows both) goes in the same save."""
        with self._changing("take a draft", undoable=False, light=True):
            found = self._find_draft(draft.key, draft.owner)
            if found is None:
                return None
            taken = Draft.from_document(found[1])
            if taken.held_elsewhere(owner):
                return None
            if mine and (mine, owner) != (draft.key, draft.owner):
                self._drop_drafts(mine, owner)
            document = {**found[1], "owner": owner.to_document()}
            self._drafts.put_many({found[0]: document})
            return Draft.from_document(document)

    def _drop_drafts(self, key: str, owner: DraftOwner | None) -> bool:
        """In a change: remove *owner*'s draft under *key* (see :meth:`delete_draft`)."""
        gone: dict[int, None] = {}
        for doc_id, document in self._drafts.documents().items():
            if document["key"] != key:
                continue
            draft = Draft.from_document(document)
            if draft.owner == owner if owner is not None else not draft.held_elsewhere():
                gone[int(doc_id)] = None
        if gone:
            self._drafts.put_many(gone)
        return bool(gone)

    def _find_draft(
        self, key: str, owner: DraftOwner | None = None
    ) -> tuple[int, _Document] | None:
        """The draft under *key* whose owner is *owner*."""
        for doc_id, document in self._drafts.documents().items():
            if document["key"] == key and DraftOwner.from_document(document.get("owner")) == owner:
                return int(doc_id), document
        return None
