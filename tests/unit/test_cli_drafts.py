"""`reader drafts` (reader/cli/drafts.py): the drafts the app kept, printed sanitised
(titles and texts are untrusted), oldest first; --drop removes one; drafts are not notes:
`reader annotations` and the json export leave them out. A real TinyDB file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTROLS, run_cli

from reader.store import AnnotationStore, ArticleRef, DraftOwner
from reader.store.drafts import process_started

GONE = ArticleRef("/gone/away.txt", "c" * 64, f"Gone [red]away[/]{CONTROLS}")
PASSAGE = {"quote": {"exact": "talks"}, "position": {"start": 5, "end": 10}}


def test_drafts_are_listed_sanitised_and_dropped_by_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "db.json"
    assert run_cli(["drafts", "--db", db], capsys).out == ""  # no database: nothing
    with AnnotationStore(db) as store:
        store.set_draft("article/c", GONE, f"line one\nline two{CONTROLS}")
        store.set_draft("passage/c/5-10", GONE, "on a passage", PASSAGE)
    listed = run_cli(["drafts", "--db", db], capsys)
    assert listed.code == 0, listed.err
    assert "“Gone [red]away[/]" in listed.out and "/gone/away.txt" in listed.out
    assert "key: article/c" in listed.out and "    line one\n    line two" in listed.out
    assert "on: “talks”" in listed.out
    assert "\x1b" not in listed.out and "\x07" not in listed.out
    dropped = run_cli(["drafts", "--db", db, "--drop", "article/c"], capsys)
    assert dropped.code == 0 and "Dropped" in dropped.out
    again = run_cli(["drafts", "--db", db, "--drop", "article/c"], capsys)
    assert again.code == 1 and "no draft" in again.err
    with AnnotationStore(db, read_only=True) as store:
        assert [d.key for d in store.drafts()] == ["passage/c/5-10"]


def test_no_drafts_is_said_on_stderr_as_no_entity_edits_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "db.json"
    missing = run_cli(["drafts", "--db", db], capsys)  # no database yet
    with AnnotationStore(db) as store:
        store.set_draft("article/c", GONE, "to be dropped")
        store.delete_draft("article/c")
    empty = run_cli(["drafts", "--db", db], capsys)  # a database, its drafts all gone
    for result in (missing, empty):
        assert (result.code, result.out) == (0, "")
        assert result.err.startswith("reader: no drafts (")


def test_drafts_are_not_notes_in_the_listing_nor_the_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "db.json"
    with AnnotationStore(db) as store:
        store.add_note(GONE, "NOTETEXT")
        store.set_draft("article/x", GONE, "DRAFTTEXT")
    listed = run_cli(["annotations", "--db", db], capsys)
    assert "DRAFTTEXT" not in listed.out
    out = tmp_path / "export.json"
    exported = run_cli(["export", "--db", db, "--format", "json", "-o", out], capsys)
    assert exported.code == 0, exported.err
    assert "NOTETEXT" in listed.out and "NOTETEXT" in out.read_text()
    assert "DRAFTTEXT" not in out.read_text() and json.loads(out.read_text())


def test_a_draft_a_running_app_is_writing_is_said_so_and_not_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    db = tmp_path / "db.json"
    try:
        owner = DraftOwner(other.pid, process_started(other.pid), "e")
        with AnnotationStore(db) as store:
            store.set_draft("article/c", GONE, "being typed", owner=owner)
        listed = run_cli(["drafts", "--db", db], capsys)
        assert f"being written now, in another window (process {other.pid})" in listed.out
        refused = run_cli(["drafts", "--db", db, "--drop", "article/c"], capsys)
        assert refused.code == 1 and "being written in another window" in refused.err
    finally:
        other.kill()
        other.wait()
    dropped = run_cli(["drafts", "--db", db, "--drop", "article/c"], capsys)  # it ended
    assert dropped.code == 0 and "Dropped" in dropped.out
    with AnnotationStore(db, read_only=True) as store:
        assert store.drafts() == []
