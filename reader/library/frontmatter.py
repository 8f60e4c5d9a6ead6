"""Front matter: the metadata block at the top of a Markdown article (YAML between ``---``).

``reader add`` writes it (title, url, author, date, site, fetched_at, feed, guid) and the
Markdown parser reads it, so that an article keeps its provenance in a file any editor
reads. Reading is lenient and bounded: a block that is not a mapping of scalars, or is too
large, is kept as text with a notice rather than guessed at. Writing quotes every value as a
JSON string, which is a YAML double-quoted scalar, so no title can break out of its line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

__all__ = [
    "MAX_FRONT_MATTER_CHARS",
    "FrontMatter",
    "format_front_matter",
    "parse_date",
    "split_front_matter",
]

#: A front matter block longer than this is not read as metadata (it is kept as text).
MAX_FRONT_MATTER_CHARS = 64 * 1024

_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?![0-9])")


@dataclass(frozen=True)
class FrontMatter:
    """A Markdown file's text split into its metadata and its body."""

    meta: dict[str, str] = field(default_factory=dict)
    """Scalar fields as strings (dates in ISO 8601); other values are left out."""
    body: str = ""
    """The text after the block (the whole text when there is none)."""
    body_start: int = 0
    """Where :attr:`body` starts in the text given (code points)."""
    notice: str | None = None
    """Why a block that looked like front matter was not read, for the user."""
    kept_end: int = 0
    """Where such a block, kept in :attr:`body`, ends (0: none): its lines are no title."""


def _scalar(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value).lower()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


@cache
def _yaml() -> Any:
    import yaml  # ~10 ms: only once a file has front matter

    return yaml


@cache
def _loader() -> Any:
    """YAML's safe loader (no tags, no Python objects), in C when PyYAML was built with
    libyaml: ten times quicker, which a first start reading every Markdown file feels."""
    yaml = _yaml()
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_front_matter(text: str) -> FrontMatter:
    """Split *text* into front matter and body; no block (or a broken one) leaves the text whole."""
    opening = _OPEN.match(text)
    if opening is None:
        return FrontMatter(body=text)
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        return FrontMatter(body=text)
    block = text[opening.end() : closing.start()]
    if len(block) > MAX_FRONT_MATTER_CHARS:
        return FrontMatter(
            body=text,
            notice="front matter longer than 64 KiB: kept in the text",
            kept_end=closing.end(),
        )
    yaml = _yaml()
    try:
        loaded = yaml.load(block, Loader=_loader()) if block.strip() else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        notice = f"front matter is not valid YAML{where}: kept in the text"
        return FrontMatter(body=text, notice=notice, kept_end=closing.end())
    except (ValueError, OverflowError, RecursionError):
        # Valid YAML whose value Python cannot hold: `date: 2026-02-30`, an integer of
        # thousands of digits. One file's metadata must never stop the library loading.
        notice = (
            "front matter holds a value that cannot be read (an impossible date?): kept in the text"
        )
        return FrontMatter(body=text, notice=notice, kept_end=closing.end())
    if not isinstance(loaded, Mapping):
        return FrontMatter(
            body=text,
            notice="front matter is not a list of fields: kept in the text",
            kept_end=closing.end(),
        )
    meta: dict[str, str] = {}
    for key, value in loaded.items():
        scalar = _scalar(value)
        if isinstance(key, str) and _KEY.match(key) and scalar is not None:
            meta[key.lower()] = scalar
    return FrontMatter(meta=meta, body=text[closing.end() :], body_start=closing.end())


def format_front_matter(fields: Mapping[str, str | None]) -> str:
    """The block for *fields* (None values left out), ending with its closing line."""
    lines = ["---"]
    for key, value in fields.items():
        if not _KEY.match(key):
            raise ValueError(f"not a front matter key: {key!r}")
        if value is not None:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def parse_date(value: str | None) -> dt.date | None:
    """The day a ``date`` field names (``2026-05-04``, ``2026-05-04T10:00:00Z``), or None."""
    found = _DAY.match(value or "")
    if found is None:
        return None
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
