"""Where an uncached switch's time goes: a timeline of each, in a real pty (a probe).

    python bench/switch_timeline.py [--sessions 2] [--reader-path DIR] [--work DIR]

Runs figure 2's session (bench/fig_switch.py: the twelve articles, N = 2,000) with the
probe in bench/switch_probe/ loaded into the app and its entity worker, and prints, for
the uncached switches (5 a session), the median of each segment from Enter to the frame
with the highlights: the key read, the request sent to the worker, the model (wall and
CPU), the answer received, the rules, the screen's handler, the highlights' frame (wall,
CPU, and each widget's share), the write. Not a figure: the probe wraps Textual's private
methods and adds a little to what it measures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import fig_switch
from context import Bench

from reader.entities.engines.spacy_engine import SpacyEngine

PROBE = Path(__file__).resolve().with_name("switch_probe")

Event = tuple[float, int, str, str, float, float, str]
"""perf_counter, pid, thread, event, thread CPU, process CPU, detail."""

SEGMENTS: list[tuple[str, Callable[[dict[str, Event], float, float], float]]] = [
    ("Enter written -> read by the app", lambda e, p, s: e["enter_read"][0] - p),
    ("read -> open_article", lambda e, p, s: e["open_article"][0] - e["enter_read"][0]),
    ("open_article -> request sent", lambda e, p, s: e["ask_end"][0] - e["open_article"][0]),
    ("sent -> model starts in the worker", lambda e, p, s: e["nlp_start"][0] - e["ask_end"][0]),
    ("model, wall", lambda e, p, s: e["nlp_end"][0] - e["nlp_start"][0]),
    ("  model, CPU", lambda e, p, s: e["nlp_end"][4] - e["nlp_start"][4]),
    ("model end -> answer received", lambda e, p, s: e["received"][0] - e["nlp_end"][0]),
    ("rules and corrections, wall", lambda e, p, s: e["rules_end"][0] - e["rules_start"][0]),
    ("  rules, CPU", lambda e, p, s: e["rules_end"][4] - e["rules_start"][4]),
    ("rules -> EntitiesReady handled", lambda e, p, s: e["ready"][0] - e["rules_end"][0]),
    ("on_entities_ready, wall", lambda e, p, s: e["ready_end"][0] - e["ready"][0]),
    ("-> highlights' frame starts", lambda e, p, s: e["frame"][0] - e["ready_end"][0]),
    ("highlights' frame, wall", lambda e, p, s: e["frame_end"][0] - e["frame"][0]),
    ("  highlights' frame, CPU", lambda e, p, s: e["frame_end"][4] - e["frame"][4]),
    ("frame end -> seen by the bench", lambda e, p, s: s - e["frame_end"][0]),
    ("Enter -> seen (the figure)", lambda e, p, s: s - p),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--reader-path", type=Path, default=Path(__file__).parents[1])
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="switch-timeline-"))
    reader_path = args.reader_path.resolve()
    bench = Bench(work, [2000], 1, False, 0, reader_path=reader_path)
    articles = fig_switch.prepare(bench)
    info = SpacyEngine().info
    library = bench.library(2000)
    library.settle()
    switches: list[tuple[list[Event], float, float]] = []
    widgets: list[str] = []
    for session in range(args.sessions):
        state = f"timeline-{session}"
        bench.clear_state(state)
        trace = work / f"trace-{session}.log"
        env = bench.env(state, reader_path=reader_path)
        env.update(
            PYTHONPATH=f"{PROBE}{os.pathsep}{env['PYTHONPATH']}",
            SWITCH_PROBE=str(trace),
            SWITCH_PROBE_APP="1",
        )
        times = []
        with fig_switch.started(bench, state, env, articles, info, library.folder) as terminal:
            for i in fig_switch.CACHED:
                fig_switch._open_next(terminal, articles[i].marker, 30)
            fig_switch._open_next(terminal, articles[fig_switch.WARM_UP].marker, 300)
            for i in fig_switch.UNCACHED:
                terminal.press("\x1b")
                terminal.wait_quiet(fig_switch.QUIET)
                terminal.press("j")
                terminal.wait_quiet(fig_switch.QUIET)
                mark = terminal.mark
                pressed = terminal.press("\r")
                shown = terminal.wait_for(articles[i].marker, since=mark, timeout=120)
                terminal.wait_quiet(fig_switch.QUIET)
                times.append((pressed, shown))
        events = _read(trace)
        for pressed, shown in times:
            window = [e for e in events if pressed - 0.005 <= e[0] <= shown + 0.2]
            switches.append((window, pressed, shown))
            widgets += [e[6] for e in window if e[3] == "hl_widgets"][:1]
        print(f"session {session + 1}: load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print(f"{len(switches)} uncached switches; medians in ms [range]")
    found = [_steps(window, pressed) for window, pressed, _ in switches]
    for name, segment in SEGMENTS:
        values = [
            segment(steps, pressed, shown) * 1000
            for steps, (_, pressed, shown) in zip(found, switches, strict=True)
            if steps is not None
        ]
        if values:
            print(
                f"  {name:38s} {statistics.median(values):6.1f} "
                f"[{min(values):.1f}-{max(values):.1f}]"
            )
    shares: dict[str, list[float]] = {}
    for line in widgets:
        for part in line.split():
            key, value = part.split("=")
            shares.setdefault(key, []).append(float(value))
    print("  the highlights' frame, CPU per widget (render_lines; REFLOW: the layout):")
    for key, values in sorted(shares.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"    {key:20s} {statistics.median(values):5.2f}")


def _read(trace: Path) -> list[Event]:
    events = []
    for line in trace.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ", 6)
        detail = parts[6] if len(parts) > 6 else ""
        events.append(
            (
                float(parts[0]),
                int(parts[1]),
                parts[2],
                parts[3],
                float(parts[4]),
                float(parts[5]),
                detail,
            )
        )
    return sorted(events)


def _steps(window: list[Event], pressed: float) -> dict[str, Event] | None:
    """The first of each step after Enter; the frame is the first one after the handler."""

    def first(name: str, after: float, detail: str | None = None) -> Event | None:
        return next(
            (
                e
                for e in window
                if e[0] >= after and e[3] == name and (detail is None or e[6] == detail)
            ),
            None,
        )

    steps: dict[str, Event | None] = {
        name: first(name, pressed)
        for name in (
            "enter_read",
            "open_article",
            "ask_end",
            "nlp_start",
            "nlp_end",
            "rules_start",
            "rules_end",
        )
    }
    steps["received"] = first("received", pressed, "end")
    steps["ready"] = first("entities_ready", pressed)
    steps["ready_end"] = ready_end = first("entities_ready_end", pressed)
    if ready_end is not None:
        steps["frame"] = first("timer_frame_start", ready_end[0])
        steps["frame_end"] = first("timer_frame_end", ready_end[0])
    if any(e is None for e in steps.values()) or len(steps) < 12:
        return None
    return {k: v for k, v in steps.items() if v is not None}


if __name__ == "__main__":
    main()
