"""The CSV export: one row per annotation, for spreadsheets.

Columns: :data:`COLUMNS`. Each tag is a row of kind ``tag`` (its text in ``body``), so
that an article with only tags still appears; every row also lists its article's tags.
Passages are given by ``start``/``end`` (code points into the text ``article_sha256``
names) and ``quote``, and by a last ``state`` column when any passage is not where it was
made (an orphan has no start or end); corrections fill the
``correction_*`` columns. RFC 4180 quoting, CRLF line ends, UTF-8 without a byte-order
mark. A cell that would start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading ``'`` so that a spreadsheet shows it as text instead of running it as a
formula (OWASP's advice against CSV injection); control characters are removed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from reader.export.collection import CHANGED, Collection, ExportedArticle, ExportError
from reader.store import Annotation
from reader.text import sanitize

__all__ = ["COLUMNS", "chunks", "csv_cell", "render"]

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
"""The header row, in order; :data:`STATE_COLUMN` follows when any annotation is not
anchored."""

STATE_COLUMN = "state"
"""The last column when an export has passages that are not where they were made:
``anchored``, ``moved``, ``orphaned`` (no start or end) or ``unverified`` (the article's
text was not found; start and end as stored). Without such passages it is left out, so
that an export of articles that did not change is what it was before the column existed."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render(collection: Collection) -> bytes:
    """Return *collection* as CSV with a header row, UTF-8."""
    return b"".join(chunks(collection))


def chunks(collection: Collection) -> Iterator[bytes]:
    """Yield the bytes of :func:`render`: the header row, then each article's rows.

    Whether the state column is there is known before the first row: a first pass over
    the articles (:attr:`Collection.has_states`), stopped at the first passage that is
    not where it was made.

    Raises:
        ExportError: a passage is not where it was made in the second pass, when it was
            in the first (the annotations changed meanwhile: no column for its state).
    """
    columns = (*COLUMNS, STATE_COLUMN) if collection.has_states else COLUMNS
    yield _lines([columns])
    for article in collection.each():
        if columns is COLUMNS and any(article.state_of(a) for a in article.annotations):
            raise ExportError(CHANGED)  # between the passes (the app's store)
        yield _lines(
            [csv_cell(row.get(column, "")) for column in columns] for row in _rows(article)
        )


def _lines(rows: Iterable[Iterable[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8", "backslashreplace")


def _rows(article: ExportedArticle) -> list[dict[str, Any]]:
    base = {
        "article_title": article.title,
        "article_path": article.path,
        "article_sha256": article.sha256,
        "article_tags": ", ".join(article.tags),
    }
    rows = [{**base, "kind": "tag", "body": tag} for tag in article.tags]
    for annotation in article.annotations:
        row = {**base, **_annotation(annotation)}
        if annotation.id in article.states:
            row[STATE_COLUMN] = article.states[annotation.id]
        rows.append(row)
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


def csv_cell(value: object) -> str:
    """*value* as a CSV cell: sanitised, and a leading ``= + - @`` quoted so that a
    spreadsheet reads it as text, not a formula."""
    text = sanitize(str(value))
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
