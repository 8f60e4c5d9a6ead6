"""Writing export files: atomically, never through a symlink, named inside their folder.

A file is written with reader's one atomic write (:func:`reader.files.write_atomically`):
to a temporary file in the destination's folder, fsynced, and renamed over the destination
with ``os.replace``, so a reader of the destination sees the old file or the new one, never
half of one. A destination that is a symbolic link is refused, and the rename itself
replaces a link that appears meanwhile rather than writing where it points.
Names made from titles or tags are slugs: one path component, no dots or separators at
either end, so that they cannot leave the export folder.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from reader.export.formats import format_named
from reader.files import FolderNotSynced, write_atomically
from reader.text import sanitize_line

__all__ = [
    "ExportWriteError",
    "default_export_name",
    "slug",
    "write_file",
    "write_in_folder",
]


_TEMP_PREFIX = ".reader-export-"
"""How an export's temporary file is named while it is written (then ``<random>.tmp``)."""

_SLUG_LIMIT = 60
"""Most characters of a slug (file names stay far below the 255-byte limit)."""

_NOT_WORD = re.compile(r"[\W_]+")


class ExportWriteError(Exception):
    """An export could not be written; ``str()`` is one line naming the file."""


def slug(text: str, limit: int = _SLUG_LIMIT) -> str:
    """Return *text* as a file-name fragment: lower-case letters and digits joined by ``-``.

    Control characters go, compatibility forms are folded (NFKC), every run of anything
    else (spaces, dots, slashes, punctuation) becomes one ``-``, and none is left at
    either end; letters of any script are kept. ``"../../etc/passwd"`` gives
    ``"etc-passwd"``. May return ``""``.
    """
    folded = unicodedata.normalize("NFKC", sanitize_line(text, limit=10 * limit)).casefold()
    return _NOT_WORD.sub("-", folded).strip("-")[:limit].strip("-")


def default_export_name(fmt: str, *, label: str | None = None, now: datetime | None = None) -> str:
    """Return the file name an export gets by default, e.g.
    ``reader-20261127T110000Z.json`` or, with a *label* (an article title, a tag),
    ``reader-the-budget-vote-20261127T110000Z.md``.

    Raises:
        ValueError: *fmt* is not the name of an export format.
    """
    extension = format_named(fmt).extension
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    middle = slug(label) if label else ""
    return f"reader-{middle + '-' if middle else ''}{stamp}.{extension}"


def write_in_folder(folder: Path, name: str, data: bytes | Iterable[bytes]) -> Path:
    """Write *data* (bytes, or chunks of bytes) as a new file called *name* in *folder*
    (created if missing); return it.

    If the name is taken, ``-2``, ``-3``... is added before the extension: an earlier
    export is never overwritten.

    Raises:
        ValueError: *name* is not a single plain file name (a path, ``..``, a hidden
            name, or one with control characters).
        ExportWriteError: the folder or the file cannot be written.
    """
    _check_name(name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportWriteError(f"{_shown(folder)}: {error.strerror or error}") from None
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    candidate, number = name, 1
    while os.path.lexists(folder / candidate):
        number += 1
        candidate = f"{stem}-{number}{dot}{suffix}"
    path = folder / candidate
    # Belt and braces: the name is one component, so this always holds.
    if path.parent != folder:
        raise ValueError(f"{name!r} would not stay inside {folder}")
    write_file(path, data)
    return path


def write_file(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Replace (or create) the file at *path* with *data* (bytes, or chunks of bytes),
    atomically and durably.

    Raises:
        ExportWriteError: *path* is a symbolic link, a folder or another non-file, or
            cannot be written. The destination is then left as it was.
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise ExportWriteError(f"{_shown(path)}: {error.strerror or error}") from None
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise ExportWriteError(
            f"{_shown(path)}: is a symbolic link; reader does not write through one "
            "(remove it or choose another file)"
        )
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise ExportWriteError(f"{_shown(path)}: exists and is not a regular file")
    try:
        write_atomically(path, data, temp_prefix=_TEMP_PREFIX)
    except FolderNotSynced:
        pass  # the file is in place; a folder that cannot be synced is no reason to fail
    except OSError as error:
        raise ExportWriteError(f"{_shown(path)}: {error.strerror or error}") from None


def _check_name(name: str) -> None:
    if (
        not name
        or name != sanitize_line(name, limit=255)
        or name.startswith(".")
        or any(separator in name for separator in ("/", "\\", os.sep))
        or Path(name).name != name
    ):
        raise ValueError(f"not a plain file name: {name!r}")


def _shown(path: Path) -> str:
    return sanitize_line(str(path), limit=500)
