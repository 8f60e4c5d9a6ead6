"""What every command shares: the common options, the paths argument, --wait, the one way to
write an error line, and building the Workspace from the parsed arguments.

The command modules import this one and nothing of each other; ``reader.cli`` imports them
all to make its command table. No cycle.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from reader.console import error as error_line
from reader.settings import Settings
from reader.workspace import Workspace

__all__ = [
    "COMMON_OPTIONS",
    "WRITE_WAIT_SECONDS",
    "Command",
    "CommandTable",
    "Failed",
    "add_common_options",
    "add_paths",
    "add_wait",
    "command_parser",
    "common_parser",
    "error_line",
    "merge_common",
    "say_skipped",
    "settings_from",
    "wait_seconds",
]

WRITE_WAIT_SECONDS = 5.0
"""How long a command that changes the database waits for another writer (the app)."""

Command = Callable[[argparse.Namespace, Workspace], int]
"""A command: the parsed arguments and the workspace in, the exit status out."""

CommandTable = dict[str, tuple[Callable[[], argparse.ArgumentParser], Command]]
"""Each command's name, its parser factory and its run function."""

PATHS_HELP = (
    "article files or folders (default: the config file's library, else seeds/ here or in "
    "a parent folder, else the bundled seed article)"
)

COMMON_OPTIONS = ("db", "model", "engine", "cache_dir", "no_cache")
"""The destinations of the options every command takes, before or after its name."""


class Failed(Exception):
    """A command cannot go on: one line for stderr, and the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
        """1 for a failure, 2 for a usage error (as argparse)."""


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Add the options every command accepts (--db, --model, --engine, --cache-dir, ...)."""
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="annotations database (default: the config file's, else annotations/ here or in "
        "a parent folder, else the user data dir; `reader config` shows which)",
    )
    parser.add_argument(
        "--model",
        metavar="NAME",
        help=(
            "the engine's model: a spaCy pipeline's package, or sm / md (default: the best "
            "installed, en_core_web_md, else en_core_web_sm; sm uses about 90 MB less)"
        ),
    )
    parser.add_argument("--engine", metavar="NAME", help="the entity engine (default: spacy)")
    parser.add_argument("--cache-dir", metavar="DIR", help="where entities are cached")
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the entity cache"
    )


def add_paths(parser: argparse.ArgumentParser, help: str = PATHS_HELP) -> None:
    """Add the optional ``PATH...`` argument: the articles to work on. (Its default makes
    it optional to argparse too: without one, a missing argument before it is reported
    as "required: QUERY, PATH".)"""
    parser.add_argument("paths", nargs="*", default=[], metavar="PATH", help=help)


def wait_seconds(value: str) -> float:
    """argparse type for --wait: a number of seconds, zero or more."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not seconds >= 0 or seconds == float("inf"):  # also refuses NaN
        raise argparse.ArgumentTypeError(f"must be zero or more seconds: {value!r}")
    return seconds


def add_wait(parser: argparse.ArgumentParser, default: float = WRITE_WAIT_SECONDS) -> None:
    """Add ``--wait SECONDS``: how long a command that writes waits for another writer."""
    parser.add_argument(
        "--wait",
        type=wait_seconds,
        default=default,
        metavar="SECONDS",
        help="how long to wait while another reader has the database open for writing "
        f"(default: {default:g})",
    )


def command_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """A subcommand's parser with the options every command takes."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    add_common_options(parser)
    return parser


def common_parser() -> argparse.ArgumentParser:
    """A parser of the common options alone, for reading them wherever they are in the
    command line (``parse_known_args``): before the command's name as well as after it."""
    parser = argparse.ArgumentParser(prog="reader", add_help=False, allow_abbrev=False)
    add_common_options(parser)
    return parser


def merge_common(args: argparse.Namespace, common: argparse.Namespace) -> argparse.Namespace:
    """*args* with the common options given before the command's name filled in (those
    given after it win)."""
    for dest in COMMON_OPTIONS:
        if not getattr(args, dest, None):
            setattr(args, dest, getattr(common, dest))
    return args


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings the parsed arguments ask for (then the environment, the config file,
    the project layout, defaults).

    Raises:
        reader.config.ConfigError: the config file cannot be used.
    """
    return Settings.build(
        paths=getattr(args, "paths", None) or None,
        db=args.db,
        cache_dir=args.cache_dir,
        model=args.model,
        engine=args.engine,
        no_cache=args.no_cache,
    )


def say_skipped(count: int) -> None:
    """One line for the files of the library that are not articles (binary, empty,
    unreadable…), said by a command that only reads the library on the way: ``2 files
    skipped (reader index lists them)``; nothing when there are none. ``reader index``
    (and ``reader entities``, which reads every article) names each with its reason."""
    if count:
        files = "file" if count == 1 else "files"
        error_line(f"{count:,} {files} skipped (reader index lists them)")
