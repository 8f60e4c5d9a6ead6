"""`reader tag`, `untag`, `note` and `annotations` against real TinyDB files and articles."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CONTROLS, Result, run_cli

from reader.library import Article, read_article
from reader.store import Annotation, AnnotationStore, ArticleRef
from reader.store.lock import WriteLock

TARGET: dict[str, Any] = {
    "position": {"start": 17, "end": 31},  # in the rendered text of budget.md
    "quote": {"exact": "the Chancellor", "prefix": "", "suffix": " said"},
}
#: What must never reach the terminal from a listing or a confirmation.
TERMINAL_CONTROLS = ("\x1b", "\x9b", "\x9d", "\x9c", "\x07", "\x08", "\x7f", "\u202e", "\u2066")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "annotations.json"


@pytest.fixture
def article_path(tmp_path: Path) -> Path:
    path = tmp_path / "budget.md"
    path.write_text("# The budget vote\n\nthe Chancellor said on Monday.\n", encoding="utf-8")
    return path


@pytest.fixture
def run(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Result]:
    """Run `reader ARGS... --db <db>` through reader.cli.main, with optional stdin bytes."""
    monkeypatch.delenv("READER_DB", raising=False)

    def run_command(*argv: str | Path, stdin: bytes | None = None, db_flag: bool = True) -> Result:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        return run_cli([*argv, *(["--db", db] if db_flag else [])], capsys)

    return run_command


def ref(path: Path) -> ArticleRef:
    article = read_article(path)
    assert isinstance(article, Article)
    return ArticleRef(str(path), article.sha256, article.title)


def stored(db: Path) -> tuple[list[dict[str, Any]], list[Annotation]]:
    """The articles and annotations on disk, read by a fresh store."""
    with AnnotationStore(db, read_only=True) as store:
        return store.articles(), store.annotations()


def assert_one_line_failure(result: Result, code: int = 1) -> None:
    assert result.code == code
    assert result.out == ""
    assert result.err.startswith("reader: ")
    assert result.err.count("\n") == 1


# Tagging.


def test_tag_saves_the_tags_before_confirming(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    result = run("tag", article_path, "economy", " Russia ", "ECONOMY")
    assert result == Result(0, "tagged “The budget vote”: economy, Russia\n", "")
    articles, annotations = stored(db)
    assert articles == [
        {
            "path": str(article_path),
            "sha256": ref(article_path).sha256,
            "title": "The budget vote",
            "tags": ["economy", "Russia"],
        }
    ]
    assert annotations == []


def test_tag_again_says_what_was_already_there(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    run("tag", article_path, "economy")
    # Each message says one thing once (it said "tagged" twice, as "already tagged").
    assert (
        run("tag", article_path, "Economy").out == "“The budget vote” is already tagged Economy\n"
    )
    result = run("tag", article_path, "economy", "vote")
    assert result.out == "tagged “The budget vote”: vote (it was already tagged economy)\n"
    assert stored(db)[0][0]["tags"] == ["economy", "vote"]


def test_tags_are_compared_as_the_store_compares_them(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    # The store keeps "big  news" as "big news" and drops control characters: the message
    # compares the same way (it said "tagged: big news (it was already tagged big news)").
    assert run("tag", article_path, "big  news").out == "tagged “The budget vote”: big news\n"
    assert run("tag", article_path, "x\x07y").out == "tagged “The budget vote”: xy\n"
    assert run("untag", article_path, "big  news").out == "untagged “The budget vote”: big news\n"
    assert stored(db)[0][0]["tags"] == ["xy"]


def test_untag_removes_ignoring_case(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    run("tag", article_path, "economy", "russia", "vote")
    result = run("untag", article_path, "RUSSIA", "nope")
    assert result == Result(0, "untagged “The budget vote”: russia (it was not tagged nope)\n", "")
    assert stored(db)[0][0]["tags"] == ["economy", "vote"]
    assert run("untag", article_path, "nope").out == "“The budget vote” is not tagged nope\n"
    assert stored(db)[0][0]["tags"] == ["economy", "vote"]


def test_an_empty_tag_is_a_usage_error_and_changes_nothing(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    with AnnotationStore(db):  # refused before the database is even opened: no waiting
        assert_one_line_failure(run("tag", article_path, "fine", "  ", "--wait", "30"), code=2)
    assert not db.exists()


def test_the_db_comes_from_reader_db_without_the_flag(
    run: Callable[..., Result], tmp_path: Path, article_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "env" / "db.json"
    monkeypatch.setenv("READER_DB", str(elsewhere))
    assert run("tag", article_path, "economy", db_flag=False).code == 0
    assert stored(elsewhere)[0][0]["tags"] == ["economy"]


# Notes.


def test_note_from_the_command_line(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    result = run("note", article_path, "Check the figures")
    (note,) = stored(db)[1]
    assert result == Result(0, f"noted “The budget vote” (note {note.id})\n", "")
    assert (note.kind, note.body, note.target) == ("note", "Check the figures", None)
    assert (note.article_sha256, note.article_path) == (ref(article_path).sha256, str(article_path))


def test_note_dash_reads_all_of_stdin_as_utf8(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    body = "Zürich — “quoted”\n\n  indented line\n"
    result = run("note", article_path, "-", stdin=body.encode("utf-8") + b"\n")
    assert result.code == 0, result.err
    assert [a.body for a in stored(db)[1]] == [body.rstrip("\n")]


def test_stdin_that_is_not_utf8_is_refused(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    result = run("note", article_path, "-", stdin=b"caf\xe9\n")
    assert_one_line_failure(result)
    assert "not UTF-8" in result.err
    assert not db.exists()


@pytest.mark.parametrize("stdin", [b"", b" \n\n", None])
def test_an_empty_note_is_refused(
    run: Callable[..., Result], db: Path, article_path: Path, stdin: bytes | None
) -> None:
    result = run("note", article_path, "-" if stdin is not None else "  ", stdin=stdin)
    assert_one_line_failure(result, code=2)
    assert "empty note" in result.err
    assert not db.exists()


# Articles that cannot be read.


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "No such file"), (b"", "empty file"), (b"\x7fELF\x00\x01" * 100, "binary file")],
)
@pytest.mark.parametrize("command", [["tag", "economy"], ["untag", "economy"], ["note", "hi"]])
def test_an_unreadable_article_fails_with_the_reason(
    run: Callable[..., Result],
    db: Path,
    tmp_path: Path,
    content: bytes | None,
    reason: str,
    command: list[str],
) -> None:
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    result = run(command[0], path, *command[1:])
    assert_one_line_failure(result)
    assert str(path) in result.err and reason in result.err
    assert not db.exists() and not db.parent.exists()


# One writer at a time.


def test_a_database_being_saved_fails_after_the_wait_and_stays_as_it_was(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    with AnnotationStore(db) as app:
        app.add_tags(ref(article_path), ["held"])
    before = db.read_bytes()
    lock = WriteLock.acquire(db)  # another writer in the middle of a (very long) save
    try:
        for command in (["tag", "x"], ["untag", "held"], ["note", "hi"]):
            result = run(command[0], article_path, *command[1:], "--wait", "0.2")
            assert_one_line_failure(result)
            assert result.err.startswith(f"reader: {db}: is being saved by another reader")
            assert "after waiting 0.2 s" in result.err
            assert db.read_bytes() == before
        # Listing reads without the lock, so it works during a save.
        listing = run("annotations")
        assert listing.code == 0 and "tags: held" in listing.out
    finally:
        lock.release()


def test_commands_write_while_the_app_has_the_database_open(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    with AnnotationStore(db) as app:
        app.add_tags(ref(article_path), ["from the app"])
        result = run("tag", article_path, "from the cli", "--wait", "0")
        assert result.code == 0, result.err
        note = run("note", article_path, "a note from the cli", "--wait", "0")
        assert note.code == 0, note.err
        app.add_tags(ref(article_path), ["the app again"])
        assert app.tags(ref(article_path).sha256) == [
            "from the app",
            "from the cli",
            "the app again",
        ]
    assert [a.body for a in stored(db)[1]] == ["a note from the cli"]


def test_a_writer_waits_its_turn(run: Callable[..., Result], db: Path, article_path: Path) -> None:
    with AnnotationStore(db) as app:
        app.add_tags(ref(article_path), ["from the app"])
    lock = WriteLock.acquire(db)
    releasing = threading.Timer(0.3, lock.release)
    releasing.start()
    try:
        result = run("tag", article_path, "from the cli", "--wait", "30")
    finally:
        releasing.cancel()
        lock.release()
    assert result.code == 0, result.err
    assert stored(db)[0][0]["tags"] == ["from the app", "from the cli"]


def test_another_process_holding_the_lock_and_a_piped_note(
    tmp_path: Path, db: Path, article_path: Path
) -> None:
    # The real thing: a separate `reader` process, its stdin a pipe.
    script = textwrap.dedent("""
        import sys
        from reader import cli
        sys.exit(cli.main(sys.argv[1:]))
    """)
    argv = [sys.executable, "-c", script, "note", str(article_path), "-", "--db", str(db)]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    lock = WriteLock.acquire(db)
    try:
        refused = subprocess.run(
            [*argv, "--wait", "0"], input=b"held back", env=env, capture_output=True, timeout=60
        )
    finally:
        lock.release()
    assert refused.returncode == 1
    assert refused.stdout == b""
    assert refused.stderr.decode().startswith(f"reader: {db}: is being saved by another reader")
    assert not db.exists()
    done = subprocess.run(argv, input=b"piped\nnote\n", env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [a.body for a in stored(db)[1]] == ["piped\nnote"]


# A database that is not reader's.


@pytest.mark.parametrize("content", [b"{not json", b'{"_default": {}}', b"\xff\xfe"])
@pytest.mark.parametrize("command", [["tag", "x"], ["untag", "x"], ["note", "hi"], ["annotations"]])
def test_a_corrupt_database_is_left_byte_for_byte(
    run: Callable[..., Result], db: Path, article_path: Path, content: bytes, command: list[str]
) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(content)
    args = [command[0], article_path, *command[1:]] if command[0] != "annotations" else command
    result = run(*args)
    assert_one_line_failure(result)
    assert result.err.startswith(f"reader: {db}: ")
    assert db.read_bytes() == content


# Listing.


def fill(db: Path, article_path: Path) -> None:
    """Tags, a note, a passage note, a highlight and a correction, as the app makes them."""
    article = ref(article_path)
    with AnnotationStore(db) as store:
        store.add_tags(article, ["economy", "vote"])
        store.add_note(article, "First line\nsecond line\n")
        store.add_note(article, "Who?", TARGET)
        store.add_highlight(article, TARGET)
        store.add_correction(
            article,
            TARGET,
            {"action": "relabel", "label": "PERSON", "scope": "article", "text": "the Chancellor"},
        )


def test_annotations_lists_everything_as_text(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    fill(db, article_path)
    result = run("annotations")
    assert result.code == 0 and result.err == ""
    assert result.out == textwrap.dedent(f"""\
        The budget vote
          path: {article_path}
          sha256: {ref(article_path).sha256}
          tags: economy, vote
          notes:
            - First line
              second line
            - on “the Chancellor” [anchored]: Who?
          highlights:
            - “the Chancellor” [anchored]
          corrections:
            - relabel “the Chancellor” as PERSON (article) [anchored]
        """)


def test_annotations_json_round_trips_what_is_stored(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    fill(db, article_path)
    result = run("annotations", "--format", "json")
    assert result.code == 0 and result.err == ""
    document = json.loads(result.out)
    assert document["database"] == str(db)
    articles, annotations = stored(db)
    (listed,) = document["articles"]
    assert list(listed) == [
        *("title", "path", "sha256", "tags", "read", "notes", "highlights", "corrections")
    ]
    assert {key: listed[key] for key in ("path", "sha256", "title", "tags")} == articles[0]
    assert listed["read"] is False
    assert document["views"] == []
    kinds = {"note": "notes", "highlight": "highlights", "correction": "corrections"}
    for annotation in annotations:
        assert annotation in [Annotation.from_document(d) for d in listed[kinds[annotation.kind]]]
    assert sum(len(listed[section]) for section in kinds.values()) == len(annotations)
    assert run("annotations", "--format", "json").out == result.out  # stable


def test_annotations_json_sorts_the_keys_of_stored_selectors(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    # Selectors are stored as the app hands them over; the listing must not depend on it.
    backwards = {
        "quote": {"suffix": " said", "prefix": "", "exact": "the Chancellor"},
        "position": {"end": 31, "start": 17},
    }
    with AnnotationStore(db) as store:
        store.add_highlight(ref(article_path), backwards)
    out = run("annotations", "--format", "json").out
    (highlight,) = json.loads(out)["articles"][0]["highlights"]
    assert highlight["target"] == backwards
    assert json.dumps(highlight["target"]) == json.dumps(TARGET, sort_keys=True)


def test_annotations_of_an_empty_or_missing_database(run: Callable[..., Result], db: Path) -> None:
    assert run("annotations") == Result(0, f"no annotations in {db}\n", "")
    assert json.loads(run("annotations", "--format", "json").out)["articles"] == []
    assert not db.exists()


def test_annotations_of_paths_match_by_content_and_by_stored_path(
    run: Callable[..., Result], db: Path, tmp_path: Path, article_path: Path
) -> None:
    other = tmp_path / "storm.txt"
    other.write_text("Storm warning\n\nWind.\n", encoding="utf-8")
    run("tag", article_path, "economy")
    run("tag", other, "weather")

    def titles(*paths: Path) -> list[str]:
        result = run("annotations", *paths, "--format", "json")
        assert result.code == 0, result.err
        return [a["title"] for a in json.loads(result.out)["articles"]]

    assert titles(other) == ["Storm warning"]
    # The same text under another name is the same article (content hash).
    copy = tmp_path / "copy.txt"
    copy.write_bytes(other.read_bytes())
    assert titles(copy) == ["Storm warning"]
    # Edited since it was tagged: found by the path stored with it.
    other.write_text("Storm warning\n\nMore wind.\n", encoding="utf-8")
    assert titles(other, article_path) == ["The budget vote", "Storm warning"]
    # Deleted: still found by its stored path, without complaint.
    other.unlink()
    assert run("annotations", other).code == 0
    assert titles(other) == ["Storm warning"]
    # A readable article with nothing stored lists nothing.
    copy.write_text("Nothing stored\n", encoding="utf-8")
    assert titles(copy) == []


def test_annotations_of_a_path_that_is_neither_readable_nor_stored(
    run: Callable[..., Result], db: Path, tmp_path: Path, article_path: Path
) -> None:
    run("tag", article_path, "economy")
    result = run("annotations", article_path, tmp_path / "typo.txt")
    assert result.code == 1
    assert "The budget vote" in result.out
    assert (
        result.err
        == f"reader: {tmp_path / 'typo.txt'}: cannot be read (No such file or directory)\n"
    )


# Hostile text.


def test_hostile_tags_notes_and_titles_reach_no_terminal(
    run: Callable[..., Result], db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.txt"
    path.write_text(f"Title {CONTROLS} end\n\nBody.\n", encoding="utf-8")
    tag = f"tag{CONTROLS}"
    note = f"note {CONTROLS}\nline two {CONTROLS}"
    outputs = [run("tag", path, tag), run("note", path, "-", stdin=note.encode())]
    # A label other than the app's is refused now; a database written before holds any.
    with AnnotationStore(db) as store, pytest.MonkeyPatch.context() as unchecked:
        unchecked.setattr("reader.store.model.check_label", lambda label, **_: label)
        store.add_correction(
            ref(path),
            TARGET | {"quote": {"exact": CONTROLS}},
            {"action": "add", "label": CONTROLS, "scope": "mention", "text": CONTROLS},
        )
        store.add_highlight(ref(path), {"quote": {"exact": f"quote {CONTROLS}"}})
    listing = run("annotations")
    outputs += [listing, run("annotations", path), run("untag", path, tag)]
    for result in outputs:
        assert result.code == 0, result.err
        for control in TERMINAL_CONTROLS:
            assert control not in result.out + result.err
    # The note is stored as typed (escaped in the file); every output shows the visible text.
    assert stored(db)[1][0].body == note
    assert "- note click meredevil iso" in listing.out  # the visible text survives
    assert "tags: tagclick meredevil iso" in listing.out


def test_hostile_text_in_json_is_escaped_and_reads_back_exactly(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    note = f"note {CONTROLS}\u2028\ufeff"
    run("note", article_path, "-", stdin=note.encode())
    result = run("annotations", "--format", "json")
    for control in TERMINAL_CONTROLS:
        assert control not in result.out
    # The store keeps the note as typed; the JSON carries exactly that, escaped.
    assert json.loads(result.out)["articles"][0]["notes"][0]["body"] == note


def test_a_file_name_that_is_not_utf8_does_not_break_the_output(
    run: Callable[..., Result], db: Path, tmp_path: Path
) -> None:
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.txt"))
    path.write_text("Cafe\n\nText.\n", encoding="utf-8")
    assert run("tag", path, "food").code == 0
    text = run("annotations")
    # Shown, not crashed on: the byte as its surrogate's escape (reader.console.safe_path)
    assert text.code == 0 and "caf\\udce9.txt" in text.out
    listed = run("annotations", "--format", "json")
    assert listed.code == 0
    assert json.loads(listed.out)["articles"][0]["path"] == str(path)


# Hygiene.


def test_the_commands_do_not_load_textual() -> None:
    code = (
        "import sys, reader.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_usage_errors_exit_2(run: Callable[..., Result], article_path: Path) -> None:
    assert run("tag", article_path).code == 2  # no tag
    assert run("tag", article_path, "x", "--wait", "-1").code == 2
    assert run("annotations", "--format", "xml").code == 2


# After the files change: states, new paths, shared content.


def test_annotations_show_each_passage_state_in_the_text_now(
    run: Callable[..., Result], db: Path, article_path: Path
) -> None:
    fill(db, article_path)
    article_path.write_text(
        "# The budget vote\n\nA paragraph first.\n\nthe Chancellor said on Monday.\n", "utf-8"
    )
    result = run("annotations", article_path)
    assert result.code == 0
    assert "changed on disk" in result.err  # recorded as the app does when it opens it
    assert "- on “the Chancellor” [moved]: Who?" in result.out
    assert f"sha256: {ref(article_path).sha256}" in result.out
    document = json.loads(run("annotations", "--format", "json").out)
    [highlight] = document["articles"][0]["highlights"]
    assert highlight["state"] == "moved"
    position = highlight["target"]["position"]
    now = read_article(article_path)
    assert isinstance(now, Article)
    assert now.text[position["start"] : position["end"]] == "the Chancellor"
    # The passage gone: an orphan has its quote and no position.
    article_path.write_text("# The budget vote\n\nNobody said anything.\n", "utf-8")
    document = json.loads(run("annotations", article_path, "--format", "json").out)
    [highlight] = document["articles"][0]["highlights"]
    assert highlight["state"] == "orphaned" and set(highlight["target"]) == {"quote"}
    # The file gone: the stored positions, unverified.
    article_path.unlink()
    listing = run("annotations", article_path).out
    assert "- “the Chancellor” [unverified]" in listing


def test_a_renamed_file_gets_its_new_path_in_the_database(
    run: Callable[..., Result], db: Path, tmp_path: Path, article_path: Path
) -> None:
    run("tag", article_path, "economy")
    moved = tmp_path / "b" / "renamed.md"
    moved.parent.mkdir()
    article_path.rename(moved)
    result = run("annotations", moved)
    assert result.code == 0
    assert (
        result.err
        == f"reader: “The budget vote” is now at {moved} (the database had {article_path})\n"
    )
    assert f"  path: {moved}\n" in result.out and "database has it" not in result.out
    assert stored(db)[0][0]["path"] == str(moved)


def test_shared_content_is_reported_under_the_path_asked_for(
    run: Callable[..., Result], db: Path, tmp_path: Path, article_path: Path
) -> None:
    run("tag", article_path, "economy")
    twin = tmp_path / "tech" / "036.md"
    twin.parent.mkdir()
    twin.write_bytes(article_path.read_bytes())
    result = run("annotations", twin)
    assert result.code == 0 and result.err == ""
    assert f"  path: {twin}\n" in result.out
    assert f"  same text as: {article_path} (the two share these annotations)\n" in result.out
    [listed] = json.loads(run("annotations", twin, "--format", "json").out)["articles"]
    assert (listed["path"], listed["stored_path"], listed["shared"]) == (
        str(twin),
        str(article_path),
        True,
    )
    assert stored(db)[0][0]["path"] == str(article_path)  # shared: nothing to update


def test_opening_an_edited_article_that_is_only_read_relinks_its_reading_state(
    db: Path, article_path: Path
) -> None:
    from reader.annotations import load

    before = read_article(article_path)
    assert isinstance(before, Article)
    with AnnotationStore(db) as store:
        store.set_read(ref(article_path), True)
        store.set_position(ref(article_path), 5)
    article_path.write_text("# The budget vote\n\nthe Chancellor said on Tuesday.\n", "utf-8")
    after = read_article(article_path)
    assert isinstance(after, Article)
    with AnnotationStore(db) as store:
        load(store, after)
        assert store.is_read(after.sha256) and store.position(after.sha256) == 5
        assert not store.is_read(before.sha256)


def test_opening_a_moved_article_records_its_new_path_once(
    db: Path, tmp_path: Path, article_path: Path
) -> None:
    from reader.annotations import load

    with AnnotationStore(db) as store:
        store.add_note(ref(article_path), "Check", TARGET)
        store.set_read(ref(article_path), True)
    moved = tmp_path / "renamed.md"
    article_path.rename(moved)
    article = read_article(moved)
    assert isinstance(article, Article)
    with AnnotationStore(db) as store:
        loaded = load(store, article)
        assert loaded.moved_from == str(article_path)
        assert [item.state for item in loaded.items] == ["anchored"]
        assert store.articles()[0]["path"] == str(moved)
        assert [r.path for r in store.reading()] == [str(moved)]
        assert [a.article_path for a in store.annotations()] == [str(moved)]
        assert load(store, article).moved_from is None


def test_an_edited_article_with_a_reading_position_still_gets_its_annotations(
    db: Path, article_path: Path
) -> None:
    from reader.annotations import load

    with AnnotationStore(db) as store:
        store.add_note(ref(article_path), "Check", TARGET)
    article_path.write_text("# The budget vote\n\nthe Chancellor said on Friday.\n", "utf-8")
    after = read_article(article_path)
    assert isinstance(after, Article)
    with AnnotationStore(db) as store:
        store.set_position(ref(article_path), 3)  # the new text was left somewhere first
        loaded = load(store, after)
        assert [item.state for item in loaded.items] == ["anchored"]
        assert loaded.relinked == 1 and store.position(after.sha256) == 3


def test_annotations_lists_read_marks_and_saved_views(
    run: Callable[..., Result], db: Path, tmp_path: Path, article_path: Path
) -> None:
    fill(db, article_path)
    only_read = tmp_path / "storm.txt"
    only_read.write_text("Storm warning\n\nWind.\n", encoding="utf-8")
    with AnnotationStore(db) as store:
        store.set_read(ref(article_path), True)
        store.set_read(ref(only_read), True)  # read, and nothing else
        store.save_view("Ministers", "minister sort:-title")
    text = run("annotations").out
    assert "  tags: economy, vote\n  marked read\n" in text
    assert "Storm warning\n" in text
    assert text.endswith("saved views:\n  - Ministers: minister sort:-title\n")
    document = json.loads(run("annotations", "--format", "json").out)
    assert [a["read"] for a in document["articles"]] == [True, True]
    assert document["articles"][1]["title"] == "Storm warning"
    assert document["views"] == [{"name": "Ministers", "query": "minister sort:-title"}]
    # Asked for one article: its read mark, and no views (they belong to no article).
    one = json.loads(run("annotations", only_read, "--format", "json").out)
    assert [a["read"] for a in one["articles"]] == [True] and "views" not in one


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_annotations_are_printed_as_each_article_is_read(
    run: Callable[..., Result],
    db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    # 100,000 annotations listed at once took ~860 MB: each article's are read from the
    # store when it is printed, after the articles before it are on stdout; the JSON is
    # still the bytes of the whole document's dumps (a view, a hostile note, a read mark).
    from reader.console import dumps

    paths = []
    for number, title in enumerate(("Alpha vote", "Beta vote", "Gamma vote")):
        path = tmp_path / f"article-{number}.md"
        path.write_text(f"# {title}\n\nthe Chancellor said on Monday.\n", encoding="utf-8")
        paths.append(path)
        fill(db, path)
    with AnnotationStore(db) as store:
        store.add_note(ref(paths[1]), "odd \x1b[31m \u2028 \ud800 note")
        store.set_read(ref(paths[2]), True)
        store.save_view("Votes", "vote")
    printed: list[tuple[str | None, int]] = []
    real = AnnotationStore.annotations

    def spy(self: AnnotationStore, sha256: str | None = None, kind: str | None = None) -> Any:
        printed.append((sha256, len(sys.stdout.getvalue())))  # type: ignore[attr-defined]
        return real(self, sha256, kind)

    monkeypatch.setattr(AnnotationStore, "annotations", spy)
    result = run("annotations", "--format", fmt)
    assert result.code == 0 and result.err == ""
    assert [sha256 for sha256, _ in printed] == [ref(path).sha256 for path in paths]
    lengths = [length for _, length in printed]
    assert lengths == sorted(set(lengths))  # something printed between two reads
    if fmt == "json":
        document = json.loads(result.out)
        assert result.out == dumps(document) + "\n"
        assert [a["title"] for a in document["articles"]] == [
            "Alpha vote",
            "Beta vote",
            "Gamma vote",
        ]
        assert document["views"] == [{"name": "Votes", "query": "vote"}]
    else:
        assert result.out.count("The budget vote") == 0 and "saved views:" in result.out
