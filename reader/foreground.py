"""Work the user is waiting for, and the background passes that give way to it.

The app builds its search index in a thread while the user reads; the build's entity pass
runs the consistency rules, pure Python that holds the GIL ~2 ms an article. A page asked
for by a key (an entity's page: `p`) is read in another thread of the same process, and
Python hands the GIL over at most every switch interval (5 ms) and unfairly: during the
build a page whose reading takes 14-100 ms of CPU took 45-920 ms (figure 13). So the
foreground says when it serves such a key (:func:`hold`, from the key to the frame that
shows what it asked for), and a background pass calls :func:`give_way` between two of
its items (the search index's build does, between two articles): while anything is held,
it waits, without the GIL, until nothing is.

A hold that is never released (a worker that died before the frame) expires after its
*most* seconds, so a background pass is never stopped for longer than that by a bug.
"""

from __future__ import annotations

import itertools
import threading
import time

HOLD_SECONDS = 2.0
"""How long a hold lasts at most when nobody releases it (a page takes ~0.1-0.3 s)."""

_changed = threading.Condition()
_holds: dict[int, float] = {}
"""The holds in force: their number and when each expires (``time.monotonic()``)."""
_numbers = itertools.count(1)
_waiting = 0
"""Background passes waiting in :func:`give_way` now."""


def hold(most: float = HOLD_SECONDS) -> int:
    """The foreground serves a key from now: background passes pause at their next
    :func:`give_way` until :func:`release` of what this returns (or *most* seconds)."""
    with _changed:
        number = next(_numbers)
        _holds[number] = time.monotonic() + most
        return number


def release(number: int) -> None:
    """The key's frame is painted: the hold *number* ends (again: nothing happens)."""
    with _changed:
        if _holds.pop(number, None) is not None:
            _changed.notify_all()  # each waiter looks again (another may have expired)


def release_all() -> None:
    """Every hold ends (the app is quitting: no frame will release them)."""
    with _changed:
        _holds.clear()
        _changed.notify_all()


def held() -> bool:
    """Whether a hold is in force (expired ones are forgotten)."""
    with _changed:
        return _in_force() > 0.0


def waiting() -> int:
    """How many background passes are waiting in :func:`give_way` now."""
    return _waiting


def give_way() -> None:
    """In a background pass, between two items: return at once when nothing is held
    (an unlocked dict check), else wait until every hold is released or expired."""
    global _waiting
    if not _holds:
        return
    with _changed:
        _waiting += 1
        try:
            # Until the first hold in force expires or one is released, then again: not
            # asleep until the last one's end after the others were released.
            while (left := _in_force()) > 0.0:
                _changed.wait(left)
        finally:
            _waiting -= 1


def _in_force() -> float:
    """Seconds until the first hold in force expires, 0 when none is (with the lock)."""
    now = time.monotonic()
    for number in [n for n, ends in _holds.items() if ends <= now]:
        del _holds[number]
    return min(_holds.values(), default=now) - now
