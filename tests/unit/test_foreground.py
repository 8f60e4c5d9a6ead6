"""reader/foreground.py: background passes give way while the foreground serves a key,
and the search index's build is such a pass (it waits between two articles).

Real parts: a real library folder, the real search index file (SQLite), a real thread.
No timing: each test waits for a state (a thread waiting, a thread done), never a duration.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader import foreground
from reader.library import catalogue
from reader.search.index import UpdateReport
from reader.search.query import parse
from reader.settings import Settings
from reader.workspace import Workspace

PATIENCE = 30.0
"""Seconds after which a state that never came is a failure (not a measure of speed)."""


def until(condition: Callable[[], bool]) -> bool:
    """Poll *condition* until it holds (True), or PATIENCE passed (False)."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def started(target: Callable[[], object]) -> threading.Thread:
    """*target* running in a daemon thread (a test that fails does not hang the run)."""
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def waiting_pass() -> tuple[threading.Thread, threading.Event]:
    """A background pass in its thread, once it waits (giving way): the thread, and an
    event set when the pass went on."""
    passed = threading.Event()

    def background() -> None:
        foreground.give_way()
        passed.set()

    thread = started(background)
    assert until(lambda: foreground.waiting() == 1)
    return thread, passed


@pytest.fixture(autouse=True)
def nothing_held() -> Iterator[None]:
    """No hold of one test lasts into another."""
    yield
    for number in list(foreground._holds):
        foreground.release(number)


def test_nothing_held_gives_way_at_once() -> None:
    assert not foreground.held()
    foreground.give_way()  # returns: nothing to wait for
    assert foreground.waiting() == 0


def test_a_pass_waits_until_every_hold_is_released() -> None:
    first, second = foreground.hold(), foreground.hold()
    thread, passed = waiting_pass()
    foreground.release(first)
    foreground.release(first)  # again: nothing happens
    assert foreground.held()
    assert foreground.waiting() == 1 and not passed.is_set()
    foreground.release(second)
    assert passed.wait(PATIENCE)
    thread.join(PATIENCE)
    assert not foreground.held() and foreground.waiting() == 0


def test_a_hold_never_released_expires() -> None:
    foreground.hold(most=0.01)  # a worker that died before its frame
    # In a thread: a pass that never returns is a failure, not a test run that hangs.
    thread = started(foreground.give_way)
    thread.join(PATIENCE)
    assert not thread.is_alive()  # it returned once the hold expired
    assert not foreground.held()


def test_a_pass_goes_on_when_the_hold_it_waited_for_is_released_before_another_expires() -> None:
    """A hold never released (short), then one that is (long): the pass goes on once the
    short one expired, not when the long one would have (nobody released the short one to
    wake it)."""
    leaked = foreground.hold(most=1.0)
    ends = foreground._holds[leaked]
    served = foreground.hold(most=PATIENCE)
    thread, passed = waiting_pass()
    foreground.release(served)  # the short one still in force
    assert foreground._holds.get(leaked) == ends
    assert passed.wait(PATIENCE / 3)  # well before the long one's end
    thread.join(PATIENCE)


def library_workspace(tmp_path: Path, articles: int) -> Workspace:
    root = tmp_path / "library"
    root.mkdir()
    for i in range(articles):
        (root / f"{i:02}.txt").write_text(f"Article {i}\n\nPelicans crossed bay {i}.\n")
    settings = Settings(
        article_paths=[root], db_path=tmp_path / "db.json", cache_dir=tmp_path / "cache"
    )
    return Workspace(settings)


def build_waits_while_a_key_is_served(tmp_path: Path) -> None:
    """A key served while the search index is built: the build stops (gives way) until
    its frame is painted, then ends with every article indexed."""
    workspace = library_workspace(tmp_path, 5)
    workspace.library()
    index = workspace.search_index()
    reports: list[UpdateReport] = []
    holding = foreground.hold(most=PATIENCE)
    thread = started(lambda: reports.append(index.update(workspace, entities=False)))
    try:
        # It stops (without giving way, it ends instead).
        until(lambda: foreground.waiting() == 1 or not thread.is_alive())
        assert foreground.waiting() == 1 and thread.is_alive() and not reports
    finally:
        foreground.release(holding)
    thread.join(PATIENCE)
    assert not thread.is_alive()
    assert reports[0].added == 5
    assert len(index.paths(parse("pelicans"))) == 5
    workspace.close()


def test_the_search_index_build_waits_while_a_key_is_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    build_waits_while_a_key_is_served(tmp_path)  # at its first article


def test_the_search_index_build_waits_within_a_batch_of_full_text_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key served while a batch's rows are written (SQLite's ~100 µs a row, 25 ms or
    more a batch): the build stops before its next full-text row, not at the next batch.
    Here the articles' own give-way is taken out, so that only the rows' can stop it."""
    from reader.search import writing

    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    monkeypatch.setattr(writing, "let_others_run", lambda: None)
    build_waits_while_a_key_is_served(tmp_path)


def test_a_whole_walk_of_the_library_waits_while_a_key_is_served(tmp_path: Path) -> None:
    """The live library's walk (a stat of each of 10,000 files: ~30 ms of its thread with
    the interpreter's lock) stops at its next file while a key is served."""
    from reader.library import Library
    from reader.library.watch import LibraryRescan

    workspace = library_workspace(tmp_path, 5)
    root = tmp_path / "library"
    library = Library.load([root])
    rescan = LibraryRescan([root])
    holding = foreground.hold(most=PATIENCE)
    done = threading.Event()
    thread = started(lambda: (rescan.rescan(library, None), done.set()))
    try:
        until(lambda: foreground.waiting() == 1 or done.is_set())
        assert foreground.waiting() == 1 and not done.is_set()
    finally:
        foreground.release(holding)
    assert done.wait(PATIENCE)
    thread.join(PATIENCE)
    workspace.close()


def test_release_all_ends_every_hold_and_frees_the_waiters() -> None:
    """The app quitting releases the holds whose frames will never come: a pass waiting in
    give_way goes on at once, not after the holds' time (review6)."""
    foreground.hold(60.0)
    foreground.hold(60.0)
    thread, passed = waiting_pass()
    foreground.release_all()
    assert until(passed.is_set)
    thread.join(5)
    assert not foreground.held()
