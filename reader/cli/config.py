"""`reader config`: the paths and values in force, and where each came from (a flag, the
environment, the config file, the project layout found from here, or the default)."""

from __future__ import annotations

import argparse

from reader.cli.common import CommandTable, add_paths, command_parser
from reader.console import print_line, safe_line
from reader.workspace import Workspace

__all__ = ["COMMANDS", "run_config", "settings_lines"]


def _config_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader config",
        "Print the config file's path and the paths and values in force (database, "
        "articles, entity cache, engine, model, theme), each with where it came from: a "
        "flag, an environment variable, the config file, a folder found from here up "
        "(annotations/, seeds/), or the default.",
    )
    add_paths(parser)
    return parser


def settings_lines(rows: list[tuple[str, str, str]], indent: str = "") -> list[str]:
    """*rows* (``Settings.in_use()``) as aligned, sanitised lines: name, value, (source)."""
    width = max((len(name) for name, _, _ in rows), default=0)
    return [
        f"{indent}{name:<{width}}  {safe_line(value, limit=1000)}  ({safe_line(source)})"
        for name, value, source in rows
    ]


def run_config(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader config`: one line per setting, the model as what really runs; 0."""
    rows = [
        (name, f"{value}: {_model_in_use(workspace)}" if name == "model" else value, source)
        for name, value, source in workspace.settings.in_use()
    ]
    for line in settings_lines(rows):
        print_line(line)
    return 0


def _model_in_use(workspace: Workspace) -> str:
    """The model that runs, as its package's metadata says it (not loaded), or why none."""
    from reader.entities.engines import NoModel

    try:
        return workspace.finder.pipeline.shown
    except NoModel as error:
        return f"none ({error})"


COMMANDS: CommandTable = {"config": (_config_parser, run_config)}
"""`reader config`."""
