"""Writing a file so that a reader of it sees the old file or the new one, never half of one.

The one atomic write of reader: the database, exports, the entity cache and the library
catalogue all go through :func:`write_atomically`. The bytes go to a temporary file in the
destination's folder (created exclusively, never through a symlink), which is renamed over
the destination with ``os.replace``; a durable write also fsyncs the file and the folder,
so that the new file survives a power cut once the call returns.

Also the one file stamp: what says a file is unchanged since it was last read (its inode,
size, mtime and ctime in nanoseconds), and the "racy" rule that goes with it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
import time
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "RACY_SECONDS",
    "TEMP_SUFFIX",
    "FolderNotSynced",
    "Stamp",
    "changed_lately",
    "file_stamp",
    "fsync_folder",
    "make_folders",
    "write_atomically",
]

TEMP_SUFFIX = ".tmp"
"""Every temporary file ends with this (a leftover of a killed process can be recognised)."""

Stamp = tuple[int, int, int, int]
"""A file's identity at one time: inode, size, mtime_ns, ctime_ns. Any change to the file
(an edit, a copy over it with the mtime kept, a rename onto it) changes one of them."""

RACY_SECONDS = 2.0
"""A file changed less than this long ago may change again within the same timestamp tick
without its stamp changing: what was read from it is not trusted by its stamp until it is
older (git's "racy" rule)."""


def file_stamp(info: os.stat_result) -> Stamp:
    """The :data:`Stamp` of a file from its stat."""
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def changed_lately(
    info: os.stat_result, seconds: float = RACY_SECONDS, *, now_ns: int | None = None
) -> bool:
    """Whether the file of stat *info* changed less than *seconds* ago (or claims a time in
    the future): its stamp cannot vouch for what is read from it now."""
    now = time.time_ns() if now_ns is None else now_ns
    return now - max(info.st_mtime_ns, info.st_ctime_ns) < seconds * 1e9


_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class FolderNotSynced(OSError):
    """The new file is in place but its folder could not be fsynced: the rename may not
    survive a power cut. Carries the errno and message of the fsync's error."""


def write_atomically(
    path: Path,
    payload: bytes | Iterable[bytes],
    *,
    durable: bool = True,
    keep_mode: bool = False,
    new_mode: int = 0o666,
    temp_prefix: str | None = None,
    replace: bool = True,
) -> os.stat_result:
    """Replace *path* with *payload* (bytes, or chunks of bytes) in one rename.

    Args:
        path: The file to write; its folder must exist (see :func:`make_folders`).
        payload: What the file holds afterwards.
        durable: fsync the file before the rename and the folder after it. Caches skip it:
            a lost entry only costs the time to compute it again.
        keep_mode: Give the new file the permissions of the one it replaces.
        new_mode: The permissions of a new file (and of a replacing one without
            *keep_mode*), less the umask; 0o600 keeps a new file private to the user.
        temp_prefix: How the temporary file's name starts (default ``.<name>.``).
        replace: Replace an existing *path*; False publishes a new file only (a hard
            link, which fails when the name is taken) and raises FileExistsError rather
            than replace one that appeared meanwhile (`reader add` never overwrites).

    Returns:
        The new file's stat (taken before the rename: inode, size, mtime).

    Raises:
        FolderNotSynced: (durable only) the file was replaced but the folder's fsync
            failed; a caller that can live without it catches this first.
        OSError: the file could not be written; *path* is then as it was and no temporary
            file is left behind.
    """
    folder = path.parent
    prefix = f".{path.name}." if temp_prefix is None else temp_prefix
    temporary = folder / f"{prefix}{secrets.token_hex(6)}{TEMP_SUFFIX}"
    descriptor = os.open(temporary, _FLAGS, new_mode)  # less the umask
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if keep_mode:
                with contextlib.suppress(OSError):
                    os.chmod(handle.fileno(), stat.S_IMODE(os.stat(path).st_mode))
            if isinstance(payload, bytes | bytearray | memoryview):
                handle.write(payload)
            else:
                handle.writelines(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
            info = os.fstat(handle.fileno())
        if replace:
            # rename(2) replaces a symlink at *path*; it never writes through it.
            os.replace(temporary, path)
        else:
            _publish_new(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if durable:
        try:
            fsync_folder(folder)
        except OSError as error:
            raise FolderNotSynced(error.errno, error.strerror, error.filename) from error
    return info


def _publish_new(temporary: Path, path: Path) -> None:
    """Give the written *temporary* file the name *path*, which must not exist."""
    try:
        os.link(temporary, path, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)


def make_folders(folder: Path, *, durable: bool = True) -> None:
    """Create *folder* and its missing parents; a durable call syncs each new entry."""
    if not durable:
        folder.mkdir(parents=True, exist_ok=True)
        return
    if folder.is_dir():
        return
    make_folders(folder.parent)
    with contextlib.suppress(FileExistsError):
        folder.mkdir()
    fsync_folder(folder.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename or creation inside *folder* durable (a no-op where folders cannot be
    opened, as on Windows)."""
    if sys.platform == "win32":  # pragma: no cover
        return
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
