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


def _write_library(root: Path) -> None:
    """The articles of ARTICLES written under *root* (made with its folders)."""
    for name, text in ARTICLES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


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
    _write_library(tmp_path / "lib")
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


def test_a_library_named_through_a_symlink_and_by_its_real_path_is_indexed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reader search q ~/news` where ~/news is a symlink to /data/news, then the same by
    the real path: one row per article (the second update reads nothing), each caller's
    hits in the form it gave."""
    import sqlite3

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    real = tmp_path / "data" / "lib"
    _write_library(real)
    link = tmp_path / "news"
    link.symlink_to(real, target_is_directory=True)
    through_link = _workspace(tmp_path, link)
    by_real = _workspace(tmp_path, real)
    try:
        first = through_link.search_index().update(through_link, entities=False)
        assert first.added == len(ARTICLES)
        found = through_link.search_index().paths(
            parse("in:economy"), through_link.library().articles
        )
        assert found == [str(link / "economy" / "rates.txt")]
        second = by_real.search_index().update(by_real, entities=False)
        assert second.added == 0
        index_file = by_real.search_index().path
        assert index_file is not None
        with sqlite3.connect(index_file) as connection:
            (rows,) = connection.execute("SELECT count(*) FROM articles").fetchone()
        assert rows == len(ARTICLES)
        for workspace, root in ((through_link, link), (by_real, real)):
            for query in ("madrid", "in:economy"):
                articles = workspace.library().articles
                found = workspace.search_index().paths(parse(query), articles)
                assert found == [str(root / "economy" / "rates.txt")], query
    finally:
        through_link.close()
        by_real.close()


def test_rows_kept_through_a_symlink_by_an_older_index_are_taken_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index written before keys resolved their folders has the articles twice (through
    the link and by the real path): the next update takes the link's rows out, without
    indexing anything again."""
    import sqlite3

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    real = tmp_path / "lib"
    _write_library(real)
    link = tmp_path / "news"
    link.symlink_to(real, target_is_directory=True)
    workspace = _workspace(tmp_path, real)
    try:
        index = workspace.search_index()
        index.update(workspace, entities=False)
        assert index.path is not None
        with sqlite3.connect(index.path) as connection:  # as the older update left it
            connection.execute(
                "INSERT INTO articles(path, shown_path, path_folded, folder, sha256, title, "
                "title_folded, words) SELECT replace(path, ?, ?), shown_path, path_folded, "
                "folder, sha256, title, title_folded, words FROM articles",
                (str(real), str(link)),
            )
        report = index.update(workspace, entities=False)
        assert (report.added, report.removed) == (0, len(ARTICLES))
        with sqlite3.connect(index.path) as connection:
            paths = [row[0] for row in connection.execute("SELECT path FROM articles")]
        assert sorted(paths) == sorted(str(real / name) for name in ARTICLES)
    finally:
        workspace.close()


def test_the_other_path_form_rewrites_no_text_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lib` and `/abs/lib` in turn: each update records its shown paths (for `path:`),
    but the words indexed stay as they are (an FTS5 row updated is its whole text written
    again: 0.3-0.5 s of writes at 1,250 articles each time the form alternated)."""
    import sqlite3

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    monkeypatch.chdir(tmp_path)
    _write_library(tmp_path / "lib")
    forms = [Path("lib"), tmp_path / "lib"]
    workspaces = [_workspace(tmp_path, form) for form in forms]
    try:
        workspaces[0].search_index().update(workspaces[0], entities=False)
        index_file = workspaces[0].search_index().path
        assert index_file is not None

        def segments() -> int:
            with sqlite3.connect(index_file) as connection:
                return int(connection.execute("SELECT count(*) FROM fts_data").fetchone()[0])

        before = segments()
        for _ in range(2):
            for form, workspace in zip(forms, workspaces, strict=True):
                workspace.search_index().update(workspace, entities=False)
                articles = workspace.library().articles
                wanted = [str(form / "economy" / "rates.txt")]
                assert workspace.search_index().paths(parse("madrid"), articles) == wanted
                assert workspace.search_index().paths(parse("in:economy"), articles) == wanted
                within = "path:lib/economy" if form == forms[0] else f"path:{tmp_path}/lib/eco"
                assert workspace.search_index().paths(parse(within), articles) == wanted
        assert segments() == before
    finally:
        for workspace in workspaces:
            workspace.close()


def test_rows_kept_through_a_symlink_alone_take_the_key_without_indexing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library under a symlinked folder (/tmp on macOS, a home moved to another disk),
    indexed by a version that kept the path as given: the update gives its rows their
    key, and indexes nothing again."""
    import sqlite3

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    real = tmp_path / "data"
    _write_library(real / "lib")
    (tmp_path / "home").symlink_to(real, target_is_directory=True)
    workspace = _workspace(tmp_path, tmp_path / "home" / "lib")
    try:
        index = workspace.search_index()
        index.update(workspace, entities=False)
        assert index.path is not None
        with sqlite3.connect(index.path) as connection:  # as the older update left it
            connection.execute(
                "UPDATE articles SET path = replace(path, ?, ?)",
                (str(real), str(tmp_path / "home")),
            )
        report = index.update(workspace, entities=False)
        assert (report.added, report.changed, report.removed) == (0, 0, 0)
        with sqlite3.connect(index.path) as connection:
            paths = sorted(row[0] for row in connection.execute("SELECT path FROM articles"))
        assert paths == sorted(str(real / "lib" / name) for name in ARTICLES)
        found = index.paths(parse("madrid"), workspace.library().articles)
        assert found == [str(tmp_path / "home" / "lib" / "economy" / "rates.txt")]
    finally:
        workspace.close()


def test_a_folder_made_a_symlink_while_the_app_runs_is_keyed_as_another_process_keys_it(
    tmp_path: Path,
) -> None:
    """The library's folder moved away and a symlink put in its place (`mv news old; ln -s
    /mnt/news news`) while the app runs: its next scan keys the articles by the folder's
    new real path, as `reader` started now does (or the two processes take each other's
    rows for another library's, every article indexed again at each update)."""
    from reader.library.folders import find_article_names, index_path

    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("Talks\n\nTalks in Lisbon.\n", encoding="utf-8")
    assert index_path(news / "a.txt") == str(news / "a.txt")
    news.rename(tmp_path / "mnt")
    news.symlink_to(tmp_path / "mnt", target_is_directory=True)
    found, _ = find_article_names([news])
    assert [name for name, _, _ in found] == [str(news / "a.txt")]
    assert index_path(news / "a.txt") == str(tmp_path / "mnt" / "a.txt")
