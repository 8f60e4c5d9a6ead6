"""`reader entity` (reader/cli/entity.py): the list, a page, edits, the graph, errors, and
hostile text printed safely; the real pipeline's entities of the library of
tests/unit/test_entity_index.py."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
import test_entity_index as shared
from conftest import CONTROLS, MARKUP
from test_entity_index import ARTICLES, Setup

from reader.cli import main

# The library, its entity cache and its index: the fixtures of test_entity_index.
entity_cache = shared.entity_cache
setup = shared.setup


def run(setup: Setup, capsys: pytest.CaptureFixture[str], *words: str) -> tuple[int, str, str]:
    code = main(["entity", *words, *setup.args()])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_list_most_mentioned_first(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(setup, capsys, "--label", "person")  # labels in any case
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows[0][:4] == ["4", "2", "PERSON", "Sergey Lavrov"]
    assert [int(row[0]) for row in rows] == sorted((int(row[0]) for row in rows), reverse=True)
    blair = next(row for row in rows if row[3] == "Blair")
    assert blair[5] == "may be: Cherie Blair, Tony Blair"
    code, out, _ = run(setup, capsys, "--format", "json", "--limit", "2")
    listed = json.loads(out)
    assert len(listed) == 2 and set(listed[0]) >= {
        "name",
        "label",
        "variants",
        "articles",
        "mentions",
    }


def test_one_entity_page_as_json_and_text(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(setup, capsys, "--name", "lavrov", "--format", "json")
    assert code == 0
    page = json.loads(out)
    assert page["name"] == "Sergey Lavrov" and page["mentions"] == 4
    assert [Path(a["path"]).name for a in page["articles"]] == ["geneva.txt", "moscow.txt"]
    assert sum(a["mentions"] for a in page["articles"]) == 4
    assert all(len(a["snippets"]) == a["mentions"] for a in page["articles"])
    assert {"name", "label", "weight", "articles"} <= set(page["cooccurring"][0])
    # NAME first, then the paths (the name is not a file here).
    code, out, _ = run(setup, capsys, "Tony Blair")
    assert code == 0
    assert out.startswith("Tony Blair (PERSON): 4 mentions in 2 articles")
    assert "«Tony Blair»" in out and "with (weight, articles, sentences together):" in out
    assert "mentions by month:" in out


def test_words_and_options_in_any_order(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["entity", "Blair", "--label", "PERSON", str(setup.root), *setup.args()[1:]])
    out, _ = capsys.readouterr()
    assert code == 0 and out.startswith("Blair (PERSON): 3 mentions in 2 articles")


def test_unknown_and_ambiguous_names(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(setup, capsys, "--name", "Gordon Brown")
    assert code == 1 and "no entity 'Gordon Brown'" in err
    code, _, err = run(setup, capsys, "--merge", "London", "Nowhere")
    assert code == 1 and "no entity 'Nowhere'" in err


def test_merge_rename_list_and_remove_edits(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(setup, capsys, "--merge", "PERSON:blair", "Tony Blair")
    assert code == 0 and "merged Blair (PERSON) into Tony Blair (PERSON)" in err
    code, _, err = run(setup, capsys, "--rename", "Tony Blair", "Anthony Blair")
    assert code == 0
    code, out, _ = run(setup, capsys, "--name", "Blair", "--format", "json")
    page = json.loads(out)
    assert page["name"] == "Anthony Blair" and page["mentions"] == 4 + 3
    code, out, _ = run(setup, capsys, "--edits")
    ids = [line.split("\t")[0] for line in out.splitlines()]
    assert len(ids) == 2
    # Described by the names the library shows, not by name keys ("tony blair").
    assert [line.split("\t")[1] for line in out.splitlines()] == [
        "merged Blair (PERSON) into Tony Blair (PERSON)",
        "renamed Tony Blair (PERSON) to Anthony Blair",
    ]
    code, _, err = run(setup, capsys, "--merge", "Blair", "Tony Blair")
    assert code == 2 and "already" in err  # one entity now
    code, _, err = run(setup, capsys, "--remove-edit", ids[0])
    assert code == 0 and "removed: merged Blair (PERSON) into Tony Blair (PERSON)" in err
    code, out, _ = run(setup, capsys, "--name", "PERSON:blair", "--format", "json")
    assert json.loads(out)["ambiguous"] == ["Anthony Blair", "Cherie Blair"]
    code, _, err = run(setup, capsys, "--remove-edit", "nope")
    assert code == 1 and "no entity edit" in err


def test_a_relabel_takes_only_a_label_the_app_knows(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    # One set of labels: the relabel picker's, label: in search's, the legend's colours.
    code, _, err = run(setup, capsys, "--relabel", "Tony Blair", "BAR")
    assert code == 2
    assert "no label BAR (labels: PERSON, NORP, FAC, ORG, GPE," in err
    assert "relabelled" not in err
    code, out, err = run(setup, capsys, "--edits")
    assert out == "" and "no entity edits" in err
    code, _, err = run(setup, capsys, "--relabel", "Tony Blair", "org")  # any case
    assert code == 0 and "relabelled Tony Blair (PERSON) as ORG" in err


def test_an_edit_not_applied_names_the_articles_it_was_tried_on(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """Listed against other articles (no PATH: the default library), an edit that does not
    apply there says which articles were read, so it does not read as a failed edit."""
    code, _, _ = run(setup, capsys, "--merge", "PERSON:blair", "Tony Blair")
    assert code == 0
    moscow = setup.root / "moscow.txt"
    others = [str(moscow), "--db", str(setup.settings.db_path)]
    code = main(["entity", "--edits", *others, "--cache-dir", str(setup.settings.cache_dir)])
    _, err = capsys.readouterr()
    assert code == 0
    assert f"not applied to {moscow} (merged " in err


def test_edits_outside_the_paths_named_are_one_line_when_not_asked_about(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    """Walkthrough item 3: `reader entity --label PERSON <one file>` listed every stored
    edit whose entities are in other articles as "entity edit … not applied": not a
    problem of the file named. One line says how many, and where each is explained."""
    for edit in (["--merge", "PERSON:blair", "Tony Blair"], ["--rename", "Cherie Blair", "C"]):
        code, _, _ = run(setup, capsys, *edit)
        assert code == 0
    moscow = setup.root / "moscow.txt"
    db = ["--db", str(setup.settings.db_path), "--cache-dir", str(setup.settings.cache_dir)]
    code = main(["entity", "--label", "PERSON", str(moscow), *db])
    out, err = capsys.readouterr()
    assert code == 0 and out
    assert "not applied" not in err
    assert err.splitlines() == [
        f"reader: 2 stored entity edits do not apply to {moscow} (made for other articles; "
        "reader entity --edits with the same paths says why each)"
    ]


def test_edits_against_a_library_not_named_are_one_line(
    setup: Setup,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No PATH and no library in the config (the newcomer's clone, seeds/ found there):
    the edits made for the library named then are not each reported as failed against
    the default one; one line says so and what to do."""
    code, _, _ = run(setup, capsys, "--merge", "PERSON:blair", "Tony Blair")
    assert code == 0
    code, _, _ = run(setup, capsys, "--rename", "Cherie Blair", "Cherie Booth")
    assert code == 0
    (tmp_path / "clone" / "seeds").mkdir(parents=True)
    (tmp_path / "clone" / "seeds" / "one.txt").write_text("A title\n\nNo names here.\n")
    monkeypatch.chdir(tmp_path / "clone")
    db = ["--db", str(setup.settings.db_path), "--cache-dir", str(setup.settings.cache_dir)]
    code = main(["entity", "--edits", *db])
    out, err = capsys.readouterr()
    assert code == 0 and len(out.splitlines()) == 2
    assert "not applied" not in err
    seeds = tmp_path / "clone" / "seeds"
    assert f"2 entity edits name entities not in {seeds} (found in " in err
    assert "name the library they were made for" in err
    # Named, the same library gets each edit and why.
    code = main(["entity", "--edits", str(seeds), *db])
    _, err = capsys.readouterr()
    assert err.count(f"not applied to {seeds} (") == 2


def test_no_edits_says_so(setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["entity", "--edits", str(setup.root), "--db", str(tmp_path / "new.json"),
                 "--cache-dir", str(setup.settings.cache_dir)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0 and out == ""
    assert "no entity edits" in err


def test_split_a_variant_off(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(setup, capsys, "--split", "Sergey Lavrov", "--variant", "Lavrov")
    assert code == 0 and "split Lavrov off Sergey Lavrov (PERSON)" in err
    code, out, _ = run(setup, capsys, "--label", "PERSON", "--format", "json")
    names = {e["name"]: e["mentions"] for e in json.loads(out)}
    assert names["Lavrov"] == 1 and names["Sergey Lavrov"] == 3  # moscow's apart
    code, _, err = run(setup, capsys, "--split", "Geneva")
    assert code == 2 and "no variant to split off" in err


def test_graph_files(setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "net.graphml"
    code, _, err = run(setup, capsys, "--graph", str(path))
    assert code == 0 and "wrote" in err
    graph = nx.read_graphml(path)
    assert graph.has_edge("PERSON:sergey lavrov", "PERSON:tony blair")
    csv_path = tmp_path / "net.csv"
    assert run(setup, capsys, "--graph", str(csv_path))[0] == 0
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "source,target,source_label,target_label,weight,articles"
    assert len(lines) - 1 == graph.number_of_edges()
    code, _, err = run(setup, capsys, "--graph", str(tmp_path / "net.png"))
    assert code == 2 and "unknown graph format" in err


def test_the_csv_graph_quotes_what_a_spreadsheet_would_run(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from reader.entities.library.graph import write_graph

    graph = nx.Graph()
    graph.add_node("a", name="=HYPERLINK(1)", label="ORG", mentions=1)
    graph.add_node("b", name="@POTUS", label="PERSON", mentions=1)
    graph.add_edge("a", "b", weight=1, articles=1)
    path = tmp_path / "net.csv"
    write_graph(graph, path)
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    assert rows == ["'=HYPERLINK(1),'@POTUS,ORG,PERSON,1,1"]


def test_hostile_titles_and_names_are_printed_safely(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    (setup.root / "hostile.txt").write_text(
        f"Sergey Lavrov {CONTROLS} {MARKUP}\n\nSergey Lavrov met Tony Blair in Geneva.\n",
        encoding="utf-8",
    )
    main(["index", *setup.args()])
    capsys.readouterr()
    code, out, _ = run(setup, capsys, "--name", "Sergey Lavrov")
    assert code == 0 and "hostile.txt" in out
    assert not any(c in out for c in "\x1b\x07\x9b\x9d\u202e")
    assert len(ARTICLES) == 4


def search(setup: Setup, capsys: pytest.CaptureFixture[str], query: str) -> tuple[int, str, str]:
    code = main(["search", query, *setup.args()])
    out, err = capsys.readouterr()
    return code, out, err


def test_search_entity_resolves_as_the_library_does(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    # court.md says only "Blair": by its text, "Tony Blair" is not in it.
    code, out, err = search(setup, capsys, 'entity:"Tony Blair"')
    assert code == 0 and "court.md" not in out and "london.txt" in out
    assert run(setup, capsys, "--merge", "PERSON:blair", "Tony Blair")[0] == 0
    code, out, err = search(setup, capsys, 'entity:"Tony Blair"')
    assert code == 0 and "court.md" in out and "london.txt" in out
    assert "entity:" not in err
    # Negated, through the same resolution.
    code, out, _ = search(setup, capsys, 'london -entity:"Tony Blair"')
    assert "court.md" not in out


def test_search_entity_without_a_current_index_matches_as_written(
    setup: Setup, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(setup, capsys, "--merge", "PERSON:blair", "Tony Blair")[0] == 0
    setup.workspace.close()
    assert setup.index.path is not None
    setup.index.path.unlink()
    code, out, err = search(setup, capsys, 'entity:"Tony Blair" OR entity:Blair')
    assert code == 0 and "court.md" in out  # Blair, as written
    assert err.count("entity: matches names as written: there is no entity index yet") == 1
    code, out, err = search(setup, capsys, 'entity:"Tony Blair"')
    assert "court.md" not in out
    assert not setup.index.path.exists()  # no index built as a side effect
    # An index a few articles behind is brought up to date first.
    assert run(setup, capsys, "--name", "Lavrov")[0] == 0
    (setup.root / "london.txt").unlink()
    code, out, err = search(setup, capsys, 'entity:"Tony Blair"')
    assert code == 0 and "court.md" in out and "london.txt" not in out
    assert "entity:" not in err
