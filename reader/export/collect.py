"""What an export holds, gathered once for every format.

The articles that have tags or annotations in the store, each with its notes, highlights
and corrections; filtered by tag or by article file; and, when a format needs them, each
article's text (from the library, else from the file the store last saw it at, if its
content is unchanged) and the entities the app shows for it (model, consistency rules and
the user's corrections). Articles are ordered by title, then path, then content hash;
annotations by creation time, then in the order they were made: the same database always
gives the same export.

The annotations are not all held at once (100,000 of them took ~350 MB as objects): a
collection lists its articles, each with its tags and (when found) text, and
:meth:`Collection.each` makes them whole one at a time (annotations read from the store
and placed, entities found), so the store must stay open while an export is rendered.

Each article says whether it is marked read. An export of everything also carries the
saved views and, apart from :attr:`Collection.articles`, the articles marked read that
have neither tags nor annotations (:attr:`Collection.also_read`): the json format writes
them so that importing it restores the read marks, and the other formats, which are about
annotations, leave them out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reader.annotations import place, placed_target
from reader.entities.engines.base import NoModel
from reader.export.collection import (
    Collection,
    ExportedArticle,
    ExportError,
    Warn,
    export_order,
    utc,
)
from reader.library import Article, Problem, read_article
from reader.store import Annotation, AnnotationStore
from reader.store.entity_edits import EntityEdits
from reader.text import sanitize_line

if TYPE_CHECKING:
    from reader.entities.finder import EntityFinder
    from reader.workspace import Workspace

__all__ = ["gather"]


def gather(
    workspace: Workspace,
    store: AnnotationStore,
    *,
    tags: Iterable[str] = (),
    article_paths: Iterable[Path] = (),
    with_text: bool = False,
    with_entities: bool = False,
    now: datetime | None = None,
    warn: Warn | None = None,
) -> Collection:
    """Collect what an export holds from *store* (and the library, for text and entities).

    Args:
        workspace: Where the articles are (``workspace.library()``, without the exports
            folder) and what finds their entities (``workspace.finder``, which applies
            the corrections of ``workspace.store``). Neither is touched unless text or
            entities are asked for.
        store: The annotations to export: ``workspace.store`` whenever entities are
            asked for, since the finder applies that store's corrections.
        tags: Keep only articles with one of these tags (case-insensitive).
        article_paths: Keep only these article files: matched by their content now, or by
            the path the store has for them. A readable file the store knows nothing of is
            exported with no annotations (its entities, for jsonl).
        with_text: Find each article's text (jsonl needs it).
        with_entities: Find each article's text and the entities shown for it.
        now: The export time (default: now).
        warn: Hears about each article whose passages could not be checked against its
            text (see below).

    Every passage annotation is re-anchored in the text the export names (its article's
    hash): found in the library (when text is asked for) or at the paths the store has
    for it. Moved ones get their new position and quote, orphaned ones their quote and
    no position; when the text is not found, the stored target is kept and the state is
    "unverified". An article found in the library under another path than the store's,
    where that path no longer holds it, is exported with its new path.

    Raises:
        ExportError: an --article file cannot be read and the store has nothing under its
            path, or entities were asked for and no spaCy pipeline is installed.
        StoreError: the store cannot be read.
        ValueError: entities were asked for and *store* is not ``workspace.store`` (the
            entities would carry another database's corrections).
    """
    if with_entities and store is not workspace.store:
        raise ValueError("entities are exported with workspace.store's corrections: pass it")
    articles, annotated, counts = _from_store(store)
    read = store.read_articles()
    wanted_tags = {tag.strip().casefold() for tag in tags if tag.strip()}
    paths = list(article_paths)
    everything = not paths and not wanted_tags
    also_read = _read_without_annotations(store, articles) if everything else []
    if paths:
        articles = _select(articles, paths)
    if wanted_tags:
        articles = [a for a in articles if wanted_tags & {t.casefold() for t in a.tags}]
        if not articles and warn is not None:
            # An empty export is still a valid file, but a mistyped tag should not pass
            # for "nothing to export".
            named = ", ".join(sorted(wanted_tags))
            which = "no article asked for" if paths else "no article"
            warn(f"{which} is tagged {sanitize_line(named, 200)}: the export is empty")
    articles = [replace(a, read=True) if a.sha256 in read else a for a in articles]
    articles.sort(key=export_order)
    also_read.sort(key=export_order)
    pipeline = None
    library = workspace.library() if with_text or with_entities else None
    in_library = {} if library is None else {a.sha256: a for a in library.articles}
    articles = _with_texts(articles, in_library, annotated)
    finder = workspace.finder if with_entities else None
    if finder is not None:
        try:
            pipeline = finder.pipeline
        except NoModel as error:
            raise ExportError(str(error)) from None
    return Collection(
        articles=tuple(articles),
        exported_at=utc(now or datetime.now(UTC)),
        tags=tuple(tags),
        article_paths=tuple(str(path) for path in paths),
        pipeline=pipeline,
        include_entities=with_entities,
        has_read_state=bool(read),
        also_read=tuple(also_read),
        views=tuple(store.views()) if everything else (),
        entity_edits=tuple(EntityEdits(store).edits()) if everything else (),
        fill=_Filler(store, finder, warn),
        fill_read=None if finder is None else _ReadFiller(finder, in_library),
        counts=counts,
    )


class _Filler:
    """Makes an exported article whole: its annotations from the store, oldest first,
    placed in its text (see :func:`gather`), and its entities when a finder is given.
    Each article's warning is given once, however many passes are made."""

    def __init__(
        self, store: AnnotationStore, finder: EntityFinder | None, warn: Warn | None
    ) -> None:
        self.store, self.finder, self.warn = store, finder, warn
        self.warned: set[str] = set()

    def __call__(self, article: ExportedArticle, placed: bool = True) -> ExportedArticle:
        # The store lists an article's annotations in the order they were made, as it
        # lists them all; the sort is stable.
        found = sorted(self.store.annotations(article.sha256), key=lambda a: a.created)
        if not placed:
            return replace(article, annotations=tuple(found))
        warn = None if article.sha256 in self.warned else self.warn
        self.warned.add(article.sha256)
        article = _placed(replace(article, annotations=tuple(found)), warn)
        if self.finder is None or article.text is None:
            return article
        try:
            entities = tuple(self.finder.find(article.sha256, article.text))
        except NoModel as error:
            raise ExportError(str(error)) from None
        return replace(article, entities=entities)


class _ReadFiller:
    """Gives an article marked read with neither tags nor annotations (one of
    :attr:`Collection.also_read`) the entities shown for it, as it is written: its text
    found as an annotated article's is (see :func:`_with_texts`), but read then and not
    kept, in the collection nor in the library's article, so that a streamed export holds
    one such text at a time. None when the text is not found."""

    def __init__(self, finder: EntityFinder, in_library: Mapping[str, Article]) -> None:
        self.finder = finder
        self.paths = {sha256: article.path for sha256, article in in_library.items()}

    def __call__(self, article: ExportedArticle) -> ExportedArticle:
        text = _text_at(Path(article.path), article.sha256)
        path = article.path
        elsewhere = self.paths.get(article.sha256)
        if text is None and elsewhere is not None:
            text = _text_at(elsewhere, article.sha256)
            path = str(elsewhere.resolve())
        if text is None:
            return article
        try:
            entities = tuple(self.finder.find(article.sha256, text))
        except NoModel as error:
            raise ExportError(str(error)) from None
        return replace(article, path=path, entities=entities)


def _text_at(path: Path, sha256: str) -> str | None:
    """The text of the file at *path*, if it still has the content *sha256*."""
    read = read_article(path)
    return read.text if isinstance(read, Article) and read.sha256 == sha256 else None


def _read_without_annotations(
    store: AnnotationStore, annotated: list[ExportedArticle]
) -> list[ExportedArticle]:
    """The articles marked read that are not among *annotated*."""
    known = {article.sha256 for article in annotated}
    return [
        ExportedArticle(sha256=r.sha256, path=r.path, title=r.title, read=True)
        for r in store.reading()
        if r.read and r.sha256 not in known
    ]


def _from_store(
    store: AnnotationStore,
) -> tuple[list[ExportedArticle], dict[str, dict[str, None]], dict[str, int]]:
    """Every article with tags or annotations (without them: see :class:`_Filler`), the
    paths each article's annotations were made at and how many it has, by hash (one pass
    over the store's annotations, a batch at a time)."""
    found: dict[str, ExportedArticle] = {}
    for document in store.articles():
        found[document["sha256"]] = ExportedArticle(
            sha256=document["sha256"],
            path=document["path"],
            title=document["title"],
            tags=tuple(document["tags"]),
        )
    places: dict[str, dict[str, None]] = {}
    counts: dict[str, int] = {}
    first: dict[str, Annotation] = {}
    # The store lists annotations in the order they were made.
    for annotation in store.iter_annotations():
        sha256 = annotation.article_sha256
        places.setdefault(sha256, {})[annotation.article_path] = None
        counts[sha256] = counts.get(sha256, 0) + 1
        if sha256 not in found and (
            sha256 not in first or annotation.created < first[sha256].created
        ):
            first[sha256] = annotation
    # Every annotation has its article's document; should one not (the file was read
    # between two saves), export it under the path of its oldest annotation rather than
    # drop it.
    for sha256, annotation in sorted(first.items(), key=lambda item: item[1].created):
        found[sha256] = ExportedArticle(sha256, annotation.article_path, "")
    return list(found.values()), places, counts


def _select(articles: list[ExportedArticle], paths: list[Path]) -> list[ExportedArticle]:
    """The articles named by *paths* (see :func:`gather`), in the order of *articles*,
    then the readable files the store does not know. An article found by its content is
    exported with the path asked for and that file's text; a file whose content the store
    does not know, at the path the store has for an article (edited since reader last saw
    it), stands for that article rather than a second, unannotated one."""
    by_sha = {article.sha256: article for article in articles}
    by_place: dict[str, list[ExportedArticle]] = {}
    for article in articles:
        by_place.setdefault(os.path.realpath(article.path), []).append(article)
    chosen: dict[str, ExportedArticle] = {}
    for path in paths:
        place = os.path.realpath(path)
        result = read_article(path)
        matched = list(by_place.get(place, ()))
        if isinstance(result, Article):
            known = by_sha.get(result.sha256)
            if known is not None:
                here = str(result.path.resolve())
                matched = [a for a in matched if a.sha256 != known.sha256]
                matched.append(replace(known, path=here, text=result.text))
            elif not matched:
                matched.append(_unannotated(result))
        elif not matched:
            assert isinstance(result, Problem)
            raise ExportError(str(result))
        for article in matched:
            chosen.setdefault(article.sha256, article)
    return list(chosen.values())


def _unannotated(article: Article) -> ExportedArticle:
    return ExportedArticle(
        sha256=article.sha256,
        path=str(article.path.resolve()),
        title=article.title,
        text=article.text,
    )


def _with_texts(
    articles: list[ExportedArticle],
    found: Mapping[str, Article],
    annotated: Mapping[str, Mapping[str, None]],
) -> list[ExportedArticle]:
    """Each article with its text: from the paths the store has for it (its own, and those
    its annotations were made at: *annotated*), where the file still has that content,
    else from the library's articles by content hash (*found*: empty when text is not
    asked for); None if neither. An article found in the library, whose stored path no
    longer holds it, gets the library's path."""
    result = []
    for article in articles:
        text = article.text
        path = article.path
        places = dict.fromkeys([article.path, *annotated.get(article.sha256, ())])
        if text is None:
            for place in places:
                read = read_article(Path(place))
                if isinstance(read, Article) and read.sha256 == article.sha256:
                    text = read.text
                    break
        if text is None and article.sha256 in found:
            elsewhere = found[article.sha256]
            text, path = elsewhere.text, str(elsewhere.path.resolve())
        result.append(replace(article, text=text, path=path))
    return result


def _placed(article: ExportedArticle, warn: Warn | None) -> ExportedArticle:
    """*article* with each passage annotation placed in its text (see :func:`gather`)."""
    placed = [place(annotation, article.text) for annotation in article.annotations]
    states = {p.annotation.id: p.state for p in placed if p.annotation.target is not None}
    if not states:
        return article
    if article.text is None and warn is not None:
        warn(
            f"“{article.title or article.path}” ({article.sha256[:12]}): its text was not "
            f"found (not in the library, and changed or gone at {article.path}); its "
            "passages are exported where they were (state: unverified)"
        )
    annotations = tuple(
        replace(p.annotation, target=placed_target(p, article.text)) for p in placed
    )
    return replace(article, annotations=annotations, states=states)
