"""The export and import commands: `reader export` and `reader import`.

Shaped like :mod:`reader.cli.annotate`: parser factories and run functions, collected
in :data:`COMMANDS`. `reader export` reads the database
without locking it (it works while the app runs); with ``-o -`` the document is the only
thing written to stdout, every other line goes to stderr. `reader import` checks the whole
file before it opens the database for writing, so a refused file changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from reader.cli.common import CommandTable, add_wait, command_parser, error_line
from reader.console import print_line, safe_line, safe_path
from reader.export.formats import (
    DEFAULT_FORMAT,
    FORMAT_NAMES,
    format_for_filename,
    format_help,
    format_named,
)
from reader.workspace import Workspace

if TYPE_CHECKING:
    from reader.export.collection import Collection
    from reader.export.importing import ImportReport

__all__ = ["COMMANDS", "run_export", "run_import"]


def _export_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader export",
        "Export tags, notes, highlights and corrections. Written by default into exports/ "
        "next to the database (annotations/exports/), under a new name each time.",
    )
    parser.add_argument(
        "--format",
        choices=FORMAT_NAMES,
        help=format_help(),
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (replaced atomically; never through a symlink); - for stdout",
    )
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="only articles with this tag (ignoring case; repeat for any of several)",
    )
    parser.add_argument(
        "--article",
        action="append",
        default=[],
        metavar="PATH",
        help="only this article file (repeatable); found by its content or its stored path",
    )
    parser.add_argument(
        "--include-entities",
        action="store_true",
        help="json: add every entity shown (model, consistency and user ones, with source)",
    )
    return parser


def _import_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader import",
        "Import a json or w3c export. Annotations already in the database are not added "
        "again; one whose id the database holds with other content is a conflict, "
        "reported, and the database's version is kept. A file with any error is refused "
        "whole and the database is left as it was.",
    )
    parser.add_argument("file", metavar="FILE", help="a file made by reader export (json, w3c)")
    add_wait(parser)
    return parser


def run_export(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader export`: write the export; say where on stdout (nothing else with ``-o -``)."""
    from reader.annotations import relink_files
    from reader.export.exporting import ExportError, build_export, default_export_name
    from reader.export.writing import ExportWriteError, write_file, write_in_folder
    from reader.store import StoreError

    settings = workspace.settings
    output: str | None = args.output
    implied = format_for_filename(output or "")
    fmt = args.format or (implied or DEFAULT_FORMAT).name
    export_format = format_named(fmt)
    with_library = export_format.needs_text or (
        args.include_entities and export_format.carries_entities
    )
    article_paths = [Path(path) for path in args.article]
    for relinked in relink_files(workspace, article_paths, with_library=with_library):
        error_line(relinked.summary())
    try:
        with workspace.open_store(read_only=True) as store:
            export = build_export(
                workspace,
                store,
                fmt,
                tags=args.tag,
                article_paths=article_paths,
                include_entities=args.include_entities,
                warn=error_line,
            )
            # Written while the store is open: the annotations are read from it an
            # article at a time as the file is written.
            if output == "-":
                _write_stdout(export.chunks())
                return 0
            if output:
                path = Path(output)
                write_file(path, export.chunks())
            else:
                name = default_export_name(fmt, label=export.label)
                path = write_in_folder(workspace.exports_dir, name, export.chunks())
    except (ExportError, ExportWriteError, StoreError) as error:
        error_line(str(error))
        return 1
    except BrokenPipeError:  # stdout closed early: as any command's (reader.cli.main)
        raise
    except OSError as error:  # the database's folder or file cannot be read
        error_line(f"{settings.db_path}: {error.strerror or error}")
        return 1
    print_line(
        f"exported {_exported(export.collection, export_format.writes_read_state)} "
        f"as {fmt} to {safe_path(path)}"
    )
    return 0


def _exported(collection: Collection, with_read_only: bool) -> str:
    """``8 articles (2 with tags or annotations, 6 with read state only; 5 annotations)``:
    the articles the file holds (those only marked read too, in a format that writes them)."""
    annotations = _counted(collection.annotation_count, "annotation")
    annotated = len(collection.articles)
    read_only = len(collection.also_read) if with_read_only else 0
    if not read_only:
        return f"{_counted(annotated, 'article')} ({annotations})"
    return (
        f"{_counted(annotated + read_only, 'article')} ({annotated} with tags or annotations, "
        f"{read_only} with read state only; {annotations})"
    )


def _write_stdout(chunks: Iterable[bytes]) -> None:
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        for chunk in chunks:
            buffer.write(chunk)
        buffer.flush()
    else:  # a text-only stream (tests capturing output)
        stream.write(b"".join(chunks).decode("utf-8"))
        stream.flush()


# reader import


def run_import(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader import FILE`: import an export; report what was added, and every conflict.

    A conflict (an annotation or view the database holds differently) does not stop the
    rest: everything else is imported, in one save, and the summary says exactly what
    was added (annotations, tags, read marks, views) before listing each conflict, whose
    database version was kept. A bad file, or a failing database, imports nothing.

    Exit status 0 when everything in the file is now in the database, 1 when the file is
    refused, the database fails, or a conflict kept the database's version.
    """
    from reader.export.importing import (
        ImportFileError,
        apply_plan,
        plan_import,
        read_import_file,
    )
    from reader.store import StoreCorrupt, StoreError

    settings = workspace.settings
    shown = safe_line(args.file, 500)
    try:
        parsed = read_import_file(Path(args.file))
    except ImportFileError as error:
        error_line(f"{args.file}: {error}; nothing was imported")
        return 1
    try:
        with workspace.open_store(wait=args.wait) as store:
            report = apply_plan(store, plan_import(store, parsed))
    except (ValueError, TypeError) as error:  # the store refused what the checks let by
        error_line(f"{args.file}: {error}; nothing was imported")
        return 1
    except StoreCorrupt as error:  # already says that the database was left as it is
        error_line(str(error))
        return 1
    except StoreError as error:
        error_line(f"{error}; nothing was imported")
        return 1
    except OSError as error:
        error_line(f"{settings.db_path}: {error.strerror or error}; nothing was imported")
        return 1
    for line in _summary(shown, report):
        print_line(line)
    return 1 if report.conflicts else 0


def _summary(shown: str, report: ImportReport) -> list[str]:
    parts = [f"added {_counted(len(report.added), 'annotation')}"]
    parts.append(_counted(report.tags_added, "tag"))
    line = f"imported {shown} ({report.format}): {' and '.join(parts)}"
    if report.views_added:
        line += f", {_counted(report.views_added, 'view')}"
    if report.marked_read:
        line += f"; marked {_counted(report.marked_read, 'article')} read"
    if report.entity_edits_added:
        line += f"; {_counted(report.entity_edits_added, 'entity edit')}"
    if report.unchanged:
        line += f"; {report.unchanged} already in the database"
    if report.conflicts:
        line += f"; {_counted(len(report.conflicts), 'conflict')}"
    lines = [line]
    lines.extend(f"conflict: {safe_line(str(conflict), 500)}" for conflict in report.conflicts)
    if report.conflicts:
        lines.append(
            "the rest of the file was imported (above); for each conflict the database's "
            "version was kept: edit it in reader, or import a file without it"
        )
    lines.extend(f"note: {safe_line(note, 500)}" for note in report.notes)
    return lines


# Output.


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


COMMANDS: CommandTable = {
    "export": (_export_parser, run_export),
    "import": (_import_parser, run_import),
}
"""`reader export` and `reader import`."""
