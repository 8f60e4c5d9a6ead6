"""Freed memory given back to the system: glibc's ``malloc_trim``.

glibc keeps what Python and SQLite free in its arenas (one per thread that allocated, up to
eight per core) and returns only the free space at the top of each heap: memory freed in the
middle, between chunks still in use, stays in the process's resident set. The app's search
index updates (a 32 MiB page cache, the library compared, in a thread of their own) and the
background entity pass (each article's text and spans, in its own thread) free tens of MB
that way: at 10,000 articles the app's RSS held ~25 MB of it after the first update, and
grew by ~7 KB an article while the pass ran (figure 5, README). ``malloc_trim(0)`` hands the
free pages of every arena back (``madvise``): a few milliseconds on a small heap, tens on
the app's, with each arena's lock held in turn, so the screen's thread, allocating, waits
for it. An update therefore only asks for it (:func:`want_back`); the app gives it back
once the user has rested (:func:`give_back_if_wanted`, in the background entity pass's
thread: figure 2's cached switch at 10,000 was ~1.14× slower with the trim made at the end
of each update, bench/HISTORY.md).

Elsewhere (musl, macOS, Windows) :func:`give_back` does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Callable

__all__ = ["give_back", "give_back_if_wanted", "want_back"]

_lock = threading.Lock()
_trim: Callable[[int], int] | None = None
_looked = False
_wanted = False
"""Memory was freed in bulk since the last trim (:func:`want_back`)."""


def _find_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def give_back() -> bool:
    """Return the free pages of every malloc arena to the system (glibc); whether it could
    (False where there is no ``malloc_trim``)."""
    global _trim, _looked
    with _lock:  # one trim at a time (each takes every arena's lock in turn)
        if not _looked:
            _trim, _looked = _find_trim(), True
        if _trim is None:
            return False
        _trim(0)
        return True


def want_back() -> None:
    """Memory was freed in bulk (an index update): give it back at the next rest."""
    global _wanted
    _wanted = True


def give_back_if_wanted() -> bool:
    """:func:`give_back` if :func:`want_back` asked for it since the last time; whether
    it trimmed."""
    global _wanted
    if not _wanted:
        return False
    _wanted = False
    return give_back()
