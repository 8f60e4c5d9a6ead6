"""The store under real processes: SIGKILL in the middle of saves, and two writers at once.

The writer is tests/data/store_writer.py, which imports reader.store only, so each process
starts in a fraction of a second.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.store import AnnotationStore, ArticleRef, StoreCorrupt, StoreLocked

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL and flock")

ROOT = Path(__file__).resolve().parents[2]
WRITER = ROOT / "tests" / "data" / "store_writer.py"
ROUNDS = 100
SEED_NOTES = 1500  # about 0.7 MB, so a save takes long enough to be killed in the middle
ARTICLE = ArticleRef("articles/seed.md", "5" * 64, "Seed")


def _start(*args: object, journal: bool = False) -> subprocess.Popen[str]:
    """A writer process; with ``journal`` it saves through the journal from the first save
    and compacts every few saves (as a file of 100,000 annotations does)."""
    env = dict(os.environ)
    if journal:
        env["READER_TEST_JOURNAL"] = "1"
    return subprocess.Popen(
        [sys.executable, str(WRITER), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def _read_until(process: subprocess.Popen[str], wanted: str) -> list[str]:
    """Read lines until ``wanted``; fail with the child's stderr if it ends first."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.rstrip("\n") == wanted:
            return lines
    process.wait()
    assert process.stderr is not None
    pytest.fail(f"writer ended before {wanted!r}: {process.stderr.read()}")


def _acks(lines: list[str]) -> set[str]:
    return {line.split()[1] for line in lines if line.startswith("ack ")}


def _finish(process: subprocess.Popen[str], timeout: float = 60) -> list[str]:
    """Wait for a writer to end on its own; return its lines; fail if it failed."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out.splitlines()


def _seed(path: Path, count: int) -> None:
    # One save for the whole seed; saving each note separately would take seconds.
    with AnnotationStore(path) as store, store._storage.batch():
        for i in range(count):
            store.add_note(ARTICLE, f"seed note {i}", {"quote": {"exact": f"seed {i}"}})


@pytest.mark.parametrize("journal", [False, True], ids=["whole-file", "journal"])
def test_sigkill_during_saves_leaves_a_valid_file_with_every_acked_note(
    tmp_path: Path, journal: bool
) -> None:
    path = tmp_path / "annotations.json"
    _seed(path, SEED_NOTES)
    journals = 0
    rng = random.Random(20261127)
    acked: set[str] = set()
    invalid_files, lost = 0, set()
    for _ in range(ROUNDS):
        writer = _start("loop", path, journal=journal)
        lines = _read_until(writer, "ready")
        assert lines[0] == "modules -", "the writer should import reader.store only"
        # Wait for the first save, so that every round kills a writer in full swing.
        assert writer.stdout is not None
        first = writer.stdout.readline()
        if not first:
            _read_until(writer, "ack")  # fails with the writer's error output
        time.sleep(rng.uniform(0.0, 0.03))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        assert writer.returncode == -signal.SIGKILL
        # A line cut short by the kill was never a complete acknowledgement.
        round_acks = _acks([first.rstrip("\n"), *out.split("\n")[:-1]])
        assert round_acks, "the writer never saved: the round tested nothing"
        acked |= round_acks
        try:
            json.loads(path.read_bytes())
            with AnnotationStore(path) as store:  # also checks the kill released the lock
                present = {annotation.id for annotation in store.annotations()}
        except (ValueError, StoreCorrupt):
            invalid_files += 1
            break  # the next writer would refuse the file
        lost |= acked - present
        journals += path.with_name("annotations.json.journal").exists()
    assert invalid_files == 0, (
        f"a kill left a file that is not valid JSON or not loadable (after {len(acked)} acks)"
    )
    assert not lost, f"{len(lost)} acknowledged notes were lost"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # The journal rounds end with a journal beside the file most of the time (killed
    # between compactions), and never without one in the whole-file rounds.
    assert (journals > ROUNDS // 4) if journal else journals == 0


def test_a_write_waits_for_a_save_in_progress_and_a_reader_works_alongside(
    tmp_path: Path,
) -> None:
    path = tmp_path / "annotations.json"
    holder = _start("hold", path, 30)  # holds the lock as a save would, for 30 s
    try:
        held = _acks(_read_until(holder, "ready"))
        with AnnotationStore(path) as store:  # opening needs no turn
            assert {a.id for a in store.annotations()} == held
            with pytest.raises(StoreLocked) as refused:
                store.add_note(ARTICLE, "not now")
        assert str(path) in str(refused.value)
        assert f"process {holder.pid}" in str(refused.value)
        with AnnotationStore(path, read_only=True) as reader:
            assert {a.id for a in reader.annotations()} == held
    finally:
        holder.kill()
        holder.wait()


def test_a_write_with_wait_runs_once_the_other_save_is_done(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    holder = _start("hold", path, 0.8)
    held = _acks(_read_until(holder, "ready"))
    started = time.monotonic()
    with AnnotationStore(path, wait=20) as store:
        assert {a.id for a in store.annotations()} == held
        store.add_note(ARTICLE, "after the wait")
        waited = time.monotonic() - started
    assert 0.3 < waited < 15
    assert _finish(holder)[-1] == "closed"
    with AnnotationStore(path, read_only=True) as reader:
        assert [a.body for a in reader.annotations()] == ["held", "after the wait"]


def test_wait_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    holder = _start("hold", path, 30)
    try:
        _read_until(holder, "ready")
        started = time.monotonic()
        with pytest.raises(StoreLocked, match=r"after waiting 0\.4 s") as refused:
            AnnotationStore(path, wait=0.4).add_note(ARTICLE, "gives up")
        assert 0.35 < time.monotonic() - started < 5
        assert str(refused.value).startswith(f"{path}: ")
    finally:
        holder.kill()
        holder.wait()


def test_stores_kept_open_by_eight_processes_and_this_one_lose_nothing(tmp_path: Path) -> None:
    """Eight processes each keep a store open (as the app does) and add notes through it,
    while this process keeps one open too: each takes turns, none is locked out."""
    path = tmp_path / "annotations.json"
    count = 25
    with AnnotationStore(path, wait=60) as mine:
        writers = [_start("open", path, count, f"w{n}") for n in range(8)]
        own = {mine.add_note(ARTICLE, f"mine {i}").id for i in range(count)}
        acked = set().union(*(_acks(_finish(writer)) for writer in writers))
        assert len(acked) == 8 * count
        mine.refresh()
        assert {a.id for a in mine.annotations()} == acked | own
    with AnnotationStore(path, read_only=True) as reader:
        assert {a.id for a in reader.annotations()} == acked | own


def test_two_processes_adding_with_wait_keep_every_note(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    count = 40
    writers = [_start("add", path, count, label) for label in ("first", "second")]
    acked = [_acks(_finish(writer)) for writer in writers]
    assert [len(ids) for ids in acked] == [count, count]
    with AnnotationStore(path) as store:
        notes = store.annotations()
    assert {a.id for a in notes} == acked[0] | acked[1]
    bodies = {a.body for a in notes}
    assert bodies == {f"{label} {i}" for label in ("first", "second") for i in range(count)}


def test_the_writer_process_exits_cleanly_without_a_kill(tmp_path: Path) -> None:
    """The helper itself works (so the tests above fail for the store, not the helper)."""
    path = tmp_path / "annotations.json"
    lines = _finish(_start("add", path, 3, "note"))
    assert lines[0] == "modules -"
    assert len(_acks(lines)) == 3
    assert os.path.exists(path)
