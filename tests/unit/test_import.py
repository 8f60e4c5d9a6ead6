"""`reader import`: round trips, nothing twice, conflicts reported, bad files refused whole."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import (
    Annotated,
    Runner,
    annotated,
    entity_cache,
    native,
    opened,
    read,
    run,
    schema_errors,
    span_of,
)

from reader.anchoring import describe
from reader.annotations import article_ref, relink
from reader.export.exporting import build_export
from reader.export.importing import ImportFileError, apply_plan, plan_import, read_import_file
from reader.library import Article
from reader.store import AnnotationStore, ArticleRef, View
from reader.store.lock import WriteLock

__all__ = ["annotated", "entity_cache", "run"]  # the shared fixtures (export_fixtures)


@pytest.fixture
def empty_db(annotated: Annotated) -> Path:
    """Where a second, empty database goes (nothing there yet)."""
    return annotated.root / "other" / "annotations.json"


def export(annotated: Annotated, fmt: str = "json", db: Path | None = None) -> bytes:
    cache = annotated.root / "entity-cache"  # never used: json and w3c need no entities
    with opened(annotated, cache, db=db) as (workspace, store):
        return build_export(workspace, store, fmt).data


def write(annotated: Annotated, name: str, data: Any) -> Path:
    """Write *data* (bytes, or a JSON value) as *name* in the working folder; return the
    name relative to it, as a user would type it."""
    if not isinstance(data, bytes):
        data = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    (annotated.root / name).write_bytes(data)
    return Path(name)


def articles(data: bytes, *, ids_and_times: bool = True) -> list[dict[str, Any]]:
    """The articles of a json export, optionally without annotation ids and times."""
    found: list[dict[str, Any]] = native(data)["articles"]
    if not ids_and_times:
        for article in found:
            for section in ("notes", "highlights", "corrections"):
                for annotation in article[section]:
                    for key in ("id", "created", "modified"):
                        del annotation[key]
    return found


def counts(db: Path) -> tuple[int, int]:
    with AnnotationStore(db, read_only=True) as store:
        return len(store.annotations()), sum(len(a["tags"]) for a in store.articles())


# Round trips.


def test_json_round_trip_keeps_every_annotation(
    run: Runner, annotated: Annotated, empty_db: Path
) -> None:
    first = export(annotated)
    file = write(annotated, "first.json", first)
    result = run("import", file, db=empty_db)
    assert result.code == 0, result.err
    assert result.out == "imported first.json (json): added 9 annotations and 3 tags\n"
    assert result.err == ""
    second = export(annotated, db=empty_db)
    assert articles(second, ids_and_times=False) == articles(first, ids_and_times=False)


def test_json_round_trip_is_identical(run: Runner, annotated: Annotated, empty_db: Path) -> None:
    first = export(annotated)
    assert run("import", write(annotated, "first.json", first), db=empty_db).code == 0
    assert articles(export(annotated, db=empty_db)) == articles(first)


def test_a_label_from_before_labels_were_checked_imports_again(
    run: Runner, annotated: Annotated, empty_db: Path
) -> None:
    """A database written before labels were checked may hold a correction to a label the
    app does not know (OFFICIAL): its own json export imports again, the label kept, so a
    backup can be restored (review6: the whole file was refused)."""
    document = native(export(annotated))
    correction = document["articles"][1]["corrections"][0]["correction"]
    correction["label"] = "OFFICIAL"
    document["entity_edits"] = [
        {"op": "relabel", "key": "apple", "label": "ORG", "new_label": "OFFICIAL"}
    ]
    result = run("import", write(annotated, "legacy.json", document), db=empty_db)
    assert result.code == 0, result.err
    again = native(export(annotated, db=empty_db))
    assert again["articles"][1]["corrections"][0]["correction"]["label"] == "OFFICIAL"


def test_w3c_round_trip_keeps_every_annotation(
    run: Runner, annotated: Annotated, empty_db: Path
) -> None:
    file = write(annotated, "first.jsonld", export(annotated, "w3c"))
    result = run("import", file, db=empty_db)
    assert result.code == 0, result.err
    assert "(w3c): added 9 annotations and 3 tags" in result.out
    assert articles(export(annotated, db=empty_db), ids_and_times=False) == articles(
        export(annotated), ids_and_times=False
    )


# Nothing twice; conflicts.


@pytest.mark.parametrize("fmt", ["json", "w3c"])
def test_importing_the_same_file_twice_adds_nothing(
    run: Runner, annotated: Annotated, empty_db: Path, fmt: str
) -> None:
    file = write(annotated, f"export.{fmt}", export(annotated, fmt))
    assert run("import", file, db=empty_db).code == 0
    before = empty_db.read_bytes()
    again = run("import", file, db=empty_db)
    assert again.code == 0
    assert again.out == (
        f"imported export.{fmt} ({fmt}): added 0 annotations and 0 tags; "
        "9 already in the database\n"
    )
    assert empty_db.read_bytes() == before
    assert counts(empty_db) == (9, 3)


def test_importing_into_the_database_it_came_from_adds_nothing(
    run: Runner, annotated: Annotated
) -> None:
    file = write(annotated, "export.json", export(annotated))
    before = annotated.db.read_bytes()
    result = run("import", file)
    assert result.code == 0 and "added 0 annotations and 0 tags; 9 already" in result.out
    assert annotated.db.read_bytes() == before


def test_a_conflict_is_reported_and_the_database_version_kept(
    run: Runner, annotated: Annotated
) -> None:
    file = write(annotated, "export.json", export(annotated))
    with AnnotationStore(annotated.db) as store:
        store.update(annotated.ids["passage_note"], body="Edited since the export")
        store.delete(annotated.ids["highlight"])
    result = run("import", file)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].endswith("added 1 annotation and 0 tags; 7 already in the database; 1 conflict")
    note_id = annotated.ids["passage_note"]
    assert lines[1] == (
        f"conflict: articles[1].notes[1]: annotation {note_id} differs from the database's "
        "(body); kept the database's"
    )
    assert lines[2].startswith("the rest of the file was imported (above)")
    assert len(lines) == 3
    with AnnotationStore(annotated.db, read_only=True) as store:
        bodies = {a.id: a.body for a in store.annotations()}
        highlights = store.annotations(annotated.seed.sha256, kind="highlight")
    assert bodies[note_id] == "Edited since the export"
    assert [h.target["quote"]["exact"] for h in highlights if h.target] == ["agreed to cooperate"]


def test_an_article_known_under_another_path_keeps_the_database_path(
    run: Runner, annotated: Annotated
) -> None:
    document = json.loads(export(annotated))
    document["articles"][2]["path"] = "/somewhere/else/budget.md"
    result = run("import", write(annotated, "moved.json", document))
    assert result.code == 0
    assert "note: articles[2]: the database has this article's path as" in result.out
    with AnnotationStore(annotated.db, read_only=True) as store:
        paths = {a["sha256"]: a["path"] for a in store.articles()}
    assert paths[annotated.budget.sha256] == str(annotated.budget.path.resolve())


def _edit_budget_since_the_export(annotated: Annotated, run: Runner) -> tuple[Path, Article]:
    """Tag the budget article, export, edit its file on disk, open it (the app moves its
    tags and highlight to the new text) and rename a tag: the walkthrough's steps."""
    with AnnotationStore(annotated.db) as store:
        store.add_tags(article_ref(annotated.budget), ["energy", "Nigeria watch", "merger"])
    file = write(annotated, "backup.json", export(annotated))
    path = annotated.budget.path
    path.write_text(path.read_text(encoding="utf-8") + "\nA paragraph added later.\n", "utf-8")
    edited = read(path)
    with AnnotationStore(annotated.db) as store:
        assert relink(store, edited) is not None  # as the app does when it opens it
        assert store.rename_tag("Nigeria watch", "Nigeria-watch") == 1
    return file, edited


def test_an_old_backup_of_an_edited_article_lands_on_the_article_as_it_is_now(
    run: Runner, annotated: Annotated
) -> None:
    """An article's tags and annotations belong to the article (its path): imported from a
    backup made before its file was edited, they go to the article as it is now, as they
    went when reader saw the edit. Before: the tags were stored under the old hash (the
    article listed twice, its tags found by nothing) and reported as added, and its
    highlight, the same one that followed the edit, was a conflict (walkthrough, item 1)."""
    file, edited = _edit_budget_since_the_export(annotated, run)
    old = annotated.budget.sha256
    result = run("import", file)
    assert result.code == 0, result.out
    lines = result.out.splitlines()
    assert lines[0] == (
        "imported backup.json (json): added 0 annotations and 1 tag; 9 already in the database"
    )
    assert lines[1:] == [
        f"note: articles[2]: {edited.path.resolve()} changed since the export (the database "
        "follows its new text); its tags and annotations were imported onto the article as "
        "it is now"
    ]
    with AnnotationStore(annotated.db, read_only=True) as store:
        budget = [a for a in store.articles() if a["path"] == str(edited.path.resolve())]
        assert [a["sha256"] for a in budget] == [edited.sha256]
        assert budget[0]["tags"] == [
            "economy",
            "energy",
            "Nigeria-watch",
            "merger",
            "Nigeria watch",
        ]
        assert not store.tags(old) and not store.annotations(old)
        assert [a.id for a in store.annotations(edited.sha256)] == [
            annotated.ids["emoji_highlight"]
        ]


def test_a_note_of_an_old_backup_deleted_since_returns_on_the_edited_article(
    run: Runner, annotated: Annotated
) -> None:
    file, edited = _edit_budget_since_the_export(annotated, run)
    highlight = annotated.ids["emoji_highlight"]
    with AnnotationStore(annotated.db) as store:
        store.delete(highlight)
    result = run("import", file)
    assert result.code == 0, result.out
    assert result.out.startswith(
        "imported backup.json (json): added 1 annotation and 1 tag; 8 already in the database\n"
    )
    with AnnotationStore(annotated.db, read_only=True) as store:
        assert [a.id for a in store.annotations(edited.sha256)] == [highlight]
        assert store.annotations(annotated.budget.sha256) == []
        assert [
            a["sha256"] for a in store.articles() if a["path"] == str(edited.path.resolve())
        ] == [edited.sha256]


def test_the_same_highlight_made_in_two_databases_is_not_doubled(
    run: Runner, annotated: Annotated, empty_db: Path
) -> None:
    with AnnotationStore(empty_db) as store:  # made again, by hand, on another machine
        seed = annotated.seed
        store.add_highlight(
            article_ref(seed), describe(seed.text, *span_of(seed, "agreed to cooperate"))
        )
    result = run("import", write(annotated, "export.json", export(annotated)), db=empty_db)
    assert result.out.startswith(
        "imported export.json (json): added 8 annotations and 3 tags; 1 already in the database"
    )
    assert counts(empty_db) == (9, 3)


def test_identical_annotations_are_each_imported_once(annotated: Annotated, tmp_path: Path) -> None:
    document = json.loads(export(annotated))
    notes = document["articles"][1]["notes"]
    twin = copy.deepcopy(notes[0])
    twin["id"] = "0" * 32
    notes.append(twin)  # the same note made twice, as a user can
    file = annotated.root / write(annotated, "twins.json", document)
    db = tmp_path / "twins.json"
    for expected in (10, 0):
        with AnnotationStore(db) as store:
            report = apply_plan(store, plan_import(store, read_import_file(file)))
        assert len(report.added) == expected
    assert counts(db) == (10, 3)


def test_w3c_from_another_tool_is_read_and_imported_once(
    run: Runner, annotated: Annotated, empty_db: Path
) -> None:
    start, end = span_of(annotated.budget, "Apple")
    annotation = {
        "@context": ["http://www.w3.org/ns/anno.jsonld"],
        "id": "https://example.org/annotations/17",
        "type": ["Annotation"],
        "motivation": ["commenting"],
        "created": "2025-06-01T14:00:00.123+02:00",
        "bodyValue": "Seen elsewhere",
        "target": {
            "source": {"id": f"urn:sha256:{annotated.budget.sha256}"},
            "selector": [
                {"type": "TextQuoteSelector", "exact": "Apple"},
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
    }
    file = write(annotated, "other.json", annotation)
    first = run("import", file, db=empty_db)
    assert first.code == 0
    assert first.out.splitlines() == [
        "imported other.json (w3c): added 1 annotation and 0 tags",
        "note: target.source: the file does not say where this article is; it is stored "
        f"as urn:sha256:{annotated.budget.sha256} until reader opens it",
    ]
    assert "added 0 annotations and 0 tags; 1 already" in run("import", file, db=empty_db).out
    with AnnotationStore(empty_db, read_only=True) as store:
        [note] = store.annotations()
    assert (note.body, note.kind) == ("Seen elsewhere", "note")
    assert (note.created, note.modified) == ("2025-06-01T12:00:00Z", "2025-06-01T12:00:00Z")
    assert note.article_path == f"urn:sha256:{annotated.budget.sha256}"
    assert note.target == {
        "position": {"start": start, "end": end},
        "quote": {"exact": "Apple", "prefix": "", "suffix": ""},
    }


def test_import_during_another_save_gives_up_after_the_wait_and_changes_nothing(
    run: Runner, annotated: Annotated
) -> None:
    file = write(annotated, "export.json", export(annotated))
    before = annotated.db.read_bytes()
    lock = WriteLock.acquire(annotated.db)  # another writer in the middle of a save
    try:
        result = run("import", file, "--wait", "0")
    finally:
        lock.release()
    assert result.code == 1 and result.out == ""
    assert "nothing was imported" in result.err
    assert annotated.db.read_bytes() == before


def test_import_while_the_app_has_the_database_open(
    run: Runner, annotated: Annotated, empty_db: Path
) -> None:
    file = write(annotated, "export.json", export(annotated))
    with AnnotationStore(empty_db) as app:  # the app has the database open for writing
        app.add_tags(ArticleRef("a.md", "c" * 64, "A"), ["from the app"])
        result = run("import", file, "--wait", "0", db=empty_db)
        assert result.code == 0, result.err
        assert app.refresh() and len(app.annotations()) == 9


# Read state and saved views.

READ_ONLY = ArticleRef("/articles/read-only.md", "d" * 64, "Already read")


def _read_and_views(db: Path, seed: ArticleRef) -> None:
    with AnnotationStore(db) as store:
        store.set_read(seed, True)
        store.set_read(READ_ONLY, True)
        store.save_view("Energy", "tag:energy")
        store.save_view("Unread", "is:unread")


def test_read_marks_and_views_round_trip_through_json(
    run: Runner, annotated: Annotated, empty_db: Path
) -> None:
    _read_and_views(annotated.db, article_ref(annotated.seed))
    first = export(annotated)
    result = run("import", write(annotated, "first.json", first), db=empty_db)
    assert result.code == 0, result.err
    assert result.out.endswith(", 2 views; marked 2 articles read\n")  # said, as all that is added
    with AnnotationStore(empty_db, read_only=True) as store:
        assert store.read_articles() == {annotated.seed.sha256, READ_ONLY.sha256}
        assert store.views() == [View("Energy", "tag:energy"), View("Unread", "is:unread")]
        assert store.positions() == {}  # positions stay in the database they were made in
        # A read article without annotations is in the reading state only.
        assert READ_ONLY.sha256 not in {a["sha256"] for a in store.articles()}
    second = export(annotated, db=empty_db)
    assert articles(second) == articles(first)
    assert native(second)["views"] == native(first)["views"]
    # Again: nothing more to add, and no conflict.
    again = run("import", write(annotated, "first.json", first), db=empty_db)
    assert again.code == 0 and "conflict" not in again.out


def test_an_import_marks_read_but_never_unread(annotated: Annotated, empty_db: Path) -> None:
    seed, budget = article_ref(annotated.seed), article_ref(annotated.budget)
    with AnnotationStore(annotated.db) as store:
        store.set_read(budget, True)  # so that the export says read of every article
    document = native(export(annotated))
    with AnnotationStore(empty_db) as store:
        store.set_read(seed, True)  # the file says unread: it stays read here
        store.set_position(seed, 12)
    with AnnotationStore(empty_db) as store:
        report = apply_plan(
            store,
            plan_import(
                store, read_import_file(annotated.root / write(annotated, "f.json", document))
            ),
        )
        assert report.marked_read == 1
        assert store.read_articles() == {seed.sha256, budget.sha256}
        assert store.positions() == {seed.sha256: 12}
        # Undoing the import takes back its annotations but not the read marks.
        assert store.undo() == "imported 9 annotations"
        assert store.annotations() == []
        assert store.read_articles() == {seed.sha256, budget.sha256}


def test_a_view_with_another_query_is_a_conflict_and_the_database_kept(
    run: Runner, annotated: Annotated, empty_db: Path
) -> None:
    _read_and_views(annotated.db, article_ref(annotated.seed))
    file = write(annotated, "export.json", export(annotated))
    with AnnotationStore(empty_db) as store:
        store.save_view("ENERGY", "tag:energy -tag:oil")
        store.save_view("unread", "is:unread")  # the same query: already there
    result = run("import", file, db=empty_db)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].endswith("; 1 conflict")
    assert lines[1] == (
        "conflict: views[0]: view “ENERGY” has another query in the database "
        "(“tag:energy -tag:oil”, not “tag:energy”); kept the database's"
    )
    with AnnotationStore(empty_db, read_only=True) as store:
        assert store.views() == [View("ENERGY", "tag:energy -tag:oil"), View("unread", "is:unread")]
        assert len(store.annotations()) == 9  # the rest was imported


def test_an_export_without_read_state_or_views_changes_neither(
    run: Runner, annotated: Annotated, empty_db: Path
) -> None:
    file = write(annotated, "old.json", export(annotated))  # no "read", no "views"
    assert b'"read"' not in (annotated.root / file).read_bytes()
    seed = article_ref(annotated.seed)
    with AnnotationStore(empty_db) as store:
        store.set_read(seed, True)
        store.save_view("Mine", "tag:mine")
    result = run("import", file, db=empty_db)
    assert result.code == 0, result.err
    with AnnotationStore(empty_db, read_only=True) as store:
        assert store.read_articles() == {seed.sha256}
        assert store.views() == [View("Mine", "tag:mine")]
        assert len(store.annotations()) == 9


# Bad files: refused whole, the database byte for byte as it was.

Mutation = Callable[[Annotated], bytes]


def _json(change: Callable[[dict[str, Any], Annotated], None]) -> Mutation:
    def mutate(annotated: Annotated) -> bytes:
        document = json.loads(export(annotated))
        change(document, annotated)
        return json.dumps(document, ensure_ascii=False).encode("utf-8")

    return mutate


def _text(change: Callable[[str], str]) -> Mutation:
    return lambda annotated: change(export(annotated).decode("utf-8")).encode("utf-8")


def _w3c(change: Callable[[dict[str, Any]], None]) -> Mutation:
    def mutate(annotated: Annotated) -> bytes:
        document = json.loads(export(annotated, "w3c"))
        change(document)
        return json.dumps(document).encode("utf-8")

    return mutate


def _set(path: str, value: Any) -> Callable[[dict[str, Any], Annotated], None]:
    """Set the value at a dotted path such as ``articles.1.notes.0.created``."""

    def change(document: dict[str, Any], _: Annotated) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = document
        for part in parents:
            node = node[part]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return change


_DELETE = object()


def _duplicate_note(document: dict[str, Any], _: Annotated) -> None:
    notes = document["articles"][1]["notes"]
    notes.append(copy.deepcopy(notes[0]))


def _item(document: dict[str, Any], index: int) -> dict[str, Any]:
    item: dict[str, Any] = document["first"]["items"][index]
    return item


#: (name, the bad file, what the error must name, whether the schema refuses it too)
BAD_FILES: list[tuple[str, Mutation, str, bool | None]] = [
    ("not JSON", lambda a: b'{"format": "reader-export",', "not valid JSON (line 1", None),
    ("empty", lambda a: b"", "not valid JSON (line 1, column 1", None),
    ("not UTF-8", lambda a: "{}".encode("utf-16"), "not UTF-8 text (byte 0)", None),
    ("an array", lambda a: b"[]", "neither a reader json export", True),
    ("NaN", _text(lambda t: t.replace('"end": ', '"end": NaN, "x": ', 1)), "NaN is not", None),
    (
        "a repeated key",
        _text(lambda t: t.replace('"format"', '"format": "x", "format"', 1)),
        "the key 'format' appears twice",
        None,
    ),
    (
        "a newer version",
        _json(_set("schema_version", 2)),
        "schema_version: this reader reads version 1 of the export format, not 2; upgrade",
        True,
    ),
    ("another format", _json(_set("format", "hypothesis")), "format: expected", True),
    ("no articles", _json(_set("articles", _DELETE)), ": missing 'articles'", True),
    (
        "a time of the wrong type",
        _json(_set("articles.1.notes.0.created", 5)),
        "articles[1].notes[0].created: expected a string, found the number 5",
        True,
    ),
    (
        "an impossible date",
        _json(_set("articles.1.notes.0.created", "2026-13-45T00:00:00Z")),
        "articles[1].notes[0].created: not a valid time",
        False,  # the pattern cannot tell
    ),
    (
        "an offset as a string",
        _json(_set("articles.1.highlights.0.target.position.start", "12")),
        "articles[1].highlights[0].target: position start must be an integer >= 0, got '12'",
        True,
    ),
    (
        "start after end",
        _json(_set("articles.1.highlights.0.target.position.start", 10**6)),
        "articles[1].highlights[0].target: position start 1000000 is after end",
        False,
    ),
    (
        "tags not a list",
        _json(_set("articles.2.tags", "economy")),
        "articles[2].tags: expected an array",
        True,
    ),
    (
        "an unknown key",
        _json(_set("articles.0.colour", "red")),
        "articles[0]: unknown key 'colour'",
        True,
    ),
    (
        "a bad hash",
        _json(_set("articles.2.sha256", "abc")),
        "articles[2].sha256: expected a SHA-256",
        True,
    ),
    (
        "an unknown correction",
        _json(_set("articles.1.corrections.0.correction.action", "rename")),
        "articles[1].corrections[0].correction: correction action must be one of",
        True,
    ),
    (
        "a correction to a label of no label's shape",
        _json(_set("articles.1.corrections.0.correction.label", "BAR <1>")),
        "articles[1].corrections[0].correction: no label BAR <1> (labels: PERSON, NORP, FAC,",
        False,  # the schema leaves labels to the reader (as it does a label: query)
    ),
    (
        "an entity relabelled to a label of no label's shape",
        _json(
            _set(
                "entity_edits",
                [{"op": "relabel", "key": "apple", "label": "ORG", "new_label": "BAR BAZ"}],
            )
        ),
        "entity_edits[0]: no label BAR BAZ (labels: PERSON, NORP, FAC,",
        False,
    ),
    (
        "a highlight without target",
        _json(_set("articles.1.highlights.0.target", None)),
        "articles[1].highlights[0].target: a highlight needs a target",
        True,
    ),
    (
        "a repeated id",
        _json(_duplicate_note),
        "articles[1].notes[2].id: the same id as articles[1].notes[0]",
        False,
    ),
    (
        "read not true or false",
        _json(_set("articles.0.read", "yes")),
        'articles[0].read: expected true or false, found "yes"',
        True,
    ),
    ("views not a list", _json(_set("views", {"a": "b"})), "views: expected an array", True),
    (
        "a view without a query",
        _json(_set("views", [{"name": "x"}])),
        "views[0]: missing 'query'",
        True,
    ),
    (
        "a view with an empty name",
        _json(_set("views", [{"name": " ", "query": "q"}])),
        "views[0].name: must not be empty",
        True,
    ),
    (
        "a view with an unknown key",
        _json(_set("views", [{"name": "x", "query": "q", "colour": "red"}])),
        "views[0]: unknown key 'colour'",
        True,
    ),
    (
        "a view name twice",
        _json(_set("views", [{"name": "A", "query": "q"}, {"name": "a", "query": "r"}])),
        "views[1].name: the same view name as views[0]",
        False,  # the schema cannot compare items ignoring case
    ),
    (
        "a query too long",
        _json(_set("views", [{"name": "x", "query": "q" * 2001}])),
        "views[0].query: a saved query can be at most 2000 characters long",
        True,
    ),
    (
        "w3c without @context",
        _w3c(lambda d: d.pop("@context")),
        "neither a reader json export",
        None,
    ),
    (
        "w3c with another motivation",
        _w3c(lambda d: _item(d, 0).update(motivation="bookmarking")),
        "first.items[0].motivation: reader imports commenting, highlighting and tagging",
        None,
    ),
    (
        "w3c on a web page",
        _w3c(lambda d: _item(d, 0)["target"].update(source="https://example.org/story")),
        "first.items[0].target.source: reader knows an article by the SHA-256",
        None,
    ),
    (
        "w3c with a bad selector",
        _w3c(lambda d: _item(d, 0)["target"]["selector"][1].update(start=-1)),
        "first.items[0].target.selector: position start must be an integer >= 0, got -1",
        None,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [pytest.param(mutate, message, id=name) for name, mutate, message, _ in BAD_FILES],
)
def test_a_bad_file_is_refused_and_the_database_left_as_it_was(
    run: Runner, annotated: Annotated, empty_db: Path, mutate: Mutation, message: str
) -> None:
    file = write(annotated, "bad.json", mutate(annotated))
    before = annotated.db.read_bytes()
    result = run("import", file)
    assert result.code == 1 and result.out == ""
    assert result.err.startswith("reader: bad.json: ")
    assert message in result.err
    assert result.err.endswith("; nothing was imported\n") and result.err.count("\n") == 1
    assert annotated.db.read_bytes() == before
    # Into a database that does not exist yet: still nothing, not even its folder.
    assert run("import", file, db=empty_db).code == 1
    assert not empty_db.parent.exists()


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(mutate, id=name)
        for name, mutate, _, schema_refuses in BAD_FILES
        if schema_refuses is not None
    ],
)
def test_the_schema_and_the_importer_agree(annotated: Annotated, mutate: Mutation) -> None:
    """What the schema refuses the importer refuses; the few it cannot express are listed."""
    document = json.loads(mutate(annotated))
    schema_refuses = bool(schema_errors(document))
    expected = next(s for _, m, _, s in BAD_FILES if m is mutate)
    assert schema_refuses is expected
    with pytest.raises(ImportFileError):
        read_import_file(annotated.root / write(annotated, "bad.json", document))


def test_a_missing_file_is_refused(run: Runner, annotated: Annotated) -> None:
    result = run("import", "nowhere.json")
    assert result.code == 1
    assert result.err == (
        "reader: nowhere.json: cannot be read (No such file or directory); nothing was imported\n"
    )


def test_a_broken_database_is_said_once(run: Runner, annotated: Annotated) -> None:
    file = write(annotated, "export.json", export(annotated))
    annotated.db.write_bytes(b"{not json")
    result = run("import", file)
    assert result.code == 1 and result.out == ""
    # "the file was left as it is" already says that nothing changed: not a second time.
    assert result.err.endswith("; the file was left as it is\n")
    assert "nothing was imported" not in result.err and result.err.count("\n") == 1
    assert annotated.db.read_bytes() == b"{not json"
