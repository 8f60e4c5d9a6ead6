"""The entity model in a worker process: the same spans, cancellable, restartable, never orphaned.

Every test runs the real pipeline in a real child process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reader.entities.engines import Cancelled, NoModel
from reader.entities.engines.base import MAX_CHUNK, paragraphs
from reader.entities.engines.spacy_engine import SpacyEngine
from reader.entities.span import Span
from reader.entities.worker import WorkerRecognizer, WorkerStopped, close_workers
from reader.entities.worker_child import batches

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc to see processes end"
)


@pytest.fixture
def worker() -> WorkerRecognizer:
    """The worker process's recognizer, its pipeline loaded."""
    worker = WorkerRecognizer()
    worker.extract("Angela Merkel visited Paris.")
    assert worker.loaded
    return worker


def seed_text(seed_path: Path) -> str:
    return seed_path.read_text(encoding="utf-8")


def generated_text(seed_path: Path) -> str:
    """Many batches' worth: the seed's paragraphs with typographic quotes, a huge one, blanks."""
    seed = seed_text(seed_path).replace("'", "’").replace('"', "”")
    huge = "“Angela Merkel’s visit,” said the BBC in Paris. " * (MAX_CHUNK // 40)
    return "\n\n".join([seed, "  \n", huge, seed.upper(), "Tail: Emmanuel Macron.\n"] * 2)


def long_text(seed_path: Path) -> str:
    """Some 560 paragraphs: a couple of seconds of model time, dozens of batches."""
    return "\n\n".join([seed_text(seed_path)] * 40)


def gone(pid: int) -> bool:
    """Whether process *pid* has ended (a zombie waiting for its new parent counts)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_batches_are_even_and_bounded() -> None:
    assert [len(b) for _, b in batches(["p"] * 34, 16)] == [12, 12, 10]
    assert [first for first, _ in batches(["p"] * 34, 16)] == [0, 12, 24]
    assert [len(b) for _, b in batches(["x" * 9000] * 5, 16, chars=20_000)] == [2, 2, 1]
    assert [len(b) for _, b in batches(["x" * 30_000, "y"], 16, chars=20_000)] == [1, 1]
    assert list(batches([], 16)) == []


@pytest.mark.parametrize("make_text", [seed_text, generated_text], ids=["seed", "generated"])
def test_the_worker_finds_exactly_the_in_process_spans(
    worker: WorkerRecognizer, recognizer: SpacyEngine, seed_path: Path, make_text: object
) -> None:
    text = make_text(seed_path)  # type: ignore[operator]
    expected = recognizer.extract(text)
    assert len(expected) > 50
    assert worker.extract(text) == expected
    assert worker.extract("") == [] == recognizer.extract("")


def test_the_generated_text_spans_several_batches_and_folds_quotes(seed_path: Path) -> None:
    text = generated_text(seed_path)
    chunks = [chunk for _, chunk in paragraphs(text)]
    assert len(list(batches(chunks))) > 3
    assert "’" in text and "“" in text


def test_the_app_process_never_imports_spacy(seed_path: Path, tmp_path: Path) -> None:
    # The app's finder (the workspace's, as ReaderApp gets it) on an uncached article.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from reader.library import read_article\n"
        "from reader.settings import Settings\n"
        "from reader.workspace import Workspace\n"
        f"settings = Settings(article_paths=[], db_path=Path({str(tmp_path / 'db.json')!r}),"
        f" cache_dir=Path({str(tmp_path / 'cache')!r}))\n"
        "finder = Workspace(settings).finder\n"
        f"article = read_article(Path({str(seed_path)!r}))\n"
        "assert finder.cached(article.sha256, article.text) is None\n"
        "spans = finder.find(article.sha256, article.text)\n"
        "print(len(spans), 'spacy' in sys.modules, getattr(finder.recognizer, 'pid', None) is not None)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    count, spacy_loaded, had_worker = result.stdout.split()
    assert int(count) > 50
    assert (spacy_loaded, had_worker) == ("False", "True")


def test_the_worker_starts_while_textual_captures_stderr() -> None:
    # A running Textual app's sys.stderr answers fileno() with -1 (textual#3593), which
    # made starting multiprocessing's resource tracker fail: "bad value(s) in fds_to_keep".
    code = (
        "import sys\n"
        "class Capture:\n"
        "    def write(self, text): return len(text)\n"
        "    def flush(self): pass\n"
        "    def fileno(self): return -1\n"
        "capture = sys.stderr = Capture()\n"
        "from reader.entities.worker import WorkerRecognizer\n"
        "spans = WorkerRecognizer().extract('Angela Merkel visited Paris.')\n"
        "print(len(spans), sys.stderr is capture)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == ["2", "True"]


def test_the_worker_imports_this_reader_wherever_the_app_is(tmp_path: Path) -> None:
    # A parent whose path has "" (the working directory, as `python -c` and `python` give)
    # now in a folder with another copy of reader and a json.py, PYTHONPATH naming another:
    # the worker imports neither (isolated, this reader first: reader/children.py).
    for folder in ("here", "elsewhere"):
        (tmp_path / folder / "reader").mkdir(parents=True)
        (tmp_path / folder / "reader" / "__init__.py").write_text("raise ImportError('copy')")
    (tmp_path / "here" / "json.py").write_text("raise ImportError('json')")
    code = (
        "import os, sys\n"
        "from reader.entities.worker import WorkerRecognizer\n"
        "assert sys.path[0] == ''\n"
        "os.chdir(sys.argv[1])\n"
        "spans = WorkerRecognizer().extract('Angela Merkel visited Paris.')\n"
        "print(len(spans))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "elsewhere")}
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "here")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["2"]


def test_a_worker_that_cannot_start_says_why(tmp_path: Path) -> None:
    # sys.executable that is not the Python reader runs on (a wrapper, another Python
    # without spaCy): the child dies before it can send anything; what it said on its
    # stderr is the reason given, not only its exit code.
    fake = tmp_path / "python with spaces"
    fake.write_text(
        "#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
        "printf 'ModuleNotFoundError: No module named \\033[31mspacy\\n' >&2\n"
        "exit 3\n"
    )
    fake.chmod(0o755)
    code = (
        "import sys\n"
        "from reader.entities.worker import WorkerRecognizer\n"
        "sys.executable = sys.argv[1]\n"
        "try:\n"
        "    WorkerRecognizer().extract('Angela Merkel visited Paris.')\n"
        "except Exception as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(fake)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    said = result.stdout.strip()
    assert "exit code 3" in said and "ModuleNotFoundError: No module named" in said, said
    assert "\033" not in said  # what a child printed is not a terminal's control sequence


def test_the_worker_is_the_only_process_started() -> None:
    # Spawning with multiprocessing started its resource tracker too: 13 MB for nothing.
    code = (
        "import os, multiprocessing.resource_tracker as tracker\n"
        "from reader.entities.worker import WorkerRecognizer\n"
        "worker = WorkerRecognizer()\n"
        "spans = worker.extract('Angela Merkel visited Paris.')\n"
        "me = str(os.getpid())\n"
        "children = [p for p in os.listdir('/proc') if p.isdigit() and\n"
        "            open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[1] == me]\n"
        "print(len(spans), children == [str(worker.pid)], tracker._resource_tracker._pid)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.split() == ["2", "True", "None"]


def test_cancelling_stops_between_batches_and_drops_the_stale_ones(
    worker: WorkerRecognizer, recognizer: SpacyEngine, seed_path: Path
) -> None:
    cancelled = threading.Event()
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(worker.extract(long_text(seed_path), cancelled))
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    started = time.monotonic()
    thread.start()
    time.sleep(0.4)  # a few batches in, dozens to go
    cancelled.set()
    set_at = time.monotonic()
    thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled), outcome
    assert time.monotonic() - set_at < 1.0, "not cancelled between batches"
    assert set_at - started < 1.0
    # At once, while the child may still be finishing a batch of the cancelled request:
    # what comes back is this request's spans only.
    text = seed_text(seed_path)
    assert worker.extract(text) == recognizer.extract(text)


def test_a_text_asked_ahead_is_answered_by_that_request(
    worker: WorkerRecognizer, recognizer: SpacyEngine, seed_path: Path
) -> None:
    text = seed_text(seed_path)
    before = next(worker._worker.requests)
    assert worker.ask(text)
    assert worker.extract(text) == recognizer.extract(text)
    # One request between the two counts: extract took the one sent ahead, sent none.
    assert next(worker._worker.requests) == before + 2


def test_a_text_asked_ahead_but_not_wanted_is_cancelled(
    worker: WorkerRecognizer, recognizer: SpacyEngine, seed_path: Path
) -> None:
    assert worker.ask(long_text(seed_path))  # dozens of batches
    assert not worker.ask("Angela Merkel visited Paris.")  # one at a time
    text = seed_text(seed_path)
    started = time.monotonic()
    assert worker.extract(text) == recognizer.extract(text)
    assert time.monotonic() - started < 1.5, "the text asked ahead was not cancelled"


def test_asking_ahead_never_starts_a_worker() -> None:
    close_workers()
    worker = WorkerRecognizer()
    assert not worker.ask("Angela Merkel visited Paris.")
    assert worker.pid is None
    assert not worker.ask("")


def test_a_killed_worker_is_a_clear_error_and_the_next_request_restarts_it(
    worker: WorkerRecognizer, recognizer: SpacyEngine, seed_path: Path
) -> None:
    pid = worker.pid
    assert pid is not None
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(worker.extract(long_text(seed_path)))
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.4)  # mid-request
    os.kill(pid, signal.SIGKILL)
    thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], WorkerStopped), outcome
    assert "entity worker stopped" in str(outcome[0]) and "SIGKILL" in str(outcome[0])
    assert worker.pid is None
    text = seed_text(seed_path)
    assert worker.extract(text) == recognizer.extract(text)
    assert worker.pid not in (None, pid)


def test_no_pipeline_is_said_without_starting_a_process() -> None:
    missing = WorkerRecognizer("spacy", "xx_no_such_pipeline")
    with pytest.raises(NoModel, match="not installed"):
        missing.extract("Angela Merkel visited Paris.")
    assert missing.pid is None


def test_the_worker_runs_in_a_session_of_its_own(worker: WorkerRecognizer) -> None:
    # So that Linux's autogroup gives the model a share of the CPU of its own, not a part
    # of the app's (whose screen thread paints while the user waits for the model).
    pid = worker.pid
    assert pid is not None
    assert os.getsid(pid) == pid != os.getsid(0)
    # The kernel prints a process's autogroup only while autogroup governs it: a process in a
    # cgroup of its own (a container, a CI runner's scope) reads an empty file, and there the
    # session is all that can be checked.
    ours, its = (autogroup(Path(f"/proc/{p}/autogroup")) for p in ("self", pid))
    if ours and its:
        assert its != ours


def autogroup(path: Path) -> str:
    """The autogroup named in a /proc/PID/autogroup file, or "" where the kernel names none."""
    try:
        words = path.read_text().split()
    except OSError:
        return ""
    return words[0] if words else ""


def test_closing_stops_the_worker(worker: WorkerRecognizer) -> None:
    pid = worker.pid
    assert pid is not None
    close_workers()
    assert worker.pid is None and wait_gone(pid, 5)
    assert [s.text for s in worker.extract("Angela Merkel visited Paris.")] == [
        "Angela Merkel",
        "Paris",
    ]


#: A parent process that starts the worker, says its pid, then exits or waits to be killed.
PARENT = """
import sys, time
from reader.entities.worker import WorkerRecognizer
worker = WorkerRecognizer()
if sys.argv[1] == "loading":
    worker.start()  # killed while the child imports spaCy
else:
    worker.extract("Angela Merkel visited Paris.")
print(worker.pid, flush=True)
if sys.argv[1] != "exits":
    time.sleep(120)
"""


@pytest.mark.parametrize("how", ["exits", "killed", "loading"])
def test_the_worker_never_outlives_its_parent(how: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, how], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    child = None
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert not gone(child)
        if how == "exits":
            assert parent.wait(30) == 0  # the atexit hook stopped the child
        else:
            parent.send_signal(signal.SIGKILL)  # no atexit: the child must notice
            parent.wait(10)
        assert wait_gone(child, 5), f"worker {child} outlived its parent ({how})"
    finally:
        parent.kill()
        parent.wait()
        if child is not None and not gone(child):
            os.kill(child, signal.SIGKILL)


#: A parent running `reader index --jobs 2`'s pool: its workers start as the app's does.
POOL_PARENT = """
import os, time
from concurrent.futures import ProcessPoolExecutor
from reader.entities.worker import SPAWN
from reader.entities.precompute import _start_worker
if __name__ == "__main__":
    pool = ProcessPoolExecutor(2, mp_context=SPAWN, initializer=_start_worker, initargs=("spacy", None))
    pids = {pool.submit(os.getpid).result() for _ in range(4)}
    print(*sorted(pids), flush=True)
    time.sleep(120)
"""


def test_index_workers_never_outlive_their_parent() -> None:
    # A pool worker waits on a queue whose both ends it holds: without its watchdog on
    # the parent, it would wait for ever.
    parent = subprocess.Popen(
        [sys.executable, "-c", POOL_PARENT], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    workers: list[int] = []
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers and not any(gone(pid) for pid in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert all(wait_gone(pid, 5) for pid in workers), "an index worker outlived its parent"
    finally:
        parent.kill()
        parent.wait()
        for pid in workers:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


def test_spans_are_the_model_s(worker: WorkerRecognizer) -> None:
    spans = worker.extract("Angela Merkel visited Paris.")
    assert spans == [
        Span(0, 13, "PERSON", "Angela Merkel", "model"),
        Span(22, 27, "GPE", "Paris", "model"),
    ]


def test_a_pipeline_that_failed_to_load_is_not_loaded_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A child that fails to load says so ("failed") and exits. Simulated here with a
    # pipe and a stand-in process: the real one would need a broken spaCy install.
    from reader.entities import worker as worker_module

    class Alive:
        sentinel = None
        pid = 1
        exitcode = None
        alive = True

        def is_alive(self) -> bool:
            return self.alive

        def join(self, timeout: float | None = None) -> None:
            return None

        def terminate(self) -> None:
            self.alive = False

        kill = terminate

    ours, theirs = worker_module.SPAWN.Pipe(duplex=True)
    theirs.send(("failed", "error", "ImportError: broken thinc"))
    broken = worker_module._Worker("spacy", "broken")
    broken.process, broken.connection = Alive(), ours  # type: ignore[assignment]
    monkeypatch.setattr(worker_module, "wait", lambda objects, timeout: [ours])
    with pytest.raises(WorkerStopped, match="broken thinc"):
        broken.extract("text", [(0, "text")], 16, None)
    spawned: list[object] = []
    monkeypatch.setattr(worker_module, "start_child", lambda *a, **k: spawned.append(a))
    for _ in range(3):
        with pytest.raises(WorkerStopped, match="broken thinc"):
            broken.extract("text", [(0, "text")], 16, None)
    assert spawned == []


@pytest.mark.parametrize("state", ["loading", "recognising", "idle"])
def test_a_busy_child_is_ended_at_once_an_idle_one_left_to_exit(state: str) -> None:
    """Stopping (the app's exit): a child loading its model or running a batch reads no
    EOF until it is done, so it is terminated at once, not after a 0.2 s wait for it to
    exit by itself; an idle one reads the EOF and is given that wait."""
    from reader.entities import worker as worker_module

    calls: list[object] = []

    class Child:
        alive = True

        def join(self, timeout: float | None = None) -> None:
            calls.append(("join", timeout))
            if state == "idle":
                self.alive = False

        def is_alive(self) -> bool:
            return self.alive

        def terminate(self) -> None:
            calls.append("terminate")
            self.alive = False

    ours, _theirs = worker_module.SPAWN.Pipe(duplex=True)
    child = worker_module._Worker("spacy", None)
    child.process, child.connection = Child(), ours  # type: ignore[assignment]
    child.ready = state != "loading"
    child.open = 1 if state == "recognising" else None
    child.stop()
    if state == "idle":
        assert calls == [("join", 0.2)]
    else:
        assert calls == ["terminate", ("join", 1)]
