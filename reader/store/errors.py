"""The exceptions the annotation store raises, each naming the database file."""

from __future__ import annotations

import errno
from pathlib import Path

__all__ = [
    "StoreChangedOnDisk",
    "StoreCorrupt",
    "StoreError",
    "StoreLocked",
    "StoreReadOnly",
    "explain",
]

_ADVICE = {
    errno.ENOSPC: "free some space on that disk and try again",
    errno.EDQUOT: "free some of your disk quota and try again",
    errno.EACCES: "check the permissions of the file and its folder",
    errno.EPERM: "check the permissions of the file and its folder",
    errno.EROFS: "the file system is read-only: copy the database somewhere writable (--db)",
    errno.EIO: "the disk reported an error: check it, and keep a copy of the database",
}


def explain(error: OSError, path: Path) -> str:
    """What an OS error on the database file *path* (or next to it) means, and what to do:
    ``"No space left on device: free some space on that disk and try again"``."""
    reason = error.strerror or str(error)
    if isinstance(error, FileExistsError | NotADirectoryError) or error.errno in (
        errno.ENOTDIR,
        errno.EEXIST,
    ):
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return (
                f"{reason}: {blocker} is a file, not a folder; move it away, or choose "
                "another database path (--db or READER_DB)"
            )
    advice = _ADVICE.get(error.errno or 0)
    return f"{reason}: {advice}" if advice else reason


class StoreError(Exception):
    """Something went wrong with the annotations file.

    ``str()`` of the exception is one line, ``"<file>: <what happened>"``, ready to show
    to the user as it is.
    """

    def __init__(self, path: Path, message: str, brief: str | None = None) -> None:
        self.path = Path(path)
        """The database file the error is about."""
        self.message = " ".join(message.split())
        """What happened, without the file name."""
        self.brief = brief
        """The cause in a few words after the file's name, for a header (``"is not
        writable (mode 0444)"``); None when there is none shorter than :attr:`message`."""
        super().__init__(f"{self.path}: {self.message}")

    def __reduce__(self) -> tuple[type[StoreError], tuple[Path, str, str | None]]:
        # The default would call cls(str(self)), which does not fit __init__.
        return (type(self), (self.path, self.message, self.brief))


class StoreLocked(StoreError):
    """Another process (or another store object) holds the write lock on the file."""


class StoreCorrupt(StoreError):
    """The file is not JSON, not this app's schema, or from a newer version of reader.

    The file has been left exactly as it was.
    """


class StoreReadOnly(StoreError):
    """A change was asked of a store opened read-only (asked for, or because the file or
    its folder cannot be written: the message says which)."""


class StoreChangedOnDisk(StoreError):
    """Another program (not reader, which takes the lock) changed the file while it was open.

    The change being saved was dropped rather than written over theirs; the store has read
    the file again, so trying again works on what is on disk now.
    """
