"""One library named two ways (`lib` from its parent, `/abs/lib` anywhere) by two processes
sharing a cache dir: each one's update must not hide the articles from the other's
search. The app maps what its filter finds to its own articles by their paths: the index
keys articles by absolute path and answers each caller with the caller's own path form."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.library import catalogue
from reader.search.query import parse
from reader.settings import Settings
from reader.workspace import Workspace

ARTICLES = {
    "economy/rates.txt": "Rates rise in Madrid\n\nInflation in Madrid rose again in May.\n",
    "world/talks.txt": "Talks end in Lisbon\n\nThe talks in Lisbon ended without a deal.\n",
}


def _workspace(tmp_path: Path, library: Path) -> Workspace:
    settings = Settings(
        article_paths=[library], db_path=tmp_path / "db.json", cache_dir=tmp_path / "cache"
    )
    return Workspace(settings, model_in_process=True)


@pytest.mark.parametrize("app_form", ["absolute", "relative"])
def test_an_update_by_the_other_path_form_keeps_the_filter_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_form: str
) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    monkeypatch.chdir(tmp_path)
    for name, text in ARTICLES.items():
        (tmp_path / "lib" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "lib" / name).write_text(text, encoding="utf-8")
    absolute, relative = tmp_path / "lib", Path("lib")
    app_path, other_path = (absolute, relative) if app_form == "absolute" else (relative, absolute)
    app = _workspace(tmp_path, app_path)
    other = _workspace(tmp_path, other_path)
    try:
        index = app.search_index()
        index.update(app, entities=False)
        articles = app.library().articles
        shown = {str(article.path) for article in articles}
        wanted = [str(app_path / "economy" / "rates.txt")]
        assert index.paths(parse("madrid"), articles) == wanted
        # `reader search inflation lib` (or `reader index`) in another shell.
        other.search_index().update(other, entities=False)
        for query in ("madrid", "in:economy", "is:unread"):
            found = index.paths(parse(query), articles)
            assert found and set(found) <= shown, (query, found)
        assert index.paths(parse("madrid"), articles) == wanted
        assert [hit.location for hit in index.search(parse("inflation"), articles)] == wanted
        # The other process sees its own form too.
        theirs = other.search_index()
        assert theirs.paths(parse("madrid"), other.library().articles) == [
            str(other_path / "economy" / "rates.txt")
        ]
    finally:
        app.close()
        other.close()
