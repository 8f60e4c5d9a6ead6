"""Figure 13: an entity's page in the app, keypress to painted, in a pty.

On the largest generated library with its entities cached (stand-in spans, as figures 6
and 9) and the entity index built beforehand (as after the app's first start), `reader`
runs in a pty (bench/terminal.py); in the article, `e` marks the next entity, then:

- **`p`, the entity page**: from the key written to the pty to the last byte of the frame
  that shows the page read by its worker (its articles, snippets, co-occurring entities
  and timeline; the frame is known by "Appears with (", drawn only then, and ends once the
  output has been quiet for 0.25 s). Escape goes back, `e` marks another entity, and so
  on. Baseline: the `e` keypress before each (marking an entity: a keypress and the
  article's repaint). Target (issue 12): ≤ 200 ms. The first `p` of a session (the page
  screen made and installed: kept for the next ones) is a row of its own.
- **`o`, the other order** on the page open (the page read again, articles re-sorted).

Each run has two sessions, timed apart (their pages were pooled before, so the median
said how many pages met the build rather than how fast either was):

- **index built**: the search index (and the entity rows kept beside it) built before the
  app starts, as on every start after the first: the app's own update finds nothing to do.
- **during the app's first build**: the search index and its kept rows deleted, so the app
  builds the index from scratch (text pass, then the entity pass running the consistency
  rules on every article) while the pages are asked for, as on a first start. Each `p`
  (and `o`) is counted as during the build when the index had no entity coverage noted
  yet when it was pressed (the entity pass writes it last), as after it otherwise.

With ``--compare-path`` (the code before a change), the same sessions of that copy run
right after each of the measured copy's, from the same prepared state.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from context import Bench
from fig_search import prepared_library
from stats import Row, Sample
from terminal import Terminal

from reader.search.entity_rows import ROWS_FILE
from reader.search.schema import INDEX_FILE
from reader.workspace import Workspace

QUIET = 0.25
"""Seconds without output after which a key's frame is complete."""

PAGES = 6
"""Entity pages opened per session (each of another entity: `e` moves the mark)."""

STATE = "entity-page"
"""The prepared scratch state (entity cache, entity index, search index built)."""


@dataclass
class Keys:
    """The times of one kind of session (ms)."""

    pages: list[float] = field(default_factory=list)
    """`p` after the first of a session, the build over (or never run)."""
    building: list[float] = field(default_factory=list)
    """`p` after the first of a session, pressed while the app's build ran."""
    firsts: list[float] = field(default_factory=list)
    marks: list[float] = field(default_factory=list)
    orders: list[float] = field(default_factory=list)
    """`o` (on the first page of a session), the build over (or never run)."""
    orders_building: list[float] = field(default_factory=list)
    """`o` pressed while the app's build ran."""


def _painted(terminal: Terminal, key: str, marker: str | None = None) -> float:
    """Press *key*; ms to the last byte of the frame it causes (after *marker*, if given)."""
    mark = terminal.mark
    pressed = terminal.press(key)
    if marker is not None:
        terminal.wait_for(marker, since=mark, timeout=30)
    terminal.wait_quiet(QUIET)
    if terminal.mark <= mark:
        raise RuntimeError(f"pressing {key!r} drew nothing")
    painted = terminal.wait_output(since=terminal.mark - 1)  # the last chunk
    return (painted - pressed) * 1000


def _build_over(cache_dir: Path) -> bool:
    """Whether the app's index build has run its entity pass to the end (it notes the
    entity coverage in the index last)."""
    path = cache_dir / INDEX_FILE
    if not path.exists():
        return False
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            row = connection.execute("SELECT 1 FROM meta WHERE key = 'coverage'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return row is not None


def _session(
    bench: Bench, folder: Path, marker: str, keys: Keys, *, building: bool, copy: Path | None
) -> None:
    """One session of `reader` (the measured copy, or *copy*) on the prepared state;
    *building*: with the search index deleted first (the app's first build)."""
    name = f"{STATE}-session"
    bench.clear_state(name)
    env = bench.env(name, reader_path=copy)
    cache_dir = Path(env["READER_CACHE_DIR"])
    prepared = bench.work / "state" / STATE
    shutil.copytree(prepared, bench.work / "state" / name, dirs_exist_ok=True)
    if building:
        for stem in (INDEX_FILE, ROWS_FILE):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{cache_dir / stem}{suffix}").unlink(missing_ok=True)
    pages_per_run = 3 if bench.quick else PAGES
    with Terminal([*bench.reader, str(folder)], env=env) as terminal:
        terminal.wait_for(marker, timeout=180)
        terminal.wait_quiet(1.0)  # the app's own check of the index, when built
        terminal.press("\t")  # the list to the article
        terminal.wait_quiet(QUIET)
        for page in range(pages_per_run):
            keys.marks.append(_painted(terminal, "e"))
            during = building and not _build_over(cache_dir)
            took = _painted(terminal, "p", "Appears with (")
            if page == 0:
                keys.firsts.append(took)
            else:
                (keys.building if during else keys.pages).append(took)
            if page == 0:
                during = building and not _build_over(cache_dir)
                took = _painted(terminal, "o", "most mentions first")
                (keys.orders_building if during else keys.orders).append(took)
            terminal.press("\x1b")
            terminal.wait_quiet(QUIET)


def _rows(n: int, built: Keys, build: Keys, who: str) -> list[Row]:
    marks = Sample(built.marks + build.marks, "ms")
    mark_name = "`e`: marking an entity"
    rows = [
        Row("13 entity page", f"`p`, index built{who}, {n:,} articles (key to painted, pty)",
            Sample(built.pages, "ms"), marks, mark_name, "value_max", 200, n=n,
            notes=[f"{len(built.pages)} pages; worst {max(built.pages):.0f} ms"]),
    ]  # fmt: skip
    if build.building:
        rows.append(
            Row("13 entity page", f"`p` during the app's first index build{who}, {n:,} articles",
                Sample(build.building, "ms"), marks, mark_name, "value_max", 200, n=n,
                notes=[f"{len(build.building)} pages pressed before the build's entity pass "
                       f"ended; worst {max(build.building):.0f} ms"])
        )  # fmt: skip
    if build.pages:
        rows.append(
            Row("13 entity page", f"`p` after the app's first build ended{who}",
                Sample(build.pages, "ms"), marks, mark_name, n=n,
                notes=[f"{len(build.pages)} pages of the build's sessions"])
        )  # fmt: skip
    rows += [
        Row("13 entity page", f"`p`: the first page of a session{who} (index built / building)",
            Sample(built.firsts, "ms"), Sample(build.firsts, "ms"), "the same, building",
            notes=["the page screen is made and installed on the first `p` of a session"],
            n=n),
        Row("13 entity page", f"`o`: the page in the other order{who}, index built",
            Sample(built.orders, "ms"), marks, mark_name, "value_max", 200, n=n),
    ]  # fmt: skip
    if build.orders_building:
        rows.append(
            Row("13 entity page", f"`o`: the other order{who}, during the first build",
                Sample(build.orders_building, "ms"), marks, mark_name, "value_max", 200, n=n)
        )  # fmt: skip
    return rows


def entity_page_keys(bench: Bench) -> list[Row]:
    """Figure 13 at the largest size."""
    n = max(bench.sizes)
    library, _env, settings = prepared_library(bench, n, STATE)
    workspace = Workspace(settings, model_in_process=True)
    report = workspace.entity_index().update(workspace)
    built = workspace.search_index().update(workspace)
    workspace.close()
    bench.say(
        f"entity page N={n:,}: entity index built in {report.seconds:.1f} s, search index "
        f"in {built.seconds:.1f} s, beforehand"
    )
    copies: list[tuple[Path | None, str]] = [(None, "")]
    if bench.compare_path is not None:
        copies.append((bench.compare_path, " (the code before)"))
    results = {who: (Keys(), Keys()) for _, who in copies}
    for run in range(bench.runs):
        for copy, who in copies:
            done, building = results[who]
            for keys, deleted in ((done, False), (building, True)):
                marker = library.sidebar_marker
                _session(bench, library.folder, marker, keys, building=deleted, copy=copy)
            bench.say(
                f"entity page N={n:,} run {run + 1}{who}: p built "
                f"{statistics.median(done.pages):.0f} ms; during the build "
                + (f"{statistics.median(building.building):.0f} ms "
                   f"({len(building.building)} pages)" if building.building else "(none)")
                + f", after it {len(building.pages)} pages"
            )  # fmt: skip
    rows: list[Row] = []
    for _, who in copies:
        rows += _rows(n, *results[who], who)
    return rows
