"""The index build's read-ahead child: it reads what this process would, and never
outlives its use (closed, killed, failed, or its parent gone)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.library import Problem, read_article
from reader.search.reading import ReadAhead, Request, prepare


def _gone(pid: int, seconds: float = 10.0) -> bool:
    """Whether process *pid* ended (reaped, or a zombie nobody reaps) within *seconds*."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def _library(tmp_path: Path) -> list[Path]:
    paths = []
    for i in range(7):
        path = tmp_path / f"a{i}.txt"
        path.write_text(f"Title {i}\n\nZoë met the minister in Genève, {i} times.\n")
        paths.append(path)
    (tmp_path / "empty.txt").write_text("  \n")
    return [*paths, tmp_path / "empty.txt"]


def test_the_child_reads_what_this_process_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _library(tmp_path)
    # Another copy of reader in the working directory (the app started in a checkout of
    # an older version) is not what the child imports: it imports this process's.
    (tmp_path / "elsewhere" / "reader").mkdir(parents=True)
    (tmp_path / "elsewhere" / "reader" / "__init__.py").write_text("raise ImportError")
    monkeypatch.chdir(tmp_path / "elsewhere")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "elsewhere"))
    expected = []
    for path in paths:
        read = read_article(path)
        expected.append(None if isinstance(read, Problem) else prepare(read, str(path)))
    assert expected[-1] is None and all(expected[:-1])
    requests: list[Request] = [(str(path), None) for path in paths]
    requests[1] = None  # in memory: not asked
    first = read_article(paths[2])
    assert not isinstance(first, Problem)
    requests[2] = (str(paths[2]), (first.sha256, 99))  # the library's count, same hash
    with ReadAhead([requests[:3], requests[3:]]) as ahead:
        assert ahead.start()
        got = [item for batch in ahead.batches() for item in batch]
        process = ahead._process
        assert process is not None
    assert got[0] == expected[0] and got[1] is None
    assert got[2] is not None and got[2][4] == 99 and got[2][:4] == expected[2][:4]
    assert got[3:] == expected[3:]
    assert process.poll() is not None  # closed: ended and reaped


def test_a_child_that_dies_leaves_the_rest_to_this_process(tmp_path: Path) -> None:
    paths = _library(tmp_path)
    expected = [prepare(read, str(path)) for path in paths[:-1] if (read := read_article(path))]
    # More answers than the pipe holds: those written before the kill are read, the rest
    # come as None (the caller reads them itself).
    batches: list[list[Request]] = [[(str(path), None) for path in paths[:-1]]] * 500
    with ReadAhead(batches) as ahead:
        assert ahead.start()
        answers = ahead.batches()
        assert next(answers) == expected
        process = ahead._process
        assert process is not None
        process.kill()
        rest = list(answers)
    assert len(rest) == 499
    read = [batch for batch in rest if batch[0] is not None]
    assert all(batch == expected for batch in read)
    assert rest[len(read) :] == [[None] * len(expected)] * (499 - len(read))
    assert len(read) < 200
    assert process.poll() is not None


def test_closed_early_the_child_is_killed(tmp_path: Path) -> None:
    # A cancelled build stops between batches: the child, blocked writing what nobody
    # reads, is killed and reaped.
    paths = _library(tmp_path)
    with ReadAhead([[(str(path), None) for path in paths]] * 50) as ahead:
        assert ahead.start()
        next(ahead.batches())
        process = ahead._process
        assert process is not None
    assert process.poll() is not None


def test_a_parent_that_dies_leaves_no_child(tmp_path: Path) -> None:
    paths = _library(tmp_path)
    script = f"""
import os, signal, sys
from reader.search.reading import ReadAhead
paths = {[str(path) for path in paths]!r}
ahead = ReadAhead([[(path, None) for path in paths]] * 200)
assert ahead.start()
next(ahead.batches())
print(ahead._process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert _gone(int(done.stdout.split()[0]))
