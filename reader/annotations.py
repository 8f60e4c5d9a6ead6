"""An article's annotations as reader shows them: from the store, re-anchored in its text.

Glue between the store, anchoring and the entity corrections; Textual-free, so the app
and the command line share it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.anchoring import Anchoring, reanchor
from reader.entities.corrections import Correction, apply_corrections, correction_from_dict
from reader.entities.span import Span
from reader.library import Article
from reader.store import Annotation, AnnotationStore, ArticleRef, StoreError

__all__ = [
    "ArticleAnnotations",
    "Placed",
    "article_ref",
    "correct_entities",
    "load",
    "tags_by_article",
]


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

    @property
    def state(self) -> str:
        """ "anchored", "moved", "orphaned", or "article" for a whole-article note."""
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


def tags_by_article(store: AnnotationStore) -> dict[str, list[str]]:
    """Return every article's tags, by content hash (for the sidebar)."""
    return {str(a["sha256"]): list(a["tags"]) for a in store.articles()}


def _earlier_version(store: AnnotationStore, article: Article) -> str | None:
    """Return the hash the store knows this file by, when its content has changed since."""
    here = article.path.resolve()
    for known in store.articles():
        if known["sha256"] != article.sha256 and Path(known["path"]).resolve() == here:
            return str(known["sha256"])
    return None


def load(store: AnnotationStore, article: Article) -> ArticleAnnotations:
    """Return *article*'s annotations, re-anchored in its current text.

    A renamed or moved file keeps its annotations (they hang on the content hash). A file
    whose content changed gets its old annotations moved over to the new hash (when the
    store is writable) and re-anchored: exact, moved or orphaned, never deleted.
    """
    relinked = 0
    if (
        not store.read_only
        and not store.tags(article.sha256)
        and not store.annotations(article.sha256)
    ):
        old = _earlier_version(store, article)
        if old is not None:
            relinked = store.relink(old, article_ref(article))
    items = [
        Placed(a, None if a.target is None else _reanchor(a, article.text))
        for a in store.annotations(article.sha256)
    ]
    return ArticleAnnotations(store.tags(article.sha256), items, relinked)


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
