"""Finding article files: folders walked recursively, files named, exports left out."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader.library.endings import ARTICLE_SUFFIXES

if TYPE_CHECKING:
    from reader.library.articles import Problem

__all__ = [
    "Found",
    "FoundName",
    "file_stat",
    "find_article_files",
    "find_article_names",
    "index_path",
    "library_folder",
    "library_roots",
]

Found = tuple[Path, str, "os.DirEntry[str] | None"]
"""A file found by a scan, its resolved path, and its directory entry if a walk found it."""


FoundName = tuple[str, str, "os.DirEntry[str] | None"]
"""As :data:`Found`, the file's path as a string (no :class:`Path` made per file)."""


def _walk(root: Path, problems: list[Problem]) -> Iterator[tuple[str, str, os.DirEntry[str]]]:
    """Yield ``(file, resolved path, entry)`` for article files under *root*, recursively,
    sorted by name, folders after files (as ``os.walk``); record unreadable folders.

    Walks with ``os.scandir``: the directory entries say which names are symlinks without a
    system call per file, so only symlinked files are resolved one by one, and the entry
    keeps the file's stat for the library index.
    """
    stack = [os.fspath(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            from reader.library.articles import Problem  # (imported when one is met)

            problems.append(Problem(Path(error.filename or folder), "folder cannot be read"))
            continue
        real_folder: str | None = None
        subfolders: list[str] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not entry.is_symlink():  # as os.walk(followlinks=False)
                    subfolders.append(entry.path)
                continue
            if os.path.splitext(entry.name)[1].lower() not in ARTICLE_SUFFIXES:
                continue
            if entry.is_symlink():
                resolved = os.path.realpath(entry.path)
            else:
                real_folder = real_folder or os.path.realpath(folder)
                resolved = os.path.join(real_folder, entry.name)
            yield entry.path, resolved, entry
        stack.extend(reversed(subfolders))


def find_article_files(
    paths: Iterable[Path], exclude: Iterable[Path] = ()
) -> tuple[list[Found], list[Problem]]:
    """Return the article files named by *paths* (files and folders, recursively), each with
    its resolved path and directory entry (its stat, for the catalogue), and the problems.

    Files inside the folders *exclude* (where exports are written) are left out.
    """
    names, problems = find_article_names(paths, exclude)
    return [(Path(name), key, entry) for name, key, entry in names], problems


def find_article_names(
    paths: Iterable[Path], exclude: Iterable[Path] = ()
) -> tuple[list[FoundName], list[Problem]]:
    """:func:`find_article_files` with each file's path as a string: the same files in the
    same order, for a caller that needs no :class:`Path` (the search index's stamp)."""
    from reader.library.articles import Problem

    problems: list[Problem] = []
    found: list[FoundName] = []
    seen: set[str] = set()
    # A folder made a symlink (or pointed elsewhere) since the last scan: resolved again,
    # as a process started now would, or the two key the same articles two ways.
    _REAL_FOLDERS.clear()
    # Compared with each file's resolved path, which the scan has anyway: one string test
    # per file instead of resolving every article path again afterwards.
    excluded = tuple(os.path.join(os.path.realpath(folder), "") for folder in exclude)
    for given in paths:
        if given.is_dir():
            candidates: Iterable[FoundName] = _walk(given, problems)
        elif given.is_file():
            candidates = [(os.fspath(given), str(given.resolve()), None)]
        elif given.exists():
            problems.append(Problem(given, "not a regular file, skipped"))
            continue
        else:
            problems.append(Problem(given, "no such file or folder"))
            continue
        for candidate, key, entry in candidates:
            if key not in seen and not key.startswith(excluded):
                seen.add(key)
                if not key.isascii() and not _is_utf8(key):
                    problems.append(Problem(Path(candidate), _NOT_UTF8))
                    continue
                found.append((candidate, key, entry))
    return found, problems


#: A name whose bytes are not UTF-8 decodes to lone surrogates ("caf\udce9.txt"), which
#: no JSON, SQLite or TinyDB file this library keeps can hold: the file is left out, said.
_NOT_UTF8 = "file name is not valid UTF-8 (rename the file to read it), skipped"


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def file_stat(entry: os.DirEntry[str] | None) -> os.stat_result | None:
    """The stat of a walked file (following a symlink), or None if it has none."""
    if entry is None:
        return None
    try:
        return entry.stat()
    except OSError:
        return None


def library_roots(paths: Sequence[Path]) -> list[str]:
    """The library's roots (the folders and files it was read from) as absolute paths,
    longest first (the nearest root wins), for :func:`library_folder`."""
    return sorted((os.path.abspath(path) for path in paths), key=len, reverse=True)


def library_folder(path: str, roots: Sequence[str]) -> str:
    """The folder of the article at *path* (absolute) relative to its library root, from
    :func:`library_roots`, ``/``-separated (``""`` at the root, or for an article named on
    its own): what ``in:`` searches and what the app shows as an article's folder."""
    for root in roots:
        if path == root:
            return ""
        prefix = root.rstrip(os.sep) + os.sep
        if path.startswith(prefix):
            # Both are normalised absolute paths: the part after the root is the relative
            # path (os.path.relpath normalises both again, a tenth of an index build).
            folder = os.path.dirname(path[len(prefix) :])
            return folder.replace(os.sep, "/")
    return ""


def index_path(path: str | os.PathLike[str]) -> str:
    """The key the search and entity indexes keep *path*'s article by: its absolute path,
    its folder's symlinks resolved, so that one library named through a symlink and by its
    real path (or relative and absolute) is one set of rows. The file's own name is kept
    (a symlinked article is the link). Each folder is resolved once a library scan (~1 µs
    an article more than ``os.path.abspath``: string work and one dictionary lookup)."""
    absolute = os.path.abspath(path)
    folder, sep, name = absolute.rpartition(os.sep)
    real = _REAL_FOLDERS.get(folder)
    if real is None:
        if len(_REAL_FOLDERS) > 4096:
            _REAL_FOLDERS.clear()
        real = _REAL_FOLDERS[folder] = os.path.realpath(folder or sep)
    if real == folder:
        return absolute
    return os.path.join(real, name)


_REAL_FOLDERS: dict[str, str] = {}
"""Each folder an article was in, resolved (:func:`index_path`)."""
