"""Profile figure 2's uncached switch with py-spy in a real pty, and fold it into a table.

    python bench/profile_uncached.py [--n 10000] [--sessions 2] [--rate 1000] [--native]
                                     [--reader-path DIR] [--work DIR]

Figure 2's session (bench/fig_switch.py: the twelve ~1,000-word articles before the
generated library of size N, the background pass off), in a pty as bench/run.py drives
it. Once article 6 has loaded the model, ``py-spy record --subprocesses --idle
--nonblocking --format chrometrace`` attaches to the app (and so its entity worker) for
the five uncached switches (articles 7-11); then the baseline, the same pipeline alone as
fig_switch times it (``nlp(text)`` warm, three runs), runs on the same texts under the same
py-spy as its parent. A chrome trace keeps when each sample was taken, so each switch's
window (Enter to the highlights on the terminal, the bench's clock) is cut out of it: the
clocks are aligned by the app's main thread waking for each key the bench pressed (the
mode of "first sample after a key - the key's time"; it includes the key's read, ~1-2 ms).

Why so: py-spy's blocking mode (ptrace stops) hung the app in the pty; without --idle a
chrome trace stretches a thread's last stack over its idle time, so every stack is kept
and those whose innermost Python frame blocks in C (:data:`BLOCKED`) count as waiting; and
py-spy cannot tell a thread running from one waiting for a core, so each thread's CPU in
the window is its schedstat's (read by the bench at Enter and at the highlights), split
by its samples' parts.

For each switch: the wall time; the worker's CPU on the model (spaCy/thinc frames), on
the pipe (multiprocessing's connection, pickle) and the rest; the baseline's CPU for the
same text; the app's CPU by thread and part (each sample goes to the innermost reader
module on its stack: the request, the answer, the rules, the screen's handlers, the
widgets; none: Textual's rendering, styles and layout, or events, timers and output); and
the wait: the wall time of the serial path (Enter -> the worker's first model sample ->
its last -> the frame) less the CPU on it. Not a figure: py-spy takes a core share itself
(printed). Writes the traces and a JSON of every switch in --work; --fold-only folds them
again.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fig_switch
from context import Bench

from reader.entities.engines.spacy_engine import SpacyEngine

PY_SPY = Path(sys.executable).with_name("py-spy")
ATTACH = 2.0
"""Seconds given to py-spy to attach to the app and find its worker before the first key."""

Frame = tuple[str, str]
"""(function, file) as py-spy names them."""


@dataclass
class Segment:
    start: float
    end: float
    stack: tuple[Frame, ...]
    """Outermost first."""


@dataclass
class Thread:
    pid: int
    tid: int
    segments: list[Segment] = field(default_factory=list)

    @property
    def is_main(self) -> bool:
        """A process's main thread: its outermost frame is a module's, not a thread's."""
        return any(f == "<module>" for s in self.segments[:50] for f, _ in s.stack[:2])

    def cpu(self, start: float, end: float) -> list[tuple[float, tuple[Frame, ...]]]:
        """Each sampled stack's time inside [start, end] (seconds), but a blocked one's."""
        out = []
        for s in self.segments:
            if blocked(s.stack):
                continue
            a, b = max(s.start, start), min(s.end, end)
            if b > a:
                out.append((b - a, s.stack))
        return out


def read_trace(path: Path) -> list[Thread]:
    """The samples of a py-spy chrome trace as each thread's runs of one stack."""
    events = json.loads(path.read_text(encoding="utf-8"))
    threads: dict[tuple[int, int], Thread] = {}
    stacks: dict[tuple[int, int], list[Frame]] = defaultdict(list)
    last: dict[tuple[int, int], float] = {}
    for event in events:
        if event.get("ph") not in ("B", "E"):
            continue
        key = (event["pid"], event["tid"])
        thread = threads.setdefault(key, Thread(*key))
        ts = event["ts"] / 1e6
        stack = stacks[key]
        if stack and ts > last.get(key, ts):
            thread.segments.append(Segment(last[key], ts, tuple(stack)))
        last[key] = ts
        if event["ph"] == "B":
            stack.append((event["name"], event["args"].get("filename", "")))
        elif stack:
            stack.pop()
    return list(threads.values())


# What each sample is spent on.

BLOCKED = (
    "select",  # selectors.py: the event loop, multiprocessing's wait
    "Condition.wait",
    "Event.wait",
    "Thread.join",
    "Thread._wait_for_tstate_lock",
    "Connection._recv",  # a blocking read of the pipe (the data itself is read at once)
    "_worker",  # concurrent.futures' idle thread, on its queue
    "WriterThread.run",  # Textual's writer, on its queue
    "watch",  # the library's file watcher
    "sleep",
)
"""py-spy records every thread's stack (--idle): a stack whose innermost Python frame is
one of these (by the end of its name) waits in C (a lock, a queue, a select, a read)."""


def blocked(stack: tuple[Frame, ...]) -> bool:
    return bool(stack) and stack[-1][0].endswith(BLOCKED)


ENTRY = ("reader/__main__.py", "reader/cli/", "reader/ui/app.py")
"""Reader frames that sit under everything (the entry point, the app's run)."""


TEXTUAL = (
    (
        "Textual: styles, DOM, layout",
        (
            "/textual/css/",
            "/textual/dom.py",
            "/textual/widget.py",
            "/textual/_arrange.py",
            "/textual/_layout",
            "/textual/layouts/",
        ),
    ),
    (
        "Textual: events, timers, loop, output",
        (
            "/textual/message_pump.py",
            "/textual/_callback.py",
            "/textual/app.py",
            "/textual/timer.py",
            "/textual/drivers/",
            "/textual/events.py",
            "/textual/screen.py",
            "/asyncio/",
        ),
    ),
    ("Textual/Rich: rendering (compositor, strips, segments)", ("/textual/", "/rich/")),
)
"""Where a sample with no reader frame goes: by its innermost Textual, Rich or asyncio frame."""


def app_part(stack: tuple[Frame, ...]) -> str:
    """The part of the app a sample of its process belongs to: by its innermost reader frame."""
    if any(f == "update_index" and "entities/library/writing" in file for f, file in stack):
        return "entity index update (the previous switch's entities)"
    for function, file in reversed(stack):
        if "/reader/" not in file or any(e in file for e in ENTRY):
            continue
        module = file.split("/reader/", 1)[1]
        if module == "entities/worker.py":
            return "request (ask)" if function == "ask" else "answer (pipe, spans)"
        if module.startswith("entities/"):
            return "rules (finder.finish)" if "cache" not in module else "entity cache"
        if module.startswith(("search/", "store/")) or "entity_pages" in module:
            return "cache/index writes"
        if module.startswith("ui/widgets/"):
            stem = Path(module).stem
            return f"widget {stem}" + (
                " (entity panel and legend rows)" if stem == "row_list" else ""
            )
        if module.startswith("ui/screens/"):
            return f"screen {Path(module).stem}.{function}"
        if module == "ui/frames.py":
            return "frame (reader/ui/frames.py + Textual under it)"
        return f"reader {module}"
    for _, file in reversed(stack):
        for group, modules in TEXTUAL:
            if any(m in file for m in modules):
                return group
    return "other (no reader or Textual frame)"


def worker_part(stack: tuple[Frame, ...]) -> str:
    """What the entity worker's sample is: the model, the pipe, or the rest."""
    files = [file for _, file in stack]
    if any("/spacy/" in f or "/thinc/" in f or "/numpy/" in f for f in files):
        return "model"
    if any("multiprocessing/connection" in f or "pickle" in f for f in files):
        return "pipe (send/recv, pickle)"
    if any("spacy_engine" in f or "engines/base" in f for f in files):
        return "engine glue"
    return "worker other"


def total(samples: Iterable[tuple[float, Any]]) -> float:
    return sum(t for t, _ in samples)


# Running the session and the baseline.


def spy(command: list[str], out: Path, args: argparse.Namespace) -> list[str]:
    rate, native, blocking = args.rate, args.native, args.blocking
    flags = ["record", "--format", "chrometrace", "--rate", str(rate), "--full-filenames"]
    flags += ["--idle", "--nolineno", "--output", str(out), *(["--native"] if native else [])]
    flags += [] if blocking else ["--nonblocking"]
    return [str(PY_SPY), *flags, *command]


@dataclass
class Switch:
    session: int
    article: int
    pressed: float
    shown: float
    keys: list[float]
    """Every key of the switch (Escape, j, Enter), perf_counter."""
    before: dict[str, list[float]]
    """Each thread's (ms on a CPU, ms runnable waiting for one) at Enter, by "pid/tid"."""
    after: dict[str, list[float]]
    """The same once the highlights were on the terminal."""


def schedstat(app: int) -> dict[str, list[float]]:
    """Every thread of *app* and of its children: (ms on a CPU, ms waiting for one)."""
    pids = [app]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == app:
                pids.append(int(entry.name))
    out = {}
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                run, wait, _ = (task / "schedstat").read_text().split()
            except (OSError, ValueError):
                continue
            out[f"{pid}/{task.name}"] = [int(run) / 1e6, int(wait) / 1e6]
    return out


def session(
    bench: Bench, number: int, args: argparse.Namespace, articles: list[fig_switch.SwitchArticle]
) -> tuple[list[Switch], float, Path]:
    state = f"profile-{number}"
    bench.clear_state(state)
    env = bench.env(state, reader_path=args.reader_path)
    library = bench.library(args.n)
    info = SpacyEngine().info
    trace = args.work / f"app-{number}.json"
    switches = []
    with fig_switch.started(bench, state, env, articles, info, library.folder) as terminal:
        for i in fig_switch.CACHED:
            fig_switch._open_next(terminal, articles[i].marker, 30)
        fig_switch._open_next(terminal, articles[fig_switch.WARM_UP].marker, 300)
        command = ["--subprocesses", "--pid", str(terminal.pid)]
        started = time.perf_counter()
        recorder = subprocess.Popen(
            spy(command, trace, args),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(ATTACH)
        for i in fig_switch.UNCACHED:
            keys = [terminal.press("\x1b")]
            terminal.wait_quiet(fig_switch.QUIET)
            keys.append(terminal.press("j"))
            terminal.wait_quiet(fig_switch.QUIET)
            mark = terminal.mark
            before = schedstat(terminal.pid)
            pressed = terminal.press("\r")
            shown = terminal.wait_for(articles[i].marker, since=mark, timeout=40)
            after = schedstat(terminal.pid)
            terminal.wait_quiet(fig_switch.QUIET)
            switches.append(Switch(number, i, pressed, shown, [*keys, pressed], before, after))
        fields = Path(f"/proc/{recorder.pid}/stat").read_text().rsplit(")", 1)[1].split()
        spy_cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        print(
            f"py-spy: {spy_cpu / (time.perf_counter() - started):.0%} of a core while it ran",
            file=sys.stderr,
        )
        recorder.send_signal(signal.SIGINT)
        _, said = recorder.communicate(timeout=120)
        if recorder.returncode not in (0, -signal.SIGINT) or not trace.exists():
            raise RuntimeError(f"py-spy failed: {said.decode(errors='replace')}")
    return switches, started, trace


def baseline(args: argparse.Namespace, number: int, texts: list[str]) -> tuple[Path, Path]:
    """The pipeline alone on *texts* under py-spy (its parent): its trace and its own times."""
    work = args.work
    source = work / f"texts-{number}.json"
    source.write_text(json.dumps(texts), encoding="utf-8")
    times = work / f"alone-{number}.json"
    trace = work / f"alone-{number}-trace.json"
    here = Path(__file__).resolve()
    child = [sys.executable, str(here), "--alone", str(source), str(times)]
    env = {**os.environ, "PYTHONPATH": f"{here.parent}{os.pathsep}{args.reader_path}"}
    subprocess.run(
        spy(["--", *child], trace, args),
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return trace, times


def measured(nlp: Any, text: str) -> None:
    """fig_switch's three timed runs (this function's name marks them in the trace)."""
    for _ in range(3):
        nlp(text)


def alone(source: Path, out: Path) -> None:
    """The child: fig_switch's baseline, with idle gaps between texts for the trace."""
    import pipeline

    nlp = pipeline.load()
    result = []
    for text in json.loads(source.read_text(encoding="utf-8")):
        nlp(text)  # warm, as fig_switch
        time.sleep(0.3)
        wall, cpu = time.perf_counter(), time.process_time()
        measured(nlp, text)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        result.append({"wall_ms": wall / 3 * 1000, "cpu_ms": cpu / 3 * 1000})
        time.sleep(0.3)
    out.write_text(json.dumps(result), encoding="utf-8")


# Folding.


def align(threads: list[Thread], keys: list[float]) -> float:
    """The trace's time of perf_counter 0: the mode of (first main-thread sample after a
    quiet gap - the key before it), in 1 ms bins of 3 ms windows."""
    main = [t for t in threads if t.is_main and t.pid == min(x.pid for x in threads)]
    if not main:
        raise RuntimeError("no main thread of the app in the trace")
    starts, end = [], -1.0
    active = (s for t in main for s in t.segments if not blocked(s.stack))
    for s in sorted(active, key=lambda s: s.start):
        if s.start - end > 0.1:
            starts.append(s.start)
        end = max(end, s.end)
    votes: dict[int, int] = defaultdict(int)
    for key in keys:
        for start in starts:
            d = start - key
            for b in range(round(d * 1000) - 1, round(d * 1000) + 2):
                votes[b] += 1
    best = max(votes.values())
    return min(b for b, v in votes.items() if v == best) / 1000


def fold_switch(
    threads: list[Thread], app_pid: int, switch: Switch, start: float, end: float
) -> dict[str, Any]:
    """One switch: py-spy's samples say where each thread's time went (shares, and when),
    the threads' schedstat how much of it was on a CPU (py-spy cannot tell a running
    thread from one waiting for a core: at load 10 the baseline's 106 ms of CPU took
    490 ms of samples)."""
    app = [t for t in threads if t.pid == app_pid]
    workers = [t for t in threads if t.pid != app_pid]
    main = next(t for t in app if t.is_main)
    cpu: dict[str, float] = defaultdict(float)
    runnable: dict[str, float] = defaultdict(float)
    for key, (run, wait) in switch.after.items():
        pid, tid = map(int, key.split("/"))
        was = switch.before.get(key, [0.0, 0.0])
        group = (
            "app main" if tid == app_pid else "app other threads" if pid == app_pid else ("worker")
        )
        cpu[group] += run - was[0]
        runnable[group] += wait - was[1]
    groups = {"app main": [main], "app other threads": [t for t in app if t is not main]}
    groups["worker"] = workers
    worker_model = [
        s
        for t in workers
        for s in t.segments
        if s.end > start
        and s.start < end
        and not blocked(s.stack)
        and worker_part(s.stack) == "model"
    ]
    model_start = min((s.start for s in worker_model), default=start)
    model_end = max((s.end for s in worker_model), default=start)
    model_start, model_end = max(model_start, start), min(model_end, end)
    row: dict[str, Any] = {"wall": (end - start) * 1000, "cpu": dict(cpu)}
    row["runnable"] = dict(runnable)
    parts: dict[str, float] = defaultdict(float)
    phase_cpu: dict[str, float] = defaultdict(float)
    for group, members in groups.items():
        samples = [x for t in members for x in t.cpu(start, end)]
        active = total(samples)
        if not active:
            continue
        scale = cpu[group] / active  # sampled seconds -> ms of CPU
        for t, stack in samples:
            part = worker_part(stack) if group == "worker" else app_part(stack)
            parts[f"{group}: {part}"] += t * scale
        if group != "worker":  # what of it is on the path: after the model's last sample
            for t, stack in (x for th in members for x in th.cpu(model_end, end)):
                parts[f"after the model, {group}: {app_part(stack)}"] += t * scale
        for phase, (a, b) in (("before", (start, model_start)), ("after", (model_end, end))):
            phase_cpu[f"{group} {phase}"] += sum(total(t.cpu(a, b)) for t in members) * scale
    row["parts"] = dict(parts)
    before = phase_cpu["app main before"]
    after = phase_cpu["app main after"] + phase_cpu["app other threads after"]
    row["phases"] = {
        "Enter -> the model's first sample": ((model_start - start) * 1000, before),
        "the model (worker CPU, all of it)": ((model_end - model_start) * 1000, cpu["worker"]),
        "the model's last sample -> on the terminal": ((end - model_end) * 1000, after),
    }
    row["wait"] = row["wall"] - before - cpu["worker"] - after
    return row


def alone_per_text(threads: list[Thread]) -> list[float]:
    """ms of CPU per run of each text: the samples under ``measured``, grouped by gaps."""
    runs = sorted(
        (s for t in threads for s in t.segments if any(f == "measured" for f, _ in s.stack)),
        key=lambda s: s.start,
    )
    groups: list[float] = []
    end = -1.0
    for s in runs:
        if s.start - end > 0.15:
            groups.append(0.0)
        groups[-1] += (s.end - s.start) * 1000 / 3
        end = s.end
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--native", action="store_true")
    parser.add_argument("--blocking", action="store_true", help="pause the processes to sample")
    parser.add_argument("--reader-path", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--work", type=Path)
    parser.add_argument("--fold-only", action="store_true", help="fold --work's traces again")
    parser.add_argument("--alone", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.alone:
        alone(*args.alone)
        return
    args.work = (args.work or Path(tempfile.mkdtemp(prefix="profile-uncached-"))).resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    args.reader_path = args.reader_path.resolve()
    bench = Bench(args.work, [args.n], 1, False, 0, reader_path=args.reader_path)
    articles = fig_switch.prepare(bench)
    if not args.fold_only:
        bench.library(args.n).settle()
    texts = [articles[i].article.text for i in fig_switch.UNCACHED]
    rows = []
    for number in range(args.sessions):
        load = os.getloadavg()[0]
        keys = args.work / f"keys-{number}.json"
        if args.fold_only:
            saved = json.loads(keys.read_text(encoding="utf-8"))
            switches = [Switch(**x) for x in saved["switches"]]
            load = saved.get("load", float("nan"))
            started, trace = saved["started"], args.work / f"app-{number}.json"
            alone_trace = args.work / f"alone-{number}-trace.json"
            alone_times = args.work / f"alone-{number}.json"
        else:
            switches, started, trace = session(bench, number, args, articles)
            saved = {"started": started, "switches": [vars(x) for x in switches], "load": load}
            keys.write_text(json.dumps(saved), encoding="utf-8")
            alone_trace, alone_times = baseline(args, number, texts)
        threads = read_trace(trace)
        app_pid = min(t.pid for t in threads)
        offset = align(threads, [k - started for s in switches for k in s.keys])
        alone_cpu = alone_per_text(read_trace(alone_trace))
        alone_own = json.loads(alone_times.read_text(encoding="utf-8"))
        for k, switch in enumerate(switches):
            row = fold_switch(
                threads,
                app_pid,
                switch,
                switch.pressed - started + offset,
                switch.shown - started + offset,
            )
            row.update(
                session=number,
                article=switch.article,
                offset_ms=offset * 1000,
                load=load,
                alone_wall=alone_own[k]["wall_ms"],
                alone_cpu=alone_own[k]["cpu_ms"],
                alone_spy=alone_cpu[k] if k < len(alone_cpu) else float("nan"),
            )
            rows.append(row)
        print(
            f"session {number + 1}: load {load:.2f} -> {os.getloadavg()[0]:.2f}, "
            f"clock offset {offset * 1000:.1f} ms",
            file=sys.stderr,
        )
    (args.work / "switches.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    report(rows)
    print(f"traces and switches.json in {args.work}")


def report(rows: list[dict[str, Any]]) -> None:
    def med(values: list[float]) -> str:
        return f"{statistics.median(values):6.1f} [{min(values):.1f}-{max(values):.1f}]"

    def part(r: dict[str, Any], prefix: str) -> float:
        return sum(v for k, v in r["parts"].items() if k.startswith(prefix))

    print(f"{len(rows)} uncached switches, ms (CPU: schedstat, split by py-spy's samples)")
    print(
        "switch   wall  alone wall/CPU  worker model/pipe/rest (runnable)  "
        "app main (runnable)  app others  wait"
    )
    for r in rows:
        print(
            f"s{r['session'] + 1} a{r['article']:<3} {r['wall']:6.1f}  "
            f"{r['alone_wall']:6.1f} {r['alone_cpu']:6.1f}  "
            f"{part(r, 'worker: model'):6.1f} {part(r, 'worker: pipe'):5.1f} "
            f"{part(r, 'worker: engine') + part(r, 'worker: worker'):5.1f} "
            f"({r['runnable'].get('worker', 0):5.1f})  "
            f"{r['cpu'].get('app main', 0):6.1f} ({r['runnable'].get('app main', 0):5.1f})  "
            f"{r['cpu'].get('app other threads', 0):6.1f}  {r['wait']:6.1f}"
        )
    print("medians [range]:")
    line = "  {:56s} {}"
    print(line.format("wall, Enter -> highlights on the terminal", med([r["wall"] for r in rows])))
    alone_wall = [r["alone_wall"] for r in rows]
    print(line.format("md alone, wall (fig_switch's baseline)", med(alone_wall)))
    print(line.format("md alone, CPU", med([r["alone_cpu"] for r in rows])))
    ratio = [r["wall"] / r["alone_wall"] for r in rows]
    print(line.format("ratio, per switch", med(ratio)))
    print("  the serial path: wall (py-spy's clock) / CPU on it")
    for phase in rows[0]["phases"]:
        walls = [r["phases"][phase][0] for r in rows]
        cpus = [r["phases"][phase][1] for r in rows]
        print(f"    {phase:46s} {med(walls)} / {med(cpus)}")
    print(line.format("wait: wall - CPU on the path", med([r["wait"] for r in rows])))
    for group in ("worker", "app main"):
        runnable = [r["runnable"].get(group, 0.0) for r in rows]
        print(line.format(f"  of it, the {group} runnable, waiting for a core", med(runnable)))
    print("  CPU in the window by process, thread and part (the app's after the model too):")
    keys = sorted({k for r in rows for k in r["parts"]})
    values = {k: [r["parts"].get(k, 0.0) for r in rows] for k in keys}
    for k in sorted(keys, key=lambda k: -statistics.median(values[k])):
        if statistics.median(values[k]) >= 0.2:
            print(f"    {k[:70]:70s} {med(values[k])}")
    print("  wall - md alone, per switch, by cause:")
    causes = {
        "the worker's model CPU - md alone's CPU": lambda r: (
            part(r, "worker: model") - r["alone_cpu"]
        ),
        "the worker's pipe and the rest": lambda r: (
            r["cpu"].get("worker", 0.0) - part(r, "worker: model")
        ),
        "the app's CPU on the path (before + after the model)": lambda r: (
            r["phases"]["Enter -> the model's first sample"][1]
            + r["phases"]["the model's last sample -> on the terminal"][1]
        ),
        "wait - md alone's (wall - CPU)": lambda r: r["wait"] - (r["alone_wall"] - r["alone_cpu"]),
        "the miss: wall - 1.3 x md alone": lambda r: r["wall"] - 1.3 * r["alone_wall"],
    }
    for name, cause in causes.items():
        print(line.format(name, med([cause(r) for r in rows])))
    # Additive (means): the CPU on the serial path beyond md alone's, part by part.
    n = len(rows)
    items = [
        (
            "the model: worker - md alone",
            sum(part(r, "worker: model") - r["alone_cpu"] for r in rows),
        ),
        (
            "the worker's pipe and the rest",
            sum(r["cpu"]["worker"] - part(r, "worker: model") for r in rows),
        ),
        (
            "the app before the model (the request)",
            sum(r["phases"]["Enter -> the model's first sample"][1] for r in rows),
        ),
    ]
    after: dict[str, float] = defaultdict(float)
    for r in rows:
        for k, v in r["parts"].items():
            if k.startswith("after the model, "):
                after[k.removeprefix("after the model, ")] += v
    items += sorted(after.items(), key=lambda kv: -kv[1])
    excess = sum(v for _, v in items) / n
    print(f"  CPU on the path beyond md alone's: {excess:.1f} ms a switch (means), of it:")
    for name, value in items:
        if abs(value / n) >= 0.2:
            print(f"    {name[:62]:62s} {value / n:6.1f} ms {value / n / excess:5.0%}")


if __name__ == "__main__":
    main()
