"""The child side of the entity worker: how a worker process starts and what it serves.

Spawned, not forked, so it starts clean; it exits as soon as its parent is gone (never an
orphan); it leaves Ctrl-C to the parent; it loads the engine's model once
(:func:`start_worker`, also the initializer of the precompute's pool: ``reader index``).
:func:`serve` answers the app's requests over a pipe (the protocol is in
reader/entities/worker.py, the parent side).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from reader.entities.engines.base import EntityEngine, NoModel
from reader.entities.engines.registry import make_engine

#: spawn, not fork: a worker starts clean (no threads or locks copied mid-use, such as a
#: progress bar's or Textual's) and the same way on every OS.
SPAWN = multiprocessing.get_context("spawn")

#: At most this many paragraphs per batch (one ``recognise`` call) in the worker.
BATCH_PARAGRAPHS = 64

#: At most this many characters per batch (but at least one paragraph): a 1,000-word
#: article (~6,000 characters) is one batch, the cheapest way through the model (spaCy's
#: cost per call: three batches of a paragraph of it each took ~20% more CPU than one,
#: bench/fig_switch.py's articles with en_core_web_md), while a long article is cut into
#: batches of ~0.15 s of model time, between which a cancelled request stops.
BATCH_CHARS = 8_000


def main(argv: Sequence[str]) -> None:
    """The app's worker process as :class:`reader.entities.worker.ChildProcess` starts it:
    *argv* is its pipe's descriptor, the "parent alive" pipe's read end (its end of file:
    exit at once), the "ended" pipe's write end (held until this process ends), the engine
    and the model ("" for the engine's default)."""
    connection_fd, alive_fd, _ended_fd = (int(arg) for arg in argv[:3])
    engine, model = argv[3], argv[4] or None
    _continued_when_parent_dies()
    threading.Thread(
        target=_exit_when_ready, args=(alive_fd,), name="exit-with-parent", daemon=True
    ).start()
    serve(Connection(connection_fd), engine, model)


def _continued_when_parent_dies() -> None:
    """Linux: have the kernel send this process SIGCONT when its parent dies. The app stops
    it (SIGSTOP) while it is suspended (Ctrl+Z); should the app be killed then (``kill -9
    %1``), this process, stopped in a session of its own, would never read the end of
    file that makes it exit. SIGCONT because the signal also comes when the thread that
    started it ends (the app goes on): continuing a running process does nothing."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGCONT)


#: prctl's option (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def start_worker(engine: str, model: str | None) -> EntityEngine:
    """Prepare this new worker process and return engine *engine*, its *model* loaded.

    Exits with the parent, ignores SIGINT (Ctrl-C in the terminal reaches the whole
    process group: the parent decides what it stops), then loads the model once.
    """
    _exit_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    loaded = make_engine(engine, model)
    loaded.load()
    return loaded


def _exit_with_parent() -> None:
    """Exit this process as soon as the process that spawned it is gone."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    # The sentinel is the read end of the pipe spawn started this process with; the
    # parent holds its write end until it exits (or is killed: the kernel closes it).
    sentinel = parent.sentinel
    threading.Thread(
        target=_exit_when_ready, args=(sentinel,), name="exit-with-parent", daemon=True
    ).start()


def _exit_when_ready(sentinel: int) -> None:
    wait([sentinel])
    os._exit(1)  # nothing to save: the parent owns every file


def batches(
    chunks: Sequence[str], size: int = BATCH_PARAGRAPHS, chars: int = BATCH_CHARS
) -> Iterator[tuple[int, Sequence[str]]]:
    """Yield ``(index of its first chunk, chunks)`` for consecutive batches of *chunks*.

    As few batches of at most *size* chunks and *chars* characters (unless one chunk is
    longer) as there can be, evened out (34 paragraphs are 12 + 12 + 10, not 16 + 16 + 2: a
    small last batch costs a call for little).
    """
    if not chunks:
        return
    total = sum(len(chunk) for chunk in chunks)
    count = max(-(-len(chunks) // size), -(-total // chars))
    size = -(-len(chunks) // count)
    even = -(-total // count)
    start = 0
    while start < len(chunks):
        end, taken = start, 0
        while end < len(chunks) and end - start < size and taken < even:
            if taken + len(chunks[end]) > chars and end > start:
                break
            taken += len(chunks[end])
            end += 1
        yield start, chunks[start:end]
        start = end


def serve(connection: Connection, engine: str, model: str | None) -> None:
    """The worker process: load the model, then answer requests until the pipe closes."""
    _silence()
    try:
        recognizer = start_worker(engine, model)
    except NoModel as error:
        _send_quietly(connection, ("failed", "no-model", str(error)))
        return
    except BaseException as error:  # an import error, a broken package: say what it was
        _send_quietly(connection, ("failed", "error", _reason(error)))
        return
    try:
        connection.send(("ready", recognizer.info))
        while True:
            message = connection.recv()
            if message[0] == "extract":
                _, request, chunks, size = message
                _answer(connection, recognizer, request, chunks, size)
            # A cancel for a request that has ended already needs nothing.
    except (EOFError, OSError):
        return  # the parent closed the pipe, or is gone


def _silence() -> None:
    """Send this process's output to /dev/null: it would draw over the app's screen.

    What goes wrong is sent to the parent instead (``failed`` and ``error`` messages).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _answer(
    connection: Connection, recognizer: EntityEngine, request: int, chunks: list[str], size: int
) -> None:
    """Recognise one request batch by batch, stopping early if the parent cancels it."""
    for first, batch in batches(chunks, size):
        if _cancelled(connection, request):
            break
        try:
            found = recognizer.recognise(batch)
        except Exception as error:  # one bad text must not end the worker
            connection.send(("error", request, _reason(error)))
            return
        connection.send(("batch", request, first, found))
    connection.send(("end", request))


def _cancelled(connection: Connection, request: int) -> bool:
    """Whether the parent has cancelled *request* (reads what it sent meanwhile)."""
    cancelled = False
    while connection.poll():
        message = connection.recv()
        if message == ("cancel", request):
            cancelled = True
    return cancelled


def _send_quietly(connection: Connection, message: tuple[Any, ...]) -> None:
    with contextlib.suppress(OSError):
        connection.send(message)


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
