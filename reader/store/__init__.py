"""The annotation store: durable TinyDB storage of tags, annotations, reading state and saved
views, one writer at a time.

This package is the only part of reader that imports TinyDB, and it never imports Textual.
Its pieces, in the order data flows through them:

- ``model``: ArticleRef, Annotation, Reading, View, and the checks on what callers hand
  the store;
- ``annotation_store``: AnnotationStore, the API the UI and the CLI use, made of
  ``store_core`` (the file, its lock, one writer's turn per change, light or full reads),
  ``reading_state`` (read marks, positions), ``saved_views``, ``sessions`` and
  ``drafts`` (notes being written);
- ``journal``: what each change replaced, for undo;
- ``lock``: the OS lock that keeps to one writer per file;
- ``storage``: the TinyDB storage that writes atomically and durably, with its parts
  ``storage_saving`` (journal appends, compaction, the files beside the database),
  ``storage_reads`` (light opens, the summary, a journal's new saves) and
  ``storage_state`` (the state they share); ``document_table``: its table;
- ``changelog``: the journal of saves beside a large file;
- ``summary``: what a command reads beside a large file instead of the file;
- ``compact``: the annotations kept as JSON text, indexed by article;
- ``incremental``: the file parsed a document at a time;
- ``encoder``: the file's JSON, re-encoding only the documents that changed;
- ``schema``: the file's layout, its version, and the migrations between versions;
- ``validation``: the shape of every document, checked on open and on every save;
- ``errors``: StoreError and its kinds.
"""

from reader.store.annotation_store import AnnotationStore
from reader.store.drafts import Draft, DraftOwner
from reader.store.errors import (
    StoreChangedOnDisk,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    StoreReadOnly,
)
from reader.store.model import (
    CORRECTION_ACTIONS,
    CORRECTION_SCOPES,
    KINDS,
    Annotation,
    ArticleRef,
    Reading,
    View,
)
from reader.store.schema import SCHEMA_VERSION
from reader.store.sessions import Session

__all__ = [
    "CORRECTION_ACTIONS",
    "CORRECTION_SCOPES",
    "KINDS",
    "SCHEMA_VERSION",
    "Annotation",
    "AnnotationStore",
    "ArticleRef",
    "Draft",
    "DraftOwner",
    "Reading",
    "Session",
    "StoreChangedOnDisk",
    "StoreCorrupt",
    "StoreError",
    "StoreLocked",
    "StoreReadOnly",
    "View",
]
