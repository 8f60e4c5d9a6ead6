"""The exceptions the annotation store raises, each naming the database file."""

from __future__ import annotations

from pathlib import Path

__all__ = ["StoreChangedOnDisk", "StoreCorrupt", "StoreError", "StoreLocked", "StoreReadOnly"]


class StoreError(Exception):
    """Something went wrong with the annotations file.

    ``str()`` of the exception is one line, ``"<file>: <what happened>"``, ready to show
    to the user as it is.
    """

    def __init__(self, path: Path, message: str) -> None:
        self.path = Path(path)
        """The database file the error is about."""
        self.message = " ".join(message.split())
        """What happened, without the file name."""
        super().__init__(f"{self.path}: {self.message}")

    def __reduce__(self) -> tuple[type[StoreError], tuple[Path, str]]:
        # The default would call cls(str(self)), which does not fit __init__.
        return (type(self), (self.path, self.message))


class StoreLocked(StoreError):
    """Another process (or another store object) holds the write lock on the file."""


class StoreCorrupt(StoreError):
    """The file is not JSON, not this app's schema, or from a newer version of reader.

    The file has been left exactly as it was.
    """


class StoreReadOnly(StoreError):
    """A change was asked of a store opened read-only."""


class StoreChangedOnDisk(StoreError):
    """Another program (not reader, which takes the lock) changed the file while it was open.

    The change being saved was dropped rather than written over theirs; the store has read
    the file again, so trying again works on what is on disk now.
    """
