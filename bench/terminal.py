"""A program in a pseudo-terminal we drive: keys in, frames out, with their times.

The benchmark talks to ``reader`` (and to the bare Textual baseline) the way a terminal
does: the program's stdin, stdout and stderr are the slave side of a pty of a fixed size,
and a thread reads everything it writes from the master side, stamping each chunk with
``time.perf_counter()`` the moment ``os.read`` returns. A frame is "painted" when the bytes
that draw it have reached the terminal, so the time a marker string first appears in the
output (escape sequences stripped) is the time it was on screen, to within one read, with
no polling (tmux ``capture-pane`` polling costs a process per look and ~10 ms of
resolution, too coarse for a 30 ms target).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["Terminal", "TerminalTimeout", "peak_rss_mb"]

#: Escape sequences (CSI, OSC, DCS and two-byte escapes), removed before searching.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC, DCS, PM, APC, SOS
    r"|\x1b[ -/]*[0-~]"  # two-byte escapes
)


#: How many reads back a marker is searched for (a frame is at most a few 64 KiB reads).
_WINDOW = 8


class TerminalTimeout(RuntimeError):
    """What we waited for did not appear in time."""


class Terminal:
    """One program running in a pty of *columns* x *rows*; the output is read as it comes.

    Use as a context manager: the program is killed (its process group) on exit.
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        columns: int = 160,
        rows: int = 50,
        cwd: Path | None = None,
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environment = dict(os.environ if env is None else env)
        environment.pop("COLUMNS", None)
        environment.pop("LINES", None)
        environment.setdefault("TERM", "xterm-256color")
        environment.setdefault("COLORTERM", "truecolor")
        self.started = time.perf_counter()
        """When the program was started (perf_counter seconds)."""
        self.process = subprocess.Popen(
            list(command),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environment,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_take_terminal,
            close_fds=True,
        )
        os.close(slave)
        self._master = master
        self._chunks: list[tuple[float, str]] = []
        self._changed = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    # Reading.

    def _read(self) -> None:
        decoder = _Utf8()
        while True:
            try:
                data = os.read(self._master, 1 << 16)
            except OSError:
                data = b""
            now = time.perf_counter()
            with self._changed:
                if not data:
                    self._closed = True
                    self._changed.notify_all()
                    return
                self._chunks.append((now, decoder.decode(data)))
                self._changed.notify_all()

    @property
    def mark(self) -> int:
        """A position in the output: wait for what comes after it with ``since=``."""
        with self._changed:
            return len(self._chunks)

    def wait_for(self, marker: str, *, since: int = 0, timeout: float = 60.0) -> float:
        """Return the time (perf_counter) *marker* was first written after chunk *since*.

        The output from *since* on is searched with escape sequences removed, so a marker
        drawn in several styles (escape sequences in between) is still found.
        """
        deadline = time.monotonic() + timeout
        seen = since
        with self._changed:
            while True:
                for index in range(seen, len(self._chunks)):
                    # A frame may span a few reads; a marker never spans more than that.
                    first = max(since, index - _WINDOW + 1)
                    text = "".join(chunk for _, chunk in self._chunks[first : index + 1])
                    if marker in _ESCAPES.sub("", text):
                        return self._chunks[index][0]
                seen = len(self._chunks)
                if self._closed:
                    raise TerminalTimeout(
                        f"the program exited before {marker!r} appeared; it wrote:\n"
                        + self._tail(since)
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TerminalTimeout(
                        f"{marker!r} did not appear in {timeout:g} s; the program wrote:\n"
                        + self._tail(since)
                    )
                self._changed.wait(left)

    def wait_output(self, *, since: int, timeout: float = 30.0) -> float:
        """Return the time (perf_counter) the first output after chunk *since* arrived."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._chunks) <= since:
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise TerminalTimeout("no output came")
                self._changed.wait(left)
            return self._chunks[since][0]

    def _tail(self, since: int, size: int = 2000) -> str:
        text = _ESCAPES.sub("", "".join(chunk for _, chunk in self._chunks[since:]))
        return text[-size:]

    def wait_quiet(self, quiet: float = 0.2, timeout: float = 30.0) -> None:
        """Wait until the program has written nothing for *quiet* seconds (from now on)."""
        deadline = time.monotonic() + timeout
        since = time.perf_counter()
        with self._changed:
            while time.monotonic() < deadline:
                last = max(self._chunks[-1][0] if self._chunks else since, since)
                left = quiet - (time.perf_counter() - last)
                if left <= 0:
                    return
                self._changed.wait(left)
        raise TerminalTimeout(f"the program did not go quiet in {timeout:g} s")

    def text(self, since: int = 0) -> str:
        """Everything written after chunk *since*, escape sequences removed."""
        with self._changed:
            return _ESCAPES.sub("", "".join(chunk for _, chunk in self._chunks[since:]))

    # Writing.

    def press(self, keys: str) -> float:
        """Type *keys* (raw bytes as a terminal sends them); return when (perf_counter)."""
        now = time.perf_counter()
        os.write(self._master, keys.encode("utf-8"))
        return now

    # Process.

    @property
    def pid(self) -> int:
        """The program's process id."""
        return self.process.pid

    def close(self) -> None:
        """Kill the program (its whole process group) and stop reading."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        with contextlib.suppress(OSError):
            os.close(self._master)
        self._reader.join(timeout=5)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _take_terminal() -> None:
    """In the child, after setsid: make the pty (stdin) the controlling terminal, as a
    terminal emulator does, so that Ctrl-C typed into it is SIGINT for the program."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class _Utf8:
    """An incremental UTF-8 decoder (a character may be split between two reads)."""

    def __init__(self) -> None:
        import codecs

        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def decode(self, data: bytes) -> str:
        return self._decoder.decode(data)


def thread_times_ms(pid: int) -> tuple[float, float]:
    """Milliseconds process *pid*'s threads (those alive now) have run on a CPU and have
    waited on the run queue for one, so far (Linux's /proc/PID/task/*/schedstat): a
    keystroke's processor time apart from the wait a shared machine adds to its wall time."""
    ran = waited = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            on_cpu, on_queue, _slices = (task / "schedstat").read_text().split()
        except (OSError, ValueError):
            continue  # a thread that ended meanwhile
        ran += int(on_cpu)
        waited += int(on_queue)
    return ran / 1e6, waited / 1e6


def peak_rss_mb(pid: int) -> float:
    """The peak resident set size of process *pid* so far (VmHWM), in MB (10^6 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no VmHWM for process {pid}")
