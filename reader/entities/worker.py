"""The entity model in worker processes, so that it never shares the app's GIL: the parent.

Two users, one way of preparing a worker (:func:`start_worker`, in worker_child.py with
the rest of the child's side): a new interpreter, not a fork, so it starts clean; it exits
as soon as its parent is gone (never an orphan); it leaves Ctrl-C to the parent; it loads
the engine's model once. Engines are named (reader/entities/engines/registry.py): the child
builds the one asked for, and this side knows it through its protocol only.

- :class:`WorkerRecognizer` is what the app's finder runs: one long-lived child process
  (:class:`ChildProcess`: started with :mod:`subprocess` on POSIX, so that no
  multiprocessing resource tracker process comes with it), started at the first cache
  miss, that recognises one article at a time in batches of paragraphs; the parent can
  cancel between batches and never imports the engine's library (spaCy). The screen's
  thread can send a request ahead (:meth:`WorkerRecognizer.ask`, when the child is idle),
  whose answer the thread that then asks for the same text reads. The app's background
  pass (reader/ui/background.py) sends the articles not yet cached through the same child,
  in small pieces, each only while no request of the user's wants it
  (:meth:`WorkerRecognizer.extract_behind`).
- ``reader index --jobs N`` runs a process pool whose initializer is
  :func:`~reader.entities.worker_child.start_worker` (reader/entities/precompute.py).

The child speaks over one duplex pipe. Parent to child: ``("extract", request, chunks,
batch_size)`` and ``("cancel", request)``. Child to parent: ``("ready", info)`` once
loaded, or ``("failed", kind, reason)`` before it exits; per request ``("batch",
request, first, entities)`` for each batch, then ``("end", request)`` or ``("error",
request, reason)``. The parent sends a new request only once the previous one has ended,
and drops answers to any request but the one it waits for.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from reader.children import child_command
from reader.entities.engines.base import (
    Cancelled,
    EngineInfo,
    EntityEngine,
    NoModel,
    entity_spans,
    paragraphs,
)
from reader.entities.engines.registry import make_engine
from reader.entities.span import Span
from reader.entities.worker_child import BATCH_PARAGRAPHS, SPAWN, serve
from reader.text import sanitize_line

__all__ = [
    "BATCH_PARAGRAPHS",
    "PIECE_CHARS",
    "SPAWN",
    "ChildProcess",
    "WorkerRecognizer",
    "WorkerStopped",
    "close_workers",
    "continue_workers",
    "pause_workers",
]

#: Seconds between checks of the ``cancelled`` event while the child works on a batch.
_POLL = 0.05

#: Characters per piece of a background article (:meth:`WorkerRecognizer.extract_behind`):
#: a few paragraphs, ~40-70 ms of the md model, the most a user's switch waits for it.
#: Smaller pieces cost more calls: on 24 generated articles the child's CPU was +15-25%
#: at 2,000 against whole articles, +8% at 3,000, within the noise at 4,000.
PIECE_CHARS = 3_000

#: Seconds after which a request sent ahead by :meth:`_Worker.ask` that no extract took,
#: none waiting, is withdrawn by the background (:meth:`_Worker.behind`): the user's
#: extract found the text cached meanwhile (the pass cached it), and never comes.
STALE_ASK = 1.0


class WorkerStopped(RuntimeError):
    """The worker process ended (killed, out of memory, failed to start) mid-request."""


class ChildProcess:
    """The worker process started with :mod:`subprocess`, with the part of
    multiprocessing's Process interface the parent uses (``pid``, ``sentinel``,
    ``is_alive``, ``join``, ``exitcode``, ``terminate``, ``kill``, ``close``).

    Not multiprocessing's spawn: that starts multiprocessing's resource tracker as well, a
    third process (13 MB, bench figure 5) the worker never needs (it shares no semaphore
    and no shared memory, only a pipe). POSIX only (``pass_fds``).

    The child gets its end of a socket pair (:attr:`connection` is ours), the read end of
    a pipe whose write end only this process holds (closed, by :meth:`close` or the
    kernel, it exits at once), and the write end of a pipe whose read end is
    :attr:`sentinel` (readable once the child has ended). Its stderr goes to a file of
    no name until it silences itself (worker_child.py's ``_silence``): what it said when
    it died before that (an interpreter without reader's packages) is :meth:`last_words`.

    It runs in a session of its own. Linux shares the CPU between sessions first
    (autogroup, on by default), and in the app's session the model shared its part with
    the app's own threads while the user waited for it: on a busy machine (2 cores,
    load 3-5) the child waited 110-250 ms on the run queue for a model run of ~100-180 ms
    of CPU, while the app's screen thread painted the switch's frames (bench figure 2).
    Out of the terminal's process group, Ctrl-C and the terminal's hangup reach the app
    only; the child ignores the first anyway and exits with the app (the pipe above).
    """

    def __init__(self, engine: str, model: str | None) -> None:
        ours, theirs = socket.socketpair()
        alive_read, self._alive = os.pipe()
        self.sentinel, ended_write = os.pipe()
        """Readable (end of file) once the child has ended."""
        self._said = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by close()
        try:
            # reader/entities/worker_child.py's main, isolated, importing as we do.
            self._popen = subprocess.Popen(
                child_command(
                    "reader.entities.worker_child",
                    *(str(fd) for fd in (theirs.fileno(), alive_read, ended_write)),
                    engine,
                    model or "",
                ),
                pass_fds=(theirs.fileno(), alive_read, ended_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._said,
                # A session of its own, so a scheduling group of its own where the kernel
                # groups by session (Linux's autogroup, on by default): see the class.
                start_new_session=True,
            )
        except BaseException:
            ours.close()
            self._said.close()
            os.close(self._alive)
            os.close(self.sentinel)
            raise
        finally:  # the child's ends live in the child only: its death closes them
            theirs.close()
            os.close(alive_read)
            os.close(ended_write)
        self.connection = Connection(ours.detach())
        """Our end of the pipe to the child."""

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._popen.pid

    @property
    def exitcode(self) -> int | None:
        """The child's exit code (minus the signal that killed it), None while it runs."""
        return self._popen.poll()

    def is_alive(self) -> bool:
        """Whether the child still runs."""
        return self._popen.poll() is None

    def join(self, timeout: float | None = None) -> None:
        """Wait for the child to end, at most *timeout* seconds."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout)

    def terminate(self) -> None:
        """SIGTERM."""
        self._popen.terminate()

    def kill(self) -> None:
        """SIGKILL."""
        self._popen.kill()

    def last_words(self) -> str:
        """The last line the child wrote on its stderr before it silenced itself (its
        error when it could not start), on one line without control characters; ""."""
        with contextlib.suppress(OSError, ValueError):
            self._said.seek(0, os.SEEK_END)
            self._said.seek(max(self._said.tell() - 4096, 0))
            lines = self._said.read().decode("utf-8", "replace").splitlines()
            return next((sanitize_line(line) for line in reversed(lines) if line.strip()), "")
        return ""

    def close(self) -> None:
        """Close our ends of the pipes (the child, if still running, exits)."""
        for fd in (self._alive, self.sentinel):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._alive = self.sentinel = -1
        self._said.close()


def start_child(engine: str, model: str | None) -> tuple[BaseProcess | ChildProcess, Connection]:
    """Start a worker process serving *engine* and *model*; return it and our end of its
    pipe. A :class:`ChildProcess` on POSIX, else a process spawned by multiprocessing."""
    if os.name == "posix":
        child = ChildProcess(engine, model)
        return child, child.connection
    ours, theirs = SPAWN.Pipe(duplex=True)
    process = SPAWN.Process(
        target=serve, args=(theirs, engine, model), name="reader-entities", daemon=True
    )
    with _stderr_with_fileno():
        process.start()
    theirs.close()  # the child's end lives in the child only: its death closes the pipe
    return process, ours


class _Worker:
    """One child process running one engine's model, shared by every recognizer using it."""

    def __init__(self, engine: str, model: str | None) -> None:
        self.engine = engine
        self.model = model
        self.lock = threading.Lock()
        """Held for a whole request: the child answers one at a time."""
        self.process: BaseProcess | ChildProcess | None = None
        self.connection: Connection | None = None
        self.ready = False
        """Whether the child has loaded its model."""
        self.loaded: EngineInfo | None = None
        """What the child loaded, once it is ready: another pipeline than asked for when the
        preferred one failed to load and the engine fell back (spaCy: md to sm)."""
        self.open: int | None = None
        """The request whose end the child has not sent yet (one cancelled mid-way, or one
        asked ahead)."""
        self.asked: tuple[str, int] | None = None
        """The text and request sent ahead by :meth:`ask`, until an :meth:`extract` of that
        text takes its answer (or, of another text, cancels it)."""
        self.asked_at = 0.0
        """When :attr:`asked` was sent (monotonic)."""
        self.requests = itertools.count(1)
        self.wanted = 0
        """How many :meth:`WorkerRecognizer.extract` calls (the user's) wait for
        :attr:`lock` or hold it: the background's pieces (:meth:`behind`) wait for none."""
        self.wanted_lock = threading.Lock()
        self.failure: Exception | None = None
        """Why the model could not be loaded, once it could not: not tried again (a
        broken install would cost seconds of CPU on every article)."""

    def start(self) -> tuple[BaseProcess | ChildProcess, Connection]:
        """Return the running child, starting a fresh one when there is none."""
        if self.failure is not None:
            raise self.failure
        if self.process is not None and self.connection is not None:
            if self.process.is_alive():
                return self.process, self.connection
            self.stop()
        process, ours = start_child(self.engine, self.model)
        self.process, self.connection, self.ready, self.open = process, ours, False, None
        self.asked = None
        return process, ours

    def ask(self, text: str, chunks: list[tuple[int, str]], size: int) -> bool:
        """Send *chunks* of *text* to the child now, without waiting for anything: only when
        it runs, has loaded its model and is idle (no request open, none in flight), so
        reads the pipe at once. Whether it was sent.

        The screen's thread asks as it opens an article whose entities are not cached, so
        that the model starts at once rather than once a thread of the app gets to
        :meth:`extract` (10-25 ms later, behind the first frame of the plain text).
        """
        if not self.lock.acquire(blocking=False):
            return False  # a request is in flight
        try:
            process, connection = self.process, self.connection
            if self.open is not None or not self.ready or process is None or connection is None:
                return False  # busy, or loading (not reading the pipe: a send could block)
            if not process.is_alive():
                return False
            request = next(self.requests)
            connection.send(("extract", request, [chunk for _, chunk in chunks], size))
            self.open, self.asked = request, (text, request)
            self.asked_at = time.monotonic()
            return True
        except (OSError, ValueError):
            return False  # the next extract finds the child gone, and says so
        finally:
            self.lock.release()

    def withdraw(self, keep: str | None = None) -> bool:
        """Cancel the request :meth:`ask` sent that no :meth:`extract` has taken, unless it
        is *keep*'s text: another article was opened before the extract of the one it was
        sent for started (that extract then never runs), and the child would otherwise run
        the model over it to the end for nothing. The child stops at its next batch; the
        next extract reads the rest. Without waiting: nothing while an extract runs (it
        takes or cancels the request itself). Whether one was cancelled; never raises."""
        if not self.lock.acquire(blocking=False):
            return False
        try:
            asked, connection = self.asked, self.connection
            if asked is None or connection is None or asked[1] != self.open:
                return False
            if keep is not None and _same(asked[0], keep):
                return False
            self.asked = None
            connection.send(("cancel", asked[1]))
            return True
        except (OSError, ValueError):
            return False  # the next extract finds the child gone, and says so
        finally:
            self.lock.release()

    def behind(
        self, text: str, chunks: list[tuple[int, str]], size: int, cancelled: threading.Event
    ) -> list[Span] | None:
        """Recognise *chunks* (one small piece of a background article) unless the user's
        work wants the child: an extract waiting for the lock or holding it, or a request
        sent ahead by :meth:`ask` that its extract has not taken yet. None when it did not
        (try again later); at most this piece runs while the user's request waits.

        A request sent ahead that no extract took for :data:`STALE_ASK` seconds, none
        waiting, is withdrawn: its extract is not coming (the text was found cached)."""
        if (
            self.asked is not None
            and not self.wanted
            and time.monotonic() - self.asked_at >= STALE_ASK
        ):
            self.withdraw()
        if self.wanted or self.asked is not None:
            return None
        if not self.lock.acquire(blocking=False):
            return None
        try:
            if self.wanted or self.asked is not None:  # came between the check and the lock
                return None
            return self.extract(text, chunks, size, cancelled)
        finally:
            self.lock.release()

    def extract(
        self, text: str, chunks: list[tuple[int, str]], size: int, cancelled: threading.Event | None
    ) -> list[Span]:
        """Recognise *chunks* of *text* in the child (the caller holds :attr:`lock`)."""
        process, connection = self.start()
        asked, self.asked = self.asked, None
        try:
            if asked is not None and asked[1] == self.open and _same(asked[0], text):
                request = asked[1]  # sent ahead: its answer is this one's
            else:
                if asked is not None and asked[1] == self.open:  # another text: not wanted
                    connection.send(("cancel", self.open))
                while self.open is not None:  # the end of a request cancelled mid-way
                    self._receive(process, connection, cancelled)
                if cancelled is not None and cancelled.is_set():
                    raise Cancelled
                request = next(self.requests)
                connection.send(("extract", request, [chunk for _, chunk in chunks], size))
                self.open = request
            spans: list[Span] = []
            while True:
                message = self._receive(process, connection, cancelled)
                if message[1] != request:
                    continue  # a batch of a request cancelled before this one
                if message[0] == "batch":
                    _, _, first, found = message
                    for (offset, _), entities in zip(chunks[first:], found, strict=False):
                        spans.extend(entity_spans(entities, offset, text))
                elif message[0] == "error":
                    raise RuntimeError(f"entity worker: {message[2]}")
                else:
                    return spans
        except Cancelled:
            if self.open is not None:  # let the child stop at its next batch
                with contextlib.suppress(OSError):
                    connection.send(("cancel", self.open))
            raise
        except (EOFError, OSError) as error:
            raise self._stopped(f"{type(error).__name__}") from error

    def _receive(
        self,
        process: BaseProcess | ChildProcess,
        connection: Connection,
        cancelled: threading.Event | None,
    ) -> tuple[Any, ...]:
        """The child's next answer (``ready`` is noted, not returned); closes ended requests.

        Raises :class:`Cancelled` as soon as *cancelled* is set, and :class:`NoModel`
        or :class:`WorkerStopped` when the child ends.
        """
        while True:
            if cancelled is not None and cancelled.is_set():
                raise Cancelled
            if not wait([connection, process.sentinel], timeout=_POLL):
                continue
            if not connection.poll():
                raise self._stopped()
            message: tuple[Any, ...] = connection.recv()
            kind = message[0]
            if kind == "ready":
                self.ready, self.loaded = True, message[1]
                continue
            if kind == "failed":
                self.stop()
                if message[1] == "no-model":
                    self.failure = NoModel(message[2])
                else:
                    self.failure = WorkerStopped(f"the entity worker stopped: {message[2]}")
                raise self.failure
            if kind in ("end", "error") and message[1] == self.open:
                self.open = None
            return message

    def _stopped(self, detail: str = "") -> WorkerStopped:
        """Stop what is left of the child; say how it ended."""
        process = self.process
        code = None
        said = ""
        if process is not None:
            with contextlib.suppress(ValueError):  # closed meanwhile by close_workers()
                process.join(timeout=1)
                code = process.exitcode
            if isinstance(process, ChildProcess):
                said = process.last_words()
        self.stop()
        if code is not None and code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        elif code is not None:
            how = f"exit code {code}"
        else:
            how = detail or "pipe closed"
        if said:
            how += f": {said}"
        return WorkerStopped(
            f"the entity worker stopped ({how}); the next article starts a new one"
        )

    def stop(self) -> None:
        """End the child now (it holds nothing to save) and forget it."""
        process, connection = self.process, self.connection
        # Loading its model or running a batch, the child reads no EOF until it is done.
        busy = not self.ready or self.open is not None or self.asked is not None
        self.process = self.connection = None
        self.ready, self.open, self.asked = False, None, None
        if connection is not None:
            connection.close()  # EOF in the child: it exits by itself when idle
        if isinstance(process, ChildProcess) and process.is_alive():
            with contextlib.suppress(OSError):  # stopped by pause_workers: it reads the EOF
                os.kill(process.pid, signal.SIGCONT)
        if process is not None:
            if not busy:
                process.join(timeout=0.2)
            if process.is_alive():  # busy: do not make the app's exit wait
                process.terminate()
                process.join(timeout=1)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
            if isinstance(process, ChildProcess):
                process.close()


def pieces(chunks: list[tuple[int, str]], chars: int) -> Iterator[list[tuple[int, str]]]:
    """Consecutive runs of *chunks* of at most *chars* characters (at least one chunk)."""
    run: list[tuple[int, str]] = []
    size = 0
    for chunk in chunks:
        if run and size + len(chunk[1]) > chars:
            yield run
            run, size = [], 0
        run.append(chunk)
        size += len(chunk[1])
    if run:
        yield run


def _same(a: str, b: str) -> bool:
    return a is b or a == b


class _NoFileno:
    """A stream whose ``fileno()`` raises, writing everything else to *stream*."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _stderr_with_fileno() -> Iterator[None]:
    """Make spawning work while Textual captures ``sys.stderr`` (textual#3593).

    (Where the worker is spawned by multiprocessing: not on POSIX, see :func:`start_child`.)
    Spawning starts multiprocessing's resource tracker, which passes
    ``sys.stderr.fileno()`` to it; Textual's print capture answers -1, and the start
    fails with "bad value(s) in fds_to_keep". A ``fileno()`` that raises is skipped
    instead; writes still go to the capture.
    """
    stream = sys.stderr
    try:
        broken = stream is not None and stream.fileno() < 0
    except (OSError, ValueError):
        broken = False
    if not broken:
        yield
        return
    sys.stderr = _NoFileno(stream)
    try:
        yield
    finally:
        if isinstance(sys.stderr, _NoFileno):
            sys.stderr = stream


#: The child process of each engine and model, shared by every WorkerRecognizer of this
#: process.
_workers: dict[tuple[str, str | None], _Worker] = {}
_workers_lock = threading.Lock()


def _worker(engine: str, model: str | None) -> _Worker:
    with _workers_lock:
        worker = _workers.get((engine, model))
        if worker is None:
            worker = _workers[engine, model] = _Worker(engine, model)
        return worker


@atexit.register
def pause_workers() -> None:
    """Ctrl+Z: stop (SIGSTOP) every worker process this one started, with the app. Each
    runs in a session of its own (:class:`ChildProcess`), where the terminal's stop does
    not reach it: it went on with the piece in flight while the app was stopped. A
    request in flight stays as it was, in the pipe or half-run: :func:`continue_workers`
    (on ``fg``) lets the child go on with it, nothing lost nor run twice."""
    _signal_workers(signal.SIGSTOP)


def continue_workers() -> None:
    """Back from Ctrl+Z: let every worker stopped by :func:`pause_workers` go on (SIGCONT;
    a no-op for one that was not stopped)."""
    _signal_workers(signal.SIGCONT)


def _signal_workers(number: int) -> None:
    with _workers_lock:
        workers = list(_workers.values())
    for worker in workers:
        process = worker.process
        if isinstance(process, ChildProcess) and process.is_alive():
            with contextlib.suppress(OSError):  # ended meanwhile
                os.kill(process.pid, number)


def close_workers() -> None:
    """Stop every worker process this one started (also run at exit)."""
    with _workers_lock:
        workers = list(_workers.values())
    for worker in workers:
        # Not under the worker's lock: a request in flight sees the child end and raises.
        worker.stop()


class WorkerRecognizer:
    """An entity engine whose model runs in a worker process; thread-safe.

    The process starts at the first :meth:`extract` (a warm start with every article
    cached never starts it), loads the model once and stays for the session, shared by
    every WorkerRecognizer of this process for the same engine and model. The engine's
    library (spaCy) is imported there only. When it dies, the request in flight raises
    :class:`WorkerStopped` (or :class:`NoModel`) and the next one starts a fresh process.
    It is stopped at exit, or by :meth:`close`, and exits by itself if this process is
    killed.
    """

    def __init__(
        self, engine: str = "spacy", model: str | None = None, batch_size: int = BATCH_PARAGRAPHS
    ) -> None:
        self._engine_name = engine
        self._model = model
        self._here: EntityEngine | None = None
        """Identifies the model from package metadata; never loaded in this process."""
        self._worker = _worker(engine, model)
        self.batch_size = batch_size
        """Paragraphs per ``recognise`` batch, between which a request can be cancelled."""

    @property
    def info(self) -> EngineInfo:
        """The engine and model: what the worker process loaded once it is ready, before
        that found from metadata without loading the model (:class:`NoModel` when there is
        none, or no such engine)."""
        if self._worker.loaded is not None:
            return self._worker.loaded  # the child's word: what really runs
        if self._here is None:
            self._here = make_engine(self._engine_name, self._model)
        return self._here.info

    @property
    def loaded(self) -> bool:
        """Whether the worker process has loaded the model."""
        return self._worker.ready

    @property
    def pid(self) -> int | None:
        """The worker process's id, while there is one."""
        process = self._worker.process
        return None if process is None else process.pid

    def start(self) -> None:
        """Start the worker process if none is running; return at once (it loads meanwhile)."""
        self.info  # noqa: B018 -- NoModel here, without starting a process for nothing
        if self._worker.lock.acquire(blocking=False):  # else a request has one running
            try:
                self._worker.start()
            finally:
                self._worker.lock.release()

    def ask(self, text: str) -> bool:
        """Have the worker start on *text* now if it is running and idle, without waiting
        (from the screen's thread: an article whose entities are not cached is opening);
        the :meth:`extract` of the same text that follows takes that answer. Whether it
        was sent; never raises (:meth:`extract` says what is wrong)."""
        chunks = list(paragraphs(text))
        return bool(chunks) and self._worker.ask(text, chunks, self.batch_size)

    def withdraw(self, keep: str | None = None) -> bool:
        """Cancel the text sent ahead by :meth:`ask` that no :meth:`extract` has taken,
        unless it is *keep* (see :meth:`_Worker.withdraw`). Whether one was; never raises."""
        return self._worker.withdraw(keep)

    def extract(self, text: str, cancelled: threading.Event | None = None) -> list[Span]:
        """Return the model's entities in *text*, exactly as the engine's ``extract``.

        Raises :class:`Cancelled` when *cancelled* is set (checked between batches and
        while the worker is busy), :class:`NoModel` when there is no model, and
        :class:`WorkerStopped` when the worker process ended.
        """
        self.info  # noqa: B018 -- NoModel here, without starting a process for nothing
        chunks = list(paragraphs(text))
        if not chunks:
            return []
        worker = self._worker
        with worker.wanted_lock:
            worker.wanted += 1  # the background's next piece waits (behind)
        try:
            with worker.lock:
                return worker.extract(text, chunks, self.batch_size, cancelled)
        finally:
            with worker.wanted_lock:
                worker.wanted -= 1

    def extract_behind(
        self, text: str, cancelled: threading.Event, turn: Callable[[], None]
    ) -> list[Span]:
        """:meth:`extract`, for the app's background pass: *text* goes to the worker in
        pieces of about :data:`PIECE_CHARS` characters (whole paragraphs: the model reads
        each paragraph alone, so the spans are the same), each sent only when no
        :meth:`extract` (the user's) wants the worker, so that the user's request waits at
        most for the piece in flight. *turn* is called before each piece: it returns when
        the background may go on (it waits while the user types). Raises
        :class:`Cancelled` once *cancelled* is set (within :data:`_POLL` seconds, the
        piece in flight cancelled), as :meth:`extract` raises the rest."""
        self.info  # noqa: B018 -- NoModel here, without starting a process for nothing
        spans: list[Span] = []
        for piece in pieces(list(paragraphs(text)), PIECE_CHARS):
            while True:
                turn()
                if cancelled.is_set():
                    raise Cancelled
                found = self._worker.behind(text, piece, self.batch_size, cancelled)
                if found is not None:
                    spans.extend(found)
                    break
                cancelled.wait(_POLL)  # the user's request has the worker: after it
        return spans

    def close(self) -> None:
        """Stop the worker process (the next :meth:`extract` starts a new one)."""
        self._worker.stop()
