"""How Pilot tests wait: one helper, :func:`settle` (and :func:`ready`, the same wait on
the main screen), for the UI tests and the snapshots.

Import it (``from .conftest import settle``; the snapshots: ``from ui.conftest import
settle``): it is a plain function, not a fixture, because a test calls it many times.
"""

from __future__ import annotations

from typing import Any, cast

from textual.pilot import Pilot

from reader.ui.app import ReaderApp
from reader.ui.screens.main import MainScreen

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
        await app.workers.wait_for_complete()
        await app.wait_for_writes()
    await pilot.pause()


async def ready(pilot: Pilot[Any]) -> MainScreen:
    """Wait as :func:`settle` does, then return the main screen (it must be on top)."""
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen), screen
    return screen
