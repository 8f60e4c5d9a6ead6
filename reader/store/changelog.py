"""The change log beside a large annotations file: the documents changed since it was written.

Rewriting a database of 100,000 annotations (50 MB) for each new note takes a tenth of a
second; appending the changed documents to a log beside it takes an fsync.
:class:`~reader.store.storage.DurableStorage` keeps such a log, ``<file>.journal``, once the
file is large (:data:`LOG_FROM_BYTES`), and writes the whole file again (compaction) when
the log has grown past a share of it (:data:`COMPACT_SHARE`).

The log is UTF-8 lines. The first names the file it applies to (its size and CRC-32), so
that a log left behind by a compaction that was killed after the new file was in place, or
a file replaced by another program, is never applied to the wrong file::

    {"format":"reader-annotations-journal","version":1,"snapshot":"<size>-<crc32>",
     "nonce":"<random hex>"}

The nonce tells this log from another started later for the same file (the summary beside
the file, :mod:`reader.store.summary`, names the log it has read up to by it); a log
written before it had none, and readers of version 1 ignore it.

Each further line is one save: ``<crc32 of the JSON, 8 hex digits> <JSON>``, the JSON an
object of tables, each of doc ids to the whole new document (null: deleted). A line is
appended, then fsynced, before the save returns. A last line without its newline, or whose
CRC does not match, is a save that was killed midway and never acknowledged: it is ignored,
and cut off before the next save appends. Any other bad line makes the database unreadable
(:class:`~reader.store.errors.StoreCorrupt`), naming the line.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from reader.store.errors import StoreCorrupt

__all__ = [
    "COMPACT_SHARE",
    "LOG_FROM_BYTES",
    "LogContents",
    "header",
    "parse_header",
    "parse_log",
    "parse_records",
    "record",
    "snapshot_id",
]

FORMAT = "reader-annotations-journal"
VERSION = 1

LOG_FROM_BYTES = 4_000_000
"""Files smaller than this (about 8,000 annotations) are written whole on each save: it
costs about as much as an fsynced append, and the file alone always holds everything."""

COMPACT_SHARE = 0.25
"""The log is folded into the file once it is larger than this share of the file."""

Changes = dict[str, dict[str, dict[str, Any] | None]]
"""One save: table name -> doc id -> the new document, or None for a deleted one."""


@dataclass
class LogContents:
    """What a log holds for the file it was read beside."""

    applies: bool = False
    """True if the log was written for this file (else it is ignored, and replaced by the
    next save)."""
    saves: list[Changes] = field(default_factory=list)
    good_bytes: int = 0
    """The length of the log up to the end of its last whole save."""
    size: int = 0
    """The length of the log as read (more than ``good_bytes`` if its tail is torn)."""
    nonce: str | None = None
    """The random id in the log's header (None in a log written without one)."""


def snapshot_id(chunks: list[bytes] | bytes) -> str:
    """What the log's header names a file by: its size and CRC-32."""
    parts = [chunks] if isinstance(chunks, bytes) else chunks
    crc, size = 0, 0
    for part in parts:
        crc = zlib.crc32(part, crc)
        size += len(part)
    return f"{size}-{crc:08x}"


def header(snapshot: str, nonce: str) -> bytes:
    """The log's first line, for the file named by ``snapshot`` (:func:`snapshot_id`);
    ``nonce`` names this log apart from any other (a random hex string)."""
    line = json.dumps(
        {"format": FORMAT, "version": VERSION, "snapshot": snapshot, "nonce": nonce},
        separators=(",", ":"),
    )
    return line.encode("ascii") + b"\n"


def parse_header(line: bytes, path: Path) -> dict[str, Any]:
    """The log's first line (without its newline), checked: a reader journal of this
    version.

    Raises:
        StoreCorrupt: it is not a reader journal header, or of another version.
    """
    try:
        head = json.loads(line)
    except (ValueError, RecursionError):
        _corrupt(path, "line 1 is not a reader journal header")
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        _corrupt(path, "line 1 is not a reader journal header")
    if head.get("version") != VERSION:
        _corrupt(
            path,
            f"has journal version {head.get('version')!r}; this version of reader reads "
            f"{VERSION} (upgrade reader to open it)",
        )
    return head


def parse_records(raw: bytes, path: Path, first_line: int = 2) -> tuple[list[Changes], int]:
    """The saves in ``raw``, whole lines of a log after its header, and the length of
    ``raw`` up to the end of the last whole save (a torn last line is left out).

    Raises:
        StoreCorrupt: a line other than the last is damaged (named by its number, counting
            from ``first_line``).
    """
    saves: list[Changes] = []
    good = 0
    lines = raw.split(b"\n")
    for number, line in enumerate(lines[:-1], start=first_line):
        # lines[-1] is what follows the final newline: b"" for a whole log, else torn.
        changes = _parse_record(line)
        if isinstance(changes, str):  # whole and checksummed, yet no save of reader's
            _corrupt(path, f"line {number} {changes}")
        if changes is None:
            if number == first_line + len(lines) - 2:  # the last line, damaged
                break
            _corrupt(path, f"line {number} is damaged (its checksum does not match)")
        saves.append(changes)
        good += len(line) + 1
    return saves, good


def record(payload: bytes) -> bytes:
    """One save's line: its CRC-32 and its JSON (which never holds a raw newline)."""
    return b"%08x " % zlib.crc32(payload) + payload + b"\n"


def parse_log(raw: bytes, snapshot: str, path: Path) -> LogContents:
    """Read the log ``raw`` (the bytes of ``path``) for the file named ``snapshot``.

    Raises:
        StoreCorrupt: a line other than the last is damaged, or the log is not one.
    """
    contents = LogContents(size=len(raw))
    first, newline, rest = raw.partition(b"\n")
    if not newline:
        return contents  # the first save was killed before its header was whole
    head = parse_header(first, path)
    if head.get("snapshot") != snapshot:
        return contents
    contents.applies = True
    contents.nonce = head.get("nonce") if isinstance(head.get("nonce"), str) else None
    contents.saves, good = parse_records(rest, path)
    contents.good_bytes = len(first) + 1 + good
    return contents


def _parse_record(line: bytes) -> Changes | str | None:
    """One save's changes; None if the line is damaged (its checksum does not match: a save
    killed midway, when it is the last); or what is wrong with a line whose checksum
    matches but which holds no save (another program wrote it: never taken for a torn
    save, so never cut off)."""
    crc, space, payload = line.partition(b" ")
    if not space or len(crc) != 8:
        return None
    try:
        if int(crc, 16) != zlib.crc32(payload):
            return None
    except ValueError:
        return None
    not_a_save = "has a matching checksum but holds no save of reader's"
    try:
        changes = json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError):
        return f"{not_a_save} (it is not JSON in UTF-8)"
    if not isinstance(changes, dict):
        return f"{not_a_save} (not an object of tables)"
    for table in changes.values():
        if not isinstance(table, dict):
            return f"{not_a_save} (a table that is not an object)"
        for document in table.values():
            if document is not None and not isinstance(document, dict):
                return f"{not_a_save} (a document that is not an object)"
    return changes


def _corrupt(path: Path, problem: str) -> NoReturn:
    raise StoreCorrupt(path, f"{problem}; the file was left as it is")
