"""A TinyDB storage that never leaves a half-written file.

TinyDB's own ``JSONStorage`` overwrites the file in place and truncates last, so a crash in
the middle of a save leaves invalid JSON. :class:`DurableStorage` saves with reader's one
atomic write (:func:`reader.files.write_atomically`): it writes a temporary file in the same
folder, fsyncs it, renames it over the database with ``os.replace`` and fsyncs the folder.
After a crash the file is either the old version or the new one, and once ``write`` returns
the new one is on disk. A large file is saved by appending to a journal beside it
(:mod:`.storage_saving`) and may be opened lightly (:mod:`.storage_reads`); this module
holds TinyDB's interface, batches, the save's checks and the whole file's read.

A whole-file save uses ``encoder.DatabaseEncoder``, which re-encodes only the
documents that are new objects since the last save. That is only correct if documents are
never changed in place, which :class:`~reader.store.document_table.DocumentTable`
guarantees: it replaces documents whole and refuses TinyDB's in-place ``update``.

The storage knows the file it last read or wrote by its signature (:mod:`.storage_reads`).
:meth:`DurableStorage.refresh` reads the file again when the signature changed, so that a
writer applies its change to what is on disk now; before each save the signature is
checked again, and if another program changed the file in between the save is refused
rather than written over their change. A new file is created private to the user (mode
0600); an existing file keeps its mode.

Two cases are said rather than passed over (:attr:`DurableStorage.notices`): a file that
vanished since it was read (the next save writes everything held in memory, not only the
new change), and a file of 0 bytes (read as an empty database, kept before it is first
written over: :mod:`.storage_saving`).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn, cast

from tinydb import Storage

from reader.files import FolderNotSynced, Stamp, file_stamp, make_folders, write_atomically
from reader.store import changelog, schema, summary
from reader.store.document_table import DocumentTable
from reader.store.encoder import DatabaseEncoder
from reader.store.errors import StoreChangedOnDisk, StoreError, StoreReadOnly, explain
from reader.store.schema import Data, check_tables, new_database, parse_database
from reader.store.storage_reads import Reads, replay
from reader.store.storage_saving import Saving
from reader.store.storage_state import Signature, temp_file_prefix

__all__ = ["DocumentTable", "DurableStorage", "temp_file_prefix"]


class DurableStorage(Saving, Reads, Storage):
    """A TinyDB storage for one JSON file, written atomically and durably.

    A writable storage must only be used while its process holds the store's write lock:
    it keeps the parsed file in memory and never reads it again (nobody else can change it).
    A read-only storage reads the file again whenever it has been replaced.

    Writes can be grouped with :meth:`batch`, so that a change touching several tables is
    one save; if anything fails inside, the memory copy goes back to what is on disk.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """Open ``path``; nothing is read until the first :meth:`read`."""
        super().__init__()
        self.path = Path(path)
        """The database file, as given (named in error messages)."""
        self.real_path = Path(os.path.realpath(self.path))
        """The file that is written: a symlink is followed, not replaced."""
        self.read_only = read_only
        """True if writes are refused and the file is re-read when it changes."""
        self.found_version: int | None = None
        """The schema version the file had when last read; None if there was no file."""
        self._data: Data | None = None
        self._signature: Signature | None = None
        self._encoder = DatabaseEncoder()
        self._batch_depth = 0
        self._dirty = False
        self._empty_file: Signature | None = None
        self.journal_path = self.real_path.with_name(f"{self.real_path.name}.journal")
        """The change log beside a large file (:mod:`reader.store.changelog`)."""
        self._snapshot_id: str | None = None
        self._snapshot_size = 0
        self._journal: changelog.LogContents | None = None
        self._changed: dict[str, set[str]] = {}
        self._whole = True
        self._touched = False
        self.summary_path = summary.summary_path_for(self.real_path)
        """What a light open reads instead of the file (:mod:`reader.store.summary`)."""
        self.partial = False
        """True after a light open: the ``annotations`` table holds only the documents
        written since (the rest are on disk, not read); :meth:`load_full` reads them."""
        self.prefer_light = False
        """Open lightly when the file is read again (a writable store's choice)."""
        self._next_annotation = 0
        self._light: summary.Summary | None = None
        self._summary_due = False
        self._summary_held = False
        self.notices: list[str] = []
        """Things the user should hear about the file (it vanished, it was empty), in
        order; the store hands them on (``AnnotationStore.take_notices``)."""

    # TinyDB's Storage interface.

    def read(self) -> Data:  # type: ignore[override]  # tables are mappings
        """The whole database, read from the file if it is not in memory (or has changed).

        Raises:
            StoreCorrupt: the file is not a database this version of reader can read.
            StoreError: the file cannot be read.
        """
        if self._data is None:
            if not (self.prefer_light and self._load_light()):
                self._load()
        elif self.read_only:
            signature = self._file_signature()
            if signature != self._signature and not self._read_new_saves(signature):
                self._load()
        assert self._data is not None
        return self._data

    def open(self, *, light: bool) -> None:
        """Read the database now (a bad file fails here); with ``light``, from its summary
        and journal when they can be trusted (:mod:`reader.store.summary`), leaving the
        annotations on disk until :meth:`load_full`.

        Raises:
            StoreCorrupt: the file is not a database this version of reader can read.
            StoreError: the file cannot be read.
        """
        self.prefer_light = light and not self.read_only
        self.read()

    def load_full(self) -> bool:
        """After a light open: read the whole file (and journal); True if it did.

        Never inside a batch with unsaved changes (they would be lost)."""
        if not self.partial:
            return False
        assert not self._dirty, "the annotations are read before a change, not during one"
        self._load()
        return True

    def needs_full(self) -> bool:
        """True if the next save cannot be a journal append made from a light open (the
        journal is due for compaction, which writes the whole file)."""
        return self.partial and (
            self._journal is not None and self._journal.size >= self._compact_at()
        )

    def next_id_floor(self, table: str) -> int:
        """The lowest doc id a new document of ``table`` may take besides those in
        memory (after a light open, the annotations on disk hold the ones below)."""
        return self._next_annotation if self.partial and table == "annotations" else 0

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Take ``data`` as the new state and save it, unless inside a :meth:`batch`.

        Raises:
            ValueError: a document cannot be stored as JSON (nothing is written).
            StoreReadOnly: the storage is read-only.
            StoreError: the file could not be saved (nothing changed on disk).
        """
        if self.read_only:
            self.discard()
            raise StoreReadOnly(self.path, "opened read-only; nothing can be saved")
        self._data = cast(Data, data)
        self._dirty = True
        if not self._touched:
            self._whole = True  # a write that did not say what changed: save it all
        self._touched = False
        if not self._batch_depth:
            self.flush()

    def touch(self, table: str, doc_ids: Iterable[str]) -> None:
        """Say which documents the next :meth:`write` changes, so that a large file's save
        appends only them to the journal (a write without it saves the whole file)."""
        self._changed.setdefault(table, set()).update(doc_ids)
        self._touched = True

    def take_notices(self) -> list[str]:
        """Hand the notices over (the caller tells the user), and write the summary a
        notice of lost journal saves held back: until the user has been told, the summary
        naming the journal stays as it was (the next open says it again)."""
        notices, self.notices = self.notices, []
        if self._summary_held and notices and not self._dirty:
            self._summary_held = False
            with contextlib.suppress(StoreError):
                if self._data is not None and self._file_signature() == self._signature:
                    self._write_summary()
        return notices

    def close(self) -> None:
        """Write the summary if saves made from a light open left it behind, and forget
        the memory copy; there is no open file to close."""
        if self._summary_due and self.partial:
            with contextlib.suppress(StoreError):
                # Not over a summary of a file that changed since (compacted by another).
                if self._file_signature() == self._signature:
                    self._write_summary()
        self._summary_due = False
        self._data = None
        self._encoder.reset()

    # Batches, saving, and housekeeping.

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group the writes made inside into one save, made when the block ends.

        If the block raises, or the save fails, the memory copy is dropped so that the next
        read returns what is on disk, and the exception goes on.
        """
        self._batch_depth += 1
        try:
            yield
        except BaseException:
            # Without a write nothing changed in memory: keep it rather than read the file.
            if self._batch_depth == 1 and self._dirty:
                self.discard()
            raise
        finally:
            self._batch_depth -= 1
        if not self._batch_depth:
            self.flush()

    def flush(self) -> None:
        """Save the memory copy if it has unsaved changes; return once it is on disk.

        Raises:
            ValueError: a document cannot be stored as JSON.
            StoreChangedOnDisk: another program changed the file since it was read.
            StoreError: the file could not be written.
        """
        if not self._dirty or self._data is None:
            return
        try:
            signature = self._file_signature()
            if signature != self._signature:
                raise StoreChangedOnDisk(
                    self.path,
                    "was changed by another program while reader was saving; the "
                    "change was not saved, try again",
                )
            if signature is None and self.partial:
                # Only the small tables were read: writing them alone would drop every
                # annotation the file held.
                raise StoreError(
                    self.path,
                    "was deleted or moved away before reader had read its annotations; "
                    "the change was not saved (move the file back, then try again)",
                )
            if signature is not None and self._can_append(signature):
                self._signature = self._append(signature)
            else:
                if signature is not None and signature == self._empty_file:
                    self._keep_empty_file()
                self._signature = self._compact()
        except BaseException:
            self.discard()
            raise
        self._dirty = False
        self._empty_file = None
        self._changed = {}
        self._whole = False

    def mark_dirty(self) -> None:
        """Make the next :meth:`flush` save, e.g. after migrating the file in memory."""
        if self.read_only:
            raise StoreReadOnly(self.path, "opened read-only; nothing can be saved")
        self.read()
        self.load_full()
        self._dirty = True
        self._whole = True

    def discard(self) -> None:
        """Drop unsaved changes: the next read returns what is on disk."""
        self._data = None
        self.partial = False
        self._signature = None
        self._dirty = False
        self._changed = {}
        self._whole = True
        self._touched = False

    # Internals.

    def _load(self) -> None:
        self._encoder.reset()
        self.partial = False
        checked = time.time_ns()
        try:
            # Stat before reading: if the file is replaced in between, the signature is
            # stale and the next read loads it again, never the other way round.
            signature = self._file_signature()
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self._data, self._signature, self.found_version = new_database(), None, None
            self._snapshot_id, self._snapshot_size, self._journal = None, 0, None
            self._whole = True
            return
        except OSError as error:
            self._fail("could not be read", error)
        journal = None
        has_journal = signature is not None and signature[1] is not None
        snapshot = (
            changelog.snapshot_id(raw)
            if has_journal or len(raw) >= changelog.LOG_FROM_BYTES
            else None
        )
        if snapshot is not None and has_journal:
            try:
                log = self.journal_path.read_bytes()
            except FileNotFoundError:
                log = None
            except OSError as error:
                self._fail(f"has a journal {self.journal_path.name} that could not be read", error)
            if log is not None:
                journal = changelog.parse_log(log, snapshot, self.journal_path)
        saves = journal.saves if journal is not None and journal.applies else []
        data, self.found_version = parse_database(
            raw, self.path, before_migrating=lambda data: replay(data, saves), check=False
        )
        check_tables(data, self.path)
        if journal is not None:
            journal.saves = []  # in the data now
        self._snapshot_id, self._snapshot_size, self._journal = snapshot, len(raw), journal
        self._data = data
        self._signature = signature
        self._whole = False
        self._light = None
        # Only a file already at this schema: one migrated in memory is summarised by
        # the save of the migration (a compaction), and never before it is on disk.
        lost = self._lost_saves(snapshot, journal) if snapshot is not None else None
        if lost is not None:
            self.notices.append(lost)
        self._summary_held = lost is not None
        if (
            snapshot is not None
            and signature is not None
            and not self.read_only
            and self.found_version == schema.SCHEMA_VERSION
        ):
            edges = summary.edges_of_bytes(raw)
            self._summarise(data, snapshot, signature[0], checked, journal, edges, write=not lost)
        if not raw and signature is not None:
            self._empty_file = signature
            self.notices.append(
                f"{self.path} is empty (0 bytes), usually a copy that failed: read as an "
                f"empty database; it is kept as {self.real_path.name}.empty.bak before "
                "reader first writes to it"
                + (
                    f", and its journal {self.journal_path.name} (saves to the file it was, "
                    f"not read) as {self._journal_backup_path().name}"
                    if signature[1] is not None
                    else ""
                )
            )

    def _replace_file(self, payload: Iterable[bytes], destination: Path | None = None) -> Stamp:
        """Write ``payload`` (chunks of bytes) over the file (or ``destination``) with
        :func:`~reader.files.write_atomically`: durably, keeping the replaced file's mode
        (a new file is private to the user). Returns the new file's signature."""
        target = self.real_path if destination is None else destination
        try:
            make_folders(target.parent)
            write_atomically(
                target,
                payload,
                keep_mode=True,
                new_mode=0o600,
                temp_prefix=temp_file_prefix(target),
            )
            # The rename changed the file's ctime: the signature is taken after it.
            info = os.stat(target)
        except FolderNotSynced as error:
            self._fail("was saved but the folder could not be synced", error)
        except OSError as error:
            self._fail("could not be saved", error)
        return file_stamp(info)

    def _fail(self, what: str, error: OSError) -> NoReturn:
        raise StoreError(self.path, f"{what}: {explain(error, self.real_path)}") from error
