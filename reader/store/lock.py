"""The one-writer-at-a-time lock on an annotations file: an OS lock on ``<file>.lock``.

The lock is ``flock`` on POSIX (``msvcrt.locking`` on Windows), so the operating system
releases it when the process dies, however it dies: a killed app never leaves the file
locked. The lock file itself is never deleted (deleting it would let two processes lock two
different files of the same name); it holds the process id of the last holder, for the
error message.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import time
from pathlib import Path

from reader.store.errors import StoreError, StoreLocked, StoreReadOnly, explain

__all__ = ["WriteLock", "lock_path_for"]

_POLL_SECONDS = 0.01

_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)
"""Errors that mean the folder cannot be written (the database may still be read)."""


def lock_path_for(path: Path) -> Path:
    """The lock file that guards the database file ``path``."""
    return path.with_name(path.name + ".lock")


class WriteLock:
    """An exclusive lock on a database file, held from :meth:`acquire` to :meth:`release`."""

    def __init__(self, path: Path, fd: int) -> None:
        """Wrap an already locked file descriptor; use :meth:`acquire` to make one."""
        self.path = path
        """The lock file."""
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, database: Path, *, wait: float = 0.0) -> WriteLock:
        """Lock ``database`` for writing, waiting up to ``wait`` seconds for another holder.

        The lock file's folder is created if needed (the database will be created there).

        Raises:
            StoreLocked: someone else still holds the lock after ``wait`` seconds.
            StoreReadOnly: the lock file cannot be created because the folder cannot be
                written (permissions, a read-only file system).
            StoreError: the lock file cannot be created otherwise.
            ValueError: ``wait`` is negative.
        """
        if wait < 0:
            raise ValueError("wait must be zero or more seconds")
        # Two names for one file (a symlink) must share one lock.
        path = lock_path_for(Path(os.path.realpath(database)))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            what = f"could not create the lock file {path}: {explain(error, path)}"
            if error.errno in _NOT_WRITABLE:
                brief = (
                    "is on a read-only file system"
                    if error.errno == errno.EROFS
                    else "is in a folder that cannot be written"
                )
                raise StoreReadOnly(database, what, brief) from error
            raise StoreError(database, what) from error
        deadline = time.monotonic() + wait
        while not _try_lock(fd, database):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                holder = _holder(fd)
                os.close(fd)
                waited = f" after waiting {wait:g} s" if wait else ""
                raise StoreLocked(
                    database,
                    f"is being saved by another reader{holder}, still{waited}; try again "
                    f"in a moment (a command can wait longer: --wait SECONDS)",
                    f"is being saved by another reader{holder}",
                )
            time.sleep(min(_POLL_SECONDS, remaining))
        if hasattr(os, "pwrite"):
            # Fixed width, so that no truncation is needed: the lock is taken for every
            # save, and an ftruncate costs milliseconds on some file systems.
            with contextlib.suppress(OSError):
                os.pwrite(fd, f"{os.getpid():<20}\n".encode(), 0)
        return cls(path, fd)

    @property
    def held(self) -> bool:
        """True until :meth:`release` is called."""
        return self._fd is not None

    def release(self) -> None:
        """Let the next writer in; calling it again does nothing."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _unlock(fd)
        os.close(fd)


def _holder(fd: int) -> str:
    """ " (process 1234)" for the process that last took the lock, or "" if unknown."""
    if not hasattr(os, "pread"):
        return ""
    try:
        pid = int(os.pread(fd, 32, 0).decode().strip())
    except (OSError, ValueError):
        return ""
    return f" (process {pid})" if pid > 0 else ""


if sys.platform == "win32":  # pragma: no cover - not tested on Windows
    import msvcrt

    def _try_lock(fd: int, database: Path) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int, database: Path) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as error:  # e.g. ENOLCK on a file system without locks
            os.close(fd)
            raise StoreError(database, f"could not be locked: {error.strerror}") from error
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
