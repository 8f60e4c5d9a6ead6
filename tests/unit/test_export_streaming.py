"""Exports made an article at a time: the annotations read from the store as each article
is written, every streamed format's bytes those of its whole document, a failure midway
leaving no file. Against the real database and articles of export_fixtures."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import Annotated, annotate, entity_cache, opened

from reader.export import csv_format, markdown, w3c
from reader.export.collect import gather
from reader.export.collection import Collection, ExportError
from reader.export.exporting import build_export
from reader.export.formats import format_named
from reader.export.jsontext import dumps
from reader.export.writing import write_file
from reader.store import Annotation, AnnotationStore, ArticleRef, StoreError

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
UNSAFE_NOTE = "line\none \u2028 \x9b\n  indented, =1+1, \ud800"

__all__ = ["entity_cache"]  # the shared fixtures (export_fixtures)


@pytest.fixture
def annotated(tmp_path: Path) -> Annotated:
    made = annotate(tmp_path / "work")
    with AnnotationStore(made.db) as store:
        seed = made.seed
        store.add_note(ArticleRef(str(seed.path), seed.sha256, seed.title), UNSAFE_NOTE)
        store.save_view("Energy", "tag:energy")
    return made


# What each format wrote when it was rendered whole (the code before it streamed).


def _w3c_whole(collection: Collection) -> bytes:
    return (dumps(w3c.to_document(collection)) + "\n").encode("utf-8")


def _csv_whole(collection: Collection) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = (
        (*csv_format.COLUMNS, csv_format.STATE_COLUMN)
        if collection.has_states
        else csv_format.COLUMNS
    )
    writer.writerow(columns)
    for article in collection.each():
        for row in csv_format._rows(article):
            writer.writerow([csv_format.csv_cell(row.get(column, "")) for column in columns])
    return buffer.getvalue().encode("utf-8", "backslashreplace")


def _markdown_whole(collection: Collection) -> bytes:
    count = len(collection.articles)
    lines = [
        "# reader annotations",
        "",
        f"Exported {collection.exported_at} by reader {collection.app_version}: "
        f"{count} article{'' if count == 1 else 's'}.",
    ]
    for article in collection.each():
        lines.extend(["", *markdown._article(article)])
    return ("\n".join(lines) + "\n").encode("utf-8")


WHOLE = {"w3c": _w3c_whole, "csv": _csv_whole, "markdown": _markdown_whole}


@pytest.mark.parametrize("fmt", sorted(WHOLE))
def test_each_streamed_format_writes_the_bytes_of_its_whole_document(
    annotated: Annotated, entity_cache: Path, tmp_path: Path, fmt: str
) -> None:
    # Several articles (tags only, notes, highlights, corrections, one whose text is gone
    # and so has states), unsafe text; and a selection of one file the store does not
    # know (no annotations: w3c gives it no items), and of no article at all.
    unknown = annotated.root / "seeds" / "unknown.txt"
    unknown.write_text("A file with no annotations\n\nIts only paragraph.\n", encoding="utf-8")
    assert format_named(fmt).stream is not None
    with opened(annotated, entity_cache) as (workspace, store):
        for selection in ([], [annotated.seed.path, unknown], [unknown]):
            export = build_export(workspace, store, fmt, article_paths=selection, now=NOW)
            collection = export.collection
            chunks = list(export.chunks())
            if not selection:  # an article at a time
                assert len(collection.articles) > 2 and len(chunks) > len(collection.articles)
            assert b"".join(chunks) == WHOLE[fmt](collection) == export.data
            path = tmp_path / f"written.{fmt}"
            write_file(path, export.chunks())
            assert path.read_bytes() == export.data
        empty = Collection(articles=(), exported_at="2026-01-02T03:04:05Z")
        assert format_named(fmt).render(empty, print) == WHOLE[fmt](empty)


def test_gather_holds_no_annotations_and_the_export_reads_them_an_article_at_a_time(
    annotated: Annotated, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 100,000 annotations held at once took ~350 MB: the collection lists the articles,
    # and each article's annotations are read when it is written.
    reads: list[str | None] = []
    real = AnnotationStore.annotations

    def spy(self: AnnotationStore, sha256: str | None = None, kind: str | None = None) -> Any:
        reads.append(sha256)
        return real(self, sha256, kind)

    with opened(annotated, entity_cache) as (workspace, store):
        expected = store.annotations()
        collection = gather(workspace, store)
        assert len(collection.articles) > 2
        assert all(article.annotations == () for article in collection.articles)
        assert collection.annotation_count == len(expected)
        whole = [article.annotations for article in collection.each()]
        assert sorted(a.id for found in whole for a in found) == sorted(a.id for a in expected)
        monkeypatch.setattr(AnnotationStore, "annotations", spy)
        chunks: Iterator[bytes] = iter(build_export(workspace, store, "json").chunks())
        next(chunks)  # what precedes the articles
        assert reads == []
        next(chunks)
        assert reads == [collection.articles[0].sha256]
        list(chunks)
        assert reads == [article.sha256 for article in collection.articles]


def test_a_store_failing_midway_leaves_no_file(
    annotated: Annotated, entity_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = AnnotationStore.annotations
    calls: list[str | None] = []

    def failing(self: AnnotationStore, sha256: str | None = None, kind: str | None = None) -> Any:
        calls.append(sha256)
        if len(calls) == 2:
            raise StoreError(self.path, "the database changed under the export")
        return real(self, sha256, kind)

    target = tmp_path / "out"
    target.mkdir()
    (target / "old.csv").write_bytes(b"an earlier export\n")
    with opened(annotated, entity_cache) as (workspace, store):
        monkeypatch.setattr(AnnotationStore, "annotations", failing)
        for fmt in ("json", "w3c", "markdown", "csv"):
            export = build_export(workspace, store, fmt)
            for name in ("new", "old"):  # a new file, and one replaced
                calls.clear()
                with pytest.raises(StoreError, match="changed under the export"):
                    write_file(target / f"{name}.csv", export.chunks())
                assert len(calls) == 2
    assert sorted(p.name for p in target.iterdir()) == ["old.csv"]
    assert (target / "old.csv").read_bytes() == b"an earlier export\n"


def test_a_missing_text_is_warned_of_once_however_many_passes(
    annotated: Annotated, entity_cache: Path
) -> None:
    # csv and w3c read the articles twice (the state column; the ids); the article whose
    # text is gone is still named once, as it was when the export gathered everything.
    for fmt in ("csv", "w3c", "json", "markdown"):
        warnings: list[str] = []
        with opened(annotated, entity_cache) as (workspace, store):
            export = build_export(workspace, store, fmt, warn=warnings.append)
            export.data  # noqa: B018 (rendering is what warns)
        assert len([w for w in warnings if "A vanished story" in w]) == 1, (fmt, warnings)


def test_an_annotation_without_its_article_document_is_exported_under_its_own_path(
    annotated: Annotated, entity_cache: Path
) -> None:
    # Should the store have an annotation whose article it has no document for, the
    # export lists it under the path of its oldest annotation rather than drop it.
    orphan = Annotation.from_document(
        {
            "id": "f" * 32,
            "kind": "note",
            "article_sha256": "e" * 64,
            "article_path": "/nowhere/lost.txt",
            "created": "2020-01-01T00:00:00Z",
            "modified": "2020-01-01T00:00:00Z",
            "body": "kept",
            "target": None,
            "correction": None,
        }
    )
    with opened(annotated, entity_cache) as (workspace, store):
        listed = store.annotations()
        original = type(store).iter_annotations

        def with_orphan(batch: int = 1000) -> Iterator[Annotation]:
            yield from original(store, batch)
            yield orphan

        store.iter_annotations = with_orphan  # type: ignore[method-assign]
        collection = gather(workspace, store)
    lost = [a for a in collection.articles if a.sha256 == "e" * 64]
    assert [(a.path, a.title) for a in lost] == [("/nowhere/lost.txt", "")]
    assert collection.annotation_count == len(listed) + 1


@pytest.mark.parametrize("fmt", ["w3c", "csv"])
def test_annotations_changed_between_the_two_passes_stop_the_export(
    annotated: Annotated, entity_cache: Path, tmp_path: Path, fmt: str
) -> None:
    # w3c writes the ids of every item first, csv whether it has a state column: both
    # read the articles twice. The app's store can change in between (a note saved as
    # the export runs in its worker): the export stops, and leaves no file.
    seed = annotated.seed
    article = ArticleRef(str(seed.path), seed.sha256, seed.title)
    with AnnotationStore(annotated.db) as store:
        store.delete(annotated.ids["gone_note"])  # every passage anchored: no state column
    target = tmp_path / f"export.{fmt}"
    with opened(annotated, entity_cache, read_only=False) as (workspace, store):
        export = build_export(workspace, store, fmt)
        unchanged = export.data
        chunks = iter(export.chunks())
        next(chunks)  # the first pass is done
        quote = {"exact": "words in no article", "prefix": "", "suffix": ""}
        store.add_highlight(article, {"position": {"start": 0, "end": 19}, "quote": quote})
        with pytest.raises(ExportError, match="changed while they were exported"):
            write_file(target, chunks)
        assert not target.exists() and list(tmp_path.glob(".reader-export-*")) == []
        assert build_export(workspace, store, fmt).data != unchanged  # again: the new one


def test_each_passage_is_placed_once_in_an_export_whatever_its_passes(
    annotated: Annotated, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Placing a passage whose quote is gone is the fuzzy search (~0.7 ms a note): w3c's
    # first pass, for the ids, does not place them; csv's stops at the first state.
    from reader.export import collect

    placed: list[str] = []
    real = collect.place

    def counting(annotation: Annotation, text: str | None) -> Any:
        placed.append(annotation.id)
        return real(annotation, text)

    monkeypatch.setattr(collect, "place", counting)
    with opened(annotated, entity_cache) as (workspace, store):
        count = len(store.annotations())
        for fmt in ("json", "w3c", "markdown"):
            placed.clear()
            build_export(workspace, store, fmt).data  # noqa: B018
            assert len(placed) == len(set(placed)) == count, fmt
