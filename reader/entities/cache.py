"""The on-disk entity cache: model spans per content hash and pipeline, one JSON file each."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from reader.entities.recognizer import PipelineInfo
from reader.entities.span import Span

#: Bump when the cached shape changes; old entries are then ignored.
CACHE_FORMAT = 2  # 2: the model reads typographic quotes as ASCII


class EntityCache:
    """Model entities stored under ``<dir>/<pipeline>/<sha[:2]>/<sha>.json``.

    Only the model's output is cached: consistency and user rules are cheap and are
    applied on every read, so changing them never needs the cache cleared.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _file(self, sha256: str, pipeline: PipelineInfo) -> Path:
        return self.directory / pipeline.key / sha256[:2] / f"{sha256}.json"

    def get(self, sha256: str, pipeline: PipelineInfo) -> list[Span] | None:
        """Return the cached model spans, or None when absent or unreadable."""
        try:
            data = json.loads(self._file(sha256, pipeline).read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT:
                return None
            return [Span.from_json(item) for item in data["spans"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def has(self, sha256: str, pipeline: PipelineInfo) -> bool:
        """Return True when an entry exists (without reading it)."""
        return self._file(sha256, pipeline).is_file()

    def put(self, sha256: str, pipeline: PipelineInfo, spans: list[Span]) -> None:
        """Store *spans* atomically; a cache that cannot be written is silently skipped."""
        target = self._file(sha256, pipeline)
        payload = json.dumps(
            {"format": CACHE_FORMAT, "spans": [s.to_json() for s in spans]},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(payload)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            # A cache is an optimisation: a read-only or full disk must not stop reading.
            pass
