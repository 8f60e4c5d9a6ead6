"""Reading the articles an index update writes: what it needs of each (hash, title, text,
words, date, folded title, plain), read in this process, or, for a bulk build, ahead of the
writing in a child process.

A build from scratch spends about half its time reading (decoding, sanitising, hashing the
files: Python, holding the GIL) and half in SQLite (FTS5's tokenizer and B-trees). In a
child process the reading of the next batch overlaps the writing of this one on a second
core. The child (:func:`main`, started with this process's Python) reads batches of paths from its
stdin and writes what it read to its stdout, pickled; it ends when its stdin closes, when
its parent stops reading (a broken pipe: a parent that died leaves no orphan) or when it is
killed (:meth:`ReadAhead.close`, on cancel or error). If it cannot be started or fails,
the parent reads the rest itself: nothing is lost, only the overlap.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

from reader.children import child_command
from reader.library import Problem, read_article
from reader.library.frontmatter import parse_date
from reader.search.documents import article_date
from reader.search.plain_text import is_plain
from reader.search.text_match import fold, index_text

if TYPE_CHECKING:
    from reader.library import Article

__all__ = [
    "NO_DATE",
    "Prepared",
    "ReadAhead",
    "indexed_day",
    "prepare",
    "read_once",
    "request_for",
]

NO_DATE = date(1970, 1, 1)
"""The date of an article with neither front matter nor a file time (as the reference's)."""

Prepared = tuple[str, str, str, str, int, str, bool, str, str]
"""What the index writes of an article read: hash, title, folded title, text, words, date
(ISO), plain (:func:`~reader.search.plain_text.is_plain`), and the title's and the text's
:func:`~reader.search.text_match.index_text` (what the full-text index holds)."""


def read_once(article: Article) -> Article:
    """*article* with its text, read for the index without keeping it in the library's
    :class:`Article` (an unread one stays unread: the app holds 10,000 of them, and keeping
    every text it indexed would add tens of MB to it). What was read is the truth: its hash
    is the text's (and its word count the library's when the hash is the same)."""
    if article.loaded:
        return article
    read = read_article(article.path, known=_known(article))
    if isinstance(read, Problem):
        article.text  # noqa: B018 - gone since listed: the library's article says why
        return article
    return read


def request_for(article: Article, path: str) -> Request:
    """What the read-ahead child is asked to read of *article*, the file *path* (None: it
    is in memory); the child reads it as :func:`read_once` would."""
    return None if article.loaded else (path, _known(article))


def _known(article: Article) -> tuple[str, int] | None:
    """What the library knows of *article*'s file (hash, words), for reading it again."""
    return (article.sha256, article.word_count) if article.known else None


def indexed_day(meta: Mapping[str, str], path: str) -> str:
    """The date the index keeps (ISO) of the article of the file *path* (absolute) whose
    :attr:`~reader.library.Article.meta` is *meta*: its front matter's, else the file's
    day (a stat only then), else :data:`NO_DATE`."""
    found = parse_date(meta.get("date"))
    if found is None:
        try:
            mtime: float | None = os.stat(path).st_mtime
        except OSError:
            mtime = None
        found = article_date(meta, mtime) or NO_DATE
    return found.isoformat()


def prepare(read: Article, path: str) -> Prepared:
    """What the index writes of *read*, the article of the file *path* (absolute)."""
    day = indexed_day(read.meta, path)
    title, text = read.title, read.text
    return (
        read.sha256,
        title,
        fold(title, casefold=True),
        text,
        read.word_count,
        day,
        is_plain(text),
        index_text(title),
        index_text(text),
    )


Request = tuple[str, tuple[str, int] | None] | None
"""A file for the child to read (its absolute path and what the library knows of it:
:func:`read_once`), or None for an article the parent has in memory."""


def _prepare_path(request: Request) -> Prepared | None:
    """In the child: what the index writes of the file, or None (not asked, or a problem:
    the parent reads it again, so that the library's article says why)."""
    if request is None:
        return None
    path, known = request
    read = read_article(Path(path), known=known)
    return None if isinstance(read, Problem) else prepare(read, path)


class ReadAhead:
    """The articles of *batches* read by a child process, a batch ahead of the caller:
    iterate to get each batch's :class:`Prepared` (or None where the caller reads the
    article itself); :meth:`close` (or the ``with`` block's end) kills the child."""

    def __init__(self, batches: Sequence[Sequence[Request]]) -> None:
        self._batches = batches
        self._process: subprocess.Popen[bytes] | None = None
        self._sender: threading.Thread | None = None
        self._failed = False

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def start(self) -> bool:
        """Start the child; False when it cannot be (the caller reads everything)."""
        try:
            # This module's main, isolated, importing as we do (reader/children.py).
            self._process = subprocess.Popen(
                child_command("reader.search.reading"),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, ValueError):
            return False
        assert self._process.stdin is not None
        # Sent from a thread: a batch's paths and the child's answers cross in the pipes.
        self._sender = threading.Thread(
            target=self._send, args=(self._process.stdin,), name="index-read-ahead", daemon=True
        )
        self._sender.start()
        return True

    def _send(self, pipe: IO[bytes]) -> None:
        with contextlib.suppress(OSError, ValueError):  # the child ended or was killed
            for batch in self._batches:
                pickle.dump(list(batch), pipe, protocol=pickle.HIGHEST_PROTOCOL)
                pipe.flush()
        with contextlib.suppress(OSError, ValueError):
            pipe.close()

    def batches(self) -> Iterator[list[Prepared | None]]:
        """Each batch as the child read it, in order; after the child failed, a batch of
        None (the caller reads them itself)."""
        for batch in self._batches:
            yield self._receive(len(batch))

    def _receive(self, size: int) -> list[Prepared | None]:
        if not self._failed and self._process is not None and self._process.stdout is not None:
            try:
                got = pickle.load(self._process.stdout)
                if isinstance(got, list) and len(got) == size:
                    return got
            except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
                pass
            self._failed = True
            self.close()
        return [None] * size

    def close(self) -> None:
        """Kill the child (if still running) and wait for it and the sending thread."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError, ValueError):
                        pipe.close()
        if self._sender is not None:
            self._sender.join()
            self._sender = None


def main(argv: Sequence[str] = ()) -> None:
    """The child: answer each batch of requests on stdin with what was read, on stdout
    (*argv*: none)."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        while True:
            try:
                batch = pickle.load(stdin)
            except EOFError:
                return
            pickle.dump(
                [_prepare_path(request) for request in batch],
                stdout,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
            stdout.flush()
    except (BrokenPipeError, KeyboardInterrupt):  # the parent went away, or Ctrl-C
        with contextlib.suppress(OSError):
            os.close(stdout.fileno())


if __name__ == "__main__":
    main()
