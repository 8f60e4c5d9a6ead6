"""``sort:mentions`` with ``entity:`` counts what the entity's page counts: every spelling of
the entity (its variants, merges and splits applied: ``EntityIndex.articles_of``), in the
app's filter and ``reader search`` alike; without the entity index, the name's own mentions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.cli import main
from reader.search.query import parse
from reader.settings import Settings
from reader.workspace import Workspace

#: In path order, the article with fewer mentions of the United Nations first; the other
#: writes it "The United Nations", a variant (the model's span takes "The" in).
ARTICLES = {
    "a_fewer.txt": (
        "Budget talks\n\nThe United Nations said the budget was late. Officials at United "
        "Nations offices agreed.\n"
    ),
    "b_more.txt": (
        "Relief plan\n\nThe United Nations sent food. The United Nations sent doctors. Later "
        "The United Nations sent tents.\n"
    ),
}


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    root = tmp_path / "library"
    root.mkdir()
    for name, text in ARTICLES.items():
        (root / name).write_text(text, encoding="utf-8")
    settings = Settings(
        article_paths=[root], db_path=tmp_path / "db.json", cache_dir=tmp_path / "cache"
    )
    made = Workspace(settings, model_in_process=True)
    for article in made.library().articles:  # the real model's entities, cached
        made.finder.find(article.sha256, article.text)
    yield made
    made.close()


def _names(hits: object) -> list[str]:
    return [hit.path.name for hit in hits]  # type: ignore[attr-defined]


def test_the_filter_orders_by_the_mentions_the_entity_index_counts(
    workspace: Workspace,
) -> None:
    index = workspace.entity_index()
    index.update(workspace)
    search = workspace.search_index()
    search.update(workspace)
    [entity] = index.find("United Nations")
    assert "The United Nations" in entity.variants  # a variant, not its name
    counts = index.articles_of("United Nations")
    assert counts is not None
    assert {Path(path).name: n for path, n in counts.items()} == {"a_fewer.txt": 2, "b_more.txt": 3}
    page = index.page(entity)
    assert page is not None
    assert {a.path.name: len(a.mentions) for a in page.articles} == {
        "a_fewer.txt": 2,
        "b_more.txt": 3,
    }
    # Without the entity index: the name's own mentions ("United Nations" once in a_fewer).
    assert _names(search.search(parse('entity:"United Nations" sort:mentions'))) == ["a_fewer.txt"]
    search.entity_resolver = index.articles_of
    by_mentions = sorted(counts, key=lambda path: -counts[path])
    hits = search.search(parse('entity:"United Nations" sort:mentions'))
    assert [str(hit.path) for hit in hits] == by_mentions
    assert _names(hits) == ["b_more.txt", "a_fewer.txt"]
    hits = search.search(parse('entity:"United Nations" sort:-mentions'))
    assert _names(hits) == ["a_fewer.txt", "b_more.txt"]
    # Another of its spellings orders the same.
    hits = search.search(parse('entity:"The United Nations" sort:mentions'))
    assert _names(hits) == ["b_more.txt", "a_fewer.txt"]


def test_reader_search_orders_as_reader_entity_does(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = workspace.settings
    args = [
        str(settings.article_paths[0]),
        "--db",
        str(settings.db_path),
        "--cache-dir",
        str(settings.cache_dir),
    ]
    assert main(["entity", "United Nations", *args, "--order", "mentions"]) == 0
    page = capsys.readouterr().out
    listed = [line.split("\t")[2] for line in page.splitlines() if line.count("\t") >= 3]
    assert [Path(path).name for path in listed] == ["b_more.txt", "a_fewer.txt"]
    assert main(["search", 'entity:"United Nations" sort:mentions', *args]) == 0
    out = capsys.readouterr().out
    assert [Path(line.split("\t")[0]).name for line in out.splitlines()] == [
        "b_more.txt",
        "a_fewer.txt",
    ]
