"""The app's messages, as small dataclasses: what workers and widgets tell the screen."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

from reader.entities.library.pages import EntityPage, Snippet
from reader.entities.library.resolve import Entity
from reader.entities.span import Span
from reader.library import Library
from reader.ui.wrapping import Line

if TYPE_CHECKING:  # the web part (httpx) is imported when Ctrl+O is first used
    from reader.library.watch import LibraryChanges
    from reader.web.adding import AddReport, SourceResult


@dataclass
class LibraryListed(Message):
    """A first start listed the articles by their first lines (their hashes and counts not
    known yet): the sidebar shows them; :class:`ArticlesLearnt` and then
    :class:`LibraryLoaded` follow as a worker reads them."""

    library: Library


@dataclass
class ArticlesLearnt(Message):
    """A worker read some listed articles: their hashes, counts and titles are known now."""

    count: int


@dataclass
class LibraryLoaded(Message):
    """The article files have been read (and the annotations database opened)."""

    library: Library
    tags: dict[str, list[str]] = field(default_factory=dict)
    """Tags per article content hash, from the database."""
    tell_skipped: bool = False
    """Whether the files skipped (the library's problems) are news: not those told at this
    library's last start (``skipped_changed``, run in the loader's thread)."""


@dataclass
class ArticleRead(Message):
    """A long article was read and wrapped in a worker: it can be shown now."""

    article_id: str
    width: int
    """The width it was wrapped at."""
    lines: list[Line]


@dataclass
class EntitiesReady(Message):
    """Entities were found for an article (it may no longer be the one shown)."""

    article_id: str
    spans: list[Span]
    without_store: bool = False
    """Found before the store was open: without the user's corrections."""
    painted: threading.Event | None = None
    """Set once they are drawn (or no longer wanted): the worker that found them writes
    them to the entity cache and the entity index then, not while the user waits."""


@dataclass
class EntitiesSaved(Message):
    """The entities the model found for an article are in the entity cache and the
    library's entity index (after :class:`EntitiesReady`'s frame)."""

    article_id: str


@dataclass
class BackgroundFound(Message):
    """The background pass (reader/ui/background.py) put an article's entities in the
    entity cache and the entity index; None: it found nothing more to do (for now)."""

    article_id: str | None


@dataclass
class EntitiesFailed(Message):
    """Entities could not be found (no pipeline, or an error): say so, keep reading."""

    article_id: str
    reason: str


@dataclass
class Written(Message):
    """A change is on disk: run its follow-up on the UI thread."""

    callback: Callable[[], None]


@dataclass
class WriteFailed(Message):
    """A change could not be saved."""

    reason: str
    failed: Callable[[str], None] | None = None
    """What to do about it (reopen the editor with the text, say)."""
    quiet: bool = False
    """Not notified: *failed* says it (a draft's save: the note editor says it once)."""


@dataclass
class AnnotationsChanged(Message):
    """An annotation change is on disk (tags, notes, highlights, corrections, an undo):
    the search index and the views' counts may be out of date."""


@dataclass
class StoreChangedElsewhere(Message):
    """Another reader (a command, a second app) or program saved the database: what the
    screen shows of it (notes panel, tags, read marks, views) is read again."""


@dataclass
class IndexUpdated(Message):
    """A search index update ended (finished, stopped early, or failed)."""

    complete: bool
    """Whether it ran to its end (False: stopped between batches, or failed)."""
    problem: str | None = None
    """Why it failed, if it did."""
    entities: tuple[int, int] | None = None
    """After an entity pass run to its end: the articles whose entities are indexed, and
    the library's articles (the others' entities are not found yet)."""


@dataclass
class FilterFound(Message):
    """A worker ran the filter's query: the articles it found, for one keystroke."""

    generation: int
    """Which keystroke asked (a later one makes this stale)."""
    paths: list[str]
    """The paths of the articles found (``str(article.path)``), in the list's order."""
    problem: str | None = None
    """Why the search failed, if it did (the list is then left as it was)."""
    notices: tuple[str, ...] = ()
    """What the query's values name that the library has not (``no label PEROSN: did you
    mean PERSON?``): said under the field, the query still applied."""


@dataclass
class ViewCounts(Message):
    """How many articles each saved view finds (None: its query does not parse)."""

    counts: dict[str, int | None]
    """By view name."""
    generation: int = 0
    """Which count this is (a later one makes it stale: its thread may end after)."""


@dataclass
class LibraryChanged(Message):
    """Article files were added, changed or removed while the app runs (the workspace's
    library is already the new one)."""

    changes: LibraryChanges


@dataclass
class WatchStopped(Message):
    """The library folders cannot be watched: the library is polled instead."""

    reason: str


@dataclass
class AddProgress(Message):
    """One source of an add (Ctrl+O) is done: added, a duplicate, or failed."""

    done: int
    total: int
    result: SourceResult | None


@dataclass
class AddFinished(Message):
    """An add (Ctrl+O) ended: its report, or why nothing could be added."""

    report: AddReport | None
    problem: str | None = None


@dataclass
class EntityPageLoaded(Message):
    """A worker read an entity's page from the entity index (None: no such entity, or no
    longer: merged away, say)."""

    page: EntityPage | None
    order: str
    """The order it was asked in (``newest`` or ``mentions``)."""
    problem: str | None = None
    """Why it could not be read, if it could not."""
    new: bool = False
    """Whether it is to be shown on a page of its own (opened now), else on the page that
    asked (read again after an edit, or in the other order)."""
    coverage: tuple[int, int] | None = None
    """Articles with their entities found, of the library's (None: not known)."""


@dataclass
class SnippetsLoaded(Message):
    """A worker read the snippets of one article of an entity page (lazily, as it came into
    view)."""

    path: str
    snippets: tuple[Snippet, ...]


@dataclass
class LibraryEntitiesLoaded(Message):
    """A worker read the library's entities from the entity index (most mentioned first)."""

    entities: list[Entity]
    problem: str | None = None
    articles: tuple[int, int] | None = None
    """The articles whose entities are indexed, and the library's articles."""


@dataclass
class PanelResolved(Message):
    """A worker looked up, in the entity index, which library entity each of the article's
    entity mentions is: by mention start, ``(entity id, name, label)``."""

    article_id: str
    resolved: dict[int, tuple[str, str, str]]


@dataclass
class EntityEditsChanged(Message):
    """An entity edit (merge, split, rename, relabel) or its undo is on disk and in the
    entity index: what shows the library's entities is to be asked again."""
