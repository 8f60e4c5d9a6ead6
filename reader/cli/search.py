"""`reader search QUERY [PATH...]`: the articles a query finds, in the list's order, and why.

The query is parsed by the core's one parser (:func:`reader.search.query.parse`) and run
against the search index (:mod:`reader.search.index`), brought up to date first
(incrementally: only what changed is indexed). When nothing the index is made from changed
since the last `reader search` (every article file and the database checked by stat:
:func:`~reader.search.index.library_stamp`; for a query for entities, the entity cache
too: :func:`~reader.search.stamp.entity_cache_stamp`), the library is not even loaded; nor
after the app's updates that only indexed entities (:meth:`SearchIndex.carry`). Hits are
printed as they are explained (the first at once). Exit 0 with results, 1 with none
(grep's convention), 2 for a query that cannot be parsed (the message and the position on
stderr).

``entity:`` resolves names as the app does (every spelling of the entity, the user's
merges and splits) through the library's entity index, when that index exists and is at
most :data:`ENTITY_CATCH_UP` articles behind (then brought up to date); otherwise the name
is matched as written and stderr says so once: a search never builds the whole entity
index (half a minute for 10,000 articles) on the side.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from reader.cli.common import CommandTable, add_paths, command_parser, error_line, say_skipped
from reader.console import dumps, print_line, safe_line, safe_path
from reader.workspace import Workspace

if TYPE_CHECKING:
    from reader.search.compile import EntityArticles
    from reader.search.index import Hit, SearchIndex
    from reader.search.query import Query

__all__ = ["COMMANDS", "run_search"]

FLUSH_SECONDS = 0.05
"""Longest a printed hit waits in the output buffer (the first is flushed at once)."""

ENTITY_CATCH_UP = 200
"""Most articles the entity index may be behind for `reader search` to bring it up to date
before an ``entity:`` query (a few milliseconds each); further behind, the search matches
``entity:`` names as written and says so (building the whole index of a large library
takes half a minute: `reader index` does it, as `reader entity` does)."""


def _search_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader search",
        "Print the articles a query finds, in the list's order: path, title, and why each "
        "matched (the fields, a snippet). Free words match the title, text, notes and tags "
        '(whole words, smart case, accents folded); "quoted phrases"; -word negates; OR and '
        "parentheses group; tag:, entity:, label:, has:note|highlight|correction, "
        "is:read|unread, in:FOLDER, path:, title:, date:2026-05..2026-06, words:>1000, "
        "sort:date|-date|title|words|mentions. Exit 0 with results, 1 with none, 2 for a "
        "bad query.",
    )
    parser.add_argument("query", metavar="QUERY", help="the query (quote it for the shell)")
    add_paths(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json", "jsonl"),
        default="text",
        help="text: one line per article (default); json: one array; jsonl: one object a line",
    )
    return parser


def _safe(text: str, limit: int = 200) -> str:
    """:func:`safe_line`, without its work for text it would return unchanged (printable
    ASCII, single spaces, short enough: most paths and every stored title and snippet)."""
    if (
        len(text) <= limit
        and text.isascii()
        and text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
    ):
        return text
    return safe_line(text, limit)


class _Output:
    """Lines written as :func:`print_line` writes them (what the stream cannot encode as
    backslash escapes), flushed at the first line and then at most every
    :data:`FLUSH_SECONDS` (a flush per line is a system call per hit).

    Encoded once, straight into the stream's byte buffer when it has one and the text
    layer would not translate line ends (as on POSIX) and the encoding starts no text with
    a byte order mark (UTF-16, UTF-32, ``utf-8-sig``: the text layer writes one, once; an
    encode per line would write one a line): the same bytes, without a decode and a second
    encode per line (thousands of hits)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.encoding = getattr(stream, "encoding", None) or "utf-8"
        buffer = getattr(stream, "buffer", None)
        try:
            marked = bool("".encode(self.encoding))  # a byte order mark before any text
        except LookupError:
            marked = True  # (the text layer's own encoding, unknown here: it encodes)
        self.buffer: BinaryIO | None = buffer if os.linesep == "\n" and not marked else None
        if self.buffer is not None:
            stream.flush()  # what the text layer holds goes first
        self.flushed: float | None = None

    def line(self, text: str) -> None:
        text += "\n"
        if self.buffer is not None:
            self.buffer.write(text.encode(self.encoding, "backslashreplace"))
        else:
            if not text.isascii():
                text = text.encode(self.encoding, "backslashreplace").decode(self.encoding)
            self.stream.write(text)
        now = time.monotonic()
        if self.flushed is None or now - self.flushed >= FLUSH_SECONDS:
            self.flush()
            self.flushed = now

    def flush(self) -> None:
        if self.buffer is not None:
            self.buffer.flush()
        else:
            self.stream.flush()

    def close(self) -> None:
        self.flush()


def _text_line(hit: Hit) -> str:
    why = ", ".join(hit.fields)
    line = f"{safe_path(hit.location)}\t{_safe(hit.title)}"
    if why:
        line += f"\t[{why}]"
    if hit.snippet:
        # Already one sanitised line of at most SNIPPET_LIMIT (< 300) code points
        # (snippets.make_snippet): sanitising it again would return it unchanged.
        line += f"\t{hit.snippet}"
    return line


def _has_entity_index(cache_dir: Path) -> bool:
    """Whether *cache_dir* holds any library's entity index (``entities-*.sqlite3``): if
    not, the entity index's module (~25 ms to import) is not needed to say so."""
    try:
        names = os.listdir(cache_dir)
    except OSError:
        return False
    return any(name.startswith("entities-") and name.endswith(".sqlite3") for name in names)


def _entity_resolver(workspace: Workspace) -> EntityArticles | None:
    """How ``entity:`` finds its articles: as the app does, through the library's entity
    index (every spelling of the entity, the user's merges and splits), when the index
    exists and is current or nearly so (then brought up to date); else None (the name's
    text as the article shows it), said on stderr once."""
    settings = workspace.settings
    if not settings.use_cache:
        return None  # --no-cache: no entity cache, no index
    why = "there is no entity index yet"
    path = None
    if _has_entity_index(settings.cache_dir):
        from reader.entities.library.index import index_file

        path = index_file(settings)
    if path is not None and path.is_file():
        index = workspace.entity_index()
        try:
            behind = index.behind(workspace)
            if behind is None:
                return None  # no entities to index (no model): nothing to resolve
            if behind <= ENTITY_CATCH_UP:
                if behind:
                    index.update(workspace)
                return index.articles_of
        except (OSError, sqlite3.Error) as error:
            why = f"the entity index could not be read ({error})"
        else:
            why = f"the entity index is {behind:,} articles behind"
    error_line(
        f"entity: matches names as written: {why} (`reader index` brings it up to date; "
        "then entity: finds every spelling and your merges)"
    )
    return None


def _hits(index: SearchIndex, query: Query, workspace: Workspace, scoped: bool) -> Iterator[Hit]:
    """The explained hits, one at a time; an index found broken before the first is
    rebuilt and searched again."""
    from reader.search.index import IndexReset

    articles = workspace.library().articles if scoped else None
    found = index.hits(query, articles)
    try:
        first = next(found, None)
    except IndexReset:
        index.update(workspace)
        found = index.hits(query, workspace.library().articles)
        first = next(found, None)
    if first is not None:
        yield first
        yield from found


def _print(hits: Iterable[Hit], form: str) -> bool:
    """Print *hits* in *form*; whether there was any."""
    if form == "json":
        collected = [hit.to_json() for hit in hits]
        print_line(dumps(collected))
        return bool(collected)
    out = _Output(sys.stdout)
    count = 0
    try:
        for hit in hits:
            out.line(dumps(hit.to_json(), indent=None) if form == "jsonl" else _text_line(hit))
            count += 1
    finally:
        out.close()
    return count > 0


def run_search(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader search`: print the hits; 0 with some, 1 with none, 2 for a bad query.

    Without the garbage collector's passes (as it was, after): what a search makes
    (the stamp's entries, the rows, each hit and its line) is freed by reference counts,
    and the passes over it cost ~9 M instructions of a few-hit search (more with
    thousands of hits). An index brought up to date (the library loaded, every changed
    article read) runs with the collector on."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_search(args, workspace, collecting)
    finally:
        if collecting:
            gc.enable()


def _run_search(args: argparse.Namespace, workspace: Workspace, collecting: bool) -> int:
    from reader.search.index import library_stamp
    from reader.search.query import (
        QueryError,
        asks_for_entities,
        entities_missing,
        parse,
        uses_fields,
    )
    from reader.search.stamp import entity_cache_stamp

    try:
        query = parse(args.query)
    except QueryError as error:
        # The position is a code-point offset; the query is shown with a mark there (a
        # caret line would not survive sanitising, which collapses runs of spaces).
        at = error.position
        shown = safe_line(args.query[:at], 500) + " \u25b8" + safe_line(args.query[at:], 500)
        error_line(f"bad query: {error.message} (at character {at + 1})")
        error_line(f"  {shown}")
        return 2
    index = workspace.search_index()
    settings = workspace.settings
    stamp = library_stamp(settings)  # before anything is read: a change after
    problems = index.current(stamp)  # it shows in the next stamp
    entities = asks_for_entities(query)
    entity_stamp = None
    if problems is None or entities:
        # Before anything is read too. Only a query for entities needs the index's
        # entities as current as the cache (the app's entity pass changes it every few
        # seconds, and indexes what it finds: a text query need not wait for it).
        entity_stamp = entity_cache_stamp(settings, trusted=True)
        if problems is not None and not index.entities_current(entity_stamp):
            problems = None
    scoped = problems is None
    if problems is None:
        if collecting:
            gc.enable()
        library = workspace.library()
        problems = [str(problem) for problem in library.problems]
        say_skipped(len(problems))
        report = index.update(workspace)
        if report.rebuilt:
            error_line(report.rebuilt)
        for reason in report.problems:
            error_line(reason)
        if not report.rebuilt and not report.problems:
            index.remember(stamp, report, problems, entity_stamp)
    else:
        say_skipped(len(problems))
    if uses_fields(query.where, ("entity",)):
        index.entity_resolver = _entity_resolver(workspace)
    if entities and (missing := entities_missing(*index.entity_coverage(workspace))):
        error_line(missing)  # as the app's filter says it
    for notice in index.notices(query):  # label:perosn: as the app's filter says it
        error_line(notice)
    if _print(_hits(index, query, workspace, scoped), args.format):
        return 0
    if settings.source("articles") != "arguments":
        # No PATH given: the library came from the config file, a seeds folder found
        # upwards, or the bundled seeds; say which, as a search run from inside a news
        # folder otherwise finds nothing without a word.
        named = ", ".join(str(path) for path in settings.article_paths)
        error_line(
            f"no match in {named} ({settings.source('articles')}); "
            "name a folder after the query to search it"
        )
    return 1


COMMANDS: CommandTable = {"search": (_search_parser, run_search)}
"""`reader search`."""
