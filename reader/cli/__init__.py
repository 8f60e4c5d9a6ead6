"""The `reader` command: the command table and ``main``; runs the app or a command.

One module per command group (``entities``: `reader entities` and `reader index`;
``annotate``: `tag`, `untag`, `note`, `annotations`; ``export``: `export`, `import`;
``search``; ``config``; ``add``: `add`, `refresh`, `feeds`), what they share in
``common``. Every command gets the
:class:`~reader.workspace.Workspace` built from its arguments, and nothing else.

The common options (``--db``, ``--model``, ...) go before or after the command's name, as
in git: they are read first, wherever they are, then the first word left names the command
(or, if it names none, the app opens with the words as paths).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import gc
import importlib
import os
import sys
import threading
from collections.abc import Callable, Sequence

from reader import __version__
from reader.cli.common import (
    CommandTable,
    Failed,
    add_common_options,
    add_paths,
    common_parser,
    error_line,
    merge_common,
    settings_from,
)
from reader.config import ConfigError
from reader.workspace import Workspace

__all__ = ["COMMANDS", "main"]

COMMANDS: dict[str, str] = {
    "entities": "entities",
    "index": "entities",
    "entity": "entity",
    "tag": "annotate",
    "untag": "annotate",
    "note": "annotate",
    "annotations": "annotate",
    "drafts": "drafts",
    "export": "export",
    "import": "export",
    "search": "search",
    "config": "config",
    "add": "add",
    "refresh": "add",
    "feeds": "add",
}
"""Every subcommand by name, with the module of ``reader.cli`` whose own ``COMMANDS``
table holds it: imported only when the command is run (the app's start, which imports
none of them, shows its first frame ~20 ms sooner)."""


def command_table(name: str) -> CommandTable:
    """The ``COMMANDS`` of the module holding the subcommand *name* (imported now)."""
    module = importlib.import_module(f"reader.cli.{COMMANDS[name]}")
    table: CommandTable = module.COMMANDS
    return table


class _AppParser(argparse.ArgumentParser):
    """The app's parser, whose help ends with the database and library in use (worked out
    only when the help is shown)."""

    def __init__(self, in_use: Callable[[], str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._in_use = in_use

    def format_help(self) -> str:
        self.epilog = self._in_use()
        return super().format_help()


def _in_use(common: argparse.Namespace) -> str:
    """The help's last lines: what `reader` would use now, and where each came from."""
    try:
        rows = settings_from(common).in_use()
    except ConfigError as error:
        return f"in use: none, the config file cannot be read: {error}"
    rows = [row for row in rows if row[0] in ("config file", "database", "articles")]
    from reader.cli import config

    lines = config.settings_lines(rows, indent="  ")
    return "in use (without PATH arguments; all of it: reader config):\n" + "\n".join(lines)


def _app_parser(common: argparse.Namespace | None = None) -> argparse.ArgumentParser:
    parser = _AppParser(
        lambda: _in_use(common or common_parser().parse_args([])),
        prog="reader",
        description=(
            "Read news articles in the terminal with their named entities highlighted.\n\n"
            "commands (run `reader COMMAND --help`; options go before or after it):\n"
            "  entities      print the entities of articles as JSON\n"
            "  entity        the library's entities; one entity's page; merge, split, graph\n"
            "  search        print the articles a query finds (reader search --help)\n"
            "  tag           add tags to an article\n"
            "  untag         remove tags from an article\n"
            "  note          add a note to an article (TEXT - reads stdin)\n"
            "  annotations   list what is stored\n"
            "  drafts        the notes being written that were never saved (--drop KEY)\n"
            "  export        write annotations as json, w3c, jsonl, markdown or csv\n"
            "  import        read a json or w3c export back into the database\n"
            "  index         precompute the entities of a whole library into the cache\n"
            "  add           add web pages (URLs), saved pages, text files or feeds\n"
            "  refresh       fetch the subscribed feeds and add their new entries\n"
            "  feeds         list, remove, import or export (OPML) the subscribed feeds\n"
            "  config        print the paths and values in use, and where each came from"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_paths(parser)
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    add_common_options(parser)
    return parser


def _no_such(word: str) -> Failed:
    """A first word that is neither a command nor a file: a usage error with a suggestion."""
    close = difflib.get_close_matches(word, COMMANDS, n=3, cutoff=0.6)
    hint = (
        f"did you mean {' or '.join(close)}?"
        if close
        else f"commands: {', '.join(sorted(COMMANDS))}; reader --help"
    )
    return Failed(f"no such command or file: {word!r} ({hint})", code=2)


def run_app(args: argparse.Namespace, workspace: Workspace) -> int:
    """Start the terminal UI.

    The library is listed in a thread of its own from here, while the UI's modules are
    imported and its screen is built, so that the first frame can show the list (the
    screen's worker asks the workspace for the same listing, and waits for it if it is
    not done; a failure is that worker's to report).
    """
    # No garbage collection until the first frame: what is made until then (the modules
    # imported, the screen) lives as long as the app, and the collector's passes over it
    # cost the first start ~20 ms; the app freezes it and collects again after that frame.
    # An app that ends before that frame (it failed to start, it was quit) leaves it on.
    gc.disable()
    try:
        # What listing imports, imported first: the two threads never wait on each other's
        # module locks (the rest of it is imported already, by this module).
        import reader.library.catalogue
        import reader.library.quick  # noqa: F401

        threading.Thread(target=_list_library, args=(workspace,), daemon=True).start()
        from reader.ui.app import ReaderApp

        app = ReaderApp(workspace, tune_gc=True)
        app.run()
    finally:
        gc.enable()
    return app.return_code or 0


def _list_library(workspace: Workspace) -> None:
    """List the library ahead of the app (its worker reports what fails)."""
    with contextlib.suppress(Exception):
        workspace.list_library()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse *argv* (default: sys.argv[1:]) and run the app or the named command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # The common options are read wherever they are; then a first word naming a command
    # runs it (`reader --db x.json annotations`), else `reader PATH...` opens the app. A
    # file called like a command can be opened as ./entities.
    common, rest = common_parser().parse_known_args(argv)
    if rest and rest[0] in COMMANDS:
        make_parser, command = command_table(rest[0])[rest[0]]
        args = merge_common(make_parser().parse_args(rest[1:]), common)
    else:
        args = _app_parser(common).parse_args(argv)
        command = run_app
    try:
        if command is run_app and args.paths and not os.path.lexists(args.paths[0]):
            raise _no_such(args.paths[0])
        settings = settings_from(args)
    except Failed as failure:
        error_line(str(failure))
        return failure.code
    except ConfigError as error:
        error_line(str(error))
        return 2
    # A one-shot command has no screen to keep responsive: its model runs in its own
    # process, with no worker to spawn.
    workspace = Workspace(settings, model_in_process=command is not run_app)
    try:
        return command(args, workspace)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `reader entities ... | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return 0
    finally:
        # What the store found about its file (it was empty, it had vanished), once.
        if workspace.store is not None:
            for notice in workspace.store.take_notices():
                error_line(notice)
        workspace.close()
