"""`reader drafts`: the notes being written that were never saved, kept as drafts by the
app (:mod:`reader.store.drafts`): how to reach one whose article is no longer in the
library, and to remove one (``--drop KEY``: never one a running app is writing). Drafts
are not notes: ``reader annotations`` and the exports leave them out."""

from __future__ import annotations

import argparse

from reader.cli.common import CommandTable, add_wait, command_parser, error_line
from reader.console import print_line, safe_line, safe_path
from reader.text import sanitize
from reader.workspace import Workspace

__all__ = ["COMMANDS", "run_drafts"]


def _drafts_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "reader drafts",
        "Print the notes being written that were never saved (the app keeps them as "
        "drafts while they are typed: a closed terminal or a crash does not lose them), "
        "oldest first: when, the article, its path, the key, and the text. Open the note "
        "again in the app to go on (a on the article); --drop removes one.",
    )
    parser.add_argument("--drop", metavar="KEY", help="remove the draft with this key")
    add_wait(parser)
    return parser


def run_drafts(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader drafts [--drop KEY]`: 0, or 1 with the reason on stderr."""
    from reader.store import StoreError

    db_path = workspace.settings.db_path
    if args.drop is None and not db_path.exists():
        return _none()
    try:
        if args.drop is not None:
            with workspace.open_store(wait=args.wait) as store:
                if not store.delete_draft(args.drop):
                    held = [d for d in store.drafts() if d.key == args.drop]
                    if held:  # every draft under it is being written by a running app
                        pid = held[0].owner.pid if held[0].owner is not None else 0
                        error_line(
                            f"the draft {safe_line(args.drop, 100)!r} is being written in "
                            f"another window (process {pid}): not dropped; save or drop it "
                            "there, or quit that app first"
                        )
                        return 1
                    error_line(f"no draft with the key {safe_line(args.drop, 100)!r}")
                    return 1
            print_line(f"Dropped the draft {safe_line(args.drop, 100)}")
            return 0
        with workspace.open_store(read_only=True) as store:
            drafts = store.drafts()
    except StoreError as error:
        error_line(str(error))
        return 1
    except OSError as error:
        error_line(f"{db_path}: {error.strerror or error}")
        return 1
    if not drafts:
        return _none()
    for draft in drafts:
        print_line(
            f"{safe_line(draft.saved, 40)}  “{safe_line(draft.article.title, 80)}”  "
            f"{safe_path(draft.article.path)}"
        )
        print_line(f"  key: {safe_line(draft.key, 200)}")
        if draft.held_elsewhere() and draft.owner is not None:
            print_line(f"  being written now, in another window (process {draft.owner.pid})")
        quote = (draft.target or {}).get("quote") or {}
        if isinstance(quote.get("exact"), str):
            print_line(f"  on: “{safe_line(quote['exact'], 100)}”")
        for line in sanitize(draft.body).splitlines() or [""]:
            print_line(f"    {line}")
    return 0


def _none() -> int:
    """Say there is no draft (on stderr, as `reader entity --edits` says it has no edit:
    stdout stays empty for a script)."""
    error_line("no drafts (the app keeps a note being typed as a draft until it is saved)")
    return 0


COMMANDS: CommandTable = {"drafts": (_drafts_parser, run_drafts)}
"""`reader drafts`."""
