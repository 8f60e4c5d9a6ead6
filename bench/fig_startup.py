"""Figure 1: start to the first frame with the sidebar filled, against a bare Textual app.

`reader LIBRARY` runs in a pty (bench/terminal.py) and is timed from the moment it is
started to the moment the terminal receives the frame in which the sidebar lists the
articles. The baseline is bench/bare_app.py showing the same titles in the same OptionList
the same way, timed the same way, run by run in between. Three cases of reader:

- **warm**: the usual start: the library index is there, the first article's entities
  are cached (a warm-up run made both);
- **first start**: no catalogue (removed before the run): the list comes from each file's
  first lines and a worker reads the rest (reader/library/quick.py); timed on the ``.txt``
  library and on the same articles as ``.md`` files with front matter (what ``reader add``
  writes: the worst case, each file rendered as it is read). With ``--compare-path``, the
  first start of that copy of reader (the code before a change) is timed too, run by run;
- and, in process, ``Library.load`` alone with and without the index (figure 1b).

Every program here (reader, the code before, the bare app) runs with its bytecode cached,
as a user's does after the first run (pip compiles at install; Python writes it on the
first import): the suite's environment says ``PYTHONDONTWRITEBYTECODE``, which left a copy
of reader without ``__pycache__`` (a ``git archive``, a fresh worktree) compiling its ~150
modules at every start (~120 ms at 2,000 articles, on reader's side only). The bytecode is
written under the scratch folder (``PYTHONPYCACHEPREFIX``), never into a copy measured,
by one untimed start of each program before the timed runs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from context import Bench, GeneratedLibrary
from stats import Row, Sample
from terminal import Terminal

from reader.library import Library
from reader.library.catalogue import CATALOGUE_FILE, Catalogue

#: Targets: reader's warm start at most this many times the bare app's, per size.
TARGETS = {2000: 1.5, 10000: 2.0}


def bytecode(bench: Bench) -> dict[str, str]:
    """The environment that caches every program's bytecode in the scratch folder."""
    return {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(bench.work / "pycache")}


def time_to_sidebar(command: list[str], env: dict[str, str], marker: str) -> float:
    """Milliseconds from starting *command* to the frame showing *marker*."""
    with Terminal(command, env=env) as terminal:
        painted = terminal.wait_for(marker, timeout=180)
        return (painted - terminal.started) * 1000


def warm_up(bench: Bench, library: GeneratedLibrary, env: dict[str, str]) -> None:
    """Run reader once to the first article's highlights: index built, entities cached
    (in quick mode only to the sidebar: the numbers do not count there, the time does)."""
    library.settle()
    with Terminal([*bench.reader, str(library.folder)], env=env) as terminal:
        mark = terminal.mark
        terminal.wait_for(library.sidebar_marker, timeout=300)
        if not bench.quick:
            terminal.wait_for("PERSON", since=mark, timeout=300)  # the legend, once found
        catalogued(Path(env["READER_CACHE_DIR"]) / CATALOGUE_FILE, library.n)
        terminal.wait_quiet(0.3)


def catalogued(path: Path, n: int, timeout: float = 300) -> None:
    """Wait until the catalogue at *path* holds *n* files (a first start writes it as its
    worker reads the files it listed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(json.loads(path.read_text(encoding="utf-8"))["entries"]) >= n:
                return
        except (OSError, ValueError, KeyError, TypeError):
            pass
        time.sleep(0.1)


def first_start(bench: Bench, library: GeneratedLibrary, env: dict[str, str]) -> float:
    """One first start (catalogue removed first) of *library*, in milliseconds (of the
    reader package *env* names)."""
    (Path(env["READER_CACHE_DIR"]) / CATALOGUE_FILE).unlink(missing_ok=True)
    return time_to_sidebar([*bench.reader, str(library.folder)], env, library.sidebar_marker)


def startup(bench: Bench) -> list[Row]:
    """Figure 1 at every size: warm and first starts against the bare app."""
    rows: list[Row] = []
    for n in bench.sizes:
        library = bench.library(n)
        markdown = bench.library(n, markdown=True)
        state = f"startup-{n}"
        bench.clear_state(state)
        bench.clear_state(f"{state}-md")
        cached = bytecode(bench)
        env = bench.env(state, **cached)
        md_env = bench.env(f"{state}-md", **cached)
        compare = bench.compare_path
        before_env = (
            bench.env(f"{state}-before", reader_path=compare, **cached) if compare else None
        )
        index_file = Path(env["READER_CACHE_DIR"]) / CATALOGUE_FILE
        warm_up(bench, library, env)
        # A first start is timed to its list, and ended before its worker has read every
        # file and saved the catalogue: the warm runs get the warm-up's catalogue back.
        catalogue = index_file.read_bytes() if index_file.exists() else None
        markdown.settle()
        reader = [*bench.reader, str(library.folder)]
        # Untimed: the bare app's, the Markdown path's and the code before's bytecode
        # written (the warm-up wrote reader's).
        time_to_sidebar(bench.bare_app(library.manifest), env, library.sidebar_marker)
        first_start(bench, markdown, md_env)
        if before_env is not None:
            first_start(bench, library, before_env)
        bare, warm, first, first_md = [], [], [], []
        before: list[float] = []
        before_md: list[float] = []
        uses_index = True
        for run in range(bench.runs):
            bare.append(
                time_to_sidebar(bench.bare_app(library.manifest), env, library.sidebar_marker)
            )
            if catalogue is not None:
                index_file.write_bytes(catalogue)
            warm.append(time_to_sidebar(reader, env, library.sidebar_marker))
            uses_index = uses_index and catalogue is not None
            first.append(first_start(bench, library, env))
            first_md.append(first_start(bench, markdown, md_env))
            said = (
                f"startup N={n:,} run {run + 1}: bare {bare[-1]:.0f} ms, warm {warm[-1]:.0f} "
                f"ms, first start {first[-1]:.0f} ms, .md {first_md[-1]:.0f} ms"
            )
            if before_env is not None:
                before.append(first_start(bench, library, before_env))
                before_md.append(first_start(bench, markdown, before_env))
                said += f"; before: {before[-1]:.0f} ms, .md {before_md[-1]:.0f} ms"
            bench.say(said)
        notes = []
        if not uses_index:
            notes.append(
                "the app did not write a library index: reader/ui/screens/library_loading.py "
                "does not pass one to Library.load yet, so a warm start reads every article"
            )
        limit = TARGETS.get(n)
        rows.append(
            Row(
                "1 startup",
                f"N={n:,}, warm",
                Sample(warm, "ms"),
                Sample(bare, "ms"),
                "bare Textual app",
                "ratio_max" if limit else None,
                limit,
                n=n,
                notes=notes,
            )
        )
        cases = [("", first, before), (" .md", first_md, before_md)]
        for suffix, times, old in cases:
            rows.append(
                Row(
                    "1 startup",
                    f"N={n:,}, first start (no catalogue){suffix}",
                    Sample(times, "ms"),
                    Sample(bare, "ms"),
                    "bare Textual app",
                    n=n,
                )
            )
            if old:
                rows.append(
                    Row(
                        "1 startup",
                        f"N={n:,}, first start{suffix}, code before ({compare})",
                        Sample(old, "ms"),
                        Sample(bare, "ms"),
                        "bare Textual app",
                        n=n,
                    )
                )
        rows.append(library_load(bench, library))
    return rows


def library_load(bench: Bench, library: GeneratedLibrary) -> Row:
    """Figure 1b: Library.load in this process, with a warm index against reading all."""
    cache = bench.work / "state" / f"load-{library.n}"
    library.settle()
    Library.load([library.folder], Catalogue.in_cache_dir(cache))  # builds it
    full, indexed = [], []
    hits = 0
    for _ in range(max(3, bench.runs)):
        started = time.perf_counter()
        Library.load([library.folder])
        full.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        index = Catalogue.in_cache_dir(cache)
        Library.load([library.folder], index)
        indexed.append((time.perf_counter() - started) * 1000)
        hits = index.hits
    return Row(
        "1b library load",
        f"N={library.n:,}, Library.load with the index",
        Sample(indexed, "ms"),
        Sample(full, "ms"),
        "reading every file",
        n=library.n,
        notes=[f"{hits:,} of {library.n:,} articles came from the index (not read)"],
    )
