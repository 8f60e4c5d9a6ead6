"""Finding an entity engine by name, importing only the one chosen.

An engine is named by a ``"module:attribute"`` string: reader's own in
:data:`BUILTIN_ENGINES`, other packages' as entry points in the ``reader.engines`` group
(``[project.entry-points."reader.engines"] regex = "my_package.engine:RegexEngine"``), and
any registered at run time with :func:`register_engine`. Names are listed without importing
any engine module (harlequin's adapter registry works the same way); :func:`make_engine`
imports the chosen one. The attribute is called with the model's name (or None for the
engine's default) and returns an :class:`~reader.entities.engines.base.EntityEngine`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points

from reader.entities.engines.base import EntityEngine, NoModel

__all__ = [
    "BUILTIN_ENGINES",
    "ENTRY_POINT_GROUP",
    "EngineFactory",
    "UnknownEngine",
    "engine_names",
    "make_engine",
    "register_engine",
    "unregister_engine",
]

EngineFactory = Callable[[str | None], EntityEngine]
"""Builds an engine for a model name (None: the engine's default model)."""

ENTRY_POINT_GROUP = "reader.engines"
"""The entry-point group other packages add engines to."""

BUILTIN_ENGINES: dict[str, str] = {
    "spacy": "reader.entities.engines.spacy_engine:SpacyEngine",
}
"""reader's own engines, as ``"module:attribute"`` (read without importing the module)."""

_registered: dict[str, str | EngineFactory] = {}
_registered_lock = threading.Lock()


class UnknownEngine(NoModel):
    """No engine has this name (a :class:`NoModel`: commands show it as they show a missing
    model)."""


def register_engine(name: str, factory: str | EngineFactory) -> None:
    """Make an engine known as *name* in this process: a factory, or ``"module:attribute"``.

    Raises ValueError when *name* is taken (by reader, an entry point or an earlier call).
    """
    with _registered_lock:
        if name in _registered or name in BUILTIN_ENGINES or name in _entry_points():
            raise ValueError(f"an entity engine is already named {name!r}")
        _registered[name] = factory


def unregister_engine(name: str) -> None:
    """Forget an engine given to :func:`register_engine` (a no-op for any other name)."""
    with _registered_lock:
        _registered.pop(name, None)


def engine_names() -> list[str]:
    """Return the name of every known engine, sorted (no engine module is imported)."""
    with _registered_lock:
        registered = set(_registered)
    return sorted(set(BUILTIN_ENGINES) | registered | set(_entry_points()))


def make_engine(name: str, model: str | None = None) -> EntityEngine:
    """Return engine *name* for *model* (None: its default), importing only its module.

    Building an engine does not load its model. Raises :class:`UnknownEngine`, which lists
    the known engines, when there is none by that name.
    """
    return _factory(name)(model)


def _factory(name: str) -> EngineFactory:
    """The factory of engine *name*: registered at run time, reader's own, then entry points."""
    with _registered_lock:
        target: str | EngineFactory | None = _registered.get(name)
    if target is None:
        target = BUILTIN_ENGINES.get(name)
    if not isinstance(target, str) and target is not None:
        return target
    try:
        if target is not None:
            module, _, attribute = target.partition(":")
            factory: EngineFactory = getattr(import_module(module), attribute)
            return factory
        point = _entry_points().get(name)
        if point is None:
            known = ", ".join(engine_names())
            raise UnknownEngine(f"there is no entity engine {name!r} (known engines: {known})")
        loaded: EngineFactory = point.load()
        return loaded
    except (ImportError, AttributeError) as error:
        raise NoModel(f"entity engine {name!r} cannot be loaded: {error}") from error


def _entry_points() -> dict[str, EntryPoint]:
    """The engines other packages declare, by name (entry points are read, not loaded)."""
    return {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}
