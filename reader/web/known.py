"""What the library already holds, for `reader add`'s duplicate checks: the URL key of each
article's front matter ``url:``, the hash of each article's text, and the feed entries
(``feed:`` + ``guid:``) it came from.

Looked for in the ``.md``, ``.markdown`` and ``.txt`` files of the folders given (the
library in force and the folder added to), and in their saved pages (``.html``, ``.htm``:
the article extracted as `reader add` extracts it, through the page cache, so a page is
extracted once; its URL from its metadata): a page in the library added again, or its URL,
is a duplicate, not a Markdown copy beside it. Reading 10,000 articles on every add would
take seconds, so what each file holds is kept in a small derived index in the cache dir
(``<cache dir>/web-known.json``), checked against each file's stamp
(:func:`reader.files.file_stamp`) as the catalogue does: a warm check stats the files and
reads only the changed ones. The files are found by the library's own walk.
A missing or broken index is rebuilt; the internet is never asked.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reader import __version__, files
from reader.files import changed_lately, file_stamp, make_folders, write_atomically
from reader.library.articles import MAX_ARTICLE_BYTES
from reader.library.folders import file_stat, find_article_names
from reader.library.frontmatter import split_front_matter
from reader.library.parsers import decode
from reader.web.teasers import is_as_written
from reader.web.urls import url_key

__all__ = ["INDEX_FILE", "RACY_SECONDS", "KnownArticles", "entry_key", "text_hash"]

INDEX_FILE = "web-known.json"
"""The index's file name in the cache dir."""

_FORMAT = 4  # 2: a teaser's feed kept; 3: only one as written; 4: saved pages read
_PAGES = frozenset({".html", ".htm"})
_SUFFIXES = frozenset({".md", ".markdown", ".txt"}) | _PAGES
RACY_SECONDS = files.RACY_SECONDS
"""A file changed less than this long ago is read again next time
(:func:`reader.files.changed_lately`, as the catalogue does)."""


def text_hash(text: str) -> str:
    """The hash two articles share when their text is the same but for spacing and case."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()


def entry_key(feed: str, guid: str) -> str:
    """How a feed entry is known: its feed's URL key and its guid (ids are only unique
    within a feed)."""
    return f"{url_key(feed)} {guid}"


@dataclass(frozen=True)
class _Holds:
    url: str | None
    sha: str
    entry: str | None
    teaser_of: str | None = None
    """The URL key of the feed whose entry's teaser the file holds (its page could not be
    had when it was added: ``teaser_only``) and is still as written
    (:func:`reader.web.teasers.is_as_written`), else None."""


class KnownArticles:
    """URL keys, text hashes and feed entries of the articles in some folders, each with
    the file that holds it. Not thread-safe: callers hold one lock around check and add."""

    def __init__(self, index_path: Path | None = None) -> None:
        """An empty set; :meth:`scan` fills it (from *index_path* where files are unchanged)."""
        self.index_path = index_path
        """The derived index file, or None (no cache: every file is read)."""
        # URL key or text hash -> the files holding it (a dict as an ordered set).
        self._urls: dict[str, dict[str, None]] = {}
        self._texts: dict[str, dict[str, None]] = {}
        self._entries: dict[str, str] = {}
        self._teasers: dict[str, dict[str, None]] = {}
        self.files_read = 0
        """Files read by the last scan (the rest came from the index)."""

    @classmethod
    def in_folders(
        cls, folders: Iterable[Path], cache_dir: Path | None, exclude: Iterable[Path] = ()
    ) -> KnownArticles:
        """What the article files under *folders* hold (the index kept in *cache_dir*)."""
        known = cls(cache_dir / INDEX_FILE if cache_dir is not None else None)
        known.scan(folders, exclude)
        return known

    def scan(self, folders: Iterable[Path], exclude: Iterable[Path] = ()) -> None:
        """Read what the files under *folders* hold (changed ones only, given the index)."""
        old = self._read_index()
        new: dict[str, list[Any]] = {}
        now = time.time_ns()
        for path, key, info in _article_files(folders, exclude):
            stamp = list(file_stamp(info))
            entry = old.get(key)
            if entry is None or entry[0] != stamp:
                holds = _read(Path(path))
                if holds is None:
                    continue
                self.files_read += 1
                entry = [stamp, holds.url, holds.sha, holds.entry, holds.teaser_of]
                if changed_lately(info, RACY_SECONDS, now_ns=now):
                    entry[0] = None  # read it again next time
            new[key] = entry
            self._remember(path, _Holds(entry[1], entry[2], entry[3], entry[4]))
        if new != old:
            self._write_index(new)

    def by_url(self, url: str, *, besides: Path | None = None) -> str | None:
        """The file holding the article at *url* (compared by :func:`url_key`), or None;
        a file other than *besides* (the one being rewritten) when it is given."""
        return _first(self._urls.get(url_key(url), {}), besides)

    def by_text(self, sha: str, *, besides: Path | None = None) -> str | None:
        """The file holding the text of hash *sha* (:func:`text_hash`), or None; a file
        other than *besides* when it is given."""
        return _first(self._texts.get(sha, {}), besides)

    def by_entry(self, feed: str, guid: str) -> str | None:
        """The file holding the entry *guid* of *feed*, or None."""
        return self._entries.get(entry_key(feed, guid))

    def teasers(self, feed: str) -> list[str]:
        """The files holding a teaser of an entry of *feed* (its page failed when it was
        added), to fetch the page again."""
        return list(self._teasers.get(url_key(feed), ()))

    def add(
        self, path: Path, *, url: str | None, sha: str, feed: str | None, guid: str | None
    ) -> None:
        """Remember a file just written (the index learns it on the next scan); a teaser
        it held before (the page fetched since) is forgotten."""
        for held in self._teasers.values():
            held.pop(str(path), None)
        entry = entry_key(feed, guid) if feed and guid else None
        self._remember(str(path), _Holds(url_key(url) if url else None, sha, entry))

    def _remember(self, path: str, holds: _Holds) -> None:
        if holds.teaser_of:
            self._teasers.setdefault(holds.teaser_of, {})[path] = None
        if holds.url:
            self._urls.setdefault(holds.url, {})[path] = None
        self._texts.setdefault(holds.sha, {})[path] = None
        if holds.entry:
            self._entries.setdefault(holds.entry, path)

    def _read_index(self) -> dict[str, list[Any]]:
        if self.index_path is None:
            return {}
        try:
            data = json.loads(self.index_path.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return {}
        if data.get("reader") != __version__:
            return {}
        files = data.get("files")
        if not isinstance(files, dict):
            return {}
        return {
            key: value
            for key, value in files.items()
            if isinstance(value, list) and len(value) == 5 and isinstance(value[2], str)
        }

    def _write_index(self, files: dict[str, list[Any]]) -> None:
        if self.index_path is None:
            return
        payload = {"format": _FORMAT, "reader": __version__, "files": files}
        try:
            make_folders(self.index_path.parent, durable=False)
            write_atomically(
                self.index_path,
                json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                durable=False,
            )
        except OSError:
            pass  # derived data: a cache dir that cannot be written costs only time


def _first(holders: dict[str, None], besides: Path | None) -> str | None:
    return next((path for path in holders if besides is None or Path(path) != besides), None)


def _article_files(
    folders: Iterable[Path], exclude: Iterable[Path]
) -> Iterator[tuple[str, str, os.stat_result]]:
    """``(path, resolved path, stat)`` of the files read here under *folders*: the library's
    own walk (:func:`~reader.library.folders.find_article_names`), its text files only."""
    found, _problems = find_article_names([f for f in folders if f.is_dir()], exclude)
    for path, key, entry in found:
        if os.path.splitext(path)[1].lower() not in _SUFFIXES:
            continue
        info = file_stat(entry)
        if info is not None and stat.S_ISREG(info.st_mode):
            yield path, key, info


def _read(path: Path) -> _Holds | None:
    """What one article file holds, or None if it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ARTICLE_BYTES)
    except OSError:
        return None
    if path.suffix.lower() in _PAGES:
        return _page(data)
    text, _notice = decode(data)
    url = entry = teaser_of = None
    if path.suffix.lower() != ".txt":
        matter = split_front_matter(text)
        text = matter.body
        if matter.meta.get("url"):
            url = url_key(matter.meta["url"])
        feed, guid = matter.meta.get("feed"), matter.meta.get("guid")
        if feed and guid:
            entry = entry_key(feed, guid)
        if feed and url and matter.meta.get("teaser_only") == "true" and is_as_written(data):
            teaser_of = url_key(feed)
    return _Holds(url, text_hash(text), entry, teaser_of)


def _page(data: bytes) -> _Holds | None:
    """What a saved page holds as `reader add` would save it (its URL, its article's text
    hash), or None when it has no article."""
    from reader.library.pages import read_page
    from reader.web.saving import article_body
    from reader.web.urls import clean_url

    page = read_page(data)
    if page is None:
        return None
    url = url_key(clean_url(page.url)) if page.url else None
    return _Holds(url, text_hash(article_body(page.text)), None)
