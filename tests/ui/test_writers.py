"""The app and commands writing one database together (issue 15).

Eight `reader note` processes write while the app is open: every note a command
acknowledged is in the file and shown in the app's notes panel without a restart, a note
typed in the app meanwhile is saved whole, and the app stays writable. A database that
really cannot be written (mode 0444) opens read-only, saying why, and is never written.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from reader.store import AnnotationStore
from reader.ui.app import build_app
from reader.ui.screens.main import MainScreen
from reader.ui.screens.note_editor import NoteScreen
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_list import ArticleList

from .conftest import ready, settle

SIZE = (140, 45)
WRITERS = 8
NOTES_EACH = 3
ROOT = Path(__file__).resolve().parents[2]


def command(settings: Any, *argv: str) -> subprocess.CompletedProcess[str]:
    """`reader ARGV` as its own process (what a script or cron job runs)."""
    return subprocess.run(
        [sys.executable, "-m", "reader", *argv, "--db", str(settings.db_path), "--wait", "60"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )


async def test_eight_commands_write_while_the_app_is_open_and_it_shows_them(
    make_settings: Any,
) -> None:
    settings = make_settings()
    app = build_app(settings)
    acknowledged: list[str] = []
    failures: list[str] = []

    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert app.store is not None and not app.store.read_only
        article = main.article
        assert article is not None
        path = str(article.path)

        def writer(n: int) -> None:
            for i in range(NOTES_EACH):
                text = f"writer {n} note {i}"
                done = command(settings, "note", path, text)
                if done.returncode == 0:
                    acknowledged.append(text)
                else:
                    failures.append(done.stderr)
            tagged = command(settings, "tag", path, f"w{n}")
            if tagged.returncode != 0:
                failures.append(tagged.stderr)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        # Meanwhile the user types a note; refreshes underneath never touch the dialog.
        await pilot.press("a")
        await pilot.pause(0.1)
        assert isinstance(app.screen, NoteScreen)
        for word in ("typed ", "while ", "others ", "save"):
            await pilot.press(*word)
            await pilot.pause(0.5)
        while any(thread.is_alive() for thread in threads):
            await pilot.pause(0.2)
        for thread in threads:
            thread.join()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert failures == []
        assert len(acknowledged) == WRITERS * NOTES_EACH
        # One more, after the app's last save: only its look for others' saves (a stat
        # every second) can bring this one to the screen.
        last = command(settings, "note", path, "the last one")
        assert last.returncode == 0, last.stderr
        acknowledged.append("the last one")
        await pilot.pause(1.5)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        panel = app.screen.query_one(AnnotationPanel)
        shown = {item.annotation.body for item in panel.annotations.items}
        assert shown == {*acknowledged, "typed while others save"}
        sidebar = app.screen.query_one(ArticleList)
        lines = "\n".join(sidebar.render_line(y).text for y in range(sidebar.size.height))
        assert all(f"#w{n}" in lines for n in range(WRITERS)), lines
        assert not app.store.read_only
    with AnnotationStore(settings.db_path, read_only=True) as store:
        bodies = [a.body for a in store.annotations()]
        assert sorted(bodies) == sorted([*acknowledged, "typed while others save"])
        assert len(store.tags(article.sha256)) == WRITERS
        assert len(bodies) == WRITERS * NOTES_EACH + 2


async def test_a_read_only_file_is_shown_read_only_and_says_why(make_settings: Any) -> None:
    settings = make_settings()
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    with AnnotationStore(settings.db_path) as store:
        store.save_view("kept", "tag:x")
    settings.db_path.chmod(0o444)
    before = settings.db_path.read_bytes()
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.store is not None and app.store.read_only
        assert app.store_problem is not None and "mode 0444" in app.store_problem
        await pilot.press("t")
        await pilot.pause(0.1)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert settings.db_path.read_bytes() == before
