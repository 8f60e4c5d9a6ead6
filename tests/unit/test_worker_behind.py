"""The background pass's way through the entity worker
(:meth:`~reader.entities.worker.WorkerRecognizer.extract_behind`): the same spans as an
opened article's, in small pieces, each sent only while no request of the user's wants
the worker.

Every test runs the real pipeline in a real child process.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import extracts_started

from reader.entities.engines import Cancelled
from reader.entities.engines.base import paragraphs
from reader.entities.worker import PIECE_CHARS, WorkerRecognizer, pieces
from reader.ui.background import outward

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX worker")


def long_text(seed_path: Path, times: int = 20) -> str:
    return "\n\n".join([seed_path.read_text(encoding="utf-8")] * times)


def no_wait() -> None:
    return None


@pytest.fixture
def worker() -> WorkerRecognizer:
    worker = WorkerRecognizer()
    worker.extract("Angela Merkel visited Paris.")
    return worker


def test_pieces_are_whole_paragraphs_of_bounded_size(seed_path: Path) -> None:
    chunks = list(paragraphs(long_text(seed_path, 3)))
    runs = list(pieces(chunks, PIECE_CHARS))
    assert [c for run in runs for c in run] == chunks
    assert len(runs) > 3
    for run in runs:
        assert len(run) == 1 or sum(len(c) for _, c in run) <= PIECE_CHARS


def test_the_background_finds_exactly_the_opened_articles_spans(
    worker: WorkerRecognizer, seed_path: Path
) -> None:
    text = long_text(seed_path, 3)
    assert worker.extract_behind(text, threading.Event(), no_wait) == worker.extract(text)


def test_the_users_request_waits_for_one_piece_at_most(
    worker: WorkerRecognizer, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order the worker is asked in: once the user's extract is asked for, no piece of
    the background's starts before it (the one in flight ends first)."""
    started = extracts_started(monkeypatch)
    stop = threading.Event()

    def background() -> None:
        with contextlib.suppress(Cancelled):  # stopped at the end of the test
            worker.extract_behind(long_text(seed_path), stop, no_wait)

    behind = threading.Thread(target=background, name="behind")
    behind.start()
    try:
        while sum(name == "behind" for name, _ in started) < 3:
            time.sleep(0.01)
        for _ in range(3):  # three switches while the background is busy
            asked = time.monotonic()
            worker.extract("Tony Blair spoke in London on Monday.")
            served = next(t for name, t in started if name != "behind" and t >= asked)
            cut_in = [t for name, t in started if name == "behind" and asked <= t <= served]
            assert cut_in == [], "a background piece started after the user asked"
            time.sleep(0.1)  # the background goes on meanwhile
        assert behind.is_alive(), "the background was through too soon to test"
    finally:
        stop.set()
        behind.join(10)
    assert not behind.is_alive()


def test_a_stopped_background_raises_cancelled_at_once(
    worker: WorkerRecognizer, seed_path: Path
) -> None:
    stop = threading.Event()
    raised: list[BaseException] = []

    def run() -> None:
        try:
            worker.extract_behind(long_text(seed_path, 40), stop, no_wait)
        except BaseException as error:
            raised.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert len(raised) == 1 and isinstance(raised[0], Cancelled)
    # The worker serves the next request (the cancelled piece's end is drained).
    assert [s.text for s in worker.extract("Angela Merkel visited Paris.")] == [
        "Angela Merkel",
        "Paris",
    ]


def test_the_order_goes_outward_from_the_cursor_below_first() -> None:
    assert list(outward(6, 2)) == [2, 3, 1, 4, 0, 5]
    assert list(outward(4, None)) == [0, 1, 2, 3]
    assert list(outward(3, 7)) == [2, 1, 0]
    assert list(outward(0, 0)) == []


def test_a_request_sent_ahead_that_no_extract_takes_is_withdrawn(
    worker: WorkerRecognizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user opens A as the pass caches it: ask() sent A, then the user's path found A
    cached and no extract came for it. The pass's pieces waited for it until the next
    switch; after STALE_ASK seconds (none waiting), the background withdraws it."""
    from reader.entities import worker as worker_module

    monkeypatch.setattr(worker_module, "STALE_ASK", 0.3)
    assert worker.ask("Tony Blair met Sergey Lavrov in Geneva.")
    stop = threading.Event()
    found: list[Any] = []
    thread = threading.Thread(
        target=lambda: found.append(
            worker.extract_behind("Emmanuel Macron spoke in Berlin.", stop, no_wait)
        ),
        daemon=True,
    )
    try:
        thread.start()
        thread.join(10)
        assert found, "the pass waited for a request nobody takes"
        assert any(span.text == "Emmanuel Macron" for span in found[0])
        assert worker._worker.asked is None
        # The user's next extract is served as usual.
        assert any(s.text == "Angela Merkel" for s in worker.extract("Angela Merkel left."))
    finally:
        stop.set()
        thread.join(5)


def test_a_fresh_request_sent_ahead_still_goes_first(worker: WorkerRecognizer) -> None:
    """Within STALE_ASK of the ask (its extract on its way), the pass's piece waits."""
    assert worker.ask("Tony Blair met Sergey Lavrov in Geneva.")
    inner = worker._worker
    assert inner.behind("Paris.", list(paragraphs("Paris.")), 8, threading.Event()) is None
    assert inner.asked is not None
    spans = worker.extract("Tony Blair met Sergey Lavrov in Geneva.")
    assert inner.asked is None and any(s.text == "Tony Blair" for s in spans)
