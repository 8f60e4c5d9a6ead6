"""The search index's file: its name, its format and its tables (SQLite, FTS5).

The ``title`` and ``text`` columns of ``fts`` and the ``body`` of ``parts`` (a note or a
tag) hold :func:`~reader.search.text_match.index_text` of the article's title, text, note
or tag, which the ``ascii`` tokenizer splits into exactly the words the reference matches
(:mod:`reader.search.text_match`); ``title_shown``, ``text_shown`` and ``shown`` hold them
as shown (what the smart-case check and the snippets read: ``fts_content``'s ``c0`` and
``c1``, first in the row, so that reading them does not read the long folded text)."""

from __future__ import annotations

__all__ = ["INDEX_FILE", "INDEX_FORMAT", "SCHEMA"]

INDEX_FILE = "search.sqlite3"
"""The index's file name in the cache dir."""

INDEX_FORMAT = 4
"""Bump when the schema or what a column means changes: an older file is rebuilt. 4: the
title, the text and each note and tag indexed as their :func:`~reader.search.text_match.
index_text` (``ß`` as ``ss``, ``ﬁ`` as ``fi``) under the ``ascii`` tokenizer, the texts
as shown kept beside them."""

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    shown_path TEXT NOT NULL,
    path_folded TEXT NOT NULL,
    folder TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL,
    title_folded TEXT NOT NULL,
    date TEXT,
    words INTEGER NOT NULL,
    plain INTEGER NOT NULL DEFAULT 0,
    has_note INTEGER NOT NULL DEFAULT 0,
    has_highlight INTEGER NOT NULL DEFAULT 0,
    has_correction INTEGER NOT NULL DEFAULT 0,
    store_key TEXT NOT NULL DEFAULT '',
    entities_key TEXT,
    position INTEGER
);
CREATE INDEX articles_position ON articles(position);
CREATE TABLE tags(article INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY(article, tag))
    WITHOUT ROWID;
CREATE INDEX tags_tag ON tags(tag);
CREATE TABLE folders(article INTEGER NOT NULL, depth INTEGER NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY(article, depth)) WITHOUT ROWID;
CREATE INDEX folders_name ON folders(name);
CREATE TABLE mentions(article INTEGER NOT NULL, folded TEXT NOT NULL, label TEXT NOT NULL,
    text TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(article, folded, label))
    WITHOUT ROWID;
CREATE INDEX mentions_folded ON mentions(folded);
CREATE INDEX mentions_label ON mentions(label);
CREATE VIRTUAL TABLE fts USING fts5(
    title_shown UNINDEXED, text_shown UNINDEXED,
    title, text, notes, tags, entities, labels, folder, path,
    tokenize = 'ascii', columnsize = 0
);
INSERT INTO fts(fts, rank) VALUES ('crisismerge', 64);
CREATE VIRTUAL TABLE parts USING fts5(
    body, article UNINDEXED, kind UNINDEXED, shown UNINDEXED,
    tokenize = 'ascii', columnsize = 0
);
"""
