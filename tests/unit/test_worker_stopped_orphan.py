"""The entity worker stopped with the app (Ctrl+Z: reader/entities/worker.py's
pause_workers) does not outlive an app killed while suspended: the kernel continues it
(SIGCONT, its parent-death signal) and it exits as it does when its parent is gone.

Real parts: a real parent process starting the real worker (the real spaCy pipeline), and
real signals; nothing mocked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PARENT = """
import sys, time
from reader.entities.worker import ChildProcess
child = ChildProcess("spacy", None)
print(child.pid, flush=True)
child.connection.recv()  # ready (or failed): the model loaded
print("ready", flush=True)
time.sleep(120)
"""


def state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return "gone"
    return stat.rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's prctl and /proc")
def test_a_stopped_worker_exits_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        assert parent.stdout.readline().strip() == "ready"
        os.kill(child, signal.SIGSTOP)  # as pause_workers does
        deadline = time.monotonic() + 5
        while state(child) != "T":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        parent.kill()  # `kill -9 %1` on the suspended app
        parent.wait()
        deadline = time.monotonic() + 10
        while state(child) not in ("gone", "Z"):
            assert time.monotonic() < deadline, f"the worker stayed: {state(child)}"
            time.sleep(0.05)
    finally:
        parent.kill()
        parent.wait()
        if state(child) not in ("gone", "Z"):
            os.kill(child, signal.SIGKILL)
