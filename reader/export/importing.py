"""Importing ``json`` and ``w3c`` exports into the store.

Three steps, so that a bad file never reaches the database:

1. :func:`read_import_file` reads and checks the whole file, touching nothing, and raises
   :class:`~reader.export.reading.ImportFileError` naming the bad place;
2. :func:`plan_import` compares it with the store: an annotation whose id the store holds
   with the same content, or that has the same content as one the store holds, is
   already there (so importing a file twice adds nothing); one whose id the store holds
   with different content is a :class:`Conflict`, and the store's version is kept;
   articles the store knows keep its path and title (a difference is noted); new tags
   merge, ignoring case; an article edited since the export (the store has nothing under
   the file's hash, and has the article at that path under another hash: reader moved its
   tags and annotations there when it saw the edit) is the article as it is now: its tags
   and annotations are compared with, and added to, the ones under the store's hash
   (passages re-anchor when shown), and a note says so;
3. :func:`apply_plan` makes the changes and returns an :class:`ImportReport`.

"Same content" is the same kind, article, body, target and correction; times and paths
do not count, nor the target of a passage the export said was moved or orphaned (it
wrote where it found the passage then, the database keeps what it was made on).

A json export may also say which articles are read and hold saved views. An article the
file marks read is marked read; one it marks unread is left as the database has it (an
import adds what the file knows and never takes away what the database knows). A view is
added unless the database has a view of that name (ignoring case): with the same query it
is already there, with another it is a :class:`ViewConflict` and the database's is kept.

Step 3 is one change in the store (``AnnotationStore.import_annotations``): annotations
keep their ids, times and paths, the database is saved once (an import made through the
app's store is one undo step, which takes back the annotations, tags and views but not
the read marks: undo never changes read state), and a failure changes nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from reader.entities.library.edits import Edit
from reader.export.reading import (
    ImportedAnnotation,
    ImportFileError,
    Parsed,
    fail,
    load_json,
)
from reader.store import Annotation, AnnotationStore, ArticleRef, View
from reader.store.entity_edits import EntityEdits
from reader.text import sanitize_line

__all__ = [
    "MAX_IMPORT_BYTES",
    "Conflict",
    "ImportFileError",
    "ImportPlan",
    "ImportReport",
    "ViewConflict",
    "apply_plan",
    "plan_import",
    "read_import_file",
]

MAX_IMPORT_BYTES = 256 * 1024 * 1024
"""Larger files are refused: an export of every article anyone reads is far smaller."""

_CONTENT = ("kind", "article_sha256", "body", "target", "correction")
"""What makes two annotations the same (their ids, times and paths aside)."""


@dataclass(frozen=True)
class Conflict:
    """An annotation in the file whose id the store holds with different content."""

    where: str
    """Where it is in the file."""
    annotation_id: str
    """Its id (the store's annotation with this id was kept)."""
    differs: tuple[str, ...]
    """The fields that differ: kind, article_sha256, body, target, correction."""

    def __str__(self) -> str:
        return (
            f"{self.where}: annotation {self.annotation_id} differs from the database's "
            f"({', '.join(self.differs)}); kept the database's"
        )


@dataclass(frozen=True)
class ViewConflict:
    """A saved view in the file whose name the store holds with another query."""

    where: str
    """Where it is in the file."""
    name: str
    """Its name (as the store spells it)."""
    query: str
    """The file's query, not imported."""
    kept: str
    """The store's query, kept."""

    def __str__(self) -> str:
        return (
            f"{self.where}: view “{_line(self.name)}” has another query in the database "
            f"(“{_line(self.kept)}”, not “{_line(self.query)}”); kept the database's"
        )


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file would change."""

    format: str
    """``json`` or ``w3c``."""
    tags: tuple[tuple[ArticleRef, tuple[str, ...]], ...]
    """Tags to add, per article (only the ones it does not have)."""
    additions: tuple[tuple[ArticleRef, ImportedAnnotation], ...]
    """Annotations to add, with the article identity to add them under."""
    unchanged: int
    """Annotations of the file the store already holds."""
    conflicts: tuple[Conflict | ViewConflict, ...]
    """Annotations (and views) of the file not imported because the store's differ."""
    notes: tuple[str, ...]
    """Other differences, kept as the store has them (an article's path or title)."""
    mark_read: tuple[ArticleRef, ...] = ()
    """Articles the file marks read that the store does not."""
    views: tuple[View, ...] = ()
    """Views to add (their names are new to the store)."""
    entity_edits: tuple[Edit, ...] = ()
    """The file's entity edits (those the store holds are skipped when applied)."""


@dataclass
class ImportReport:
    """What an import did."""

    format: str
    """``json`` or ``w3c``."""
    added: list[Annotation] = field(default_factory=list)
    """The annotations added, as the store holds them."""
    tags_added: int = 0
    """How many tags were added (over all articles)."""
    unchanged: int = 0
    """Annotations of the file that were already in the store."""
    conflicts: tuple[Conflict | ViewConflict, ...] = ()
    """Annotations not imported because the store holds a different one with their id,
    and views not imported because the store has another query under their name."""
    notes: tuple[str, ...] = ()
    """Other differences kept as the store has them."""
    marked_read: int = 0
    """How many articles were marked read."""
    views_added: int = 0
    """How many saved views were added."""
    entity_edits_added: int = 0
    """How many entity edits were added."""


def read_import_file(path: Path) -> Parsed:
    """Read and check a ``json`` or ``w3c`` export; the store is not involved.

    Raises:
        ImportFileError: the file cannot be read, is not JSON, is neither format, is of a
            version this reader does not read, or has a wrong value; the message names
            the place (a JSON path such as ``articles[0].notes[1].created``).
    """
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as error:
        fail("", f"cannot be read ({error.strerror or error})")
    if len(raw) > MAX_IMPORT_BYTES:
        fail("", f"larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MiB; not read")
    document = load_json(raw)
    if isinstance(document, dict) and "@context" in document:
        from reader.export import w3c

        return w3c.parse(document)
    if isinstance(document, dict) and ("format" in document or "schema_version" in document):
        from reader.export import json_format

        return json_format.parse(document)
    fail(
        "",
        "neither a reader json export (it has no 'format' and 'schema_version') nor a W3C "
        "annotation document (it has no '@context')",
    )


def plan_import(store: AnnotationStore, parsed: Parsed) -> ImportPlan:
    """Compare *parsed* with *store* and return what importing it would change."""
    known = {document["sha256"]: document for document in store.articles()}
    at_path: dict[str, list[str]] = {}  # the hashes the store has at each path
    for document in known.values():
        at_path.setdefault(document["path"], []).append(document["sha256"])
    already_read = store.read_articles()
    mark_read: list[ArticleRef] = []
    refs: dict[str, ArticleRef] = {}
    planned: dict[str, tuple[str, ...]] = {}  # tags to add, by the article's hash
    notes: list[str] = []
    edited: dict[str, str] = {}  # the file's old hash -> the article's hash now
    for article in parsed.articles:
        ref, current = article.ref, []
        stored = known.get(ref.sha256)
        now = _edited_since(ref, at_path) if stored is None else None
        if now is not None:
            edited[ref.sha256] = now
            stored = known[now]
            notes.append(
                f"{article.where}: {_line(stored['path'])} changed since the export (the "
                "database follows its new text); its tags and annotations were imported "
                "onto the article as it is now"
            )
            ref = replace(ref, sha256=now)
        if stored is not None:
            ref = ArticleRef(path=stored["path"], sha256=ref.sha256, title=stored["title"])
            current = stored["tags"]
            notes.extend(_differences(article.where, article.ref, ref))
        elif not ref.path:
            # A w3c file may name an article by its hash alone; the store needs a path.
            ref = ArticleRef(path=f"urn:sha256:{ref.sha256}", sha256=ref.sha256, title=ref.title)
            notes.append(
                f"{article.where}: the file does not say where this article is; it is "
                f"stored as {ref.path} until reader opens it"
            )
        have = {tag.casefold() for tag in [*current, *planned.get(ref.sha256, ())]}
        new = tuple(dict.fromkeys(tag for tag in article.tags if tag.casefold() not in have))
        if new:
            planned[ref.sha256] = (*planned.get(ref.sha256, ()), *new)
        if article.read and ref.sha256 not in already_read and ref not in mark_read:
            mark_read.append(ref)
        refs[ref.sha256] = refs.get(ref.sha256, ref)
    tags = [(refs[sha256], added) for sha256, added in planned.items()]
    annotations = [_moved(item, edited, refs) for item in parsed.annotations]

    existing = store.annotations()
    by_id = {annotation.id: annotation for annotation in existing}
    unchanged, conflicts, by_content = 0, [], []
    matched: set[str] = set()
    for item in annotations:
        stored_annotation = by_id.get(item.annotation.id)
        if stored_annotation is None:
            by_content.append(item)
            continue
        matched.add(stored_annotation.id)
        differs = tuple(
            name
            for name in _CONTENT
            if getattr(stored_annotation, name) != getattr(item.annotation, name)
            # The export wrote a moved or orphaned passage where it found it: the
            # database's target is where that came from, not a different annotation.
            and not (name == "target" and item.reanchored)
        )
        if differs:
            conflicts.append(Conflict(item.where, item.annotation.id, differs))
        else:
            unchanged += 1
    # The rest may be in the store under other ids (imported before, or the same content
    # made twice): each stored annotation stands for at most one of the file's.
    pool: dict[str, list[Annotation]] = {}
    for annotation in existing:
        if annotation.id not in matched:
            pool.setdefault(_content_key(annotation), []).append(annotation)
    additions = []
    for item in by_content:
        same = pool.get(_content_key(item.annotation))
        if same:
            same.pop()
            unchanged += 1
        else:
            additions.append((refs[item.annotation.article_sha256], item))
    views, view_conflicts = _plan_views(store, parsed)
    return ImportPlan(
        parsed.format,
        tuple(tags),
        tuple(additions),
        unchanged,
        (*conflicts, *view_conflicts),
        tuple(notes),
        tuple(mark_read),
        views,
        parsed.entity_edits,
    )


def _edited_since(ref: ArticleRef, at_path: Mapping[str, list[str]]) -> str | None:
    """The hash the store has the article at *ref*'s path under, when that is another
    one than *ref*'s and the only one there: the file was edited since the export, and
    its tags and annotations moved to its new text (:func:`reader.annotations.relink`).
    Nothing is read from the file (a second edit since is the next relink's to follow)."""
    if not ref.path or not at_path:
        return None
    hashes = at_path.get(ref.path) or at_path.get(os.path.realpath(ref.path), [])
    return hashes[0] if len(hashes) == 1 and hashes[0] != ref.sha256 else None


def _moved(
    item: ImportedAnnotation, edited: Mapping[str, str], refs: Mapping[str, ArticleRef]
) -> ImportedAnnotation:
    """*item* on its article as it is now, when the file was edited since the export (its
    target kept: re-anchored when shown, as :meth:`AnnotationStore.relink` keeps it)."""
    sha256 = edited.get(item.annotation.article_sha256)
    if sha256 is None:
        return item
    moved = replace(item.annotation, article_sha256=sha256, article_path=refs[sha256].path)
    return replace(item, annotation=moved)


def _plan_views(
    store: AnnotationStore, parsed: Parsed
) -> tuple[tuple[View, ...], tuple[ViewConflict, ...]]:
    """The file's views the store lacks, and the ones it has under another query."""
    stored = {view.name.casefold(): view for view in store.views()}
    new: list[View] = []
    conflicts: list[ViewConflict] = []
    for item in parsed.views:
        kept = stored.get(item.view.name.casefold())
        if kept is None:
            new.append(item.view)
        elif kept.query != item.view.query:
            conflicts.append(ViewConflict(item.where, kept.name, item.view.query, kept.query))
    return tuple(new), tuple(conflicts)


def apply_plan(store: AnnotationStore, plan: ImportPlan) -> ImportReport:
    """Make the changes of *plan* in *store* (opened for writing), as one change; return
    what was done.

    Raises:
        StoreError: the store failed; nothing was changed.
        ValueError, TypeError: the store refused an annotation (the file's checks should
            have caught it first); nothing was changed.
    """
    articles = {ref.sha256: (ref, tags) for ref, tags in plan.tags}
    for ref, _ in plan.additions:
        articles.setdefault(ref.sha256, (ref, ()))
    added = store.import_annotations(
        list(articles.values()),
        [_with_path(item.annotation, ref) for ref, item in plan.additions],
        read=plan.mark_read,
        views=plan.views,
    )
    # A second save (and undo step) after the annotations: only when the file has edits.
    edits_added = EntityEdits(store).import_edits(plan.entity_edits) if plan.entity_edits else 0
    return ImportReport(
        plan.format,
        added=added,
        tags_added=sum(len(tags) for _, tags in plan.tags),
        unchanged=plan.unchanged,
        conflicts=plan.conflicts,
        notes=plan.notes,
        marked_read=len(plan.mark_read),
        views_added=len(plan.views),
        entity_edits_added=edits_added,
    )


def _with_path(annotation: Annotation, ref: ArticleRef) -> Annotation:
    """*annotation* with its article's path when the file gave none (w3c without ``via``)."""
    return annotation if annotation.article_path else replace(annotation, article_path=ref.path)


def _content_key(annotation: Annotation) -> str:
    return json.dumps([getattr(annotation, name) for name in _CONTENT], sort_keys=True)


def _differences(where: str, given: ArticleRef, stored: ArticleRef) -> list[str]:
    notes = []
    for name, what in (("path", "path"), ("title", "title")):
        value, kept = getattr(given, name), getattr(stored, name)
        if value and value != kept:
            notes.append(
                f"{where}: the database has this article's {what} as "
                f"“{_line(kept)}”, not “{_line(value)}”; kept the database's"
            )
    return notes


def _line(text: str) -> str:
    return sanitize_line(text, limit=120)
