"""The background entity pass's limits: long articles, its giving up, an unwritable
cache (reader.ui.background)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from reader.entities.cache import cache_folder
from reader.entities.worker import WorkerStopped, _Worker
from reader.library import catalogue
from reader.settings import Settings
from reader.ui import background
from reader.ui.app import build_app
from reader.ui.widgets.article_list import ArticleList

from .conftest import ready
from .test_background_entities import SIZE, cached_names, entity_list_subtitle, until


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    monkeypatch.setattr(background, "REST_SECONDS", 0.3)


def write_mixed_library(root: Path) -> None:
    """A short article (opened at start), three of ~25,000 characters next to the
    cursor (longer than the screen's same-frame limit, shorter than the pass's), then
    short ones."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "00-first.txt").write_text("First\n\nAngela Merkel visited Paris on Monday.\n")
    for n in (1, 2, 3):
        paragraphs = (
            f"Tony Blair met Sergey Lavrov in Geneva, paragraph {p}. " * 5 for p in range(90)
        )
        (root / f"0{n}-long.txt").write_text(f"Long {n}\n\n" + "\n\n".join(paragraphs) + "\n")
    for n in range(4, 8):
        (root / f"0{n}-short.txt").write_text(
            f"Short {n}\n\nEmmanuel Macron spoke in Berlin on day {n}.\n"
        )


def mixed_settings(tmp_path: Path) -> Settings:
    write_mixed_library(tmp_path / "library")
    return mixed_settings_of(tmp_path)


def mixed_settings_of(tmp_path: Path) -> Settings:
    return Settings(
        article_paths=[tmp_path / "library"],
        db_path=tmp_path / "db.json",
        cache_dir=tmp_path / "cache",
        background_entities=True,
    )


async def test_long_articles_in_a_row_are_found_and_the_pass_goes_on(tmp_path: Path) -> None:
    """Three articles of 20,000-200,000 characters in a row neither are skipped nor end
    the pass: every article is found (the pass once stopped at the third)."""
    app = build_app(mixed_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        names = {a.path.name for a in main.query_one(ArticleList).library}
        assert min(len(p.read_text()) for p in (tmp_path / "library").glob("0?-long.txt")) > 20_000
        await until(pilot, lambda: main.background.done, 180)
        assert main.background.failures == []
        assert cached_names(app) == names


async def test_skipped_articles_do_not_end_the_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Articles skipped for what they are (here: too long for the pass) are not failures
    of the model: after three of them the pass goes on to the short ones."""
    monkeypatch.setattr(background, "LONGEST", 10_000)
    app = build_app(mixed_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await until(pilot, lambda: main.background.done, 120)
        skipped = {path.rsplit("/", 1)[-1] for path, _ in main.background.failures}
        assert skipped == {"01-long.txt", "02-long.txt", "03-long.txt"}
        assert {"04-short.txt", "05-short.txt", "06-short.txt", "07-short.txt"} <= cached_names(app)


async def test_an_article_with_a_big_chunk_is_done_last_after_a_long_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text without blank lines is one chunk (up to MAX_CHUNK): a piece the user's switch
    would wait for. Such an article waits until the others are done and the user has
    rested LONG_REST_SECONDS; its spans are then those of the article opened."""
    monkeypatch.setattr(background, "LONG_REST_SECONDS", 3600.0)
    library = tmp_path / "library"
    write_mixed_library(library)
    for path in library.glob("0?-long.txt"):
        path.unlink()
    line = "Tony Blair met Sergey Lavrov in Geneva on Monday, and talks would resume.\n"
    (library / "01-big.txt").write_text("Big\n\n" + line * 150)
    app = build_app(mixed_settings_of(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        names = {a.path.name for a in main.query_one(ArticleList).library}
        await until(pilot, lambda: cached_names(app) == names - {"01-big.txt"}, 120)
        await pilot.pause(1.0)  # rested, but not that long
        assert "01-big.txt" not in cached_names(app)
        monkeypatch.setattr(background, "LONG_REST_SECONDS", 0.3)
        await until(pilot, lambda: main.background.done, 120)
        assert cached_names(app) == names
        assert main.background.failures == []


async def test_an_unwritable_cache_ends_the_pass_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EntityCache.put skips a cache it cannot write: the pass would find every article
    again every session. A file in the way of the engine's folder: the pass ends after
    its first article, with one notice, and its notices no longer say it is at work."""
    monkeypatch.setattr(background, "REST_SECONDS", 3600.0)
    app = build_app(mixed_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        finder = app.finder
        assert finder.cache is not None
        folder = finder.cache.directory / cache_folder(finder.pipeline)
        shutil.rmtree(folder)
        folder.write_text("in the way")
        assert main.background.active
        monkeypatch.setattr(background, "REST_SECONDS", 0.3)
        thread = main.background._thread
        assert thread is not None
        await until(pilot, lambda: not thread.is_alive(), 60)
        assert main.background.ended is not None and "cannot be written" in main.background.ended
        assert len(main.background.asked) == 1
        assert not main.background.active
        await pilot.pause(0.2)
        said = [n.message for n in app._notifications if "cannot be written" in n.message]
        assert len(said) == 1, said
        # The coverage notice describes the pass, not the setting: it has ended.
        subtitle = await entity_list_subtitle(pilot, main)
        assert subtitle.endswith("· reader index finds the rest"), subtitle


async def test_the_coverage_notice_says_reader_index_when_no_pass_runs(
    tmp_path: Path,
) -> None:
    """background_entities on, but --no-cache: no pass can run (nowhere to keep what it
    finds), so the notice names `reader index`, not the app."""
    settings = mixed_settings(tmp_path)
    settings = dataclasses.replace(settings, use_cache=False)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert not main.background.active
        subtitle = await entity_list_subtitle(pilot, main)
        assert "finding the rest" not in subtitle


async def test_an_article_whose_worker_stopped_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker killed mid-piece (its WorkerStopped, raised once here) is not the
    article's fault: the article is tried again with a new worker, and found."""
    stopped: list[str] = []
    behind = _Worker.behind

    def dying(self: _Worker, *args: Any) -> Any:
        if not stopped:
            stopped.append("once")
            raise WorkerStopped("the entity worker stopped (killed by SIGKILL)")
        return behind(self, *args)

    monkeypatch.setattr(_Worker, "behind", dying)
    app = build_app(mixed_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        names = {a.path.name for a in main.query_one(ArticleList).library}
        await until(pilot, lambda: main.background.done, 180)
        assert stopped and len(main.background.failures) == 1
        assert cached_names(app) == names
