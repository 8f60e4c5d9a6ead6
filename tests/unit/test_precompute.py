"""The precompute (`reader index`): every article's entities cached, as the app finds them."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from reader.entities.cache import EntityCache
from reader.entities.engines.registry import make_engine
from reader.entities.engines.spacy_engine import SpacyEngine
from reader.entities.precompute import IndexRun, index_articles, plan
from reader.entities.span import Span
from reader.library import Library, catalogue
from reader.settings import Settings
from reader.workspace import Workspace


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by a test are seconds old: let the catalogue trust them."""
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)


@pytest.fixture
def library(tmp_path: Path, seed_path: Path) -> Path:
    """Five articles cut from the seed article, a copy of one, and a file that is none."""
    folder = tmp_path / "articles"
    folder.mkdir()
    paragraphs = seed_path.read_text(encoding="utf-8").split("\n\n")
    for i in range(5):
        kept = paragraphs[: 3 + 2 * i]
        (folder / f"{i}.txt").write_text("\n\n".join(kept) + "\n", encoding="utf-8")
    (folder / "copy-of-0.txt").write_bytes((folder / "0.txt").read_bytes())
    (folder / "image.txt").write_bytes(b"\x89PNG\x00\x00binary")
    return folder


def workspace_for(folder: Path, cache: Path) -> Workspace:
    return Workspace(
        Settings(article_paths=[folder], db_path=cache.parent / "db.json", cache_dir=cache)
    )


def cached_spans(workspace: Workspace) -> dict[str, list[Span]]:
    settings = workspace.settings
    cache = EntityCache(settings.cache_dir)
    pipeline = make_engine(settings.engine, settings.model).info
    out = {}
    for article in Library.load(settings.article_paths).articles:
        spans = cache.get(article.sha256, pipeline)
        assert spans is not None, f"{article.path.name} not cached"
        out[article.path.name] = spans
    return out


def pool_processes() -> list[multiprocessing.process.BaseProcess]:
    """The child processes an index run left (the app's entity worker is none of them)."""
    return [p for p in multiprocessing.active_children() if p.name != "reader-entities"]


def test_plan_skips_copies_and_problems_and_imports_no_spacy(library: Path, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from reader.entities.precompute import plan\n"
        "from reader.settings import Settings\n"
        "from reader.workspace import Workspace\n"
        f"work = plan(Workspace(Settings(article_paths=[Path({str(library)!r})], "
        f"cache_dir=Path({str(tmp_path / 'c')!r}))))\n"
        "print(len(work.todo), work.duplicates, len(work.problems), work.cached)\n"
        "print('spacy' in sys.modules, any(m.startswith('textual') for m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split("\n")[:2] == ["5 1 1 0", "False False"]


def test_index_caches_exactly_what_the_app_finds(
    library: Path, tmp_path: Path, recognizer: SpacyEngine
) -> None:
    workspace = workspace_for(library, tmp_path / "cache")
    work = plan(workspace)
    assert work.engine == recognizer.info
    advanced: list[int] = []
    run = index_articles(workspace, work, jobs=1, progress=advanced.append)
    assert (run.done, run.failed, run.interrupted) == (5, [], False)
    assert sum(advanced) == 5
    spans = cached_spans(workspace)
    for article in Library.load([library]).articles:
        # What the app's worker computes for an uncached article (per paragraph, batch 4).
        assert spans[article.path.name] == recognizer.extract(article.text), article.path.name
    again = plan(workspace)
    assert (again.todo, again.cached, again.duplicates) == ([], 5, 1)


def test_two_processes_give_the_same_cache(library: Path, tmp_path: Path) -> None:
    one = workspace_for(library, tmp_path / "one")
    two = workspace_for(library, tmp_path / "two")
    index_articles(one, plan(one), jobs=1)
    run = index_articles(two, plan(two), jobs=2)
    assert (run.done, run.jobs, run.interrupted) == (5, 2, False)
    assert cached_spans(two) == cached_spans(one)
    assert pool_processes() == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_interrupted_run_keeps_what_it_did_and_resumes(
    library: Path, tmp_path: Path, jobs: int
) -> None:
    workspace = workspace_for(library, tmp_path / "cache")
    finished = 0

    def interrupt_after_two(count: int) -> None:
        nonlocal finished
        finished += count
        if finished >= 2:
            raise KeyboardInterrupt

    run = index_articles(workspace, plan(workspace), jobs=jobs, progress=interrupt_after_two)
    assert run.interrupted and run.done >= 2
    assert pool_processes() == []
    assert not list((tmp_path / "cache").rglob("*.tmp"))  # no half-written entry
    left = plan(workspace)
    assert left.cached == run.done and len(left.todo) == 5 - run.done
    rest = index_articles(workspace, left, jobs=jobs)
    assert rest.done == 5 - run.done and not rest.interrupted
    assert len(cached_spans(workspace)) == 6


def test_reader_index_command(
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from reader.cli import main

    cache = str(tmp_path / "cache")
    assert main(["index", str(library), "--cache-dir", cache]) == 0
    err = capsys.readouterr().err
    assert "cached the entities of 5 articles" in err and "1 process" in err
    assert "image.txt: binary file, skipped" in err
    assert main(["index", str(library), "--cache-dir", cache]) == 0
    assert "nothing to do: the entities of all 6 articles are cached" in capsys.readouterr().err
    assert main(["index", str(library), "--no-cache"]) == 2
    assert "no cache to fill" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["index", "--jobs", "-1"])
    assert exit_.value.code == 2


def test_the_report_says_what_failed(library: Path, tmp_path: Path) -> None:
    workspace = workspace_for(library, tmp_path / "cache")
    work = plan(workspace)
    work.todo[0].path.unlink()  # gone between planning and reading
    run: IndexRun = index_articles(workspace, work, jobs=1)
    assert run.done == 4
    assert [(p.name, "no longer readable" in r) for p, r in run.failed] == [("0.txt", True)]


def test_the_exports_folder_is_not_precomputed(library: Path, tmp_path: Path) -> None:
    # The workspace's library leaves the exports folder out (it was read as articles).
    workspace = Workspace(
        Settings(
            article_paths=[library],
            db_path=library / "annotations" / "db.json",
            cache_dir=tmp_path / "cache",
        )
    )
    exports = workspace.exports_dir
    exports.mkdir(parents=True)
    (exports / "export.txt").write_text("# An export\n\nAngela Merkel visited Paris.\n")
    work = plan(workspace)
    assert exports not in {article.path.parent for article in work.todo}
    assert (len(work.todo), work.duplicates) == (5, 1)


def test_reader_index_brings_the_entity_index_up_to_date(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command the app's and `reader search`'s notices name is the one that fixes them:
    after `reader index`, the library's entity index (what `reader entity`, the app's
    entity list and pages and ``entity:`` read) covers every article, with no
    `reader entity` run in between."""
    from reader.cli import main

    cache = tmp_path / "cache"
    assert main(["index", str(library), "--cache-dir", str(cache)]) == 0
    err = capsys.readouterr().err
    workspace = workspace_for(library, cache)
    try:
        index = workspace.entity_index()
        assert index.behind(workspace) == 0
        assert index.article_count() == len(workspace.library().articles) == 6
        assert index.entities()
    finally:
        workspace.close()
    assert "entity and search indexes up to date" in err and "(entities of 6 of 6 articles)" in err


def test_ctrl_c_while_the_indexes_are_updated_is_said(
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C after the entities are cached, while the entity index is brought up to date:
    exit 130, said, and the next run goes on (the cache kept, the index then completed)."""
    from reader.cli import main
    from reader.entities.library.index import EntityIndex

    cache = str(tmp_path / "cache")
    real_update = EntityIndex.update

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(EntityIndex, "update", interrupted)
    assert main(["index", str(library), "--cache-dir", cache]) == 130
    err = capsys.readouterr().err
    assert "cached the entities of 5 articles" in err
    assert "interrupted while updating the entity and search indexes: run it again" in err
    monkeypatch.setattr(EntityIndex, "update", real_update)
    assert main(["index", str(library), "--cache-dir", cache]) == 0
    err = capsys.readouterr().err
    assert "nothing to do" in err and "(entities of 6 of 6 articles)" in err
