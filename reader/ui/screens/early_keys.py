"""Keys typed before the library was on screen: what becomes of them.

A start takes a moment ("Loading articles…"); keys typed meanwhile are not lost, they run
once the screen takes them, on whatever is shown by then. A motion (`j`, `G`, Enter) is
harmless there, and saves the user typing it again. A key that writes (`m` marks read,
`t` tags, `u` undoes, ...) would change an article the user has not seen yet: such a key,
typed before the first list and article were painted, is dropped, and the user is told.
It is told by the key's own time (when it reached the app), not by when it is handled, so
a key typed early but handled late (the screen busy filling the list) is dropped too.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from textual import events
from textual.message import Message
from textual.screen import Screen

__all__ = ["EarlyKeys"]


class EarlyKeys:
    """Drops the keys of *writing* actions typed on *screen* before :meth:`shown`."""

    def __init__(self, screen: Screen[Any], writing: Collection[str]) -> None:
        self._screen = screen
        self._writing = frozenset(writing)
        self._shown_at: float | None = None
        self._told = False

    def shown(self) -> None:
        """The library (its list and first article, or the empty library's message) is
        painted: keys from now on are the user's answer to what they see."""
        if self._shown_at is None:
            # The clock of a key's ``time`` is every Message's, which Textual does not
            # name publicly (monotonic, or perf_counter on Windows): read it from one.
            self._shown_at = Message().time

    def drop(self, event: events.Key) -> bool:
        """Whether *event* is a key that writes, typed before the library was shown (and
        say so the first time); the caller stops it."""
        if self._shown_at is not None and event.time >= self._shown_at:
            return False
        active = self._screen.active_bindings.get(event.key)
        if active is None:
            return False
        action = active.binding.action.split("(", 1)[0].rsplit(".", 1)[-1]
        if action not in self._writing:
            return False
        if not self._told:
            self._told = True
            self._screen.notify(
                f"“{event.key}” was typed before the articles were shown: not done",
                severity="warning",
                markup=False,
            )
        return True
