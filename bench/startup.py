"""Time `reader` in a real terminal (tmux): launch to first frame, and to first highlights.

    python bench/startup.py [--runs 5] [PATH ...]

First frame: the seed article's text is on screen. First highlights: the entity panel
lists a PERSON. Cold runs use an empty entity cache (spaCy must load and run); warm runs
reuse the cache filled by the cold runs. Prints medians and spreads in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READER = Path(sys.executable).with_name("reader")


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, check=False
    ).stdout


def run_once(
    paths: list[str], cache: Path, frame_text: str, ready_text: str
) -> tuple[float, float]:
    socket = f"reader-bench-{uuid.uuid4().hex[:8]}"
    command = " ".join([str(READER), *paths])
    shell = f"env -u COLUMNS -u LINES READER_CACHE_DIR={cache} {command}; sleep 30"
    start = time.perf_counter()
    tmux(socket, "-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "50", shell)
    first_frame = first_highlights = None
    try:
        while time.perf_counter() - start < 60:
            screen = tmux(socket, "capture-pane", "-p")
            now = time.perf_counter() - start
            if first_frame is None and frame_text in screen:
                first_frame = now
            if first_frame is not None and ready_text in screen:
                first_highlights = now
                break
            time.sleep(0.005)
    finally:
        tmux(socket, "kill-server")
    if first_frame is None or first_highlights is None:
        raise RuntimeError("reader did not show the article in 60 s")
    return first_frame * 1000, first_highlights * 1000


def summary(values: list[float]) -> str:
    median = statistics.median(values)
    return f"median {median:7.0f} ms  (min {min(values):.0f}, max {max(values):.0f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "seeds")])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--frame-text", default="bilateral")
    parser.add_argument("--ready-text", default="PERSON (")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("needs tmux", file=sys.stderr)
        return 2
    results: dict[str, tuple[list[float], list[float]]] = {"cold": ([], []), "warm": ([], [])}
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            cache = Path(scratch) / f"cache-{run}"
            for kind in ("cold", "warm"):
                frame, ready = run_once(args.paths, cache, args.frame_text, args.ready_text)
                results[kind][0].append(frame)
                results[kind][1].append(ready)
    print(f"reader startup in tmux, {args.runs} runs each, {os.cpu_count()} cores")
    for kind, (frames, readies) in results.items():
        print(f"{kind:5} first frame:      {summary(frames)}")
        print(f"{kind:5} first highlights: {summary(readies)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
