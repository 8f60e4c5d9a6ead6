"""The notice of files skipped at a start: said when they change, per library."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from reader.files import make_folders, write_atomically
from reader.library import Problem

__all__ = ["KEPT_LIBRARIES", "SKIPPED_SHOWN", "skipped_changed"]

SKIPPED_SHOWN = "skipped-shown"
"""The file in the cache dir that says, per library, which files skipped were last told
at a start: a JSON object of library key (:func:`~reader.ui.screens.resume.library_key`)
to the digest of its skipped files, the most recent last."""

KEPT_LIBRARIES = 50
"""Libraries remembered at most (the least recently told fall off: told again)."""


def skipped_changed(cache_dir: Path | None, library: str, problems: Sequence[Problem]) -> bool:
    """Whether the files skipped (*problems*) of the library keyed *library* are not those
    told at its last start, which then become those told. Said once, not at every start:
    the same binary and empty files of a library are no news (``reader index`` lists
    them), and a user switching between two libraries is not told each one's at each
    switch. Without a cache dir (or one that cannot be written), always."""
    if cache_dir is None:
        return True
    # By real path: the same library named another way (a symlink) skips the same files.
    told = sorted(f"{os.path.realpath(problem.path)}\0{problem.reason}" for problem in problems)
    digest = hashlib.sha256("\n".join(told).encode("utf-8", "surrogatepass")).hexdigest()
    file = cache_dir / SKIPPED_SHOWN
    kept: dict[str, str] = {}
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None  # none yet, or one digest for every library (before it was per library)
    if isinstance(data, dict):
        kept = {key: value for key, value in data.items() if isinstance(value, str)}
    if kept.get(library) == digest:
        return False
    kept.pop(library, None)
    kept[library] = digest
    kept = dict(list(kept.items())[-KEPT_LIBRARIES:])
    with contextlib.suppress(OSError):  # derived: not synced
        # The cache dir may not be made yet at a first start (the catalogue, the
        # search index and the entity cache make it in their own time).
        make_folders(cache_dir, durable=False)
        write_atomically(file, json.dumps(kept).encode("ascii"), durable=False)
    return True
