"""What an export holds: :class:`Collection` of :class:`ExportedArticle`, in export order
(see :mod:`.collect`, which gathers them from the store and the library)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reader import __version__
from reader.entities.engines.base import EngineInfo
from reader.entities.library.edits import Edit
from reader.entities.span import Span
from reader.store import Annotation, View

__all__ = [
    "CHANGED",
    "Collection",
    "ExportError",
    "ExportedArticle",
    "Warn",
    "export_order",
    "utc",
]

Warn = Callable[[str], None]
"""Receives one line about something the export left out or changed (shown on stderr)."""


class ExportError(Exception):
    """The export cannot be made; ``str()`` is one line saying why."""


CHANGED = "the annotations changed while they were exported; export again"
"""Why an export that reads the articles twice (w3c, csv) stops when the second pass
differs from the first (the app's store, saving a note meanwhile)."""


@dataclass(frozen=True)
class ExportedArticle:
    """One article in an export: its identity, what the user wrote, and optionally its
    text and entities."""

    sha256: str
    """SHA-256 of the displayed text the annotations were made on: the article's identity."""
    path: str
    """Where the store last saw the article."""
    title: str
    """The article's title as the store keeps it."""
    tags: tuple[str, ...] = ()
    """Its tags, in the order added."""
    annotations: tuple[Annotation, ...] = ()
    """Its notes, highlights and corrections (global ones made here included), oldest
    first: by creation time, and in the order they were made within one second."""
    text: str | None = None
    """The displayed text, when it was asked for and found; offsets point into it."""
    entities: tuple[Span, ...] | None = None
    """The entities shown for the text, when asked for and the text was found."""
    read: bool = False
    """Whether the article is marked read."""
    states: Mapping[str, str] = field(default_factory=dict)
    """Each passage annotation's state in the text the export names, by id: anchored,
    moved or orphaned (re-anchored in the text with this hash), or unverified (that text
    was not found: the stored position). Whole-article notes have none."""

    def state_of(self, annotation: Annotation) -> str | None:
        """The state an export writes for *annotation*: None when it is anchored (or a
        note on the whole article), so that an export of articles that did not change is
        what it was before states existed."""
        state = self.states.get(annotation.id)
        return None if state in (None, "anchored") else state

    @property
    def notes(self) -> tuple[Annotation, ...]:
        """Notes, on a passage or on the whole article, oldest first."""
        return self._of_kind("note")

    @property
    def highlights(self) -> tuple[Annotation, ...]:
        """Highlighted passages, oldest first."""
        return self._of_kind("highlight")

    @property
    def corrections(self) -> tuple[Annotation, ...]:
        """Entity corrections, oldest first."""
        return self._of_kind("correction")

    def _of_kind(self, kind: str) -> tuple[Annotation, ...]:
        return tuple(a for a in self.annotations if a.kind == kind)


@dataclass(frozen=True)
class Collection:
    """Everything one export writes, whatever its format."""

    articles: tuple[ExportedArticle, ...]
    """The exported articles, in export order: from :func:`gather`, without their
    annotations and entities (:meth:`each` makes them whole); made by hand, whole."""
    exported_at: str = field(default_factory=lambda: utc(datetime.now(UTC)))
    """When the export was made, ISO-8601 UTC to the second."""
    app_version: str = __version__
    """The version of reader that made it."""
    tags: tuple[str, ...] = ()
    """The --tag filter (empty: every article)."""
    article_paths: tuple[str, ...] = ()
    """The --article filter (empty: every article)."""
    pipeline: EngineInfo | None = None
    """The engine and model the entities come from, when entities were found."""
    include_entities: bool = False
    """Whether entities were asked for (each article's are None when its text was not
    found)."""
    has_read_state: bool = False
    """Whether the database marks any article read (the json format then says ``read``
    of every article; without it, it writes what it wrote before read state existed)."""
    also_read: tuple[ExportedArticle, ...] = ()
    """Articles marked read with neither tags nor annotations, in export order; only in
    an export of everything, and written only by the json format."""
    views: tuple[View, ...] = ()
    """The saved views, in the order saved; only in an export of everything."""
    entity_edits: tuple[Edit, ...] = ()
    """The user's edits of the library's entities, oldest first; only in an export of
    everything."""

    fill: Callable[[ExportedArticle, bool], ExportedArticle] | None = field(
        default=None, repr=False, compare=False
    )
    """Makes one of :attr:`articles` whole, its passages placed or not (None: they are)."""
    fill_read: Callable[[ExportedArticle], ExportedArticle] | None = field(
        default=None, repr=False, compare=False
    )
    """Gives one of :attr:`also_read` its entities (None: they are not asked for)."""
    counts: Mapping[str, int] | None = field(default=None, repr=False, compare=False)
    """How many annotations each article has, by hash (None: count :attr:`articles`')."""

    def each(self, *, also_read: bool = False, placed: bool = True) -> Iterator[ExportedArticle]:
        """The articles whole (annotations placed, text and entities as asked for), in
        export order, one at a time; with *also_read*, merged with :attr:`also_read`
        (which have no annotations: only their entities, when asked for, are found as
        each is given). Each pass reads the store again. Not *placed*: only their
        annotations, as stored (no states, no entities: a pass for their ids, without
        re-anchoring them all)."""
        heads: Iterable[ExportedArticle] = self.articles
        if also_read and self.also_read:
            heads = sorted((*self.articles, *self.also_read), key=export_order)
        extra = {id(article) for article in self.also_read}
        for article in heads:
            if id(article) in extra:
                fill_read = self.fill_read if placed else None
                yield article if fill_read is None else fill_read(article)
            elif self.fill is None:
                yield article
            else:
                yield self.fill(article, placed)

    @property
    def annotation_count(self) -> int:
        """How many annotations the exported articles have."""
        if self.counts is None:
            return sum(len(article.annotations) for article in self.articles)
        return sum(self.counts.get(article.sha256, 0) for article in self.articles)

    @property
    def has_states(self) -> bool:
        """Whether any annotation is other than anchored (moved, orphaned, unverified):
        a pass over the articles (see :meth:`each`), stopped at the first."""
        return any(
            a.state_of(annotation) is not None for a in self.each() for annotation in a.annotations
        )


def export_order(article: ExportedArticle) -> tuple[str, str, str, str]:
    """How exported articles are ordered: by title (ignoring case), then path and hash."""
    return (article.title.casefold(), article.title, article.path, article.sha256)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
