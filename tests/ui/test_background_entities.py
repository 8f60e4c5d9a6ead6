"""The app finds every article's entities in the background while the user rests
(reader/ui/background.py): through the one entity worker, into the cache, the entity index
and the search index, as an opened article's; the user's switch first; off by the config
file; stopped at once by q.

Real parts: the real spaCy pipeline in the entity worker, the real caches and indexes, the
real app under Pilot.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import extracts_started
from textual.pilot import Pilot

from reader import heap
from reader.config import load_config
from reader.entities.cache import CACHE_FORMAT
from reader.library import catalogue
from reader.settings import Settings
from reader.ui import background
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.entity_library import EntityLibraryScreen
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_lists import EntityList
from reader.ui.widgets.filter_bar import FilterBar

from .conftest import ready
from .test_entity_pages import write_library
from .test_filter import idle

SIZE = (140, 40)

#: The pass's thread's name.
BACKGROUND = "background-entities"

#: The first article is opened at start (found by the foreground); none of the others is.
NEVER_OPENED = "e-dinner.txt"


def settings(tmp_path: Path, *, on: bool = True) -> Settings:
    """The five short articles of test_entity_pages, nothing cached; the pass as *on*."""
    write_library(tmp_path / "library")
    return Settings(
        article_paths=[tmp_path / "library"],
        db_path=tmp_path / "db.json",
        cache_dir=tmp_path / "cache",
        background_entities=on,
    )


def cached_names(app: ReaderApp) -> set[str]:
    finder = app.finder
    assert finder.cache is not None
    return {
        a.path.name
        for a in app.workspace.library().articles
        if finder.cache.has(a.sha256, finder.pipeline)
    }


async def until(pilot: Pilot[Any], done: Any, seconds: float = 120.0) -> None:
    """Let the app run (the user resting) until *done()* or *seconds* have passed."""
    ends = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < ends, "timed out"
        await pilot.pause(0.1)


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    monkeypatch.setattr(background, "REST_SECONDS", 0.5)  # the tests' rest: shorter


async def test_after_a_rest_every_article_is_found_and_searched(tmp_path: Path) -> None:
    app = build_app(settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        names = {a.path.name for a in main.query_one(ArticleList).library}
        await until(pilot, lambda: main.background.done)
        assert cached_names(app) == names
        assert main.background.failures == []
        assert main.article is not None and main.article.path.name != NEVER_OPENED
        # The same spans as an opened article's: the model's, cached by content hash.
        assert app.workspace.entity_index().article_count() == len(names)
        # A label: search finds an article never opened, without a coverage notice.
        main.query_one(ArticleList).focus()
        await pilot.press("slash", *"label:PERSON")
        main = await idle(pilot)
        listed = {a.path.name for a in main.query_one(ArticleList).articles}
        assert NEVER_OPENED in listed
        assert main.query_one(FilterBar)._notice == ""  # no "entities found for 1 of 5"
        # The entity list (`P`) lists an entity only a never-opened article mentions.
        await pilot.press("escape", "escape")
        main.query_one(ArticleList).focus()
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, EntityLibraryScreen))
        entity_list = app.screen.query_one(EntityList)
        await until(pilot, lambda: entity_list.shown > 0)
        names_listed = {e.name for e, _ in entity_list._all}
        assert "Cherie Blair" in names_listed
        assert entity_list.border_subtitle == ""  # every article covered


async def entity_list_subtitle(pilot: Pilot[Any], main: MainScreen) -> str:
    """Open the entity list (`P`), read what its border says of the coverage, close it."""
    main.query_one(ArticleList).focus()
    await pilot.press("P")
    await until(pilot, lambda: isinstance(pilot.app.screen, EntityLibraryScreen))
    entity_list = pilot.app.screen.query_one(EntityList)
    await until(pilot, lambda: entity_list.border_title != "Loading entities…")
    said = str(entity_list.border_subtitle)
    await pilot.press("escape")
    return said


async def test_the_coverage_notice_counts_what_the_pass_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "REST_SECONDS", 3600.0)  # no rest long enough, yet
    app = build_app(settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await idle(pilot)
        said = await entity_list_subtitle(pilot, main)
        assert said == "entities found for 1 of 5 articles · finding the rest"
        monkeypatch.setattr(background, "REST_SECONDS", 0.5)
        await until(pilot, lambda: main.background.done)
        assert await entity_list_subtitle(pilot, main) == ""


async def test_off_by_config_nothing_is_found_in_the_background(tmp_path: Path) -> None:
    write_library(tmp_path / "library")
    config = tmp_path / "config.toml"
    config.write_text(
        f'library = ["{tmp_path / "library"}"]\ncache_dir = "{tmp_path / "cache"}"\n'
        f'database = "{tmp_path / "db.json"}"\nbackground_entities = false\n',
        encoding="utf-8",
    )
    made = Settings.build(config=load_config(config), env={}, cwd=tmp_path)
    assert made.background_entities is False
    app = build_app(made)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        opened = main.article
        assert opened is not None
        await until(pilot, lambda: opened.path.name in cached_names(app))
        await pilot.pause(3 * background.REST_SECONDS + 1.0)  # rested: nothing more
        assert cached_names(app) == {opened.path.name}
        assert main.background.asked == []


#: Long articles for the tests that catch the pass in the middle of its work.
def write_long_library(root: Path, count: int = 12, paragraphs: int = 40) -> None:
    root.mkdir(parents=True, exist_ok=True)
    people = ["Sergey Lavrov", "Tony Blair", "Angela Merkel", "Emmanuel Macron", "Olaf Scholz"]
    places = ["Geneva", "Moscow", "Vienna", "London", "Paris", "Berlin", "Rome"]
    for n in range(count):
        body = [f"Article {n}: talks in {places[n % len(places)]}"]
        for p in range(paragraphs):
            who, where = people[(n + p) % len(people)], places[(n * 3 + p) % len(places)]
            body.append(
                f"{who} met officials in {where} on Monday, the {p + 1}th meeting of the "
                f"season. The United Nations and the European Union said talks number {n}-{p} "
                f"would resume in {places[(p + 2) % len(places)]} next week."
            )
        (root / f"{n:02d}-article.txt").write_text("\n\n".join(body) + "\n", encoding="utf-8")


def long_settings(tmp_path: Path) -> Settings:
    write_long_library(tmp_path / "library")
    return Settings(
        article_paths=[tmp_path / "library"],
        db_path=tmp_path / "db.json",
        cache_dir=tmp_path / "cache",
        background_entities=True,
    )


async def test_the_users_switch_goes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A switch to an uncached article while the pass is busy (no rest asked for here:
    the worker's own priority is what is tested): no piece of the pass starts between the
    key and the user's request (one may be in flight), the pass does not take that article
    up once it is opened (it may have had it in hand: the cursor's is its first), and its
    highlights are shown while the pass still has articles to do."""
    monkeypatch.setattr(background, "REST_SECONDS", 0.0)
    started = extracts_started(monkeypatch)
    app = build_app(long_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        articles = main.query_one(ArticleList)
        # The pass runs (the first article, opened at start, is the foreground's).
        await until(pilot, lambda: len(main.background.asked) >= 2)
        assert not main.background.done
        target = articles.library[-1]  # the last in the pass's order (from the top down)
        assert target.path.name not in cached_names(app)
        articles.focus()
        await pilot.press("G")  # the last row
        pressed = time.monotonic()
        asked_before = len(main.background.asked)  # the cursor's article may be in hand
        await pilot.press("enter")
        view = main.query_one(ArticleView)
        await until(pilot, lambda: main.article is target and bool(view.spans), 60)
        remaining = {a.path.name for a in articles.library} - cached_names(app)
        served = next(t for name, t in started if name != BACKGROUND and t >= pressed)
        cut_in = [t for name, t in started if name == BACKGROUND and pressed <= t <= served]
        assert len(cut_in) <= 1, "background pieces went before the user's request"
        assert remaining, "the pass finished before the user's switch was served"
        assert target.id not in main.background.asked[asked_before:]  # left to the user's
        # The pass finishes the rest.
        await until(pilot, lambda: main.background.done)
        assert cached_names(app) == {a.path.name for a in articles.library}


async def test_typing_pauses_the_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rest is made by the test, never by the clock (as tests/ui/test_resume.py): a
    rest of an hour, the last key set an hour back (rested) or left to the keys."""
    monkeypatch.setattr(background, "REST_SECONDS", 3600.0)
    app = build_app(long_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        app.last_input = time.monotonic() - 7200.0  # rested
        await until(pilot, lambda: len(main.background.asked) >= 1)
        main.query_one(ArticleList).focus()
        await pilot.press("j")  # a key: not rested any more
        assert time.monotonic() - app.last_input < 3600.0
        asked = len(main.background.asked)
        await pilot.pause(1.0)
        assert len(main.background.asked) <= asked + 1  # at most the one in hand ends
        asked = len(main.background.asked)
        await pilot.pause(1.0)
        assert len(main.background.asked) == asked
        app.last_input = time.monotonic() - 7200.0  # rested again: it goes on
        await until(pilot, lambda: len(main.background.asked) > asked)


async def test_quitting_during_the_pass_is_quick_and_the_cache_stays_whole(
    tmp_path: Path,
) -> None:
    app = build_app(long_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert isinstance(main, MainScreen)
        await until(pilot, lambda: len(main.background.asked) >= 2)
        thread = main.background._thread
        assert thread is not None and thread.is_alive()
        started = time.monotonic()
        await pilot.press("q")
    quit_seconds = time.monotonic() - started
    assert not thread.is_alive()
    assert quit_seconds < 5.0  # not a speed figure: a pass that did not stop hangs here
    # The entity cache's files: <engine>/<sha[:2]>/<sha>.json (and a write's temporary
    # ".<name>." left behind, if one was cut short).
    [engine] = [d for d in (tmp_path / "cache").iterdir() if d.is_dir() and "-" in d.name]
    entries = [f for f in engine.rglob("*") if f.is_file()]
    assert entries, "nothing cached"
    for entry in entries:  # whole JSON entries only, no half-written file left
        assert entry.suffix == ".json" and not entry.name.startswith("."), entry
        data = json.loads(entry.read_text(encoding="utf-8"))
        assert data["format"] == CACHE_FORMAT and isinstance(data["spans"], list)


async def test_ctrl_z_pauses_the_pass_until_the_user_is_back_and_resting(
    tmp_path: Path,
) -> None:
    """Textual's suspend signal (Ctrl+Z, before SIGTSTP): nothing more is sent while
    suspended; once resumed, the pass waits for a rest, then goes on. (The signals are
    published here: Pilot's app has no terminal to stop.)"""
    app = build_app(long_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await until(pilot, lambda: len(main.background.asked) >= 1)
        pid = app.finder.recognizer.pid  # type: ignore[attr-defined]
        assert pid is not None and process_state(pid) != "T"
        app.app_suspend_signal.publish(app)
        asked = len(main.background.asked)
        # The worker (a session of its own: the terminal's stop misses it) stops with the
        # app, the piece in flight with it.
        assert process_state(pid) == "T"
        await pilot.pause(3 * background.REST_SECONDS + 0.5)
        assert len(main.background.asked) == asked  # the article in hand waits too
        assert process_state(pid) == "T"
        asked = len(main.background.asked)
        app.app_resume_signal.publish(app)
        resumed = time.monotonic()
        await until(pilot, lambda: process_state(pid) != "T", 5.0)
        await until(pilot, lambda: len(main.background.asked) > asked)
        assert time.monotonic() - resumed >= background.REST_SECONDS * 0.9
        assert app.finder.recognizer.pid == pid  # type: ignore[attr-defined]


async def test_the_memory_the_updates_freed_is_given_back_once_the_user_rests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index updates ask for a trim (reader/heap.py); the pass's thread makes it once
    the user has rested, not in the middle of a key's frame."""
    trims: list[float] = []
    monkeypatch.setattr(heap, "give_back", lambda: trims.append(time.monotonic()) or True)
    app = build_app(long_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await until(pilot, lambda: len(main.background.asked) >= 1)
        assert trims, "the first update's freed memory was not given back at the rest"
        heap.want_back()
        trims.clear()
        await pilot.press("j")  # the user is back: no trim while the pass waits
        pressed = time.monotonic()
        await until(pilot, lambda: bool(trims), 3 * background.REST_SECONDS + 5)
        assert trims[0] - pressed >= background.REST_SECONDS * 0.9


async def test_an_app_ending_suspended_lets_the_worker_go_on(tmp_path: Path) -> None:
    """The worker is the process's, kept for the next app: an app that ends stopped by
    Ctrl+Z, never resumed, lets it go on (left stopped, every request of the next app
    waited on it)."""
    app = build_app(long_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await until(pilot, lambda: len(main.background.asked) >= 1)
        pid = app.finder.recognizer.pid  # type: ignore[attr-defined]
        assert pid is not None
        app.app_suspend_signal.publish(app)
        assert process_state(pid) == "T"
    deadline = time.monotonic() + 5.0
    while process_state(pid) == "T" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_state(pid) != "T"


def process_state(pid: int) -> str:
    """The state letter of process *pid* (Linux's /proc: R, S, T for stopped…)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return stat.rsplit(")", 1)[1].split()[0]
