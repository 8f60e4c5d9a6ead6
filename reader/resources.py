"""Where the files that ship with reader are: styles and the seed articles.

In a clone they are the top-level `styles/` and `seeds/` folders; in an installed
wheel they travel inside the package as `reader/_data/` (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    """Return the shipped folder *name*, from the wheel's package data or the repo."""
    bundled = _PACKAGE / "_data" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / name


def styles_dir() -> Path:
    """Return the folder holding reader's `.tcss` files."""
    return _data_dir("styles")


def seeds_dir() -> Path:
    """Return the folder holding the bundled seed articles."""
    return _data_dir("seeds")
