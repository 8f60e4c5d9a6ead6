"""An article as displayed (:class:`Article`), reading one from its file, and :class:`Problem`."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from reader.library.markdown import Format
from reader.library.parsers import (
    PAGE_SUFFIXES,
    looks_binary,
    parser_for,
    provisional_title,
    title_of,
)
from reader.text import sanitize, sanitize_line

__all__ = [
    "MAX_ARTICLE_BYTES",
    "PAGE_MAX_BYTES",
    "WORDS_PER_MINUTE",
    "Article",
    "Problem",
    "count_words",
    "read_article",
]

#: Articles larger than this are shown truncated, with a notice.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024

#: Saved pages may be this large (scripts, styles and inline images around a short
#: article); what is displayed is the article found in them.
PAGE_MAX_BYTES = 8 * MAX_ARTICLE_BYTES

#: Words per minute used for the reading-time estimate.
WORDS_PER_MINUTE = 230

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


_NO_META: Mapping[str, str] = MappingProxyType({})
"""The meta of every article whose file says nothing about itself (one object)."""


class Article:
    """One article as displayed: sanitised text plus what the sidebar shows about it.

    Its text may be read lazily: an article from the library index (:meth:`unread`) knows
    its title, hash and word count without the text, and reads the file the first time
    :attr:`text` (or :attr:`formats`, :attr:`meta`) is asked for. If the file changed since
    it was indexed, what was read wins: :attr:`sha256`, :attr:`title`, :attr:`word_count`
    and :attr:`notices` are updated with it, so the hash always identifies the text shown.
    A saved page not yet extracted (:attr:`deferred`) is listed the same way, under a
    provisional title and hash, until it is read. Thread-safe; immutable for callers.
    """

    __slots__ = (
        "_deferred",
        "_formats",
        "_listed",
        "_meta",
        "_notices",
        "_path",
        "_sha256",
        "_text",
        "_title",
        "_word_count",
    )

    def __init__(
        self,
        path: Path,
        title: str,
        text: str,
        sha256: str,
        word_count: int,
        notices: tuple[str, ...] = (),
        *,
        formats: tuple[Format, ...] | None = None,
        meta: Mapping[str, str] | None = None,
    ) -> None:
        self._path = path
        self._title = title
        self._text: str | None = text
        self._sha256 = sha256
        self._word_count = word_count
        self._notices = tuple(notices)
        self._formats = formats
        self._meta: Mapping[str, str] | None = MappingProxyType(dict(meta)) if meta else _NO_META
        self._deferred = False
        self._listed = False

    @classmethod
    def unread(
        cls,
        path: Path,
        title: str,
        sha256: str,
        word_count: int,
        notices: tuple[str, ...] = (),
        *,
        meta: Mapping[str, str] | None = None,
    ) -> Article:
        """An article known from the index: its text is read when first asked for; its
        :attr:`meta` too, unless given (what the catalogue read when it catalogued it)."""
        article = cls(path, title, "", sha256, word_count, notices, meta=meta)
        article._text = None
        if meta is None:
            article._meta = None
        return article

    @classmethod
    def deferred_page(cls, path: Path, title: str, data: bytes) -> Article:
        """A file whose parsing is slow (a saved page), listed before it is parsed: its
        hash is provisional (of the file's bytes, so it matches no annotation) until read."""
        article = cls.unread(path, title, hashlib.sha256(data).hexdigest(), 0)
        article._deferred = True
        return article

    @classmethod
    def listed(cls, path: Path, title: str) -> Article:
        """An article listed by its title alone (a first start, before the file was read
        and catalogued: :func:`reader.library.quick.list_file`). Its hash, word count and
        notices are not known yet: asking for them reads the file (:attr:`known` says
        whether that would happen), so that nothing ever keys on a hash not of its text;
        :meth:`learn` fills them in from a worker."""
        article = cls.unread(path, title, "", 0)
        article._listed = True
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
    def formats(self) -> tuple[Format, ...] | None:
        """Styles of the text as ranges into it (rendered Markdown, saved pages); None for
        plain text."""
        if self._text is None:
            self._read()
        return self._formats

    @property
    def meta(self) -> Mapping[str, str]:
        """What the file says about itself (front matter, a page's metadata): ``title``,
        ``author``, ``date``, ``site``, ``url``… (sanitised onto one line each)."""
        meta = self._meta
        if meta is None:
            self._read()
            meta = self._meta
        assert meta is not None  # a read sets it
        return meta

    @property
    def has_meta(self) -> bool:
        """Whether :attr:`meta` is known without reading the file (the text read, or the
        file catalogued by this process: :meth:`unread` given it)."""
        return self._meta is not None

    @property
    def deferred(self) -> bool:
        """Whether the text is still to be parsed and parsing is slow (a saved page not yet
        extracted): to be read off the screen's thread."""
        return self._deferred and self._text is None

    @property
    def known(self) -> bool:
        """Whether :attr:`sha256`, :attr:`word_count` and :attr:`notices` are known without
        reading the file (False only for an article :meth:`listed` and not yet learnt)."""
        return not self._listed

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of :attr:`text` encoded as UTF-8 (the article's content identity).

        Of an article only :meth:`listed`, reads the file first (never a stand-in)."""
        if self._listed:
            self._read()
        return self._sha256

    @property
    def word_count(self) -> int:
        """Number of words in :attr:`text` (reads a :meth:`listed` article's file)."""
        if self._listed:
            self._read()
        return self._word_count

    @property
    def notices(self) -> tuple[str, ...]:
        """Things the user should know about how it was read (encoding fallback, truncation)."""
        if self._listed:
            self._read()
        return self._notices

    def learn(self, read: Article | Problem) -> None:
        """Take a :meth:`listed` article's title, hash, word count and notices from *read*
        (the same file read and catalogued in a worker), without keeping its text; a
        :class:`Problem` (the file turned out unreadable) leaves it empty, saying why.
        Nothing changes once the text was read: what is displayed is the truth."""
        with _READING[hash(self._path) % len(_READING)]:
            if not self._listed:
                return
            if isinstance(read, Problem):
                self._sha256 = hashlib.sha256(b"").hexdigest()
                self._word_count, self._notices = 0, (read.reason,)
                self._text, self._meta = "", _NO_META
            else:
                self._title, self._sha256 = read._title, read._sha256
                self._word_count, self._notices = read._word_count, read._notices
                self._meta = read._meta
                self._deferred = read._deferred
            self._listed = False

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
                first = self._deferred or self._listed  # never read before: no "longer"
                reason = result.reason if first else f"no longer readable: {result.reason}"
                self._notices = (*self._notices, reason)
                self._text, self._meta = "", _NO_META
            else:
                self._title, self._sha256 = result.title, result.sha256
                self._word_count, self._notices = result.word_count, result.notices
                self._formats, self._meta = result._formats, result._meta
                self._text = result.text
            self._listed = False  # last: another thread sees a known hash only once it is set
            return self._text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Article):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._path)

    def _key(self) -> tuple[object, ...]:
        # The hash stands for the text: comparing it never reads a file (a listed article's
        # is not known: it compares as unknown).
        return (self._path, self._title, self._sha256, self._word_count, self._notices)

    def __repr__(self) -> str:
        return (
            f"Article(path={self.path!r}, title={self.title!r}, sha256={self._sha256[:12]!r}…, "
            f"word_count={self._word_count}, loaded={self.loaded})"
        )


_READING = tuple(threading.Lock() for _ in range(64))
"""One is held while an unread article reads its file (the UI and a worker may ask at
once); one of 64 by path, so that opening a short article never waits for a long one
being read in a worker."""


def count_words(text: str) -> int:
    """Return the number of words in *text*."""
    return len(_WORD.findall(text))


def read_article(
    path: Path,
    max_bytes: int = MAX_ARTICLE_BYTES,
    *,
    defer: bool = False,
    known: tuple[str, int] | None = None,
) -> Article | Problem:
    """Read one article file; return a :class:`Problem` instead of raising for bad input.

    With *defer*, a file whose parsing is slow and not cached (a saved page not yet
    extracted) is not parsed: its article is :meth:`Article.deferred_page`. *known*: a
    hash and the word count of its text, known already (the library index's): when the text
    read has that hash, the count is taken rather than counted again (a third of reading).
    """
    if path.suffix.lower() in PAGE_SUFFIXES:
        max_bytes = max(max_bytes, PAGE_MAX_BYTES)
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
    if defer:
        title = provisional_title(path, data)
        if title is not None:
            return Article.deferred_page(path, title, data)
    try:
        parsed = parser_for(path)(data)
    except Exception as error:  # a parser's own fault (or a library missing) skips one file
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Problem(
            path, sanitize_line(f"cannot be read ({type(error).__name__}: {reason})"[:300])
        )
    notices[:0] = parsed.notices
    text = sanitize(parsed.text)
    formats = parsed.formats
    if formats and text != parsed.text:
        # Sanitising moved something (rendered pieces are sanitised one by one, so only
        # NFC across two pieces can): the styles no longer fit; the text matters more.
        formats = ()
    if not text.strip():
        return Problem(path, parsed.empty_reason or "no readable text, skipped")
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(
        path=path,
        title=sanitize_line(parsed.title) if parsed.title else title_of(text, path.stem),
        text=text,
        sha256=sha256,
        word_count=known[1] if known is not None and known[0] == sha256 else count_words(text),
        notices=tuple(notices),
        formats=formats,
        meta=parsed.meta,
    )
