"""Figure 8: filtering the library (`/` in the article list), per keystroke, at the largest size.

The generated library with its entities cached (stand-in spans, as figure 6) and its search
index built in this process first, so that the app's own update at start is incremental and
the field searches a ready index (as on any start but the first).

- **Per keystroke in the app**: `reader` in a pty (bench/terminal.py), the filter field open
  above the list, queries typed one key at a time; each keystroke timed from the key written
  to the pty to the last byte of the frame it causes (the field, the narrowed list and its
  count), found once the output has been quiet for 0.25 s. Baseline: the same keys typed
  into the find field of a short article (figure 7's baseline: what a keystroke and its
  repaint cost anyway). Target (issue 11): ≤ 50 ms median. In the notes: the app's
  processor time per keystroke (all its threads, from the key to the frame and the quiet
  after it) and its threads' wait for a core meanwhile: on a shared machine the wall time
  moves with the others' load (36 -> 49 ms between two fresh runs with the same work per
  key: README's Performance), the processor time much less.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from context import SEED, Bench
from fig_find import QUIET, _typing, time_keystrokes
from fig_search import prepared_library
from generate import article
from stats import Row, Sample
from terminal import Terminal

from reader.workspace import Workspace

#: Typed one key at a time: a common word, a field with a folder, a negated phrase.
QUERIES = ["minister", "in:lib bank", '-"central bank"']
QUICK_QUERIES = ["minister"]


def filtering(bench: Bench) -> list[Row]:
    """Figure 8: per-keystroke time of the library filter, in the app."""
    n = max(bench.sizes)
    library, env, settings = prepared_library(bench, n, "filter")
    workspace = Workspace(settings, model_in_process=True)
    workspace.search_index().update(workspace)
    workspace.close()
    queries = QUICK_QUERIES if bench.quick else QUERIES
    short_folder = bench.work / "state" / "filter-short"
    short_folder.mkdir(parents=True, exist_ok=True)
    short = article(SEED, 0).text
    (short_folder / "short.txt").write_text(short, encoding="utf-8")
    app_times: list[float] = []
    baseline: list[float] = []
    usage: list[tuple[float, float]] = []
    for _ in range(bench.runs):
        baseline += _typing(bench, short_folder, short.splitlines()[0][:20], queries)
        app_times += _filter_typing(
            bench, library.folder, library.sidebar_marker, env, queries, usage
        )
    cpu = statistics.median(u[0] for u in usage)
    waited = statistics.median(u[1] for u in usage)
    bench.say(
        f"filter N={n:,}: per keystroke {statistics.median(app_times):.1f} ms in the app "
        f"(worst {max(app_times):.1f}; processor {cpu:.1f} ms, waiting for a core "
        f"{waited:.1f} ms), find field on a short article {statistics.median(baseline):.1f} ms"
    )
    typed = ", ".join(f"“{q}”" for q in queries)
    return [
        Row(
            "8 filter",
            f"{n:,} articles, one keystroke in the filter (key to painted, pty)",
            Sample(app_times, "ms"),
            Sample(baseline, "ms"),
            "same keys, find field of a short article",
            "value_max",
            50,
            n=n,
            notes=[
                f"typed one key at a time: {typed}; worst keystroke {max(app_times):.1f} ms",
                f"the app's processor time per keystroke (all threads, to the frame and the "
                f"quiet after it) {cpu:.1f} ms median [{min(u[0] for u in usage):.1f}–"
                f"{max(u[0] for u in usage):.1f}]; its threads' wait for a core {waited:.1f} "
                f"ms median (load {os.getloadavg()[0]:.1f} at the end)",
            ],
        )
    ]


def _filter_typing(
    bench: Bench,
    folder: Path,
    marker: str,
    env: dict[str, str],
    queries: list[str],
    usage: list[tuple[float, float]],
) -> list[float]:
    """`reader` on *folder* in a pty: ms from each key typed into the filter field to the
    last byte of the frame that shows the narrowed list (each key's processor time and
    wait for a core appended to *usage*)."""
    command = [*bench.reader, "--model", "no-such-pipeline", str(folder)]
    with Terminal(command, env=env) as terminal:
        terminal.wait_for(marker, timeout=180)
        terminal.wait_quiet(1.0)  # the app's own (incremental) index update
        terminal.press("/")
        terminal.wait_quiet(QUIET)
        times = time_keystrokes(terminal, queries, "the filter field", usage)
        terminal.press("\x1b")
    return times
