"""Reading a database other than whole: a part of
:class:`~reader.store.storage.DurableStorage`.

Reading is the file, then the journal beside a large one (:mod:`.storage_saving`). A
writable store may open lightly: the small tables from the summary beside the file and
the journal's latest lines, the annotations left on disk (:mod:`reader.store.summary`).
When only the journal grew since it was read (another writer saved), its new lines are
applied to the memory copy rather than the whole file read again. The signature of the
database is the file's and the journal's together (inode, size, mtime and ctime each: a
program can set the mtime back after an edit of the same size, but not the ctime).
"""

from __future__ import annotations

import contextlib
import os

from reader.files import Stamp, file_stamp
from reader.store import changelog, schema, summary
from reader.store.errors import StoreError
from reader.store.schema import Data
from reader.store.storage_state import Signature, StorageState
from reader.store.validation import check_document

__all__ = ["Reads", "replay"]


class Reads(StorageState):
    """Light opens, the summary, a journal's new saves, and the file's signature."""

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

    def _file_signature(self) -> Signature | None:
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

    def _read_new_saves(self, signature: Signature | None) -> bool:
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
        replay(self._data, saves)
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


def replay(data: Data, saves: list[changelog.Changes]) -> None:
    """Apply the journal's saves to the file's data, in order (checked afterwards)."""
    for changes in saves:
        for name, documents in changes.items():
            table = data.setdefault(name, {})
            for doc_id, document in documents.items():
                if document is None:
                    table.pop(doc_id, None)
                else:
                    table[doc_id] = document
