"""The app's messages, as small dataclasses: what workers and widgets tell the screen."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from reader.entities.span import Span
from reader.library import Article, Library


@dataclass
class LibraryLoaded(Message):
    """The article files have been read."""

    library: Library


@dataclass
class EntitiesReady(Message):
    """Entities were found for an article (it may no longer be the one shown)."""

    article_id: str
    sha256: str
    spans: list[Span]
    from_cache: bool = False


@dataclass
class EntitiesFailed(Message):
    """Entities could not be found (no pipeline, or an error): say so, keep reading."""

    article_id: str
    reason: str


@dataclass
class ArticleChosen(Message):
    """The user asked to open an article."""

    article: Article


@dataclass
class JumpToOffset(Message):
    """Scroll the article to a code-point offset and mark what is there."""

    offset: int
    labels: tuple[str, ...] = field(default=())
