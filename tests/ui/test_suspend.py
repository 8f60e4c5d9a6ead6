"""Ctrl+Z (reader/ui/suspend.py): the key reaches Textual's suspend, which writes what
waits (where the library was left, a note being typed as a draft) before the process is
stopped; in the note editor Ctrl+Z is the text area's undo; help and palette list it; no
suspend where no shell could bring the process back.

Real parts: the real app under Pilot on a real TinyDB file, read at the moment the
process would stop as another process reads it. Mocked: only the stop itself (Pilot's
headless driver cannot suspend, and a SIGTSTP would stop the test run): the driver said
able to, ``os.kill(own pid, SIGTSTP)`` recorded. The real stop: tests/e2e/test_terminal.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.drivers.headless_driver import HeadlessDriver

from reader.library import catalogue
from reader.settings import Settings
from reader.ui.app import ReaderApp, build_app
from reader.ui.screens import note_drafts, resume
from reader.ui.screens.help import key_rows
from reader.ui.screens.main import MainScreen
from reader.ui.screens.note_editor import NoteScreen
from reader.ui.widgets.article_list import ArticleList

from .conftest import in_article, settle
from .test_drafts import drafts, library, open_editor, text_of

SIZE = (140, 40)


@pytest.fixture
def settings(make_settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(note_drafts, "DRAFT_AFTER", 3600.0)  # only the suspend writes
    monkeypatch.setattr(resume, "SAVE_AFTER", 3600.0)
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)  # the articles are just written
    made: Settings = make_settings(library(tmp_path / "lib"), model="no-such-pipeline")
    return made


@pytest.fixture
def stops(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> list[tuple[str, list[str]]]:
    """Each SIGTSTP the app sends itself, with what the database file held then: where
    the library was left (its sessions) and the drafts."""
    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda _self: True))
    stopped: list[tuple[str, list[str]]] = []
    real_kill = os.kill

    def kill(pid: int, number: int) -> None:
        if pid == os.getpid() and number == signal.SIGTSTP:
            db = settings.db_path
            sessions = json.loads(db.read_text()).get("sessions") if db.exists() else None
            stopped.append((json.dumps(sessions), drafts(settings)))
            return
        real_kill(pid, number)

    monkeypatch.setattr(os, "kill", kill)
    return stopped


async def test_ctrl_z_writes_where_the_library_was_left_then_stops(
    settings: Settings, stops: list[tuple[str, list[str]]]
) -> None:
    """Ctrl+Z in the list: the process is stopped (SIGTSTP) once, and by then the article
    open is in the database; resumed (the driver's SignalResume), the app goes on."""
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        main.query_one(ArticleList).focus()
        await pilot.press("j", "enter")
        await settle(pilot)
        assert main.article is not None and main.article.path.name == "b-vote.txt"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert len(stops) == 1, stops
        assert "b-vote.txt" in stops[0][0]
        app.post_message(HeadlessDriver.SignalResume())  # `fg`
        await settle(pilot)
        main.query_one(ArticleList).focus()
        await pilot.press("k", "enter")
        await settle(pilot)
        assert app.is_running and main.article.path.name == "a-oslo.txt"


async def test_ctrl_z_in_the_note_editor_is_undo_not_a_suspend(
    settings: Settings, stops: list[tuple[str, list[str]]]
) -> None:
    async with in_article(settings, SIZE) as (app, pilot, _):
        screen = await open_editor(app, pilot)
        await pilot.press(*"Typed")
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert stops == []
        assert app.screen is screen and text_of(screen) == ""


async def test_a_suspend_keeps_the_note_being_typed_as_a_draft(
    settings: Settings, stops: list[tuple[str, list[str]]]
) -> None:
    """Suspended with the editor open (the palette's Suspend, or Ctrl+Z with the focus off
    the text): the text typed is a draft in the database before the stop, and the editor
    goes on keeping it after."""
    async with in_article(settings, SIZE) as (app, pilot, _):
        screen = await open_editor(app, pilot)
        await pilot.press(*"Half a note")
        app.action_suspend_process()
        assert [kept for _, kept in stops] == [["Half a note"]]
        app.post_message(HeadlessDriver.SignalResume())
        await settle(pilot)
        await pilot.press(*" more")
        assert isinstance(app.screen, NoteScreen) and text_of(screen) == "Half a note more"
        assert screen.keeper is not None and not screen.keeper.stopped


def test_help_and_palette_list_the_suspend() -> None:
    rows = key_rows([ReaderApp, MainScreen])
    assert (["ctrl+z"], "Suspend to the shell (fg comes back)") in rows


async def test_the_palette_offers_suspend(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Suspend" in titles


CHECK = "from reader.ui.suspend import shell_can_resume; print(shell_can_resume())"


WRAPPED = ["sh", "-c", f'"{sys.executable}" -c "{CHECK}"; true']  # sh waits: not exec'd


@pytest.mark.parametrize(
    ("command", "how", "expected"),
    [
        # As a job-control shell starts a job: a process group of its own, in the session.
        ([sys.executable, "-c", CHECK], {"process_group": 0}, "True"),
        # The job a wrapper that waits for it (uv run, a script): the shell waits for the
        # wrapper, which a stop of reader alone does not stop (reader/ui/suspend.py).
        (WRAPPED, {"process_group": 0}, "False"),
        # In its parent's process group (sh -c without job control): nobody to fg it.
        ([sys.executable, "-c", CHECK], {}, "False"),
        # A session's leader (run by tmux itself).
        ([sys.executable, "-c", CHECK], {"start_new_session": True}, "False"),
    ],
)
def test_a_suspend_is_refused_where_no_shell_could_resume(
    command: list[str], how: dict[str, Any], expected: str
) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True, **how)
    assert result.stdout.strip() == expected
