"""Knowing the search index is up to date without loading the library: a fingerprint,
by stat alone, of everything an update reads (:func:`library_stamp`)."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import stat as stat_module
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from reader import __version__, files
from reader.library.endings import ARTICLE_SUFFIXES
from reader.search.schema import INDEX_FORMAT

if TYPE_CHECKING:
    from reader.settings import Settings


__all__ = ["entity_cache_stamp", "library_stamp"]

_MTIME = itemgetter(3)
_CTIME = itemgetter(4)
"""The mtime and ctime (ns) of a file's entry in :func:`_stamp_folder`."""


def _cache_folders(settings: Settings) -> list[os.DirEntry[str]]:
    """The entity cache's folders, ``<cache dir>/<engine folder>/<sha[:2]>``
    (reader/entities/cache.py ``cache_folder``), in name order: an entry added for an
    article changes its folder's times. OSError when the cache dir cannot be read."""
    folders: list[os.DirEntry[str]] = []
    with os.scandir(os.fspath(settings.cache_dir)) as engines:
        for engine in sorted(engines, key=lambda entry: entry.name):
            if engine.is_dir() and not engine.is_symlink():
                with os.scandir(engine.path) as shards:
                    folders.extend(sorted(shards, key=lambda entry: entry.name))
    return folders


def entity_cache_stamp(settings: Settings, *, trusted: bool = False) -> str | None:
    """A fingerprint, by stat alone, of the entity cache's folders (what `reader index`
    in another shell, or the app's own entity worker, changes when it caches an
    article's entities); None with the cache off (~1 ms).

    *trusted*: for a stamp kept beside the index (:meth:`SearchIndex.remember`, the app's
    :meth:`SearchIndex.carry`): None too when a folder changed too recently for its times
    to be trusted (the catalogue's racy rule: an entry added in the same clock tick as
    the stat leaves the folder's times as they were). Without it, for a stamp compared
    within one session (the app's), never None for being recent."""
    if not settings.use_cache:
        return None
    digest = hashlib.blake2b(digest_size=16)
    racy = time.time_ns() - int(_racy_seconds() * 1e9) if trusted else None
    try:
        for shard in _cache_folders(settings):
            info = shard.stat()
            if racy is not None and (info.st_mtime_ns > racy or info.st_ctime_ns > racy):
                return None
            digest.update(
                f"{shard.path}\0{info.st_ino}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\n".encode(
                    "utf-8", "surrogateescape"
                )
            )
    except OSError:
        digest.update(b"no cache\n")
    return digest.hexdigest()


def library_stamp(settings: Settings) -> str | None:
    """A fingerprint, by stat alone, of everything :meth:`SearchIndex.update` reads but the
    entity cache: the article files under the settings' paths (walked as the library walks
    them: hidden names and other endings skipped; each file's inode, size and times), the
    database, the installed packages (which model is picked) and the settings; None when
    some file changed too recently for its stat to be trusted (as the catalogue's racy
    rule), or the cache is off.

    Equal stamps mean the same library and store, so an index remembered with one
    (:meth:`SearchIndex.remember`) answers a query without the library being loaded; a
    query for entities also needs the entity cache's stamp (:func:`entity_cache_stamp`,
    trusted) to be the one remembered (:meth:`SearchIndex.entities_current`).
    """
    if not settings.use_cache:
        return None
    digest = hashlib.blake2b(digest_size=16)
    racy = time.time_ns() - int(_racy_seconds() * 1e9)
    fresh = False

    def add(name: str, info: os.stat_result | None) -> None:
        nonlocal fresh
        if info is None:
            digest.update(f"{name}\0-\n".encode("utf-8", "surrogateescape"))
            return
        if info.st_mtime_ns > racy or info.st_ctime_ns > racy:
            fresh = True
        digest.update(
            f"{name}\0{info.st_ino}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\n".encode(
                "utf-8", "surrogateescape"
            )
        )

    def stat(path: str) -> os.stat_result | None:
        try:
            return os.stat(path)
        except OSError:
            return None

    digest.update(
        json.dumps(
            [
                __version__,
                INDEX_FORMAT,
                [str(path) for path in settings.article_paths],
                str(settings.exports_dir),
                str(settings.db_path),
                str(settings.cache_dir),
                settings.engine,
                settings.model,
            ]
        ).encode("utf-8", "surrogateescape")
    )
    # The article files as the library finds them, by a leaner walk of the same folders
    # (see _stamp_files): every file the library reads is in it.
    for given in settings.article_paths:
        add(os.fspath(given), stat(os.fspath(given)))
    listed, newest = _stamp_files(settings.article_paths)
    digest.update(listed)
    if newest > racy:
        fresh = True
    add(str(settings.db_path), stat(str(settings.db_path)))
    # Not the entity cache: only a query for entities needs it (entity:, label:,
    # sort:mentions), checked on its own (entity_cache_stamp, trusted), and the app's
    # entity pass changes it every few seconds while the index keeps up.
    # Which model is picked (and its version) follows the installed packages: the folders
    # Python imports from. Not the first one unless Python was told to leave it out: that
    # is the running script's folder or the working directory (`reader` against `python -m
    # reader`, run from wherever the user is), which says how and where the command was
    # run, not what is installed; with it, a working directory just written to made every
    # command's stamp too fresh to trust, and each way of running replaced the other's.
    for folder in sys.path if sys.flags.safe_path else sys.path[1:]:
        if folder and os.path.isdir(folder):
            add(folder, stat(folder))
    return None if fresh else digest.hexdigest()


def _racy_seconds() -> float:
    """The catalogue's racy rule (:data:`reader.library.catalogue.RACY_SECONDS`: a test
    that just wrote its files sets it to 0), read without importing the catalogue, which
    imports the articles and their parsers (Markdown, HTML: milliseconds a `reader
    search`): when no one imported it, no one changed it, and it is the default."""
    catalogue = sys.modules.get("reader.library.catalogue")
    return float(catalogue.RACY_SECONDS) if catalogue is not None else files.RACY_SECONDS


def _stamp_files(paths: Sequence[Path]) -> tuple[bytes, int]:
    """What :func:`library_stamp` fingerprints of the article files under *paths*: per
    folder, its path and each article file's name, inode, size and times (serialised at
    once by :mod:`marshal`, in C: no line formatted per file), and the newest of those
    times (ns).

    The library's own walk (:func:`~reader.library.folders.find_article_names`) is
    followed where it matters to what is read: hidden names skipped, folders walked
    recursively in name order without following folder symlinks, file symlinks followed
    (a target edited is noticed). It is not followed where it would only cost time: no
    file is resolved, none left out as a duplicate or an export (an export changed
    changes the stamp: an update, never a stale answer). A folder is listed by name and
    each article file stat'd relative to the open folder (``os.listdir`` and ``os.stat``
    with ``dir_fd``: half the cost of ``os.scandir``'s entries and their ``stat()``); a
    name of another ending is stat'd only to know whether it is a folder. A folder that
    cannot be read is a line of its own.
    """
    suffixes = tuple(ARTICLE_SUFFIXES)
    listed: list[object] = []
    newest = 0
    for given in paths:
        if not os.path.isdir(given):
            continue  # a file named on its own: its stat is in the stamp already
        stack = [os.fspath(given)]
        while stack:
            folder = stack.pop()
            try:
                names = sorted(os.listdir(folder))
                descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError as error:
                listed.append((folder, "unreadable", error.errno))
                continue
            try:
                files, subfolders = _stamp_folder(folder, names, descriptor, suffixes)
            finally:
                os.close(descriptor)
            if files:  # the newest mtime and ctime, taken in C
                newest = max(newest, max(map(_MTIME, files)), max(map(_CTIME, files)))
            listed.append((folder, files))
            stack.extend(reversed(subfolders))
    return marshal.dumps(listed), newest


def _stamp_folder(
    folder: str, names: list[str], descriptor: int, suffixes: tuple[str, ...]
) -> tuple[list[tuple[str, int, int, int, int]], list[str]]:
    """The article files of one folder (name, inode, size, mtime and ctime in ns; -1s for a
    dangling symlink) and its subfolders' paths, in name order."""
    files: list[tuple[str, int, int, int, int]] = []
    subfolders: list[str] = []
    add = files.append
    stat = os.stat
    is_folder = stat_module.S_ISDIR
    for name in names:
        if name[0] == ".":
            continue
        # Lowered only when the name as it is has no article ending (rarely; with the
        # newest times taken by map: 120 -> 112 M instructions for 10,000 files).
        if not (name.endswith(suffixes) or name.lower().endswith(suffixes)):
            with suppress(OSError):
                if is_folder(stat(name, dir_fd=descriptor, follow_symlinks=False).st_mode):
                    subfolders.append(os.path.join(folder, name))
            continue
        try:
            info = stat(name, dir_fd=descriptor)
        except OSError:
            add((name, -1, -1, -1, -1))  # a dangling symlink
            continue
        if is_folder(info.st_mode):
            with suppress(OSError):
                if not stat_module.S_ISLNK(
                    stat(name, dir_fd=descriptor, follow_symlinks=False).st_mode
                ):
                    subfolders.append(os.path.join(folder, name))
            continue
        add((name, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
    return files, subfolders
