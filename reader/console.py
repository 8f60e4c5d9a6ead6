"""What the command line prints: one safe line at a time, and safe JSON.

Untrusted text (titles, file names, tags, notes) reaches a terminal only through here:
lines are sanitised, JSON escapes what a terminal would act on, and what the stream cannot
encode (a lone surrogate from a file name that is not UTF-8) becomes a backslash escape
instead of a crash after the work is done.
"""

from __future__ import annotations

import sys
from typing import TextIO

from reader.export.jsontext import dumps
from reader.text import sanitize_line

__all__ = ["dumps", "error", "print_line", "safe_line"]


def safe_line(text: str, limit: int = 200) -> str:
    """Untrusted text on one line, without control sequences."""
    return sanitize_line(text, limit=limit)


def print_line(line: str, stream: TextIO | None = None) -> None:
    """Write *line* and a newline; unencodable characters become backslash escapes."""
    stream = stream or sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.write((line + "\n").encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


def error(message: str) -> None:
    """One sanitised line on stderr: ``reader: <message>``."""
    print_line(f"reader: {sanitize_line(message, limit=500)}", sys.stderr)
