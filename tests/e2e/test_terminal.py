"""`reader` in a real terminal (tmux): what a person sees, and what the terminal receives."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_hostile_library

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

READER = Path(sys.executable).with_name("reader")


class Terminal:
    """A tmux server of our own running one command in a 140x40 window."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.socket = f"reader-test-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={v!r}" for k, v in env.items())
        shell = f"env -u COLUMNS -u LINES {exports} {' '.join(map(repr, command))}; sleep 30"
        self.tmux("-f", "/dev/null", "new-session", "-d", "-x", "140", "-y", "40", shell)
        self.tmux("resize-window", "-x", "140", "-y", "40")
        # Let the program set the clipboard if it tries (OSC 52): we check it did not.
        self.tmux("set-option", "-g", "set-clipboard", "on")

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", key)
            time.sleep(0.05)

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[type[Terminal]]:
    opened: list[Terminal] = []

    def open_terminal(
        *args: str, draft_after: float | None = None, shell: bool = False, wrap: bool = False
    ) -> Terminal:
        """tmux running ``reader ARGS``; *shell*: an interactive bash (job control) in
        which the command is typed, as a person starts it; *wrap*: typed inside an
        ``sh -c`` that waits for it (as ``uv run`` or a wrapper script)."""
        env = {
            "READER_CACHE_DIR": str(tmp_path / "cache"),
            "READER_DB": str(tmp_path / "db.json"),
            "TERM": "xterm-256color",
            "PATH": os.environ.get("PATH", ""),
        }
        if os.environ.get("PYTHONPATH"):  # the code under test, not the installed one
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        if draft_after is not None:  # the note editor's pause (a long one: it cannot come)
            env["READER_DRAFT_AFTER"] = str(draft_after)
        command = [str(READER)] if READER.exists() else [sys.executable, "-m", "reader"]
        if shell:
            env.update(HISTFILE="/dev/null", PS1="shell$ ")
            term = Terminal(["bash", "--norc", "--noprofile", "-i"], env)
            term.wait_for("shell$")
            typed = " ".join(map(shlex.quote, [*command, *args]))
            if wrap:
                typed = f"sh -c {shlex.quote(typed + '; true')}"
            term.tmux("send-keys", "-l", typed)
            term.tmux("send-keys", "Enter")
        else:
            term = Terminal([*command, *args], env)
        opened.append(term)
        return term

    yield open_terminal  # type: ignore[misc]
    for term in opened:
        term.close()


def test_seed_article_with_highlights_and_keys(terminal, seed_path: Path) -> None:  # type: ignore[no-untyped-def]
    term = terminal(str(seed_path.parent))
    term.wait_for("bilateral")
    term.wait_for("PERSON (")  # the entity panel: entities arrived
    coloured = term.tmux("capture-pane", "-p", "-e")
    assert "\x1b[" in coloured  # highlights are drawn in colour
    term.keys("?")
    term.wait_for("Next entity")
    term.keys("Escape", "q")
    deadline = time.monotonic() + 10
    while "bilateral" in term.screen() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "bilateral" not in term.screen()


def test_hostile_articles_send_nothing_to_the_terminal(terminal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = make_hostile_library(tmp_path / "hostile")
    term = terminal(str(folder))
    term.wait_for("Articles")
    title_before = term.tmux("display-message", "-p", "#{pane_title}")
    for _ in range(6):
        term.keys("j", "Enter", "Escape")
        time.sleep(0.3)
    # Open the articles from the top until the markup one is in the article pane (the
    # sidebar shows titles cut to one line, so its markup must be found in the text).
    term.keys("g")
    for _ in range(10):
        term.keys("Enter")
        time.sleep(0.3)
        if "Body with [@click" in term.screen():
            break
        term.keys("Escape")
        time.sleep(0.3)  # else Escape and j arrive as one key, Alt+j
        term.keys("j")
    screen = term.wait_for("Body with [@click=app.quit]x[/]")  # markup shown literally
    assert "[link=file:///etc/passwd]" in screen
    assert term.tmux("list-buffers") == "", "an OSC 52 clipboard write reached the terminal"
    assert term.tmux("display-message", "-p", "#{pane_title}") == title_before
    assert "pwned" not in term.tmux("display-message", "-p", "#{pane_title}")


def test_the_terminal_closed_keeps_where_the_library_was_left(terminal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The terminal's window closed (SIGHUP) right after a switch, before the rest that
    saves where the library was left: the app exits as on q and writes it, instead of
    dying with it (review6)."""
    folder = tmp_path / "lib"
    folder.mkdir()
    for name, title in (("a.txt", "Alpha story"), ("b.txt", "Bravo story"), ("c.txt", "Charlie")):
        (folder / name).write_text(f"{title}\n\nThe minister spoke in Oslo on Monday.\n")
    term = terminal(str(folder))
    term.wait_for("Alpha story")
    time.sleep(0.5)
    term.keys("j", "Enter")
    term.wait_for("b.txt · 9 words · 1 min read")  # the header: the second article is open
    term.close()  # tmux goes: the pty with it, SIGHUP to the app
    db = tmp_path / "db.json"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if db.exists() and "b.txt" in json.dumps(json.loads(db.read_text()).get("sessions")):
            break
        time.sleep(0.1)
    assert db.exists(), "nothing written"
    assert "b.txt" in json.dumps(json.loads(db.read_text()).get("sessions")), db.read_text()


def _drafts_in(db: Path) -> str:
    """The drafts table of the database file, as JSON text ("null": none yet)."""
    return json.dumps(json.loads(db.read_text()).get("drafts") if db.exists() else None)


def _restored(terminal, folder: Path, text: str) -> None:  # type: ignore[no-untyped-def]
    """A new start names the draft, and ``a`` opens the editor from it."""
    term = terminal(str(folder))
    term.wait_for("kept as draft")
    term.wait_for("a.txt · 9 words")
    time.sleep(0.5)
    term.keys("a")
    screen = term.wait_for("restored")
    assert text in screen and "Draft from" in screen, screen


def _typing_a_note(terminal, tmp_path: Path, text: str, **options):  # type: ignore[no-untyped-def]
    """A one-article library in *tmp_path*, the app on it, the note editor open on the
    article and *text* typed in it: the terminal and the library's folder."""
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha story\n\nThe minister spoke in Oslo on Monday.\n")
    term = terminal(str(folder), **options)
    term.wait_for("a.txt · 9 words")
    time.sleep(0.5)
    term.keys("a")
    term.wait_for("Ctrl+S: save")
    term.keys(text)
    return term, folder


def _wait_for_draft(db: Path, text: str) -> None:
    """Wait up to 15 s for a draft holding *text* in the database file *db*."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and text not in _drafts_in(db):
        time.sleep(0.1)
    assert text in _drafts_in(db), _drafts_in(db)


def test_a_killed_app_loses_no_more_than_the_typing_since_the_last_pause(
    terminal, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A note typed, then a pause: the draft is written by the running app (its own
    timer, about a second later), so a kill -9 afterwards loses none of it."""
    term, folder = _typing_a_note(terminal, tmp_path, "Kept by the pause")
    _wait_for_draft(tmp_path / "db.json", "Kept by the pause")
    _signal_app(term, signal.SIGKILL)
    term.close()
    _restored(terminal, folder, "Kept by the pause")


def _signal_app(term, number: int) -> None:  # type: ignore[no-untyped-def]
    """Send *number* to the app the pane's shell started (by its pid)."""
    shell = int(term.tmux("display-message", "-p", "#{pane_pid}").strip())
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(shell)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert children, "the app is not running"
    for pid in children:
        os.kill(int(pid), number)


def test_an_app_told_to_stop_keeps_the_note_being_typed(terminal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM right after typing (before the pause): the app exits as on q, the note
    handed to the writer as a draft first."""
    # draft_after: the pause's draft cannot come
    term, _ = _typing_a_note(terminal, tmp_path, "Typed before SIGTERM", draft_after=3600)
    term.wait_for("Typed before SIGTERM")
    db = tmp_path / "db.json"
    assert "Typed before SIGTERM" not in _drafts_in(db)  # the signal writes it, not a pause
    _signal_app(term, signal.SIGTERM)
    _wait_for_draft(db, "Typed before SIGTERM")
    term.close()


def test_the_terminal_closed_keeps_the_note_being_typed(terminal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A note typed, the terminal's window closed at once (SIGHUP, before the typing's
    pause writes a draft): the draft is written before the database closes, and the next
    start names it and opens the note editor from it."""
    text = "Typed before the window closed"
    # draft_after: the pause's draft cannot come
    term, folder = _typing_a_note(terminal, tmp_path, text, draft_after=3600)
    term.wait_for(text)
    db = tmp_path / "db.json"
    assert "Typed before" not in _drafts_in(db)  # SIGHUP writes it, not a pause
    term.close()  # tmux goes: the pty with it, SIGHUP to the app
    _wait_for_draft(db, text)
    _restored(terminal, folder, "Typed before the window closed")


def test_two_apps_on_one_database_keep_each_other_s_draft(terminal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Window A types a note (kept after its pause); window B, on the same database,
    opens the same note: it does not start from A's draft nor name it, and B's save
    leaves it; A killed, the next start names A's draft and restores it."""
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha story\n\nThe minister spoke in Oslo on Monday.\n")
    db = tmp_path / "db.json"
    first = terminal(str(folder))
    first.wait_for("a.txt · 9 words")
    time.sleep(0.5)
    first.keys("a")
    first.wait_for("Ctrl+S: save")
    first.keys("Words of window A")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and "Words of window A" not in _drafts_in(db):
        time.sleep(0.1)
    assert "Words of window A" in _drafts_in(db), _drafts_in(db)
    second = terminal(str(folder))
    second.wait_for("a.txt · 9 words")
    time.sleep(0.5)
    second.keys("a")
    second.wait_for("Ctrl+S: save")
    second.keys("Words of window B")
    screen = second.wait_for("Words of window B")
    assert "Words of window A" not in screen and "kept as draft" not in screen, screen
    second.keys("C-s")
    second.wait_for("Note saved")
    saved = json.loads(db.read_text())
    assert "Words of window B" in json.dumps(saved["annotations"])
    assert "Words of window A" in _drafts_in(db) and "Words of window B" not in _drafts_in(db)
    _signal_app(first, signal.SIGKILL)
    first.close()
    second.close()
    _restored(terminal, folder, "Words of window A")


def _state(pid: int) -> str:
    """The process's state letter in /proc (T: stopped), "gone" once it is."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "gone"
    return stat.rsplit(")", 1)[1].split()[0]


def _reader_pid(folder: Path) -> int:
    """The app's pid: the process whose command line names *folder*."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if str(folder).encode() in argv:
            return int(entry.name)
    raise AssertionError(f"no process runs on {folder}")


def _worker_pid(pid: int) -> int:
    """The entity worker's pid: the child of process *pid* running worker_child."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            argv = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"reader.entities.worker_child" in argv:
                return int(child)
    raise AssertionError(f"no entity worker under {pid}")


def _wait_state(pid: int, wanted: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _state(pid) != wanted:
        time.sleep(0.05)
    assert _state(pid) == wanted, _state(pid)


def _sessions_in(db: Path) -> str:
    return json.dumps(json.loads(db.read_text()).get("sessions") if db.exists() else None)


def test_ctrl_z_stops_reader_after_writing_and_fg_brings_it_back(terminal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Started from an interactive bash (job control): Ctrl+Z right after an article
    switch stops the process (state T, bash says Stopped), and the switch (where the
    library was left, else written after a 2 s rest) is in the database before the stop;
    the window resized meanwhile, `fg` draws the app again at the new size (below 110
    columns: no side panels), and keys work (? opens the help). The entity worker (a
    session of its own: the terminal's stop misses it) is stopped with the app, and goes
    on after `fg`: a switch then to an article not found yet gets its entities."""
    folder = tmp_path / "lib"
    folder.mkdir()
    for name, title in (("a.txt", "Alpha story"), ("b.txt", "Bravo story")):
        (folder / name).write_text(f"{title}\n\nThe minister spoke in Oslo on Monday.\n")
        os.utime(folder / name, (time.time() - 3600, time.time() - 3600))  # not racy: known
    db = tmp_path / "db.json"
    term = terminal(str(folder), shell=True)
    term.wait_for("a.txt · 9 words")
    assert "Entities" in term.screen()  # 140 columns: the side panels
    term.wait_for("GPE (")  # Oslo: the worker runs
    pid = _reader_pid(folder)
    worker = _worker_pid(pid)
    term.keys("j", "Enter")
    switched = time.monotonic()
    term.wait_for("b.txt · 9 words")
    term.keys("C-z")
    _wait_state(pid, "T")
    assert _state(worker) == "T"
    found = len(list((tmp_path / "cache").glob("*/*/*.json")))  # a and b's entities
    # Added while reader is stopped: its entities can only be found after `fg`.
    (folder / "c.txt").write_text("Charlie story\n\nAngela Merkel visited Paris in May.\n")
    assert time.monotonic() - switched < 2.0, "too slow: the rest's save may have come first"
    assert "b.txt" in _sessions_in(db), _sessions_in(db)  # written before the stop
    term.wait_for("Stopped")  # bash took the terminal back
    term.tmux("resize-window", "-x", "100", "-y", "30")
    time.sleep(0.3)
    assert _state(pid) == "T"
    term.tmux("send-keys", "-l", "fg")
    term.tmux("send-keys", "Enter")
    screen = term.wait_for("b.txt · 9 words")
    assert _state(pid) != "T"
    _wait_state(worker, "S")  # continued, idle
    term.wait_for("c.txt · 8 words")  # listed
    term.keys("Escape")  # to the list
    time.sleep(0.3)  # else Escape and j arrive as one key, Alt+j
    term.keys("j", "Enter")  # an article whose entities are not found yet
    term.wait_for("c.txt · 8 words · 1 min read")
    deadline = time.monotonic() + 30
    while len(list((tmp_path / "cache").glob("*/*/*.json"))) == found:
        assert time.monotonic() < deadline, "the switch after fg found no entities"
        time.sleep(0.1)
    term.keys("Escape")
    time.sleep(0.3)
    term.keys("k", "Enter")
    screen = term.wait_for("b.txt · 9 words · 1 min read")
    deadline = time.monotonic() + 10
    while "Entities" in screen and time.monotonic() < deadline:  # drawn at 100 columns
        time.sleep(0.05)
        screen = term.screen()
    assert "Entities" not in screen and "Stopped" not in screen, screen
    term.keys("?")
    term.wait_for("reader — keys")
    term.keys("Escape")
    time.sleep(0.3)  # else Escape and q arrive as one key, Alt+q
    term.keys("q")
    term.wait_for("shell$")  # the app quit, back to the shell
    _wait_state(pid, "gone")


@pytest.mark.parametrize("wrapped", [False, True])
def test_ctrl_z_without_a_shell_to_come_back_to_does_not_stop(
    terminal, tmp_path: Path, wrapped: bool
) -> None:  # type: ignore[no-untyped-def]
    """reader run by a shell without job control (the pane's `sh -c`), or by a wrapper
    that waits for it (`sh -c` typed in an interactive bash): a stop could not be undone
    (nobody to `fg` it; bash waits for the wrapper, which is not stopped), so Ctrl+Z says
    so and the app goes on."""
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha story\n\nThe minister spoke in Oslo on Monday.\n")
    term = terminal(str(folder), shell=wrapped, wrap=wrapped)
    term.wait_for("a.txt · 9 words")
    pid = _reader_pid(folder)
    term.keys("C-z")
    term.wait_for("not suspended")
    assert _state(pid) != "T"
    term.keys("?")
    term.wait_for("reader — keys")
