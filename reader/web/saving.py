"""An added article as a Markdown file: its front matter, its text, and a file name from its
title that is new and stays inside the folder.

The front matter keeps the provenance (``title``, ``url``, ``author``, ``date``, ``site``,
``fetched_at`` and, for a feed entry, ``feed`` and ``guid``; ``teaser_only``, ``fetch_error``
and ``teaser_sha`` when a feed's teaser stands in for a page that could not be fetched:
:mod:`reader.web.teasers`). Values are sanitised onto one line and written as quoted
scalars (:func:`reader.library.frontmatter.format_front_matter`), and the text is sanitised
(no terminal escapes reach a file that may be ``cat``-ed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from reader.export.writing import slug
from reader.files import FolderNotSynced, write_atomically
from reader.library.frontmatter import format_front_matter
from reader.text import sanitize, sanitize_line

__all__ = [
    "FIELDS",
    "SLUG_LIMIT",
    "article_body",
    "article_file_text",
    "file_name_for",
    "write_new_article",
]

FIELDS = (
    "title",
    "url",
    "author",
    "date",
    "site",
    "fetched_at",
    "feed",
    "guid",
    "teaser_only",
    "fetch_error",
    "teaser_sha",
)
"""The front matter fields reader writes, in the order it writes them."""

SLUG_LIMIT = 80
"""Most characters of a file name's stem (far below the 255-byte limit even in UTF-8)."""

_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
"""Names Windows will not create, whatever the extension."""


def article_body(text: str) -> str:
    """The text as written: sanitised, ending with one newline."""
    return sanitize(text).strip() + "\n"


def article_file_text(fields: Mapping[str, str | None], body: str) -> str:
    """The file: front matter (known fields in :data:`FIELDS` order, then any others), a
    blank line, the body (already :func:`article_body`)."""
    ordered = {key: fields.get(key) for key in FIELDS if key in fields}
    ordered.update({key: value for key, value in fields.items() if key not in ordered})
    clean = {
        key: sanitize_line(value, limit=2000) if value is not None else None
        for key, value in ordered.items()
    }
    clean = {key: value or None for key, value in clean.items()}
    return format_front_matter(clean) + "\n" + body


def file_name_for(title: str | None, suffix: str = ".md") -> str:
    """A file name (``<slug>.md``, or another *suffix*) for an article called *title*: one
    path component, no dot in front, no control characters, at most :data:`SLUG_LIMIT`
    characters before the suffix; ``article.md`` when the title leaves nothing."""
    stem = slug(title or "", limit=SLUG_LIMIT) or "article"
    if stem in _RESERVED:
        stem += "-article"
    return stem + suffix


def write_new_article(folder: Path, name: str, text: str) -> Path:
    """Write *text* as a new file in *folder* named *name*, or ``<stem>-2.md``, ``-3``...
    when taken (an existing file is never replaced, even one made meanwhile by another
    process). Atomic and durable; returns the path.

    Raises:
        OSError: the folder cannot be written (nothing is left behind).
    """
    data = text.encode("utf-8")
    stem, suffix = os.path.splitext(name)
    number = 1
    while True:
        candidate = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        if candidate.parent != folder:  # a slug is one component: this always holds
            raise ValueError(f"{name!r} would not stay inside {folder}")
        if not os.path.lexists(candidate):
            try:
                write_atomically(candidate, data, temp_prefix=".reader-add-", replace=False)
            except FileExistsError:
                number += 1  # taken meanwhile: the next name
                continue
            except FolderNotSynced:
                pass  # the file is in place
            return candidate
        number += 1
