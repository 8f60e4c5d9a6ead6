"""Listing an article file by its first lines: the first start's sidebar, before any full read.

A first start (no catalogue, or a folder of new articles) used to read every file in full
before listing any: decode, sanitise, render Markdown, hash, count words (~4-5 ms a
Markdown article). The list needs only titles: :func:`list_file` reads a file's head
(:data:`HEAD_BYTES`) and takes the title the full read would find in most files: the front
matter's ``title``, else the first Markdown heading, else the first non-empty line. The
article is :meth:`Article.listed`: its hash and counts are learnt by a worker
(:meth:`reader.library.Library.learn`), and asking for them earlier reads the file.

Textual-free, and no YAML: the ``title`` field is found with a pattern (a value as
``reader add`` writes it, a JSON string, or a plain or single-quoted YAML scalar).
"""

from __future__ import annotations

import codecs
import json
import os
import re
from pathlib import Path

from reader.library.articles import Article, Problem
from reader.library.parsers import PAGE_SUFFIXES, looks_binary
from reader.text import sanitize_line

__all__ = ["FIRST_BYTES", "HEAD_BYTES", "head_title", "list_file", "settled_title"]

#: How much of a file is read to list it (also what looks_binary examines).
HEAD_BYTES = 8192

#: What is read first: the title of almost every file is in it (a title line, a short
#: front matter), settled without the rest of the head (a third less time a file: decoding
#: and examining 2 KiB rather than 8). A title not settled by it (a long front matter, a
#: Markdown file without a heading so far, a first line longer than it, control bytes)
#: is found in the whole head, as before.
FIRST_BYTES = 2048

_MARKDOWN = frozenset({".md", ".markdown"})
_OPEN = re.compile(r"\A---[ \t]*\r?\n")
#: The closing line of a front matter, with the line break before it: searched from the
#: opening's last character (a line break), it is found by its first character (the
#: pattern ``^---`` in MULTILINE mode is tried at every position: 4 µs a file, not 1).
_CLOSE = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?=\n|\Z)")
#: The value ends the line; its trailing blanks are stripped after (a lazy ``.*?`` before
#: ``[ \t]*$`` tried the end of the line at every character).
_TITLE_FIELD = re.compile(r"^title[ \t]*:[ \t]*(?P<value>.*)$", re.MULTILINE | re.IGNORECASE)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<title>.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_FIRST_LINE = re.compile(r"^[ \t\f\v]*\S.*$", re.MULTILINE)


def _line(text: str) -> str | None:
    """*text* as :func:`~reader.text.sanitize_line` makes it (printable ASCII, the usual
    title, has nothing to remove: only its spaces are joined, without three regexes)."""
    if text.isascii() and text.isprintable():
        line = " ".join(text.split())
        return (line if len(line) <= 200 else line[:199] + "…") or None
    return sanitize_line(text) or None


def _decode(head: bytes, whole: bool) -> str:
    """The head as text: UTF-8 (a sequence cut at the end of the head dropped), else
    cp1252, as the full read decodes (reader.library.parsers.decode)."""
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=whole)
    except UnicodeDecodeError:
        return head.decode("cp1252", errors="replace")


def _front_title(block: str) -> str | None:
    """The ``title`` field of a front matter *block*, or None: the first line of the block
    (where ``reader add`` writes it) is tried alone before the whole block is searched."""
    found = _TITLE_FIELD.match(block) or _TITLE_FIELD.search(block)
    return _field(found["value"].rstrip(" \t")) if found else None


def _field(value: str) -> str | None:
    """A front matter scalar as written: a JSON or YAML double-quoted string, a single-quoted
    one, or plain (a trailing `` #`` comment dropped)."""
    if value.startswith('"'):
        if len(value) > 1 and value.endswith('"') and "\\" not in value:
            return value[1:-1] or None  # the usual case, without a JSON parse
        try:
            loaded = json.loads(value)
        except ValueError:
            return value.strip('"') or None
        return loaded if isinstance(loaded, str) and loaded else None
    if value.startswith("'"):
        return value[1:].removesuffix("'").replace("''", "'") or None
    value = value.split(" #", 1)[0].strip()
    return value if value and value[0] not in "[{|>&*!" else None


def head_title(text: str, markdown: bool) -> str | None:
    """The title of an article whose text starts with *text*, or None to use the file name.

    Markdown: the front matter's ``title``, else the first heading in *text*, else the
    first non-empty line after the front matter. Plain text: a heading on the first
    non-empty line, else that line (as :func:`reader.library.parsers.title_of`).
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if markdown and (opening := _OPEN.match(text)):
        closing = _CLOSE.search(text, opening.end() - 1)
        block = text[opening.end() : closing.start() + 1 if closing else len(text)]
        if value := _front_title(block):
            return _line(value)
        text = text[closing.end() :] if closing else ""
    if markdown and (heading := _HEADING.search(text)):
        return _line(heading["title"])
    first = _FIRST_LINE.search(text)
    if first is None:
        return None
    heading = _HEADING.match(first[0])
    return _line(heading["title"] if heading else first[0])


def settled_title(text: str, markdown: bool) -> str | None:
    """The title :func:`head_title` finds in a file whose text *starts* with *text* (more
    follows), when *text* settles it: from complete lines only, and for Markdown only
    the front matter's ``title`` or a heading. None when more of the file is needed."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if markdown and (opening := _OPEN.match(text)):
        closing = _CLOSE.search(text, opening.end() - 1)
        if closing is None:
            return None  # the front matter goes on past it
        if value := _front_title(text[opening.end() : closing.start() + 1]):
            return _line(value)
        text = text[closing.end() :]
    if markdown:
        heading = _HEADING.search(text)
        if heading is None or heading.end() == len(text):
            return None  # a heading may follow, or this one may go on
        return _line(heading["title"])
    first = _FIRST_LINE.search(text)
    if first is None or first.end() == len(text):
        return None
    heading = _HEADING.match(first[0])
    return _line(heading["title"] if heading else first[0])


def list_file(path: Path) -> Article | Problem | None:
    """The article in the file at *path* listed from its head (:meth:`Article.listed`), a
    :class:`Problem` when the head shows it is not one (empty, binary, unreadable), or None
    when it is not listed this way (a saved page: read it in full)."""
    suffix = path.suffix.lower()
    if suffix in PAGE_SUFFIXES:
        return None
    markdown = suffix in _MARKDOWN
    try:  # os.read: a buffered file object costs more than the read, 10,000 times over
        descriptor = os.open(path, os.O_RDONLY)
        try:
            head = os.read(descriptor, FIRST_BYTES + 1)
            if len(head) > FIRST_BYTES:
                first = head[:FIRST_BYTES]
                # Settled by its first bytes only if they look like text. (A file that
                # shows it is binary only further on is listed, and leaves the list as
                # a problem once learnt, as one that turns out to have no text does.)
                if not looks_binary(first):
                    title = settled_title(_decode(first, False), markdown)
                    if title is not None:
                        return Article.listed(path, title)
                head += os.read(descriptor, HEAD_BYTES - FIRST_BYTES)
        finally:
            os.close(descriptor)
    except OSError as error:
        return Problem(path, f"cannot be read ({error.strerror or error})")
    whole = len(head) <= HEAD_BYTES
    head = head[:HEAD_BYTES]
    if whole and not head.strip():
        return Problem(path, "empty file, skipped")
    if looks_binary(head):
        return Problem(path, "binary file, skipped")
    title = head_title(_decode(head, whole), markdown)
    return Article.listed(path, title or sanitize_line(path.stem))
