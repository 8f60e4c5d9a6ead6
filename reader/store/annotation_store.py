"""AnnotationStore: the tags, notes, highlights, corrections, reading state and saved
views of reader, on disk."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from tinydb import TinyDB

from reader.store import model, schema
from reader.store.compact import AnnotationTable
from reader.store.errors import StoreChangedOnDisk, StoreError, StoreLocked, StoreReadOnly
from reader.store.journal import Change, ChangedSince, Journal, counted, quoted, tag_list
from reader.store.lock import WriteLock
from reader.store.model import KINDS, Annotation, ArticleRef, Reading, View
from reader.store.storage import DocumentTable, DurableStorage

__all__ = ["AnnotationStore"]

_Document = Mapping[str, Any]


class _Database(TinyDB):
    """TinyDB with tables whose documents are replaced whole (see DocumentTable)."""

    table_class = DocumentTable


class AnnotationStore:
    """The annotations file: article tags, notes, highlights, entity corrections, which
    articles are read and where each was left, and the saved searches ("views").

    Every method that changes something returns only once the change is on disk (written
    to a temporary file, fsynced, renamed over the database, folder fsynced). Each change
    is one turn: take the OS lock on ``<file>.lock`` (waiting up to ``wait`` seconds for
    another writer's turn), read the file again if another writer changed it since this
    store last looked (by its signature: inode, size, mtime, ctime), apply the change to
    that latest state, save, and let go. So the app and any number of commands write the
    same file in turn, none locked out for longer than a save. :meth:`refresh` reads
    others' changes between turns.

    Two writers changing the same annotation: the later save wins, and the one who saved
    later can undo it (its journal holds the earlier version it replaced).

    A store is read-only when asked, or when the file cannot really be written (its mode
    is read-only, or its folder or file system is): :attr:`read_only_reason` says which.
    Read-only stores take no lock and see the writers' saves.

    The store is safe to share between threads: every method holds one lock while it runs.
    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: Path, *, read_only: bool = False, wait: float = 0.0) -> None:
        """Open the annotations file at ``path``; it is created on the first change.

        Args:
            path: The database file. A writable store creates its folder at once (the
                lock file ``<name>.lock`` lives next to it) and the file itself when the
                first change is saved. A file from an older schema version is migrated
                and saved, the original kept as ``<name>.v<version>.bak``.
            read_only: Take no lock and refuse every change (:class:`StoreReadOnly`).
            wait: Seconds each change waits for another writer's turn (a save takes
                milliseconds; the lock is held only while one is made).

        Raises:
            StoreLocked: the file needs migrating and another writer kept its turn for
                longer than ``wait``.
            StoreCorrupt: the file is not JSON, not reader's schema, or from a newer
                reader. The file is left exactly as it was.
            StoreError: the file or its lock cannot be read or created.
        """
        if wait < 0:
            raise ValueError("wait must be zero or more seconds")
        self.path = Path(path)
        """The database file."""
        self.read_only = read_only
        """True if the store refuses changes."""
        self.read_only_reason: str | None = "opened read-only" if read_only else None
        """Why the store refuses changes (asked for, or the file cannot be written)."""
        self.wait = wait
        """Seconds each change waits for another writer's turn."""
        self._mutex = threading.RLock()
        self.before_loading: Callable[[], None] | None = None
        """Called, in the thread that needs them, before the annotations are read after a
        light open (the app waits there until its first frame is on screen)."""
        self._journal = Journal()
        self._closed = False
        self._turns = 0
        if not read_only:
            self._refuse_writes_if_unwritable()
        lock = None
        if not self.read_only:
            try:
                lock = WriteLock.acquire(self.path)  # tidying up never waits for a turn
            except StoreReadOnly as error:
                self._become_read_only(f"{error.message}; annotations are shown read-only")
            except StoreLocked:
                lock = None  # another writer's turn: tidying up and migrating can wait
        try:
            self._db = _Database(self.path, storage=DurableStorage, read_only=self.read_only)
            self._storage = cast(DurableStorage, self._db.storage)
            if lock is not None:
                self._storage.remove_stale_temp_files()
            # A bad file fails here, not at the first change. A writable store of a large
            # file reads only its summary and journal when it can (a command adding a
            # note), and the annotations when first asked for them.
            self._storage.open(light=not self.read_only)
            found = self._storage.found_version
            if not self.read_only and found is not None and found < schema.SCHEMA_VERSION:
                if lock is None:
                    lock = WriteLock.acquire(self.path, wait=self.wait)
                    self._storage.discard()
                    self._storage.read()
                # Keep the original next to the migrated file, in case of a migration bug.
                self._storage.copy_file(self.path.with_name(f"{self.path.name}.v{found}.bak"))
                self._storage.mark_dirty()
                self._storage.flush()
        finally:
            if lock is not None:
                lock.release()
        self._meta = self._table("meta")
        self._articles = self._table("articles")
        self._annotations = self._table("annotations")
        self._reading_table = self._table("reading")
        self._views = self._table("views")

    def _refuse_writes_if_unwritable(self) -> None:
        """Open read-only, saying why, when the file's own mode forbids writing: reader
        replaces the file by renaming a new one over it, which the folder would allow,
        but a file made read-only is meant to stay as it is (even for root)."""
        try:
            mode = os.stat(self.path).st_mode
        except OSError:
            return
        if not stat.S_ISREG(mode):
            return
        if not mode & 0o222 or not os.access(self.path, os.W_OK):
            self._become_read_only(
                f"the file is read-only (mode {stat.S_IMODE(mode):04o}), so reader does not "
                "change it; annotations are shown read-only (make it writable, e.g. chmod "
                "u+w, to change them)"
            )

    def _become_read_only(self, reason: str) -> None:
        self.read_only = True
        self.read_only_reason = reason

    def __repr__(self) -> str:
        return f"AnnotationStore({str(self.path)!r}, read_only={self.read_only})"

    def close(self) -> None:
        """Forget the memory copy; the store cannot be used afterwards. Safe to repeat.
        (No lock is held between changes, so there is none to release.)"""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            self._db.close()

    def refresh(self) -> bool:
        """Read the file again if another writer (or program) changed it since this store
        last read or wrote it; return True if it did. A stat when nothing changed.

        Raises:
            StoreCorrupt: the file on disk is no longer one reader can read (what this
                store held is kept).
            StoreError: the file cannot be read.
        """
        with self._reading(light=True):
            if self._turns:
                return False
            if self._storage.refresh():
                self._forget_next_ids()
                return True
            return False

    def take_notices(self) -> list[str]:
        """What the user should hear about the file since last asked (it vanished and is
        written again whole, it was empty and is kept as a .bak), one line each."""
        with self._mutex:
            notices, self._storage.notices = self._storage.notices, []
            return notices

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def schema_version(self) -> int:
        """The schema version of the database (always the current one once opened)."""
        with self._reading(light=True):
            version: int = self._meta.documents()[schema.META_ID]["schema_version"]
            return version

    # Tags.

    def tags(self, sha256: str) -> list[str]:
        """The tags of the article with this hash, in the order they were added."""
        with self._reading(light=True):
            found = self._find_article(sha256)
            return [] if found is None else list(found[1]["tags"])

    def add_tags(self, article: ArticleRef, tags: Iterable[str]) -> list[str]:
        """Tag an article; return the tags that were new to it.

        Tags are stripped; case is kept, but a tag that differs from one already there only
        by case is not added again. The article's path and title are updated with the tags.
        Every tag must follow the one rule (:data:`~reader.store.model.TAG_RULE`).

        Raises:
            ValueError: a tag breaks the rule: empty, a comma, a control character, too
                long (nothing is changed).
            TypeError: ``tags`` is a single string, or holds something else than strings.
        """
        with self._changing("add tags", light=True) as change:
            cleaned = model.clean_tags(tags)
            current = self.tags(article.sha256)
            have = {tag.casefold() for tag in current}
            added = [tag for tag in cleaned if tag.casefold() not in have]
            if added:
                self._save_article(change, article, tags=current + added)
                change.description = f"added {tag_list(added)} to {quoted(article.title)}"
            return added

    def remove_tags(self, article: ArticleRef, tags: Iterable[str]) -> list[str]:
        """Untag an article (matching case-insensitively); return the tags removed. A tag
        stored before the tag rule (one with a comma, say) can be removed too."""
        with self._changing("remove tags") as change:
            if isinstance(tags, str):
                raise TypeError("tags must be an iterable of strings, not a single string")
            drop = {model.tag_key(tag) for tag in tags}
            current = self.tags(article.sha256)
            removed = [tag for tag in current if model.tag_key(tag) in drop]
            if removed:
                kept = [tag for tag in current if model.tag_key(tag) not in drop]
                self._save_article(change, article, tags=kept)
                self._forget_article_if_empty(change, article.sha256)
                change.description = f"removed {tag_list(removed)} from {quoted(article.title)}"
            return removed

    def rename_tag(self, old: str, new: str) -> int:
        """Rename a tag (matched case-insensitively) on every article; return how many
        articles changed. Where an article already has ``new``, ``old`` is merged into it.
        ``new`` must follow the tag rule; ``old`` may be a tag stored before the rule.
        """
        with self._changing("rename a tag", light=True) as change:
            old_key, new = model.tag_key(old), model.clean_tag(new)
            changed: dict[int, _Document | None] = {}
            for doc_id, document in self._articles.documents().items():
                tags = document["tags"]
                renamed = model.dedupe_tags(new if model.tag_key(t) == old_key else t for t in tags)
                if renamed != tags:
                    changed[int(doc_id)] = {**document, "tags": renamed}
            if changed:
                self._journal.put(change, self._articles, changed)
                change.description = (
                    f"renamed tag {quoted(old)} to {quoted(new)} on "
                    f"{counted(len(changed), 'article')}"
                )
            return len(changed)

    def all_tags(self) -> list[str]:
        """Every tag in use, most used first (then alphabetically), for completion.

        Tags that differ only by case count as one, spelled the way most articles spell it.
        """
        with self._reading(light=True):
            spellings: dict[str, Counter[str]] = {}
            for document in self._articles.documents().values():
                for tag in document["tags"]:
                    spellings.setdefault(tag.casefold(), Counter())[tag] += 1
            ranked = sorted(spellings.items(), key=lambda kv: (-kv[1].total(), kv[0]))
            return [counter.most_common(1)[0][0] for _, counter in ranked]

    # Annotations.

    def add_note(
        self, article: ArticleRef, body: str, target: dict[str, Any] | None = None
    ) -> Annotation:
        """Add a note, on a passage (``target``) or on the whole article (None)."""
        return self._add(article, "note", body=body, target=target)

    def add_highlight(self, article: ArticleRef, target: dict[str, Any]) -> Annotation:
        """Highlight a passage (``target``: its selectors)."""
        return self._add(article, "highlight", target=target)

    def add_correction(
        self, article: ArticleRef, target: dict[str, Any], correction: dict[str, Any]
    ) -> Annotation:
        """Record an entity correction made at ``target`` (see ``model.check_correction``).

        Raises:
            ValueError: the correction's action, scope, label or text is not valid.
        """
        return self._add(article, "correction", target=target, correction=correction)

    def update(
        self,
        annotation_id: str,
        *,
        body: str | None = None,
        target: dict[str, Any] | None = None,
        correction: dict[str, Any] | None = None,
    ) -> Annotation:
        """Change an annotation's body, target or correction (None leaves each as it is);
        return the annotation as saved.

        ``modified`` is set to now if anything changed.

        Raises:
            KeyError: there is no annotation with this id.
            ValueError: ``correction`` is given for an annotation that is not a correction,
                or is not valid.
        """
        with self._changing("edit an annotation") as change:
            doc_id, document = self._find_annotation(annotation_id)
            updated = dict(document)
            if body is not None:
                updated["body"] = model.check_body(body)
            if target is not None:
                updated["target"] = model.check_target(target, required=True)
            if correction is not None:
                if document["kind"] != "correction":
                    raise ValueError(f"a {document['kind']} has no correction to change")
                updated["correction"] = model.check_correction(correction)
            if updated != document:
                updated["modified"] = model.utc_now()
                self._journal.put(change, self._annotations, {doc_id: updated})
                change.description = f"edited {self._label(updated)}"
            return Annotation.from_document(updated)

    def delete(self, annotation_id: str) -> Annotation:
        """Delete an annotation and return it.

        Raises:
            KeyError: there is no annotation with this id.
        """
        with self._changing("delete an annotation") as change:
            doc_id, document = self._find_annotation(annotation_id)
            change.description = f"deleted {self._label(document)}"
            self._journal.put(change, self._annotations, {doc_id: None})
            self._forget_article_if_empty(change, document["article_sha256"])
            return Annotation.from_document(document)

    def annotations(self, sha256: str | None = None, kind: str | None = None) -> list[Annotation]:
        """The annotations of one article (or all), of one kind (or all), oldest first.

        Raises:
            ValueError: ``kind`` is not one of ``model.KINDS``.
        """
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        with self._reading():
            return [
                Annotation.from_document(document)
                for _, document in self._annotation_items(
                    lambda d: (
                        (sha256 is None or d["article_sha256"] == sha256)
                        and (kind is None or d["kind"] == kind)
                    ),
                    article=sha256,
                    corrections=kind == "correction",
                )
            ]

    def iter_annotations(self, batch: int = 1000) -> Iterator[Annotation]:
        """Every annotation, oldest first, made ``batch`` at a time: a pass over 100,000
        without a list of them all (memory; see :mod:`reader.store.compact`). Another
        thread's change between two batches may or may not be seen."""
        with self._reading():
            doc_ids = sorted(self._annotation_table(), key=int)
        for start in range(0, len(doc_ids), batch):
            with self._reading():
                table = self._annotation_table()
                found = [
                    Annotation.from_document(table[doc_id])
                    for doc_id in doc_ids[start : start + batch]
                    if doc_id in table
                ]
            yield from found

    def corrections(self, sha256: str, *, wait: bool = True) -> list[Annotation] | None:
        """The corrections that apply to the article *sha256*: the global ones, then its own.

        With ``wait=False`` it returns None at once instead of waiting while another thread
        changes the store (a save may be on its way to the disk): the screen's thread asks
        this way, so that it never waits for the disk.
        """
        if not self._mutex.acquire(blocking=wait):
            return None
        if not wait and self._storage.partial:  # reading them takes seconds
            self._mutex.release()
            return None
        try:
            with self._reading():
                found = [
                    Annotation.from_document(document)
                    for _, document in self._annotation_items(
                        lambda d: (
                            d["kind"] == "correction"
                            and (
                                d["article_sha256"] == sha256
                                or (d.get("correction") or {}).get("scope") == "global"
                            )
                        ),
                        corrections=True,
                    )
                ]
        finally:
            self._mutex.release()
        return [a for a in found if _scope(a) == "global"] + [
            a for a in found if _scope(a) != "global" and a.article_sha256 == sha256
        ]

    def global_corrections(self) -> list[Annotation]:
        """The corrections whose scope is "global": rules applied to every article."""
        return [
            annotation
            for annotation in self.annotations(kind="correction")
            if annotation.correction is not None and annotation.correction["scope"] == "global"
        ]

    def articles(self) -> list[dict[str, Any]]:
        """Every article that has tags or annotations: ``{"path", "sha256", "title",
        "tags"}``, in the order the store first saw them."""
        with self._reading(light=True):
            documents = self._articles.documents()
            return [
                {
                    key: model.copy_json(documents[doc_id][key])
                    for key in ("path", "sha256", "title", "tags")
                }
                for doc_id in sorted(documents, key=int)
            ]

    def relink(self, old_sha256: str, new: ArticleRef) -> int:
        """Move an article's tags and annotations to its new hash after it changed on disk.

        Tags merge with any the new hash already has. The annotations keep their targets
        (re-anchoring them is the anchoring module's job). Returns how many annotations
        were moved (or, if the hash did not change, had their path updated).

        The article's reading state goes with it: marked read if either hash was, and
        the new hash's position if it has one, else the old one's (an offset into the old
        text: the caller keeps it within the new text).

        Not undoable, and it clears the undo history: the app relinks when it opens an
        edited article, which is not a change the user made (`u` must not undo it), and
        earlier changes were recorded against the old hash.
        """
        with self._changing("relink an article", undoable=False) as change:
            moved: dict[int, _Document | None] = {}
            model.check_article(new)
            self._relink_reading(old_sha256, new)
            for doc_id, document in self._annotation_items(
                lambda d: d["article_sha256"] == old_sha256, article=old_sha256
            ):
                relinked = {**document, "article_sha256": new.sha256, "article_path": new.path}
                if relinked != document:
                    moved[doc_id] = relinked
            old = self._find_article(old_sha256)
            if old is None and not moved:
                return 0
            tags = self.tags(new.sha256)
            if old is not None and old_sha256 != new.sha256:
                tags = model.dedupe_tags([*tags, *old[1]["tags"]])
                self._journal.put(change, self._articles, {old[0]: None})
            self._save_article(change, new, tags=tags)
            if moved:
                self._journal.put(change, self._annotations, moved)
            change.description = (
                f"relinked {quoted(new.title)} ({counted(len(moved), 'annotation')})"
            )
        self._journal.clear()
        return len(moved)

    def import_annotations(
        self,
        articles: Iterable[tuple[ArticleRef, Iterable[str]]],
        annotations: Iterable[Annotation],
        *,
        read: Iterable[ArticleRef] = (),
        views: Iterable[View] = (),
    ) -> list[Annotation]:
        """Add tags, annotations, read marks and views from an export: saved once.

        *articles* are each article's identity and tags: an article the store knows keeps
        its path and title and gets the tags it lacks (ignoring case); a new one is stored
        as given. *annotations* keep their own id, times and article path; one whose id
        the store already holds is skipped (the caller reports it). Returns the ones
        added. Every annotation's article must be among *articles* or in the store.

        *read* are articles to mark read (never unread; one the store has keeps its path
        and title). *views* are added unless the store has a view of that name (ignoring
        case), which is kept as it is (the caller reports a different query).

        Undone as one, except the read marks: undo never changes reading state (see
        :meth:`set_read`).

        Raises ValueError or TypeError (see ``model.check_imported``), two annotations
        with one id, two views with one name, or an unknown article: then nothing is
        changed.
        """
        given = [(model.check_article(ref), model.clean_tags(tags)) for ref, tags in articles]
        checked = [model.check_imported(a) for a in annotations]
        ids = [a.id for a in checked]
        if len(set(ids)) != len(ids):
            raise ValueError("the same annotation id appears twice in the import")
        to_mark = [model.check_article(ref) for ref in read]
        new_views = [self._check_view(view) for view in views]
        names = [view["name"].casefold() for view in new_views]
        if len(set(names)) != len(names):
            raise ValueError("the same view name appears twice in the import")
        with self._changing("import annotations") as change:
            refs = {ref.sha256: ref for ref, _ in given}
            for ref, tags in given:
                found = self._find_article(ref.sha256)
                current = [] if found is None else list(found[1]["tags"])
                have = {t.casefold() for t in current}
                new = [t for t in tags if t.casefold() not in have]
                if found is None and new:
                    self._save_article(change, ref, new)
                elif found is not None and new:
                    self._journal.put(
                        change, self._articles, {found[0]: {**found[1], "tags": current + new}}
                    )
            known = {d["id"] for d in self._annotations.documents().values()}
            added = []
            for annotation in checked:
                if annotation.id in known:
                    continue
                if self._find_article(annotation.article_sha256) is None:
                    article = refs.get(annotation.article_sha256)
                    if article is None:
                        raise ValueError(
                            f"annotation {annotation.id}: its article is neither in the "
                            "import nor in the database"
                        )
                    self._save_article(change, article)
                self._journal.add(change, self._annotations, annotation.to_document())
                known.add(annotation.id)
                added.append(annotation)
            for ref in to_mark:
                found = self._find_reading(ref.sha256)
                if found is None:
                    self._save_reading(ref, None, read=True)
                elif not found[1]["read"]:
                    self._reading_table.put_many({found[0]: {**found[1], "read": True}})
            views_added = 0
            for view in new_views:
                if self._find_view(view["name"]) is None:
                    self._journal.add(change, self._views, view)
                    views_added += 1
            change.description = f"imported {counted(len(added), 'annotation')}"
            if views_added:
                change.description += f" and {counted(views_added, 'view')}"
            return added

    # Reading state: never undone, never in the journal.

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

    # Saved searches ("views"): undoable like tags.

    def views(self) -> list[View]:
        """The saved views, in the order they were first saved."""
        with self._reading(light=True):
            documents = self._views.documents()
            return [
                View(documents[i]["name"], documents[i]["query"])
                for i in sorted(documents, key=int)
            ]

    def save_view(self, name: str, query: str) -> View:
        """Save a search under a name; return the view as saved.

        A name already in use (ignoring case) gets the new query and the new spelling,
        keeping its place in the list. Name and query are cleaned (one line, no control
        sequences, stripped; see ``model.clean_view_name`` and ``model.clean_query``).

        Raises:
            TypeError: the name or query is not a string.
            ValueError: the name or query is empty once cleaned, or too long.
        """
        with self._changing("save a view", light=True) as change:
            view = self._check_view(View(name, query))
            found = self._find_view(view["name"])
            if found is None:
                self._journal.add(change, self._views, view)
                change.description = f"saved view {quoted(view['name'])}"
            elif dict(found[1]) != view:
                self._journal.put(change, self._views, {found[0]: view})
                change.description = f"changed view {quoted(view['name'])}"
            return View(view["name"], view["query"])

    def rename_view(self, old: str, new: str) -> View:
        """Rename a view (found ignoring case); return it as renamed.

        Raises:
            KeyError: there is no view named ``old``.
            ValueError: ``new`` is empty, or another view already has that name.
        """
        with self._changing("rename a view", light=True) as change:
            doc_id, document = self._get_view(old)
            name = model.clean_view_name(new)
            other = self._find_view(name)
            if other is not None and other[0] != doc_id:
                raise ValueError(f"there is already a view named {quoted(other[1]['name'])}")
            if name != document["name"]:
                self._journal.put(change, self._views, {doc_id: {**document, "name": name}})
                change.description = f"renamed view {quoted(document['name'])} to {quoted(name)}"
            return View(name, document["query"])

    def delete_view(self, name: str) -> View:
        """Delete a view (found ignoring case) and return it.

        Raises:
            KeyError: there is no view of that name.
        """
        with self._changing("delete a view", light=True) as change:
            doc_id, document = self._get_view(name)
            self._journal.put(change, self._views, {doc_id: None})
            change.description = f"deleted view {quoted(document['name'])}"
            return View(document["name"], document["query"])

    def undo(self) -> str | None:
        """Undo the last change made through this store object, durably.

        Returns a one-line description of what was undone (e.g. ``added note on
        “Title”``), or None if there is nothing left to undo.
        """
        with self._mutex:
            try:
                with self._changing("undo", undoable=False):
                    undone = self._journal.revert(self._table)
            except ChangedSince as since:
                self._journal.forget_last()
                raise StoreError(
                    self.path,
                    f"not undone ({since.change.description}): changed since by another "
                    "reader or program, and undoing would throw their change away; undo "
                    "again to undo the change before it",
                ) from None
            if undone is None:
                return None
            # Only once the undo is on disk: if saving failed, the change can still be undone.
            self._journal.forget_last()
            return undone.description

    # Internals.

    @property
    def loaded(self) -> bool:
        """False while the annotations themselves have not been read (a light open, see
        :mod:`reader.store.summary`): the next call that needs them reads the file."""
        return not self._storage.partial

    def load(self) -> None:
        """Read the annotations now if a light open left them on disk (blocking: seconds
        for a file of 100,000); does nothing if they are read.

        Raises:
            StoreCorrupt: the file is not a database reader can read.
            StoreError: the file cannot be read.
        """
        with self._reading():
            pass

    @contextlib.contextmanager
    def _reading(self, *, light: bool = False) -> Iterator[None]:
        """Hold the store for a read; unless ``light`` (the read needs the small tables
        only), read the annotations first if a light open left them on disk."""
        with self._mutex:
            if self._closed:
                raise StoreError(self.path, "the store has been closed")
            if not light and not self._turns:
                self._load_annotations()
            yield

    @contextlib.contextmanager
    def _changing(
        self, action: str, *, undoable: bool = True, light: bool = False
    ) -> Iterator[Change]:
        """Run one change as one writer's turn: lock, catch up with the file, change,
        save once at the end, record for undo, let go.

        ``light``: the change reads and writes only the small tables and adds
        annotations (it never reads them), so that a light open need not read the file.

        If the block raises, nothing is saved and memory goes back to what is on disk.
        A block that changes nothing saves nothing and records nothing.
        """
        with self._reading(light=True):
            if self.read_only:
                reason = self.read_only_reason or "opened read-only"
                raise StoreReadOnly(self.path, f"{reason}; cannot {action}")
            if self._turns:  # a change inside a change: already our turn
                yield Change()
                return
            lock = WriteLock.acquire(self.path, wait=self.wait)
            self._turns += 1
            try:
                if self._storage.refresh():
                    self._forget_next_ids()
                if not light or self._storage.needs_full():
                    self._load_annotations()
                change = Change()
                try:
                    with self._storage.batch():
                        yield change
                except StoreChangedOnDisk:
                    # The journal's "before" states are of a file that no longer exists.
                    self._journal.clear()
                    raise
                if undoable:
                    self._journal.record(change)
            finally:
                self._turns -= 1
                lock.release()

    def _load_annotations(self) -> None:
        """After a light open: read the whole file now (the store's lock is held)."""
        if not self._storage.partial:
            return
        if self.before_loading is not None:
            self.before_loading()
        if self._storage.load_full():
            self._forget_next_ids()

    def _forget_next_ids(self) -> None:
        """After reading the file again: TinyDB's cached next doc id of each table may be
        behind what another writer added."""
        for table in (
            self._meta,
            self._articles,
            self._annotations,
            self._reading_table,
            self._views,
            *self._db._tables.values(),
        ):
            table._next_id = None

    def _table(self, name: str) -> DocumentTable:
        return cast(DocumentTable, self._db.table(name, cache_size=0))

    def _add(
        self,
        article: ArticleRef,
        kind: str,
        *,
        body: str = "",
        target: dict[str, Any] | None,
        correction: dict[str, Any] | None = None,
    ) -> Annotation:
        with self._changing(f"add a {kind}", light=True) as change:
            now = model.utc_now()
            annotation = Annotation(
                id=uuid.uuid4().hex,
                kind=kind,
                article_sha256=article.sha256,
                article_path=article.path,
                created=now,
                modified=now,
                body=model.check_body(body),
                target=model.check_target(target, required=kind != "note"),
                correction=None if correction is None else model.check_correction(correction),
            )
            self._save_article(change, article)
            self._journal.add(change, self._annotations, annotation.to_document())
            change.description = f"added {self._label(annotation.to_document())}"
            return annotation

    def _find_article(self, sha256: str) -> tuple[int, _Document] | None:
        for doc_id, document in self._articles.documents().items():
            if document["sha256"] == sha256:
                return int(doc_id), document
        return None

    def _save_article(
        self, change: Change, article: ArticleRef, tags: list[str] | None = None
    ) -> None:
        """Create or update an article's document with its current path and title."""
        model.check_article(article)
        found = self._find_article(article.sha256)
        document = {"sha256": article.sha256, "path": article.path, "title": article.title}
        if found is None:
            self._journal.add(change, self._articles, {**document, "tags": tags or []})
            return
        doc_id, stored = found
        updated = {**stored, **document, "tags": stored["tags"] if tags is None else tags}
        if updated != stored:
            self._journal.put(change, self._articles, {doc_id: updated})

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

    def _check_view(self, view: View) -> dict[str, str]:
        if not isinstance(view, View):
            raise TypeError(f"expected a View, not {type(view).__name__}")
        return {
            "name": model.clean_view_name(view.name),
            "query": model.clean_query(view.query),
        }

    def _find_view(self, name: str) -> tuple[int, _Document] | None:
        key = name.casefold()
        for doc_id, document in self._views.documents().items():
            if document["name"].casefold() == key:
                return int(doc_id), document
        return None

    def _get_view(self, name: str) -> tuple[int, _Document]:
        found = self._find_view(model.clean_view_name(name))
        if found is None:
            raise KeyError(f"no view named {name!r}")
        return found

    def _forget_article_if_empty(self, change: Change, sha256: str) -> None:
        """Drop an article's document once it has neither tags nor annotations."""
        found = self._find_article(sha256)
        if found is None or found[1]["tags"]:
            return
        if self._annotation_table().has_article(sha256):
            return
        self._journal.put(change, self._articles, {found[0]: None})

    def _annotation_table(self) -> AnnotationTable:
        table = self._annotations.documents()
        assert isinstance(table, AnnotationTable)
        return table

    def _annotation_items(
        self,
        wanted: Callable[[_Document], bool],
        *,
        article: str | None = None,
        corrections: bool = False,
    ) -> list[tuple[int, _Document]]:
        """The annotation documents ``wanted`` accepts, with their doc ids, oldest first;
        only those of ``article`` are looked at if given, only corrections if asked (the
        table's index: the others are not even decoded)."""
        table = self._annotation_table()
        found: list[tuple[int, _Document]] = []
        for doc_id in table.doc_ids(article=article, corrections=corrections):
            document = table[doc_id]
            if wanted(document):
                found.append((int(doc_id), document))
        found.sort(key=lambda item: item[0])
        return found

    def _find_annotation(self, annotation_id: str) -> tuple[int, _Document]:
        table = self._annotation_table()
        doc_id = table.find(annotation_id)
        if doc_id is None:
            raise KeyError(f"no annotation with id {annotation_id!r}")
        return int(doc_id), table[doc_id]

    def _label(self, annotation: _Document) -> str:
        """'note on “Title”' or 'highlight in “Title”', for descriptions."""
        found = self._find_article(annotation["article_sha256"])
        title = found[1]["title"] if found else annotation["article_path"]
        preposition = "on" if annotation["kind"] == "note" else "in"
        return f"{annotation['kind']} {preposition} {quoted(title)}"


def _scope(annotation: Annotation) -> str | None:
    """A correction's scope ("mention", "article", "global"), None if it has none."""
    return None if annotation.correction is None else annotation.correction.get("scope")
