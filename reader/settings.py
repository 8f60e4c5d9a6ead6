"""Where things live (articles, database, cache, engine, model, theme), and where each
value came from: flags > environment > the config file > the project layout > defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from platformdirs import user_cache_path, user_data_path

from reader.config import Config, config_path, load_config
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


_T = TypeVar("_T")

DB_FOLDER = "annotations"
"""The project layout's database folder, looked for in the working directory and up."""

DB_NAME = "annotations.json"
"""The database's file name in a found folder and in the user data directory."""

SEEDS_FOLDER = "seeds"
"""The project layout's articles folder, looked for in the working directory and up."""

DEFAULT = "default"
"""The source of a value nobody set."""

DEFAULT_MEASURE = 90
"""The article's widest line, in columns, unless the config file says otherwise: within
the 80-100 characters typographers recommend for a line, and wide enough that a quotation
or a figure rarely wraps."""


def find_folder(cwd: Path, name: str) -> Path | None:
    """The folder *name* in *cwd* or its nearest parent that has one (the project layout),
    or None. The folder only has to exist: an empty ``annotations/`` is a project's."""
    for folder in (cwd, *cwd.parents):
        candidate = folder / name
        if candidate.is_dir():
            return candidate
    return None


def default_db_path() -> Path:
    """The database when no project layout is found: in the user data directory."""
    return user_data_path("reader") / DB_NAME


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
    theme: str | None = None
    """The Textual theme to start with (from the config file); None: Textual's default."""
    measure: int = DEFAULT_MEASURE
    """The article's widest line, in columns (a wider pane centres it)."""
    sidebar: int | None = None
    """The sidebar's width in columns, as the user left it (`<` `>`, the config file's
    ``sidebar``); None: as the screen's width makes it (styles/app.tcss)."""
    background_entities: bool = False
    """Whether the app finds the entities of the articles not yet cached in the background
    while the user rests (reader/ui/background.py): the config file's
    ``background_entities``, on unless it says false (:meth:`build`); off in settings made
    in code (tests, benchmarks' helpers) unless they ask for it."""
    config_path: Path | None = None
    """The config file in play (it may not exist), or None: no config file (tests)."""
    config_exists: bool = False
    """Whether :attr:`config_path` exists."""
    sources: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Where each value came from, by name (``articles``, ``database``, ``cache``,
    ``engine``, ``model``, ``theme``): ``--db``, ``READER_DB``, ``config file``,
    ``found in /x``, ``default``..."""

    def source(self, name: str) -> str:
        """Where the value *name* came from (``default`` when not recorded)."""
        return self.sources.get(name, DEFAULT)

    def in_use(self) -> list[tuple[str, str, str]]:
        """What is in use and where each came from, as ``(name, value, source)`` rows, for
        `reader config`, `reader --help` and the help screen (the config file first, when
        there is one). Values are paths and names as they are: callers sanitise them."""
        rows: list[tuple[str, str, str]] = []
        if self.config_path is not None:
            state = "exists" if self.config_exists else "not there: nothing read from it"
            rows.append(("config file", str(self.config_path), state))
        rows += [
            ("database", str(self.db_path), self.source("database")),
            ("articles", ", ".join(str(p) for p in self.article_paths), self.source("articles")),
            (
                "entity cache",
                str(self.cache_dir) if self.use_cache else "off",
                self.source("cache") if self.use_cache else "--no-cache",
            ),
            ("engine", self.engine, self.source("engine")),
            ("model", self.model or "the best installed", self.source("model")),
            ("theme", self.theme or "Textual's default", self.source("theme")),
            ("measure", f"{self.measure} columns", self.source("measure")),
            (
                "background",
                "entities found while you rest" if self.background_entities else "off",
                self.source("background_entities"),
            ),
        ]
        return rows

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
        config: Config | None = None,
    ) -> Settings:
        """Resolve settings from command-line values, then the environment, then the
        config file (``READER_CONFIG`` or the user config dir; *config* if given), then the
        project layout found from *cwd* up, then defaults.

        Raises:
            reader.config.ConfigError: the config file cannot be used (it is named).
        """
        env = os.environ if env is None else env
        cwd = Path.cwd() if cwd is None else cwd
        config = load_config(config_path(env)) if config is None else config
        sources: dict[str, str] = {}
        in_config = "config file"

        def env_path(name: str) -> Path | None:
            return Path(env[name]) if env.get(name) else None

        if paths:
            article_paths, sources["articles"] = [Path(p) for p in paths], "arguments"
        elif config.library:
            article_paths, sources["articles"] = list(config.library), in_config
        else:
            found = find_folder(cwd, SEEDS_FOLDER)
            article_paths = [found] if found is not None else [seeds_dir()]
            sources["articles"] = DEFAULT if found is None else f"found in {found.parent}"
        db_path = _first(
            sources,
            "database",
            (Path(db) if db else None, "--db"),
            (env_path(ENV_DB), ENV_DB),
            (config.database, in_config),
        )
        if db_path is None:
            folder = find_folder(cwd, DB_FOLDER)
            if folder is not None:
                db_path, sources["database"] = folder / DB_NAME, f"found in {folder.parent}"
            else:
                db_path = default_db_path()
        cache = _first(
            sources,
            "cache",
            (Path(cache_dir) if cache_dir else None, "--cache-dir"),
            (env_path(ENV_CACHE), ENV_CACHE),
            (config.cache_dir, in_config),
        )
        chosen_model = _first(
            sources,
            "model",
            (model, "--model"),
            (env.get(ENV_MODEL), ENV_MODEL),
            (config.model, in_config),
        )
        chosen_engine = _first(
            sources,
            "engine",
            (engine, "--engine"),
            (env.get(ENV_ENGINE), ENV_ENGINE),
            (config.engine, in_config),
        )
        _first(sources, "theme", (config.theme, in_config))
        measure = _first(sources, "measure", (config.measure, in_config))
        background = config.background_entities
        sources["background_entities"] = DEFAULT if background is None else in_config
        return cls(
            article_paths=article_paths,
            db_path=db_path,
            cache_dir=cache or cls().cache_dir,
            model=chosen_model,
            engine=chosen_engine or DEFAULT_ENGINE,
            use_cache=not no_cache,
            theme=config.theme,
            measure=measure or DEFAULT_MEASURE,
            sidebar=config.sidebar,
            background_entities=True if background is None else background,
            config_path=config.path,
            config_exists=config.exists,
            sources=sources,
        )


def _first(sources: dict[str, str], name: str, *candidates: tuple[_T | None, str]) -> _T | None:
    """The first value set (not None, not empty) among *candidates*, ``(value, source)``
    pairs; records where it came from in *sources* under *name* (``default`` if none)."""
    for value, source in candidates:
        if value:
            sources[name] = source
            return value
    sources[name] = DEFAULT
    return None
