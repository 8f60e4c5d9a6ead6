"""Poisoned files: what the store keeps has a shape, checked on import and on open.

A database holding something it could not write again (a number too large for a float,
a target nested hundreds deep, a field no version of reader writes) is refused at open,
naming the file, the table, the document and the field, and left byte for byte as it was.
An import file carrying the same is refused before anything is written. Fuzzing the
import file (hypothesis) finds no traceback, no change on refusal, and everything accepted
still lists and exports in every format.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import io
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import Annotated, Runner, annotate, annotated, entity_cache, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import cli
from reader.export.formats import FORMAT_NAMES
from reader.store import AnnotationStore, StoreCorrupt

__all__ = ["annotated", "entity_cache", "run"]  # the shared fixtures (export_fixtures)


def nested(depth: int) -> str:
    """A JSON array nested *depth* deep, as text (json.dumps would recurse)."""
    return "[" * depth + "]" * depth


def export_with_deep_target(run: Runner, annotated: Annotated, depth: int) -> Path:
    """The issue's reproduction: export, set one note's target to position, quote and an
    ``x`` nested *depth* deep, and write it for import."""
    exported = run("export", "--format", "json", "-o", "-")
    assert exported.code == 0, exported.err
    document = json.loads(exported.out)
    note = next(n for a in document["articles"] for n in a["notes"] if n["target"])
    note["target"]["x"] = "PLACEHOLDER"
    note["id"] = "f" * 32  # a new annotation, not one the database holds
    text = json.dumps(document).replace('"PLACEHOLDER"', nested(depth))
    file = annotated.root / "deep.json"
    file.write_text(text, encoding="utf-8")
    return file


@pytest.mark.parametrize("depth", [496, 700, 980])
def test_an_import_with_a_deep_target_is_refused_and_the_database_kept(
    run: Runner, annotated: Annotated, depth: int
) -> None:
    file = export_with_deep_target(run, annotated, depth)
    before = annotated.db.read_bytes()
    result = run("import", file)
    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    assert ".target" in result.err or "nested too deep" in result.err
    assert result.err.endswith("nothing was imported\n") and result.err.count("\n") == 1
    assert annotated.db.read_bytes() == before
    listed = run("annotations")
    assert listed.code == 0 and "Traceback" not in listed.err


def poison(db: Path, table: str, change: str) -> bytes:
    """Replace the text ``"PLACEHOLDER"`` in the database by *change*: a store writes
    the placeholder in the first document of *table*, the rest is done as bytes (what a
    hand edit or another program would do)."""
    raw = db.read_text(encoding="utf-8")
    document = json.loads(raw)
    first = next(iter(document[table]))
    if table == "annotations":
        document[table][first]["target"] = {
            "position": {"start": "PLACEHOLDER", "end": 5},
            "quote": {"exact": "x"},
        }
    else:
        document[table][first]["position"] = "PLACEHOLDER"
    text = json.dumps(document, ensure_ascii=False).replace('"PLACEHOLDER"', change)
    db.write_text(text, encoding="utf-8")
    return db.read_bytes()


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_a_database_with_a_number_json_cannot_hold_is_refused_at_open(
    annotated: Annotated, run: Runner, number: str
) -> None:
    before = poison(annotated.db, "annotations", number)
    with pytest.raises(StoreCorrupt) as refused:
        AnnotationStore(annotated.db)
    message = str(refused.value)
    assert message.startswith(f"{annotated.db}: annotations/")
    assert "target.position.start" in message and "the file was left as it is" in message
    with pytest.raises(StoreCorrupt):
        AnnotationStore(annotated.db, read_only=True)
    seed = annotated.seed.path
    for command in (("note", seed, "x"), ("export", "--format", "json", "-o", "-")):
        result = run(*command)
        assert result.code != 0 and "Traceback" not in result.err
        assert str(annotated.db) in result.err
    assert annotated.db.read_bytes() == before


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (nested(496), "expected a whole number, found a list"),
        ('{"deep": ' + nested(40) + "}", "expected a whole number"),
        ('"12"', "expected a whole number, found a string"),
        ("-3", "must be zero or more"),
    ],
)
def test_a_database_with_a_wrong_value_names_the_file_and_place(
    annotated: Annotated, change: str, problem: str
) -> None:
    before = poison(annotated.db, "annotations", change)
    with pytest.raises(StoreCorrupt) as refused:
        AnnotationStore(annotated.db, read_only=True)
    assert "target.position.start" in str(refused.value) and problem in str(refused.value)
    assert annotated.db.read_bytes() == before


def test_a_database_with_an_unknown_field_is_refused_naming_it(annotated: Annotated) -> None:
    document = json.loads(annotated.db.read_bytes())
    doc_id = next(k for k, v in document["annotations"].items() if v["target"])
    document["annotations"][doc_id]["target"]["x"] = json.loads(nested(30))
    annotated.db.write_text(json.dumps(document), encoding="utf-8")
    before = annotated.db.read_bytes()
    with pytest.raises(StoreCorrupt) as refused:
        AnnotationStore(annotated.db)
    assert f"annotations/{doc_id}: target.x: unknown field" in str(refused.value)
    assert annotated.db.read_bytes() == before


def test_a_table_without_a_shape_is_bounded() -> None:
    from reader.store.validation import MAX_DEPTH, DocumentError, check_document

    check_document("merges", "1", {"a": [[1, 2]], "b": "text"})
    with pytest.raises(DocumentError, match=r"merges/1: a(\[0\])+: nested more than"):
        check_document("merges", "1", {"a": json.loads(nested(MAX_DEPTH + 1))})
    with pytest.raises(DocumentError, match="merges/2: x: expected a JSON number"):
        check_document("merges", "2", {"x": float("inf")})


# Fuzzing the import file.

_MARKERS = {
    "HUGE_NUMBER": lambda: "1e400",
    "NAN": lambda: "NaN",
}
"""Placeholders swapped for raw JSON text after json.dumps (which cannot write these)."""

_POISON = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["\ud800", "a\udfffb", "\x1b[31mred\x1b[0m", "x" * 1_100_000, "", " "]),
    st.sampled_from(["@DEEP9@", "@DEEP300@", "@HUGE_NUMBER@", "@NAN@"]),
    st.sampled_from(["@DEEP60@", "@DEEP496@", "@HUGE_NUMBER@"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "a\udfffb", "\x1b[31mred\x1b[0m", "[b]markup[/b]", "x" * 200_000]),
)
"""Strings put where strings go: what a person or another program might write."""


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value (the root excluded)."""
    found = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found.append((*path, key))
        found.extend(_nodes(item, (*path, key)))
    return found


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


@st.composite
def mutated_exports(draw: st.DrawFn, base: dict[str, Any]) -> str:
    """The base export with one to three things wrong: a value replaced by a wrong or
    poisoned one, a field removed, an unknown field added, an annotation repeated (a
    duplicate id), an offset moved out of the text."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _nodes(document)
        path = draw(st.sampled_from(paths))
        parent, key = _parent(document, path), path[-1]
        action = draw(
            st.sampled_from(
                ["replace", "delete", "add", "nest", "repeat", "offset", "retext", "retext"]
            )
        )
        if action == "retext":
            strings = [p for p in paths if isinstance(_parent(document, p)[p[-1]], str)]
            path = draw(st.sampled_from(strings))
            _parent(document, path)[path[-1]] = draw(_TEXT)
        elif action == "replace":
            parent[key] = draw(_POISON)
        elif action == "delete":
            del parent[key]
        elif action == "nest":
            objects = [p for p in paths if isinstance(_parent(document, p)[p[-1]], dict)]
            targets = [p for p in objects if "target" in p] or objects
            path = draw(st.sampled_from(targets))
            depth = draw(st.sampled_from([9, 60, 300, 496]))
            _parent(document, path)[path[-1]]["x"] = f"@DEEP{depth}@"
        elif action == "add":
            objects = [p for p in paths if isinstance(_parent(document, p)[p[-1]], dict)]
            path = draw(st.sampled_from(objects))
            value = draw(_POISON)
            key = draw(st.sampled_from(["x", "extra", "@context", "\ud800"]))
            _parent(document, path)[path[-1]][key] = value
        elif action == "repeat" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif action == "offset":
            articles = document.get("articles")  # an earlier mutation may have made it 1.5
            notes = [
                n
                for a in (articles if isinstance(articles, list) else [])
                if isinstance(a, dict)
                for section in ("notes", "highlights", "corrections")
                for n in (a.get(section) if isinstance(a.get(section), list) else [])
                if isinstance(n, dict)
                and isinstance(n.get("target"), dict)
                and isinstance(n["target"].get("position"), dict)
            ]
            if notes:
                position = draw(st.sampled_from(notes))["target"]["position"]
                position[draw(st.sampled_from(["start", "end"]))] = draw(
                    st.sampled_from([-1, 10**9, 2**63, 0])
                )
    text = json.dumps(document)
    for depth in (9, 60, 300, 496):
        text = text.replace(f'"@DEEP{depth}@"', nested(depth))
    for marker, raw in _MARKERS.items():
        text = text.replace(f'"@{marker}@"', raw())
    return text


def _cli(root: Path, cache: Path, db: Path, *argv: str) -> tuple[int, str, str]:
    """`reader ARGV` in this process, in *root*: exit code, stdout, stderr.

    It runs in a thread of its own, which starts with an empty stack as the `reader`
    command does: under pytest and hypothesis a file nested a few hundred deep would hit
    the recursion limit at parsing, where the real command would not.
    """
    out, err = io.StringIO(), io.StringIO()
    result: list[int] = []
    raised: list[BaseException] = []

    def main() -> None:
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                result.append(cli.main([*argv, "--db", str(db), "--cache-dir", str(cache)]))
        except BaseException as error:  # re-raised in the test's thread
            raised.append(error)

    cwd = os.getcwd()
    os.chdir(root)
    try:
        thread = threading.Thread(target=main)
        thread.start()
        thread.join()
    finally:
        os.chdir(cwd)
    if raised:
        raise raised[0]
    return result[0], out.getvalue(), err.getvalue()


FUZZ_COUNTS: collections.Counter[str] = collections.Counter()


def test_fuzzing_the_import_file_never_breaks_the_database(
    tmp_path_factory: pytest.TempPathFactory, entity_cache: Path
) -> None:
    annotated = annotate(tmp_path_factory.mktemp("fuzz") / "work")
    for name in ("READER_DB", "READER_CACHE_DIR", "READER_MODEL"):
        os.environ.pop(name, None)
    code, exported, _ = _cli(
        annotated.root, entity_cache, annotated.db, "export", "--format", "json", "-o", "-"
    )
    assert code == 0
    base = json.loads(exported)
    # A new id for every annotation: the file adds them, rather than matching the db's.
    for article in base["articles"]:
        for section in ("notes", "highlights", "corrections"):
            for item in article[section]:
                item["id"] = item["id"][::-1]
    original = annotated.db.read_bytes()
    file = annotated.root / "fuzzed.json"

    @settings(
        max_examples=int(os.environ.get("READER_FUZZ_EXAMPLES", "150")),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_exports(base))
    def attempt(text: str) -> None:
        annotated.db.write_bytes(original)
        FUZZ_COUNTS["examples"] += 1
        if "[" * 200 in text:
            FUZZ_COUNTS["nested 300 or 496 deep"] += 1
        file.write_text(text, encoding="utf-8", errors="surrogatepass")
        code, out, err = _cli(annotated.root, entity_cache, annotated.db, "import", str(file))
        assert "Traceback" not in err and code in (0, 1), err
        if code == 1 and "conflict" not in out:
            assert annotated.db.read_bytes() == original, "refused, yet the database changed"
        if annotated.db.read_bytes() == original:
            FUZZ_COUNTS["refused or nothing new"] += 1
            assert code == 1 or "added 0 annotations" in out, (out, err)
            return
        FUZZ_COUNTS["accepted"] += 1
        listed = _cli(annotated.root, entity_cache, annotated.db, "annotations")
        assert listed[0] == 0 and "Traceback" not in listed[2], listed
        for fmt in FORMAT_NAMES:
            result = _cli(
                annotated.root, entity_cache, annotated.db, "export", "--format", fmt, "-o", "-"
            )
            assert result[0] == 0 and "Traceback" not in result[2], (fmt, result[2])
        with AnnotationStore(annotated.db, read_only=True) as store:
            assert store.annotations()

    attempt()
    print(f"import fuzzing: {dict(FUZZ_COUNTS)}, tracebacks: 0")
    assert FUZZ_COUNTS["accepted"] and FUZZ_COUNTS["refused or nothing new"]


_PLAIN_NOTE: dict[str, Any] = {
    "id": "a" * 32,
    "kind": "highlight",
    "article_sha256": "b" * 64,
    "article_path": "p.md",
    "created": "2026-01-01T00:00:00Z",
    "modified": "2026-01-01T00:00:00Z",
    "body": "",
    "target": {
        "position": {"start": 1, "end": 5},
        "quote": {"exact": "x", "prefix": "", "suffix": ""},
    },
    "correction": None,
}


@settings(max_examples=300, deadline=None, database=None)
@given(st.data())
def test_the_fast_check_accepts_nothing_the_full_check_refuses(data: st.DataObject) -> None:
    """Opening a database checks the usual annotation inline (validation's fast path);
    whatever it lets by, the full check must accept too."""
    from reader.store import validation

    document = copy.deepcopy(_PLAIN_NOTE)
    for _ in range(data.draw(st.integers(0, 3))):
        paths = _nodes(document)
        path = data.draw(st.sampled_from(paths))
        parent, key = _parent(document, path), path[-1]
        action = data.draw(st.sampled_from(["replace", "delete", "add", "offset"]))
        target = document.get("target")
        position = target.get("position") if isinstance(target, dict) else None
        if action == "offset" and isinstance(position, dict):
            position[data.draw(st.sampled_from(["start", "end"]))] = data.draw(st.integers(-2, 9))
        elif action == "replace":
            parent[key] = data.draw(st.one_of(_POISON, st.sampled_from(["note", "correction"])))
        elif action == "delete":
            del parent[key]
        elif isinstance(parent, dict):
            parent["x"] = 1
    fast = validation._is_plain_annotation(document)
    try:
        validation._annotation_fully(document, validation._Place("annotations", "1"))
        full = True
    except validation.DocumentError:
        full = False
    assert full or not fast, document


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ({"id": "e1", "op": "explode", "key": "x", "label": "PERSON"}, "unknown entity edit"),
        ({"id": "e1", "op": "rename", "key": 7, "label": "PERSON"}, "key"),
        (
            {"id": "e1", "op": "rename", "key": "x", "label": "PERSON", "name": nested(40)},
            "",
        ),
    ],
)
def test_a_database_with_a_broken_entity_edit_is_refused_naming_it(
    annotated: Annotated, edit: dict[str, Any], problem: str
) -> None:
    document = json.loads(annotated.db.read_bytes())
    if isinstance(edit.get("name"), str) and edit["name"].startswith("["):
        edit = {**edit, "name": json.loads(edit["name"])}
    document.setdefault("entity_edits", {})["1"] = edit
    annotated.db.write_text(json.dumps(document), encoding="utf-8")
    before = annotated.db.read_bytes()
    with pytest.raises(StoreCorrupt) as refused:
        AnnotationStore(annotated.db, read_only=True)
    assert "entity_edits/1" in str(refused.value) and problem in str(refused.value)
    assert annotated.db.read_bytes() == before
