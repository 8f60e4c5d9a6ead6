"""Where things live (articles, database, cache, model): flags > environment > defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_cache_path

from reader.resources import seeds_dir

#: Environment variables read by :func:`Settings.build`.
ENV_DB = "READER_DB"
ENV_CACHE = "READER_CACHE_DIR"
ENV_MODEL = "READER_MODEL"
ENV_ENGINE = "READER_ENGINE"

DEFAULT_ENGINE = "spacy"
"""The entity engine used when none is named (see reader/entities/engines/)."""

EXPORTS_FOLDER = "exports"
"""The folder, next to the database, that exports are written to by default."""


def default_article_paths(cwd: Path) -> list[Path]:
    """Return `seeds/` under *cwd* when it exists, else the seed articles shipped with reader."""
    local = cwd / "seeds"
    return [local] if local.is_dir() else [seeds_dir()]


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where to read and write."""

    article_paths: list[Path] = field(default_factory=list)
    """Files and folders articles are read from."""
    db_path: Path = Path("annotations/annotations.json")
    """The annotations database (TinyDB JSON file)."""
    cache_dir: Path = field(default_factory=lambda: user_cache_path("reader") / "entities")
    """Where extracted entities are cached, per content hash and pipeline."""
    model: str | None = None
    """The engine's model (a spaCy pipeline's name); None picks the best installed one."""
    engine: str = DEFAULT_ENGINE
    """The entity engine, by name (reader/entities/engines/)."""
    use_cache: bool = True
    """Whether to read and write the entity cache."""

    @property
    def exports_dir(self) -> Path:
        """Where exports are written by default: ``exports/`` next to the database
        (``annotations/exports/`` with the default database). Never read as articles."""
        return self.db_path.parent / EXPORTS_FOLDER

    @classmethod
    def build(
        cls,
        *,
        paths: list[str] | None = None,
        db: str | None = None,
        cache_dir: str | None = None,
        model: str | None = None,
        engine: str | None = None,
        no_cache: bool = False,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Settings:
        """Resolve settings from command-line values, then the environment, then defaults."""
        env = os.environ if env is None else env
        cwd = Path.cwd() if cwd is None else cwd
        article_paths = [Path(p) for p in paths] if paths else default_article_paths(cwd)
        db_value = db or env.get(ENV_DB)
        cache_value = cache_dir or env.get(ENV_CACHE)
        return cls(
            article_paths=article_paths,
            db_path=Path(db_value) if db_value else cwd / "annotations" / "annotations.json",
            cache_dir=Path(cache_value) if cache_value else cls().cache_dir,
            model=model or env.get(ENV_MODEL) or None,
            engine=engine or env.get(ENV_ENGINE) or DEFAULT_ENGINE,
            use_cache=not no_cache,
        )
