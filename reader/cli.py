"""The `reader` command: arguments and subcommands; builds Settings, runs the app or a command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from reader import __version__
from reader.cli_annotations import ANNOTATION_COMMANDS
from reader.cli_export import EXPORT_COMMANDS
from reader.cli_index import INDEX_COMMANDS
from reader.settings import Settings

if TYPE_CHECKING:
    from reader.store import AnnotationStore

__all__ = ["main"]

Command = Callable[[argparse.Namespace, Settings], int]


def _common(parser: argparse.ArgumentParser) -> None:
    """Add the options every command accepts."""
    parser.add_argument(
        "--db", metavar="PATH", help="annotations database (default: annotations/annotations.json)"
    )
    parser.add_argument(
        "--model", metavar="NAME", help="spaCy pipeline to use (default: en_core_web_sm)"
    )
    parser.add_argument("--cache-dir", metavar="DIR", help="where entities are cached")
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the entity cache"
    )


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader",
        description=(
            "Read news articles in the terminal with their named entities highlighted.\n\n"
            "commands (run `reader COMMAND --help`):\n"
            "  entities      print the entities of articles as JSON\n"
            "  tag           add tags to an article\n"
            "  untag         remove tags from an article\n"
            "  note          add a note to an article (TEXT - reads stdin)\n"
            "  annotations   list what is stored\n"
            "  export        write annotations as json, w3c, jsonl, markdown or csv\n"
            "  import        read a json or w3c export back into the database\n"
            "  index         precompute the entities of a whole library into the cache"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="article files or folders (default: ./seeds, else the bundled seed article)",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _common(parser)
    return parser


def _entities_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader entities",
        description="Print each article's entities, exactly as the app shows them, as JSON.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="article files or folders (default: ./seeds, else the bundled seed article)",
    )
    parser.add_argument(
        "--format",
        choices=("jsonl", "json"),
        default="jsonl",
        help="jsonl: one object per line (default); json: one array",
    )
    _common(parser)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.build(
        paths=getattr(args, "paths", None) or None,
        db=args.db,
        cache_dir=args.cache_dir,
        model=args.model,
        no_cache=args.no_cache,
    )


def _warn(message: str) -> None:
    """Print one sanitised line to stderr."""
    from reader.console import error

    error(message)


def run_entities(args: argparse.Namespace, settings: Settings) -> int:
    """`reader entities`: print one JSON object per article."""
    from reader.annotations import correct_entities
    from reader.entities.finder import build_finder
    from reader.entities.recognizer import NoPipeline
    from reader.library import Library

    library = Library.load(settings.article_paths)
    for problem in library.problems:
        _warn(str(problem))
    for article in library.articles:
        for notice in article.notices:
            _warn(f"{article.path}: {notice}")
    if not library.articles:
        _warn("no articles found")
        return 1
    store = _open_store_for_reading(settings)
    # A one-shot command has no screen to keep responsive: no worker process to spawn.
    finder = build_finder(
        settings,
        corrector=lambda sha, text, spans: correct_entities(store, sha, text, spans),
        in_process=True,
    )
    try:
        pipeline = finder.pipeline.to_json()
        records = [
            {
                "path": str(article.path),
                "sha256": article.sha256,
                "pipeline": pipeline,
                "entities": [span.to_json() for span in finder.find(article.sha256, article.text)],
            }
            for article in library.articles
        ]
    except NoPipeline as error:
        _warn(str(error))
        return 2
    from reader.console import dumps, print_line

    if args.format == "json":
        print_line(dumps(records))
    else:
        for record in records:
            print_line(dumps(record, indent=None))
    return 0


def _open_store_for_reading(settings: Settings) -> AnnotationStore | None:
    """Open the database read-only for its corrections; None (and a warning) if it can't be."""
    from reader.store import AnnotationStore, StoreError

    if not settings.db_path.exists():
        return None
    try:
        return AnnotationStore(settings.db_path, read_only=True)
    except StoreError as error:
        _warn(f"{error}; entity corrections are not applied")
        return None


def run_app(args: argparse.Namespace, settings: Settings) -> int:
    """Start the terminal UI."""
    from reader.ui.app import build_app

    app = build_app(settings, tune_gc=True)
    app.run()
    return app.return_code or 0


COMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Command]] = {
    "entities": (_entities_parser, run_entities),
    **ANNOTATION_COMMANDS,
    **EXPORT_COMMANDS,
    **INDEX_COMMANDS,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse *argv* (default: sys.argv[1:]) and run the app or the named command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # `reader PATH...` opens the app; a first word naming a command runs that command.
    # A file that happens to be called like a command can be opened as ./entities.
    if argv and argv[0] in COMMANDS:
        make_parser, command = COMMANDS[argv[0]]
        args = make_parser().parse_args(argv[1:])
    else:
        args = _app_parser().parse_args(argv)
        command = run_app
    try:
        return command(args, _settings(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `reader entities ... | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return 0
