"""The annotation commands: `reader tag`, `untag`, `note` and `annotations`.

Each command is a parser factory and a run function, collected in :data:`COMMANDS`.
Commands that change the database wait their turn for the write lock and print their one
confirmation line only once the change is on disk; a failure prints one line,
``reader: <reason>``, on stderr and changes nothing. Everything read from an article, the
database or the command line is sanitised before it reaches the terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reader.cli.common import (
    CommandTable,
    Failed,
    add_paths,
    add_wait,
    command_parser,
    error_line,
)
from reader.console import dumps, print_line, safe_line
from reader.library import Article, Problem, read_article
from reader.text import sanitize
from reader.workspace import Workspace

if TYPE_CHECKING:
    from reader.store import AnnotationStore, ArticleRef

__all__ = ["COMMANDS", "run_annotations", "run_note", "run_tag", "run_untag"]

_T = TypeVar("_T")

_KIND_SECTIONS = {"note": "notes", "highlight": "highlights", "correction": "corrections"}
"""Where each kind of annotation is listed in `reader annotations`."""


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


# Listing.


def run_annotations(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader annotations [PATH...]`: print what the database holds, per article, each
    passage with its state in the article's text now."""
    from reader.annotations import relink_files
    from reader.store import StoreError

    db_path = workspace.settings.db_path
    paths = [Path(p) for p in args.paths]
    # Files asked for that the database knows under another path, or edited at theirs,
    # are recorded where they are now, as the app does when it opens them.
    for relinked in relink_files(workspace, paths):
        error_line(relinked.summary())
    try:
        with workspace.open_store(read_only=True) as store:
            records = _records(store)
            # Saved views belong to no article: listed when every article is.
            views = [] if paths else [{"name": v.name, "query": v.query} for v in store.views()]
    except StoreError as error:
        error_line(str(error))
        return 1
    except OSError as error:
        error_line(f"{db_path}: {error.strerror or error}")
        return 1
    status = 0
    if paths:
        records, problems = _select(records, paths)
        for problem in problems:
            error_line(str(problem))
            status = 1
    records = [_placed(record) for record in records]
    if args.format == "json":
        document: dict[str, Any] = {"database": str(db_path), "articles": records}
        if not paths:
            document["views"] = views
        print_line(_json(document))
    elif records or views:
        for number, record in enumerate(records):
            if number:
                print_line("")
            for line in _text_lines(record):
                print_line(line)
        if views:
            if records:
                print_line("")
            print_line("saved views:")
            for view in views:
                print_line(f"  - {safe_line(view['name'])}: {safe_line(view['query'], 500)}")
    elif not status:
        print_line(f"no annotations in {safe_line(str(db_path), limit=500)}")
    return status


def _records(store: AnnotationStore) -> list[dict[str, Any]]:
    """One dict per article: title, path, sha256, tags, read (marked read), notes,
    highlights, corrections.

    Articles come in the order the store first saw them (then those only marked read),
    annotations oldest first, each as the store's document (nested dicts with sorted
    keys, so the JSON is stable).
    """
    records: dict[str, dict[str, Any]] = {}

    def record(sha256: str, path: str, title: str, tags: list[str]) -> dict[str, Any]:
        return records.setdefault(
            sha256,
            {"title": title, "path": path, "sha256": sha256, "tags": tags, "read": False}
            | {section: [] for section in _KIND_SECTIONS.values()}
            | {"stored_path": path},
        )

    for article in store.articles():
        record(article["sha256"], article["path"], article["title"], list(article["tags"]))
    for reading in store.reading():
        if reading.read:
            record(reading.sha256, reading.path, reading.title, [])["read"] = True
    for annotation in store.annotations():
        # Every annotation has its article's document; should one not, list it on its own.
        owner = record(annotation.article_sha256, annotation.article_path, "", [])
        owner[_KIND_SECTIONS[annotation.kind]].append(_sorted_keys(annotation.to_document()))
    return list(records.values())


def _sorted_keys(value: Any) -> Any:
    """A JSON value with the keys of its nested dicts sorted (top-level order kept)."""
    if isinstance(value, dict):
        return {key: _sorted_json(item) for key, item in value.items()}
    return value


def _sorted_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_json(item) for item in value]
    return value


def _json(value: Any) -> str:
    """*value* as indented JSON with nothing a terminal would act on (console.dumps)."""
    return dumps(value)


def _select(
    records: list[dict[str, Any]], paths: list[Path]
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The records of the articles at *paths*: by the content hash of each file now, or
    by the path stored with the article (so an edited or deleted file is still found).

    An article found by content is reported under the path asked for; where the database
    has it under another path, ``stored_path`` says which (``shared``: that file has the
    same text, and the two share their annotations). Also returns the problems of paths
    that could not be read and matched nothing.
    """
    from reader.annotations import holds

    asked: dict[str, Article] = {}
    unread: list[tuple[Problem, str]] = []
    places: set[str] = set()
    for path in paths:
        place = _place(str(path))
        places.add(place)
        result = read_article(path)
        if isinstance(result, Problem):
            unread.append((result, place))
        else:
            asked.setdefault(result.sha256, result)

    selected = []
    for record in records:
        found = asked.get(record["sha256"])
        if found is not None:
            here = str(found.path.resolve())
            record = {**record, "path": here, "text": found.text}
            if _place(record["stored_path"]) != _place(here):
                record["shared"] = holds(record["stored_path"], record["sha256"])
            selected.append(record)
        elif _place(record["path"]) in places:
            selected.append(record)
    found_places = {_place(record["stored_path"]) for record in selected}
    return selected, [problem for problem, place in unread if place not in found_places]


def _placed(record: dict[str, Any]) -> dict[str, Any]:
    """*record* as listed: each passage with its ``state`` in the text the record's
    sha256 names (and its target where it is found now; see
    :func:`reader.annotations.placed_target`), ``stored_path`` only where it differs
    from ``path``, and no text."""
    from reader.annotations import place, placed_target
    from reader.store import Annotation

    text = record.pop("text", None)
    stored_path = record.pop("stored_path")
    shared = record.pop("shared", None)
    if text is None:
        sections = [record[section] for section in _KIND_SECTIONS.values()]
        places = [stored_path, *(a["article_path"] for s in sections for a in s)]
        for where in dict.fromkeys(places):
            found = read_article(Path(where))
            if isinstance(found, Article) and found.sha256 == record["sha256"]:
                text = found.text
                break
    for section in _KIND_SECTIONS.values():
        listed = []
        for document in record[section]:
            if document.get("target") is not None:
                placed = place(Annotation.from_document(document), text)
                target = placed_target(placed, text)
                document = {**document, "target": _sorted_json(target), "state": placed.state}
            listed.append(document)
        record[section] = listed
    if _place(stored_path) != _place(record["path"]):
        record = _with_after(record, "path", stored_path=stored_path)
        if shared is not None:
            record = _with_after(record, "stored_path", shared=shared)
    return record


def _with_after(record: dict[str, Any], key: str, **items: Any) -> dict[str, Any]:
    """*record* with *items* inserted after *key* (the JSON listing keeps an order)."""
    result: dict[str, Any] = {}
    for name, value in record.items():
        result[name] = value
        if name == key:
            result |= items
    return result


def _place(path: str) -> str:
    """A path made comparable: absolute, normalised, symlinks resolved where they exist."""
    return os.path.realpath(path)


def _text_lines(record: dict[str, Any]) -> list[str]:
    """The human-readable listing of one article, every string sanitised."""
    lines = [safe_line(record["title"] or record["path"])]
    lines.append(f"  path: {safe_line(record['path'], 500)}")
    if "stored_path" in record:
        stored_path = safe_line(record["stored_path"], 500)
        if record.get("shared"):
            lines.append(f"  same text as: {stored_path} (the two share these annotations)")
        else:
            lines.append(f"  the database has it at: {stored_path}")
    lines.append(f"  sha256: {safe_line(record['sha256'])}")
    if record["tags"]:
        lines.append(f"  tags: {_tags(record['tags'])}")
    if record["read"]:
        lines.append("  marked read")
    if record["notes"]:
        lines.append("  notes:")
        for note in record["notes"]:
            passage = _quote(note.get("target"))
            head = f"on {passage}{_state(note)}: " if passage else ""
            body = [line.rstrip() for line in sanitize(note.get("body", "")).split("\n")]
            while len(body) > 1 and not body[-1]:
                body.pop()
            lines.append(f"    - {head}{body[0]}")
            lines.extend(f"      {line}" if line else "" for line in body[1:])
    if record["highlights"]:
        lines.append("  highlights:")
        lines.extend(
            f"    - {_quote(h.get('target')) or '(no quote)'}{_state(h)}"
            for h in record["highlights"]
        )
    if record["corrections"]:
        lines.append("  corrections:")
        lines.extend(f"    - {_correction(c)}{_state(c)}" for c in record["corrections"])
    return lines


def _state(annotation: dict[str, Any]) -> str:
    """`` [moved]``: where a passage stands in the article's text now ("" for a note on
    the whole article)."""
    state = annotation.get("state")
    return f" [{safe_line(state, 20)}]" if isinstance(state, str) else ""


def _quote(target: object) -> str:
    """The quoted passage of a target, “like this”, or "" if it has none."""
    quote = target.get("quote") if isinstance(target, dict) else None
    exact = quote.get("exact") if isinstance(quote, dict) else None
    return f"“{safe_line(exact, 80)}”" if isinstance(exact, str) and exact else ""


def _correction(annotation: dict[str, Any]) -> str:
    """``relabel “Apple” as ORG (global)``, from a stored correction."""
    fix = annotation.get("correction")
    fix = fix if isinstance(fix, dict) else {}
    action = safe_line(str(fix.get("action", "?")), 20)
    text = fix.get("text")
    what = f"“{safe_line(text, 80)}”" if isinstance(text, str) else _quote(annotation.get("target"))
    label = fix.get("label")
    as_label = f" as {safe_line(label, 40)}" if isinstance(label, str) and label else ""
    return f"{action} {what}{as_label} ({safe_line(str(fix.get('scope', '?')), 20)})"


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
