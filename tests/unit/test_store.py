"""AnnotationStore against real TinyDB files in tmp_path: the API, undo, locks, bad files."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import random
import re
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader import files
from reader.store import (
    SCHEMA_VERSION,
    Annotation,
    AnnotationStore,
    ArticleRef,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    StoreReadOnly,
    model,
    schema,
)
from reader.store.lock import WriteLock
from reader.store.storage import DocumentTable, DurableStorage
from reader.text import sanitize_line

ARTICLE = ArticleRef("articles/budget.md", "a" * 64, "The budget vote")
OTHER = ArticleRef("articles/storm.md", "b" * 64, "Storm warning")
TARGET: dict[str, Any] = {
    "position": {"start": 10, "end": 22},
    "quote": {"exact": "the Chancellor", "prefix": "said ", "suffix": " on Monday"},
}
GLOBAL_FIX: dict[str, Any] = {
    "action": "relabel",
    "label": "ORG",
    "scope": "global",
    "text": "Apple",
}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "annotations.json"


@pytest.fixture
def store(path: Path) -> Iterator[AnnotationStore]:
    with AnnotationStore(path) as opened:
        yield opened


def reopen(store: AnnotationStore, **kwargs: Any) -> AnnotationStore:
    store.close()
    return AnnotationStore(store.path, **kwargs)


def snapshot(store: AnnotationStore) -> tuple[Any, ...]:
    """Everything a caller can see, for comparing two states."""
    return (store.annotations(), store.articles(), store.all_tags())


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# Opening and creating.


def test_a_missing_file_is_created_with_its_folders_on_the_first_change(path: Path) -> None:
    with AnnotationStore(path) as store:
        assert not path.exists()
        assert store.annotations() == [] and store.articles() == []
        assert store.schema_version() == SCHEMA_VERSION
        store.add_tags(ARTICLE, ["budget"])
        data = json.loads(path.read_text(encoding="utf-8"))
    assert data["meta"] == {"1": {"format": "reader-annotations", "schema_version": SCHEMA_VERSION}}
    assert data["articles"]["1"]["tags"] == ["budget"]


def test_an_empty_file_is_a_new_database(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    with AnnotationStore(path) as store:
        assert store.annotations() == []
        store.add_note(ARTICLE, "first")
    with AnnotationStore(path) as store:
        assert [a.body for a in store.annotations()] == ["first"]


def test_the_file_is_compact_utf8_json(store: AnnotationStore) -> None:
    store.add_note(ARTICLE, "Café — “quoted” 東京")
    raw = store.path.read_bytes()
    assert "Café — “quoted” 東京".encode() in raw
    assert b"\n" not in raw and b", " not in raw


def test_a_closed_store_refuses_to_work(store: AnnotationStore) -> None:
    store.close()
    store.close()  # closing twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.annotations()
    with pytest.raises(StoreError, match="closed"):
        store.add_note(ARTICLE, "late")


# Tags.


def test_add_tags_strips_keeps_case_and_ignores_case_insensitive_repeats(
    store: AnnotationStore,
) -> None:
    assert store.add_tags(ARTICLE, [" Politics ", "EU", "politics", "eu "]) == ["Politics", "EU"]
    assert store.add_tags(ARTICLE, ["POLITICS", "Budget"]) == ["Budget"]
    assert store.add_tags(ARTICLE, ["budget"]) == []
    assert store.tags(ARTICLE.sha256) == ["Politics", "EU", "Budget"]
    assert store.tags(OTHER.sha256) == []


def test_an_empty_tag_is_refused_and_nothing_is_written(store: AnnotationStore) -> None:
    store.add_tags(ARTICLE, ["kept"])
    before = store.path.read_bytes()
    with pytest.raises(ValueError, match="empty"):
        store.add_tags(ARTICLE, ["fine", "   "])
    with pytest.raises(TypeError):
        store.add_tags(ARTICLE, "politics")  # a string is not a list of tags
    with pytest.raises(ValueError):
        store.remove_tags(ARTICLE, [""])
    assert store.path.read_bytes() == before
    assert store.tags(ARTICLE.sha256) == ["kept"]


def test_tags_keep_the_articles_path_and_title_up_to_date(store: AnnotationStore) -> None:
    store.add_tags(ARTICLE, ["a"])
    moved = ArticleRef("elsewhere/budget.md", ARTICLE.sha256, "The budget vote, updated")
    store.add_tags(moved, ["b"])
    assert store.articles() == [
        {
            "path": "elsewhere/budget.md",
            "sha256": ARTICLE.sha256,
            "title": "The budget vote, updated",
            "tags": ["a", "b"],
        }
    ]


def test_remove_tags_matches_case_insensitively(store: AnnotationStore) -> None:
    store.add_tags(ARTICLE, ["Politics", "EU", "Budget"])
    assert store.remove_tags(ARTICLE, ["politics", "missing", "eu"]) == ["Politics", "EU"]
    assert store.tags(ARTICLE.sha256) == ["Budget"]
    assert store.remove_tags(OTHER, ["Budget"]) == []


def test_an_article_with_no_tags_and_no_annotations_is_forgotten(store: AnnotationStore) -> None:
    store.add_tags(ARTICLE, ["x"])
    store.add_tags(OTHER, ["y"])
    note = store.add_note(OTHER, "keep me")
    store.remove_tags(ARTICLE, ["x"])
    store.remove_tags(OTHER, ["y"])
    assert [a["sha256"] for a in store.articles()] == [OTHER.sha256]
    store.delete(note.id)
    assert store.articles() == []


def test_rename_tag_everywhere_merging_with_an_existing_tag(store: AnnotationStore) -> None:
    store.add_tags(ARTICLE, ["europe", "Budget"])
    store.add_tags(OTHER, ["EU", "Europe"])
    store.add_tags(ArticleRef("c.md", "c" * 64, "C"), ["weather"])
    assert store.rename_tag("Europe", "EU") == 2
    assert store.tags(ARTICLE.sha256) == ["EU", "Budget"]
    assert store.tags(OTHER.sha256) == ["EU"]
    assert store.rename_tag("nothing", "else") == 0
    assert store.rename_tag("eu", "EU") == 0  # already spelled that way everywhere
    with pytest.raises(ValueError):
        store.rename_tag("EU", "  ")


def test_rename_tag_can_change_case(store: AnnotationStore) -> None:
    store.add_tags(ARTICLE, ["eu"])
    assert store.rename_tag("EU", "EU") == 1
    assert store.tags(ARTICLE.sha256) == ["EU"]
    assert store.rename_tag("eu", "EU") == 0


def test_all_tags_most_used_first_case_variants_counted_together(
    store: AnnotationStore,
) -> None:
    store.add_tags(ARTICLE, ["politics", "zebra"])
    store.add_tags(OTHER, ["Politics", "budget"])
    store.add_tags(ArticleRef("c.md", "c" * 64, "C"), ["politics", "Budget"])
    assert store.all_tags() == ["politics", "budget", "zebra"]


# Annotations.


def test_add_note_highlight_and_correction(store: AnnotationStore) -> None:
    note = store.add_note(ARTICLE, "Check this *claim*", TARGET)
    article_note = store.add_note(ARTICLE, "About the whole article")
    highlight = store.add_highlight(ARTICLE, TARGET)
    fix = store.add_correction(OTHER, TARGET, GLOBAL_FIX)
    assert note.kind == "note" and note.body == "Check this *claim*" and note.target == TARGET
    assert article_note.target is None
    assert highlight.kind == "highlight" and highlight.body == ""
    assert fix.kind == "correction" and fix.correction == GLOBAL_FIX
    assert (note.article_sha256, note.article_path) == (ARTICLE.sha256, ARTICLE.path)
    assert re.fullmatch(r"[0-9a-f]{32}", note.id)
    assert ISO_UTC.match(note.created) and note.modified == note.created
    assert len({note.id, article_note.id, highlight.id, fix.id}) == 4
    assert store.annotations() == [note, article_note, highlight, fix]


def test_annotations_filter_by_article_and_kind(store: AnnotationStore) -> None:
    note = store.add_note(ARTICLE, "n")
    highlight = store.add_highlight(ARTICLE, TARGET)
    other = store.add_note(OTHER, "o")
    assert store.annotations(ARTICLE.sha256) == [note, highlight]
    assert store.annotations(kind="note") == [note, other]
    assert store.annotations(ARTICLE.sha256, "highlight") == [highlight]
    assert store.annotations("f" * 64) == []
    with pytest.raises(ValueError):
        store.annotations(kind="bookmark")


def test_targets_and_corrections_are_checked(store: AnnotationStore) -> None:
    with pytest.raises(TypeError):
        store.add_highlight(ARTICLE, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.add_note(ARTICLE, 42)  # type: ignore[arg-type]
    bad = [
        {**GLOBAL_FIX, "action": "rename"},
        {**GLOBAL_FIX, "scope": "planet"},
        {**GLOBAL_FIX, "label": None},
        {**GLOBAL_FIX, "text": None},
        {**GLOBAL_FIX, "label": "BAR"},  # not a label the app knows (colours, legend, search)
        {**GLOBAL_FIX, "action": "add", "label": "BAR"},
    ]
    for correction in bad:
        with pytest.raises(ValueError):
            store.add_correction(ARTICLE, TARGET, correction)
    removal = store.add_correction(
        ARTICLE, TARGET, {"action": "remove", "scope": "mention", "text": "Apple"}
    )
    assert removal.correction == {
        "action": "remove",
        "scope": "mention",
        "text": "Apple",
        "label": None,
    }
    assert store.annotations() == [removal]
    assert store.add_correction(ARTICLE, TARGET, {**GLOBAL_FIX, "label": "org"}).correction == {
        **GLOBAL_FIX,
        "label": "ORG",
    }


def test_global_corrections(store: AnnotationStore) -> None:
    store.add_correction(ARTICLE, TARGET, {**GLOBAL_FIX, "scope": "article"})
    rule = store.add_correction(OTHER, TARGET, GLOBAL_FIX)
    store.add_note(ARTICLE, "not a correction")
    assert store.global_corrections() == [rule]


def test_update_changes_body_and_target_and_modified(
    store: AnnotationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model, "utc_now", lambda: "2026-11-27T11:00:00Z")
    note = store.add_note(ARTICLE, "draft", TARGET)
    monkeypatch.setattr(model, "utc_now", lambda: "2026-11-28T09:30:00Z")
    moved = {**TARGET, "position": {"start": 40, "end": 52}}
    updated = store.update(note.id, body="final", target=moved)
    assert (updated.body, updated.target) == ("final", moved)
    assert (updated.created, updated.modified) == ("2026-11-27T11:00:00Z", "2026-11-28T09:30:00Z")
    assert store.update(note.id, body="again") == dataclasses.replace(updated, body="again")
    assert reopen(store).annotations()[0].body == "again"


def test_update_a_correction(store: AnnotationStore) -> None:
    fix = store.add_correction(ARTICLE, TARGET, GLOBAL_FIX)
    note = store.add_note(ARTICLE, "n")
    changed = store.update(fix.id, correction={**GLOBAL_FIX, "label": "PRODUCT"})
    assert changed.correction == {**GLOBAL_FIX, "label": "PRODUCT"}
    assert store.global_corrections() == [changed]
    with pytest.raises(ValueError, match="no correction"):
        store.update(note.id, correction=GLOBAL_FIX)
    with pytest.raises(ValueError):
        store.update(fix.id, correction={**GLOBAL_FIX, "scope": "galaxy"})
    assert store.undo() == f"edited correction in “{ARTICLE.title}”"
    assert store.annotations(kind="correction") == [fix]


def test_an_article_ref_must_hold_strings(store: AnnotationStore) -> None:
    bad = ArticleRef(Path("articles/a.md"), "a" * 64, "A")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path"):
        store.add_note(bad, "n")
    with pytest.raises(TypeError, match="path"):
        store.add_tags(bad, ["t"])
    assert store.annotations() == [] and store.articles() == []
    assert not store.path.exists()


def test_update_without_a_change_changes_nothing(store: AnnotationStore) -> None:
    note = store.add_note(ARTICLE, "same", TARGET)
    before = store.path.read_bytes()
    assert store.update(note.id, body="same", target=TARGET) == note
    assert store.update(note.id) == note
    assert store.path.read_bytes() == before
    assert store.undo() == f"added note on “{ARTICLE.title}”"


def test_update_and_delete_of_an_unknown_id(store: AnnotationStore) -> None:
    with pytest.raises(KeyError):
        store.update("nope", body="x")
    with pytest.raises(KeyError):
        store.delete("nope")


def test_delete_returns_the_annotation(store: AnnotationStore) -> None:
    first = store.add_note(ARTICLE, "first")
    second = store.add_highlight(ARTICLE, TARGET)
    assert store.delete(first.id) == first
    assert store.annotations() == [second]
    assert reopen(store).annotations() == [second]


def test_returned_annotations_do_not_share_state_with_the_store(store: AnnotationStore) -> None:
    target = json.loads(json.dumps(TARGET))
    note = store.add_note(ARTICLE, "n", target)
    target["position"]["start"] = 999
    assert note.target is not None
    note.target["position"]["start"] = 555
    store.annotations()[0].target["position"]["start"] = 777  # type: ignore[index]
    store.articles()[0]["tags"].append("sneaky")
    assert store.annotations()[0].target == TARGET
    assert store.tags(ARTICLE.sha256) == []
    assert json.loads(store.path.read_bytes())["annotations"]["1"]["target"] == TARGET


def test_tags_lose_control_sequences_and_notes_keep_what_was_typed(
    store: AnnotationStore,
) -> None:
    # A tag is a name, matched and shown everywhere: cleaned on the way in. A note is
    # kept as typed (JSON escapes it in the file); every display sanitises it.
    nasty = "[b]markup[/b] \x1b[31mred\x1b[0m \x00 \u202e <script>\x1b]52;c;ZXZpbA==\x07"
    store.add_tags(ARTICLE, [f"  {nasty}  "])
    store.add_note(ARTICLE, f"{nasty}\nline two")
    store = reopen(store)
    assert store.tags(ARTICLE.sha256) == ["[b]markup[/b] red <script>"]
    assert store.annotations()[0].body == f"{nasty}\nline two"
    assert b"\x1b" not in store.path.read_bytes() and b"\x07" not in store.path.read_bytes()


def test_lone_surrogates_from_undecodable_file_names_round_trip(store: AnnotationStore) -> None:
    odd = ArticleRef("articles/caf\udce9.md", "e" * 64, "Caf\udce9")
    store.add_note(odd, "body \udcff")
    store = reopen(store)
    assert store.annotations()[0].article_path == "articles/caf\udce9.md"
    assert store.annotations()[0].body == "body \udcff"  # kept; shown as U+FFFD
    assert store.articles()[0]["title"] == "Caf\udce9"


def test_articles_lists_every_article_with_tags_or_annotations(store: AnnotationStore) -> None:
    store.add_note(ARTICLE, "n")
    store.add_tags(OTHER, ["storm"])
    assert store.articles() == [
        {"path": ARTICLE.path, "sha256": ARTICLE.sha256, "title": ARTICLE.title, "tags": []},
        {"path": OTHER.path, "sha256": OTHER.sha256, "title": OTHER.title, "tags": ["storm"]},
    ]


# Relinking.


def test_relink_moves_annotations_and_merges_tags(store: AnnotationStore) -> None:
    note = store.add_note(ARTICLE, "n", TARGET)
    highlight = store.add_highlight(ARTICLE, TARGET)
    store.add_tags(ARTICLE, ["budget", "Vote"])
    edited = ArticleRef(ARTICLE.path, "9" * 64, "The budget vote (corrected)")
    store.add_tags(edited, ["vote", "new"])
    untouched = store.add_note(OTHER, "o")
    assert store.relink(ARTICLE.sha256, edited) == 2
    moved = store.annotations(edited.sha256)
    assert moved == [
        dataclasses.replace(a, article_sha256=edited.sha256) for a in (note, highlight)
    ]
    assert store.annotations(ARTICLE.sha256) == []
    assert store.tags(edited.sha256) == ["vote", "new", "budget"]
    assert [a["sha256"] for a in store.articles()] == [edited.sha256, OTHER.sha256]
    assert store.annotations(OTHER.sha256) == [untouched]
    assert store.relink("0" * 64, edited) == 0


def test_relink_to_the_same_hash_updates_the_path(store: AnnotationStore) -> None:
    store.add_note(ARTICLE, "n")
    renamed = ArticleRef("renamed.md", ARTICLE.sha256, ARTICLE.title)
    assert store.relink(ARTICLE.sha256, renamed) == 1
    assert store.annotations()[0].article_path == "renamed.md"
    assert store.articles()[0]["path"] == "renamed.md"


# Persistence and undo.


def test_everything_survives_close_and_reopen(store: AnnotationStore) -> None:
    store.add_tags(ARTICLE, ["budget", "EU"])
    store.add_note(ARTICLE, "n", TARGET)
    store.add_highlight(OTHER, TARGET)
    store.add_correction(OTHER, TARGET, GLOBAL_FIX)
    note = store.add_note(OTHER, "to edit")
    store.update(note.id, body="edited")
    store.rename_tag("EU", "Europe")
    before = snapshot(store)
    assert snapshot(reopen(store)) == before


def test_undo_reverts_each_kind_of_change_durably(store: AnnotationStore) -> None:
    states = [snapshot(store)]
    store.add_tags(ARTICLE, ["budget", "EU"])
    states.append(snapshot(store))
    note = store.add_note(ARTICLE, "n", TARGET)
    states.append(snapshot(store))
    highlight = store.add_highlight(OTHER, TARGET)
    states.append(snapshot(store))
    store.add_correction(OTHER, TARGET, GLOBAL_FIX)
    states.append(snapshot(store))
    store.update(note.id, body="edited")
    states.append(snapshot(store))
    store.remove_tags(ARTICLE, ["eu"])
    states.append(snapshot(store))
    store.rename_tag("budget", "money")
    states.append(snapshot(store))
    store.delete(highlight.id)
    descriptions = []
    for expected in reversed(states):
        description = store.undo()
        assert description is not None and "\n" not in description
        descriptions.append(description)
        assert snapshot(store) == expected
        # Undo is durable: what is on disk is the undone state.
        with AnnotationStore(store.path, read_only=True) as reader:
            assert snapshot(reader) == expected
    assert store.undo() is None
    assert descriptions == [
        "deleted highlight in “Storm warning”",
        "renamed tag “budget” to “money” on 1 article",
        "removed tag “EU” from “The budget vote”",
        "edited note on “The budget vote”",
        "added correction in “Storm warning”",
        "added highlight in “Storm warning”",
        "added note on “The budget vote”",
        "added tags “budget”, “EU” to “The budget vote”",
    ]


def test_undo_brings_back_an_article_forgotten_by_the_change(store: AnnotationStore) -> None:
    # One change touches the article twice (tags emptied, then the article dropped):
    # undo must restore it as it was before the change, not in between.
    store.add_tags(OTHER, ["storm"])
    store.add_tags(ARTICLE, ["budget", "vote"])
    before = snapshot(store)
    store.remove_tags(ARTICLE, ["budget", "vote"])
    assert [a["sha256"] for a in store.articles()] == [OTHER.sha256]
    store.undo()
    assert snapshot(store) == before
    # Relinking (the app does it on opening an edited article) is not the user's change:
    # it is not undone, and it clears what came before (recorded against the old hash).
    edited = ArticleRef(ARTICLE.path, "9" * 64, "Edited")
    store.relink(ARTICLE.sha256, edited)
    assert store.tags(edited.sha256) == ["budget", "vote"]
    assert store.undo() is None
    assert store.tags(edited.sha256) == ["budget", "vote"]


def test_undo_restores_creation_order_after_a_delete(store: AnnotationStore) -> None:
    notes = [store.add_note(ARTICLE, str(i)) for i in range(3)]
    store.delete(notes[0].id)
    store.undo()
    assert store.annotations() == notes
    later = store.add_note(ARTICLE, "later")
    assert reopen(store).annotations() == [*notes, later]


def test_undo_only_covers_changes_made_through_this_store(store: AnnotationStore) -> None:
    store.add_note(ARTICLE, "n")
    store = reopen(store)
    assert store.undo() is None
    assert len(store.annotations()) == 1


def test_undo_of_a_rename_over_many_articles(store: AnnotationStore) -> None:
    refs = [ArticleRef(f"{i}.md", f"{i:064x}", f"A{i}") for i in range(30)]
    for ref in refs:
        store.add_tags(ref, ["old", "keep"])
    store.add_tags(refs[0], ["New"])
    before = snapshot(store)
    assert store.rename_tag("old", "new") == 30
    assert store.tags(refs[0].sha256) == ["new", "keep"]  # the new spelling wins
    store.undo()
    assert snapshot(store) == before


# Read-only stores and locks.


def test_read_only_refuses_every_change_and_writes_nothing(store: AnnotationStore) -> None:
    note = store.add_note(ARTICLE, "n")
    store.close()
    before = store.path.read_bytes()
    with AnnotationStore(store.path, read_only=True) as reader:
        assert reader.read_only
        changes = [
            lambda: reader.add_tags(ARTICLE, ["x"]),
            lambda: reader.remove_tags(ARTICLE, ["x"]),
            lambda: reader.rename_tag("a", "b"),
            lambda: reader.add_note(ARTICLE, "x"),
            lambda: reader.add_highlight(ARTICLE, TARGET),
            lambda: reader.add_correction(ARTICLE, TARGET, GLOBAL_FIX),
            lambda: reader.update(note.id, body="x"),
            lambda: reader.delete(note.id),
            lambda: reader.relink(ARTICLE.sha256, OTHER),
            lambda: reader.undo(),
        ]
        for change in changes:
            with pytest.raises(StoreReadOnly, match="read-only") as refused:
                change()
            assert str(refused.value).startswith(f"{store.path}: ")
        assert reader.annotations() == [note]
    assert store.path.read_bytes() == before


def test_read_only_on_a_missing_file_creates_nothing(path: Path) -> None:
    with AnnotationStore(path, read_only=True) as reader:
        assert reader.annotations() == []
    assert not path.parent.exists()


def test_a_reader_sees_what_the_writer_saves(store: AnnotationStore) -> None:
    with AnnotationStore(store.path, read_only=True) as reader:
        assert reader.annotations() == []
        note = store.add_note(ARTICLE, "n")
        assert reader.annotations() == [note]
        store.add_tags(ARTICLE, ["t"])
        assert reader.tags(ARTICLE.sha256) == ["t"]


def test_a_second_writer_writes_in_turn_while_the_first_is_open(store: AnnotationStore) -> None:
    first = store.add_note(ARTICLE, "from the first")
    with AnnotationStore(store.path) as second:
        assert second.annotations() == [first]
        note = second.add_note(ARTICLE, "now it is mine too")
    assert store.refresh()
    assert store.annotations() == [first, note]
    store.add_note(ARTICLE, "and the first again")
    assert [a.body for a in reopen(store).annotations()] == [
        "from the first",
        "now it is mine too",
        "and the first again",
    ]


def test_store_locked_only_while_a_save_holds_the_lock(store: AnnotationStore) -> None:
    lock = WriteLock.acquire(store.path)  # another writer in the middle of a save
    try:
        with pytest.raises(StoreLocked) as refused:
            store.add_note(ARTICLE, "not now")
        message = str(refused.value)
        assert message.startswith(f"{store.path}: ") and "\n" not in message
        assert "being saved by another reader" in message and "--wait" in message
        assert refused.value.brief == f"is being saved by another reader (process {os.getpid()})"
        assert store.annotations() == []
    finally:
        lock.release()
    store.add_note(ARTICLE, "now")


def test_wait_for_a_writer_in_another_thread_to_finish_its_save(store: AnnotationStore) -> None:
    lock = WriteLock.acquire(store.path)
    timer = threading.Timer(0.3, lock.release)
    timer.start()
    with AnnotationStore(store.path, wait=10) as second:
        second.add_note(ARTICLE, "after the wait")
    timer.join()
    with pytest.raises(ValueError):
        AnnotationStore(store.path, wait=-1)


def test_threads_sharing_one_store_lose_nothing(store: AnnotationStore) -> None:
    def add(label: str) -> None:
        for i in range(15):
            store.add_note(ARTICLE, f"{label} {i}")

    threads = [threading.Thread(target=add, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reopen(store).annotations()) == 60


def test_a_change_by_another_program_is_kept_and_the_next_change_goes_on_top(
    store: AnnotationStore,
) -> None:
    store.add_note(ARTICLE, "mine")
    data = json.loads(store.path.read_bytes())
    data["annotations"]["1"]["body"] = "edited by hand"
    store.path.write_text(json.dumps(data), encoding="utf-8")  # in place, no lock
    store.add_note(ARTICLE, "on top of the edit")
    with AnnotationStore(store.path, read_only=True) as reader:
        assert [a.body for a in reader.annotations()] == ["edited by hand", "on top of the edit"]
    assert store.undo() is not None  # the note on top
    with pytest.raises(StoreError, match="changed since by another reader or program"):
        store.undo()  # "mine" was edited since: undoing it would throw the edit away
    assert [a.body for a in reopen(store).annotations()] == ["edited by hand"]


def test_a_symlinked_database_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "synced" / "annotations.json"
    link = tmp_path / "config" / "annotations.json"
    real.parent.mkdir()
    link.parent.mkdir()
    link.symlink_to(real)
    (real.parent / ".annotations.json.stale.tmp").write_text("half a save")
    with AnnotationStore(link) as store:
        store.add_note(ARTICLE, "through the link")
        lock = WriteLock.acquire(link)
        try:
            with pytest.raises(StoreLocked):
                AnnotationStore(real).add_note(ARTICLE, "x")  # one lock for both names
        finally:
            lock.release()
    assert link.is_symlink()
    assert json.loads(real.read_bytes())["annotations"]["1"]["body"] == "through the link"
    assert temp_files(real.parent) == []


def test_a_folder_in_place_of_the_file_is_a_store_error(path: Path) -> None:
    path.mkdir(parents=True)
    with pytest.raises(StoreError) as refused:
        AnnotationStore(path)
    assert str(refused.value).startswith(f"{path}: could not be read")


# Bad files.

CORRUPT_FILES = {
    "not json": b"this is not json",
    "truncated": b'{"meta":{"1":{"format":"reader-annotations","schema_version":1}},"annot',
    "not utf-8": b'{"meta": "\xff\xfe"}',
    "whitespace": b"  \n",
    "a list": b"[1, 2, 3]",
    "empty object": b"{}",
    "another tinydb app": b'{"_default": {"1": {"name": "x"}}}',
    "no format marker": b'{"meta": {"1": {"schema_version": 1}}}',
    "bad version": b'{"meta": {"1": {"format": "reader-annotations", "schema_version": "1"}}}',
    "unknown table": (
        b'{"meta": {"1": {"format": "reader-annotations", "schema_version": 1}}, "bookmarks": {}}'
    ),
    "bad annotation": (
        b'{"meta": {"1": {"format": "reader-annotations", "schema_version": 1}},'
        b' "annotations": {"1": {"id": "x"}}}'
    ),
    "bad tags": (
        b'{"meta": {"1": {"format": "reader-annotations", "schema_version": 1}},'
        b' "articles": {"1": {"sha256": "a", "path": "p", "title": "t", "tags": "x"}}}'
    ),
    "nan": (
        b'{"meta": {"1": {"format": "reader-annotations", "schema_version": 1}},'
        b' "annotations": {"1": {"id": "x", "kind": "note", "article_sha256": "a",'
        b' "article_path": "p", "created": "c", "modified": "m", "body": "",'
        b' "target": {"position": {"start": NaN}}, "correction": null}}}'
    ),
    "newer version": b'{"meta": {"1": {"format": "reader-annotations", "schema_version": 99}}}',
}


@pytest.mark.parametrize("read_only", [False, True], ids=["writable", "read-only"])
@pytest.mark.parametrize("content", CORRUPT_FILES.values(), ids=CORRUPT_FILES.keys())
def test_a_bad_file_is_refused_by_name_and_left_untouched(
    path: Path, content: bytes, read_only: bool
) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    for _ in range(2):  # the lock is released after a refusal: the second try says the same
        with pytest.raises(StoreCorrupt) as refused:
            AnnotationStore(path, read_only=read_only)
        message = str(refused.value)
        assert message.startswith(f"{path}: ") and "\n" not in message
        assert "left as it is" in message
    assert path.read_bytes() == content
    assert temp_files(path.parent) == []


def test_a_newer_schema_version_says_to_upgrade(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(CORRUPT_FILES["newer version"])
    with pytest.raises(StoreCorrupt, match=r"newer version of reader \(schema version 99") as e:
        AnnotationStore(path)
    assert e.value.brief == "was written by a newer reader (schema 99)"  # the app's header


def test_a_read_only_store_says_why_briefly(path: Path) -> None:
    with AnnotationStore(path) as store:
        store.save_view("a view", "tag:x")
    path.chmod(0o444)
    try:
        with AnnotationStore(path) as store:
            assert store.read_only and store.read_only_brief == "is not writable (mode 0444)"
    finally:
        path.chmod(0o644)
    path.parent.chmod(0o555)  # the folder: the lock file cannot be made
    try:
        with AnnotationStore(path) as store:
            if os.geteuid() != 0:  # root writes anywhere
                assert store.read_only_brief == "is in a folder that cannot be written"
    finally:
        path.parent.chmod(0o755)


def test_store_error_is_one_line_and_pickles() -> None:
    error = StoreLocked(Path("/tmp/x.json"), "is in use\nby someone")
    assert str(error) == "/tmp/x.json: is in use by someone"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is StoreLocked and str(copy) == str(error) and copy.path == error.path


# Saving: temp files, refusing what JSON cannot hold, and the per-document cache.


def test_stale_temp_files_are_cleaned_at_start_and_only_ours(path: Path) -> None:
    path.parent.mkdir(parents=True)
    ours = [".annotations.json.abc123.tmp", ".annotations.json.v1.bak.zz.tmp"]
    theirs = [".other.json.abc.tmp", "annotations.json.tmp", "notes.tmp"]
    for name in ours + theirs:
        (path.parent / name).write_text("half a save")
    with AnnotationStore(path, read_only=True):
        assert temp_files(path.parent) == sorted(ours + theirs)  # a reader deletes nothing
    with AnnotationStore(path) as store:
        assert temp_files(path.parent) == sorted(theirs)
        store.add_note(ARTICLE, "n")
        assert temp_files(path.parent) == sorted(theirs)


@pytest.mark.parametrize(
    "bad",
    [float("nan"), float("inf"), float("-inf"), {1, 2}, object()],
    ids=["nan", "inf", "-inf", "set", "object"],
)
def test_what_json_cannot_hold_is_refused_with_nothing_written(
    store: AnnotationStore, bad: object
) -> None:
    store.add_note(ARTICLE, "before")
    raw, state = store.path.read_bytes(), snapshot(store)
    note_id = store.annotations()[0].id
    attempts = [
        lambda: store.add_note(ARTICLE, "x", {"position": {"start": bad}}),
        lambda: store.add_highlight(OTHER, {"score": bad}),
        lambda: store.add_correction(ARTICLE, TARGET, {**GLOBAL_FIX, "confidence": bad}),
        lambda: store.update(note_id, target={"position": {"start": bad}}),
    ]
    for attempt in attempts:
        with pytest.raises(ValueError, match="JSON"):
            attempt()
        assert store.path.read_bytes() == raw
        assert snapshot(store) == state
    store.add_note(ARTICLE, "after")  # the store still works
    assert len(reopen(store).annotations()) == 2


def test_the_storage_refuses_nan_even_past_the_store_checks(path: Path) -> None:
    storage = DurableStorage(path)
    data = storage.read()
    data["annotations"]["1"] = {"x": float("nan")}
    with pytest.raises(ValueError, match="annotations/1"):
        storage.write(data)
    assert not path.exists()
    assert storage.read()["annotations"] == {}  # memory went back to the disk's state


def test_document_table_refuses_in_place_updates(path: Path) -> None:
    table = DocumentTable(DurableStorage(path), "annotations")
    for refused in (table.update, table.update_multiple, table.upsert):
        with pytest.raises(TypeError):
            refused({"a": 1})


def test_a_failed_save_reports_a_store_error_and_forgets_the_change(
    store: AnnotationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_note(ARTICLE, "saved")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reader.store.storage.os.replace", full)
    with pytest.raises(StoreError, match="could not be saved: No space left on device"):
        store.add_note(ARTICLE, "lost")
    monkeypatch.undo()
    assert [a.body for a in store.annotations()] == ["saved"]
    assert temp_files(store.path.parent) == []
    store.add_note(ARTICLE, "saved too")
    assert [a.body for a in reopen(store).annotations()] == ["saved", "saved too"]


def test_a_new_file_is_private_and_a_replaced_one_keeps_its_mode(path: Path) -> None:
    with AnnotationStore(path) as store:
        store.add_note(ARTICLE, "first")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o640)  # the user shares it with their group
    with AnnotationStore(path) as store:
        store.add_note(ARTICLE, "second")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    with AnnotationStore(path, read_only=True) as store:
        assert len(store.annotations()) == 2


def test_a_folder_that_cannot_be_synced_is_reported_after_the_save(
    store: AnnotationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsyncable(folder: Path) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files, "fsync_folder", unsyncable)
    with pytest.raises(StoreError, match="was saved but the folder could not be synced: Input"):
        store.add_note(ARTICLE, "on disk, maybe not durably")
    monkeypatch.undo()
    assert temp_files(store.path.parent) == []
    assert [a.body for a in reopen(store).annotations()] == ["on disk, maybe not durably"]


def _random_text(rng: random.Random, most: int) -> str:
    alphabet = 'abcAB  é東\n\x1b\udcff"\\{}'
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, most)))


@pytest.mark.parametrize("seed", range(30))
def test_the_saved_file_always_matches_memory(tmp_path: Path, seed: int) -> None:
    """The storage reuses unchanged documents' JSON: check it against a full serialisation
    after every step of a random mix of changes."""
    rng = random.Random(seed)
    path = tmp_path / "annotations.json"
    refs = [ArticleRef(f"{i}.md", f"{i:064x}", f"Title {i}") for i in range(3)]
    with AnnotationStore(path) as store:
        for _ in range(15):
            ids = [a.id for a in store.annotations()]
            ref, text = rng.choice(refs), _random_text(rng, 8)
            operation = rng.choice(
                ["tag", "untag", "note", "note", "update", "delete", "relink", "undo"]
            )
            if operation == "tag" and sanitize_line(text).strip():
                store.add_tags(ref, [text])
            elif operation == "untag" and sanitize_line(text).strip():
                store.remove_tags(ref, [text])
            elif operation == "note":
                store.add_note(ref, text, {"quote": {"exact": text}})
            elif operation == "update" and ids:
                store.update(rng.choice(ids), body=text)
            elif operation == "delete" and ids:
                store.delete(rng.choice(ids))
            elif operation == "relink":
                store.relink(ref.sha256, ArticleRef(text, rng.choice(refs).sha256, text))
            elif operation == "undo":
                store.undo()
            if path.exists():
                assert json.loads(path.read_bytes()) == store._storage.read()
        state = snapshot(store)
    if path.exists():
        with AnnotationStore(path, read_only=True) as reader:
            assert snapshot(reader) == state


# Migrations.


def test_an_older_file_is_migrated_and_the_original_kept(
    store: AnnotationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_note(ARTICLE, "old body")
    store.close()
    original = store.path.read_bytes()

    def to_next(data: schema.Data) -> schema.Data:
        table = data["annotations"]  # documents are replaced, never changed in place
        for doc_id, document in list(table.items()):
            table[doc_id] = {**document, "body": document["body"].upper()}
        return data

    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(schema.MIGRATIONS, SCHEMA_VERSION, to_next)
    with AnnotationStore(store.path, read_only=True) as reader:
        assert reader.schema_version() == SCHEMA_VERSION + 1
        assert reader.annotations()[0].body == "OLD BODY"
    assert store.path.read_bytes() == original  # a reader migrates in memory only
    with AnnotationStore(store.path) as writer:
        assert writer.schema_version() == SCHEMA_VERSION + 1
        assert writer.annotations()[0].body == "OLD BODY"
    backup = store.path.with_name(f"annotations.json.v{SCHEMA_VERSION}.bak")
    assert backup.read_bytes() == original
    saved = json.loads(store.path.read_bytes())
    assert saved["meta"]["1"]["schema_version"] == SCHEMA_VERSION + 1
    with AnnotationStore(store.path) as again:  # already at the new version: no new migration
        assert again.annotations()[0].body == "OLD BODY"


def test_a_version_without_a_migration_is_refused(
    store: AnnotationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_note(ARTICLE, "n")
    store.close()
    original = store.path.read_bytes()
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreCorrupt, match="cannot migrate"):
        AnnotationStore(store.path)
    assert store.path.read_bytes() == original


def test_every_older_version_has_a_migration_and_the_current_one_none() -> None:
    assert SCHEMA_VERSION == 6
    assert sorted(schema.MIGRATIONS) == list(range(1, SCHEMA_VERSION))


def test_import_keeps_ids_times_and_paths_in_one_undoable_save(
    store: AnnotationStore, path: Path, tmp_path: Path
) -> None:
    source = AnnotationStore(tmp_path / "other.json")
    ref = ArticleRef("/articles/a.txt", "a" * 64, "A")
    source.add_tags(ref, ["Russia", "energy"])
    note = source.add_note(ref, "first note")
    highlight = source.add_highlight(ref, TARGET)
    exported = source.annotations()
    source.close()

    store.add_tags(ref, ["russia"])
    added = store.import_annotations([(ref, ["Russia", "energy"])], exported)
    assert [a.id for a in added] == [note.id, highlight.id]
    assert store.annotations() == exported  # ids, times and paths as they were
    assert store.tags(ref.sha256) == ["russia", "energy"]
    # Importing again adds nothing; one undo takes the whole import back.
    assert store.import_annotations([(ref, ["energy"])], exported) == []
    assert store.undo() == "imported 2 annotations"
    assert store.annotations() == []
    assert store.tags(ref.sha256) == ["russia"]


@pytest.mark.parametrize(
    "change",
    [
        {"id": "not-hex"},
        {"created": "yesterday"},
        {"kind": "scribble"},
        {"article_sha256": "b" * 64},  # an article neither imported nor known
        {"target": None},  # a highlight needs a passage
    ],
)
def test_a_bad_import_changes_nothing(
    store: AnnotationStore, path: Path, change: dict[str, Any]
) -> None:
    ref = ArticleRef("/a.txt", "a" * 64, "A")
    store.add_tags(ref, ["keep"])
    before = path.read_bytes()
    good = Annotation(
        id="f" * 32,
        kind="highlight",
        article_sha256=ref.sha256,
        article_path=ref.path,
        created="2026-11-27T11:00:00Z",
        modified="2026-11-27T11:00:00Z",
        target=TARGET,
    )
    bad = dataclasses.replace(good, **{"id": "e" * 32, **change})
    with pytest.raises((ValueError, TypeError)):
        store.import_annotations([(ref, ["new"])], [good, bad])
    assert path.read_bytes() == before
    assert store.annotations() == [] and store.tags(ref.sha256) == ["keep"]
