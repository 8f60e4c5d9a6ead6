"""The CSV export: one row per annotation, for spreadsheets.

Columns: :data:`COLUMNS`. Each tag is a row of kind ``tag`` (its text in ``body``), so
that an article with only tags still appears; every row also lists its article's tags.
Passages are given by ``start``/``end`` (code points) and ``quote``; corrections fill the
``correction_*`` columns. RFC 4180 quoting, CRLF line ends, UTF-8 without a byte-order
mark. A cell that would start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading ``'`` so that a spreadsheet shows it as text instead of running it as a
formula (OWASP's advice against CSV injection); control characters are removed.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from reader.export.collect import Collection, ExportedArticle
from reader.store import Annotation
from reader.text import sanitize

__all__ = ["COLUMNS", "render"]

COLUMNS = (
    "article_title",
    "article_path",
    "article_sha256",
    "article_tags",
    "kind",
    "id",
    "created",
    "modified",
    "start",
    "end",
    "quote",
    "body",
    "correction_action",
    "correction_label",
    "correction_scope",
    "correction_text",
)
"""The header row, in order."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render(collection: Collection) -> bytes:
    """Return *collection* as CSV with a header row, UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for article in collection.articles:
        for row in _rows(article):
            writer.writerow([_cell(row.get(column, "")) for column in COLUMNS])
    return buffer.getvalue().encode("utf-8", "backslashreplace")


def _rows(article: ExportedArticle) -> list[dict[str, Any]]:
    base = {
        "article_title": article.title,
        "article_path": article.path,
        "article_sha256": article.sha256,
        "article_tags": ", ".join(article.tags),
    }
    rows = [{**base, "kind": "tag", "body": tag} for tag in article.tags]
    rows.extend({**base, **_annotation(a)} for a in article.annotations)
    return rows


def _annotation(annotation: Annotation) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": annotation.kind,
        "id": annotation.id,
        "created": annotation.created,
        "modified": annotation.modified,
        "body": annotation.body,
    }
    target = annotation.target or {}
    position, quote = target.get("position"), target.get("quote")
    if isinstance(position, dict):
        row["start"], row["end"] = position.get("start", ""), position.get("end", "")
    if isinstance(quote, dict):
        row["quote"] = quote.get("exact", "")
    correction = annotation.correction or {}
    for key in ("action", "label", "scope", "text"):
        value = correction.get(key)
        row[f"correction_{key}"] = "" if value is None else value
    return row


def _cell(value: object) -> str:
    text = sanitize(str(value))
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
