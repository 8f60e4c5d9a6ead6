"""What the search index keeps of an article's entities, and those rows kept beside it.

The index's entity pass runs the finder's consistency rules on every article (~1.5-2 ms
each, five times the rest of indexing). Their result, reduced to what the index stores (each
entity's name key, label, text as shown and count), is kept in ``<cache dir>/search-
entities.sqlite3`` per article hash, under a key naming everything it depends on: the
rules' code (:func:`rules_digest`), the engine and model, the user's corrections. A later
build of the index from scratch (its file deleted, broken, or of an older format) takes the
rows from there while it indexes the text, and runs the rules only for the articles whose key
changed. Derived data like the index: a file that cannot be read is started afresh.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import suppress
from pathlib import Path

from reader import __version__
from reader.entities.span import Span
from reader.search.documents import entity_key
from reader.sqlite_files import remove_database

__all__ = [
    "ROWS_FILE",
    "EntityRows",
    "KeptRows",
    "MentionRow",
    "fts_entities",
    "mention_rows",
    "rules_digest",
]

ROWS_FILE = "search-entities.sqlite3"
"""The kept rows' file name in the cache dir."""

MentionRow = tuple[str, str, str, int]
"""An entity of an article as the index stores it: name key, label, text as shown, count."""

KeptRows = tuple[str, str, tuple[str, str]]
"""An article's rows as kept: the key they were kept under, their JSON (a list of
:data:`MentionRow`) and the full-text index's ``entities`` and ``labels`` columns."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows(sha256 TEXT PRIMARY KEY, key TEXT NOT NULL,
    mentions TEXT NOT NULL, entities TEXT NOT NULL, labels TEXT NOT NULL) WITHOUT ROWID;
"""

_FORMAT = 2
"""The file's ``user_version``: 2 keeps the full-text columns (:func:`fts_entities`) with
the rows, worked out once when kept rather than on every build. A file of another version
is emptied (the rules run once more)."""

_DIGEST: str | None = None


def rules_digest() -> str:
    """A fingerprint of the code that turns the model's spans into what the index stores
    (and the entity index: reader/entities/library/writing.py keys its articles by it):
    the modules of ``reader/entities/`` (the rules, repairs, corrections) and the name keys
    (``reader/search/documents.py``), with reader's version. Worked out once a process."""
    global _DIGEST
    if _DIGEST is None:
        digest = hashlib.blake2b(__version__.encode(), digest_size=12)
        here = Path(__file__).resolve().parent
        sources = [*sorted((here.parent / "entities").glob("*.py")), here / "documents.py"]
        for source in sources:
            digest.update(source.name.encode() + b"\0")
            with suppress(OSError):
                digest.update(source.read_bytes())
        _DIGEST = digest.hexdigest()
    return _DIGEST


def mention_rows(spans: Iterable[Span]) -> list[MentionRow]:
    """The index's rows for an article's *spans*: one per name key and label, in the order
    they first occur, with the first form's text and the count."""
    counts: Counter[tuple[str, str]] = Counter()
    forms: dict[tuple[str, str], str] = {}
    for span in spans:
        shown = " ".join(span.text.split())
        entry = (entity_key(shown), span.label)
        counts[entry] += 1
        forms.setdefault(entry, shown)
    return [
        (folded, label, forms[(folded, label)], count) for (folded, label), count in counts.items()
    ]


def fts_entities(rows: Sequence[MentionRow]) -> tuple[str, str]:
    """The full-text index's ``entities`` and ``labels`` columns for *rows*."""
    return (
        "\n".join(dict.fromkeys(text for _, _, text, _ in rows)),
        " ".join(dict.fromkeys(label for _, label, _, _ in rows)),
    )


class EntityRows:
    """The kept rows (see the module doc), read and written by one index update at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._connection is None:
            for attempt in range(2):
                try:
                    connection = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                    try:
                        connection.execute("PRAGMA journal_mode=WAL")
                        connection.execute("PRAGMA synchronous=OFF")
                        (version,) = connection.execute("PRAGMA user_version").fetchone()
                        if version != _FORMAT:
                            connection.execute("DROP TABLE IF EXISTS rows")
                            connection.execute(f"PRAGMA user_version = {_FORMAT}")
                        connection.executescript(_SCHEMA)
                        connection.execute("SELECT 1 FROM rows LIMIT 1").fetchall()
                    except BaseException:
                        connection.close()
                        raise
                    self._connection = connection
                    break
                except sqlite3.DatabaseError:
                    if attempt:
                        return None
                    with suppress(OSError):  # then it cannot be opened: None
                        remove_database(self.path)
                except OSError:
                    return None
        return self._connection

    def get(self, sha256: str, key: str) -> list[MentionRow] | None:
        """The rows kept for the article *sha256* under *key*, or None."""
        connection = self._connect()
        if connection is None:
            return None
        try:
            found = connection.execute(
                "SELECT mentions FROM rows WHERE sha256 = ? AND key = ?", (sha256, key)
            ).fetchone()
            if found is None:
                return None
            return [(str(f), str(lb), str(t), int(c)) for f, lb, t, c in json.loads(found[0])]
        except (sqlite3.Error, ValueError, TypeError):
            return None

    def get_many(self, shas: Sequence[str]) -> dict[str, KeptRows]:
        """For each of the articles *shas* with rows kept: its key, the rows' JSON as kept
        (SQLite expands it: ``json_each``) and the full-text columns (one query, nothing
        decoded here: a build takes 10,000 of them)."""
        connection = self._connect()
        if connection is None or not shas:
            return {}
        try:
            listed = connection.execute(
                f"SELECT sha256, key, mentions, entities, labels FROM rows WHERE sha256 IN "
                f"({','.join('?' * len(shas))})",
                list(shas),
            ).fetchall()
        except sqlite3.Error:
            return {}
        return {
            sha256: (key, kept, (entities, labels))
            for sha256, key, kept, entities, labels in listed
        }

    def put(self, batch: Iterable[tuple[str, str, list[MentionRow]]]) -> None:
        """Keep ``(sha256, key, rows)`` for each article of *batch* (one transaction);
        a file that cannot be written is skipped (the rules run again next time)."""
        connection = self._connect()
        if connection is None:
            return
        with suppress(sqlite3.Error):
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.executemany(
                    "INSERT OR REPLACE INTO rows(sha256, key, mentions, entities, labels) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        (
                            sha256,
                            key,
                            json.dumps(rows, ensure_ascii=False, separators=(",", ":")),
                            *fts_entities(rows),
                        )
                        for sha256, key, rows in batch
                    ],
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def close(self) -> None:
        if self._connection is not None:
            with suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None
