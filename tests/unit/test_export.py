"""`reader export` and reader.export: every format, against a real database and articles."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import spacy
from conftest import Result
from export_fixtures import (
    GONE_TEXT,
    Annotated,
    Runner,
    annotated,
    entity_cache,
    native,
    opened,
    run,
    run_process,
    schema_errors,
    span_of,
    strict_json,
)
from spacy.tokens import DocBin

from reader import __version__
from reader.entities.engines.spacy_engine import installed_pipelines
from reader.entities.span import Span
from reader.export import FORMATS, jsonl, markdown
from reader.export.exporting import build_export, export_to_folder
from reader.export.formats import (
    DEFAULT_FORMAT,
    EXPORT_FORMATS,
    FORMAT_NAMES,
    format_for_filename,
    format_help,
    format_named,
)
from reader.export.writing import (
    ExportWriteError,
    default_export_name,
    slug,
    write_file,
    write_in_folder,
)
from reader.store import AnnotationStore, ArticleRef

TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"

__all__ = ["annotated", "entity_cache", "run"]  # the shared fixtures (export_fixtures)


def exported(result: Result) -> Path:
    """The file `reader export` said it wrote."""
    assert result.code == 0, result.err
    line = result.out.strip()
    assert line.startswith("exported ") and "\n" not in line
    return Path(line.rsplit(" to ", 1)[1])


# Every format, from the command line, into annotations/exports/.


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_is_written_into_the_export_folder(
    run: Runner, annotated: Annotated, fmt: str
) -> None:
    path = exported(run("export", "--format", fmt))
    assert path.parent == Path("annotations/exports") or path.parent.resolve() == (
        annotated.root / "annotations" / "exports"
    )
    assert path.name.startswith("reader-") and path.suffix == "." + format_named(fmt).extension
    data = (annotated.root / path).read_bytes()
    assert data.decode("utf-8").endswith("\n")
    assert "Russia Will Give Pakistan" in data.decode("utf-8")


def test_the_format_follows_the_output_file_ending(run: Runner, annotated: Annotated) -> None:
    assert exported(run("export", "-o", "notes.md")) == Path("notes.md")
    assert (annotated.root / "notes.md").read_text(encoding="utf-8").startswith("# reader")
    exported(run("export", "-o", "rows.csv"))
    assert (annotated.root / "rows.csv").read_text(encoding="utf-8").startswith("article_title")


def test_exports_never_overwrite_an_earlier_one(annotated: Annotated, entity_cache: Path) -> None:
    with opened(annotated, entity_cache) as (workspace, store):
        first = export_to_folder(workspace, store, "markdown")
        second = export_to_folder(workspace, store, "markdown")
    assert first != second and first.parent == second.parent
    assert first.read_bytes() and second.read_bytes()


# json: the native format.


def test_json_export_validates_against_the_schema(run: Runner, annotated: Annotated) -> None:
    for args in (
        (),
        ("--include-entities",),
        ("--tag", "ECONOMY"),
        ("--article", "seeds/budget.md", "--include-entities"),
    ):
        document = strict_json((annotated.root / exported(run("export", *args))).read_bytes())
        assert schema_errors(document) == []


def test_json_holds_identity_tags_notes_highlights_and_corrections(
    run: Runner, annotated: Annotated
) -> None:
    document = native((annotated.root / exported(run("export"))).read_bytes())
    assert document["format"] == "reader-export" and document["schema_version"] == 1
    assert document["app"] == {"name": "reader", "version": __version__}
    assert datetime.strptime(document["exported_at"], "%Y-%m-%dT%H:%M:%SZ")
    by_title = {a["title"]: a for a in document["articles"]}
    assert list(by_title) == sorted(by_title, key=str.casefold)  # deterministic order
    seed = by_title[annotated.seed.title]
    assert seed["sha256"] == annotated.seed.sha256
    assert seed["path"] == str(annotated.seed.path.resolve())
    assert seed["tags"] == ["russia", "Diplomacy"]
    notes = {n["id"]: n for n in seed["notes"]}
    assert notes[annotated.ids["article_note"]]["target"] is None
    assert notes[annotated.ids["article_note"]]["body"] == "Read *again*.\n\nTwo paragraphs."
    passage = notes[annotated.ids["passage_note"]]["target"]
    start, end = span_of(annotated.seed, "Lavrov", 2)
    assert passage["position"] == {"start": start, "end": end}
    assert passage["quote"]["exact"] == "Lavrov"
    assert (
        annotated.seed.text[start - len(passage["quote"]["prefix"]) : start]
        == (passage["quote"]["prefix"])
    )
    [highlight] = seed["highlights"]
    assert highlight["target"]["quote"]["exact"] == "agreed to cooperate"
    corrections = {c["id"]: c["correction"] for c in seed["corrections"]}
    assert corrections[annotated.ids["relabel"]] == {
        "action": "relabel",
        "label": "ORG",
        "scope": "article",
        "text": "Dawn",
    }
    assert len(corrections) == 4
    # An annotated article whose file is gone is still exported, with its quotes.
    gone = by_title["A vanished story"]
    assert gone["notes"][0]["target"]["quote"]["exact"] == "Moscow"
    assert "entities" not in gone and "pipeline" not in document


def test_json_with_entities_lists_every_entity_shown_with_its_source(
    run: Runner, annotated: Annotated
) -> None:
    document = native((annotated.root / exported(run("export", "--include-entities"))).read_bytes())
    assert set(document["pipeline"]) == {"name", "version"}
    by_title = {a["title"]: a for a in document["articles"]}
    entities = by_title[annotated.seed.title]["entities"]
    assert {e["source"] for e in entities} == {"model", "consistency", "user"}
    text = annotated.seed.text
    assert all(text[e["start"] : e["end"]] == e["text"] for e in entities)
    labels = {(e["text"], e["label"]) for e in entities}
    assert ("Dawn", "ORG") in labels and ("Dawn", "PERSON") not in labels  # the relabel
    assert ("Twitter", "ORG") in labels  # the global correction
    wednesday = span_of(annotated.seed, "Wednesday")
    assert not any((e["start"], e["end"]) == wednesday for e in entities)  # the removal
    assert by_title["A vanished story"]["entities"] is None  # no text to find them in


def test_json_is_deterministic_and_has_nothing_a_terminal_acts_on(
    annotated: Annotated, entity_cache: Path
) -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with AnnotationStore(annotated.db) as store:  # a note with controls, bidi and NaN-ish text
        store.add_note(_ref(annotated), "\x1b[31mred\u202e NaN Infinity \x9b")
    with opened(annotated, entity_cache) as (workspace, store):
        first = build_export(workspace, store, "json", include_entities=True, now=now).data
        second = build_export(workspace, store, "json", include_entities=True, now=now).data
    assert first == second
    assert b"2026-01-02T03:04:05Z" in first
    text = first.decode("utf-8")
    assert not any(c in text for c in ("\x1b", "\u202e", "\x9b"))
    note = [
        n
        for a in native(first)["articles"]
        for n in a["notes"]
        if "red" in n["body"] and "NaN" in n["body"]
    ]
    # The store keeps the note as typed, and the json export carries it escaped, exactly;
    # NaN stays a word.
    assert note[0]["body"] == "\x1b[31mred\u202e NaN Infinity \x9b"


def test_json_is_written_an_article_at_a_time_as_the_whole_document_dumps(
    annotated: Annotated, entity_cache: Path
) -> None:
    # The json format streams (an article at a time); its bytes must be those of the whole
    # document dumped at once, with entities, read state, views and unsafe text, and with
    # no articles at all; and a file written from the chunks holds exactly them.
    from reader.export import json_format
    from reader.export.collection import Collection
    from reader.export.jsontext import dumps

    def whole(collection: Collection) -> bytes:
        return (dumps(json_format.to_document(collection)) + "\n").encode("utf-8")

    with AnnotationStore(annotated.db) as store:
        store.add_note(_ref(annotated), "line\none \u2028 \x9b\n  indented")
    _read_and_views(annotated)
    with opened(annotated, entity_cache) as (workspace, store):
        for entities in (False, True):
            export = build_export(workspace, store, "json", include_entities=entities, now=NOW)
            collection = export.collection
            assert len(collection.articles) > 1
            assert len(list(export.chunks())) == len(collection.articles) + 3  # read-only too
            assert export.data == whole(collection)
            path = annotated.root / f"written-{entities}.json"
            write_file(path, export.chunks())
            assert path.read_bytes() == export.data
        empty = Collection(articles=(), exported_at="2026-01-02T03:04:05Z")
        assert json_format.render(empty) == whole(empty)


def _ref(annotated: Annotated) -> Any:
    from reader.annotations import article_ref

    return article_ref(annotated.seed)


# Read state and saved views (json only).

#: An article marked read that has neither tags nor annotations.
READ_ONLY = ArticleRef("/articles/read-only.md", "d" * 64, "Already read")
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _read_and_views(annotated: Annotated) -> None:
    with AnnotationStore(annotated.db) as store:
        store.set_read(_ref(annotated), True)
        store.set_read(READ_ONLY, True)
        store.set_position(_ref(annotated), 42)
        store.save_view("Energy", "tag:energy")
        store.save_view("Unread", "is:unread sort:-date")


def test_a_database_without_read_state_or_views_exports_as_before(
    run: Runner, annotated: Annotated
) -> None:
    for args in ((), ("--include-entities",), ("--tag", "economy")):
        document = native((annotated.root / exported(run("export", *args))).read_bytes())
        assert "views" not in document
        assert all("read" not in article for article in document["articles"])
    # Positions alone, and a mark taken back, leave every export as it was.
    with opened(annotated, Path("unused")) as (workspace, store):
        before = build_export(workspace, store, "json", now=NOW).data
    with AnnotationStore(annotated.db) as store:
        store.set_position(_ref(annotated), 7)
        store.set_read(_ref(annotated), True)
        store.set_read(_ref(annotated), False)
    with opened(annotated, Path("unused")) as (workspace, store):
        assert build_export(workspace, store, "json", now=NOW).data == before


def test_json_says_which_articles_are_read_and_holds_the_views(
    run: Runner, annotated: Annotated
) -> None:
    _read_and_views(annotated)
    result = run("export")
    document = native((annotated.root / exported(result)).read_bytes())
    # The summary counts what is in the file: the articles only marked read too.
    assert len(document["articles"]) == 4
    assert result.out.startswith(
        "exported 4 articles (3 with tags or annotations, 1 with read state only; "
    )
    assert list(document)[-2:] == ["views", "articles"]
    assert document["views"] == [
        {"name": "Energy", "query": "tag:energy"},
        {"name": "Unread", "query": "is:unread sort:-date"},
    ]
    read = {a["title"]: a["read"] for a in document["articles"]}
    assert read == {
        "Already read": True,
        annotated.seed.title: True,
        annotated.budget.title: False,
        "A vanished story": False,
    }
    # In export order, with its keys in the fixed order and nothing to annotate.
    titles = [a["title"] for a in document["articles"]]
    assert titles == sorted(titles, key=str.casefold)
    only_read = next(a for a in document["articles"] if a["title"] == "Already read")
    assert only_read == {
        "sha256": READ_ONLY.sha256,
        "path": READ_ONLY.path,
        "title": "Already read",
        "tags": [],
        "read": True,
        "notes": [],
        "highlights": [],
        "corrections": [],
    }
    assert list(document["articles"][0])[:5] == ["sha256", "path", "title", "tags", "read"]


def test_an_article_only_marked_read_has_every_entity_shown(
    run: Runner, annotated: Annotated, entity_cache: Path
) -> None:
    """An article marked read with no tags or annotations: its entities as an annotated
    article's are (model, rules, the global correction), as `--article PATH` gives them;
    one whose file moved within the library: found there by content, under its new path;
    one whose text is nowhere: null. Found as each is written, not held by the export."""
    from reader.annotations import article_ref
    from reader.export import json_format

    seeds = annotated.root / "seeds"
    peru = seeds / "peru.txt"
    peru.write_text(
        "Peru votes\n\nVoters in Peru chose a president on Sunday, Twitter said.\n",
        encoding="utf-8",
    )
    lima = seeds / "lima.txt"
    lima.write_text("Lima traffic\n\nThe mayor of Lima met Shell on Monday.\n", "utf-8")
    moved_ref = article_ref(read_article_at(lima))
    lima.rename(seeds / "lima-moved.txt")
    _read_and_views(annotated)  # and READ_ONLY, whose text is nowhere
    with AnnotationStore(annotated.db) as store:
        store.set_read(article_ref(read_article_at(peru)), True)
        store.set_read(moved_ref, True)
    document = native((annotated.root / exported(run("export", "--include-entities"))).read_bytes())
    by_title = {a["title"]: a for a in document["articles"]}
    alone = native(
        (
            annotated.root / exported(run("export", "--article", str(peru), "--include-entities"))
        ).read_bytes()
    )
    [asked] = alone["articles"]
    shown = by_title["Peru votes"]["entities"]
    assert shown == asked["entities"]
    assert {(e["text"], e["label"]) for e in shown} >= {("Peru", "GPE")}
    assert {"text": "Twitter", "label": "ORG", "source": "user"}.items() <= next(
        e for e in shown if e["text"] == "Twitter"
    ).items()  # the global correction
    moved = by_title["Lima traffic"]
    assert moved["path"] == str((seeds / "lima-moved.txt").resolve())
    assert any(e["text"] == "Lima" for e in moved["entities"])
    assert by_title["Already read"]["entities"] is None
    # Streamed: each read-only article's text and entities are found as it is written.
    with opened(annotated, entity_cache) as (workspace, store):
        export = build_export(workspace, store, "json", include_entities=True, now=NOW)
        assert all(a.text is None and a.entities is None for a in export.collection.also_read)
        assert json_format.render(export.collection) == export.data
        assert native(export.data)["articles"] == document["articles"]


def read_article_at(path: Path) -> Any:
    from reader.library import Article, read_article

    article = read_article(path)
    assert isinstance(article, Article)
    return article


def test_a_filtered_export_has_read_marks_but_no_views_or_other_articles(
    run: Runner, annotated: Annotated
) -> None:
    _read_and_views(annotated)
    for args, titles in (
        (("--tag", "russia"), [annotated.seed.title]),
        (("--article", "seeds/budget.md"), [annotated.budget.title]),
    ):
        document = native((annotated.root / exported(run("export", *args))).read_bytes())
        assert "views" not in document
        assert [(a["title"], a["read"]) for a in document["articles"]] == [
            (title, title == annotated.seed.title) for title in titles
        ]


def test_other_formats_do_not_change_with_read_state_or_views(
    annotated: Annotated, entity_cache: Path
) -> None:
    def render_all() -> dict[str, bytes]:
        with opened(annotated, entity_cache) as (workspace, store):
            return {
                fmt: build_export(workspace, store, fmt, now=NOW).data
                for fmt in FORMATS
                if fmt != "json"
            }

    before = render_all()
    _read_and_views(annotated)
    assert render_all() == before


# w3c


def test_w3c_is_a_web_annotation_collection(run: Runner, annotated: Annotated) -> None:
    document = strict_json(
        (annotated.root / exported(run("export", "--format", "w3c"))).read_bytes()
    )
    assert document["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert document["type"] == "AnnotationCollection"
    page = document["first"]
    assert page["type"] == "AnnotationPage"
    items = page["items"]
    assert document["total"] == len(items) == 2 + len(annotated.ids)  # 2 articles with tags
    by_id = {item["id"]: item for item in items}
    assert all(item["type"] == "Annotation" for item in items)

    def item(name: str) -> dict[str, Any]:
        return by_id[f"urn:uuid:{_uuid(annotated.ids[name])}"]

    note = item("passage_note")
    assert note["motivation"] == "commenting"
    assert note["body"] == {
        "type": "TextualBody",
        "purpose": "commenting",
        "value": "Who is he?",
        "format": "text/markdown",
    }
    selectors = {s["type"]: s for s in note["target"]["selector"]}
    start, end = span_of(annotated.seed, "Lavrov", 2)
    assert selectors["TextPositionSelector"] == {
        "type": "TextPositionSelector",
        "start": start,
        "end": end,
    }
    assert selectors["TextQuoteSelector"]["exact"] == "Lavrov"
    source = note["target"]["source"]
    assert source["id"] == f"urn:sha256:{annotated.seed.sha256}"
    assert source["label"] == annotated.seed.title
    assert source["via"] == annotated.seed.path.resolve().as_uri()
    assert item("highlight")["motivation"] == "highlighting" and "body" not in item("highlight")
    assert "selector" not in item("article_note")["target"]
    relabel = item("relabel")
    assert relabel["motivation"] == "classifying"
    assert relabel["body"] == {"type": "TextualBody", "purpose": "classifying", "value": "ORG"}
    assert relabel["reader:correction"]["action"] == "relabel"
    assert item("remove")["motivation"] == "editing"
    tags = [i for i in items if i["motivation"] == "tagging"]
    assert {(b["purpose"], b["value"]) for t in tags for b in t["body"]} == {
        ("tagging", "russia"),
        ("tagging", "Diplomacy"),
        ("tagging", "economy"),
    }


def _uuid(hex_id: str) -> str:
    import uuid

    return str(uuid.UUID(hex=hex_id))


def test_w3c_positions_are_code_points_not_utf16_units(run: Runner, annotated: Annotated) -> None:
    document = strict_json(
        (annotated.root / exported(run("export", "--format", "w3c"))).read_bytes()
    )
    [item] = [
        i
        for i in document["first"]["items"]
        if i["id"] == f"urn:uuid:{_uuid(annotated.ids['emoji_highlight'])}"
    ]
    position = next(s for s in item["target"]["selector"] if s["type"] == "TextPositionSelector")
    text = annotated.budget.text
    assert text[position["start"] : position["end"]] == "Apple 🍎 and Dawn"
    # Hypothesis would count the 🗳 before it (and the 🍎 inside) as two units each.
    assert len(text[: position["start"]].encode("utf-16-le")) // 2 == position["start"] + 1


# jsonl: spaCy, Prodigy and doccano.


@pytest.fixture(scope="module")
def nlp() -> Any:
    """The real installed pipeline, as a training script would load it."""
    return spacy.load(installed_pipelines()[0])


def test_jsonl_loads_into_spacy_with_every_span_aligned(
    run: Runner, annotated: Annotated, nlp: Any
) -> None:
    result = run("export", "--format", "jsonl")
    lines = (annotated.root / exported(result)).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["meta"]["title"] for r in records} == {annotated.seed.title, annotated.budget.title}
    doc_bin = DocBin()
    for record in records:
        assert set(record) == {"text", "spans", "meta"}
        doc = nlp.make_doc(record["text"])
        spans = [doc.char_span(s["start"], s["end"], label=s["label"]) for s in record["spans"]]
        assert None not in spans, [
            s for s, d in zip(record["spans"], spans, strict=True) if d is None
        ]
        doc.ents = spans  # also refuses overlapping spans
        doc_bin.add(doc)
    docs = list(DocBin().from_bytes(doc_bin.to_bytes()).get_docs(nlp.vocab))
    seed = next(
        d
        for d, r in zip(docs, records, strict=True)
        if r["meta"]["sha256"] == annotated.seed.sha256
    )
    ents = {(e.start_char, e.end_char, e.label_) for e in seed.ents}
    start, _ = span_of(annotated.seed, "Lavrov")
    assert (start, start + 6, "PERSON") in ents  # the "Lavr" add, widened to its token
    assert all(e.label_ == "ORG" for e in seed.ents if e.text in ("Dawn", "Twitter"))
    assert (*span_of(annotated.seed, "Wednesday"), "DATE") not in ents
    # Both changes are said, on stderr.
    assert "widened PERSON “Lavr”" in result.err
    assert "skipped “A vanished story”" in result.err


def test_align_widens_to_tokens_and_drops_what_it_cannot_keep() -> None:
    text = "Lavrov met U.S.-based envoys"
    tokens = [(0, 6), (7, 10), (11, 21), (22, 28)]
    spans = [
        Span(0, 4, "PERSON", "Lavr", "user"),  # part of a token: widened
        Span(11, 15, "GPE", "U.S.", "model"),  # part of "U.S.-based": widened
        Span(16, 21, "ORG", "based", "user"),  # widens onto the same token: dropped
        Span(6, 7, "X", " ", "user"),  # only spaces: dropped
        Span(22, 28, "NORP", "envoys", "model"),  # aligned: kept as is
    ]
    warnings: list[str] = []
    kept = jsonl.align(text, spans, tokens, warnings.append)
    assert [(s.start, s.end, s.label) for s in kept] == [
        (0, 6, "PERSON"),
        (11, 21, "GPE"),
        (22, 28, "NORP"),
    ]
    assert len(warnings) == 4


# markdown and csv


def test_markdown_has_titles_tags_notes_and_quotes(run: Runner, annotated: Annotated) -> None:
    text = (annotated.root / exported(run("export", "--format", "markdown"))).read_text(
        encoding="utf-8"
    )
    assert f"## {markdown.escape(annotated.seed.title)}" in text
    assert "- Tags: russia, Diplomacy" in text
    assert "- On the article:\n\n  Read *again*.\n\n  Two paragraphs." in text
    assert "- On “Lavrov”:\n\n  Who is he?" in text
    assert "> agreed to cooperate" in text
    assert "> Apple 🍎 and Dawn" in text


def test_markdown_escapes_article_text() -> None:
    hostile = "[click](javascript:alert(1)) <img src=x> # not a heading\n- not a list"
    escaped = markdown.escape(hostile)
    assert "\\[click\\](javascript:alert(1))" in escaped
    assert "\\<img src=x\\>" in escaped and "\\# not" in escaped
    assert escaped.split("\n")[1].startswith("\\-")


def test_csv_has_one_row_per_annotation(run: Runner, annotated: Annotated) -> None:
    raw = (annotated.root / exported(run("export", "--format", "csv"))).read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    kinds = [row["kind"] for row in rows]
    assert kinds.count("tag") == 3
    assert kinds.count("note") == 3 and kinds.count("highlight") == 2
    assert kinds.count("correction") == 4
    by_id = {row["id"]: row for row in rows if row["id"]}
    assert set(by_id) == set(annotated.ids.values())
    note = by_id[annotated.ids["passage_note"]]
    start, end = span_of(annotated.seed, "Lavrov", 2)
    assert (note["start"], note["end"], note["quote"], note["body"]) == (
        str(start),
        str(end),
        "Lavrov",
        "Who is he?",
    )
    relabel = by_id[annotated.ids["relabel"]]
    assert (relabel["correction_action"], relabel["correction_label"]) == ("relabel", "ORG")
    assert note["article_tags"] == "russia, Diplomacy"


def test_csv_cells_cannot_run_as_formulas(annotated: Annotated, entity_cache: Path) -> None:
    with AnnotationStore(annotated.db) as store:
        store.add_note(_ref(annotated), '=HYPERLINK("http://evil.example","x")')
        store.add_tags(_ref(annotated), ["+cmd", "@SUM(A1)"])
    with opened(annotated, entity_cache) as (workspace, store):
        data = build_export(workspace, store, "csv").data
    cells = [cell for row in csv.reader(io.StringIO(data.decode("utf-8"))) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert '\'=HYPERLINK("http://evil.example","x")' in cells


# Filters


def test_tag_and_article_filters(run: Runner, annotated: Annotated) -> None:
    def titles(*args: str) -> list[str]:
        path = annotated.root / exported(run("export", *args))
        return [a["title"] for a in native(path.read_bytes())["articles"]]

    assert titles("--tag", "ECONOMY") == [annotated.budget.title]
    assert titles("--tag", "economy", "--tag", "russia") == sorted(
        [annotated.budget.title, annotated.seed.title], key=str.casefold
    )
    assert titles("--article", "seeds/budget.md") == [annotated.budget.title]
    assert titles("--tag", "russia", "--article", "seeds/budget.md") == []
    # A tag nothing has is said (the export, empty, is still written).
    mistyped = run("export", "--tag", "econmy")
    assert mistyped.code == 0
    assert "reader: no article is tagged econmy: the export is empty" in mistyped.err
    assert "is tagged" not in run("export", "--tag", "economy").err
    # The file is gone, but the store still has its path.
    gone = str(annotated.gone.path)
    assert titles("--article", gone) == ["A vanished story"]
    failed = run("export", "--article", "nowhere.txt")
    assert failed.code == 1 and failed.out == ""
    assert failed.err.startswith("reader: nowhere.txt: cannot be read (No such file")


def test_an_article_export_is_named_after_its_title(run: Runner, annotated: Annotated) -> None:
    path = exported(run("export", "--article", "seeds/budget.md", "--format", "markdown"))
    assert path.name.startswith("reader-the-budget-vote-")


# -o -: the document and nothing else on stdout.


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_stdout_gets_the_document_and_nothing_else(
    annotated: Annotated, entity_cache: Path, fmt: str
) -> None:
    args = ("export", "--format", fmt, "-o", "-", "--db", annotated.db, "--cache-dir", entity_cache)
    result = run_process(annotated.root, *args)
    assert result.returncode == 0, result.stderr
    with opened(annotated, entity_cache) as (workspace, store):
        expected = build_export(workspace, store, fmt).data
    out = result.stdout
    if fmt == "json":  # the same but for the export time
        first, second = native(out), native(expected)
        first.pop("exported_at"), second.pop("exported_at")
        assert first == second and out.endswith(b"}\n")
    else:
        assert out == expected
        assert b"skipped" in result.stderr  # warnings go to stderr
    assert not (annotated.root / "annotations" / "exports").exists()


# Safe writing


def test_a_symlink_at_the_destination_is_refused(run: Runner, annotated: Annotated) -> None:
    victim = annotated.root / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    link = annotated.root / "export.json"
    link.symlink_to(victim)
    result = run("export", "-o", link)
    assert result.code == 1 and result.out == ""
    assert "is a symbolic link" in result.err
    assert victim.read_text(encoding="utf-8") == "precious" and link.is_symlink()
    dangling = annotated.root / "dangling.json"
    dangling.symlink_to(annotated.root / "created-through-link.json")
    assert run("export", "-o", dangling).code == 1
    assert not (annotated.root / "created-through-link.json").exists()


def test_write_file_replaces_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    write_file(target, b"new")
    assert target.read_bytes() == b"new"

    def broken(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(ExportWriteError, match="No space left"):
        write_file(target, b"newer")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temporary left


def test_write_file_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ExportWriteError, match="not a regular file"):
        write_file(tmp_path, b"x")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("..", ""),
        ("/absolute/path", "absolute-path"),
        ("Tab\tand\x1b[31mred\x07 \u202eevil\x00", "tab-andred-evil"),
        ("Ünïcödé — Zürich’s “news”", "ünïcödé-zürich-s-news"),
        ("C:\\Windows\\system32", "c-windows-system32"),
        ("x" * 300, "x" * 60),
    ],
)
def test_slugs_are_one_safe_name(title: str, expected: str) -> None:
    assert slug(title) == expected


@pytest.mark.parametrize("title", ["../../etc/passwd", "..", "a/../../b\x1b]0;t\x07", "\\..\\x"])
def test_a_name_made_from_a_title_stays_inside_the_folder(tmp_path: Path, title: str) -> None:
    folder = tmp_path / "exports"
    now = datetime(2026, 1, 2, tzinfo=UTC)
    name = default_export_name("json", label=title, now=now)
    path = write_in_folder(folder, name, b"{}")
    assert path.parent == folder and path.resolve().parent == folder.resolve()
    assert [p.name for p in tmp_path.iterdir()] == ["exports"]


@pytest.mark.parametrize("name", ["../x.json", "a/b.json", ".hidden", "", "x\x1b.json", ".."])
def test_write_in_folder_refuses_names_that_are_not_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a plain file name"):
        write_in_folder(tmp_path, name, b"x")


def test_a_hostile_title_is_exported_inside_the_folder(run: Runner, annotated: Annotated) -> None:
    hostile = annotated.root / "seeds" / "hostile.txt"
    hostile.write_text("../../../etc/passwd\x1b[2J\n\nAngela Merkel went.\n", encoding="utf-8")
    path = exported(run("export", "--article", hostile, "--format", "markdown"))
    written = (annotated.root / path).resolve()
    assert written.parent == (annotated.root / "annotations" / "exports").resolve()
    assert written.name.startswith("reader-etc-passwd-2")  # the escape sequence is gone


# The app's entry point, and the core's hygiene.


def test_export_to_folder_is_what_the_app_calls(annotated: Annotated, entity_cache: Path) -> None:
    warnings: list[str] = []
    # The app's store is open for writing, in its workspace.
    with opened(annotated, entity_cache, read_only=False) as (workspace, store):
        path = export_to_folder(workspace, store, "json", include_entities=True)
        jsonl_path = export_to_folder(workspace, store, "jsonl", warn=warnings.append)
    assert path.parent == annotated.root / "annotations" / "exports"
    assert native(path.read_bytes())["pipeline"] is not None
    assert jsonl_path.suffix == ".jsonl" and any("skipped" in w for w in warnings)
    assert default_export_name("w3c", now=datetime(2026, 11, 27, 11, tzinfo=UTC)) == (
        "reader-20261127T110000Z.jsonld"
    )


def test_files_in_the_exports_folder_are_not_articles(
    annotated: Annotated, entity_cache: Path
) -> None:
    # The database inside the article folder: its exports/ is under the article paths.
    root = annotated.root
    with opened(annotated, entity_cache, article_paths=[root]) as (workspace, store):
        assert workspace.exports_dir == root / "annotations" / "exports"
        earlier = export_to_folder(workspace, store, "markdown")
        # An earlier export that has the text of the annotated article whose file is gone.
        copy = write_in_folder(workspace.exports_dir, "reader-copy.md", GONE_TEXT.encode())
        warnings: list[str] = []
        lines = build_export(workspace, store, "jsonl", warn=warnings.append).data.splitlines()
        document = native(build_export(workspace, store, "json", include_entities=True).data)
    assert earlier.parent == copy.parent == workspace.exports_dir
    assert {json.loads(line)["meta"]["title"] for line in lines} == {
        annotated.seed.title,
        annotated.budget.title,
    }
    assert any("skipped “A vanished story”" in warning for warning in warnings)
    by_title = {a["title"]: a for a in document["articles"]}
    assert by_title["A vanished story"]["entities"] is None  # its text was not found


def test_entities_come_only_with_the_workspaces_own_store(
    annotated: Annotated, entity_cache: Path
) -> None:
    with (
        opened(annotated, entity_cache) as (workspace, _),
        AnnotationStore(annotated.db, read_only=True) as other,
    ):
        assert build_export(workspace, other, "csv").data  # no entities: any store does
        with pytest.raises(ValueError, match=r"workspace\.store"):
            build_export(workspace, other, "json", include_entities=True)


def test_include_entities_with_a_format_without_room_for_them_warns(
    run: Runner, annotated: Annotated
) -> None:
    result = run("export", "--format", "csv", "--include-entities")
    exported(result)
    assert "entities are exported in the json and jsonl formats, not in csv" in result.err


@pytest.mark.parametrize(
    "module",
    [
        "reader.export",
        "reader.export.formats",
        "reader.export.exporting",
        "reader.export.importing",
        "reader.export.w3c",
        "reader.export.jsonl",
        "reader.export.markdown",
        "reader.export.csv_format",
        "reader.cli.export",
    ],
)
def test_export_modules_do_not_load_textual(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


# One record per format.


def test_every_format_is_one_record_with_its_own_endings() -> None:
    assert FORMATS == tuple(fmt.name for fmt in EXPORT_FORMATS) == FORMAT_NAMES
    assert FORMATS[0] == DEFAULT_FORMAT.name == "json"
    endings = [ending for fmt in EXPORT_FORMATS for ending in fmt.extensions]
    assert len(endings) == len(set(endings))  # no ending implies two formats
    assert {fmt.name for fmt in EXPORT_FORMATS if fmt.importable} == {"json", "w3c"}
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        format_named("pdf")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("notes.json", "json"),
        ("notes.jsonld", "w3c"),
        ("spans.jsonl", "jsonl"),
        ("spans.NDJSON", "jsonl"),
        ("notes.md", "markdown"),
        ("dir.v2/Notes.Markdown", "markdown"),
        ("rows.csv", "csv"),
        ("notes.txt", None),
        ("notes", None),
        ("-", None),
        ("", None),
    ],
)
def test_the_file_ending_implies_the_format(name: str, expected: str | None) -> None:
    found = format_for_filename(name)
    assert (found.name if found else None) == expected


def test_the_format_help_names_every_format() -> None:
    assert format_help() == (
        "json: everything, importable (default, or from the -o file's ending); w3c: "
        "W3C Web Annotation JSON-LD, importable; jsonl: NER training data (spaCy, Prodigy, "
        "doccano); markdown: for note apps; csv: one row per annotation"
    )


# After the files change: positions in the text the export names, with each state.

INSERTED = "A paragraph inserted at the top, after the title.\n\n"


def _edit_seed(annotated: Annotated) -> Any:
    """Insert a paragraph under the seed's title and rewrite the highlighted passage;
    return the article as it is now."""
    path = annotated.seed.path
    text = path.read_text(encoding="utf-8")
    title_end = text.index("\n\n") + 2
    edited = text[:title_end] + INSERTED + text[title_end:]
    path.write_text(edited.replace("agreed to cooperate", "said they would work"), "utf-8")
    from export_fixtures import read

    return read(path)


def test_an_export_after_an_edit_states_positions_in_the_text_it_names(
    run: Runner, annotated: Annotated
) -> None:
    now = _edit_seed(annotated)
    result = run("export", "--format", "csv", "--article", annotated.seed.path, "-o", "-")
    assert result.code == 0, result.err
    assert "changed on disk" in result.err
    rows = list(csv.DictReader(io.StringIO(result.out, newline="")))
    assert rows and all(row["article_sha256"] == now.sha256 for row in rows)
    states = {row["id"]: row["state"] for row in rows if row["kind"] != "tag"}
    assert states[annotated.ids["passage_note"]] == "moved"
    assert states[annotated.ids["highlight"]] == "orphaned"
    assert states[annotated.ids["article_note"]] == ""
    for row in rows:
        if row["kind"] == "tag" or not row["quote"]:
            continue
        if row["state"] == "orphaned":
            assert (row["start"], row["end"]) == ("", "")
        else:  # every position points at its quote in the text now
            assert now.text[int(row["start"]) : int(row["end"])] == row["quote"]

    w3c = strict_json(
        run("export", "--format", "w3c", "--article", annotated.seed.path, "-o", "-").out.encode()
    )
    for item in w3c["first"]["items"]:
        assert item["target"]["source"]["id"] == f"urn:sha256:{now.sha256}"
        selectors = {s["type"]: s for s in item["target"].get("selector", [])}
        if "TextPositionSelector" in selectors:
            position = selectors["TextPositionSelector"]
            quote = selectors["TextQuoteSelector"]["exact"]
            assert now.text[position["start"] : position["end"]] == quote
        elif selectors:
            assert item["reader:state"] == "orphaned"
    document = native(run("export", "--article", annotated.seed.path, "-o", "-").out.encode())
    [seed] = document["articles"]
    [highlight] = seed["highlights"]
    assert highlight["state"] == "orphaned" and set(highlight["target"]) == {"quote"}
    note = next(n for n in seed["notes"] if n["id"] == annotated.ids["passage_note"])
    assert note["state"] == "moved"
    position = note["target"]["position"]
    assert now.text[position["start"] : position["end"]] == "Lavrov"
    markdown_text = run("export", "--format", "markdown", "-o", "-").out
    assert "> agreed to cooperate\n\n(orphaned: the passage is no longer in the article)" in (
        markdown_text
    )


def test_an_export_whose_text_is_gone_keeps_the_stored_positions_as_unverified(
    annotated: Annotated, entity_cache: Path
) -> None:
    warnings: list[str] = []
    with opened(annotated, entity_cache) as (workspace, store):
        data = build_export(workspace, store, "json", warn=warnings.append).data
        rows = build_export(workspace, store, "csv").data.decode()
    gone = next(a for a in native(data)["articles"] if a["title"] == "A vanished story")
    [note] = gone["notes"]
    assert note["state"] == "unverified"
    assert note["target"]["position"]["start"] == GONE_TEXT.index("Moscow")
    assert any("A vanished story" in w and "unverified" in w for w in warnings)
    assert rows.splitlines()[0].endswith(",state")
    # Articles whose text is found and unchanged say nothing new: no state on them.
    seed = next(a for a in native(data)["articles"] if a["sha256"] == annotated.seed.sha256)
    assert all("state" not in n for n in seed["notes"] + seed["highlights"])


def test_an_export_of_unchanged_articles_is_what_it_was_before_states(
    annotated: Annotated, entity_cache: Path
) -> None:
    # Without the gone article, every passage is anchored: no state anywhere.
    with AnnotationStore(annotated.db) as store:
        store.delete(annotated.ids["gone_note"])
    with opened(annotated, entity_cache) as (workspace, store):
        exports = {fmt: build_export(workspace, store, fmt, now=NOW).data for fmt in FORMATS}
    assert b"state" not in exports["json"] and b"reader:state" not in exports["w3c"]
    assert exports["csv"].split(b"\r\n")[0].endswith(b"correction_text")
    assert b"orphaned" not in exports["markdown"] and b"unverified" not in exports["markdown"]


def test_a_reanchored_export_imports_back_without_conflicts(
    run: Runner, annotated: Annotated, tmp_path: Path
) -> None:
    _edit_seed(annotated)
    for fmt in ("json", "w3c"):
        path = tmp_path / f"edited.{format_named(fmt).extension}"
        exported(run("export", "--format", fmt, "-o", path))
        again = run("import", path)
        assert again.code == 0, again.out + again.err
        assert "added 0 annotations" in again.out
        # Into an empty database: the orphan keeps its quote and stays an orphan.
        empty = tmp_path / f"empty-{fmt}.json"
        assert run("import", path, db=empty).code == 0
        with AnnotationStore(empty, read_only=True) as store:
            [highlight] = [
                a for a in store.annotations(kind="highlight") if a.id == annotated.ids["highlight"]
            ]
        target = highlight.target
        assert target is not None and set(target) == {"quote"}
        assert target["quote"]["exact"] == "agreed to cooperate"


# A renamed or moved file: the database follows it.


def test_a_renamed_file_gets_its_new_path_when_an_export_finds_it(
    run: Runner, annotated: Annotated
) -> None:
    old = annotated.budget.path
    moved = annotated.root / "seeds" / "b" / "renamed.md"
    moved.parent.mkdir()
    old.rename(moved)
    result = run("export", "--format", "jsonl", "-o", "-")
    assert result.code == 0, result.err
    titles = {json.loads(line)["meta"]["title"] for line in result.out.splitlines()}
    assert annotated.budget.title in titles
    assert f"is now at {moved.resolve()}" in result.err
    with AnnotationStore(annotated.db, read_only=True) as store:
        paths = {a["sha256"]: a["path"] for a in store.articles()}
    assert paths[annotated.budget.sha256] == str(moved.resolve())
    # Said once: the next export finds it where the database says.
    assert "is now at" not in run("export", "--format", "csv", "-o", "-").err
