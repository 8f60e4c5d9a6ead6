"""Derived SQLite files in the cache dir (the search index, the entity index, the entity
rows kept beside them): made afresh from their schema, or thrown away whole.

They hold nothing that cannot be worked out again, so a file that is broken or of another
format is removed with its companions (``-wal``, ``-shm``, ``-journal``) and made again.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

__all__ = ["create_database", "remove_database"]

_COMPANIONS = ("", "-wal", "-shm", "-journal")


def remove_database(path: Path) -> None:
    """Remove the SQLite file *path* and its companions (those missing are no error)."""
    for suffix in _COMPANIONS:
        with suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def create_database(
    path: Path,
    connect: Callable[[], sqlite3.Connection],
    schema: str,
    write_meta: Callable[[sqlite3.Connection], None],
) -> None:
    """Make *path* afresh (its folder too): what was there removed, then *schema*'s
    statements and the meta rows *write_meta* writes, in one transaction of a connection
    from *connect* (closed afterwards)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_database(path)
    connection = connect()
    try:
        connection.execute("BEGIN IMMEDIATE")
        for statement in schema.split(";"):
            if statement.strip():
                connection.execute(statement)
        write_meta(connection)
        connection.execute("COMMIT")
    finally:
        connection.close()
