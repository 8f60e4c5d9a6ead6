"""The store's reading state (read marks, positions) and saved views, against real files.

Also the schema change that brought them: a version-1 file written by hand is migrated,
and a file this version writes is refused by the code before it as newer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.store import (
    SCHEMA_VERSION,
    AnnotationStore,
    ArticleRef,
    Reading,
    StoreCorrupt,
    StoreError,
    StoreReadOnly,
    View,
    schema,
)

ARTICLE = ArticleRef("/articles/budget.md", "a" * 64, "The budget vote")
OTHER = ArticleRef("/articles/storm.md", "b" * 64, "Storm warning")
V1_HEADER = '{"meta":{"1":{"format":"reader-annotations","schema_version":1}}'


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "annotations.json"


@pytest.fixture
def store(path: Path) -> Iterator[AnnotationStore]:
    with AnnotationStore(path) as opened:
        yield opened


def saved(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_bytes())
    return data


# Read state.


def test_set_read_says_whether_it_changed_and_survives_a_restart(
    store: AnnotationStore, path: Path
) -> None:
    assert not store.is_read(ARTICLE.sha256)
    assert store.set_read(ARTICLE, True) is True
    assert store.set_read(ARTICLE, True) is False
    assert store.set_read(OTHER, False) is False  # already unread: nothing to write
    assert store.is_read(ARTICLE.sha256) and not store.is_read(OTHER.sha256)
    assert store.read_articles() == frozenset({ARTICLE.sha256})
    store.close()
    with AnnotationStore(path, read_only=True) as reader:
        assert reader.read_articles() == frozenset({ARTICLE.sha256})
        assert reader.reading() == [
            Reading(ARTICLE.sha256, ARTICLE.path, ARTICLE.title, read=True, position=None)
        ]


def test_marking_unread_forgets_an_article_with_no_position(
    store: AnnotationStore, path: Path
) -> None:
    store.set_read(ARTICLE, True)
    assert store.set_read(ARTICLE, False) is True
    assert store.read_articles() == frozenset()
    assert saved(path)["reading"] == {}


def test_set_read_keeps_the_path_and_title_up_to_date(store: AnnotationStore) -> None:
    store.set_read(ARTICLE, True)
    moved = ArticleRef("/elsewhere/budget.md", ARTICLE.sha256, "Budget")
    store.set_read(moved, False)
    store.set_read(moved, True)
    assert [(r.path, r.title) for r in store.reading()] == [(moved.path, moved.title)]


def test_set_read_is_not_undone_and_leaves_the_undo_history_alone(
    store: AnnotationStore,
) -> None:
    store.add_tags(ARTICLE, ["budget"])
    store.set_read(ARTICLE, True)
    # `u` undoes the tag, the last change the user made, and leaves the read mark.
    assert store.undo() == "added tag “budget” to “The budget vote”"
    assert store.tags(ARTICLE.sha256) == []
    assert store.is_read(ARTICLE.sha256)
    assert store.undo() is None


def test_read_state_needs_a_bool_and_an_article_ref(store: AnnotationStore) -> None:
    with pytest.raises(TypeError):
        store.set_read(ARTICLE, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.set_read(ARTICLE.sha256, True)  # type: ignore[arg-type]
    assert store.read_articles() == frozenset()


def test_read_state_follows_an_edited_article_when_relinked(store: AnnotationStore) -> None:
    store.add_note(ARTICLE, "a note")
    store.set_read(ARTICLE, True)
    store.set_position(ARTICLE, 120)
    edited = ArticleRef(ARTICLE.path, "c" * 64, ARTICLE.title)
    assert store.relink(ARTICLE.sha256, edited) == 1
    assert store.read_articles() == frozenset({edited.sha256})
    assert store.positions() == {edited.sha256: 120}
    assert [r.sha256 for r in store.reading()] == [edited.sha256]


def test_relink_carries_read_state_without_annotations_and_merges(
    store: AnnotationStore,
) -> None:
    store.set_read(ARTICLE, True)
    store.set_position(ARTICLE, 50)
    edited = ArticleRef("/articles/budget-2.md", "c" * 64, "Edited")
    store.set_position(edited, 7)  # the new text has its own position: it wins
    assert store.relink(ARTICLE.sha256, edited) == 0
    assert store.reading() == [Reading(edited.sha256, edited.path, edited.title, True, 7)]


def test_relink_to_the_same_hash_updates_the_reading_path(store: AnnotationStore) -> None:
    store.set_read(ARTICLE, True)
    renamed = ArticleRef("/renamed.md", ARTICLE.sha256, ARTICLE.title)
    store.relink(ARTICLE.sha256, renamed)
    assert [r.path for r in store.reading()] == ["/renamed.md"]


# Reading positions.


def test_positions_are_kept_per_article_and_read_back(store: AnnotationStore, path: Path) -> None:
    assert store.position(ARTICLE.sha256) is None
    store.set_position(ARTICLE, 0)
    store.set_position(OTHER, 4321)
    store.set_position(ARTICLE, 99)
    assert store.position(ARTICLE.sha256) == 99
    assert store.positions() == {ARTICLE.sha256: 99, OTHER.sha256: 4321}
    assert not store.read_articles()
    store.close()
    with AnnotationStore(path) as again:
        assert again.positions() == {ARTICLE.sha256: 99, OTHER.sha256: 4321}


def test_an_unchanged_position_writes_nothing(store: AnnotationStore, path: Path) -> None:
    store.set_position(ARTICLE, 10)
    before = path.stat()
    store.set_position(ARTICLE, 10)
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_an_unchanged_position_is_fine_on_a_read_only_store(
    store: AnnotationStore, path: Path
) -> None:
    store.set_position(ARTICLE, 10)
    with AnnotationStore(path, read_only=True) as reader:
        reader.set_position(ARTICLE, 10)
        with pytest.raises(StoreReadOnly):
            reader.set_position(ARTICLE, 11)


def test_positions_are_not_undone(store: AnnotationStore) -> None:
    store.save_view("Energy", "tag:energy")
    store.set_position(ARTICLE, 10)
    assert store.undo() == "saved view “Energy”"
    assert store.positions() == {ARTICLE.sha256: 10}


def test_a_position_must_be_a_whole_number_of_zero_or_more(store: AnnotationStore) -> None:
    for bad, error in ((-1, ValueError), (1.5, TypeError), (True, TypeError), ("3", TypeError)):
        with pytest.raises(error):
            store.set_position(ARTICLE, bad)  # type: ignore[arg-type]
    assert store.positions() == {}


def test_unread_with_a_position_keeps_the_position(store: AnnotationStore) -> None:
    store.set_position(ARTICLE, 10)
    store.set_read(ARTICLE, True)
    store.set_read(ARTICLE, False)
    assert store.positions() == {ARTICLE.sha256: 10}
    assert store.read_articles() == frozenset()


# Saved views.


def test_views_are_listed_in_the_order_saved_and_survive_a_restart(
    store: AnnotationStore, path: Path
) -> None:
    assert store.views() == []
    assert store.save_view("Energy", "tag:energy") == View("Energy", "tag:energy")
    store.save_view("Unread Lavrov", 'is:unread entity:"Sergey Lavrov"')
    store.save_view("long", "words:>1000")
    store.close()
    with AnnotationStore(path, read_only=True) as reader:
        assert reader.views() == [
            View("Energy", "tag:energy"),
            View("Unread Lavrov", 'is:unread entity:"Sergey Lavrov"'),
            View("long", "words:>1000"),
        ]


def test_saving_a_name_in_use_replaces_its_query_in_place(store: AnnotationStore) -> None:
    store.save_view("Energy", "tag:energy")
    store.save_view("other", "is:unread")
    assert store.save_view("ENERGY", "tag:energy -tag:oil") == View("ENERGY", "tag:energy -tag:oil")
    assert store.views() == [View("ENERGY", "tag:energy -tag:oil"), View("other", "is:unread")]
    assert store.undo() == "changed view “ENERGY”"
    assert store.views() == [View("Energy", "tag:energy"), View("other", "is:unread")]


@pytest.mark.parametrize(
    ("name", "query", "error"),
    [
        ("", "tag:x", ValueError),
        ("   ", "tag:x", ValueError),
        ("\x1b[31m\x07", "tag:x", ValueError),  # nothing left once cleaned
        ("name", "", ValueError),
        ("name", " \n\t ", ValueError),
        ("name", "x" * 2001, ValueError),
        (None, "tag:x", TypeError),
        ("name", 5, TypeError),
    ],
)
def test_bad_names_and_queries_are_refused_with_nothing_written(
    store: AnnotationStore, path: Path, name: Any, query: Any, error: type[Exception]
) -> None:
    store.save_view("kept", "tag:kept")
    before = path.read_bytes()
    with pytest.raises(error):
        store.save_view(name, query)
    assert path.read_bytes() == before
    assert store.views() == [View("kept", "tag:kept")]


def test_names_and_queries_lose_control_sequences_and_stay_one_line(
    store: AnnotationStore,
) -> None:
    view = store.save_view("  \x1b]8;;http://x\x07Ene\x1b[1mrgy\n\tnews ", "tag:a\n  OR\ttag:b\x00")
    assert view == View("Energy news", "tag:a   OR tag:b")
    assert store.views() == [view]
    long = store.save_view("n" * 300, "q")
    assert len(long.name) == 100


def test_rename_view_keeps_its_place_and_refuses_a_taken_name(store: AnnotationStore) -> None:
    store.save_view("Energy", "tag:energy")
    store.save_view("Oil", "tag:oil")
    assert store.rename_view("energy", "Power") == View("Power", "tag:energy")
    assert store.rename_view("power", "POWER") == View("POWER", "tag:energy")  # case only
    with pytest.raises(ValueError, match="already a view"):
        store.rename_view("POWER", "oil")
    with pytest.raises(KeyError):
        store.rename_view("nothing", "x")
    assert store.views() == [View("POWER", "tag:energy"), View("Oil", "tag:oil")]
    assert store.undo() == "renamed view “Power” to “POWER”"
    assert store.undo() == "renamed view “Energy” to “Power”"
    assert store.views()[0] == View("Energy", "tag:energy")


def test_delete_view_and_undo_puts_it_back_in_its_place(store: AnnotationStore) -> None:
    for name in ("a", "b", "c"):
        store.save_view(name, f"tag:{name}")
    assert store.delete_view("B") == View("b", "tag:b")
    with pytest.raises(KeyError):
        store.delete_view("b")
    assert [v.name for v in store.views()] == ["a", "c"]
    assert store.undo() == "deleted view “b”"
    assert [v.name for v in store.views()] == ["a", "b", "c"]
    assert store.undo() == "saved view “c”"
    assert [v.name for v in store.views()] == ["a", "b"]


def test_undo_of_views_is_durable(store: AnnotationStore, path: Path) -> None:
    store.save_view("a", "tag:a")
    store.undo()
    assert saved(path)["views"] == {}


def test_views_on_a_read_only_store_are_refused(store: AnnotationStore, path: Path) -> None:
    store.save_view("a", "tag:a")
    with AnnotationStore(path, read_only=True) as reader:
        with pytest.raises(StoreReadOnly):
            reader.save_view("b", "tag:b")
        with pytest.raises(StoreReadOnly):
            reader.set_read(ARTICLE, True)
        assert reader.views() == [View("a", "tag:a")]


# The schema: version 2 and the migration from version 1.


def write_v1(path: Path) -> bytes:
    """A version-1 file as reader 1 wrote it, by hand: a tagged article and a note."""
    raw = (
        V1_HEADER
        + ',"articles":{"1":{"sha256":"'
        + ARTICLE.sha256
        + '","path":"'
        + ARTICLE.path
        + '","title":"The budget vote","tags":["budget"]}},'
        '"annotations":{"1":{"id":"'
        + "f" * 32
        + '","kind":"note","article_sha256":"'
        + ARTICLE.sha256
        + '","article_path":"'
        + ARTICLE.path
        + '",'
        '"created":"2026-11-27T11:00:00Z","modified":"2026-11-27T11:00:00Z",'
        '"body":"old note","target":null,"correction":null}}}'
    ).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return raw


def test_a_version_1_file_is_migrated_with_empty_reading_and_views(path: Path) -> None:
    original = write_v1(path)
    with AnnotationStore(path, read_only=True) as reader:  # in memory only
        assert reader.schema_version() == SCHEMA_VERSION == 6
        assert reader.read_articles() == frozenset() and reader.views() == []
    assert path.read_bytes() == original
    with AnnotationStore(path) as store:
        assert store.tags(ARTICLE.sha256) == ["budget"]
        assert [a.body for a in store.annotations()] == ["old note"]
        store.set_read(ARTICLE, True)
        store.save_view("Budget", "tag:budget")
    assert path.with_name("annotations.json.v1.bak").read_bytes() == original
    data = saved(path)
    assert list(data) == [
        "meta",
        "articles",
        "annotations",
        "reading",
        "views",
        "entity_edits",
        "sessions",
        "drafts",
    ]
    assert data["meta"]["1"]["schema_version"] == 6
    assert data["reading"]["1"]["read"] is True
    assert data["views"] == {"1": {"name": "Budget", "query": "tag:budget"}}


def test_a_version_1_file_with_a_reading_table_is_not_migrated(path: Path) -> None:
    path.parent.mkdir(parents=True)
    raw = (V1_HEADER + ',"reading":{}}').encode()
    path.write_bytes(raw)
    with pytest.raises(StoreCorrupt, match="could not be migrated from schema version 1"):
        AnnotationStore(path)
    assert path.read_bytes() == raw


def test_a_file_written_now_is_refused_as_newer_by_the_version_before(
    store: AnnotationStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.set_read(ARTICLE, True)
    store.save_view("a", "tag:a")
    store.close()
    written = path.read_bytes()
    # The code before this version: schema version 1, no migrations, three tables.
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 1)
    monkeypatch.setattr(schema, "MIGRATIONS", {})
    monkeypatch.setattr(schema, "TABLES", ("meta", "articles", "annotations"))
    for read_only in (False, True):
        with pytest.raises(StoreCorrupt, match=r"newer version of reader \(schema version 6"):
            AnnotationStore(path, read_only=read_only)
    assert path.read_bytes() == written


BAD_V2 = {
    "read not a bool": '"reading":{"1":{"sha256":"a","path":"p","title":"t","read":1,'
    '"position":null}}',
    "negative position": '"reading":{"1":{"sha256":"a","path":"p","title":"t","read":true,'
    '"position":-1}}',
    "position a bool": '"reading":{"1":{"sha256":"a","path":"p","title":"t","read":true,'
    '"position":true}}',
    "no title": '"reading":{"1":{"sha256":"a","path":"p","read":true,"position":null}}',
    "an article twice": '"reading":{"1":{"sha256":"a","path":"p","title":"t","read":true,'
    '"position":null},"2":{"sha256":"a","path":"q","title":"t","read":false,"position":3}}',
    "view without query": '"views":{"1":{"name":"x"}}',
    "view with empty name": '"views":{"1":{"name":" ","query":"q"}}',
    "a view name twice": '"views":{"1":{"name":"Energy","query":"a"},'
    '"2":{"name":"energy","query":"b"}}',
}


@pytest.mark.parametrize("table", BAD_V2.values(), ids=BAD_V2.keys())
def test_bad_reading_and_view_documents_are_refused_at_open(path: Path, table: str) -> None:
    path.parent.mkdir(parents=True)
    raw = '{"meta":{"1":{"format":"reader-annotations","schema_version":2}},' + table + "}"
    path.write_bytes(raw.encode())
    with pytest.raises(StoreCorrupt, match="left as it is"):
        AnnotationStore(path)
    assert path.read_bytes() == raw.encode()


# Import: read marks and views in the one import change.


def test_import_marks_read_adds_views_and_undo_keeps_the_read_marks(
    store: AnnotationStore,
) -> None:
    store.save_view("Mine", "tag:mine")
    store.set_position(OTHER, 5)
    known = ArticleRef("/moved/storm.md", OTHER.sha256, "Other title")
    added = store.import_annotations(
        [],
        [],
        read=[ARTICLE, known],
        views=[View("mine", "tag:theirs"), View("Energy", "tag:energy")],
    )
    assert added == []
    assert store.read_articles() == frozenset({ARTICLE.sha256, OTHER.sha256})
    # An article the store knows keeps its path and title, and its position.
    assert store.reading()[0] == Reading(OTHER.sha256, OTHER.path, OTHER.title, True, 5)
    assert store.views() == [View("Mine", "tag:mine"), View("Energy", "tag:energy")]
    assert store.undo() == "imported 0 annotations and 1 view"
    assert store.views() == [View("Mine", "tag:mine")]
    assert store.read_articles() == frozenset({ARTICLE.sha256, OTHER.sha256})


def test_an_import_with_one_view_name_twice_changes_nothing(
    store: AnnotationStore, path: Path
) -> None:
    store.save_view("Mine", "tag:mine")
    before = path.read_bytes()
    with pytest.raises(ValueError, match="view name appears twice"):
        store.import_annotations([], [], read=[ARTICLE], views=[View("a", "q"), View("A", "r")])
    with pytest.raises(ValueError):
        store.import_annotations([], [], read=[ARTICLE], views=[View("", "q")])
    assert path.read_bytes() == before
    assert store.read_articles() == frozenset()


def test_a_migration_whose_save_fails_leaves_the_version_1_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = write_v1(path)

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reader.files.os.replace", full)
    with pytest.raises(StoreError, match="could not be saved: No space left on device"):
        AnnotationStore(path)
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    with AnnotationStore(path) as store:  # the lock was released; the next open migrates
        assert store.tags(ARTICLE.sha256) == ["budget"]
    assert saved(path)["meta"]["1"]["schema_version"] == 6
