"""`reader search QUERY [PATH...]`: the articles a query finds, in the list's order, and why.

The query is parsed by the core's one parser (:func:`reader.search.query.parse`) and run
against the search index (:mod:`reader.search.index`), brought up to date first
(incrementally: only what changed is indexed). Exit 0 with results, 1 with none (grep's
convention), 2 for a query that cannot be parsed (the message and the position on stderr).
"""

from __future__ import annotations

import argparse

from reader.cli.common import CommandTable, add_paths, command_parser, error_line
from reader.console import dumps, print_line, safe_line
from reader.workspace import Workspace

__all__ = ["COMMANDS", "run_search"]


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


def run_search(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader search`: print the hits; 0 with some, 1 with none, 2 for a bad query."""
    from reader.search.index import IndexReset
    from reader.search.query import QueryError, parse

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
    library = workspace.library()
    for problem in library.problems:
        error_line(str(problem))
    index = workspace.search_index()
    report = index.update(workspace)
    if report.rebuilt:
        error_line(report.rebuilt)
    for reason in report.problems:
        error_line(reason)
    try:
        hits = index.search(query, library.articles)
    except IndexReset:
        index.update(workspace)
        hits = index.search(query, library.articles)
    if args.format == "json":
        print_line(dumps([hit.to_json() for hit in hits]))
    elif args.format == "jsonl":
        for hit in hits:
            print_line(dumps(hit.to_json(), indent=None))
    else:
        for hit in hits:
            why = ", ".join(hit.fields)
            line = f"{safe_line(str(hit.path), 300)}\t{safe_line(hit.title)}"
            if why:
                line += f"\t[{why}]"
            if hit.snippet:
                line += f"\t{safe_line(hit.snippet, 300)}"
            print_line(line)
    return 0 if hits else 1


COMMANDS: CommandTable = {"search": (_search_parser, run_search)}
"""`reader search`."""
