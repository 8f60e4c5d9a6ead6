"""The annotation commands: `reader tag`, `untag`, `note` and `annotations` (which
:mod:`reader.cli.listing` runs).

Each command is a parser factory and a run function, collected in :data:`COMMANDS`.
Commands that change the database wait their turn for the write lock and print their one
confirmation line only once the change is on disk; a failure prints one line,
``reader: <reason>``, on stderr and changes nothing. Everything read from an article, the
database or the command line is sanitised before it reaches the terminal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from reader.cli.common import (
    CommandTable,
    Failed,
    add_paths,
    add_wait,
    command_parser,
    error_line,
)
from reader.cli.listing import run_annotations
from reader.console import print_line, safe_line
from reader.library import Article, Problem, read_article
from reader.workspace import Workspace

if TYPE_CHECKING:
    from reader.store import AnnotationStore, ArticleRef

__all__ = ["COMMANDS", "run_annotations", "run_note", "run_tag", "run_untag"]

_T = TypeVar("_T")

# Parsers.


def _add_path_and_wait(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="the article file")
    add_wait(parser)


def _tag_parser() -> argparse.ArgumentParser:
    parser = command_parser("reader tag", "Add tags to an article.")
    _add_path_and_wait(parser)
    parser.add_argument("tags", nargs="+", metavar="TAG", help="tags to add")
    return parser


def _untag_parser() -> argparse.ArgumentParser:
    parser = command_parser("reader untag", "Remove tags from an article (ignoring case).")
    _add_path_and_wait(parser)
    parser.add_argument("tags", nargs="+", metavar="TAG", help="tags to remove")
    return parser


def _note_parser() -> argparse.ArgumentParser:
    parser = command_parser("reader note", "Add a note on a whole article.")
    _add_path_and_wait(parser)
    parser.add_argument("text", metavar="TEXT", help="the note; - reads it from stdin (UTF-8)")
    return parser


def _annotations_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader annotations",
        "List the tags, notes, highlights and corrections stored in the database. Reads "
        "it without locking it, so it works while the app runs.",
    )
    add_paths(
        parser,
        "only these article files, found by their content now or their stored path "
        "(default: every article in the database)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: for reading (default); json: one JSON document",
    )
    return parser


# Commands that change the database.


def run_tag(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader tag PATH TAG...`: tag an article; say which tags were added."""

    def change(store: AnnotationStore, article: Article, tags: list[str]) -> str:
        added = store.add_tags(_ref(article), tags)
        had = _missing(tags, added)
        if not added:
            return f"{_title(article)} is already tagged {_tags(had)}"
        also = f" (it was already tagged {_tags(had)})" if had else ""
        return f"tagged {_title(article)}: {_tags(added)}{also}"

    return _guarded(lambda: _change_tags(args, workspace, change))


def run_untag(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader untag PATH TAG...`: untag an article; say which tags were removed."""

    def change(store: AnnotationStore, article: Article, tags: list[str]) -> str:
        removed = store.remove_tags(_ref(article), tags)
        absent = _missing(tags, removed)
        if not removed:
            return f"{_title(article)} is not tagged {_tags(absent)}"
        also = f" (it was not tagged {_tags(absent)})" if absent else ""
        return f"untagged {_title(article)}: {_tags(removed)}{also}"

    return _guarded(lambda: _change_tags(args, workspace, change))


def run_note(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader note PATH TEXT`: add a note on the whole article (TEXT ``-``: stdin)."""

    def note() -> str:
        article = _article(args.path)
        body = _read_stdin() if args.text == "-" else args.text
        if not body.strip():
            raise Failed("an empty note is not added", code=2)
        added = _write(workspace, args.wait, lambda store: store.add_note(_ref(article), body))
        return f"noted {_title(article)} (note {added.id})"

    return _guarded(note)


def _change_tags(
    args: argparse.Namespace,
    workspace: Workspace,
    change: Callable[[AnnotationStore, Article, list[str]], str],
) -> str:
    tags = _clean_tags(args.tags)
    article = _article(args.path)
    return _write(workspace, args.wait, lambda store: change(store, article, tags))


def _write(workspace: Workspace, wait: float, change: Callable[[AnnotationStore], _T]) -> _T:
    """Open the database for writing (waiting up to *wait* s), make *change*, close it.

    The store returns from a change once it is on disk, and changes nothing if it fails.
    """
    from reader.store import StoreError

    try:
        with workspace.open_store(wait=wait) as store:
            return change(store)
    except StoreError as error:
        raise Failed(str(error)) from error
    except OSError as error:
        raise Failed(f"{workspace.settings.db_path}: {error.strerror or error}") from error
    except ValueError as error:  # refused by the store's checks: bad input
        raise Failed(str(error), code=2) from error


def _clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags stripped, repeats dropped (by the store's own key: case, spaces and control
    characters as the store compares them); an empty tag is a usage error."""
    from reader.store.model import tag_key

    kept: dict[str, str] = {}
    for tag in tags:
        cleaned = tag.strip()
        try:
            key = tag_key(cleaned)
        except ValueError:
            raise Failed("a tag cannot be empty", code=2) from None
        kept.setdefault(key, cleaned)
    return list(kept.values())


def _missing(asked: list[str], done: list[str]) -> list[str]:
    """The tags of *asked* that are not in *done*, compared as the store compares tags."""
    from reader.store.model import tag_key

    keys = {tag_key(tag) for tag in done}
    return [tag for tag in asked if tag_key(tag) not in keys]


def _read_stdin() -> str:
    """The whole of stdin as UTF-8, without the line break(s) that end it."""
    stream = sys.stdin
    if stream is None:
        raise Failed("no standard input to read the note from")
    try:
        raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
    except OSError as error:
        raise Failed(f"standard input cannot be read: {error.strerror or error}") from error
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")  # a BOM is not part of the note
        except UnicodeDecodeError as error:
            raise Failed(f"standard input is not UTF-8 text (byte {error.start})") from None
    else:
        text = raw
    return text.rstrip("\r\n")


# Shared helpers.


def _guarded(command: Callable[[], str]) -> int:
    """Run *command*; print its confirmation line (0), or its failure on stderr (1 or 2)."""
    try:
        message = command()
    except Failed as failure:
        error_line(str(failure))
        return failure.code
    print_line(message)
    return 0


def _article(path: str) -> Article:
    """Read the article at *path*, or fail with the reason it cannot be read."""
    result = read_article(Path(path))
    if isinstance(result, Problem):
        raise Failed(str(result))
    return result


def _ref(article: Article) -> ArticleRef:
    """The store's identity for *article*, the same as the app's (absolute path)."""
    from reader.annotations import article_ref

    return article_ref(article)


def _title(article: Article) -> str:
    return f"“{safe_line(article.title, 80)}”"


def _tags(tags: Iterable[str]) -> str:
    return ", ".join(safe_line(tag, 80) for tag in tags)


COMMANDS: CommandTable = {
    "tag": (_tag_parser, run_tag),
    "untag": (_untag_parser, run_untag),
    "note": (_note_parser, run_note),
    "annotations": (_annotations_parser, run_annotations),
}
"""The annotation subcommands."""
