"""The up-to-date check of `reader search`, in a second process: the stamps
(:func:`~reader.search.stamp.library_stamp`, ~45 ms of CPU for 10,000 articles: a stat per
file and Python between) are taken by a forked child while the command imports the
search, parses the query and opens the index on the other core; the command reads them
before it prints anything. A thread cannot do it (the stamp's loop holds the GIL between
its stats).

Forked only where :func:`os.fork` exists and no thread runs yet (a fork copies one thread:
a lock another thread held would stay held in the child); else, or when the child fails,
the stamps are taken in the command's process, as before. The child writes to nothing but
its pipe (its stdin, stdout and stderr, and Python's, are /dev/null from its first
instructions), exits with :func:`os._exit` (no buffer of the parent's flushed twice, no
handler run), and is killed and reaped by the command if it is not waited for; left alone
(the command killed) it ends with its stamps (its write to a pipe no one reads fails).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from contextlib import suppress
from typing import TYPE_CHECKING

from reader.search.stamp import entity_cache_stamp, library_stamp

if TYPE_CHECKING:
    from reader.settings import Settings

__all__ = ["Stamps", "take_stamps"]

Stamps = tuple[str | None, str | None]
"""The library's stamp and the entity cache's (trusted)."""

FORK = True
"""Whether a child may take the stamps (tests turn it off to compare)."""


def _stamps(settings: Settings) -> Stamps:
    return library_stamp(settings), entity_cache_stamp(settings, trusted=True)


class PendingStamps:
    """The stamps being taken: :meth:`result` them, or :meth:`cancel`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pid: int | None = None
        self._read: int | None = None
        self._result: Stamps | None = None
        if FORK and hasattr(os, "fork") and threading.active_count() == 1:
            try:
                self._fork()
            except OSError:
                self._pid = None  # no process to spare: in this one

    def _fork(self) -> None:
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.close(read)
                null = os.open(os.devnull, os.O_RDWR)
                for stream in (0, 1, 2):
                    os.dup2(null, stream)
                sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (os._exit)
                data = json.dumps(_stamps(self._settings)).encode("ascii")
                while data:
                    data = data[os.write(write, data) :]
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Stamps:
        """The stamps, from the child when it gave them, else taken here (now)."""
        if self._result is None:
            self._result = self._from_child()
            if self._result is None:
                self._result = _stamps(self._settings)
        return self._result

    def _from_child(self) -> Stamps | None:
        if self._pid is None or self._read is None:
            return None
        chunks: list[bytes] = []
        try:
            while chunk := os.read(self._read, 4096):
                chunks.append(chunk)
        except OSError:
            chunks = []
        finally:
            os.close(self._read)
            self._read = None
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        try:
            stamp, entities = json.loads(b"".join(chunks))
        except ValueError:
            return None
        if not (stamp is None or isinstance(stamp, str)):
            return None
        if not (entities is None or isinstance(entities, str)):
            return None
        return stamp, entities

    def cancel(self) -> None:
        """End the child, if any, unread (the command ends without needing the stamps)."""
        if self._pid is not None:
            with suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
        if self._read is not None:
            os.close(self._read)
            self._read = None


def take_stamps(settings: Settings) -> PendingStamps:
    """Start taking the stamps (in a child when one can be forked)."""
    return PendingStamps(settings)
