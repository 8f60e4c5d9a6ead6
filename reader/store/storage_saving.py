"""Saving a large database in parts, and the files beside it: a part of
:class:`~reader.store.storage.DurableStorage`.

A small file is written whole on each save. A large one (:mod:`reader.store.changelog`)
is not: a save appends the documents it changed to a journal beside the file
(``<name>.journal``, checksummed, fsynced), and once the journal has grown past a share of
the file the whole file is written again and the journal removed (compaction).
:class:`~reader.store.document_table.DocumentTable` tells the storage which documents a
write changed; a write that does not say saves the whole file.

A file of 0 bytes (usually a copy that failed) is kept as ``<name>.empty.bak`` before it
is first written over; a journal beside it, of the file it was, is renamed
``<name>.journal.bak`` then, not deleted. Temporary files a killed save left are removed
by their prefix (:func:`~reader.store.storage_state.temp_file_prefix`).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
import uuid
from pathlib import Path

from reader.files import TEMP_SUFFIX, FolderNotSynced, fsync_folder, write_atomically
from reader.store import changelog, summary
from reader.store.encoder import encode_document
from reader.store.errors import StoreError
from reader.store.storage_state import Signature, StorageState, temp_file_prefix

__all__ = ["Saving"]


class Saving(StorageState):
    """Journal appends, compaction, and the files beside the database."""

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

    def _can_append(self, signature: Signature | None) -> bool:
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

    def _append(self, signature: Signature) -> Signature:
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

    def _compact(self) -> Signature:
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
