"""How Pilot tests wait: one helper, :func:`settle` (and :func:`ready`, the same wait on
the main screen), for the UI tests and the snapshots.

Import it (``from .conftest import settle``; the snapshots: ``from ui.conftest import
settle``): it is a plain function, not a fixture, because a test calls it many times.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from reader import foreground
from reader.settings import Settings
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_view import ArticleView

#: Rounds of waiting: a result can start more work (the library's tags read, then the
#: article opened, its entities found in a worker and its annotations read; a change on
#: disk, then its follow-ups), each round finishes one link of the chain.
ROUNDS = 4


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the app is quiet: workers done, queued store calls done, and the
    messages they posted handled, for as many rounds as a chain of follow-ups needs."""
    app = cast(ReaderApp, pilot.app)
    for _ in range(ROUNDS):
        await pilot.pause()
        await _workers_done(app)
        await app.wait_for_writes()
    await pilot.pause()


async def _workers_done(app: ReaderApp) -> None:
    """Wait for the app's workers; one cancelled meanwhile (an exclusive worker replaced
    by a newer one, as opening an article replaces the last one's lookups) is done too."""
    while True:
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            await asyncio.sleep(0)  # its done callback takes it out of the manager


async def ready(pilot: Pilot[Any]) -> MainScreen:
    """Wait as :func:`settle` does, then return the main screen (it must be on top)."""
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen), screen
    return screen


@contextlib.asynccontextmanager
async def started(
    settings: Settings, size: tuple[int, int]
) -> AsyncIterator[tuple[ReaderApp, Pilot[Any], MainScreen]]:
    """The app of *settings* under Pilot at *size*, its main screen :func:`ready`."""
    app = build_app(settings)
    async with app.run_test(size=size) as pilot:
        yield app, pilot, await ready(pilot)


async def open_view(app: ReaderApp, pilot: Pilot[Any]) -> ArticleView:
    """Wait as :func:`ready` does, then focus the article shown (the first, at start)."""
    await ready(pilot)
    view = app.screen.query_one(ArticleView)
    view.focus()
    await pilot.pause()
    return view


@contextlib.asynccontextmanager
async def in_article(
    settings: Settings, size: tuple[int, int]
) -> AsyncIterator[tuple[ReaderApp, Pilot[Any], ArticleView]]:
    """The app of *settings* under Pilot at *size*, the article shown focused
    (:func:`open_view`)."""
    app = build_app(settings)
    async with app.run_test(size=size) as pilot:
        yield app, pilot, await open_view(app, pilot)


@contextlib.contextmanager
def read_only_database(path: Path) -> Iterator[None]:
    """A database file the user made read-only (mode 0444): the app shows it read-only.
    (Another app having it open no longer does: writers take turns.)"""
    from reader.store import AnnotationStore

    path.parent.mkdir(parents=True, exist_ok=True)
    with AnnotationStore(path) as store:
        store.save_view("a view", "tag:x")  # the file exists
    path.chmod(0o444)
    try:
        yield
    finally:
        path.chmod(0o644)


@pytest.fixture(autouse=True)
def no_hold_left() -> Iterator[None]:
    """No key's hold on background passes (reader.foreground: process-wide) outlasts its
    test: an app closed before its frame was painted leaves one in force for up to two
    seconds, which the next test's index build and library walk then wait out."""
    yield
    for number in list(foreground._holds):
        foreground.release(number)
