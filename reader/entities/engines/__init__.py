"""Entity engines: one protocol (:mod:`.base`), found and built by name (:mod:`.registry`).

spaCy is one engine (:mod:`.spacy_engine`, the only module of reader that imports spaCy);
another is added with an entry point in the ``reader.engines`` group, without touching the
finder, the worker process or the cache.
"""

from reader.entities.engines.base import (
    Cancelled,
    EngineInfo,
    EntityEngine,
    EntityModel,
    NoModel,
    TokenBounds,
)
from reader.entities.engines.registry import (
    UnknownEngine,
    engine_names,
    make_engine,
    register_engine,
    unregister_engine,
)

__all__ = [
    "Cancelled",
    "EngineInfo",
    "EntityEngine",
    "EntityModel",
    "NoModel",
    "TokenBounds",
    "UnknownEngine",
    "engine_names",
    "make_engine",
    "register_engine",
    "unregister_engine",
]
