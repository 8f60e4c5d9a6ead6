"""What the command line prints: one safe line at a time, and safe JSON.

Untrusted text (titles, file names, tags, notes) reaches a terminal only through here:
lines are sanitised, JSON escapes what a terminal would act on, and what the stream cannot
encode (a lone surrogate from a file name that is not UTF-8) becomes a backslash escape
instead of a crash after the work is done.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from reader.export.jsontext import dumps
from reader.text import sanitize_line

__all__ = ["dumps", "error", "print_line", "safe_line", "safe_path"]


def safe_line(text: str, limit: int = 200) -> str:
    """Untrusted text on one line, without control sequences."""
    return sanitize_line(text, limit=limit)


def safe_path(path: str | os.PathLike[str]) -> str:
    """A file's path for a text output line: as it is when every character is printable
    and none is a backslash (nearly every path); else with each backslash doubled and each
    character that is not printable (controls, line breaks, escapes, bidirectional
    controls, non-UTF-8 bytes' surrogates) as its Python escape (``\\n``, ``\\x1b``,
    ``\\u202e``, ``\\udcff``): unambiguous, one line, never a control sequence, and not
    cut. (:func:`safe_line` would make a name like ``bad\\nname`` look like ``bad name``.)
    JSON outputs carry the path exactly instead."""
    text = os.fspath(path)
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escaped(c) for c in text)


def _escaped(character: str) -> str:
    if character == "\\":
        return "\\\\"
    if character.isprintable():
        return character
    return repr(character)[1:-1]  # "\\n", "\\x1b", "\\u202e", "\\udcff"


def print_line(line: str, stream: TextIO | None = None) -> None:
    """Write *line* and a newline; unencodable characters become backslash escapes."""
    stream = stream or sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.write((line + "\n").encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


def error(message: str) -> None:
    """One sanitised line on stderr: ``reader: <message>``."""
    print_line(f"reader: {sanitize_line(message, limit=500)}", sys.stderr)
