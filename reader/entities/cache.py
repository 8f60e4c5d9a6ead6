"""The on-disk entity cache: model spans per content hash and engine, one JSON file each."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from reader.entities.engines.base import EngineInfo
from reader.entities.span import Span
from reader.files import write_atomically

#: Bump when the cached shape changes; old entries are then ignored.
#: 2: the model reads typographic quotes as ASCII; 3: drawing characters as line breaks, no span
#: without a letter or digit (the entity and search indexes follow: the format is in this
#: module, whose source keys them, reader/search/entity_rows.py rules_digest).
CACHE_FORMAT = 3


def cache_folder(engine: EngineInfo) -> str:
    """The folder of *engine*'s entries in the cache dir: its :attr:`EngineInfo.key`, and
    from format 3 on the format (``en_core_web_md-3.7.1.f3``).

    The format is in the folder's name so that an entry of another format is no entry at
    all: :meth:`EntityCache.has` and :meth:`EntityCache.have` look at names only (the
    precompute, the background pass and the indexes ask them, 10,000 at once), and an old
    format's file there made ``reader index`` skip the article as cached while every read
    of it missed."""
    return engine.key if CACHE_FORMAT <= 2 else f"{engine.key}.f{CACHE_FORMAT}"


class EntityCache:
    """Model entities stored under ``<dir>/<folder>/<sha[:2]>/<sha>.json``.

    The folder is :func:`cache_folder`: the engine key (:attr:`EngineInfo.key`,
    ``en_core_web_sm-3.8.0`` for a spaCy pipeline) and the cache's format; entries of an
    older format stay in their own folder, unread (deleting it frees their space).
    Only the model's output is cached: consistency and user rules are cheap and are
    applied on every read, so changing them never needs the cache cleared.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _file(self, sha256: str, engine: EngineInfo) -> Path:
        return self.directory / cache_folder(engine) / sha256[:2] / f"{sha256}.json"

    def get(self, sha256: str, engine: EngineInfo) -> list[Span] | None:
        """Return the cached model spans, or None when absent or unreadable."""
        try:
            data = json.loads(self._file(sha256, engine).read_text(encoding="utf-8"))
            # A file not as put() writes it (another tool, a broken disk) is a miss: it is
            # read on the screen's thread, where an exception would end the app.
            if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
                return None
            spans = data["spans"]
            if not isinstance(spans, list) or not all(isinstance(item, dict) for item in spans):
                return None
            return [Span.from_json(item) for item in spans]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def has(self, sha256: str, engine: EngineInfo) -> bool:
        """Return True when an entry exists (without reading it)."""
        return self._file(sha256, engine).is_file()

    def have(self, shas: Iterable[str], engine: EngineInfo) -> list[str]:
        """Those of *shas* with an entry (without reading them; string paths, not
        :class:`~pathlib.Path`: the search index asks for 10,000 at once)."""
        folder = os.path.join(self.directory, cache_folder(engine))
        return [sha for sha in shas if os.path.isfile(os.path.join(folder, sha[:2], f"{sha}.json"))]

    def put(self, sha256: str, engine: EngineInfo, spans: list[Span]) -> None:
        """Store *spans* atomically; a cache that cannot be written is silently skipped."""
        target = self._file(sha256, engine)
        payload = json.dumps(
            {"format": CACHE_FORMAT, "spans": [s.to_json() for s in spans]},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Not durable: a lost entry only costs the time to find its entities again.
            write_atomically(target, payload.encode("utf-8"), durable=False)
        except OSError:
            # A cache is an optimisation: a read-only or full disk must not stop reading.
            pass
