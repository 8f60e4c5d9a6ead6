"""The summary beside a large annotations file: what a command needs to write without
reading the file.

A database of 100,000 annotations is a 50 MB file; parsing and checking it takes seconds,
and a command that adds one note or one tag needs none of the annotations, only the small
tables (articles, reading state, views, entity edits) and the next free annotation id.
:class:`~reader.store.storage.DurableStorage` keeps them in ``<file>.summary`` next to a
file large enough to have a journal (:mod:`reader.store.changelog`), and a writer that
finds a summary it can trust reads it and the journal's latest lines instead of the file
(a *light* open).

The summary describes the file and the journal up to a byte offset (``end``; the journal
named by its header's nonce). It is a cache: it is written atomically but not fsynced, and
whatever is wrong with it (missing, torn, stale, for another file) only sends the writer
back to reading the whole file, which writes it again. It is trusted only when:

- the file is the one it was written for. A stat stamp (inode, size, mtime, ctime) says
  so cheaply: an edit in place, even of the same size with its mtime set back, changes
  the ctime, which no program can set (through the file system's calls; on a file system
  without a change time, such as FAT or exFAT, the ctime is only the mtime again). The
  CRC-32 of the file's first and last 64 KiB (:func:`edges_of`, two small reads) is
  compared too, so that such an edit there is seen even without a ctime; one in the
  middle of the file, of the same size with its mtime set back, on such a file system, is
  seen only by the next full open (which reads everything). Only while the ctime is within
  :data:`SETTLE_NS` of when the file's content was last checked could a later edit share
  its ctime (file systems keep coarse times); then, and whenever the stamp differs, the
  file's CRC-32 is compared with the one the summary names (the journal's snapshot id),
  and the summary is written again with the new stamp once it matches;
- the journal is the one it read (same nonce, at least ``end`` bytes long; records are
  only ever appended to it while the write lock is held), and it names the same file;
- it is of this schema version (anything else goes through the full open, which
  migrates or refuses). A full open summarises only a file that is at this schema on
  disk: a file migrated in memory is summarised by the save of the migration, so that a
  migration that is interrupted (the lock refused, Ctrl-C, a full disk) leaves no summary
  behind to let a light write skip it.

The documents of the file were checked when the summary was written (by a full open or a
save of the whole file); a light open checks the summary's tables and every document of
the journal's lines after ``end`` again (besides the lines' CRC), as a full open checks
them, and a bad one sends it to the full open, which refuses it naming its place.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.files import RACY_SECONDS, Stamp, file_stamp, write_atomically
from reader.store import changelog, schema
from reader.store.compact import AnnotationTable
from reader.store.errors import StoreCorrupt
from reader.store.schema import META_ID, Data
from reader.store.validation import DocumentError, check_document

__all__ = [
    "EDGE_BYTES",
    "SETTLE_NS",
    "SMALL_TABLES",
    "LightState",
    "Summary",
    "edges_of",
    "edges_of_bytes",
    "read_light",
    "read_summary",
    "summary_path_for",
    "write_summary",
]

FORMAT = "reader-annotations-summary"
VERSION = 2
"""2: a summary is written only for a file already at the current schema (version 1 could
describe a file as migrated in memory, a migration never saved); version 1 summaries are
not trusted."""

SMALL_TABLES = ("meta", "articles", "reading", "views", "entity_edits", "sessions", "drafts")
"""The tables a summary holds whole: every table but ``annotations``."""

SETTLE_NS = int(RACY_SECONDS * 1e9)
"""How long after a file's last change (its ctime) its stamp alone can be trusted: any
later change then gets a ctime at least this much later, on file systems whose times are
finer than 2 seconds (the racy rule of :data:`reader.files.RACY_SECONDS`)."""

EDGE_BYTES = 64 * 1024
"""How much of each end of the file :func:`edges_of` reads."""


def summary_path_for(real_path: Path) -> Path:
    """The summary beside the database file ``real_path``."""
    return real_path.with_name(f"{real_path.name}.summary")


@dataclass
class Summary:
    """What a summary holds: the small tables as of the file and ``end`` bytes of its
    journal, and the first annotation doc id free then."""

    snapshot: str
    """The file's size and CRC-32 (:func:`~reader.store.changelog.snapshot_id`)."""
    stamp: Stamp
    """The file's stat stamp when its content was last checked."""
    checked_ns: int
    """When (wall clock, ns) the file's content was last checked against ``snapshot``:
    taken before its stat and read."""
    tables: Data
    """The :data:`SMALL_TABLES`, whole."""
    next_annotation: int
    """The lowest annotation doc id not in use."""
    edges: str = ""
    """The CRC-32 of the file's first and last :data:`EDGE_BYTES` (:func:`edges_of`)."""
    nonce: str | None = None
    """The journal's nonce; None if the file had no journal."""
    end: int = 0
    """How much of the journal the tables include (a whole record's end)."""

    def settled(self) -> bool:
        """True if ``stamp`` alone tells this file from any later version of it."""
        return self.stamp[3] < self.checked_ns - SETTLE_NS


@dataclass
class LightState:
    """The database as a light open sees it: the summary brought up to the journal's end."""

    summary: Summary
    """The summary read (with the stamp checked now, if it was checked)."""
    tables: Data
    """The small tables, and an empty ``annotations`` table."""
    next_annotation: int
    """The lowest annotation doc id not in use."""
    journal: changelog.LogContents | None
    """The journal's extent and nonce (its saves are in ``tables``); None without one."""
    stale: bool = False
    """True if the summary should be written again (its stamp was checked by CRC, or
    the journal has records it does not include)."""
    notes: list[str] = field(default_factory=list)


def read_summary(path: Path) -> Summary | None:
    """The summary at ``path``, or None if there is none or it cannot be used."""
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        if data.get("version") != VERSION:
            return None
        tables = data["tables"]
        if not isinstance(tables, dict) or sorted(tables) != sorted(SMALL_TABLES):
            return None
        if not all(isinstance(t, dict) for t in tables.values()):
            return None
        stamp = tuple(int(v) for v in data["stamp"])
        nonce = data.get("nonce")
        summary = Summary(
            snapshot=str(data["snapshot"]),
            stamp=(stamp[0], stamp[1], stamp[2], stamp[3]),
            checked_ns=int(data["checked_ns"]),
            tables=tables,
            next_annotation=int(data["next_annotation"]),
            edges=str(data["edges"]),
            nonce=nonce if isinstance(nonce, str) else None,
            end=int(data["end"]),
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError):
        return None
    return summary


def write_summary(path: Path, summary: Summary, mode: int) -> None:
    """Write ``summary`` to ``path`` atomically (not fsynced: it is a cache) with the
    database's permissions ``mode``. A failure is left unsaid: the next writer reads the
    whole file instead."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "snapshot": summary.snapshot,
        "stamp": list(summary.stamp),
        "checked_ns": summary.checked_ns,
        "edges": summary.edges,
        "nonce": summary.nonce,
        "end": summary.end,
        "next_annotation": summary.next_annotation,
        "tables": {name: summary.tables.get(name, {}) for name in SMALL_TABLES},
    }
    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "surrogateescape"
        )
    except (TypeError, ValueError, UnicodeEncodeError):
        return
    with contextlib.suppress(OSError):
        write_atomically(
            path,
            payload,
            durable=False,
            keep_mode=False,
            new_mode=stat.S_IMODE(mode),
            temp_prefix=f".{path.name[: -len('.summary')]}.",
        )


def read_light(
    real_path: Path,
    journal_path: Path,
    stamp: Stamp,
    journal_stamp: Stamp | None,
) -> LightState | None:
    """The database without its annotations, from the summary and the journal, if the
    summary can be trusted for the file whose stamp is ``stamp`` (see the module
    docstring); None when the whole file must be read instead.

    Anything unexpected (a journal of another version, a damaged line, a journal cut
    short) is None too: the full open reads everything and says what is wrong.
    """
    summary = read_summary(summary_path_for(real_path))
    if summary is None or _schema_version(summary.tables) != schema.SCHEMA_VERSION:
        return None
    stale = False
    if summary.stamp == stamp and summary.settled():
        try:
            trusted = edges_of(real_path) == summary.edges
        except OSError:
            return None
    else:
        trusted = False
    if not trusted:
        checked = time.time_ns()
        try:
            raw = real_path.read_bytes()
            now = file_stamp(os.stat(real_path))
        except OSError:
            return None
        if now != stamp or changelog.snapshot_id(raw) != summary.snapshot:
            return None
        summary.stamp, summary.checked_ns, stale = stamp, checked, True
        summary.edges = edges_of_bytes(raw)
    tables: Data = {name: dict(table) for name, table in summary.tables.items()}
    tables["annotations"] = AnnotationTable()
    next_annotation = summary.next_annotation
    if journal_stamp is None:
        if summary.nonce is not None:
            return None  # the journal went away: the full open says what was lost (a notice)
        if not _checked(tables, real_path):
            return None
        return LightState(summary, tables, next_annotation, None, stale)
    try:
        with open(journal_path, "rb") as handle:
            first = handle.readline(4096)
            if not first.endswith(b"\n"):
                return None  # killed while starting the journal: the full open tidies up
            head = changelog.parse_header(first[:-1], journal_path)
            nonce = head.get("nonce")
            if head.get("snapshot") != summary.snapshot or not isinstance(nonce, str):
                return None
            if summary.nonce is None:
                start = len(first)
            elif summary.nonce == nonce:
                start = summary.end
            else:
                return None
            if start < len(first) or os.fstat(handle.fileno()).st_size < start:
                return None  # cut short by another program: the full open says so (a notice)
            handle.seek(start - 1)
            if handle.read(1) != b"\n":
                return None  # not the end of a save: not the journal the summary read
            tail = handle.read()
    except (OSError, StoreCorrupt):
        return None
    try:
        saves, good = changelog.parse_records(tail, journal_path)
    except StoreCorrupt:
        return None  # the full open names the damaged line
    for changes in saves:
        for name, documents in changes.items():
            if name == "annotations":
                for doc_id, document in documents.items():
                    if not doc_id.isdecimal():
                        return None
                    if document is not None:
                        try:
                            check_document(name, doc_id, document)
                        except DocumentError:
                            return None  # the full open names the document
                    next_annotation = max(next_annotation, int(doc_id) + 1)
                continue
            if name not in tables:
                return None
            table = tables[name]
            for doc_id, document in documents.items():
                if document is None:
                    table.pop(doc_id, None)
                else:
                    table[doc_id] = document
    if not _checked(tables, real_path):
        return None
    journal = changelog.LogContents(
        applies=True, good_bytes=start + good, size=start + len(tail), nonce=nonce
    )
    return LightState(summary, tables, next_annotation, journal, stale or bool(saves))


def edges_of(path: Path) -> str:
    """The CRC-32 of the first and last :data:`EDGE_BYTES` of the file at ``path``.

    Raises:
        OSError: the file cannot be read.
    """
    with open(path, "rb") as handle:
        head = handle.read(EDGE_BYTES)
        size = os.fstat(handle.fileno()).st_size
        handle.seek(max(0, size - EDGE_BYTES))
        tail = handle.read(EDGE_BYTES)
    return _edges(head, tail)


def edges_of_bytes(raw: bytes) -> str:
    """:func:`edges_of` for the file's content ``raw``."""
    return _edges(raw[:EDGE_BYTES], raw[-EDGE_BYTES:])


def _edges(head: bytes, tail: bytes) -> str:
    return f"{zlib.crc32(tail, zlib.crc32(head)):08x}"


def summarise(
    data: Data,
    snapshot: str,
    stamp: Stamp,
    checked_ns: int,
    journal: changelog.LogContents | None,
    edges: str,
) -> Summary:
    """The summary of ``data``, the whole database as of the file named ``snapshot``
    (stamp ``stamp``, checked at ``checked_ns``, its ends' CRC ``edges``) and
    ``journal``."""
    annotations = data.get("annotations", {})
    return Summary(
        snapshot=snapshot,
        stamp=stamp,
        checked_ns=checked_ns,
        tables={name: data.get(name, {}) for name in SMALL_TABLES},
        next_annotation=max(map(int, annotations), default=0) + 1,
        edges=edges,
        nonce=None if journal is None or not journal.applies else journal.nonce,
        end=0 if journal is None or not journal.applies else journal.good_bytes,
    )


def _checked(tables: Data, real_path: Path) -> bool:
    """True if the small tables (the summary's, with the journal's saves applied) are
    each of their table's shape, as a full open checks them: a bad one (a summary or a
    journal line written by another program, CRC and all) is left to the full open,
    which refuses it naming its place."""
    try:
        schema.check_tables(tables, real_path)
    except StoreCorrupt:
        return False
    return True


def _schema_version(tables: Data) -> Any:
    meta = tables.get("meta", {}).get(META_ID)
    return meta.get("schema_version") if isinstance(meta, dict) else None
