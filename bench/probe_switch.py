"""Profile the cached switch (figure 2) in a real pty, by phase and thread.

    python bench/probe_switch.py N SWITCHES [--reader-path REPO] [--work DIR]

The figure's session (bench/fig_switch.py: the twelve ~1,000-word articles before the
generated library of size N, their entities cached), with the probe of
bench/cached_probe/sitecustomize.py loaded into the app: each cached switch's main-thread
CPU from Enter to the frame handed to the writer, the garbage collector's passes and
every thread's CPU in that window, then Enter to the marker on the terminal. Switches go
down the cached articles and back up. Set PROBE_PHASES / PROBE_RENDER for more (see the
probe's docstring); prints medians, and writes every switch to DIR/probe-N.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from pathlib import Path
from typing import Any

import fig_switch
from context import ROOT, Bench

from reader.entities.engines.spacy_engine import SpacyEngine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("switches", type=int)
    parser.add_argument("--reader-path", type=Path, default=ROOT)
    parser.add_argument("--work", type=Path, default=Path("/tmp/reader-switch-probe"))
    args = parser.parse_args()
    bench = Bench(work=args.work, sizes=[args.n], runs=1, quick=False, index_articles=0)
    articles = fig_switch.prepare(bench)
    library = bench.library(args.n)
    library.settle()
    trace = args.work / f"probe-{args.n}.jsonl"
    trace.unlink(missing_ok=True)
    state = f"probe-{args.n}"
    bench.clear_state(state)
    probe = Path(__file__).resolve().parent / "cached_probe"
    env = bench.env(state, PYTHONPATH=f"{probe}:{args.reader_path}", PROBE_TRACE=str(trace))
    for name in ("PROBE_PHASES", "PROBE_RENDER"):
        if name in os.environ:
            env[name] = os.environ[name]
    info = SpacyEngine().info
    shown = []
    with fig_switch.started(bench, state, env, articles, info, library.folder) as terminal:
        at, step = 0, 1
        for _ in range(args.switches):
            if not 0 <= at + step < fig_switch.WARM_UP:
                step = -step
            at += step
            terminal.press("\x1b")
            terminal.wait_quiet(fig_switch.QUIET)
            terminal.press("j" if step > 0 else "k")
            terminal.wait_quiet(fig_switch.QUIET)
            mark = terminal.mark
            pressed = terminal.press("\r")
            seen = terminal.wait_for(articles[at].marker, since=mark, timeout=30)
            shown.append((seen - pressed) * 1000)
            terminal.wait_quiet(fig_switch.QUIET)
    bench.clear_state(state)
    records = [json.loads(line) for line in trace.read_text().splitlines()]
    _report(args.n, shown, records)


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} [{min(values):.1f}-{max(values):.1f}]"


def _report(n: int, shown: list[float], records: list[dict[str, Any]]) -> None:
    print(f"N={n:,}, {len(shown)} cached switches, load {os.getloadavg()[0]:.2f}")
    print(f"  Enter -> marker on the terminal  {_median(shown)} ms")
    print(f"  main-thread CPU to the frame     {_median([r['cpu'] for r in records])} ms")
    collected = [sum(g[1] for g in r["gc"]) for r in records]
    print(f"  collector in the window          {_median(collected)} ms")
    others = [sum(v[0] for k, v in r["threads"].items() if k != "MAIN") for r in records]
    print(f"  other threads' CPU in the window {_median(others)} ms")
    names = sorted({k for r in records for k in r["threads"] if k != "MAIN"})
    for name in names:
        cpu = [r["threads"].get(name, (0.0, 0.0))[0] for r in records]
        print(f"    {name:30s} {_median(cpu)} ms")
    phases: dict[str, list[float]] = {}
    for record in records:
        for key, value in record["phases"].items():
            phases.setdefault(key, []).append(value)
    for key, values in sorted(phases.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {key:50s} {_median(values)} ms (in {len(values)})")


if __name__ == "__main__":
    main()
