"""The entity index (reader/entities/library/index.py, pages.py, graph.py) and the entity
edits in the store (reader/store/entity_edits.py): a real library, entities found by the
real spaCy pipeline into a real cache, a real SQLite file and a real TinyDB store.

The library: "Sergey Lavrov" in one article and only "Lavrov" in another (one entity);
"Tony Blair" with "Blair", "Cherie Blair" with "Tony Blair" and "Blair", and an article with
only "Blair" (ambiguous: shown, not joined).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import networkx as nx
import pytest
from conftest import CancelledAfter, entities_found, library_with_entities

from reader.cli import main
from reader.entities.library.edits import merge_edit, rename_edit, split_edit
from reader.entities.library.graph import cooccurrence_graph, write_graph
from reader.entities.library.index import EntityIndex, index_file
from reader.entities.library.mentions import NUMERIC_LABELS
from reader.library import Article, catalogue
from reader.settings import Settings
from reader.store import AnnotationStore
from reader.store.entity_edits import EntityEdits
from reader.workspace import Workspace

ARTICLES = {
    "geneva.txt": (
        "Lavrov and Blair meet in Geneva\n\nSergey Lavrov met Tony Blair in Geneva on Monday. "
        "Lavrov said the talks with Blair were useful. The Russian foreign minister later left "
        "for Moscow.\n"
    ),
    "moscow.txt": (
        "Talks in Moscow end without a deal\n\nForeign Minister Lavrov told reporters in Moscow "
        "on Tuesday that Russia would keep talking. The United Nations welcomed the news.\n"
    ),
    "london.txt": (
        "Blairs attend a charity dinner in London\n\nTony Blair and Cherie Blair attended a "
        "dinner in London on Friday. Blair spoke about Africa. The Red Cross thanked them.\n"
    ),
    "court.md": (
        "---\ndate: 2026-03-02\n---\n# Court hears appeal\n\nBlair told the court in London "
        "that the appeal should be heard in March. The judge agreed with Blair.\n"
    ),
}
MTIME = datetime(2026, 1, 15, 12, 0).timestamp()


def write_library(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (root / name).write_text(text, encoding="utf-8")
        os.utime(root / name, (MTIME, MTIME))


@pytest.fixture(scope="module")
def entity_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An entity cache with the real pipeline's entities of every article (found once)."""
    folder = tmp_path_factory.mktemp("entities")
    write_library(folder / "library")
    return entities_found(folder / "library", folder)


@dataclass
class Setup:
    root: Path
    settings: Settings
    workspace: Workspace
    index: EntityIndex

    def args(self) -> list[str]:
        return [str(self.root), "--db", str(self.settings.db_path), "--cache-dir",
                str(self.settings.cache_dir)]  # fmt: skip

    def reopen(self) -> None:
        """A new workspace on the same files (the store read again), the index kept."""
        self.workspace.close()
        self.workspace = Workspace(self.settings, model_in_process=True)

    def fresh(self) -> None:
        """A new workspace on the same files, the index brought up to date."""
        self.reopen()
        self.index = self.workspace.entity_index()
        self.index.update(self.workspace)


@pytest.fixture
def setup(tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    settings = library_with_entities(tmp_path, write_library, entity_cache)
    root = settings.article_paths[0]
    workspace = Workspace(settings, model_in_process=True)
    index = workspace.entity_index()
    report = index.update(workspace)
    assert report.indexed == len(ARTICLES) and report.missing == 0
    assert index.path == index_file(settings) and index.path is not None
    assert index.path.is_file()
    made = Setup(root, settings, workspace, index)
    yield made
    made.workspace.close()


def reader_entities(setup: Setup) -> list[dict[str, object]]:
    """What `reader entities` prints for the library (its JSON)."""
    workspace = Workspace(setup.settings, model_in_process=True)
    try:
        workspace.open_store_for_corrections()
        return [
            {
                "path": str(article.path),
                "entities": [
                    s.to_json() for s in workspace.finder.find(article.sha256, article.text)
                ],
            }
            for article in workspace.library().articles
        ]
    finally:
        workspace.close()


def all_mentions(setup: Setup) -> set[tuple[str, int, int]]:
    """Every mention on every entity's page: (path, start, end)."""
    found = set()
    for entity in setup.index.resolution().entities:
        page = setup.index.page(entity, snippets=0)
        assert page is not None
        assert sum(len(a.mentions) for a in page.articles) == entity.mentions
        assert len(page.articles) == entity.articles
        for article in page.articles:
            found.update((str(article.path), s, e) for s, e in article.mentions)
    return found


def test_the_pages_agree_with_reader_entities(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["entities", *setup.args(), "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    spans = {
        (record["path"], span["start"], span["end"])
        for record in printed
        for span in record["entities"]
    }
    assert spans and all_mentions(setup) == spans


def test_one_entity_across_articles_and_spellings(setup: Setup) -> None:
    [lavrov] = setup.index.find("Lavrov")
    assert lavrov.id == "PERSON:sergey lavrov" and lavrov.name == "Sergey Lavrov"
    assert set(lavrov.variants) == {"Sergey Lavrov", "Lavrov"}
    assert setup.index.find("SERGEY LAVROV’s") == [lavrov] == setup.index.find("lavrov")
    page = setup.index.page(lavrov)
    assert page is not None
    assert sorted(a.path.name for a in page.articles) == ["geneva.txt", "moscow.txt"]
    assert lavrov.articles == 2 and lavrov.mentions == 4  # the headline too
    # In London two Blairs: "Blair" there and in court is shown as ambiguous, not guessed.
    [blair] = [e for e in setup.index.entities(label="PERSON") if e.id == "PERSON:blair"]
    assert blair.ambiguous == ("Cherie Blair", "Tony Blair")
    assert {a.path.name for a in setup.index.page(blair).articles} == {"london.txt", "court.md"}  # type: ignore[union-attr]


def test_a_page_has_snippets_cooccurring_and_a_timeline(setup: Setup) -> None:
    [tony] = setup.index.find("Tony Blair")
    page = setup.index.page(tony, order="mentions")
    assert page is not None
    geneva = next(a for a in page.articles if a.path.name == "geneva.txt")
    text = (setup.root / "geneva.txt").read_text(encoding="utf-8")
    assert len(geneva.snippets) == len(geneva.mentions) == 3  # the headline's "Blair" too
    for snippet, (start, end) in zip(geneva.snippets, geneva.mentions, strict=True):
        assert (snippet.start, snippet.end) == (start, end)
        assert any(snippet.text[s:e] == text[start:end] for s, e in snippet.marks)
        assert "\n" not in snippet.text
    others = {c.name: c for c in page.cooccurring}
    # Sergey Lavrov is in Tony Blair's sentences; the Red Cross only in his article.
    assert others["Sergey Lavrov"].sentences >= 1
    assert others["Red Cross"].sentences == 0 and others["Red Cross"].articles == 1
    assert others["Sergey Lavrov"].weight > others["Red Cross"].weight
    assert not any(c.label in NUMERIC_LABELS for c in page.cooccurring)
    assert [day for day, _ in page.timeline] == ["2026-01-15"]  # file dates
    [court] = setup.index.find("court.md") or [None]  # not an entity
    blair_page = setup.index.page("PERSON:blair")
    assert blair_page is not None and blair_page.articles[0].date == "2026-03-02"  # newest
    assert court is None


def test_merge_rename_split_through_the_store_with_undo(setup: Setup) -> None:
    with AnnotationStore(setup.settings.db_path) as store:
        edits = EntityEdits(store)
        [blair] = [e for e in setup.index.entities() if e.id == "PERSON:blair"]
        [tony] = setup.index.find("Tony Blair")
        edits.add(merge_edit(blair, tony))
        edits.add(rename_edit(tony, "Anthony Blair"))
        setup.index.set_edits(edits.edits())
        [merged] = setup.index.find("Blair")
        assert merged.id == tony.id and merged.name == "Anthony Blair"
        assert merged.mentions == tony.mentions + blair.mentions
        assert merged.articles == 3  # geneva, london, court: london counted once
        assert store.undo() == "“renamed tony blair (PERSON) to Anthony Blair”"
        setup.index.set_edits(edits.edits())
        assert setup.index.find("Blair")[0].name == "Tony Blair"
        edits.add(split_edit(setup.index.find("Blair")[0], "Blair"))
    setup.fresh()  # a new session reads the edits from the file
    assert [e.id for e in setup.index.find("Blair")] == ["PERSON:blair"]
    assert setup.index.find("Tony Blair")[0].keys == (("tony blair", "PERSON"),)
    assert [e.op for e in setup.index.edits] == ["merge", "split"]


def test_edits_survive_export_and_import(setup: Setup, tmp_path: Path) -> None:
    with AnnotationStore(setup.settings.db_path) as store:
        [blair] = [e for e in setup.index.entities() if e.id == "PERSON:blair"]
        EntityEdits(store).add(merge_edit(blair, setup.index.find("Tony Blair")[0]))
    out = tmp_path / "out.json"
    common = ["--db", str(setup.settings.db_path), "--cache-dir", str(setup.settings.cache_dir)]
    assert main(["export", "--format", "json", "-o", str(out), *common]) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [e["op"] for e in exported["entity_edits"]] == ["merge"]
    other = tmp_path / "other.json"
    args = ["--db", str(other), "--cache-dir", str(setup.settings.cache_dir)]
    assert main(["import", str(out), *args]) == 0
    assert main(["import", str(out), *args]) == 0  # twice: nothing new
    with AnnotationStore(other, read_only=True) as imported:
        assert [e.to_json() for e in EntityEdits(imported).edits()] == exported["entity_edits"]


def test_the_index_follows_one_article_and_the_files(setup: Setup) -> None:
    moscow = setup.root / "moscow.txt"
    article = next(a for a in setup.workspace.library().articles if a.path == moscow)
    setup.index.put_article(article, [])  # its entities gone (as the app would say)
    assert [a.path.name for a in setup.index.page(setup.index.find("Lavrov")[0]).articles] == [  # type: ignore[union-attr]
        "geneva.txt"
    ]
    moscow.unlink()
    setup.fresh()
    assert not setup.index.find("United Nations")
    report = setup.index.update(setup.workspace)
    assert report.indexed == 0 and report.removed == 0  # nothing left to do


def test_a_broken_index_file_is_rebuilt(setup: Setup) -> None:
    path = setup.index.path
    assert path is not None
    setup.workspace.close()
    path.write_bytes(b"not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    workspace = Workspace(setup.settings, model_in_process=True)
    report = workspace.entity_index().update(workspace)
    assert report.rebuilt and report.indexed == len(ARTICLES)
    workspace.close()


def test_the_graph_loads_in_networkx_with_the_expected_counts(setup: Setup, tmp_path: Path) -> None:
    named = [e for e in setup.index.resolution().entities if e.label not in NUMERIC_LABELS]
    pairs = set()
    for entity in named:
        for article in setup.index.page(entity, snippets=0).articles:  # type: ignore[union-attr]
            pairs.add((article.path.name, entity.id))
    by_article: dict[str, set[str]] = {}
    for name, ident in pairs:
        by_article.setdefault(name, set()).add(ident)
    edges = {
        frozenset(pair)
        for ids in by_article.values()
        for pair in itertools.combinations(sorted(ids), 2)
    }
    for suffix in (".graphml", ".gexf"):
        path = tmp_path / f"g{suffix}"
        write_graph(cooccurrence_graph(setup.index), path)
        graph = nx.read_graphml(path) if suffix == ".graphml" else nx.read_gexf(path)
        assert graph.number_of_nodes() == len(named)
        assert graph.number_of_edges() == len(edges)
        lavrov = graph.nodes["PERSON:sergey lavrov"]
        assert lavrov["name"] == "Sergey Lavrov" and int(lavrov["mentions"]) == 4
        edge = graph.edges["PERSON:sergey lavrov", "PERSON:tony blair"]
        assert int(edge["articles"]) == 1 and int(edge["weight"]) >= 3
    with pytest.raises(ValueError, match="unknown graph format"):
        write_graph(cooccurrence_graph(setup.index), tmp_path / "g.png")


def test_the_entity_of_a_marked_mention(setup: Setup) -> None:
    text = (setup.root / "moscow.txt").read_text(encoding="utf-8")
    start = text.index("Lavrov")
    found = setup.index.entity_at(setup.root / "moscow.txt", start)
    assert found is not None and found.id == "PERSON:sergey lavrov"
    elsewhere = setup.index.entity_at(setup.root / "new.txt", 0, "Lavrov’s", "PERSON")
    assert elsewhere == found  # not indexed: by its name
    assert setup.index.entity_at(setup.root / "new.txt", 0, "Blair", "PERSON") is not None
    assert setup.index.entity_at(setup.root / "moscow.txt", start + 1) is None


def test_an_article_shown_with_other_entities_is_indexed_again(setup: Setup) -> None:
    """A correction since the article was indexed (its spans as the app shows them now):
    :meth:`EntityIndex.refresh_article` writes them; the same spans again write nothing.
    Until then, ``entity_at`` with the label shown does not give the old label's entity."""
    [article] = [a for a in setup.workspace.library().articles if a.path.name == "moscow.txt"]
    spans = setup.workspace.finder.cached(article.sha256, article.text)
    assert spans is not None
    start = article.text.index("Moscow")
    assert setup.index.entity_at(article.path, start).id == "GPE:moscow"  # type: ignore[union-attr]
    assert setup.index.refresh_article(article, spans) is False  # as indexed
    generation = setup.index.generation()
    corrected = [dataclasses.replace(s, label="LOC") if s.start == start else s for s in spans]
    # The index not told yet: the mention is not named by its old label's entity.
    assert setup.index.entity_at(article.path, start, "Moscow", "LOC") is None
    assert setup.index.refresh_article(article, corrected) is True
    assert setup.index.generation() > generation
    found = setup.index.entity_at(article.path, start)
    assert found is not None and (found.id, found.label) == ("LOC:moscow", "LOC")
    assert setup.index.entity_at(article.path, start, "Moscow", "LOC") == found
    assert setup.index.refresh_article(article, corrected) is False
    # Not in the index: left to put_article and update.
    setup.index.remove_article(article.path)
    assert setup.index.refresh_article(article, spans) is False
    assert setup.index.entity_at(article.path, start) is None


def test_cooccurrence_may_be_counted_over_the_first_articles(setup: Setup) -> None:
    [tony] = setup.index.find("Tony Blair")
    every = setup.index.page(tony, counted=None)
    first = setup.index.page(tony, order="mentions", counted=1)
    assert every is not None and first is not None
    assert every.counted == 2 and first.counted == 1
    assert first.articles[0].path.name == "geneva.txt"  # 3 mentions there, 1 in London
    names = {c.name for c in first.cooccurring}
    assert "Sergey Lavrov" in names and "Red Cross" not in names  # London not counted
    assert "Red Cross" in {c.name for c in every.cooccurring}


def test_search_entity_uses_the_same_resolution_when_wired(setup: Setup) -> None:
    from reader.search.query import parse

    search = setup.workspace.search_index()
    search.update(setup.workspace)

    def found(query: str) -> list[str]:
        return sorted(hit.path.name for hit in search.search(parse(query)))

    assert found('entity:"Sergey Lavrov"') == ["geneva.txt"]  # its own text only
    search.entity_resolver = setup.index.articles_of
    assert found('entity:"Sergey Lavrov"') == ["geneva.txt", "moscow.txt"]
    assert found("entity:lavrov") == ["geneva.txt", "moscow.txt"]
    assert found("entity:Blair") == ["court.md", "london.txt"]  # the ambiguous one
    assert found("entity:Geneva") == ["geneva.txt"]
    assert found("entity:Nobody") == []
    with AnnotationStore(setup.settings.db_path) as store:
        [blair] = [e for e in setup.index.entities() if e.id == "PERSON:blair"]
        EntityEdits(store).add(merge_edit(blair, setup.index.find("Cherie Blair")[0]))
        setup.index.set_edits(EntityEdits(store).edits())
    assert found('entity:"Cherie Blair"') == ["court.md", "london.txt"]  # the merge, applied
    assert found('entity:"Tony Blair"') == ["geneva.txt", "london.txt"]


def test_an_update_with_nothing_to_do_writes_nothing(setup: Setup) -> None:
    before = setup.index.generation()
    resolution = setup.index.resolution()
    report = setup.index.update(setup.workspace)
    assert report.indexed == report.removed == 0
    assert setup.index.generation() == before
    assert setup.index.resolution() is resolution  # still the one worked out


def test_changed_rules_reindex_every_article(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the consistency rules make of the model's spans is in the index: a change to
    their code (reader/entities/, :func:`rules_digest`) indexes every article again."""
    from reader.search import entity_rows

    assert setup.index.update(setup.workspace).indexed == 0
    monkeypatch.setattr(entity_rows, "_DIGEST", "other rules")
    report = setup.index.update(setup.workspace)
    assert report.indexed == len(ARTICLES)
    assert setup.index.update(setup.workspace).indexed == 0


def test_a_page_indexed_by_a_relative_path_elsewhere_names_the_files(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reader index library` run in one folder, the page read from another (the app open
    elsewhere on the absolute path): the page's paths name the files (and their snippets
    are read), not the relative path taken from the wrong folder."""
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    write_library(tmp_path / "library")
    shutil.copytree(entity_cache, tmp_path / "cache")
    monkeypatch.chdir(tmp_path)
    common = {"db_path": tmp_path / "db.json", "cache_dir": tmp_path / "cache"}
    here = Workspace(Settings(article_paths=[Path("library")], **common), model_in_process=True)
    here.entity_index().update(here)
    here.close()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    there = Workspace(
        Settings(article_paths=[tmp_path / "library"], **common), model_in_process=True
    )
    try:
        page = there.entity_index().page("PERSON:tony blair")
        assert page is not None and page.articles
        for article in page.articles:
            assert article.path.is_file(), article.where
            assert len(article.snippets) == len(article.mentions) > 0
    finally:
        there.close()


def test_a_correction_everywhere_runs_the_rules_again_only_where_its_text_is(
    setup: Setup,
) -> None:
    """Made everywhere (in geneva.txt), "Moscow" relabelled: geneva and moscow, which
    name it, are indexed again; london and court keep their entities (only their key is
    written). Deleted: the same two again. Every page then agrees with `reader entities`."""
    from reader.anchoring.targets import describe
    from reader.annotations import article_ref

    # An index from before the global corrections were kept beside it: the next update,
    # with nothing to index, keeps them (or the correction would index every article).
    with setup.index.transaction() as connection:
        connection.execute("DELETE FROM meta WHERE key LIKE 'everywhere:%'")
    assert setup.index.update(setup.workspace).indexed == 0
    [geneva] = [a for a in setup.workspace.library().articles if a.path.name == "geneva.txt"]
    start = geneva.text.index("Moscow")
    correction = {"action": "relabel", "label": "LOC", "scope": "global", "text": "Moscow"}
    with AnnotationStore(setup.settings.db_path) as store:
        made = store.add_correction(
            article_ref(geneva), describe(geneva.text, start, start + 6), correction
        )
    setup.reopen()
    report = setup.index.update(setup.workspace)
    assert (report.indexed, report.rekeyed) == (2, 2)
    assert setup.index.find("Moscow", "GPE") == []
    assert setup.index.find("Moscow", "LOC")[0].articles == 2
    assert all_mentions(setup) == shown(setup)
    assert setup.index.update(setup.workspace).indexed == 0
    with AnnotationStore(setup.settings.db_path) as store:
        store.delete(made.id)
    setup.reopen()
    report = setup.index.update(setup.workspace)
    assert (report.indexed, report.rekeyed) == (2, 2)
    assert setup.index.find("Moscow", "LOC") == []
    assert setup.index.find("Moscow", "GPE")[0].articles == 2
    assert all_mentions(setup) == shown(setup)


def test_a_correction_everywhere_reaches_the_entity_whatever_its_case(setup: Setup) -> None:
    """Made everywhere on an all-caps "MOSCOW" (a dateline's form): the library's one
    entity Moscow follows it whatever the case of its mentions, and the update indexes the
    two articles naming it again (their text holds "Moscow", not "MOSCOW": a check of the
    text as written skipped them, keeping GPE in the index while `reader entities` said
    LOC)."""
    from reader.anchoring.targets import describe
    from reader.annotations import article_ref

    [geneva] = [a for a in setup.workspace.library().articles if a.path.name == "geneva.txt"]
    start = geneva.text.index("Moscow")
    correction = {"action": "relabel", "label": "LOC", "scope": "global", "text": "MOSCOW"}
    with AnnotationStore(setup.settings.db_path) as store:
        store.add_correction(
            article_ref(geneva), describe(geneva.text, start, start + 6), correction
        )
    setup.reopen()
    report = setup.index.update(setup.workspace)
    assert (report.indexed, report.rekeyed) == (2, 2)
    assert setup.index.find("Moscow", "GPE") == []
    assert setup.index.find("Moscow", "LOC")[0].articles == 2
    labels = {
        (item["path"], span["text"], span["label"])  # type: ignore[index]
        for item in reader_entities(setup)
        for span in item["entities"]  # type: ignore[attr-defined]
        if span["text"] == "Moscow"  # type: ignore[index]
    }
    assert {label for _path, _text, label in labels} == {"LOC"}


def shown(setup: Setup) -> set[tuple[str, int, int]]:
    """Every entity `reader entities` gives (the finder, corrections applied)."""
    return {
        (str(item["path"]), span["start"], span["end"])  # type: ignore[index]
        for item in reader_entities(setup)
        for span in item["entities"]  # type: ignore[attr-defined]
    }


def test_entity_search_through_a_symlinked_library(setup: Setup, tmp_path: Path) -> None:
    """The library named through a symlink: the entity index and the search index key its
    articles alike (`entity:` finds them), and the search shows the link's paths."""
    from reader.search.query import parse

    link = tmp_path / "news"
    link.symlink_to(setup.root, target_is_directory=True)
    settings = dataclasses.replace(setup.settings, article_paths=[link])
    workspace = Workspace(settings, model_in_process=True)
    try:
        index = workspace.entity_index()
        index.update(workspace)
        search = workspace.search_index()
        search.update(workspace)
        search.entity_resolver = index.articles_of
        hits = search.paths(parse('entity:"Sergey Lavrov"'), workspace.library().articles)
        assert hits == [str(link / "geneva.txt"), str(link / "moscow.txt")]
        page = index.page(index.find("Sergey Lavrov")[0])
        assert page is not None
        assert sorted(str(a.path) for a in page.articles) == hits
    finally:
        workspace.close()


def test_one_library_however_named_has_one_index_file(
    setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reader lib`, `reader /abs/lib`, a symlink to it, the folders in another order or
    one given twice: one entity index file, the one the real paths named before they were
    resolved (an existing index stays in use); used through the link, its pages show the
    link's paths, and back through the folder, the folder's again."""
    import hashlib

    other = tmp_path / "other"
    other.mkdir()
    link = tmp_path / "news"
    link.symlink_to(setup.root, target_is_directory=True)
    monkeypatch.chdir(setup.root.parent)

    def named(*paths: Path) -> Path | None:
        return index_file(dataclasses.replace(setup.settings, article_paths=list(paths)))

    real = [str(other), str(setup.root)]
    before = hashlib.blake2b(json.dumps(sorted(real)).encode(), digest_size=6).hexdigest()
    assert named(setup.root, other) == setup.settings.cache_dir / f"entities-{before}.sqlite3"
    assert (
        named(setup.root, other)
        == named(Path(setup.root.name), other)
        == named(link, other)
        == named(other, link)
        == named(other, setup.root, link, Path(setup.root.name))
    )
    assert named(setup.root) == setup.index.path != named(setup.root, other)

    def shown(paths: list[Path]) -> list[str]:
        settings = dataclasses.replace(setup.settings, article_paths=paths)
        workspace = Workspace(settings, model_in_process=True)
        try:
            index = workspace.entity_index()
            assert index.path == setup.index.path
            report = index.update(workspace)
            assert report.indexed == report.removed == 0
            page = index.page(index.find("Sergey Lavrov")[0])
            assert page is not None
            return sorted(str(article.path) for article in page.articles)
        finally:
            workspace.close()

    setup.workspace.close()
    assert shown([link]) == [str(link / "geneva.txt"), str(link / "moscow.txt")]
    assert shown([setup.root]) == [str(setup.root / "geneva.txt"), str(setup.root / "moscow.txt")]


def test_rows_kept_through_a_symlink_take_the_key_without_indexing(
    setup: Setup, tmp_path: Path
) -> None:
    """An entity index written by a version that kept paths as given, the library under a
    symlink: the update gives the rows their key (folders resolved), indexing nothing."""
    link = tmp_path / "news"
    link.symlink_to(setup.root, target_is_directory=True)
    settings = dataclasses.replace(setup.settings, article_paths=[link])
    workspace = Workspace(settings, model_in_process=True)
    try:
        index = workspace.entity_index()
        assert index.path == setup.index.path  # the library's index, however named
        assert index.update(workspace).indexed == 0
        with index.transaction() as connection:  # as the older update left it
            connection.execute(
                "UPDATE articles SET path = replace(path, ?, ?)", (str(setup.root), str(link))
            )
        assert index.update(workspace).indexed == 0
        with index.connection() as connection:
            paths = sorted(row[0] for row in connection.execute("SELECT path FROM articles"))
        assert paths == sorted(str(setup.root / name) for name in ARTICLES)
        assert index.update(workspace).indexed == 0
    finally:
        workspace.close()


class _WriteFirst(threading.Event):
    """An event that runs *write* the first time the update asks whether it is cancelled
    (between its plan and its first batch): another writer's turn, at the worst moment."""

    def __init__(self, write: Callable[[], None]) -> None:
        super().__init__()
        self._write: Callable[[], None] | None = write

    def is_set(self) -> bool:
        write, self._write = self._write, None
        if write is not None:
            write()
        return super().is_set()


def test_a_row_written_meanwhile_is_not_rekeyed_as_it_was_planned(setup: Setup) -> None:
    """A correction made everywhere: london (no "Moscow") is planned to be only rekeyed.
    Meanwhile another writer (the app's panel, `reader entity` in another terminal) writes
    london with another correction made, then undone (before this update's batch: the
    corrections are as planned): the update must not stamp those rows with the current
    key, or no later update indexes london again (its entities stay as the undone
    correction left them)."""
    from reader.anchoring.targets import describe
    from reader.annotations import article_ref

    articles = {a.path.name: a for a in setup.workspace.library().articles}
    geneva, london = articles["geneva.txt"], articles["london.txt"]

    def correct(article: Article, text: str, label: str) -> str:
        start = article.text.index(text)
        correction = {"action": "relabel", "label": label, "scope": "global", "text": text}
        with AnnotationStore(setup.settings.db_path) as store:
            return store.add_correction(
                article_ref(article), describe(article.text, start, start + len(text)), correction
            ).id

    correct(geneva, "Moscow", "LOC")
    setup.reopen()
    made: list[str] = []

    def other_writer() -> None:  # "London" relabelled, london indexed with it
        made.append(correct(london, "London", "LOC"))
        other = Workspace(setup.settings, model_in_process=True)
        try:
            other.open_store_for_corrections()
            spans = other.finder.find(london.sha256, london.text)
            assert any(s.text == "London" and s.label == "LOC" for s in spans)
            setup.index.put_article(london, spans)
        finally:
            other.close()
        with AnnotationStore(setup.settings.db_path) as store:  # undone
            store.delete(made[0])

    report = setup.index.update(setup.workspace, cancelled=_WriteFirst(other_writer))
    assert report.indexed == 2
    setup.fresh()
    assert all_mentions(setup) == shown(setup)
    assert setup.index.find("London", "LOC") == []


def test_a_correction_made_during_an_update_then_undone_is_not_kept(setup: Setup) -> None:
    """A correction made everywhere: geneva (it names "Moscow") is indexed again. While
    the update runs (after its plan) the user makes another one ("Geneva" relabelled),
    then undoes it: geneva's rows must not keep the undone correction under the key of
    the corrections without it (the next update would find nothing to do)."""
    from reader.anchoring.targets import describe
    from reader.annotations import article_ref

    [geneva] = [a for a in setup.workspace.library().articles if a.path.name == "geneva.txt"]

    def correct(text: str, label: str) -> str:
        start = geneva.text.index(text)
        correction = {"action": "relabel", "label": label, "scope": "global", "text": text}
        with AnnotationStore(setup.settings.db_path) as store:
            return store.add_correction(
                article_ref(geneva), describe(geneva.text, start, start + len(text)), correction
            ).id

    correct("Moscow", "LOC")
    setup.reopen()
    made: list[str] = []
    setup.index.update(
        setup.workspace, cancelled=_WriteFirst(lambda: made.append(correct("Geneva", "LOC")))
    )
    with AnnotationStore(setup.settings.db_path) as store:  # undone
        store.delete(made[0])
    setup.fresh()
    assert setup.index.find("Geneva", "LOC") == []
    assert setup.index.find("Geneva", "GPE") != []


def test_the_global_corrections_kept_beside_the_index_do_not_pile_up(setup: Setup) -> None:
    """Each set of global corrections is kept in the index's meta table (every line of it)
    while an article's key names it: made one after another, they would keep every set
    ever made (n² lines), all read at each update."""
    from reader.anchoring.targets import describe
    from reader.annotations import article_ref

    [geneva] = [a for a in setup.workspace.library().articles if a.path.name == "geneva.txt"]
    for text in ("Moscow", "Geneva", "Lavrov", "Blair"):
        start = geneva.text.index(text)
        correction = {"action": "relabel", "label": "ORG", "scope": "global", "text": text}
        with AnnotationStore(setup.settings.db_path) as store:
            store.add_correction(
                article_ref(geneva), describe(geneva.text, start, start + len(text)), correction
            )
        setup.fresh()
    with setup.index.connection() as connection:
        kept = connection.execute("SELECT count(*) FROM meta WHERE key LIKE 'everywhere:%'")
        assert kept.fetchone()[0] == 1
    assert setup.index.update(setup.workspace).indexed == 0


def test_a_cancelled_update_stops_at_its_next_article(setup: Setup) -> None:
    """Asked to stop (the app quitting) during a batch, an update writes what it batched
    and stops at the next article, not at the batch's end; the next update does the rest."""
    path = setup.index.path
    assert path is not None
    setup.workspace.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    setup.reopen()
    setup.index = setup.workspace.entity_index()
    # Asked once before the batch, then before each article: set before the second.
    report = setup.index.update(setup.workspace, cancelled=CancelledAfter(3))
    assert report.indexed == 1 < len(ARTICLES)
    assert setup.index.update(setup.workspace).indexed == len(ARTICLES) - 1
    assert all_mentions(setup) == shown(setup)


def page_titles(setup: Setup) -> dict[str, tuple[str, str | None]]:
    """The title and date of each article on the page of "Blair" (ambiguous: the one
    name), by file name."""
    page = setup.index.page("PERSON:blair", snippets=0)
    assert page is not None
    return {a.path.name: (a.title, a.date) for a in page.articles}


def test_an_unchanged_article_takes_the_title_and_date_of_a_new_catalogue_format(
    setup: Setup,
) -> None:
    """An article with the text it was indexed with keeps its entities, but what a title
    is (CATALOGUE_FORMAT 4: a front matter block not read is no title) or a date may have
    changed since: rows written under another catalogue format (the one before, the old
    title and date in them) get the library's title at the next update, and the date
    read again once; their mentions are not written again."""
    from reader.library.catalogue_format import CATALOGUE_FORMAT

    court = str(setup.root / "court.md")
    assert page_titles(setup)["court.md"] == ("Court hears appeal", "2026-03-02")
    before = all_mentions(setup)
    with setup.index.transaction() as connection:
        connection.execute(
            "UPDATE articles SET title = 'date: 2026-03-02', date = '1999-01-01' WHERE path = ?",
            (court,),
        )
        connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'catalogue'", (str(CATALOGUE_FORMAT - 1),)
        )
    assert page_titles(setup)["court.md"] == ("date: 2026-03-02", "1999-01-01")
    setup.reopen()
    setup.index = setup.workspace.entity_index()
    report = setup.index.update(setup.workspace)
    assert page_titles(setup)["court.md"] == ("Court hears appeal", "2026-03-02")
    assert report.indexed == 0 and report.retitled == 2  # the title, then the date
    assert all_mentions(setup) == before
    # Once: the format is recorded, the next update reads no date.
    generation = setup.index.generation()
    report = setup.index.update(setup.workspace)
    assert report.retitled == 0 and setup.index.generation() == generation


def test_a_title_changed_outside_the_text_is_taken_without_indexing(setup: Setup) -> None:
    """The front matter is not in the displayed text, so not in its hash: a new title there
    leaves the article's entities as indexed and its page shows the new title."""
    court = setup.root / "court.md"
    before = next(a for a in setup.workspace.library().articles if a.path == court).sha256
    court.write_text(ARTICLES["court.md"].replace("---\n#", "title: Appeal heard\n---\n#"), "utf-8")
    setup.reopen()
    article = next(a for a in setup.workspace.library().articles if a.path == court)
    assert (article.title, article.sha256) == ("Appeal heard", before)
    report = setup.index.update(setup.workspace)
    assert page_titles(setup)["court.md"] == ("Appeal heard", "2026-03-02")
    assert report.indexed == 0 and report.retitled == 1


def test_a_date_changed_outside_the_text_is_taken_without_indexing(setup: Setup) -> None:
    """The same for a front matter's date: the page shows the new date (the old one until
    the text changed), the entities as indexed; worked out once, not on every update."""
    court = setup.root / "court.md"
    court.write_text(ARTICLES["court.md"].replace("2026-03-02", "2026-04-20"), "utf-8")
    setup.reopen()
    report = setup.index.update(setup.workspace)
    assert page_titles(setup)["court.md"] == ("Court hears appeal", "2026-04-20")
    assert report.indexed == 0 and report.retitled == 1
    generation = setup.index.generation()
    report = setup.index.update(setup.workspace)
    assert report.retitled == 0 and setup.index.generation() == generation


def test_a_new_catalogue_format_reads_each_file_once_for_both_indexes(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a change of catalogue format the catalogue reads every file again; the entity
    index takes the dates it re-reads from what that read found (the article's meta), not
    from a second read of each file."""
    import reader.library
    from reader.library.catalogue_format import CATALOGUE_FORMAT

    court = str(setup.root / "court.md")
    with setup.index.transaction() as connection:
        connection.execute("UPDATE articles SET date = '1999-01-01' WHERE path = ?", (court,))
        connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'catalogue'", (str(CATALOGUE_FORMAT - 1),)
        )
    assert setup.settings.cache_dir is not None
    kept = setup.settings.cache_dir / catalogue.CATALOGUE_FILE
    data = json.loads(kept.read_text(encoding="utf-8"))
    kept.write_text(json.dumps({**data, "format": CATALOGUE_FORMAT - 1}), encoding="utf-8")
    setup.reopen()
    setup.index = setup.workspace.entity_index()
    read_again: list[Path] = []
    real = reader.library.read_article

    def spied(path: Path, *args: object, **kwargs: object) -> object:
        read_again.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reader.library, "read_article", spied)
    report = setup.index.update(setup.workspace)
    assert report.indexed == 0 and report.retitled == 1  # the date
    assert page_titles(setup)["court.md"] == ("Court hears appeal", "2026-03-02")
    assert read_again == []


def test_an_update_waits_while_a_key_is_served(setup: Setup) -> None:
    """The app's update runs in a thread while the user reads: while a switch waits for
    its highlights (a hold, reader.foreground), its walk over the articles waits (it
    overlapped the next uncached switch: bench/HISTORY.md, profile16)."""
    from reader import foreground

    assert setup.index.path is not None
    setup.index.path.unlink()  # every article to index again
    setup.reopen()
    index = setup.workspace.entity_index()
    reports = []
    holding = foreground.hold(most=60.0)
    try:
        thread = threading.Thread(
            target=lambda: reports.append(index.update(setup.workspace)), daemon=True
        )
        thread.start()
        for _ in range(6000):  # a state, not a duration: until it waits (30 s at most)
            if foreground.waiting() == 1:
                break
            thread.join(0.005)
        assert foreground.waiting() == 1 and not reports
    finally:
        foreground.release(holding)
    thread.join(30)
    assert reports and reports[0].indexed == len(ARTICLES)
