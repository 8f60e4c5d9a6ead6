"""Finding and reading article files: paths in, :class:`Article` objects and problems out."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reader.text import sanitize, sanitize_line

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


@dataclass(frozen=True)
class Problem:
    """A file that could not be read as an article, and why (shown to the user)."""

    path: Path
    """The file or folder concerned."""
    reason: str
    """One line saying what is wrong."""

    def __str__(self) -> str:
        return f"{sanitize_line(str(self.path))}: {self.reason}"


@dataclass(frozen=True)
class Article:
    """One article as displayed: sanitised text plus what the sidebar shows about it."""

    path: Path
    """The file it was read from."""
    title: str
    """First Markdown heading or first non-empty line, sanitised onto one line."""
    text: str
    """The displayed text: decoded, sanitised, newlines normalised. Offsets point into it."""
    sha256: str
    """Hex SHA-256 of :attr:`text` encoded as UTF-8 (the article's content identity)."""
    word_count: int
    """Number of words in :attr:`text`."""
    notices: tuple[str, ...] = field(default=())
    """Things the user should know about how it was read (encoding fallback, truncation)."""

    @property
    def id(self) -> str:
        """A key unique within one library: the resolved path."""
        return str(self.path)

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time in whole minutes (at least 1)."""
        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    @property
    def source(self) -> str:
        """The file name as shown in the sidebar (sanitised)."""
        return sanitize_line(self.path.name, limit=80)


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
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
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
    return sum(1 for _ in _WORD.finditer(text))


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


def _walk(root: Path, problems: list[Problem]) -> Iterator[Path]:
    """Yield article files under *root* (recursively, sorted), recording unreadable folders."""

    def on_error(error: OSError) -> None:
        problems.append(Problem(Path(error.filename or root), "folder cannot be read"))

    for folder, dirs, files in os.walk(root, onerror=on_error, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in ARTICLE_SUFFIXES:
                yield Path(folder) / name


def scan(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Return the article files named by *paths* (files and folders, recursively) and problems."""
    problems: list[Problem] = []
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        if given.is_dir():
            candidates: Iterable[Path] = _walk(given, problems)
        elif given.is_file():
            candidates = [given]
        elif given.exists():
            problems.append(Problem(given, "not a regular file, skipped"))
            continue
        else:
            problems.append(Problem(given, "no such file or folder"))
            continue
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found, problems


@dataclass
class Library:
    """The articles read from a set of paths, and the files that could not be read."""

    articles: list[Article] = field(default_factory=list)
    """Readable articles, in the order found."""
    problems: list[Problem] = field(default_factory=list)
    """Files and folders skipped, with the reason."""

    @classmethod
    def load(cls, paths: Iterable[Path]) -> Library:
        """Read every article under *paths*."""
        files, problems = scan(paths)
        articles: list[Article] = []
        for path in files:
            result = read_article(path)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                articles.append(result)
        return cls(articles, problems)
