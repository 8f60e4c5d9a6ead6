"""The store's turns: opening the file, one writer's turn per change, reading between
them, and reading a large file's annotations when first needed (the base of
:class:`~reader.store.annotation_store.AnnotationStore`)."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

from tinydb import TinyDB

from reader.store import schema
from reader.store.errors import StoreChangedOnDisk, StoreError, StoreLocked, StoreReadOnly
from reader.store.journal import Change, Journal
from reader.store.lock import WriteLock
from reader.store.storage import DocumentTable, DurableStorage

__all__ = ["StoreCore"]

_Document = Mapping[str, Any]


class _Database(TinyDB):
    """TinyDB with tables whose documents are replaced whole (see DocumentTable)."""

    table_class = DocumentTable


class StoreCore:
    """The file, its lock and turns, and the tables; what every part of the store uses.
    See :class:`~reader.store.annotation_store.AnnotationStore` for the whole contract."""

    def __init__(self, path: Path, *, read_only: bool = False, wait: float = 0.0) -> None:
        """Open the annotations file at ``path``; it is created on the first change.

        Args:
            path: The database file. A writable store creates its folder at once (the
                lock file ``<name>.lock`` lives next to it) and the file itself when the
                first change is saved. A file from an older schema version is migrated
                and saved, the original kept as ``<name>.v<version>.bak``.
            read_only: Take no lock and refuse every change (:class:`StoreReadOnly`).
            wait: Seconds each change waits for another writer's turn (a save takes
                milliseconds; the lock is held only while one is made).

        Raises:
            StoreLocked: the file needs migrating and another writer kept its turn for
                longer than ``wait``.
            StoreCorrupt: the file is not JSON, not reader's schema, or from a newer
                reader. The file is left exactly as it was.
            StoreError: the file or its lock cannot be read or created.
        """
        if wait < 0:
            raise ValueError("wait must be zero or more seconds")
        self.path = Path(path)
        """The database file."""
        self.read_only = read_only
        """True if the store refuses changes."""
        self.read_only_reason: str | None = "opened read-only" if read_only else None
        """Why the store refuses changes (asked for, or the file cannot be written)."""
        self.read_only_brief: str | None = "was opened read-only" if read_only else None
        """The same in a few words after the file's name, for a header: ``"is not
        writable (mode 0444)"``."""
        self.wait = wait
        """Seconds each change waits for another writer's turn."""
        self._mutex = threading.RLock()
        self.before_loading: Callable[[], None] | None = None
        """Called, in the thread that needs them, before the annotations are read after a
        light open (the app waits there until its first frame is on screen); a store that
        did not open light read them as it opened."""
        self._journal = Journal()
        self._closed = False
        self._turns = 0
        if not read_only:
            self._refuse_writes_if_unwritable()
        lock = None
        if not self.read_only:
            try:
                lock = WriteLock.acquire(self.path)  # tidying up never waits for a turn
            except StoreReadOnly as error:
                self._become_read_only(
                    f"{error.message}; annotations are shown read-only", error.brief
                )
            except StoreLocked:
                lock = None  # another writer's turn: tidying up and migrating can wait
        try:
            self._db = _Database(self.path, storage=DurableStorage, read_only=self.read_only)
            self._storage = cast(DurableStorage, self._db.storage)
            if lock is not None:
                self._storage.remove_stale_temp_files()
            # A bad file fails here, not at the first change. A writable store of a large
            # file reads only its summary and journal when it can (a command adding a
            # note), and the annotations when first asked for them.
            self._storage.open(light=not self.read_only)
            found = self._storage.found_version
            if not self.read_only and found is not None and found < schema.SCHEMA_VERSION:
                if lock is None:
                    lock = WriteLock.acquire(self.path, wait=self.wait)
                    self._storage.discard()
                    self._storage.read()
                # Keep the original next to the migrated file, in case of a migration bug.
                self._storage.copy_file(self.path.with_name(f"{self.path.name}.v{found}.bak"))
                self._storage.mark_dirty()
                self._storage.flush()
        finally:
            if lock is not None:
                lock.release()
        self._meta = self._table("meta")
        self._articles = self._table("articles")
        self._annotations = self._table("annotations")
        self._reading_table = self._table("reading")
        self._views = self._table("views")
        self._sessions = self._table("sessions")
        self._drafts = self._table("drafts")

    def _refuse_writes_if_unwritable(self) -> None:
        """Open read-only, saying why, when the file's own mode forbids writing: reader
        replaces the file by renaming a new one over it, which the folder would allow,
        but a file made read-only is meant to stay as it is (even for root)."""
        try:
            mode = os.stat(self.path).st_mode
        except OSError:
            return
        if not stat.S_ISREG(mode):
            return
        if not mode & 0o222 or not os.access(self.path, os.W_OK):
            self._become_read_only(
                f"the file is read-only (mode {stat.S_IMODE(mode):04o}), so reader does not "
                "change it; annotations are shown read-only (make it writable, e.g. chmod "
                "u+w, to change them)",
                f"is not writable (mode {stat.S_IMODE(mode):04o})",
            )

    def _become_read_only(self, reason: str, brief: str | None = None) -> None:
        self.read_only = True
        self.read_only_reason = reason
        self.read_only_brief = brief or "cannot be written"

    def __repr__(self) -> str:
        return f"AnnotationStore({str(self.path)!r}, read_only={self.read_only})"

    def close(self) -> None:
        """Forget the memory copy; the store cannot be used afterwards. Safe to repeat.
        (No lock is held between changes, so there is none to release.)"""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            self._db.close()

    def refresh(self) -> bool:
        """Read the file again if another writer (or program) changed it since this store
        last read or wrote it; return True if it did. A stat when nothing changed.

        Raises:
            StoreCorrupt: the file on disk is no longer one reader can read (what this
                store held is kept).
            StoreError: the file cannot be read.
        """
        with self._reading(light=True):
            if self._turns:
                return False
            if self._storage.refresh():
                self._forget_next_ids()
                return True
            return False

    def take_notices(self) -> list[str]:
        """What the user should hear about the file since last asked (it vanished and is
        written again whole, it was empty and is kept as a .bak), one line each."""
        with self._mutex:
            return self._storage.take_notices()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def schema_version(self) -> int:
        """The schema version of the database (always the current one once opened)."""
        with self._reading(light=True):
            version: int = self._meta.documents()[schema.META_ID]["schema_version"]
            return version

    # Internals.

    @property
    def loaded(self) -> bool:
        """False while the annotations themselves have not been read (a light open, see
        :mod:`reader.store.summary`): the next call that needs them reads the file."""
        return not self._storage.partial

    def load(self) -> None:
        """Read the annotations now if a light open left them on disk (blocking: seconds
        for a file of 100,000); does nothing if they are read.

        Raises:
            StoreCorrupt: the file is not a database reader can read.
            StoreError: the file cannot be read.
        """
        with self._reading():
            pass

    @contextlib.contextmanager
    def _reading(self, *, light: bool = False) -> Iterator[None]:
        """Hold the store for a read; unless ``light`` (the read needs the small tables
        only), read the annotations first if a light open left them on disk."""
        with self._mutex:
            if self._closed:
                raise StoreError(self.path, "the store has been closed")
            if not light and not self._turns:
                self._load_annotations()
            yield

    @contextlib.contextmanager
    def _changing(
        self, action: str, *, undoable: bool = True, light: bool = False
    ) -> Iterator[Change]:
        """Run one change as one writer's turn: lock, catch up with the file, change,
        save once at the end, record for undo, let go.

        ``light``: the change reads and writes only the small tables and adds
        annotations (it never reads them), so that a light open need not read the file.

        If the block raises, nothing is saved and memory goes back to what is on disk.
        A block that changes nothing saves nothing and records nothing.
        """
        with self._reading(light=True):
            if self.read_only:
                reason = self.read_only_reason or "opened read-only"
                raise StoreReadOnly(self.path, f"{reason}; cannot {action}")
            if self._turns:  # a change inside a change: already our turn
                yield Change()
                return
            lock = WriteLock.acquire(self.path, wait=self.wait)
            self._turns += 1
            try:
                if self._storage.refresh():
                    self._forget_next_ids()
                if not light or self._storage.needs_full():
                    self._load_annotations()
                change = Change()
                try:
                    with self._storage.batch():
                        yield change
                except StoreChangedOnDisk:
                    # The journal's "before" states are of a file that no longer exists.
                    self._journal.clear()
                    raise
                if undoable:
                    self._journal.record(change)
            finally:
                self._turns -= 1
                lock.release()

    def _load_annotations(self) -> None:
        """After a light open: read the whole file now (the store's lock is held)."""
        if not self._storage.partial:
            return
        if self.before_loading is not None:
            self.before_loading()
        if self._storage.load_full():
            self._forget_next_ids()

    def _forget_next_ids(self) -> None:
        """After reading the file again: TinyDB's cached next doc id of each table may be
        behind what another writer added."""
        for table in (
            self._meta,
            self._articles,
            self._annotations,
            self._reading_table,
            self._views,
            self._sessions,
            self._drafts,
            *self._db._tables.values(),
        ):
            table._next_id = None

    def _table(self, name: str) -> DocumentTable:
        return cast(DocumentTable, self._db.table(name, cache_size=0))
