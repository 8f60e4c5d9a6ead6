"""Starting one of reader's modules in a new interpreter: the command of a child process.

Two children use it: the app's entity worker (reader/entities/worker.py, its ``main`` in
worker_child.py) and the search index's read-ahead (reader/search/reading.py). The child
is this process's Python, isolated (``-I``: neither the working directory, where another
copy of reader may be, nor PYTHONPATH, nor the user's site-packages, nor other PYTHON*
variables), and imports as this process does: its ``sys.path`` is this process's, every
relative entry made absolute (``""``, the working directory at start: the child's may be
another), with this reader's root put first only when that path would find another
reader (the working directory changed to one holding a copy; an editable install whose
root is not on the path). Not always first: a wheel's root is site-packages, after the
standard library, and modules there named as the library's (an old backport) must stay
behind it. The module's ``main`` gets the arguments after the path.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import sys
from pathlib import Path

__all__ = ["child_command"]

ROOT = Path(__file__).resolve().parent.parent
"""The folder this reader package is in."""

_CODE = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from {module} import main; main(sys.argv[2:])"
)


def child_command(module: str, *args: str) -> list[str]:
    """The command that runs ``main(args)`` of *module* (a module of reader, by its dotted
    name) in a new isolated interpreter importing as this process does (see above).

    Raises:
        ValueError: *module* is not one of reader's modules' names.
        OSError: there is no interpreter to start (Python embedded: no ``sys.executable``).
    """
    if not (module.startswith("reader.") and all(p.isidentifier() for p in module.split("."))):
        raise ValueError(f"not a module of reader: {module!r}")
    if not sys.executable:
        raise OSError("no Python interpreter to start (sys.executable is empty)")
    path = [os.path.abspath(entry) for entry in sys.path if isinstance(entry, str)]
    if _reader_root(path) != ROOT:
        path.insert(0, str(ROOT))
    return [sys.executable, "-I", "-c", _CODE.format(module=module), json.dumps(path), *args]


def _reader_root(path: list[str]) -> Path | None:
    """The folder whose ``reader`` package the import system finds on *path*, or None."""
    try:
        spec = importlib.machinery.PathFinder.find_spec("reader", path)
    except (ImportError, OSError, ValueError):
        return None
    if spec is None or not spec.origin or spec.name != "reader":
        return None  # not found, or only a namespace portion (a wheel's data folder)
    return Path(spec.origin).resolve().parent.parent
