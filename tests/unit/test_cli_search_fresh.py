"""`reader search` and the app's entity pass: a search does not redo the app's work (the
index the app updated with entities only stays current), yet a query for entities never
misses what the entity cache has and the index lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.cli import main
from reader.library import catalogue
from reader.settings import Settings
from reader.workspace import Workspace


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    root = tmp_path / "library"
    root.mkdir()
    (root / "geneva.txt").write_text(
        "Talks in Geneva\n\nThe foreign minister arrived in Geneva on Monday.\n", "utf-8"
    )
    (root / "asia.txt").write_text("Markets\n\nShares rose on Monday.\n", "utf-8")
    return root


def _args(library: Path, tmp_path: Path) -> list[str]:
    return [str(library), "--db", str(tmp_path / "db.json"), "--cache-dir", str(tmp_path / "cache")]


def run(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], query: str
) -> tuple[int, list[str]]:
    code = main(["search", query, *_args(library, tmp_path)])
    out = capsys.readouterr().out
    return code, [Path(line.split("\t")[0]).name for line in out.splitlines()]


def cache_entities(library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The entity cache gains geneva's entities, the search index not (as when the app's
    entity worker has found them and its index update has not run yet)."""
    geneva = library / "geneva.txt"
    assert main(["entities", str(geneva), *_args(library, tmp_path)[1:]]) == 0
    capsys.readouterr()


def app_update(library: Path, tmp_path: Path) -> bool:
    """What the app's index update does (reader/ui/screens/library_search.py): the
    entity cache's trusted stamp, the update (its own workspace, as the app's), the carry."""
    from reader.search.stamp import entity_cache_stamp

    settings = Settings(
        article_paths=[library], db_path=tmp_path / "db.json", cache_dir=tmp_path / "cache"
    )
    workspace = Workspace(settings)
    try:
        trusted = entity_cache_stamp(settings, trusted=True)
        index = workspace.search_index()
        report = index.update(workspace, lean=True)
        return index.carry(report, trusted, True)
    finally:
        workspace.close()


def not_loaded(self: Workspace) -> None:
    raise AssertionError("the library was loaded")


def test_a_search_after_the_app_indexed_entities_does_not_update(
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run(library, tmp_path, capsys, "geneva")  # creates the cache dir: a change
    assert run(library, tmp_path, capsys, "geneva") == (0, ["geneva.txt"])
    cache_entities(library, tmp_path, capsys)
    assert app_update(library, tmp_path)  # only entities indexed: carried
    with monkeypatch.context() as patched:
        patched.setattr(Workspace, "library", not_loaded)
        assert run(library, tmp_path, capsys, "geneva") == (0, ["geneva.txt"])
        # The app indexed every entity the cache had: entity queries are current too.
        assert run(library, tmp_path, capsys, "label:GPE") == (0, ["geneva.txt"])


def test_entities_cached_since_are_found_by_a_query_for_entities(
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run(library, tmp_path, capsys, "geneva")
    assert run(library, tmp_path, capsys, "label:GPE") == (1, [])  # nothing cached yet
    cache_entities(library, tmp_path, capsys)
    with monkeypatch.context() as patched:
        patched.setattr(Workspace, "library", not_loaded)
        # A text query reads no entity: the index answers as it is.
        assert run(library, tmp_path, capsys, "monday") == (0, ["asia.txt", "geneva.txt"])
    # A query for entities sees the cache changed: the index is brought up to date.
    assert run(library, tmp_path, capsys, "label:GPE") == (0, ["geneva.txt"])
    with monkeypatch.context() as patched:
        patched.setattr(Workspace, "library", not_loaded)
        assert run(library, tmp_path, capsys, "label:GPE") == (0, ["geneva.txt"])


def test_an_app_update_that_changed_text_is_not_carried(
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(library, tmp_path, capsys, "geneva")
    run(library, tmp_path, capsys, "geneva")
    # The app's library changed under the index (its own view of the files: here, an
    # article the CLI has not indexed): the index is no longer what the CLI remembered.
    (library / "new.txt").write_text("New\n\nA story from Geneva.\n", "utf-8")
    assert not app_update(library, tmp_path)
    assert run(library, tmp_path, capsys, "geneva") == (0, ["geneva.txt", "new.txt"])
    # Nor an update after another one the CLI did not remember.
    assert app_update(library, tmp_path)  # right after the CLI's: carried
    settings = Settings(
        article_paths=[library / "geneva.txt"],
        db_path=tmp_path / "db.json",
        cache_dir=tmp_path / "cache",
    )
    workspace = Workspace(settings)  # another library: asia and new leave the scope
    try:
        index = workspace.search_index()
        assert not index.carry(index.update(workspace), None, False)
    finally:
        workspace.close()


def test_a_cache_folder_changed_too_recently_has_no_trusted_stamp(
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An entry added in the same clock tick as the stat leaves its folder's times as they
    were: a stamp kept beside the index is not taken from a folder that recent."""
    from reader.search.stamp import entity_cache_stamp

    settings = Settings(
        article_paths=[library], db_path=tmp_path / "db.json", cache_dir=tmp_path / "cache"
    )
    cache_entities(library, tmp_path, capsys)
    assert entity_cache_stamp(settings, trusted=True) is not None  # RACY_SECONDS 0 here
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 60.0)
    assert entity_cache_stamp(settings, trusted=True) is None
    assert entity_cache_stamp(settings) is not None  # the app's, compared in its session
