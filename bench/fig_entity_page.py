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
"""

from __future__ import annotations

import statistics

from context import Bench
from fig_search import prepared_library
from stats import Row, Sample
from terminal import Terminal

from reader.workspace import Workspace

QUIET = 0.25
"""Seconds without output after which a key's frame is complete."""

PAGES = 6
"""Entity pages opened per run (each of another entity: `e` moves the mark)."""


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


def entity_page_keys(bench: Bench) -> list[Row]:
    """Figure 13 at the largest size."""
    n = max(bench.sizes)
    library, env, settings = prepared_library(bench, n, "entity-page")
    workspace = Workspace(settings, model_in_process=True)
    report = workspace.entity_index().update(workspace)
    workspace.close()
    bench.say(f"entity page N={n:,}: index built in {report.seconds:.1f} s beforehand")
    pages: list[float] = []
    firsts: list[float] = []
    marks: list[float] = []
    orders: list[float] = []
    pages_per_run = 3 if bench.quick else PAGES
    for _ in range(bench.runs):
        with Terminal([*bench.reader, str(library.folder)], env=env) as terminal:
            terminal.wait_for(library.sidebar_marker, timeout=180)
            terminal.wait_quiet(1.0)  # the app's own check of the index
            terminal.press("\t")  # the list to the article
            terminal.wait_quiet(QUIET)
            for page in range(pages_per_run):
                marks.append(_painted(terminal, "e"))
                took = _painted(terminal, "p", "Appears with (")
                (pages if page else firsts).append(took)
                if page == 0:
                    orders.append(_painted(terminal, "o", "most mentions first"))
                terminal.press("\x1b")
                terminal.wait_quiet(QUIET)
    bench.say(
        f"entity page N={n:,}: p {statistics.median(pages):.0f} ms (worst {max(pages):.0f}; "
        f"the first of a session {statistics.median(firsts):.0f} ms), "
        f"o {statistics.median(orders):.0f} ms, e {statistics.median(marks):.0f} ms"
    )
    first_notes = ["the page screen is made and installed on the first `p` of a session"]
    notes = [
        "entities: stand-in spans in the cache (see bench/fig_search.py); index built first",
        f"{len(pages)} pages opened, each of the entity `e` marked next; worst {max(pages):.0f} ms",
    ]
    return [
        Row("13 entity page", f"`p`: entity page, key to painted (pty), {n:,} articles",
            Sample(pages, "ms"), Sample(marks, "ms"), "`e`: marking an entity", "value_max",
            200, n=n, notes=notes),
        Row("13 entity page", f"`p`: the first page of a session, {n:,} articles",
            Sample(firsts, "ms"), Sample(marks, "ms"), "`e`: marking an entity",
            notes=first_notes, n=n),
        Row("13 entity page", f"`o`: the page in the other order, {n:,} articles",
            Sample(orders, "ms"), Sample(marks, "ms"), "`e`: marking an entity",
            "value_max", 200, n=n),
    ]  # fmt: skip
