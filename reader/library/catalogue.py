"""The catalogue: title, word count and hash per article file, so a start reads no text.

Reading 10,000 articles (decode, sanitise, hash, count words) takes seconds; the sidebar
needs only each one's title and counts. The catalogue keeps them per file, with the file's
identity at the time (inode, size, mtime and ctime in nanoseconds): a file whose stat still
matches is not read again, and its :class:`~reader.library.Article` reads its text when it
is opened. Any change to the file (an edit, a copy over it with the mtime kept, a rename
onto it) changes one of those, and the file is read again.

The catalogue is one JSON file in the user cache dir, next to the entity cache
(``<cache dir>/library-index.json``, its name from when it was called the library index,
kept so that existing caches stay warm); it is replaced atomically, and one that is missing,
unreadable, from another reader version or for another size cap is simply rebuilt. It is an
optimisation: a cache dir that cannot be written only means every start reads every file.

Of the things once all called "index" in reader, this is the one about files; `reader index` fills
the entity cache (:mod:`reader.entities.precompute`), and search has an index of its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeGuard

from reader import __version__, files
from reader.files import Stamp, changed_lately, file_stamp, make_folders, write_atomically
from reader.library.articles import MAX_ARTICLE_BYTES, Article, Problem, read_article
from reader.library.catalogue_format import CATALOGUE_FORMAT

__all__ = ["CATALOGUE_FILE", "CATALOGUE_FORMAT", "MAX_ENTRIES", "Catalogue"]

#: The catalogue's file name in the cache dir.
CATALOGUE_FILE = "library-index.json"


#: Files remembered at most, the most recently seen first (older libraries fall off).
MAX_ENTRIES = 50_000

#: A file changed less than this long ago is not catalogued until it is older
#: (:func:`reader.files.changed_lately`); a knob here for tests and the search index.
RACY_SECONDS = files.RACY_SECONDS


class Catalogue:
    """Titles, word counts and hashes of article files, checked against each file's stat.

    Not thread-safe: one :meth:`reader.library.Library.load` uses it at a time.
    """

    def __init__(self, path: Path) -> None:
        """Use the catalogue file at *path* (read on first use, written by :meth:`save`)."""
        self.path = path
        """The catalogue file."""
        self._entries: dict[str, list[Any]] | None = None
        self._seen: dict[str, list[Any]] = {}
        self._changed = False
        self.hits = 0
        """Files found unchanged in the catalogue since this object was made."""
        self.misses = 0
        """Files read (new, changed, or not indexable) since this object was made."""

    @classmethod
    def in_cache_dir(cls, cache_dir: Path) -> Catalogue:
        """The catalogue kept in *cache_dir* (reader's entity cache folder)."""
        return cls(cache_dir / CATALOGUE_FILE)

    def read(
        self, path: Path, *, resolved: str | None = None, info: os.stat_result | None = None
    ) -> Article | Problem:
        """Return the article at *path*: from the catalogue when unchanged, else read and kept.

        Entries are kept by *resolved* path (default: *path* resolved); *info* is the
        file's stat if the caller has it (a folder walk does). A catalogued article's text
        is read only when asked for. A file that cannot be examined is read the ordinary
        way, so that its problem is reported as usual.
        """
        entries = self._load()
        key = os.path.realpath(path) if resolved is None else resolved
        if info is None:
            try:
                info = os.stat(path)
            except OSError:
                return read_article(path, defer=True)
        stamp = file_stamp(info)
        entry = entries.get(key)
        if _matches(entry, stamp):
            self.hits += 1
            self._seen[key] = entry
            return _from_entry(path, entry)
        self.misses += 1
        result = read_article(path, defer=True)
        if isinstance(result, Article) and result.deferred:
            return result  # not parsed yet (a saved page): catalogued once it has been
        if changed_lately(info, RACY_SECONDS):
            return result  # too fresh to trust its stat next time: read it again then
        entry = _to_entry(stamp, result)
        self._seen[key] = entry
        self._changed = True
        # Its text is not kept, but what the file says about itself (small) is: what an
        # index after a change of format reads again (the entity index's dates) is here.
        return _from_entry(path, entry, result.meta if isinstance(result, Article) else None)

    def cached(
        self, path: Path, *, resolved: str | None = None, info: os.stat_result | None = None
    ) -> Article | Problem | None:
        """What :meth:`read` returns for the file at *path* if it is unchanged since it was
        catalogued (its text not read); None (nothing read either) if it is not."""
        key = os.path.realpath(path) if resolved is None else resolved
        if info is None:
            try:
                info = os.stat(path)
            except OSError:
                return None
        stamp = file_stamp(info)
        entry = self._load().get(key)
        if not _matches(entry, stamp):
            return None
        self.hits += 1
        self._seen[key] = entry
        return _from_entry(path, entry)

    def save(self) -> None:
        """Write the catalogue if anything new was learnt: files seen now first, then older ones.

        Atomic (a temporary file renamed over the old one); a failure is ignored.
        """
        if not self._changed:
            return
        entries = dict(self._seen)
        for key, entry in (self._entries or {}).items():
            if len(entries) >= MAX_ENTRIES:
                break
            entries.setdefault(key, entry)
        payload = json.dumps(
            {"format": CATALOGUE_FORMAT, **_identity(), "entries": entries},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        try:
            make_folders(self.path.parent, durable=False)
            write_atomically(self.path, payload.encode("utf-8"), durable=False)
        except OSError:
            return  # an optimisation: a read-only cache dir costs only time
        self._entries = entries
        self._seen = {}
        self._changed = False

    def __len__(self) -> int:
        """How many files the catalogue knows (as read from disk, plus those seen since)."""
        return len({**self._load(), **self._seen})

    def _load(self) -> dict[str, list[Any]]:
        if self._entries is None:
            self._entries = _read_entries(self.path)
        return self._entries


def _identity() -> dict[str, Any]:
    """What the stored titles and counts depend on besides the file (a change rebuilds)."""
    return {"reader": __version__, "max_bytes": MAX_ARTICLE_BYTES}


def _read_entries(path: Path) -> dict[str, list[Any]]:
    """The entries of the catalogue file at *path*; none if it is missing, foreign or broken."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CATALOGUE_FORMAT:
        return {}
    if any(data.get(name) != value for name, value in _identity().items()):
        return {}
    entries = data.get("entries")
    if not isinstance(entries, dict):
        return {}
    return entries  # each entry is checked when used (_matches): loading stays one parse


def _matches(entry: object, stamp: Stamp) -> TypeGuard[list[Any]]:
    """Whether a stored entry is for a file with this *stamp*, in the shape written."""
    if not (isinstance(entry, list) and len(entry) == 6 and entry[0] == list(stamp)):
        return False
    _, title, sha256, words, notices, problem = entry
    return (
        isinstance(title, str)
        and isinstance(sha256, str)
        and type(words) is int
        and isinstance(notices, list)
        and all(isinstance(n, str) for n in notices)
        and (problem is None or isinstance(problem, str))
    )


def _to_entry(stamp: Stamp, result: Article | Problem) -> list[Any]:
    """``[stamp, title, sha256, words, notices, problem]`` for one file."""
    if isinstance(result, Problem):
        return [list(stamp), "", "", 0, [], result.reason]
    return [list(stamp), result.title, result.sha256, result.word_count, list(result.notices), None]


def _from_entry(
    path: Path, entry: list[Any], meta: Mapping[str, str] | None = None
) -> Article | Problem:
    _, title, sha256, words, notices, problem = entry
    if problem is not None:
        return Problem(path, problem)
    return Article.unread(path, title, sha256, words, tuple(notices), meta=meta)
