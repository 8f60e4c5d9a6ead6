"""`reader annotations [PATH...]`: what the database holds, per article, printed as it goes.

Each article's annotations are read from the store when it is printed, not all first:
100,000 of them as the listing's records took ~350 MB. The JSON document is the one
``dumps`` makes of it whole (each article is dumped alone and indented to its depth).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.cli.common import error_line
from reader.console import dumps, print_line, safe_line, safe_path
from reader.library import Article, Problem, read_article
from reader.text import sanitize
from reader.workspace import Workspace

if TYPE_CHECKING:
    from reader.store import AnnotationStore

__all__ = ["run_annotations"]

_KIND_SECTIONS = {"note": "notes", "highlight": "highlights", "correction": "corrections"}
"""Where each kind of annotation is listed in `reader annotations`."""


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
            return _list(args.format, store, paths, str(db_path))
    except StoreError as error:
        error_line(str(error))
        return 1
    except BrokenPipeError:  # stdout closed early: as any command's (reader.cli.main)
        raise
    except OSError as error:
        error_line(f"{db_path}: {error.strerror or error}")
        return 1


def _list(fmt: str, store: AnnotationStore, paths: list[Path], db_path: str) -> int:
    """Print the listing (the store open: each article's annotations are read from it as
    the article is printed); return the exit status."""
    records = _records(store)
    # Saved views belong to no article: listed when every article is.
    views = [] if paths else [{"name": v.name, "query": v.query} for v in store.views()]
    status = 0
    if paths:
        records, problems = _select(records, paths)
        for problem in problems:
            error_line(str(problem))
            status = 1
    listed = (_placed(_filled(store, record)) for record in records)
    if fmt == "json":
        document: dict[str, Any] = {"database": db_path, "articles": []}
        if not paths:
            document["views"] = views
        _print_json(document, listed if records else None)
    elif records or views:
        for number, record in enumerate(listed):
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
        print_line(f"no annotations in {safe_path(db_path)}")
    return status


_ARTICLE_AT = '"articles": [\n    '
"""Where the first article starts in the JSON document (a key's quotes are never inside
a string, where they are escaped)."""


def _print_json(document: dict[str, Any], articles: Iterable[dict[str, Any]] | None) -> None:
    """Print *document* as JSON with *articles* (None: none) as its ``articles``, an
    article at a time: the bytes of ``dumps`` of the whole document."""
    if articles is None:
        print_line(dumps(document))
        return
    text = dumps(document | {"articles": [None]})
    at = text.index(_ARTICLE_AT) + len(_ARTICLE_AT)
    before, after = text[:at], text[at + len("null") :]
    _write(before)
    for number, record in enumerate(articles):
        separator = ",\n    " if number else ""
        _write(separator + dumps(record).replace("\n", "\n    "))
    print_line(after)


def _write(text: str) -> None:
    """Write *text* as :func:`print_line` does, without a newline."""
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


def _records(store: AnnotationStore) -> list[dict[str, Any]]:
    """One dict per article: title, path, sha256, tags, read (marked read), and empty
    notes, highlights and corrections (:func:`_filled` fills them).

    Articles come in the order the store first saw them (then those only marked read, then
    any whose annotations have no article document, in the order they were made).
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
    # Every annotation has its article's document; should one not, list it on its own
    # (a pass over the annotations, a batch at a time).
    for annotation in store.iter_annotations():
        if annotation.article_sha256 not in records:
            record(annotation.article_sha256, annotation.article_path, "", [])
    return list(records.values())


def _filled(store: AnnotationStore, record: dict[str, Any]) -> dict[str, Any]:
    """*record* with its annotations, oldest first, each as the store's document (nested
    dicts with sorted keys, so the JSON is stable): a new dict, so that the list of
    records keeps none of them."""
    record = record | {section: [] for section in _KIND_SECTIONS.values()}
    for annotation in store.annotations(record["sha256"]):
        section = record[_KIND_SECTIONS[annotation.kind]]
        section.append(_sorted_keys(annotation.to_document()))
    return record


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
    lines.append(f"  path: {safe_path(record['path'])}")
    if "stored_path" in record:
        stored_path = safe_path(record["stored_path"])
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


def _tags(tags: Iterable[str]) -> str:
    return ", ".join(safe_line(tag, 80) for tag in tags)
