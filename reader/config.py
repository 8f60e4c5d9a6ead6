"""The config file: where it is, what it may say (checked, with errors naming the file, the
line or the key), and remembering the theme and the sidebar's width in it without losing
the rest of the file.

The file is TOML (``user_config_path("reader")/config.toml``, or ``READER_CONFIG``)::

    library = ["~/news", "~/saved"]      # folders (or files) of articles
    database = "~/notes/annotations.json"
    engine = "spacy"
    model = "en_core_web_sm"
    theme = "nord"
    cache_dir = "~/.cache/reader/entities"
    measure = 90                          # the article's widest line, in columns
    sidebar = 48                          # the sidebar's width, in columns (`<` `>` in the app)
    background_entities = true            # find every article's entities while you read

Every key is optional. Paths may start with ``~``; a relative path is relative to the
folder the config file is in. Textual-free: the app and every command read it through
:meth:`reader.settings.Settings.build`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_config_path

from reader.files import write_atomically

__all__ = [
    "ENV_CONFIG",
    "KEYS",
    "SIDEBAR_WIDTHS",
    "Config",
    "ConfigError",
    "config_path",
    "load_config",
    "set_theme",
    "set_value",
]

ENV_CONFIG = "READER_CONFIG"
"""The environment variable naming another config file (tests use a temporary one)."""

KEYS: dict[str, str] = {
    "library": "a list of paths (folders or files of articles)",
    "database": "a path (the annotations file)",
    "engine": "a string (an entity engine's name)",
    "model": "a string (the engine's model, a spaCy pipeline's name)",
    "theme": "a string (a Textual theme's name)",
    "cache_dir": "a path (where entities are cached)",
    "measure": "a whole number from 30 to 1000 (the article's widest line, in columns)",
    "sidebar": "a whole number from 20 to 200 (the sidebar's width, in columns)",
    "background_entities": "true or false (whether the app finds every article's entities "
    "in the background while you read)",
}
"""Every key the file may hold, and what its value must be."""

SIDEBAR_WIDTHS = range(20, 201)
"""The sidebar widths the file may hold (``sidebar = 48``)."""


class ConfigError(Exception):
    """The config file cannot be used: the message names the file and what is wrong."""


@dataclass(frozen=True)
class Config:
    """What the config file says (None: not said), and where the file is."""

    path: Path
    """The config file (it may not exist)."""
    exists: bool = False
    """Whether the file exists."""
    library: tuple[Path, ...] | None = None
    """Folders or files of articles, ``~`` expanded."""
    database: Path | None = None
    """The annotations file."""
    engine: str | None = None
    """The entity engine's name."""
    model: str | None = None
    """The engine's model."""
    theme: str | None = None
    """The Textual theme's name."""
    cache_dir: Path | None = None
    """Where entities are cached."""
    measure: int | None = None
    """The article's widest line, in columns."""
    sidebar: int | None = None
    """The sidebar's width, in columns (None: as the screen's width makes it)."""
    background_entities: bool | None = None
    """Whether the app finds the entities of articles not yet cached while the user rests
    (None: not said, on)."""


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The config file's path: ``READER_CONFIG``, else ``config.toml`` in the user config
    dir (``~/.config/reader/config.toml`` on Linux)."""
    env = os.environ if env is None else env
    named = env.get(ENV_CONFIG)
    if named:
        return Path(named).expanduser()
    return user_config_path("reader") / "config.toml"


def load_config(path: Path) -> Config:
    """Read and check the config file at *path*; a missing file is an empty config.

    Raises:
        ConfigError: the file cannot be read, is not TOML (the message has the line), has
            a key reader does not know, or a value of the wrong type.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as error:
        raise ConfigError(f"config file {path}: {error.strerror or error}") from None
    try:
        values = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"config file {path}: not UTF-8 text (byte {error.start})") from None
    except tomllib.TOMLDecodeError as error:
        # tomllib's message ends "(at line N, column M)".
        raise ConfigError(f"config file {path}: not valid TOML: {error}") from None
    return _checked(path, values)


def _checked(path: Path, values: dict[str, Any]) -> Config:
    def wrong(key: str) -> ConfigError:
        return ConfigError(f"config file {path}: {key!r} must be {KEYS[key]}")

    for key in values:
        if key not in KEYS:
            known = ", ".join(KEYS)
            raise ConfigError(f"config file {path}: unknown key {key!r} (known keys: {known})")
    folder = path.parent

    def a_path(key: str, value: object) -> Path:
        if not isinstance(value, str) or not value.strip():
            raise wrong(key)
        return folder / Path(value).expanduser()

    def a_string(key: str) -> str | None:
        value = values.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise wrong(key)
        return value.strip()

    library = values.get("library")
    if library is not None:
        if not isinstance(library, list) or not library:
            raise wrong("library")
        library = tuple(a_path("library", item) for item in library)
    measure = values.get("measure")
    if measure is not None and (
        not isinstance(measure, int) or isinstance(measure, bool) or not 30 <= measure <= 1000
    ):
        raise wrong("measure")
    sidebar = values.get("sidebar")
    if sidebar is not None and (
        not isinstance(sidebar, int) or isinstance(sidebar, bool) or sidebar not in SIDEBAR_WIDTHS
    ):
        raise wrong("sidebar")
    background = values.get("background_entities")
    if background is not None and not isinstance(background, bool):
        raise wrong("background_entities")
    database, cache_dir = values.get("database"), values.get("cache_dir")
    return Config(
        path=path,
        exists=True,
        library=library,
        database=None if database is None else a_path("database", database),
        engine=a_string("engine"),
        model=a_string("model"),
        theme=a_string("theme"),
        cache_dir=None if cache_dir is None else a_path("cache_dir", cache_dir),
        measure=measure,
        sidebar=sidebar,
        background_entities=background,
    )


# A table header: a key's line is looked for before the first table only.
_TABLE = re.compile(r"^[ \t]*\[")


def _key_line(key: str) -> re.Pattern[str]:
    """A top-level ``key = ...`` line (with any comment after it)."""
    return re.compile(rf"^[ \t]*({key}|\"{key}\"|'{key}')[ \t]*=.*$")


def set_theme(path: Path, theme: str) -> None:
    """Remember *theme* in the config file at *path* (:func:`set_value`)."""
    set_value(path, "theme", theme)


def set_value(path: Path, key: str, value: str | int | bool) -> None:
    """Remember *value* as the top-level *key* (``theme``, ``sidebar``,
    ``background_entities``) in the config file
    at *path*, creating the file (and its folder).

    Only the top-level ``key = ...`` line is replaced (or one is added before the first
    table): every other line, comments included, is kept byte for byte. The file is
    replaced in one rename (:func:`reader.files.write_atomically`), so the user's file is
    never half written; a symlinked file is updated where the link points. A file that is
    not valid TOML is left as it is.

    Raises:
        ConfigError: the file exists but is not valid TOML or not UTF-8 (it is not touched).
        OSError: the file or its folder cannot be written.
    """
    try:
        old = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        old = ""
    except UnicodeDecodeError as error:
        raise ConfigError(f"config file {path}: not UTF-8 text (byte {error.start})") from None
    try:
        tomllib.loads(old)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path}: not valid TOML: {error}") from None
    line = f"{key} = {_toml_value(value)}"
    key_line = _key_line(key)
    lines = old.splitlines(keepends=True)
    for index, text in enumerate(lines):
        if _TABLE.match(text):
            lines.insert(index, line + "\n")
            break
        if key_line.match(text.rstrip("\r\n")):
            ending = text[len(text.rstrip("\r\n")) :] or "\n"
            lines[index] = line + ending
            break
    else:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(line + "\n")
    new = "".join(lines)
    try:  # never write what would not read back
        written = tomllib.loads(new).get(key)
    except tomllib.TOMLDecodeError:
        written = None
    if written != value or type(written) is not type(value):
        raise ConfigError(f"config file {path}: the {key} line could not be rewritten")
    # A config file kept in a dotfiles folder and linked here is updated where it lives.
    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, new.encode("utf-8"), keep_mode=True)


def _toml_value(value: str | int | bool) -> str:
    """*value* as TOML: a basic string, ``true``/``false``, or a whole number."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _toml_string(value) if isinstance(value, str) else str(int(value))


def _toml_string(value: str) -> str:
    """*value* as a TOML basic string (quotes, backslashes and controls escaped)."""
    escaped = []
    for char in value:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'
