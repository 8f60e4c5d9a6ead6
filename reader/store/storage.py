"""A TinyDB storage that never leaves a half-written file, and a table that works with it.

TinyDB's own ``JSONStorage`` overwrites the file in place and truncates last, so a crash in
the middle of a save leaves invalid JSON. :class:`DurableStorage` saves with reader's one
atomic write (:func:`reader.files.write_atomically`): it writes a temporary file in the same
folder, fsyncs it, renames it over the database with ``os.replace`` and fsyncs the folder.
After a crash the file is either the old version or the new one, and once ``write`` returns
the new one is on disk.

A small file is written whole on each save. A large one (:mod:`reader.store.changelog`)
is not: a save appends the documents it changed to a journal beside the file
(``<name>.journal``, checksummed, fsynced), reading is the file then the journal, and once
the journal has grown past a share of the file the whole file is written again and the
journal removed (compaction). :class:`DocumentTable` tells the storage which documents a
write changed; a write that does not say saves the whole file. The signature of the
database is the file's and the journal's together.

A whole-file save uses ``encoder.DatabaseEncoder``, which re-encodes only the
documents that are new objects since the last save. That is only correct if documents are
never changed in place, which :class:`DocumentTable` guarantees: it replaces documents
whole and refuses TinyDB's in-place ``update``.

The storage knows the file it last read or wrote by its signature (inode, size, mtime
and ctime: a program can set the mtime back after an edit of the same size, but not the
ctime). :meth:`DurableStorage.refresh` reads the file again when the signature changed,
so that a writer applies its change to what is on disk now; before each save the
signature is checked again, and if another program changed the file in between the save
is refused rather than written over their change. A new file is created private to the
user (mode 0600); an existing file keeps its mode.

Two cases are said rather than passed over (:attr:`DurableStorage.notices`): a file that
vanished since it was read (the next save writes everything held in memory, not only the
new change), and a file of 0 bytes (usually a copy that failed: read as an empty
database, and kept as ``<name>.empty.bak`` before it is first written over; a journal
beside it, of the file it was, is renamed ``<name>.journal.bak`` then, not deleted).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn, cast

from tinydb import Storage
from tinydb.table import Table

from reader.files import (
    TEMP_SUFFIX,
    FolderNotSynced,
    Stamp,
    file_stamp,
    fsync_folder,
    make_folders,
    write_atomically,
)
from reader.store import changelog, schema, summary
from reader.store.encoder import DatabaseEncoder, encode_document
from reader.store.errors import StoreChangedOnDisk, StoreError, StoreReadOnly, explain
from reader.store.schema import Data, check_tables, new_database, parse_database
from reader.store.validation import check_document

__all__ = ["DocumentTable", "DurableStorage", "temp_file_prefix"]

_Signature = tuple[Stamp, Stamp | None]
"""The database file's signature and its journal's (None: no journal)."""


def temp_file_prefix(path: Path) -> str:
    """The name every temporary file for ``path`` starts with (they end with ``.tmp``,
    :data:`~reader.files.TEMP_SUFFIX`): :meth:`DurableStorage.remove_stale_temp_files`
    deletes what a killed save left by this prefix."""
    return f".{path.name}."


class DurableStorage(Storage):
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
        self._signature: _Signature | None = None
        self._encoder = DatabaseEncoder()
        self._batch_depth = 0
        self._dirty = False
        self._empty_file: _Signature | None = None
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

    def refresh(self) -> bool:
        """Read the file again if it changed since it was last read or written (another
        reader saved it, say); return True if it was read again.

        Never inside a batch with unsaved changes (they would be lost). A file that has
        vanished since it was read is not read as empty: the memory copy is kept, the
        next save writes all of it, and a notice says so.

        Raises:
            StoreCorrupt: the file now on disk is not a database reader can read (the
                memory copy is kept, and the next save is refused the same way).
            StoreError: the file cannot be read.
        """
        if self._dirty or self._data is None:
            return False
        signature = self._file_signature()
        if signature == self._signature:
            return False
        if signature is None:
            self.notices.append(
                f"{self.path} was deleted or moved away while reader had it open; "
                + (
                    "showing what was last read"
                    if self.read_only
                    else "the next change writes it again with everything reader holds (if "
                    "it was moved on purpose, move it back first)"
                )
            )
            self._signature = None
            self._encoder.reset()
            return False
        if self.partial:
            if not self._load_light():
                self._load()
        elif not self._read_new_saves(signature):
            self._load()
        return True

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

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete temporary files left by a save that was killed; return their paths.

        Only call this while holding the write lock: it would delete another writer's
        temporary file otherwise.
        """
        prefix = temp_file_prefix(self.real_path)
        removed = []
        folder = self.real_path.parent
        with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
        return removed

    def copy_file(self, destination: Path) -> None:
        """Copy the database file, as it is on disk, to ``destination`` atomically, and
        its journal if it has one (to ``<destination>.journal``: the two read together)."""
        try:
            raw = self.path.read_bytes()
            journal = self.journal_path.read_bytes() if self.journal_path.exists() else None
        except OSError as error:
            self._fail("could not be read", error)
        self._replace_file([raw], destination)
        if journal is not None:
            self._replace_file([journal], destination.with_name(f"{destination.name}.journal"))

    # Internals.

    def _file_signature(self) -> _Signature | None:
        """The file's and the journal's signatures; None if the file does not exist."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as error:
            self._fail("could not be read", error)
        try:
            journal: Stamp | None = file_stamp(os.stat(self.journal_path))
        except FileNotFoundError:
            journal = None
        except OSError as error:
            self._fail(f"has a journal {self.journal_path.name} that could not be read", error)
        return file_stamp(info), journal

    # The journal.

    def _can_append(self, signature: _Signature | None) -> bool:
        """True if this save can be a journal append rather than the whole file."""
        return (
            not self._whole
            and signature is not None
            and signature != self._empty_file
            and self._snapshot_id is not None
            and self._snapshot_size >= changelog.LOG_FROM_BYTES
            and (self._journal is None or self._journal.size < self._compact_at())
        )

    def _compact_at(self) -> int:
        return int(self._snapshot_size * changelog.COMPACT_SHARE)

    def _append(self, signature: _Signature) -> _Signature:
        """Append the changed documents to the journal (started if there is none, or if
        the one there belongs to another version of the file), fsynced; compact if the
        journal has grown past its share. Returns the new signature."""
        assert self._data is not None and self._snapshot_id is not None
        parts = []
        for name, doc_ids in self._changed.items():
            table = self._data.get(name, {})
            documents = b",".join(
                encode_document(name, doc_id, table.get(doc_id)) for doc_id in sorted(doc_ids)
            )
            parts.append(json.dumps(name).encode() + b":{" + documents + b"}")
        if not parts:
            return signature
        line = changelog.record(b"{" + b",".join(parts) + b"}")
        journal = self._journal
        try:
            if journal is None or not journal.applies or signature[1] is None:
                journal = changelog.LogContents(applies=True)
                journal.nonce = uuid.uuid4().hex
                content = changelog.header(self._snapshot_id, journal.nonce) + line
                write_atomically(
                    self.journal_path,
                    content,
                    keep_mode=False,
                    new_mode=stat.S_IMODE(os.stat(self.real_path).st_mode),
                    temp_prefix=temp_file_prefix(self.real_path),
                )
                journal.good_bytes = journal.size = len(content)
            else:
                with open(self.journal_path, "r+b") as handle:
                    if journal.size != journal.good_bytes:
                        self.notices.append(
                            f"{self.journal_path} ended with {journal.size - journal.good_bytes}"
                            " bytes of a save that was interrupted (never confirmed): they "
                            "were cut off"
                        )
                    handle.truncate(journal.good_bytes)
                    handle.seek(journal.good_bytes)
                    handle.write(line)
                    handle.flush()
                    os.fsync(handle.fileno())
                journal.good_bytes = journal.size = journal.good_bytes + len(line)
        except FolderNotSynced as error:
            self._journal = None
            self._fail("was saved but the folder could not be synced", error)
        except OSError as error:
            self._journal = None
            self._fail(f"could not be saved (journal {self.journal_path.name})", error)
        self._journal = journal
        # The summary is brought up to this save when the store is closed (a command's
        # is at once): a save is not slowed by it, and a summary left behind by a kill
        # only makes the next light open read more of the journal.
        self._summary_due = self.partial
        if journal.size >= self._compact_at() and not self.partial:
            try:
                return self._compact()
            except StoreError as error:
                # The save is on disk in the journal; the next save tries again.
                self.notices.append(f"{error}; the change is saved in {self.journal_path.name}")
        new = self._file_signature()
        assert new is not None
        return new

    def _compact(self) -> _Signature:
        """Write the whole file (folding the journal in), then remove the journal."""
        assert self._data is not None
        assert not self.partial, "a light open never writes the whole file"
        checked = time.time_ns()
        payload = self._encoder.encode(self._data)
        self._replace_file(payload)
        self._snapshot_size = sum(map(len, payload))
        # Only a large file gets a journal: a small one is not checksummed for nothing.
        self._snapshot_id = (
            changelog.snapshot_id(payload)
            if self._snapshot_size >= changelog.LOG_FROM_BYTES
            else None
        )
        if self._journal is not None or os.path.lexists(self.journal_path):
            # Killed before this: the journal names the old file, and is ignored.
            try:
                os.unlink(self.journal_path)
                fsync_folder(self.real_path.parent)
            except FileNotFoundError:
                pass
            except OSError as error:
                self._fail(f"was saved but its old journal {self.journal_path.name} stays", error)
        self._journal = None
        new = self._file_signature()
        assert new is not None
        if self._snapshot_id is not None:
            try:
                edges = summary.edges_of(self.real_path)  # the file just written (locked)
            except OSError:
                edges = ""  # never matches: the next light open checks the whole CRC
            self._light = summary.summarise(
                self._data, self._snapshot_id, new[0], checked, None, edges
            )
            self._write_summary()
        return new

    def _summarise(
        self,
        data: Data,
        snapshot: str,
        stamp: Stamp,
        checked: int,
        journal: changelog.LogContents | None,
        edges: str,
        *,
        write: bool = True,
    ) -> None:
        """After a full read of a large file: keep its summary for light opens, written
        again unless the one on disk already describes this state (or not ``write``: held
        back until a notice of lost saves has been taken, :meth:`take_notices`)."""
        if journal is not None and journal.applies and journal.nonce is None:
            return  # a journal from before nonces: light opens wait for the next compaction
        self._light = summary.summarise(data, snapshot, stamp, checked, journal, edges)
        if not write:
            return
        found = summary.read_summary(self.summary_path)
        if (
            found is not None
            and (found.snapshot, found.nonce, found.end, found.stamp, found.edges)
            == (snapshot, self._light.nonce, self._light.end, stamp, edges)
            and found.settled()
        ):
            return
        with contextlib.suppress(OSError):
            summary.write_summary(self.summary_path, self._light, os.stat(self.real_path).st_mode)

    def _lost_saves(self, snapshot: str, journal: changelog.LogContents | None) -> str | None:
        """What the summary beside this file (``snapshot``) says the journal held that
        the journal on disk does not (it was removed, replaced or cut short): a notice,
        or None if nothing is missing. The summary is written only after saves in the
        journal were on disk, so a journal shorter than it says lost saves."""
        found = summary.read_summary(self.summary_path)
        if found is None or found.snapshot != snapshot or found.nonce is None:
            return None
        name = self.summary_path.name
        lost = "the changes saved there (notes, tags, reading state) are not in the file"
        if journal is None or not journal.applies:
            if journal is None and not os.path.lexists(self.journal_path):
                what = f"is missing, though {name} says it held {found.end} bytes of saves"
            else:
                what = f"is not the journal {name} names ({found.end} bytes of saves)"
        elif journal.nonce != found.nonce:
            what = f"was replaced: {name} names another journal, of {found.end} bytes of saves"
        elif journal.size < found.end:
            what = (
                f"is {found.end - journal.size} bytes shorter than {name} says "
                f"({journal.size} of {found.end} bytes): it was cut short"
            )
        else:
            return None
        return (
            f"{self.journal_path} {what}; {lost} and are lost unless the journal is put "
            "back (copy the database together with its .journal)"
        )

    def _keep_empty_file(self) -> None:
        """Before writing over a 0-byte file: keep it as ``<name>.empty.bak``, and a
        journal beside it (the saves of the file it was, which the whole-file save would
        delete) as ``<name>.journal.bak``."""
        backup = self.real_path.with_name(f"{self.real_path.name}.empty.bak")
        try:
            backup.write_bytes(b"")
        except OSError as error:
            self._fail(f"is empty and could not be kept as {backup.name}", error)
        if os.path.lexists(self.journal_path):
            kept = self._journal_backup_path()
            try:
                os.rename(self.journal_path, kept)
                fsync_folder(self.real_path.parent)
            except OSError as error:
                self._fail(f"is empty and its journal could not be kept as {kept.name}", error)

    def _journal_backup_path(self) -> Path:
        """Where a 0-byte file's journal is kept: ``<name>.journal.bak``, or the first
        ``<name>.journal.bak.N`` not taken."""
        kept = self.journal_path.with_name(f"{self.journal_path.name}.bak")
        n = 1
        while os.path.lexists(kept):
            n += 1
            kept = self.journal_path.with_name(f"{self.journal_path.name}.bak.{n}")
        return kept

    def _load_light(self) -> bool:
        """Read the small tables from the summary and the journal's latest lines instead
        of the file, if the summary can be trusted; True if it did (see
        :mod:`reader.store.summary`)."""
        signature = self._file_signature()
        if signature is None or signature[0][1] < changelog.LOG_FROM_BYTES:
            return False
        state = summary.read_light(self.real_path, self.journal_path, signature[0], signature[1])
        if state is None:
            return False
        self._encoder.reset()
        self._data = state.tables
        self._signature = signature
        self.found_version = schema.SCHEMA_VERSION
        self._snapshot_id, self._snapshot_size = state.summary.snapshot, signature[0][1]
        self._journal = state.journal
        self._next_annotation = state.next_annotation
        self._light = state.summary
        self._whole = False
        self.partial = True
        if state.stale and not self.read_only:
            self._write_summary()
        return True

    def _read_new_saves(self, signature: _Signature | None) -> bool:
        """When only the journal grew since it was last read (another writer saved):
        apply its new lines to the memory copy rather than read the whole file again (a
        50 MB file takes a second); True if it did. Their documents are checked first;
        anything unexpected is left to a full read, which says what is wrong."""
        journal, old = self._journal, self._signature
        if (
            self.partial
            or self._data is None
            or signature is None
            or old is None
            or signature[0] != old[0]
            or signature[1] is None
            or self._snapshot_id is None
        ):
            return False
        if journal is not None and journal.applies and journal.nonce is not None:
            start, nonce = journal.good_bytes, journal.nonce  # the lines after those read
        elif old[1] is None:  # no journal when last read: one was started since
            start, nonce = 0, None
        else:
            return False
        try:
            with open(self.journal_path, "rb") as handle:
                first = handle.readline(4096)
                head = changelog.parse_header(first.rstrip(b"\n"), self.journal_path)
                if head.get("snapshot") != self._snapshot_id or not first.endswith(b"\n"):
                    return False
                if nonce is None:
                    start, nonce = len(first), head.get("nonce")
                if head.get("nonce") != nonce or not isinstance(nonce, str):
                    return False
                if not len(first) <= start <= signature[1][1]:
                    return False
                handle.seek(start - 1)
                if handle.read(1) != b"\n":
                    return False
                # Up to the size stat'ed: a save being appended meanwhile is read next time.
                tail = handle.read(signature[1][1] - start)
            saves, good = changelog.parse_records(tail, self.journal_path)
            for changes in saves:
                for name, documents in changes.items():
                    if name not in self._data:
                        return False
                    for doc_id, document in documents.items():
                        if document is not None:
                            check_document(name, doc_id, document)
        except (OSError, ValueError, StoreError):  # damaged, a bad document: the full read says
            return False
        _replay(self._data, saves)
        self._journal = changelog.LogContents(
            applies=True, good_bytes=start + good, size=start + len(tail), nonce=nonce
        )
        self._signature = signature
        return True

    def _write_summary(self) -> None:
        """Write the summary of what is in memory (the small tables, the next annotation
        id, how far into the journal) for the file the light state names."""
        light = self._light
        if light is None or self._data is None or self._snapshot_id != light.snapshot:
            return
        journal = self._journal
        light.tables = {name: self._data.get(name, {}) for name in summary.SMALL_TABLES}
        annotations = self._data.get("annotations", {})
        light.next_annotation = max(
            self.next_id_floor("annotations"), max(map(int, annotations), default=0) + 1
        )
        light.nonce = journal.nonce if journal is not None and journal.applies else None
        light.end = journal.good_bytes if light.nonce is not None and journal else 0
        with contextlib.suppress(OSError):
            summary.write_summary(self.summary_path, light, os.stat(self.real_path).st_mode)

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
            raw, self.path, before_migrating=lambda data: _replay(data, saves), check=False
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


def _replay(data: Data, saves: list[changelog.Changes]) -> None:
    """Apply the journal's saves to the file's data, in order (checked afterwards)."""
    for changes in saves:
        for name, documents in changes.items():
            table = data.setdefault(name, {})
            for doc_id, document in documents.items():
                if document is None:
                    table.pop(doc_id, None)
                else:
                    table[doc_id] = document


class DocumentTable(Table):
    """A TinyDB table whose documents are replaced whole and never changed in place.

    :class:`DurableStorage` reuses a document's JSON for as long as the same object is in
    the table, so an in-place change would never reach the disk. TinyDB's ``update``,
    ``update_multiple`` and ``upsert`` change documents in place and are refused; use
    :meth:`put_many`. Documents returned by :meth:`documents` are the stored objects
    themselves: read them, never change them.
    """

    def documents(self) -> Mapping[str, Mapping[str, Any]]:
        """The stored documents by doc id (a decimal string), without copying.

        Raises:
            RuntimeError: after a light open, the annotations were not read (the store
                calls ``DurableStorage.load_full`` first; this is a bug).
        """
        if self.name == "annotations" and self._partial():
            raise RuntimeError("the annotations were not read (light open)")
        return self._read_table()

    def stored(self, doc_id: int) -> Mapping[str, Any] | None:
        """The document stored under ``doc_id`` in memory (one this store just wrote is
        there even after a light open)."""
        return self._read_table().get(str(doc_id))

    def _partial(self) -> bool:
        return isinstance(self._storage, DurableStorage) and self._storage.partial

    def _get_next_id(self) -> int:
        """TinyDB's next doc id, and never one the annotations on disk hold after a
        light open (:meth:`DurableStorage.next_id_floor`)."""
        if self._next_id is None and isinstance(self._storage, DurableStorage):
            floor = self._storage.next_id_floor(self.name)
            if floor:
                table = self._read_table()
                self._next_id = max(floor, max(map(int, table), default=0) + 1)  # type: ignore[assignment]
        next_id: int = super()._get_next_id()
        return next_id

    def add(self, document: Mapping[str, Any]) -> int:
        """Store a new document under the next free doc id and return the id."""
        doc_id: int = self._get_next_id()
        self.put_many({doc_id: document})
        return doc_id

    def put_many(self, documents: Mapping[int, Mapping[str, Any] | None]) -> None:
        """Store each document under its doc id, replacing what was there; None deletes.

        One write to the storage (and so one save, outside a batch) for all of them. This
        works on the stored table directly, without TinyDB's ``_update_table``, which
        converts every doc id of the table to int and back on each write.

        Every document is checked against its table's shape first
        (:func:`~reader.store.validation.check_document`): what the store writes, it can
        read back.

        Raises:
            DocumentError: a document does not have its table's shape (nothing is
                stored); a ValueError naming the table, doc id and field.
        """
        if not documents:
            return
        for doc_id, document in documents.items():
            if document is not None:
                check_document(self.name, str(doc_id), document)
        tables = self._storage.read() or {}
        if isinstance(self._storage, DurableStorage):
            self._storage.touch(self.name, map(str, documents))
        table = tables.setdefault(self.name, {})
        for doc_id, document in documents.items():
            if document is None:
                table.pop(str(doc_id), None)
            else:
                table[str(doc_id)] = dict(document)
        if self._next_id is not None:
            # Keep TinyDB's id counter past any id stored here (as Table.insert would).
            self._next_id = max(self._next_id, max(documents) + 1)
        self._storage.write(tables)
        self.clear_cache()

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: it would change a document in place (see the class docstring)."""
        raise TypeError("DocumentTable documents are replaced with put_many(), not updated")

    def update_multiple(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: it would change documents in place (see the class docstring)."""
        raise TypeError("DocumentTable documents are replaced with put_many(), not updated")

    def upsert(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: it would change a document in place (see the class docstring)."""
        raise TypeError("DocumentTable documents are replaced with put_many(), not upserted")
