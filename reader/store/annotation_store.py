"""AnnotationStore: the tags, notes, highlights, corrections, reading state and saved
views of reader, on disk."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from reader.store import model
from reader.store.compact import AnnotationTable
from reader.store.drafts import DraftOwner, Drafts
from reader.store.errors import StoreError
from reader.store.journal import Change, ChangedSince, counted, quoted, tag_list
from reader.store.model import KINDS, Annotation, ArticleRef, View
from reader.store.reading_state import ReadingState
from reader.store.saved_views import SavedViews
from reader.store.sessions import Sessions

__all__ = ["AnnotationStore"]

_Document = Mapping[str, Any]


class AnnotationStore(ReadingState, SavedViews, Sessions, Drafts):
    """The annotations file: article tags, notes, highlights, entity corrections, which
    articles are read and where each was left, the saved searches ("views"), and the
    drafts of notes being written.

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
        self,
        article: ArticleRef,
        body: str,
        target: dict[str, Any] | None = None,
        *,
        draft: tuple[str, DraftOwner] | None = None,
    ) -> Annotation:
        """Add a note, on a passage (``target``) or on the whole article (None); *draft*
        (its key and owner): the note's draft, removed in the same save (a kill cannot
        leave both, restored and saved twice)."""
        return self._add(article, "note", body=body, target=target, draft=draft)

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
        draft: tuple[str, DraftOwner] | None = None,
    ) -> Annotation:
        """Change an annotation's body, target or correction (None leaves each as it is);
        return the annotation as saved. *draft*: as :meth:`add_note`'s.

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
            if draft is not None:
                self._drop_drafts(*draft)
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

    def retitle(self, article: ArticleRef) -> bool:
        """Record *article*'s title where the store names it (its tags and annotations'
        document and its reading state), when the store has it under another title: the
        file's title was edited but not its text (the hash is the same). Returns whether
        anything was written.

        Nothing is read from the file here: the caller has seen the article. Not undoable,
        and, like :meth:`relink`, it clears the undo history when it writes (undoing an
        earlier change would put the old title back).
        """
        model.check_article(article)

        def stale() -> bool:
            found = self._find_article(article.sha256)
            reading = self._find_reading(article.sha256)
            return any(f is not None and f[1]["title"] != article.title for f in (found, reading))

        with self._reading(light=True):
            if not stale():
                return False
        with self._changing("retitle an article", undoable=False, light=True) as change:
            if not stale():
                return False
            found = self._find_article(article.sha256)
            if found is not None and found[1]["title"] != article.title:
                self._journal.put(
                    change, self._articles, {found[0]: {**found[1], "title": article.title}}
                )
            reading = self._find_reading(article.sha256)
            if reading is not None and reading[1]["title"] != article.title:
                self._reading_table.put_many({reading[0]: {**reading[1], "title": article.title}})
            change.description = f"retitled {quoted(article.title)}"
        self._journal.clear()
        return True

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

    def _add(
        self,
        article: ArticleRef,
        kind: str,
        *,
        body: str = "",
        target: dict[str, Any] | None,
        correction: dict[str, Any] | None = None,
        draft: tuple[str, DraftOwner] | None = None,
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
            if draft is not None:
                self._drop_drafts(*draft)
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
