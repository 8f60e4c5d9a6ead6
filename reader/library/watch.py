"""A library that updates itself: files added, changed or removed while reader runs.

Two parts, both Textual-free:

- :class:`LibraryRescan` brings a :class:`~reader.library.Library` up to date with the
  files: for the paths a watcher reported, only those (a file read again, a folder walked
  again), or, without paths, a walk of the whole library comparing each file's stat with
  the previous walk's. It returns a new library (the old one is never changed: a thread
  that holds it keeps a consistent list) and what changed (:class:`LibraryChanges`).
- :func:`watch_library` blocks in a thread and reports the paths that changed under the
  library, through the operating system's file events (watchfiles: inotify on Linux,
  FSEvents, ReadDirectoryChangesW), grouped over a short quiet time.

Why events and not polling: a walk and stat of 10,000 article files took ~0.35 s of CPU
on the project's 2-core machine (the GIL held for most of it, beside the screen's
thread); polled every second for "within a second or two" that is a third of a core
spent while nothing changes. Watching costs nothing while nothing changes, and a change
costs reading the files changed. Polling (a whole walk every :data:`POLL_SECONDS`) is the
fallback when the system cannot watch (out of inotify watches, a file system without
events).
"""

from __future__ import annotations

import bisect
import os
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from reader.files import Stamp, file_stamp
from reader.foreground import give_way
from reader.library.articles import Article, Problem, read_article
from reader.library.folders import file_stat, find_article_files
from reader.library.parsers import ARTICLE_SUFFIXES

if TYPE_CHECKING:
    from reader.library import Library

__all__ = [
    "GROUP_MS",
    "POLL_SECONDS",
    "QUIET_MS",
    "READY_MS",
    "LibraryChanges",
    "LibraryRescan",
    "watch_library",
]

#: A change is reported once the library has been quiet this many milliseconds (an
#: editor's save through a temporary file and a rename is one report); *stop* is checked
#: this often too.
QUIET_MS = 50

#: While changes keep coming (a feed refresh adding fifty articles), they are reported at
#: least this often (milliseconds).
GROUP_MS = 1000

#: The watch says it is in place (and wakes while nothing changes) after this long (ms).
READY_MS = 1000

#: Without file events, the whole library is walked this often (seconds).
POLL_SECONDS = 5.0


@dataclass(frozen=True)
class LibraryChanges:
    """What a rescan changed: the library after it, and the articles added, changed (read
    again: a new :class:`Article` for the same path) and removed."""

    library: Library
    """The library now (a new object when anything changed)."""
    added: tuple[Article, ...] = ()
    changed: tuple[Article, ...] = ()
    removed: tuple[Article, ...] = ()
    problems: tuple[Problem, ...] = ()
    """Files that could not be read in this rescan (new problems)."""
    notes: tuple[str, ...] = field(default=())
    """Anything else worth saying (a folder that can no longer be read)."""

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.problems)


def _key(path: str) -> str:
    return os.path.abspath(path)


class LibraryRescan:
    """Rescans the library under *paths* (files and folders), the folders *exclude* left
    out, as :meth:`reader.library.Library.load` finds it. Not thread-safe: one caller at a
    time (the workspace holds its library lock)."""

    def __init__(self, paths: Sequence[Path], exclude: Iterable[Path] = ()) -> None:
        self._roots = [_key(os.fspath(p)) for p in paths]
        self._given = [Path(p) for p in paths]
        """The library paths as given (maybe relative): an article read again is named as
        the first load named it, so that its id does not change."""
        self._exclude = [Path(p) for p in exclude]
        self._excluded = tuple(os.path.join(os.path.realpath(p), "") for p in self._exclude)
        self._last: tuple[Library, list[str]] | None = None
        """The library the last rescan returned, and its articles' keys."""
        self._stamps: dict[str, Stamp] | None = None
        """Each file's stat at the last whole walk (None until the first)."""

    # --- where a path belongs ------------------------------------------------------------

    def _root_of(self, path: str) -> tuple[int, list[str]] | None:
        """The index of the library path *path* is under and its parts below it, or None
        when it is not part of the library (outside, hidden, excluded)."""
        for index, root in enumerate(self._roots):
            if path == root:
                return index, []
            if path.startswith(os.path.join(root, "")):
                parts = os.path.relpath(path, root).split(os.sep)
                if any(part.startswith(".") for part in parts):
                    return None  # the walk skips hidden files and folders
                if os.path.join(os.path.realpath(path), "").startswith(self._excluded):
                    return None
                return index, parts
        return None

    def _as_given(self, path: Path) -> Path:
        """*path* (absolute) as the library names it: under the library path it is in, as
        that path was given (``lib/a.md``, not ``/home/me/lib/a.md``)."""
        found = self._root_of(os.fspath(path))
        if found is None:
            return path
        index, parts = found
        return self._given[index].joinpath(*parts)

    def order(self, path: Path) -> tuple[object, ...]:
        """Where *path* comes in the library's order: the walk's (by library path, then in
        each folder its files by name, then its folders by name, depth first). String work
        only: no system call (it is asked of every article when one is added)."""
        return self._order_of(_key(os.fspath(path)))

    def _order_of(self, key: str) -> tuple[object, ...]:
        for index, root in enumerate(self._roots):
            if key == root:
                return (index,)
            if key.startswith(root) and key[len(root) : len(root) + 1] == os.sep:
                parts = key[len(root) + 1 :].split(os.sep)
                return (index, *((1, part) for part in parts[:-1]), (0, parts[-1]))
        return (len(self._roots),)

    # --- rescans -------------------------------------------------------------------------

    def rescan(self, library: Library, touched: Collection[Path] | None) -> LibraryChanges:
        """Bring *library* up to date for the paths *touched* (files or folders, added,
        changed or gone), or for every file (None: a whole walk, files whose stat changed
        since the last whole walk read again). Returns the changes; *library* is unchanged.
        """
        from reader.library import Library

        if self._last is not None and self._last[0] is library:
            keys = self._last[1]  # the library this returned last time: its keys are known
        else:
            keys = [_key(os.fspath(a.path)) for a in library.articles]
        known = dict(zip(keys, library.articles, strict=True))
        known_problems = {_key(os.fspath(p.path)): p for p in library.problems}
        if touched is None:
            candidates, gone = self._walk_all(known, known_problems)
        else:
            candidates, gone = self._look_at(touched, known)
        added: list[Article] = []
        changed: dict[str, Article] = {}
        problems: list[Problem] = []
        unreadable: list[Problem] = []
        for key, path in sorted(candidates.items()):
            result = read_article(self._as_given(path))
            old = known.get(key)
            if isinstance(result, Problem):
                unreadable.append(result)
                said = known_problems.get(key)
                if said is None or said.reason != result.reason:
                    problems.append(result)  # new: worth saying (the same one was said)
                if old is not None:
                    gone.add(key)
            elif old is None:
                added.append(result)
            elif old.sha256 != result.sha256 or old.title != result.title:
                changed[key] = result
        if not (added or changed or gone or problems):
            self._last = (library, keys)
            return LibraryChanges(library)
        removed = [known[k] for k in gone if k in known]
        gone_keys = {k for k in gone if k in known}
        kept = [
            (key, changed.get(key, article))
            for key, article in zip(keys, library.articles, strict=True)
            if key not in gone_keys
        ]
        for article in added:  # the list is in order: a few order keys each (bisect)
            pair = (_key(os.fspath(article.path)), article)
            bisect.insort(kept, pair, key=lambda item: self._order_of(item[0]))
        touched_keys = gone_keys | set(candidates)
        old_problems = [p for p in library.problems if _key(os.fspath(p.path)) not in touched_keys]
        # Articles a first start listed and has not read yet stay to be learnt (Ctrl+O may
        # add one while it reads them).
        still = {id(article) for _, article in kept}
        pending = [item for item in library.pending if id(item[0]) in still]
        new = Library([article for _, article in kept], old_problems + unreadable, pending)
        self._last = (new, [key for key, _ in kept])
        return LibraryChanges(
            new,
            tuple(added),
            tuple(changed.values()),
            tuple(removed),
            tuple(problems),
        )

    def _look_at(
        self, touched: Collection[Path], known: dict[str, Article]
    ) -> tuple[dict[str, Path], set[str]]:
        """The files to read and the known files gone, for the paths *touched*."""
        candidates: dict[str, Path] = {}
        gone: set[str] = set()
        for given in touched:
            key = _key(os.fspath(given))
            place = self._root_of(key)
            if place is None:
                continue
            if os.path.isdir(key):
                found, _ = find_article_files([Path(key)], self._exclude)
                inside = {_key(os.fspath(path)) for path, _, _ in found}
                prefix = os.path.join(key, "")
                gone |= {k for k in known if k.startswith(prefix) and k not in inside}
                # A folder's event says it appeared or was renamed: its files that are new.
                candidates.update({k: Path(k) for k in inside if k not in known})
            elif os.path.isfile(key):
                if os.path.splitext(key)[1].lower() in ARTICLE_SUFFIXES:
                    candidates[key] = Path(key)
            else:  # gone: a file, or a folder with everything in it
                prefix = os.path.join(key, "")
                gone |= {k for k in known if k == key or k.startswith(prefix)}
        return candidates, gone

    def _walk_all(
        self, known: dict[str, Article], known_problems: dict[str, Problem]
    ) -> tuple[dict[str, Path], set[str]]:
        """A whole walk: new files, files whose stat changed since the last walk, and the
        known files not found (files known to be unreadable count as known)."""
        found, _ = find_article_files([Path(r) for r in self._roots], self._exclude)
        stamps: dict[str, Stamp] = {}
        for path, _, entry in found:
            # A key the user waits for (an article switch's frame) goes first: a walk of
            # 10,000 files is ~30 ms of this thread with the interpreter's lock.
            give_way()
            info = file_stat(entry) if entry is not None else _stat(path)
            if info is not None:
                # The roots are absolute and normal, and so what the walk joins to them.
                stamps[os.fspath(path)] = file_stamp(info)
        before, self._stamps = self._stamps, stamps
        candidates = {
            key: Path(key)
            for key, stamp in stamps.items()
            if (key not in known and key not in known_problems)
            or (before is not None and before.get(key) != stamp)
        }
        gone = {key for key in known if key not in stamps}
        return candidates, gone


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _not_hidden(_change: object, path: str) -> bool:
    """watchfiles' filter: hidden names (temporary files, ``.git``) are never articles."""
    return not os.path.basename(path).startswith(".")


def watch_library(
    paths: Sequence[Path],
    stop: threading.Event,
    changed: Callable[[set[Path]], None],
    ready: Callable[[], None] = lambda: None,
) -> str | None:
    """Call *changed* with the paths that changed under *paths*, in this thread, until
    *stop* is set (checked every :data:`QUIET_MS`). Blocking: run it in a thread of its own.
    *ready* is called once the folders are watched (a change from then on is reported).

    Returns None once stopped, or why the paths cannot be watched (out of inotify
    watches, say): the caller then polls (:meth:`LibraryRescan.rescan` without paths).
    """
    import watchfiles

    roots = [os.path.abspath(p) for p in paths if p.exists()]
    if not roots:
        return "no library folder exists to watch"
    restarts = 0
    while True:
        problem = _watch(watchfiles, roots, stop, changed, ready)
        # watchfiles cannot hand over a name whose bytes are not UTF-8 and ends the watch
        # ("Unable to decode path"). The library skips such a file anyway: watch again,
        # and *ready* walks the whole library for what that batch held (bounded, so that
        # a folder that keeps writing such names is polled instead).
        if problem is None or "decode path" not in problem or restarts >= MAX_RESTARTS:
            return problem
        restarts += 1


#: How often one session's watch is started again after a name that is not UTF-8.
MAX_RESTARTS = 20


def _watch(
    watchfiles: ModuleType,
    roots: list[str],
    stop: threading.Event,
    changed: Callable[[set[Path]], None],
    ready: Callable[[], None],
) -> str | None:
    """One watch of :func:`watch_library`, until stopped or broken (why, returned)."""
    started = False
    try:
        for batch in watchfiles.watch(
            *roots,
            watch_filter=_not_hidden,
            debounce=GROUP_MS,
            step=QUIET_MS,
            stop_event=stop,
            # An empty batch now and then: the first one says the watch is in place.
            rust_timeout=READY_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
            ignore_permission_denied=True,
        ):
            if not started:
                started = True
                ready()
            if batch:
                changed({Path(path) for _, path in batch})
    except (OSError, RuntimeError) as error:  # watchfiles raises OSError for the limits
        return f"the library folders cannot be watched ({error})"
    return None
