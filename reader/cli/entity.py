"""`reader entity`: the library's entities (one entity across articles and spellings), one
entity's page, the user's merges, splits, renames and relabels, and the co-occurrence
network for Gephi, Cytoscape or networkx.

    reader entity [PATH...] [--label L] [--limit N] [--format text|json]
    reader entity NAME [PATH...] [--order newest|mentions] [--format text|json]
    reader entity --merge FROM INTO | --split NAME [--variant V] | --rename NAME NEW
                  | --relabel NAME LABEL | --edits | --remove-edit ID
    reader entity [PATH...] --graph FILE.graphml|.gexf|.csv

The first word is the entity's NAME unless it is an existing file or folder (then every
word is a PATH); ``--name`` says it outright. The work is done by the core's entity index
(:mod:`reader.entities.library`), brought up to date first (only what changed).
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader.cli.common import (
    CommandTable,
    Failed,
    add_common_options,
    add_wait,
    error_line,
    say_skipped,
    settings_from,
)
from reader.console import dumps, print_line, safe_line, safe_path
from reader.workspace import Workspace

if TYPE_CHECKING:
    from reader.entities.library.edits import Edit
    from reader.entities.library.index import EntityIndex
    from reader.entities.library.pages import EntityPage, Snippet
    from reader.entities.library.resolve import Entity
    from reader.settings import Settings

__all__ = ["COMMANDS", "run_entity"]

BAR = 30
"""Widest bar of the text timeline, in block characters."""


class _IntermixedParser(argparse.ArgumentParser):
    """Words and options in any order (``reader entity NAME --label PERSON PATH``): plain
    argparse stops taking ``NAME|PATH`` words at the first option."""

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        return self.parse_intermixed_args(args, namespace)


def _entity_parser() -> argparse.ArgumentParser:
    parser = _IntermixedParser(
        prog="reader entity",
        description="The library's entities, most mentioned first (name, label, variants, "
        "articles, mentions); with a NAME, that entity's page: every article that mentions it with "
        "snippets, who appears with it, and its mentions by date. Spellings of one entity "
        "are one entity (case, possessives, titles, a leading 'the'); a lone surname joins "
        "the library's one full name ending in it, and is shown as ambiguous when there are "
        "several. Merges, splits, renames and relabels are stored in the database.",
    )
    add_common_options(parser)
    parser.add_argument(
        "words",
        nargs="*",
        metavar="NAME|PATH",
        help="an entity's name (or id, such as PERSON:sergey lavrov), then article files or "
        "folders; the first word is a PATH when such a file or folder exists",
    )
    parser.add_argument("--name", help="the entity whose page to print (every word a PATH)")
    parser.add_argument(
        "--label", type=str.upper, help="only entities of this label (PERSON, ORG, GPE, ...)"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="print at most N entities")
    parser.add_argument(
        "--order",
        choices=("newest", "mentions"),
        default="newest",
        help="an entity page's articles: newest first (default) or most mentions first",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    edit = parser.add_mutually_exclusive_group()
    edit.add_argument("--merge", nargs=2, metavar=("FROM", "INTO"), help="merge FROM into INTO")
    edit.add_argument(
        "--split",
        metavar="NAME",
        help="split the entity NAME's variants apart (with --variant: that one off)",
    )
    parser.add_argument("--variant", help="with --split: the variant to split off")
    edit.add_argument("--rename", nargs=2, metavar=("NAME", "NEW"), help="rename an entity")
    edit.add_argument(
        "--relabel", nargs=2, metavar=("NAME", "LABEL"), help="give an entity a label everywhere"
    )
    edit.add_argument("--edits", action="store_true", help="list the stored entity edits")
    edit.add_argument("--remove-edit", metavar="ID", help="take back a stored edit by its id")
    edit.add_argument(
        "--graph",
        type=Path,
        metavar="FILE",
        help="write the co-occurrence network: .graphml, .gexf or .csv (an edge list)",
    )
    add_wait(parser)
    return parser


def _split_words(args: argparse.Namespace) -> tuple[str | None, list[str]]:
    """The entity's name (or None) and the paths, from the positional words."""
    words: list[str] = list(args.words)
    if args.name is not None:
        return args.name, words
    lists = args.merge or args.split or args.rename or args.relabel or args.edits
    if lists or args.remove_edit or args.graph or not words or os.path.lexists(words[0]):
        return None, words
    return words[0], words[1:]


def run_entity(args: argparse.Namespace, workspace: Workspace) -> int:
    """`reader entity`: list, show, edit or export the library's entities."""
    name, paths = _split_words(args)
    if args.limit is not None and args.limit < 1:
        error_line("--limit must be 1 or more")
        return 2
    # The positional words are not all paths: the settings are built again with the paths.
    args.paths = paths
    own = Workspace(settings_from(args), model_in_process=True)
    try:
        return _run(args, own, name)
    finally:
        own.close()


def _run(args: argparse.Namespace, workspace: Workspace, name: str | None) -> int:
    from reader.store import StoreError

    editing = bool(args.merge or args.split or args.rename or args.relabel or args.remove_edit)
    try:
        if editing:
            try:
                workspace.open_store(wait=args.wait)
            except StoreError as error:
                raise Failed(str(error)) from error
        index = _updated_index(workspace, detail=bool(args.edits))
        if args.edits:
            return _print_edits(index)
        if editing:
            return _edit(args, workspace, index)
        if args.graph is not None:
            return _graph(args, index)
        if name is not None:
            return _page(args, index, name)
        return _list(args, index)
    except Failed as failure:
        error_line(str(failure))
        return failure.code


def _updated_index(workspace: Workspace, *, detail: bool = False) -> EntityIndex:
    library = workspace.library()
    say_skipped(len(library.problems))
    if not library.articles:
        raise Failed("no articles found")
    index = workspace.entity_index()
    report = index.update(workspace)
    if report.rebuilt:
        error_line(report.rebuilt)
    for reason in report.problems:
        error_line(reason)
    if report.unavailable:
        error_line(f"entities unavailable: {report.unavailable}")
    if report.missing:
        many = "article's entities are" if report.missing == 1 else "articles' entities are"
        error_line(f"{report.missing:,} {many} not cached yet (reader index finds them)")
    if not report.unavailable:
        _say_unapplied(index, workspace.settings, detail=detail)
    return index


def _say_unapplied(index: EntityIndex, settings: Settings, *, detail: bool) -> None:
    """Say which stored entity edits do not apply to the articles read (their entities
    are not there), each with why, when the user named those articles (the config's
    library; PATH with *detail*: ``--edits``, the edits asked about); PATH without it (a
    list or page of some files): one line, since an edit about other articles is no
    problem of these; when they named none (seeds/ found here, the bundled seed), one
    line: the edits are the database's, made for the library they named then, and
    listing each as failed against articles they were never meant for misleads."""
    unapplied = index.resolution().unapplied
    if not unapplied:
        return
    where = safe_line(", ".join(str(path) for path in settings.article_paths), 200)
    source = settings.source("articles")
    if source not in ("arguments", "config file"):
        many = "edit names entities" if len(unapplied) == 1 else "edits name entities"
        error_line(
            f"{len(unapplied):,} entity {many} not in {where} ({source}: no PATH named, no "
            "library in the config); name the library they were made for"
        )
        return
    if source == "arguments" and not detail:
        many = "edit does" if len(unapplied) == 1 else "edits do"
        error_line(
            f"{len(unapplied):,} stored entity {many} not apply to {where} (made for other "
            "articles; reader entity --edits with the same paths says why each)"
        )
        return
    names = _names(index)
    for edit, why in unapplied:
        error_line(
            f"entity edit {edit.id or '?'} not applied to {where} ({edit.describe(names)}): {why}"
        )


def _one(index: EntityIndex, name: str, label: str | None) -> Entity:
    """The one entity *name* means, or Failed saying why not (none, or which ones)."""
    found = index.find(name, label)
    if not found:
        raise Failed(f"no entity {name!r}" + (f" of label {label}" if label else ""))
    if len(found) > 1:
        which = "; ".join(f"{e.name} ({e.label}, id {e.id})" for e in found[:8])
        raise Failed(f"{name!r} may be several entities: {which}; give --label or the id")
    return found[0]


def _list(args: argparse.Namespace, index: EntityIndex) -> int:
    entities = index.entities(label=args.label, limit=args.limit)
    if args.format == "json":
        print_line(dumps([entity.to_json() for entity in entities]))
    else:
        for entity in entities:
            line = (
                f"{entity.mentions}\t{entity.articles}\t{entity.label}\t"
                f"{safe_line(entity.name)}\t{safe_line(' | '.join(entity.variants), 300)}"
            )
            if entity.ambiguous:
                line += f"\tmay be: {safe_line(', '.join(entity.ambiguous), 300)}"
            print_line(line)
    return 0 if entities else 1


def _page(args: argparse.Namespace, index: EntityIndex, name: str) -> int:
    entity = _one(index, name, args.label)
    page = index.page(entity, order=args.order, snippets=None, cooccurring=None, counted=None)
    assert page is not None
    if args.format == "json":
        print_line(dumps(page.to_json()))
        return 0
    for line in page_lines(page):
        print_line(line)
    return 0


def _marked(snippet: Snippet) -> str:
    """The snippet with its marks between « and »."""
    text, parts, at = snippet.text, [], 0
    for start, end in snippet.marks:
        parts += [text[at:start], "«", text[start:end], "»"]
        at = end
    parts.append(text[at:])
    return "".join(parts)


def page_lines(page: EntityPage) -> list[str]:
    """An entity page as text lines (sanitised)."""
    entity = page.entity
    articles = "article" if entity.articles == 1 else "articles"
    lines = [
        f"{safe_line(entity.name)} ({entity.label}): {entity.mentions} mentions in "
        f"{entity.articles} {articles}; id {safe_line(entity.id)}",
        f"variants: {safe_line(' | '.join(entity.variants), 500)}",
    ]
    if entity.ambiguous:
        lines.append(f"may be: {safe_line(', '.join(entity.ambiguous), 500)}")
    lines += ["", "articles:"]
    for article in page.articles:
        lines.append(
            f"{article.date or '-'}\t{len(article.mentions)}\t{safe_path(article.path)}"
            f"\t{safe_line(article.title)}"
        )
        for snippet in article.snippets:
            lines.append(f"    {safe_line(_marked(snippet), 400)}")
    if page.cooccurring:
        lines += ["", "with (weight, articles, sentences together):"]
        for other in page.cooccurring:
            lines.append(
                f"{other.weight}\t{other.articles}\t{other.sentences}\t"
                f"{safe_line(other.name)} ({other.label})"
            )
    if page.timeline:
        months: Counter[str] = Counter()
        for day, n in page.timeline:
            months[day[:7]] += n
        top = max(months.values())
        lines += ["", "mentions by month:"]
        for month, n in sorted(months.items()):
            lines.append(f"{month}\t{'█' * max(1, round(BAR * n / top))} {n}")
    return lines


def _edit(args: argparse.Namespace, workspace: Workspace, index: EntityIndex) -> int:
    from reader.entities.library.edits import (
        merge_edit,
        relabel_edit,
        rename_edit,
        split_edit,
    )
    from reader.store import StoreError
    from reader.store.entity_edits import EntityEdits

    store = workspace.store
    assert store is not None
    edits = EntityEdits(store)
    try:
        if args.remove_edit:
            names = _names(index)
            removed = edits.remove(args.remove_edit, names)
            error_line(f"removed: {removed.describe(names)}")
            index.set_edits(edits.edits())
            return 0
        edit: Edit
        if args.merge:
            source, into = (_one(index, name, args.label) for name in args.merge)
            edit = merge_edit(source, into)
        elif args.split:
            edit = split_edit(_one(index, args.split, args.label), args.variant or "")
        elif args.rename:
            edit = rename_edit(_one(index, args.rename[0], args.label), args.rename[1])
        else:
            edit = relabel_edit(_one(index, args.relabel[0], args.label), args.relabel[1])
        names = _names(index)
        stored = edits.add(edit, said=edit.describe(names))
    except KeyError as error:
        raise Failed(f"no entity edit with id {error}") from error
    except ValueError as error:
        raise Failed(str(error), code=2) from error
    except StoreError as error:
        raise Failed(str(error)) from error
    index.set_edits(edits.edits())
    for problem_edit, why in index.resolution().unapplied:
        if problem_edit.id == stored.id:
            raise Failed(f"stored but not applied: {why}")
    error_line(f"{stored.describe(names)} (edit {stored.id}; reader entity --remove-edit to undo)")
    return 0


def _print_edits(index: EntityIndex) -> int:
    if not index.edits:
        error_line("no entity edits (reader entity --merge, --split, --rename, --relabel)")
        return 0
    names = _names(index)
    for edit in index.edits:
        print_line(f"{edit.id}\t{safe_line(edit.describe(names), 300)}")
    return 0


def _names(index: EntityIndex) -> dict[tuple[str, str], str]:
    """The name shown for each (name key, label) of the library, for describing edits."""
    return {key: stats.name for key, stats in index.key_stats().items() if stats.name}


def _graph(args: argparse.Namespace, index: EntityIndex) -> int:
    from reader.entities.library.graph import cooccurrence_graph, write_graph

    graph = cooccurrence_graph(index, label=args.label)
    try:
        write_graph(graph, args.graph)
    except ValueError as error:
        raise Failed(str(error), code=2) from error
    except OSError as error:
        raise Failed(f"{args.graph}: {error.strerror or error}") from error
    error_line(
        f"wrote {graph.number_of_nodes():,} entities and {graph.number_of_edges():,} links "
        f"to {args.graph}"
    )
    return 0


COMMANDS: CommandTable = {"entity": (_entity_parser, run_entity)}
"""`reader entity`."""
