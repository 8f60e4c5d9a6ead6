"""An article's annotations as reader shows them: from the store, re-anchored in its text.

Glue between the store, anchoring and the entity corrections; Textual-free, so the app
and the command line share it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.anchoring import Anchoring, describe, orphan_target, reanchor
from reader.entities.corrections import Correction, apply_corrections, correction_from_dict
from reader.entities.span import Span
from reader.library import Article, read_article
from reader.store import Annotation, AnnotationStore, ArticleRef, StoreError

if TYPE_CHECKING:
    from reader.workspace import Workspace

__all__ = [
    "UNVERIFIED",
    "ArticleAnnotations",
    "Placed",
    "Relinked",
    "article_ref",
    "correct_entities",
    "load",
    "place",
    "placed_target",
    "relink",
    "relink_all",
    "relink_files",
    "tags_by_article",
]

UNVERIFIED = "unverified"
"""The state of a passage annotation whose article's text was not found (its file gone
or changed since reader last saw it): its position is the stored one, not checked."""


def article_ref(article: Article) -> ArticleRef:
    """Return the store's identity for *article* (absolute path, content hash, title)."""
    return ArticleRef(path=str(article.path.resolve()), sha256=article.sha256, title=article.title)


@dataclass(frozen=True)
class Placed:
    """An annotation and where it is in the article's current text."""

    annotation: Annotation
    """What the store holds."""
    anchoring: Anchoring | None
    """Where its passage is now; None for a note on the whole article."""
    unverified: bool = False
    """True when the article's text was not found: the passage's place is the stored
    one, not checked (and :attr:`anchoring` is None)."""

    @property
    def state(self) -> str:
        """ "anchored", "moved", "orphaned", "unverified", or "article" for a
        whole-article note."""
        if self.unverified:
            return UNVERIFIED
        return "article" if self.anchoring is None else self.anchoring.state

    @property
    def span(self) -> tuple[int, int] | None:
        """The passage's offsets now, or None (whole-article note, or orphaned)."""
        a = self.anchoring
        if a is None or a.start is None or a.end is None:
            return None
        return a.start, a.end


@dataclass
class ArticleAnnotations:
    """Everything the user wrote about one article."""

    tags: list[str] = field(default_factory=list)
    """The article's tags, in the order added."""
    items: list[Placed] = field(default_factory=list)
    """Notes, highlights and corrections, in the order made."""
    relinked: int = 0
    """How many annotations were moved over from an earlier version of the file."""
    moved_from: str | None = None
    """The path the store had for the article, when it was found under a new one (and
    the store now has the new one)."""


@dataclass(frozen=True)
class Relinked:
    """What :func:`relink` found and recorded for one article file."""

    article: ArticleRef
    """The article as the store now has it (its path and content hash now)."""
    old_path: str
    """Where the store had it."""
    old_sha256: str
    """The hash the store had it under (another one when the file was edited)."""
    annotations: int
    """How many annotations went with it."""

    @property
    def edited(self) -> bool:
        """Whether the file's content changed (else it only moved)."""
        return self.old_sha256 != self.article.sha256

    def summary(self) -> str:
        """One line saying what was recorded, for the command line (untrusted parts are
        the caller's to sanitise: it is printed through ``reader.console``)."""
        title = self.article.title or self.article.path
        if self.edited:
            return (
                f"“{title}” changed on disk: its annotations now follow the new text (as "
                "when reader opens it), each with its state"
            )
        return f"“{title}” is now at {self.article.path} (the database had {self.old_path})"


def tags_by_article(store: AnnotationStore) -> dict[str, list[str]]:
    """Return every article's tags, by content hash (for the sidebar)."""
    return {str(a["sha256"]): list(a["tags"]) for a in store.articles()}


def _known(store: AnnotationStore) -> dict[str, str]:
    """Every article the store knows (tags, annotations or reading state): its path, by
    content hash; the annotations' record first."""
    known = {str(r.sha256): str(r.path) for r in store.reading()}
    known |= {str(a["sha256"]): str(a["path"]) for a in store.articles()}
    return known


def holds(path: str, sha256: str) -> bool:
    """Whether the file at *path* is readable and its displayed text has this hash."""
    found = read_article(Path(path))
    return isinstance(found, Article) and found.sha256 == sha256


def _earlier_version(known: dict[str, str], article: Article) -> str | None:
    """Return the hash the store knows this file by, when its content has changed since."""
    here = article.path.resolve()
    for sha256, path in known.items():
        if sha256 != article.sha256 and Path(path).resolve() == here:
            return sha256
    return None


def relink(
    store: AnnotationStore, article: Article, known: dict[str, str] | None = None
) -> Relinked | None:
    """Record in *store* where *article* is now, as the app does when it opens it.

    - The store knows its content under another path, and that path no longer holds it
      (the file was renamed or moved): the path is updated.
    - The store has no tags or annotations under its content, but knows an earlier
      content at its path (the file was edited): the tags, annotations and reading state
      move to the new hash (re-anchoring them is :func:`load`'s job).
    - The store knows its content under another title (only the title was edited): the
      title is updated (:meth:`AnnotationStore.retitle`; not in what is returned).

    Each is one save, not undoable (see :meth:`AnnotationStore.relink`); nothing is
    written otherwise, or when the store is read-only. Two files with the same content
    share the annotations: a path that still holds the content keeps them. *known* is
    :func:`_known` of the store, when the caller has it. Returns what was recorded.
    """
    if store.read_only:
        return None
    known = _known(store) if known is None else known
    ref = article_ref(article)
    stored = known.get(article.sha256)
    if stored is not None:
        store.retitle(ref)  # its title edited, not its text: name it as it is now
    if (
        stored is not None
        and os.path.realpath(stored) != ref.path
        and not holds(stored, article.sha256)
    ):
        old_sha256 = article.sha256
    else:
        if store.tags(article.sha256) or store.annotations(article.sha256):
            return None  # the content has annotations of its own: nothing to move over
        found = _earlier_version(known, article)
        if found is None:
            return None
        old_sha256, stored = found, known[found]
    moved = store.relink(old_sha256, ref)
    known.pop(old_sha256, None)
    known[ref.sha256] = ref.path
    return Relinked(ref, stored, old_sha256, moved)


def relink_all(store: AnnotationStore, articles: Iterable[Article] = ()) -> list[Relinked]:
    """Record where the articles the store knows are now (see :func:`relink`): found by
    their content among *articles* (the library, the files a command was given), or
    edited at the path the store has for them. Returns what was recorded."""
    if store.read_only:
        return []
    known = _known(store)
    done: list[Relinked] = []
    candidates = {a.sha256: a for a in articles if a.sha256 in known}
    for sha256, path in list(known.items()):
        if sha256 not in known:
            continue  # relinked already, to a file seen earlier in this loop
        here = candidates.get(sha256)
        if here is None:
            found = read_article(Path(path))
            if isinstance(found, Article) and found.sha256 == sha256:
                store.retitle(article_ref(found))
            if not isinstance(found, Article) or found.sha256 in known:
                continue
            here = found
        result = relink(store, here, known)
        if result is not None:
            done.append(result)
    return done


def relink_files(
    workspace: Workspace, paths: Iterable[Path], *, with_library: bool = False
) -> list[Relinked]:
    """What a command does before it reads annotations: record where the annotated
    articles are now (:func:`relink_all`), found by content among the files at *paths*
    (and the library, *with_library*), or edited at their stored path.

    Only when the database exists and can be written at once: while the app has it open,
    or when it cannot be written, nothing is recorded (and nothing raised); the command
    then says what it finds without recording it.
    """
    if not workspace.settings.db_path.is_file():
        return []
    given = [found for found in map(read_article, paths) if isinstance(found, Article)]
    try:
        with workspace.open_store(wait=0) as store:
            articles = [*given, *(workspace.library().articles if with_library else ())]
            return relink_all(store, articles)
    except (StoreError, OSError):
        return []
    finally:
        workspace.store = None


def load(store: AnnotationStore, article: Article) -> ArticleAnnotations:
    """Return *article*'s annotations, re-anchored in its current text.

    A renamed or moved file keeps its annotations (they hang on the content hash), and
    the store gets its new path; a file whose content changed gets its old annotations
    (and reading state) moved over to the new hash and re-anchored: exact, moved or
    orphaned, never deleted. Both are written only when the store is writable (see
    :func:`relink`).
    """
    relinked = 0
    moved_from = None
    if not store.read_only:
        done = relink(store, article)
        if done is not None and done.edited:
            relinked = done.annotations
        elif done is not None:
            moved_from = done.old_path
    items = [
        Placed(a, None if a.target is None else _reanchor(a, article.text))
        for a in store.annotations(article.sha256)
    ]
    return ArticleAnnotations(store.tags(article.sha256), items, relinked, moved_from)


def place(annotation: Annotation, text: str | None) -> Placed:
    """Return *annotation* placed in *text*; None as *text*: its article's text was not
    found, and a passage annotation is :data:`UNVERIFIED` (see :func:`placed_target`)."""
    if annotation.target is None:
        return Placed(annotation, None)
    if text is None:
        return Placed(annotation, None, unverified=True)
    return Placed(annotation, _reanchor(annotation, text))


def placed_target(item: Placed, text: str | None) -> dict[str, Any] | None:
    """The target an export writes for *item*, in the text it names (*text*).

    Anchored and unverified: the stored target. Moved: the passage where it is now,
    described afresh (position and quote agree with *text*). Orphaned: the stored quote
    and no position.
    """
    target = item.annotation.target
    anchoring = item.anchoring
    if target is None or anchoring is None or anchoring.state == "anchored":
        return target
    if anchoring.state == "moved" and text is not None and anchoring.start is not None:
        return describe(text, anchoring.start, anchoring.end or anchoring.start)
    try:
        return orphan_target(target)
    except ValueError:
        return target


def _reanchor(annotation: Annotation, text: str) -> Anchoring:
    try:
        return reanchor(annotation.target or {}, text)
    except ValueError:
        return Anchoring("orphaned", None, None)


def corrections_for(
    store: AnnotationStore, sha256: str, text: str, *, wait: bool = True
) -> list[Correction] | None:
    """Return the corrections that apply to the article *sha256*: global rules first.

    None when *wait* is False and the store is busy saving (see
    :meth:`AnnotationStore.corrections`).
    """
    found = store.corrections(sha256, wait=wait)
    if found is None:
        return None
    corrections: list[Correction] = []
    for annotation in found:
        data = annotation.correction
        if data is None:
            continue
        if data.get("scope") == "global":
            corrections.append(correction_from_dict(data))
            continue
        start = end = None
        if annotation.target is not None:
            anchoring = _reanchor(annotation, text)
            start, end = anchoring.start, anchoring.end
        corrections.append(correction_from_dict(data, start, end))
    return corrections


def correct_entities(
    store: AnnotationStore | None,
    sha256: str,
    text: str,
    spans: Sequence[Span],
    *,
    wait: bool = True,
) -> list[Span] | None:
    """Apply the user's corrections in *store* to *spans* (unchanged without a store).

    None only when *wait* is False and the store is busy saving: the caller asks again
    where waiting is harmless (a worker thread).
    """
    if store is None:
        return list(spans)
    try:
        corrections = corrections_for(store, sha256, text, wait=wait)
    except StoreError:
        return list(spans)
    if corrections is None:
        return None
    return apply_corrections(text, spans, corrections) if corrections else list(spans)
