"""The search index (reader/search/index.py): a real SQLite file, a real store, real entities.

A small library in folders (hand-written articles and the seed article) with tags and notes
in a real TinyDB store and entities found by the real spaCy pipeline into a real entity
cache; every field, negation, OR, smart case, accents, phrases across line breaks, dates,
words, sorts, incremental updates, a broken index file; and the agreement with the
brute-force reference (reader/search/reference.py) for generated queries.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import CancelledAfter, entities_found, library_with_entities
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.annotations import article_ref
from reader.library import catalogue
from reader.search.index import INDEX_FILE, SearchIndex, UpdateReport
from reader.search.query import And, Field, Not, Or, Query, Term, format_query, parse
from reader.search.reference import Doc, matches
from reader.settings import Settings
from reader.store import AnnotationStore
from reader.workspace import Workspace

ARTICLES = {
    "world/europe/lavrov.txt": (
        "Lavrov meets Zoë in Geneva\n\n"
        "Sergey Lavrov, the Russian foreign minister, met Zoë Dubois in Geneva on Monday.\n"
        "The foreign\nminister said the talks were useful. LAVROV later left for Moscow.\n"
    ),
    "world/europe/merkel.md": (
        "---\ntitle: ignored\ndate: 2026-05-04\n---\n"
        "# Merkel in Paris\n\nAngela Merkel visited Paris and spoke with Emmanuel Macron about "
        "energy prices and the pipeline.\n"
    ),
    "world/asia/tokyo.txt": (
        "Tokyo markets rise\n\nShares in Tokyo rose as the Bank of Japan kept rates steady. "
        "Analysts at Nomura said the yen would weaken. Zoe Tanaka, an economist, agreed.\n"
    ),
    "energy/grid.txt": (
        "Grid operators warn of winter shortages\n\nThe grid operator said the pipeline from "
        "Norway could not carry more gas. Prices rose in Germany and France.\n"
    ),
    "notes-only.txt": (
        "A short note on well-known things\n\nNothing much here: well known facts, a café "
        "and a cafe. The minister was not available.\n"
    ),
}

MTIME = datetime(2025, 3, 15, 12, 0).timestamp()


@dataclass
class Setup:
    """A library, its settings and a workspace whose finder runs spaCy in this process."""

    root: Path
    settings: Settings
    workspace: Workspace
    index: SearchIndex

    def path(self, name: str) -> Path:
        return self.root / name

    def found(self, text: str) -> list[str]:
        """The names (relative to the library) of the articles the query *text* finds."""
        return [self.name(hit.path) for hit in self.index.search(parse(text))]

    def hand(self, text: str) -> list[str]:
        """Like :meth:`found`, the seed article left out (it has words of its own)."""
        return [name for name in self.found(text) if not name.startswith("seed/")]

    def name(self, path: Path) -> str:
        return Path(path).relative_to(self.root).as_posix()

    def reload(self) -> None:
        """A fresh workspace on the same files (the library is read once per workspace)."""
        self.workspace.close()
        self.workspace = Workspace(self.settings, model_in_process=True)

    def reopen(self) -> None:
        """A fresh workspace (:meth:`reload`) and its search index, not updated yet."""
        self.reload()
        self.index = self.workspace.search_index()

    def updated(self) -> UpdateReport:
        """:meth:`reopen`, then the index updated: the update's report."""
        self.reopen()
        return self.index.update(self.workspace)

    def drop_index(self) -> None:
        """Close the workspace and delete the index's file (and its WAL files)."""
        path = self.index.path
        assert path is not None
        self.workspace.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def write_library(root: Path) -> None:
    for name, text in ARTICLES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, (MTIME, MTIME))
    seed = Path(__file__).resolve().parents[2] / "seeds" / "000_2bfdd9e86e277f2d.txt"
    (root / "seed").mkdir()
    shutil.copy(seed, root / "seed" / seed.name)
    os.utime(root / "seed" / seed.name, (MTIME, MTIME))


@pytest.fixture(scope="module")
def entity_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An entity cache holding the real pipeline's entities of every article (found once)."""
    folder = tmp_path_factory.mktemp("entities")
    write_library(folder / "library")
    return entities_found(folder / "library", folder)


@pytest.fixture
def setup(tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    settings = library_with_entities(tmp_path, write_library, entity_cache)
    root = settings.article_paths[0]
    workspace = Workspace(settings, model_in_process=True)
    articles = {a.path.relative_to(root).as_posix(): a for a in workspace.library().articles}
    with AnnotationStore(settings.db_path) as store:
        store.add_tags(article_ref(articles["energy/grid.txt"]), ["Energy", "winter"])
        store.add_tags(article_ref(articles["world/europe/merkel.md"]), ["energy"])
        store.add_note(article_ref(articles["world/asia/tokyo.txt"]), "Ask Kenji about the yen.")
        store.add_note(article_ref(articles["world/asia/tokyo.txt"]), "Pipeline follow-up")
        store.add_highlight(
            article_ref(articles["energy/grid.txt"]),
            {"position": {"start": 0, "end": 4}, "quote": {"exact": "Grid"}},
        )
    index = workspace.search_index()
    report = index.update(workspace)
    assert report.added == len(ARTICLES) + 1 and report.entities == report.added
    assert index.path == settings.cache_dir / INDEX_FILE and index.path.is_file()
    made = Setup(root, settings, workspace, index)
    yield made
    made.workspace.close()


ALL = sorted([*ARTICLES, "seed/000_2bfdd9e86e277f2d.txt"])


def library_order(setup: Setup) -> list[str]:
    return [setup.name(a.path) for a in setup.workspace.library().articles]


def test_free_words_whole_words_in_title_text_notes_and_tags(setup: Setup) -> None:
    assert setup.hand("pipeline") == [
        n
        for n in library_order(setup)
        if n in {"world/europe/merkel.md", "energy/grid.txt", "world/asia/tokyo.txt"}
    ]
    assert setup.hand("kenji") == ["world/asia/tokyo.txt"]  # in a note only
    assert setup.hand("winter") == ["energy/grid.txt"]  # a tag and the title
    assert setup.hand("pipe") == []  # whole words only
    assert setup.hand("Pipeline") == ["world/asia/tokyo.txt"]  # smart case: the note


def test_smart_case_and_accents(setup: Setup) -> None:
    assert set(setup.hand("lavrov")) == {"world/europe/lavrov.txt"}
    assert setup.hand("Lavrov") == ["world/europe/lavrov.txt"]
    assert setup.hand("LAVROV") == ["world/europe/lavrov.txt"]
    assert setup.hand("Moscow") == ["world/europe/lavrov.txt"]
    assert setup.hand("MOSCOW") == []
    both = {"world/europe/lavrov.txt", "world/asia/tokyo.txt"}
    assert set(setup.hand("zoe")) == both
    assert set(setup.hand("Zoë")) == both  # accents folded on both sides
    assert set(setup.hand("Zoe")) == both
    assert set(setup.hand("cafe")) == {"notes-only.txt"}


def test_phrases_across_line_breaks_and_punctuation(setup: Setup) -> None:
    assert setup.hand('"foreign minister"') == ["world/europe/lavrov.txt"]
    assert setup.hand('"minister said"') == ["world/europe/lavrov.txt"]  # across "\n"
    assert setup.hand("well-known") == ["notes-only.txt"]
    assert setup.hand('"known facts"') == ["notes-only.txt"]
    assert setup.hand('"pipeline follow"') == ["world/asia/tokyo.txt"]
    # A phrase never runs from one note into the next.
    assert setup.hand('"yen pipeline"') == []


def test_negation_or_and_grouping(setup: Setup) -> None:
    order = library_order(setup)
    assert setup.hand("-minister") == [
        n
        for n in order
        if n not in {"world/europe/lavrov.txt", "notes-only.txt"} and not n.startswith("seed/")
    ]
    assert setup.hand("tokyo OR paris") == [
        n for n in order if n in {"world/asia/tokyo.txt", "world/europe/merkel.md"}
    ]
    assert setup.hand("(tokyo OR paris) -yen") == ["world/europe/merkel.md"]
    assert setup.hand("gas prices") == ["energy/grid.txt"]


def test_tags_notes_and_kinds(setup: Setup) -> None:
    order = library_order(setup)
    energy = [n for n in order if n in {"energy/grid.txt", "world/europe/merkel.md"}]
    assert setup.found("tag:energy") == energy
    assert setup.found("tag:ENERGY") == energy
    assert setup.found("tag:ener") == []
    assert setup.found("has:note") == ["world/asia/tokyo.txt"]
    assert setup.found("has:highlight") == ["energy/grid.txt"]
    assert setup.found("has:correction") == []
    assert setup.found("is:unread") == order  # no read state in the store yet
    assert setup.found("is:read") == []


def test_read_state_given_by_the_caller(setup: Setup) -> None:
    articles = setup.workspace.library().articles
    first = articles[0]
    hits = setup.index.search(parse("is:read"), read=frozenset({first.sha256}))
    assert [hit.sha256 for hit in hits] == [first.sha256]
    hits = setup.index.search(parse("is:unread"), read=frozenset({first.sha256}))
    assert first.sha256 not in {hit.sha256 for hit in hits}


def test_folders_paths_and_titles(setup: Setup) -> None:
    europe = [n for n in library_order(setup) if n.startswith("world/europe/")]
    assert setup.found("in:europe") == europe
    assert setup.found("in:World/Europe") == europe
    assert setup.found("in:world") == [n for n in library_order(setup) if n.startswith("world/")]
    assert setup.found("in:rope") == []
    assert setup.found("in:library") == []  # the library's root is no folder of its own
    assert setup.found("path:MERKEL.md") == ["world/europe/merkel.md"]
    assert setup.found("path:asia/tok") == ["world/asia/tokyo.txt"]
    assert setup.found("title:tokyo") == ["world/asia/tokyo.txt"]
    assert setup.found("title:yen") == []


def test_dates_from_front_matter_else_mtime(setup: Setup) -> None:
    assert setup.found("date:2026-05") == ["world/europe/merkel.md"]
    assert setup.found("date:2026-05-04") == ["world/europe/merkel.md"]
    everything_else = [n for n in library_order(setup) if n != "world/europe/merkel.md"]
    assert setup.found("date:2025-03-15") == everything_else
    assert setup.found("date:>2025-12-31") == ["world/europe/merkel.md"]
    assert setup.found("date:..2025-03") == everything_else


def test_words(setup: Setup) -> None:
    counts = {setup.name(a.path): a.word_count for a in setup.workspace.library().articles}
    assert setup.found("words:>100") == [n for n in library_order(setup) if counts[n] > 100]
    assert setup.found("words:..30") == [n for n in library_order(setup) if counts[n] <= 30]


def test_sorts(setup: Setup) -> None:
    articles = setup.workspace.library().articles
    by_words = sorted(articles, key=lambda a: a.word_count)
    assert setup.found("sort:words") == [setup.name(a.path) for a in by_words]
    assert setup.found("sort:-words") == [
        setup.name(a.path) for a in sorted(articles, key=lambda a: -a.word_count)
    ]
    assert setup.found("sort:-date")[0] == "world/europe/merkel.md"
    assert setup.found("sort:date")[-1] == "world/europe/merkel.md"
    titles = setup.found("sort:title")
    assert titles == [
        setup.name(a.path) for a in sorted(articles, key=lambda a: a.title.casefold())
    ]
    # Most mentions of the query's entity first.
    hits = setup.found('label:GPE sort:mentions entity:"Paris" OR label:GPE')
    assert hits  # parses, runs
    found = setup.index.search(parse("label:GPE sort:mentions"))
    assert len(found) >= 3


def test_entities_and_labels_agree_with_the_finder(setup: Setup) -> None:
    """What `reader entities` prints (the finder) and label:/entity: find, for every article."""
    workspace = setup.workspace
    workspace.open_store_for_corrections()
    shown: dict[str, set[tuple[str, str]]] = {}
    for article in workspace.library().articles:
        spans = workspace.finder.find(article.sha256, article.text)
        shown[setup.name(article.path)] = {(" ".join(s.text.split()), s.label) for s in spans}
    assert any(shown.values())
    labels = {label for pairs in shown.values() for _, label in pairs}
    texts = {text for pairs in shown.values() for text, _ in pairs}
    for label in labels:
        expected = {n for n, pairs in shown.items() if any(lb == label for _, lb in pairs)}
        hits = setup.index.search(Query(Field("label", label)))
        assert {setup.name(h.path) for h in hits} == expected, label
    for text in texts:
        expected = {
            n
            for n, pairs in shown.items()
            if any(t.casefold() == text.casefold() for t, _ in pairs)
        }
        hits = setup.index.search(Query(Field("entity", text, phrase=" " in text)))
        assert {setup.name(h.path) for h in hits} == expected, text


def test_hits_say_why_with_a_safe_snippet(setup: Setup) -> None:
    (hit,) = setup.index.search(parse('"foreign minister" tag:nothing OR kenji'))
    assert hit.fields == ("notes",)
    (hit,) = setup.index.search(parse("geneva in:europe"))
    assert hit.fields == ("title", "text", "in")
    assert "\n" not in hit.snippet
    start, end = hit.marks[0]
    assert hit.snippet[start:end].casefold() == "geneva"
    assert setup.index.search(parse("geneva"), explain=False)[0].fields == ()


def test_incremental_updates(setup: Setup) -> None:
    index = setup.index
    # Edit a file: indexed again (new hash), the old words gone.
    grid = setup.path("energy/grid.txt")
    grid.write_text("Grid operators rest\n\nThe turbines in Denmark were quiet.\n", "utf-8")
    setup.reload()
    report = index.update(setup.workspace)
    assert (report.changed, report.added, report.removed) == (1, 0, 0)
    assert setup.found("turbines") == ["energy/grid.txt"]
    assert setup.found("norway") == []
    # Add a note and a tag: picked up from the store.
    article = next(a for a in setup.workspace.library().articles if a.path.name == "lavrov.txt")
    with AnnotationStore(setup.settings.db_path) as store:
        store.add_note(article_ref(article), "Check the transcript")
        store.add_tags(article_ref(article), ["diplomacy"])
    setup.reload()
    report = index.update(setup.workspace)
    assert report.annotated == 1 and report.changed == 0
    assert setup.found("transcript") == ["world/europe/lavrov.txt"]
    assert setup.found("tag:diplomacy has:note") == ["world/europe/lavrov.txt"]
    # Delete a file: taken out.
    setup.path("world/asia/tokyo.txt").unlink()
    setup.reload()
    report = index.update(setup.workspace)
    assert report.removed == 1
    assert setup.found("tokyo") == []
    # A new file whose entities are not cached yet: indexed, its entities on a later update.
    new = setup.path("world/new.txt")
    new.write_text("Olaf Scholz in Berlin\n\nOlaf Scholz spoke in Berlin.\n", "utf-8")
    setup.reload()
    report = index.update(setup.workspace)
    # Missing: this one and the edited grid.txt (neither was through the model).
    assert report.added == 1 and report.entities_missing == 2
    assert setup.found("scholz") == ["world/new.txt"]
    assert setup.found('entity:"Olaf Scholz"') == []
    article = next(a for a in setup.workspace.library().articles if a.path == new)
    setup.workspace.finder.find(article.sha256, article.text)
    report = index.update(setup.workspace)
    assert report.entities == 1 and report.entities_missing == 1
    assert setup.found('entity:"olaf scholz"') == ["world/new.txt"]
    # Nothing changed: nothing done.
    report = index.update(setup.workspace)
    assert (report.added, report.changed, report.removed, report.annotated, report.entities) == (
        0,
        0,
        0,
        0,
        0,
    )


def test_a_title_edited_in_front_matter_is_indexed_again(setup: Setup) -> None:
    """The front matter is not part of the displayed text, so its hash stays: the title
    alone tells the index the article changed (a title: query found the old one)."""
    brief = setup.path("brief.md")
    body = "\nThe summit ended without a statement.\n"
    brief.write_text(f"---\ntitle: Summit in Paris\n---\n{body}", "utf-8")
    assert setup.updated().added == 1
    assert setup.found("title:paris") == ["brief.md"]
    brief.write_text(f"---\ntitle: Summit in Rome\n---\n{body}", "utf-8")
    report = setup.updated()
    assert (report.changed, report.added, report.removed) == (1, 0, 0)
    assert setup.found("title:rome") == ["brief.md"]
    assert setup.found("title:paris") == []
    assert setup.updated().changed == 0


def test_a_date_edited_in_front_matter_is_taken(setup: Setup) -> None:
    """A front matter's date edited with the text unchanged (its hash stays): ``date:``
    and ``sort:date`` follow the new date (they kept the old one until the text changed)."""
    brief = setup.path("brief.md")
    body = "\nThe summit ended without a statement.\n"
    brief.write_text(f"---\ndate: 2024-01-10\n---\n{body}", "utf-8")
    assert setup.updated().added == 1
    assert setup.found("date:2024-01-10") == ["brief.md"]
    brief.write_text(f"---\ndate: 2026-09-20\n---\n{body}", "utf-8")
    report = setup.updated()
    assert (report.changed, report.added, report.removed) == (1, 0, 0)
    assert setup.found("date:2026-09-20") == ["brief.md"]
    assert setup.found("date:2024-01-10") == []
    assert setup.found("sort:date")[-1] == "brief.md"
    assert setup.updated().changed == 0
    # The date taken out: the file's day, as for an article indexed without one.
    brief.write_text(f"---\nauthor: Ann Lee\n---\n{body}", "utf-8")
    os.utime(brief, (MTIME, MTIME))
    setup.updated()
    assert "brief.md" in setup.found("date:2025-03-15")
    assert setup.found("date:2026-09-20") == []


def test_an_article_date_is_worked_out_once_per_read(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged article read by this process has its date worked out at one update,
    not again at each (a stat and a parse per article and update)."""
    from reader.search import reading

    brief = setup.path("brief.md")
    brief.write_text("---\ndate: 2024-01-10\n---\nThe summit ended.\n", "utf-8")
    setup.updated()
    brief.write_text("---\ndate: 2026-09-20\n---\nThe summit ended.\n", "utf-8")
    setup.reopen()  # the file read again by this workspace: its meta known
    worked_out: list[str] = []
    real = reading.indexed_day

    def spied(meta: object, path: str) -> str:
        worked_out.append(setup.name(Path(path)))
        return real(meta, path)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "indexed_day", spied)
    assert setup.index.update(setup.workspace).changed == 1
    assert worked_out == ["brief.md"]
    assert setup.index.update(setup.workspace).changed == 0
    assert worked_out == ["brief.md"]


def test_a_narrower_library_keeps_the_rest(setup: Setup) -> None:
    """`reader search x some/folder` indexes a part; the rest stays for the next full run."""
    narrow = Settings(
        article_paths=[setup.path("world")],
        db_path=setup.settings.db_path,
        cache_dir=setup.settings.cache_dir,
    )
    workspace = Workspace(narrow, model_in_process=True)
    report = setup.index.update(workspace)
    assert report.removed == 0
    hits = setup.index.search(parse("in:europe"))
    assert sorted(hit.path.name for hit in hits) == ["lavrov.txt", "merkel.md"]
    assert setup.index.search(parse("in:world")) == []  # relative to the root given
    workspace.close()


@pytest.mark.parametrize("damage", ["garbage", "foreign", "old format"])
def test_a_broken_or_foreign_index_file_is_rebuilt(setup: Setup, damage: str) -> None:
    path = setup.index.path
    assert path is not None
    setup.workspace.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if damage == "garbage":
        path.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    elif damage == "foreign":
        path.unlink()
        with sqlite3.connect(path) as other:
            other.execute("CREATE TABLE something(x)")
        other.close()
    else:
        with sqlite3.connect(path) as old:
            old.execute("UPDATE meta SET value = '0' WHERE key = 'format'")
        old.close()
    setup.reload()
    index = setup.workspace.search_index()
    report = index.update(setup.workspace)
    assert report.rebuilt and "rebuilt" in report.rebuilt
    assert report.added == len(ALL)
    assert [setup.name(h.path) for h in index.search(parse("geneva"))] == [
        "world/europe/lavrov.txt"
    ]


def test_an_unwritable_cache_dir_means_an_index_in_memory(setup: Setup, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache dir should be", "utf-8")
    index = SearchIndex.in_cache_dir(blocker / "cache")
    report = index.update(setup.workspace)
    assert index.in_memory and report.added == len(ALL)
    assert [h.path.name for h in index.search(parse("geneva"))] == ["lavrov.txt"]
    index.close()


def test_other_threads_get_their_own_connection(setup: Setup) -> None:

    results: list[int] = []

    def query() -> None:
        results.append(len(setup.index.search(parse("minister"), explain=False)))

    threads = [threading.Thread(target=query) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and results[0] >= 2


# --- agreement with the reference ------------------------------------------------------


def reference_docs(setup: Setup) -> dict[str, Doc]:
    """Each article as reader/search/reference.py sees it, built without the index."""
    workspace = setup.workspace
    workspace.open_store_for_corrections()
    store = workspace.store
    assert store is not None
    tags = {a["sha256"]: tuple(a["tags"]) for a in store.articles()}
    docs = {}
    for article in workspace.library().articles:
        annotations = store.annotations(article.sha256)
        name = setup.name(article.path)
        spans = workspace.finder.find(article.sha256, article.text)
        from reader.library.frontmatter import parse_date

        day = parse_date(article.meta.get("date")) or date.fromtimestamp(
            article.path.stat().st_mtime
        )
        docs[name] = Doc(
            title=article.title,
            text=article.text,
            notes=tuple(a.body for a in annotations if a.body),
            tags=tags.get(article.sha256, ()),
            entities=tuple((s.text, s.label) for s in spans),
            has=frozenset(a.kind for a in annotations),
            folder=str(Path(name).parent).replace(".", ""),
            path=str(article.path),
            date=day,
            words=article.word_count,
        )
    return docs


def generated_queries(docs: dict[str, Doc], count: int, seed: int) -> list[Query]:
    """Queries over the library's own words, tags, entities and folders (seeded)."""
    rng = random.Random(seed)
    from reader.search.text_match import words

    vocabulary = sorted({w for d in docs.values() for w in words(d.text)})
    texts = [d.text for d in docs.values()]
    tags = [*sorted({t for d in docs.values() for t in d.tags}), "nothing"]
    entities = sorted({e for d in docs.values() for e, _ in d.entities})
    labels = [*sorted({lb for d in docs.values() for _, lb in d.entities}), "LAW"]
    folders = [*sorted({p for d in docs.values() for p in d.folder.split("/") if p}), "x"]

    def word() -> str:
        w = rng.choice(vocabulary)
        return rng.choice([w, w.lower(), w.upper(), w.capitalize()])

    def phrase() -> Term:
        ws = words(rng.choice(texts))
        i = rng.randrange(max(1, len(ws) - 3))
        chosen = " ".join(ws[i : i + rng.randint(2, 3)])
        return Term(rng.choice([chosen, chosen.lower()]), phrase=True)

    def leaf() -> object:
        kind = rng.randrange(12)
        if kind < 4:
            return Term(word())
        if kind == 4:
            return phrase()
        if kind == 5:
            return Field("tag", rng.choice(tags).upper())
        if kind == 6:
            entity = rng.choice(entities)
            return Field("entity", rng.choice([entity, entity.lower()]), " " in entity)
        if kind == 7:
            return Field("label", rng.choice(labels))
        if kind == 8:
            return Field("has", rng.choice(["note", "highlight", "correction"]))
        if kind == 9:
            return Field("in", rng.choice(folders))
        if kind == 10:
            return Field("title", word())
        return parse(rng.choice(["date:2026", "date:<2026", "words:>60", "words:..40"])).where

    def node(depth: int) -> object:
        if depth == 0 or rng.random() < 0.4:
            return leaf()
        kind = rng.choice(["and", "or", "not"])
        if kind == "not":
            return Not(node(depth - 1))  # type: ignore[arg-type]
        children = tuple(node(depth - 1) for _ in range(rng.randint(2, 3)))
        return (And if kind == "and" else Or)(children)  # type: ignore[arg-type]

    return [Query(node(3)) for _ in range(count)]  # type: ignore[arg-type]


def test_the_index_agrees_with_the_reference_for_generated_queries(setup: Setup) -> None:
    docs = reference_docs(setup)
    for query in generated_queries(docs, 400, seed=11):
        expected = [n for n in library_order(setup) if matches(query, docs[n])]
        found = [setup.name(h.path) for h in setup.index.search(query, explain=False)]
        assert found == expected, format_query(query)


def test_batched_explanations_agree_with_each_hit_explained_alone(setup: Setup) -> None:
    """Fields and snippets worked out for all hits at once are those of each hit searched
    alone (its article as the whole scope), for generated queries."""
    docs = reference_docs(setup)
    articles = setup.workspace.library().articles
    by_name = {setup.name(a.path): a for a in articles}
    for query in generated_queries(docs, 120, seed=5):
        together = setup.index.search(query, articles)
        for hit in together:
            (alone,) = setup.index.search(query, [by_name[setup.name(hit.path)]])
            assert alone == hit, format_query(query)


def test_hits_stream_in_order_each_explained_when_taken(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.search import index as index_module

    query = parse("minister OR tokyo OR pipeline OR the")
    expected = setup.index.search(query)
    assert len(expected) >= 3
    explained: list[str] = []
    real = index_module.find_snippet

    def counting(text: str, pattern: object, *args: object) -> object:
        explained.append(text)
        return real(text, pattern, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(index_module, "find_snippet", counting)
    stream = setup.index.hits(query)
    assert explained == []
    assert next(stream) == expected[0] and len(explained) == 1
    assert [expected[0], *stream] == expected and len(explained) == len(expected)


def test_snippets_mark_the_words_found_in_the_text(setup: Setup) -> None:
    from reader.search.snippet_line import PARAGRAPH_MARK
    from reader.search.text_match import fold

    for text in ("minister", '"foreign minister"', "zoe", "ZOË", "well-known", "entity:Lavrov"):
        for hit in setup.index.search(parse(text)):
            if not hit.snippet:
                continue
            # A blank line is shown as PARAGRAPH_MARK: the title is not run into the text.
            body = " ".join(hit.snippet.strip("…").replace(PARAGRAPH_MARK, " ").split())
            assert body in " ".join(setup.path(setup.name(hit.path)).read_text().split())
            assert hit.marks, (text, hit.snippet)
            wanted = fold(text.split(":")[-1].strip('"'), casefold=True).replace("-", " ")
            for start, end in hit.marks:
                found = fold(hit.snippet[start:end], casefold=True)
                assert " ".join(found.replace("-", " ").split()) == wanted


@pytest.mark.parametrize(
    ("text", "words", "snippet", "marked"),
    [
        # From the paragraph's start (a blank line ends a sentence: the title is left out).
        (
            "Talks in Geneva\n\nThe foreign\nminister arrived in Geneva on Monday. More, words "
            "here and there and everywhere.",
            ["minister"],
            "…The foreign minister arrived in Geneva on Monday. More, words here and there and "
            "everywhere.",
            ["minister"],
        ),
        # From the text's start, which starts a sentence; the rest cut with an ellipsis; the
        # title and the text apart.
        (
            "Talks in Geneva\n\nThe foreign\nminister arrived in Geneva on Monday. More, words "
            "here and there and everywhere.",
            ["talks"],
            "Talks in Geneva · The foreign minister arrived in Geneva on Monday. More, words "
            "here and there…",
            ["Talks"],
        ),
        # Near the end: more words before, the text's end kept.
        (
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty end.",
            ["twenty"],
            "…six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
            "seventeen eighteen nineteen twenty end.",
            ["twenty"],
        ),
        # From the sentence that starts nearest before the words found.
        (
            "a b c d e f g h i j k l m n o p q r s t u v w. The foreign minister spoke for "
            "a long time about the things that matter most to all of them here today",
            ["foreign", "minister"],
            "…The foreign minister spoke for a long time about the things that matter most to all…",
            ["foreign minister"],
        ),
        # Accents and compatibility forms folded, offsets in the text as it is.
        ("Zoë’s ﬁne café … a Cafe", ["cafe"], "Zoë’s ﬁne café … a Cafe", ["café", "Cafe"]),
        ("Le ﬁne café, zoë", ["zoe"], "Le ﬁne café, zoë", ["zoë"]),
        # Whole words only.
        ("ministers and the minister", ["minister"], "ministers and the minister", ["minister"]),
    ],
)
def test_a_snippet_is_the_words_around_the_first_found(
    text: str, words: list[str], snippet: str, marked: list[str]
) -> None:
    from reader.search.snippets import find_snippet, snippet_pattern

    pattern = snippet_pattern([words[:1]] if len(words) == 1 else [words])
    assert pattern is not None
    found = find_snippet(text, pattern)
    assert found is not None
    assert found.text == snippet
    assert [found.text[s:e] for s, e in found.marks] == marked
    assert find_snippet("nothing here", pattern) is None


def test_a_search_does_not_wait_for_an_update(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app searches on every keystroke while the index may be updating: a search reads
    # the last commit (WAL) instead of queuing behind the update's write transaction.

    before = {setup.name(h.path) for h in setup.index.search(parse("minister"), explain=False)}
    edited = setup.root / "energy" / "grid.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    setup.workspace._library = None  # the library as it is on disk now
    inside, go = threading.Event(), threading.Event()
    from reader.search import writing

    insert = writing.insert_new

    def held(*args: object, **kwargs: object) -> object:
        inside.set()
        go.wait(30)
        return insert(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "insert_new", held)
    updating = threading.Thread(target=lambda: setup.index.update(setup.workspace))
    updating.start()
    try:
        assert inside.wait(30), "the update never reached its write transaction"
        found: list[set[str]] = []
        searching = threading.Thread(
            target=lambda: found.append(
                {setup.name(h.path) for h in setup.index.search(parse("minister"), explain=False)}
            )
        )
        searching.start()
        searching.join(20)
        assert not searching.is_alive(), "the search waited for the update"
        assert found == [before]
    finally:
        go.set()
        updating.join(30)


def test_indexing_keeps_no_article_text_in_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app holds its library for the whole session: an index built in the background
    # must not leave every article's text in memory (tens of MB at 10,000 articles).
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    root = tmp_path / "library"
    write_library(root)
    settings = Settings(
        article_paths=[root], db_path=tmp_path / "db.json", cache_dir=tmp_path / "c"
    )
    Workspace(settings).library()  # catalogued: the next load reads no text
    workspace = Workspace(settings)
    articles = workspace.library().articles
    assert articles and not any(a.loaded for a in articles)
    report = workspace.search_index().update(workspace, entities=False)
    assert report.added == len(articles)
    assert not any(a.loaded for a in articles)
    hits = workspace.search_index().search(parse("minister"), articles, explain=False)
    assert hits
    workspace.close()


def test_paths_are_the_hits_paths_in_the_same_order(setup: Setup) -> None:
    # The app's filter asks for paths alone, on every keystroke.
    for text in ("minister", "-minister", "tag:energy OR in:world", "sort:-title", "nothing9"):
        query = parse(text)
        expected = [str(hit.path) for hit in setup.index.search(query, explain=False)]
        assert setup.index.paths(query) == expected, text
    assert setup.index.paths(parse("minister"))  # the comparison is of something


def _entity_tables(index: SearchIndex) -> list[object]:
    """Every article's indexed entities: its rows, its full-text columns and its key."""
    with index._connection() as connection:
        return [
            connection.execute(
                "SELECT a.path, m.folded, m.label, m.text, m.count FROM mentions m "
                "JOIN articles a ON a.id = m.article ORDER BY a.path, m.folded, m.label"
            ).fetchall(),
            connection.execute(
                "SELECT a.path, f.entities, f.labels, a.entities_key FROM fts f "
                "JOIN articles a ON a.id = f.rowid ORDER BY a.path"
            ).fetchall(),
        ]


def test_a_rebuild_takes_the_kept_entities_and_indexes_the_same(setup: Setup) -> None:
    """The rules' results are kept beside the index: an index built again from scratch takes
    them (the rules not run) and holds exactly what the rules gave; an article whose
    corrections changed since gets the rules again."""
    from reader.anchoring import describe
    from reader.search.entity_rows import ROWS_FILE

    ruled = _entity_tables(setup.index)
    assert ruled[0] and all(key for *_, key in ruled[1])
    assert (setup.settings.cache_dir / ROWS_FILE).is_file()

    def rebuild() -> tuple[object, list[object]]:
        setup.drop_index()
        report = setup.updated()
        return report, _entity_tables(setup.index)

    report, kept = rebuild()
    assert report.entities == report.entities_kept == len(ALL)
    assert kept == ruled
    # A correction on one article: its key changes, so its kept rows are not taken.
    article = next(a for a in setup.workspace.library().articles if a.path.name == "lavrov.txt")
    start = article.text.index("Geneva")
    with AnnotationStore(setup.settings.db_path) as store:
        store.add_correction(
            article_ref(article),
            describe(article.text, start, start + len("Geneva")),
            {"action": "relabel", "label": "ORG", "scope": "article", "text": "Geneva"},
        )
    report, corrected = rebuild()
    assert report.entities == len(ALL) and report.entities_kept == len(ALL) - 1
    assert setup.found("entity:Geneva label:ORG") == ["world/europe/lavrov.txt"]
    report, again = rebuild()
    assert report.entities_kept == len(ALL) and again == corrected


def test_kept_rows_of_an_older_format_are_dropped_and_the_rules_run(setup: Setup) -> None:
    """A kept file from before the full-text columns were kept with the rows (no
    ``user_version``, three columns) is emptied: the rules run again and the index holds
    what they give."""
    from reader.search.entity_rows import ROWS_FILE

    ruled = _entity_tables(setup.index)
    setup.drop_index()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{setup.settings.cache_dir / ROWS_FILE}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(setup.settings.cache_dir / ROWS_FILE) as old:
        old.execute(
            "CREATE TABLE rows(sha256 TEXT PRIMARY KEY, key TEXT NOT NULL, "
            "mentions TEXT NOT NULL) WITHOUT ROWID"
        )
        old.execute("INSERT INTO rows VALUES ('x', 'y', '[]')")
    report = setup.updated()
    assert report.problems == []
    assert report.entities == len(ALL) and report.entities_kept == 0
    assert _entity_tables(setup.index) == ruled
    # ... and kept again, in the new format: the next rebuild takes them.
    setup.drop_index()
    report = setup.updated()
    assert report.entities == report.entities_kept == len(ALL)
    assert _entity_tables(setup.index) == ruled


def _all_tables(index: SearchIndex) -> list[object]:
    """What the index holds of every article (by path, not row id), and its indexes."""
    with index._connection() as connection:
        return [
            *_entity_tables(index),
            connection.execute(
                "SELECT path, shown_path, path_folded, folder, sha256, title, title_folded, "
                "date, words, plain, has_note, has_highlight, has_correction, store_key, "
                "entities_key, position FROM articles ORDER BY path"
            ).fetchall(),
            connection.execute(
                "SELECT a.path, f.title, f.text, f.notes, f.tags, f.folder, f.path FROM fts f "
                "JOIN articles a ON a.id = f.rowid ORDER BY a.path"
            ).fetchall(),
            connection.execute(
                "SELECT a.path, f.depth, f.name FROM folders f JOIN articles a "
                "ON a.id = f.article ORDER BY a.path, f.depth"
            ).fetchall(),
            connection.execute(
                "SELECT a.path, t.tag FROM tags t JOIN articles a ON a.id = t.article "
                "ORDER BY a.path, t.tag"
            ).fetchall(),
            connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "ORDER BY name"
            ).fetchall(),
        ]


def test_a_bulk_build_in_batches_indexes_the_same(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many new articles at once are written in batches with the lookup indexes made again
    at the end: the index holds exactly what one at a time gave, and answers the same."""
    from reader.search import writing

    queries = ["minister", "tag:energy", "label:PERSON", "entity:Geneva", "in:europe", "-the"]
    expected = _all_tables(setup.index), [setup.found(query) for query in queries]
    assert expected[0][0] and expected[0][-1]  # entity rows, and the lookup indexes
    monkeypatch.setattr(writing, "BULK", 1)
    monkeypatch.setattr(writing, "INSERT_BATCH", 2)
    setup.drop_index()
    report = setup.updated()
    assert report.added == len(ALL) and report.entities_kept == len(ALL)
    assert (_all_tables(setup.index), [setup.found(query) for query in queries]) == expected


def test_entity_coverage_reads_the_corrections_not_the_whole_store(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reader search label:…` counts the articles whose entities are found as the last
    update noted it (no store opened), or else from the index and the store's corrections
    alone: every note and highlight is not read (1.4 s at 100,000 annotations); the count
    agrees with an update's."""
    from reader.anchoring import describe
    from reader.search import writing

    article = next(a for a in setup.workspace.library().articles if a.path.name == "lavrov.txt")
    start = article.text.index("Geneva")
    with AnnotationStore(setup.settings.db_path) as store:
        for scope in ("article", "global"):
            store.add_correction(
                article_ref(article),
                describe(article.text, start, start + len("Geneva")),
                {"action": "relabel", "label": "ORG", "scope": scope, "text": "Geneva"},
            )
        store.add_note(article_ref(article), "One more note.")
    report = setup.updated()
    assert report.entities == len(ALL) and report.entities_missing == 0
    store = setup.workspace.store
    full = writing.store_snapshot(store)
    assert full.corrections and full.global_corrections
    only = writing.corrections_snapshot(store)
    assert (only.corrections, only.global_corrections) == (
        full.corrections,
        full.global_corrections,
    )

    def whole_store(*args: object, **kwargs: object) -> object:
        raise AssertionError("the whole store was read")

    monkeypatch.setattr(AnnotationStore, "iter_annotations", whole_store)
    # As the update noted it: no store opened at all.
    setup.reopen()
    assert setup.index.entity_coverage(setup.workspace) == (len(ALL), len(ALL))
    assert setup.workspace.store is None
    # Another update since (the note is of an older generation): worked out again, from
    # the corrections alone.
    with setup.index._connection() as connection:
        connection.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
    assert setup.index.entity_coverage(setup.workspace) == (len(ALL), len(ALL))
    assert setup.workspace.store is not None
    with setup.index._connection() as connection:
        connection.execute("UPDATE articles SET entities_key = 'other' WHERE id = 1")
    assert setup.index.entity_coverage(setup.workspace) == (len(ALL) - 1, len(ALL))


def test_snippet_texts_are_the_indexed_texts(setup: Setup) -> None:
    """The texts snippets are found in are read from the FTS table's content table: the
    ``text_shown`` column's, as the FTS table gives them."""
    with setup.index._connection() as connection:
        given = dict(connection.execute("SELECT rowid, text_shown FROM fts").fetchall())
    assert len(given) == len(ALL)
    assert setup.index._texts(list(given)) == given


def test_a_query_typed_with_decomposed_accents_finds_the_same(setup: Setup) -> None:
    import unicodedata

    setup.path("naive.txt").write_text(
        "Naïve art\n\nA naïve painter in Genève and İstanbul.\n", "utf-8"
    )
    setup.reload()
    setup.index.update(setup.workspace)
    for text in ("naïve", "Naïve", '"naïve painter"', "title:naïve", "genève", "Genève"):
        decomposed = unicodedata.normalize("NFD", text)
        assert decomposed != text
        hits = setup.index.search(parse(decomposed))
        assert [setup.name(hit.path) for hit in hits] == ["naive.txt"], text
        assert hits == setup.index.search(parse(text))  # the same fields and snippet
    # A mark nothing composes with: "İstanbul".lower() is "i" U+0307 "stanbul".
    hits = setup.index.search(parse("İstanbul".lower()))
    assert [setup.name(hit.path) for hit in hits] == ["naive.txt"]
    assert hits == setup.index.search(parse("istanbul"))


def test_a_word_with_an_accent_nothing_composes_is_found_in_its_case(setup: Setup) -> None:
    """A text in NFKD form with a combining mark left (no letter composes with it) has
    its accents folded before the case check, as the reference folds them."""
    setup.path("combining.txt").write_text(
        "Ax\u0301y report\n\nThe Ax\u0301y team met the IX\u0308 group.\n", "utf-8"
    )
    setup.reload()
    setup.index.update(setup.workspace)
    for text in ("Axy", "axy", "title:Axy", '"The Axy"', "IX", "Ax\u0301y"):
        assert setup.hand(text) == ["combining.txt"], text
    assert setup.hand("AXY") == []


def test_a_build_cancelled_between_batches_is_finished_by_the_next_update(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first pass stops when cancelled (the app's quit): what was written is kept (the
    batch being taken when it was cancelled is not), the next update writes the rest, and
    the index is as if built whole."""

    from reader.search import writing

    expected = _all_tables(setup.index)
    monkeypatch.setattr(writing, "BULK", 1)
    monkeypatch.setattr(writing, "INSERT_BATCH", 2)
    setup.drop_index()
    setup.reopen()
    cancelled = threading.Event()
    batches = 0
    real = writing.ReadAhead.batches

    def counted(self: writing.ReadAhead) -> Iterator[list[object]]:
        nonlocal batches
        for batch in real(self):
            batches += 1
            if batches == 2:
                cancelled.set()
            yield batch

    monkeypatch.setattr(writing.ReadAhead, "batches", counted)
    setup.index.update(setup.workspace, cancelled=cancelled)
    with setup.index._connection() as connection:
        (written,) = connection.execute("SELECT count(*) FROM articles").fetchone()
    assert written == 2  # one batch of two; the second, cancelled as it came, unwritten
    setup.index.update(setup.workspace)
    assert _all_tables(setup.index)[2:] == expected[2:]  # row ids aside, the same
    assert _entity_tables(setup.index) == expected[:2]


# --- folding as the reference folds: ß, ligatures, compatibility forms, dotted i's -------

FOLDING_WORDS = [
    "Straße", "STRASSE", "strasse", "GROẞ", "groß", "gross", "ﬁne", "fine", "FINE", "ﬂow",
    "ﬀ", "Zoë", "zoe", "ZOË", "café", "Café", "naïve", "İstanbul", "ıstanbul", "Istanbul",
    "istanbul", "ısı", "ISI", "x²", "x2", "œuvre", "Æther", "ǅemal", "dzemal", "Ⅻ", "xii",
    "①", "ＡＢＣ", "abc", "Apple™", "appletm", "apple", "½", "Łódź", "lodz", "Σίσυφος",
    "σισυφοσ", "й", "и", "Dawn's", "ŉ", "Ǆ",
]  # fmt: skip
_FOLDING_SEPARATORS = [" ", " ", "\n", ", ", "-", " — ", "'"]


def _folding_text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(FOLDING_WORDS) + rng.choice(_FOLDING_SEPARATORS) for _ in range(size))


def test_the_index_folds_as_the_reference_for_generated_texts(setup: Setup) -> None:
    """Texts, titles, notes and tags made of words that fold in interesting ways (ß and ẞ,
    ligatures, compatibility forms, dotted and dotless i's, accents, Greek final sigma):
    the index finds what the brute-force reference finds, for every word in every case
    and decomposed, and for phrases cut from the texts."""
    import unicodedata

    from reader.search.text_match import contains_words, is_case_sensitive, words

    rng = random.Random(7)
    (setup.root / "folding").mkdir()
    for n in range(12):
        title = _folding_text(rng, 3).strip(" ,-—'\n")
        text = f"{title}\n\n{_folding_text(rng, 40)}\n"
        path = setup.root / "folding" / f"{n:02}.txt"
        path.write_text(text, encoding="utf-8")
        os.utime(path, (MTIME, MTIME))
    setup.reload()
    articles = {setup.name(a.path): a for a in setup.workspace.library().articles}
    with AnnotationStore(setup.settings.db_path) as store:
        store.add_note(article_ref(articles["folding/03.txt"]), "Treffen in der Straße ﬁnal")
        store.add_tags(article_ref(articles["folding/05.txt"]), ["Groß", "ﬂow"])
    setup.index.update(setup.workspace)
    docs = reference_docs(setup)
    order = library_order(setup)
    texts = [docs[name].text for name in order if name.startswith("folding/")]
    terms = [
        variant
        for word in FOLDING_WORDS
        for variant in dict.fromkeys(
            [word, word.lower(), word.upper(), unicodedata.normalize("NFD", word)]
        )
    ]
    for _ in range(40):
        cut = words(rng.choice(texts))
        i = rng.randrange(len(cut) - 3)
        terms.append('"' + " ".join(cut[i : i + rng.randint(2, 3)]) + '"')
    terms += [f"title:{term}" for term in terms[:40]]
    queries = [parse(term) for term in terms]
    queries += [parse(f"{a} OR {b}") for a, b in zip(terms[::3], terms[1::3], strict=False)]
    checked = 0
    for query in queries:
        expected = [n for n in order if matches(query, docs[n])]
        found = [setup.name(h.path) for h in setup.index.search(query)]
        assert found == expected, format_query(query)
        checked += bool(expected)
    assert checked > len(queries) // 2  # most find something
    # The snippets mark what was found, folded as the reference folds it.
    marked = 0
    for term in terms:
        wanted = words(term, casefold=True)
        if term.startswith("title:") or is_case_sensitive(term) or "1" in wanted:
            continue  # (1 is also half of ½, which a mark cannot cut)
        for hit in setup.index.search(parse(term)):
            if not contains_words(words(docs[setup.name(hit.path)].text, casefold=True), wanted):
                continue  # in a note or a tag only
            assert hit.marks, (term, hit.snippet)
            for start, end in hit.marks:
                assert words(hit.snippet[start:end], casefold=True) == wanted, term
            marked += 1
    assert marked > 100


def test_an_index_of_the_older_format_is_rebuilt(setup: Setup) -> None:
    """An index written before the words were folded as the reference folds them (format
    3: ``unicode61``'s folding, ``strasse`` not finding ``Straße``) is rebuilt on open."""
    from reader.search.schema import INDEX_FORMAT

    setup.path("strasse.txt").write_text("Die Straße\n\nIn der Straße.\n", "utf-8")
    setup.reload()
    setup.index.update(setup.workspace)
    with setup.index._connection() as connection:
        connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'format'", (str(INDEX_FORMAT - 1),)
        )
    setup.workspace.close()
    setup.workspace = Workspace(setup.settings, model_in_process=True)
    setup.index = setup.workspace.search_index()
    report = setup.index.update(setup.workspace)
    assert report.rebuilt and report.added == len(ALL) + 1
    assert setup.hand("strasse") == ["strasse.txt"]


def test_an_index_built_under_an_older_catalogue_format_gets_the_new_title(
    setup: Setup,
) -> None:
    """A file whose front matter is not read was titled by it before CATALOGUE_FORMAT 4;
    an index built then (its rows as they were, the catalogue's format before in its meta)
    is rebuilt, and ``title:`` finds the title the library gives now, not the old one."""
    from reader.library.catalogue import CATALOGUE_FORMAT

    setup.path("kept.md").write_text(
        "---\ntitle: [unclosed\n---\n# Heading after the block\n\nThe story.\n", "utf-8"
    )
    setup.reload()
    setup.index.update(setup.workspace)
    with setup.index._connection() as connection:
        (row_id,) = connection.execute(
            "SELECT id FROM articles WHERE title = 'Heading after the block'"
        ).fetchone()
        connection.execute(
            "UPDATE articles SET title = 'title: [unclosed', title_folded = 'title: [unclosed' "
            "WHERE id = ?",
            (row_id,),
        )
        connection.execute(
            "UPDATE fts SET title = 'title unclosed', title_shown = 'title: [unclosed' "
            "WHERE rowid = ?",
            (row_id,),
        )
        connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'catalogue'", (str(CATALOGUE_FORMAT - 1),)
        )
    assert setup.hand("title:unclosed") == ["kept.md"]  # the index as it was
    setup.workspace.close()
    setup.workspace = Workspace(setup.settings, model_in_process=True)
    setup.index = setup.workspace.search_index()
    report = setup.index.update(setup.workspace)
    assert report.rebuilt and "catalogue format" in report.rebuilt
    assert setup.hand("title:unclosed") == []
    assert setup.hand('title:"heading after"') == ["kept.md"]
    assert [hit.title for hit in setup.index.search(parse("title:heading"))] == [
        "Heading after the block"
    ]
    # Built once: the next start keeps it.
    setup.workspace.close()
    setup.workspace = Workspace(setup.settings, model_in_process=True)
    setup.index = setup.workspace.search_index()
    assert setup.index.update(setup.workspace).rebuilt is None


def test_a_mark_of_another_script_is_folded_before_the_case_check(setup: Setup) -> None:
    """Combining marks outside the Latin diacritics' blocks (Arabic harakat, Hebrew
    points, a Devanagari virama), in text that is already in NFKD form, are dropped
    before the case check as the reference drops them: a case-sensitive phrase over
    such words finds the article."""
    setup.path("marks.txt").write_text(
        "Marks\n\nAhmed \u0643\u064e\u062a\u064e\u0628\u064e and Moshe "
        "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd, Raj \u0939\u093f\u0928\u094d\u0926\u0940.\n",
        "utf-8",
    )
    setup.reload()
    setup.index.update(setup.workspace)
    docs = reference_docs(setup)
    for text in (
        '"Ahmed \u0643\u062a\u0628"',
        '"Moshe \u05e9\u05dc\u05d5\u05dd"',
        '"Raj \u0939\u093f\u0928\u0926\u0940"',
        "title:Marks",
    ):
        assert matches(parse(text), docs["marks.txt"]), text
        assert setup.hand(text) == ["marks.txt"], text
    hits = setup.index.search(parse('"ahmed \u0643\u062a\u0628"'))
    (hit,) = [hit for hit in hits if setup.name(hit.path) == "marks.txt"]
    assert [hit.snippet[start:end] for start, end in hit.marks] == [
        "Ahmed \u0643\u064e\u062a\u064e\u0628\u064e"
    ]


_SCRIPTS_ALPHABET = [
    *"aAbB '-’—\n_0", "ß", "ẞ", "ﬁ", "İ", "ı", "é", "e\u0301", "É", "\u0301", "Σ", "ς", "σ",
    "\u0643\u064e", "\u062a", "\u05e9\u05b8", "\u05dc", "\u0939\u093f", "\u094d", "\u0928",
    "中", "文", "😀", "👍🏽", "\u200d", "\u200f", "\u00a0", "Ǆ", "ǅ", "ǆ", "Ⅻ", "ⅻ", "ＡＢ",
    "ａ", "①", "²", "Å", "K", "ŉ", "ʼ", "ͅ", "ᾳ", "ΐ", "ǰ", "ﬆ", "Ŀ", "٣",
]  # fmt: skip
_NFKD_ALPHABET = [
    "A", "b", " ", "-", "x\u0301y", "\u0643\u064e", "\u062a", "\u05e9\u05b8", "\u05dc",
    "\u0939\u093f\u0928\u094d\u0926", "中",
]  # fmt: skip
"""Pieces in NFKD form already, some with combining marks nothing composes with (which
the smart-case check must still drop)."""
_script_texts = st.sampled_from([_SCRIPTS_ALPHABET, _NFKD_ALPHABET]).flatmap(
    lambda alphabet: st.lists(st.sampled_from(alphabet), max_size=30).map("".join)
)


@settings(max_examples=400, deadline=None)
@given(_script_texts, st.data())
def test_the_index_and_its_case_check_agree_with_the_reference_on_any_script(
    text: str, data: st.DataObject
) -> None:
    """A term found in a text by the index's two steps (the FTS5 ``ascii`` tokenizer over
    :func:`index_text`, then the smart-case check over the text as shown) is exactly a
    term the reference finds there, for texts mixing scripts (RTL with their marks,
    Devanagari, CJK, emoji, compatibility forms): terms cut from the text, in any case, or
    drawn alike."""
    import sqlite3

    from reader.search.compile import fts_query
    from reader.search.documents import phrase_pattern
    from reader.search.explain import _finder, _folded
    from reader.search.text_match import contains_words, index_text, is_case_sensitive, words

    cut = words(text)
    if cut and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(cut) - 1))
        phrase = " ".join(cut[i : data.draw(st.integers(i + 1, min(len(cut), i + 3)))])
        term = data.draw(st.sampled_from([phrase, phrase.upper(), phrase.lower(), text]))
    else:
        term = data.draw(_script_texts)
    casefold = not is_case_sensitive(term)
    expected = contains_words(words(text, casefold=casefold), words(term, casefold=casefold))
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'ascii')")
    connection.execute("INSERT INTO t(rowid, x) VALUES (1, ?)", (index_text(text),))
    match = fts_query(("x",), term)
    found = match is not None and bool(
        connection.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,)).fetchall()
    )
    if found and not casefold and phrase_pattern(term) is not None:
        found = _finder(term)(_folded(text))
    assert found == expected


def test_a_cancelled_update_stops_at_its_next_article_not_its_next_batch(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's lean build (no read-ahead) asked to stop while it reads a batch stops at
    the next article, that batch unwritten (the app's quit waits for no batch of reads),
    and its entity pass likewise; the next update makes the index as if built whole."""
    from reader.search import writing

    expected = _all_tables(setup.index)
    setup.drop_index()
    setup.reopen()
    prepared = 0
    real = writing.prepare

    def counted(*args: object) -> object:
        nonlocal prepared
        prepared += 1
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "prepare", counted)
    # Asked once before the batch, then before each article: set before the second.
    setup.index.update(setup.workspace, cancelled=CancelledAfter(3), lean=True)
    assert prepared == 1 < len(ARTICLES)
    with setup.index._connection() as connection:
        (written,) = connection.execute("SELECT count(*) FROM articles").fetchone()
    assert written == 0
    setup.index.update(setup.workspace, entities=False, lean=True)
    report = setup.index.update(setup.workspace, cancelled=CancelledAfter(3), lean=True)
    assert report.entities == 1
    setup.index.update(setup.workspace)
    assert _all_tables(setup.index)[2:] == expected[2:]  # row ids aside, the same
    assert _entity_tables(setup.index) == expected[:2]
