"""Connections to a derived SQLite file, one per thread (the search index, the entity index).

A file is opened by each thread that asks (WAL: readers do not wait for the writer), and
every connection is remembered so that :meth:`ConnectionPool.close` closes them all from any
thread; a thread's connection opened before the last close is replaced on its next use, and
the connections of threads that have ended are closed when a thread opens one (else a
thread's two file descriptors stayed open after it ended, until the pool was closed). A
connection a thread is using when the pool is closed is closed when that thread lets go of it,
never under it: closing a connection while another thread steps a statement on it crashes the
interpreter (a segmentation fault in CPython 3.11's ``sqlite3``, seen when the app quit during
an index update). An index that cannot live in a file keeps one connection in memory, shared
under the lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

__all__ = ["ConnectionPool", "connect_wal"]


def connect_wal(path: Path, *pragmas: str) -> sqlite3.Connection:
    """A connection to *path* for any thread (autocommit, 30 s busy timeout) in WAL mode
    with ``synchronous=NORMAL`` (derived data: losing the last transaction to a power cut
    only costs a rebuild), then each of *pragmas* (``"temp_store=MEMORY"``); closed again
    when one of them fails."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        for pragma in pragmas:
            connection.execute(f"PRAGMA {pragma}")
    except BaseException:
        connection.close()
        raise
    return connection


class ConnectionPool:
    """One connection a thread from *connect*, or the one :attr:`memory` connection.

    :attr:`lock` is held while connections are opened or closed; the owner may hold it
    longer (while it opens or rebuilds its file) since it is re-entrant."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self.lock = threading.RLock()
        """Held while connections are opened or closed, and around the memory connection."""
        self.memory: sqlite3.Connection | None = None
        """The one connection of a database in memory, or None for a file."""
        self.generation = 0
        """Bumped by :meth:`close`: a thread's connection of an older generation is stale."""
        self._connect = connect
        self._local = threading.local()
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        """Every connection open, with the thread it was opened for."""
        self._in_use: dict[sqlite3.Connection, int] = {}
        """The connections inside a :meth:`connection` block, with how many deep."""
        self._close_when_free: set[sqlite3.Connection] = set()
        """Connections :meth:`close` found in use: closed when their block ends."""
        self._use_lock = threading.Lock()
        """Guards :attr:`_in_use` and :attr:`_close_when_free` (held for microseconds)."""

    def start_memory(self, schema: str, write_meta: Callable[[sqlite3.Connection], None]) -> None:
        """Keep the database in memory from now on: *schema* and *write_meta*'s rows."""
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        memory.executescript(schema)
        write_meta(memory)
        self.memory = memory

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (the memory connection, under the lock, when there is one)."""
        if self.memory is not None:
            with self.lock:
                if self.memory is not None:
                    yield self.memory
                    return
        local = self._local
        while True:
            connection = getattr(local, "connection", None)
            if connection is None or getattr(local, "generation", None) != self.generation:
                with self.lock:
                    self._close_ended()
                    connection = self._connect()
                    self._connections.append((threading.current_thread(), connection))
                    local.connection, local.generation = connection, self.generation
            # Marked in use under a lock of its own, held for no more than that: the pool's
            # lock is held while a connection is opened or closed (a close checkpoints the
            # log, up to ~100 ms), and a thread that has its connection must not wait for
            # it (the screen's thread stalled up to 189 ms during a save, figure 4).
            with self._use_lock:
                self._in_use[connection] = self._in_use.get(connection, 0) + 1
            if local.generation == self.generation:
                break
            self._let_go(connection)  # the pool was closed meanwhile: a new one
        try:
            yield connection
        finally:
            self._let_go(connection)

    def _let_go(self, connection: sqlite3.Connection) -> None:
        """One :meth:`connection` block on *connection* ends: closed now if :meth:`close`
        (or :meth:`_close_ended`) found it in use."""
        with self._use_lock:
            depth = self._in_use.pop(connection) - 1
            if depth:
                self._in_use[connection] = depth
            close = not depth and connection in self._close_when_free
            if close:
                self._close_when_free.discard(connection)
        if close:
            with suppress(sqlite3.Error):
                connection.close()

    def _close_ended(self) -> None:
        """Close the connections of the threads that have ended (no one uses them again)."""
        kept = []
        for thread, connection in self._connections:
            if thread.is_alive():
                kept.append((thread, connection))
            else:  # one a generator another thread still steps: once it lets go
                self._close_unless_used(connection)
        self._connections = kept

    def _close_unless_used(self, connection: sqlite3.Connection) -> None:
        """Close *connection* now, unless a thread is using it (then once it lets go)."""
        with self._use_lock:
            used = connection in self._in_use
            if used:
                self._close_when_free.add(connection)
        if not used:
            with suppress(sqlite3.Error):
                connection.close()

    def close(self) -> None:
        """Close every connection, any thread's, and the memory one (errors ignored); one a
        thread is using is closed when that thread's :meth:`connection` block ends."""
        with self.lock:
            # First: a thread about to mark its connection in use sees the pool closed
            # and takes a new one (the one it had may be closed below, not marked yet).
            self.generation += 1
            for _, connection in self._connections:
                self._close_unless_used(connection)
            self._connections.clear()
            if self.memory is not None:
                with suppress(sqlite3.Error):
                    self.memory.close()
                self.memory = None
