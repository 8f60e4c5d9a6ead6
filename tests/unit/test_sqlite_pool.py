"""The shared per-thread SQLite connections of the search and entity indexes."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.sqlite_pool import ConnectionPool, connect_wal


def in_thread(pool: ConnectionPool) -> sqlite3.Connection:
    found: list[sqlite3.Connection] = []

    def run() -> None:
        with pool.connection() as connection:
            found.append(connection)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return found[0]


def test_each_thread_keeps_its_own_connection_until_the_pool_is_closed(tmp_path: Path) -> None:
    pool = ConnectionPool(lambda: connect_wal(tmp_path / "x.sqlite3", "temp_store=MEMORY"))
    with pool.connection() as first, pool.connection() as again:
        assert first is again
        assert first.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert first.execute("PRAGMA temp_store").fetchone() == (2,)
    other = in_thread(pool)
    assert other is not first
    pool.close()
    with pytest.raises(sqlite3.ProgrammingError):  # closed from this thread, any thread's
        other.execute("SELECT 1")
    with pool.connection() as fresh:
        assert fresh is not first
        assert fresh.execute("SELECT 1").fetchone() == (1,)


def test_a_pool_in_memory_shares_one_connection_until_closed(tmp_path: Path) -> None:
    def refuse() -> sqlite3.Connection:
        raise AssertionError("no file for a pool in memory")

    pool = ConnectionPool(refuse)
    pool.start_memory(
        "CREATE TABLE meta(key, value)", lambda c: c.execute("INSERT INTO meta VALUES (1, 2)")
    )
    with pool.connection() as connection:
        assert connection.execute("SELECT * FROM meta").fetchall() == [(1, 2)]
    assert in_thread(pool) is connection
    pool.close()
    assert pool.memory is None
    with pytest.raises(sqlite3.ProgrammingError):
        connection.execute("SELECT 1")


def test_a_failing_pragma_closes_the_connection(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError):
        connect_wal(tmp_path / "x.sqlite3", "no such thing = = 1")


def test_the_connections_of_ended_threads_are_closed(tmp_path: Path) -> None:
    """The connection of a thread that has ended is closed when another thread opens one,
    not kept open until the pool is closed (two file descriptors a thread that ended)."""
    pool = ConnectionPool(lambda: connect_wal(tmp_path / "x.sqlite3"))
    with pool.connection() as mine:
        pass
    ended = [in_thread(pool) for _ in range(20)]
    for connection in ended[:-1]:
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("SELECT 1")
    assert ended[-1].execute("SELECT 1").fetchone() == (1,)  # closed by the next one only
    assert mine.execute("SELECT 1").fetchone() == (1,)  # this thread's is alive
    assert len(pool._connections) == 2
    pool.close()
    with pytest.raises(sqlite3.ProgrammingError):
        ended[-1].execute("SELECT 1")


def test_a_connection_in_use_is_closed_when_its_thread_lets_go(tmp_path: Path) -> None:
    """Closing the pool while another thread steps a query on its connection (the app
    quitting during an index update) leaves that connection open until the thread's block
    ends: closing it under the thread crashed the interpreter (a segmentation fault in .ci/run)."""
    pool = ConnectionPool(lambda: connect_wal(tmp_path / "x.sqlite3"))
    with pool.connection() as setup:
        setup.execute("CREATE TABLE t(n)")
        setup.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(1000)])
    started, closed = threading.Event(), threading.Event()
    seen: list[object] = []

    def update() -> None:
        try:
            with pool.connection() as connection:
                rows = connection.execute("SELECT n FROM t")
                seen.append(next(rows)[0])
                started.set()
                assert closed.wait(10)
                seen.extend(n for (n,) in rows)
                seen.append(connection)
        except sqlite3.Error as error:  # the connection closed under the query
            seen.append(error)

    thread = threading.Thread(target=update)
    thread.start()
    assert started.wait(10)
    pool.close()
    with pool.connection() as mine:  # this thread's own connection is a new one
        assert mine is not setup
    closed.set()
    thread.join(10)
    assert seen[:-1] == list(range(1000))
    used = seen[-1]
    assert isinstance(used, sqlite3.Connection)
    with pytest.raises(sqlite3.ProgrammingError):  # closed once the thread let go
        used.execute("SELECT 1")
    assert not pool._in_use and not pool._close_when_free


def test_a_file_made_again_under_a_connection_in_use_loses_nothing(tmp_path: Path) -> None:
    """An index reset (``create_database``: the file and its ``-wal``/``-shm`` removed and
    made again at the same path) while another thread's connection to the old file is in
    use: that connection is closed once the thread lets go, as the last of the old file's.
    SQLite closes it without checkpointing or deleting the ``-wal`` by its name (the file
    has moved: ``SQLITE_FCNTL_HAS_MOVED``), so the new file's WAL, with a transaction not
    yet checkpointed, is kept."""
    from reader.sqlite_files import create_database

    path = tmp_path / "x.sqlite3"
    pool = ConnectionPool(lambda: connect_wal(path))

    def schema(connection: sqlite3.Connection) -> None:
        connection.execute("INSERT INTO t VALUES ('meta')")

    create_database(path, lambda: connect_wal(path), "CREATE TABLE t(x)", schema)
    started, reset, done = threading.Event(), threading.Event(), threading.Event()

    def update() -> None:
        with pool.connection() as connection:
            connection.execute("INSERT INTO t VALUES ('old')")  # in the old file's WAL
            rows = connection.execute("SELECT x FROM t")
            next(rows)
            started.set()
            assert reset.wait(10)
        done.set()

    thread = threading.Thread(target=update)
    thread.start()
    assert started.wait(10)
    with pool.lock:
        pool.close()
        create_database(path, lambda: connect_wal(path), "CREATE TABLE t(x)", schema)
    with pool.connection() as connection:
        connection.execute("INSERT INTO t VALUES ('new')")  # in the new file's WAL
        wal = Path(f"{path}-wal").stat().st_ino
        reset.set()
        assert done.wait(10)
        thread.join(10)
        assert Path(f"{path}-wal").stat().st_ino == wal
        assert connection.execute("SELECT x FROM t").fetchall() == [("meta",), ("new",)]
    other = connect_wal(path)
    try:
        assert other.execute("SELECT x FROM t").fetchall() == [("meta",), ("new",)]
        assert other.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        other.close()
        pool.close()


def test_a_connection_an_ended_thread_left_in_use_is_not_closed_under_its_user(
    tmp_path: Path,
) -> None:
    """A block opened in a generator by a thread that then ended, the generator stepped on
    by another thread: a third thread's new connection (which closes the connections of
    ended threads) leaves that one open until its block ends (review6)."""
    pool = ConnectionPool(lambda: connect_wal(tmp_path / "x.sqlite3"))
    with pool.connection() as setup:
        setup.execute("CREATE TABLE t(n)")
        setup.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(10)])

    def rows() -> Iterator[int]:
        with pool.connection() as connection:
            for (n,) in connection.execute("SELECT n FROM t"):
                yield n

    made: list[Iterator[int]] = []

    def opener() -> None:
        steps = rows()
        assert next(steps) == 0  # the block is open, in this thread's connection
        made.append(steps)

    thread = threading.Thread(target=opener)
    thread.start()
    thread.join()
    in_thread(pool)  # a new thread's connection: the ended threads' are closed
    assert list(made[0]) == list(range(1, 10))
    assert not pool._in_use and not pool._close_when_free
