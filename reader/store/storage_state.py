"""What the parts of :class:`~reader.store.storage.DurableStorage` share: the state it
keeps of its file, declared once for the modules that each hold a part of its methods
(:mod:`.storage` the TinyDB interface, batches, saves and whole-file reads;
:mod:`.storage_saving` journal appends, compaction and the files beside the database;
:mod:`.storage_reads` light opens, the summary and reading a journal's new saves).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from reader.files import Stamp
from reader.store import changelog, summary
from reader.store.encoder import DatabaseEncoder
from reader.store.schema import Data

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Signature", "StorageState", "temp_file_prefix"]

Signature = tuple[Stamp, Stamp | None]
"""The database file's signature and its journal's (None: no journal)."""


def temp_file_prefix(path: Path) -> str:
    """The name every temporary file for ``path`` starts with (they end with ``.tmp``,
    :data:`~reader.files.TEMP_SUFFIX`): :meth:`DurableStorage.remove_stale_temp_files`
    deletes what a killed save left by this prefix."""
    return f".{path.name}."


class StorageState:
    """The attributes :class:`~reader.store.storage.DurableStorage` sets in ``__init__``
    (documented there), and the methods one part calls in another, for the type checker:
    nothing here exists at run time but the class."""

    path: Path
    real_path: Path
    read_only: bool
    found_version: int | None
    journal_path: Path
    summary_path: Path
    partial: bool
    prefer_light: bool
    notices: list[str]
    _data: Data | None
    _signature: Signature | None
    _encoder: DatabaseEncoder
    _batch_depth: int
    _dirty: bool
    _empty_file: Signature | None
    _snapshot_id: str | None
    _snapshot_size: int
    _journal: changelog.LogContents | None
    _changed: dict[str, set[str]]
    _whole: bool
    _touched: bool
    _next_annotation: int
    _light: summary.Summary | None
    _summary_due: bool
    _summary_held: bool

    if TYPE_CHECKING:

        def next_id_floor(self, table: str) -> int: ...

        def _fail(self, what: str, error: OSError) -> NoReturn: ...

        def _load(self) -> None: ...

        def _replace_file(
            self, payload: Iterable[bytes], destination: Path | None = None
        ) -> Stamp: ...

        def _file_signature(self) -> Signature | None: ...

        def _write_summary(self) -> None: ...

        def _compact(self) -> Signature: ...
