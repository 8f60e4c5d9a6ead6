"""Finding and reading article files: paths in, :class:`Article` objects and problems out."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reader.text import sanitize, sanitize_line

if TYPE_CHECKING:
    from reader.library_index import LibraryIndex

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_ARTICLE_BYTES",
    "Article",
    "Library",
    "Problem",
    "decode",
    "read_article",
    "scan",
]

#: File endings read as articles.
ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown"})

#: Articles larger than this are shown truncated, with a notice.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024

#: Words per minute used for the reading-time estimate.
WORDS_PER_MINUTE = 230

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")

#: Control bytes that mark a file as binary (all of C0 except tab, LF, FF and CR).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


@dataclass(frozen=True)
class Problem:
    """A file that could not be read as an article, and why (shown to the user)."""

    path: Path
    """The file or folder concerned."""
    reason: str
    """One line saying what is wrong."""

    def __str__(self) -> str:
        return f"{sanitize_line(str(self.path))}: {self.reason}"


class Article:
    """One article as displayed: sanitised text plus what the sidebar shows about it.

    Its text may be read lazily: an article from the library index (:meth:`unread`) knows
    its title, hash and word count without the text, and reads the file the first time
    :attr:`text` is asked for. If the file changed since it was indexed, what was read
    wins: :attr:`sha256`, :attr:`title`, :attr:`word_count` and :attr:`notices` are updated
    with it, so the hash always identifies the text shown. Thread-safe; immutable for callers.
    """

    __slots__ = ("_notices", "_path", "_sha256", "_text", "_title", "_word_count")

    def __init__(
        self,
        path: Path,
        title: str,
        text: str,
        sha256: str,
        word_count: int,
        notices: tuple[str, ...] = (),
    ) -> None:
        self._path = path
        self._title = title
        self._text: str | None = text
        self._sha256 = sha256
        self._word_count = word_count
        self._notices = tuple(notices)

    @classmethod
    def unread(
        cls,
        path: Path,
        title: str,
        sha256: str,
        word_count: int,
        notices: tuple[str, ...] = (),
    ) -> Article:
        """An article known from the index: its text is read when first asked for."""
        article = cls(path, title, "", sha256, word_count, notices)
        article._text = None
        return article

    @property
    def path(self) -> Path:
        """The file it was read from."""
        return self._path

    @property
    def title(self) -> str:
        """First Markdown heading or first non-empty line, sanitised onto one line."""
        return self._title

    @property
    def text(self) -> str:
        """The displayed text: decoded, sanitised, newlines normalised. Offsets point into it."""
        text = self._text
        return self._read() if text is None else text

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of :attr:`text` encoded as UTF-8 (the article's content identity)."""
        return self._sha256

    @property
    def word_count(self) -> int:
        """Number of words in :attr:`text`."""
        return self._word_count

    @property
    def notices(self) -> tuple[str, ...]:
        """Things the user should know about how it was read (encoding fallback, truncation)."""
        return self._notices

    @property
    def loaded(self) -> bool:
        """Whether the text is in memory (False until an unread article's text is asked for)."""
        return self._text is not None

    @property
    def id(self) -> str:
        """A key unique within one library: the path as the library found it (a string)."""
        return str(self.path)

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time in whole minutes (at least 1)."""
        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    @property
    def source(self) -> str:
        """The file name as shown in the sidebar (sanitised)."""
        return sanitize_line(self.path.name, limit=80)

    def _read(self) -> str:
        """Read the text of an unread article (once), and take what was read as the truth."""
        with _READING[hash(self._path) % len(_READING)]:
            if self._text is not None:
                return self._text
            result = read_article(self._path)
            if isinstance(result, Problem):
                # Gone or broken since it was indexed: show an empty article saying why.
                self._word_count = 0
                self._sha256 = hashlib.sha256(b"").hexdigest()
                self._notices = (*self._notices, f"no longer readable: {result.reason}")
                self._text = ""
            else:
                self._title, self._sha256 = result.title, result.sha256
                self._word_count, self._notices = result.word_count, result.notices
                self._text = result.text
            return self._text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Article):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._path)

    def _key(self) -> tuple[object, ...]:
        # The hash stands for the text: comparing it never reads a file.
        return (self.path, self.title, self.sha256, self.word_count, self.notices)

    def __repr__(self) -> str:
        return (
            f"Article(path={self.path!r}, title={self.title!r}, sha256={self.sha256[:12]!r}…, "
            f"word_count={self.word_count}, loaded={self.loaded})"
        )


_READING = tuple(threading.Lock() for _ in range(64))
"""One is held while an unread article reads its file (the UI and a worker may ask at
once); one of 64 by path, so that opening a short article never waits for a long one
being read in a worker."""


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode article bytes: UTF-8, else cp1252, else UTF-8 with replacement characters.

    Returns the text and a notice when anything but clean UTF-8 was needed.
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8: read as Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text, "not valid UTF-8 or cp1252: undecodable bytes shown as \ufffd"


def looks_binary(data: bytes) -> bool:
    """Return True when *data* is evidently not text (NUL bytes, or mostly control bytes)."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > 0.1


def title_of(text: str, fallback: str) -> str:
    """Return the first Markdown heading, else the first non-empty line, else *fallback*."""
    first_line = None
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _HEADING.match(line)
        if match:
            return sanitize_line(match.group("title"))
        if first_line is None:
            first_line = line
            # A heading may still come later only in Markdown; plain text titles are line one.
            break
    return sanitize_line(first_line) if first_line else sanitize_line(fallback)


def count_words(text: str) -> int:
    """Return the number of words in *text*."""
    return len(_WORD.findall(text))


def read_article(path: Path, max_bytes: int = MAX_ARTICLE_BYTES) -> Article | Problem:
    """Read one article file; return a :class:`Problem` instead of raising for bad input."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        return Problem(path, f"cannot be read ({error.strerror or error})")
    if not data.strip():
        return Problem(path, "empty file, skipped")
    if looks_binary(data):
        return Problem(path, "binary file, skipped")
    notices: list[str] = []
    if len(data) > max_bytes:
        data = data[:max_bytes]
        # Do not cut a UTF-8 sequence in half at the cap.
        while data and (data[-1] & 0xC0) == 0x80:
            data = data[:-1]
        if data and data[-1] >= 0xC0:
            data = data[:-1]
        notices.append(f"larger than {max_bytes // (1024 * 1024)} MiB: shown truncated")
    raw, notice = decode(data)
    if notice:
        notices.insert(0, notice)
    text = sanitize(raw)
    if not text.strip():
        return Problem(path, "no readable text, skipped")
    return Article(
        path=path,
        title=title_of(text, path.stem),
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        word_count=count_words(text),
        notices=tuple(notices),
    )


_Found = tuple[Path, str, "os.DirEntry[str] | None"]
"""A file found by a scan, its resolved path, and its directory entry if a walk found it."""


def _walk(root: Path, problems: list[Problem]) -> Iterator[tuple[Path, str, os.DirEntry[str]]]:
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
            yield Path(entry.path), resolved, entry
        stack.extend(reversed(subfolders))


def _scan(
    paths: Iterable[Path], exclude: Iterable[Path] = ()
) -> tuple[list[_Found], list[Problem]]:
    """:func:`scan`, keeping each walked file's directory entry (its stat, for the index)."""
    problems: list[Problem] = []
    found: list[_Found] = []
    seen: set[str] = set()
    # Compared with each file's resolved path, which the scan has anyway: one string test
    # per file instead of resolving every article path again afterwards.
    excluded = tuple(os.path.join(os.path.realpath(folder), "") for folder in exclude)
    for given in paths:
        if given.is_dir():
            candidates: Iterable[tuple[Path, str, os.DirEntry[str] | None]] = _walk(given, problems)
        elif given.is_file():
            candidates = [(given, str(given.resolve()), None)]
        elif given.exists():
            problems.append(Problem(given, "not a regular file, skipped"))
            continue
        else:
            problems.append(Problem(given, "no such file or folder"))
            continue
        for candidate, key, entry in candidates:
            if key not in seen and not key.startswith(excluded):
                seen.add(key)
                found.append((candidate, key, entry))
    return found, problems


def scan(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> tuple[list[Path], list[Problem]]:
    """Return the article files named by *paths* (files and folders, recursively) and problems.

    Files inside the folders *exclude* (e.g. where exports are written) are left out.
    """
    found, problems = _scan(paths, exclude)
    return [path for path, _, _ in found], problems


def _stat(entry: os.DirEntry[str] | None) -> os.stat_result | None:
    """The stat of a walked file (following a symlink), or None if it has none."""
    if entry is None:
        return None
    try:
        return entry.stat()
    except OSError:
        return None


@dataclass
class Library:
    """The articles read from a set of paths, and the files that could not be read."""

    articles: list[Article] = field(default_factory=list)
    """Readable articles, in the order found."""
    problems: list[Problem] = field(default_factory=list)
    """Files and folders skipped, with the reason."""

    @classmethod
    def load(
        cls,
        paths: Iterable[Path],
        index: LibraryIndex | None = None,
        *,
        exclude: Iterable[Path] = (),
    ) -> Library:
        """Read every article under *paths*, except inside the folders *exclude*.

        With an *index* (see :mod:`reader.library_index`), a file unchanged since it was
        indexed is not read: its article comes from the index and reads its text only
        when asked (:meth:`Article.unread`). The others are read and indexed, and the
        index is saved.
        """
        files, problems = _scan(paths, exclude)
        articles: list[Article] = []
        for path, resolved, entry in files:
            if index is None:
                result = read_article(path)
            else:
                result = index.read(path, resolved=resolved, info=_stat(entry))
            if isinstance(result, Problem):
                problems.append(result)
            else:
                articles.append(result)
        if index is not None:
            index.save()
        return cls(articles, problems)
