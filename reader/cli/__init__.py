"""The `reader` command: the command table and ``main``; runs the app or a command.

One module per command group (``entities``: `reader entities` and `reader index`;
``annotate``: `tag`, `untag`, `note`, `annotations`; ``export``: `export`, `import`),
what they share in ``common``. Every command gets the :class:`~reader.workspace.Workspace`
built from its arguments, and nothing else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from reader import __version__
from reader.cli import annotate, entities, export, search
from reader.cli.common import CommandTable, add_common_options, add_paths, settings_from
from reader.workspace import Workspace

__all__ = ["COMMANDS", "main"]

COMMANDS: CommandTable = {
    **entities.COMMANDS,
    **annotate.COMMANDS,
    **export.COMMANDS,
    **search.COMMANDS,
}
"""Every subcommand by name."""


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader",
        description=(
            "Read news articles in the terminal with their named entities highlighted.\n\n"
            "commands (run `reader COMMAND --help`):\n"
            "  entities      print the entities of articles as JSON\n"
            "  search        print the articles a query finds (reader search --help)\n"
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
    add_paths(parser)
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    add_common_options(parser)
    return parser


def run_app(args: argparse.Namespace, workspace: Workspace) -> int:
    """Start the terminal UI."""
    from reader.ui.app import ReaderApp

    app = ReaderApp(workspace, tune_gc=True)
    app.run()
    return app.return_code or 0


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
    # A one-shot command has no screen to keep responsive: its model runs in its own
    # process, with no worker to spawn.
    workspace = Workspace(settings_from(args), model_in_process=command is not run_app)
    try:
        return command(args, workspace)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `reader entities ... | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return 0
    finally:
        workspace.close()
