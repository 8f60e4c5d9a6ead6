"""Shared fixtures: the seed article, the real spaCy engine, settings in a temp folder."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from reader.entities.engines.spacy_engine import SpacyEngine
from reader.settings import Settings

# No per-example deadline: property tests check what holds, not how fast (speed is measured
# in bench/), and CI machines are shared: an example that takes 250 ms once is no failure.
hypothesis_settings.register_profile("reader", deadline=None)
hypothesis_settings.load_profile("reader")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_2bfdd9e86e277f2d.txt"


@pytest.fixture(scope="session")
def recognizer() -> SpacyEngine:
    """The real spaCy pipeline, loaded once for the whole run (about a second)."""
    engine = SpacyEngine()
    engine.load()
    return engine


@pytest.fixture(autouse=True)
def _no_user_files(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the tests away from the user's own config file and data directory: a real
    ``~/.config/reader/config.toml`` must not change what a test sees."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("READER_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))


@pytest.fixture
def seed_path() -> Path:
    """The seed article shipped in seeds/."""
    return SEED


@pytest.fixture
def make_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Build Settings whose database and cache live in this test's temp folder."""

    def make(*paths: Path, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "article_paths": list(paths) or [SEED.parent],
            "db_path": tmp_path / "annotations" / "annotations.json",
            "cache_dir": tmp_path / "cache",
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@dataclass
class Result:
    """What a `reader` command run in this process did: its exit code and output."""

    code: int
    out: str
    err: str


def run_cli(argv: Sequence[str | Path], capsys: pytest.CaptureFixture[str]) -> Result:
    """`reader ARGV...` through ``reader.cli.main`` in this process (an argparse exit, for
    ``--help`` or a usage error, gives its code), what it printed captured apart."""
    from reader import cli

    capsys.readouterr()
    try:
        code = cli.main([str(arg) for arg in argv])
    except SystemExit as exit:
        code = int(exit.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def entities_found(library: Path, folder: Path) -> Path:
    """An entity cache, ``cache`` in *folder*, holding the real pipeline's entities of every
    article in *library* (found in this process: once per module, where a fixture keeps
    it); its path."""
    from reader.workspace import Workspace

    settings = Settings(
        article_paths=[library], db_path=folder / "db.json", cache_dir=folder / "cache"
    )
    workspace = Workspace(settings, model_in_process=True)
    for article in workspace.library().articles:
        workspace.finder.find(article.sha256, article.text)
    workspace.close()
    return folder / "cache"


def library_with_entities(
    folder: Path, write: Callable[[Path], object], entity_cache: Path
) -> Settings:
    """Settings for a library written by *write* into ``library`` in *folder*, with a
    copy of *entity_cache* (:func:`entities_found` on that library) as its cache."""
    root = folder / "library"
    write(root)
    shutil.copytree(entity_cache, folder / "cache")
    return Settings(article_paths=[root], db_path=folder / "db.json", cache_dir=folder / "cache")


#: What a hostile article tries: Textual/Rich markup and terminal control sequences.
MARKUP = "[@click=app.quit]x[/] [/ [link=file:///etc/passwd]x[/link] [bold red]loud"
CONTROLS = (
    "\x1b]52;c;ZXZpbA==\x07"  # OSC 52: write the clipboard
    "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"  # OSC 8 hyperlink
    "\x1b]2;pwned title\x07"  # set the window title
    "\x1b[2J\x1b[31mred\x1b[0m"  # clear screen, colours
    "\x9b6n\x9d0;c1 title\x9c"  # 8-bit CSI and OSC
    "\x1bP+q544e\x1b\\"  # DCS
    "\x07\x08\x7f\x0b"  # BEL, BS, DEL, VT (NUL makes a file binary: see test_library)
    "\u202eevil\u202c \u2066iso\u2069"  # bidi override and isolate
)


def make_hostile_library(folder: Path) -> Path:
    """Write articles that try to inject markup and control sequences, plus broken files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "markup.txt").write_text(
        f"Markup {MARKUP} title\n\nBody with {MARKUP} inside.\n\nAngela Merkel visited Paris.\n",
        encoding="utf-8",
    )
    (folder / "controls.txt").write_text(
        f"Control {CONTROLS} title\n\nBody {CONTROLS} end.\r\nCR\rline.\n"
        + "Ordinary prose. " * 40,
        encoding="utf-8",
    )
    (folder / "[bold]named [@click=app.quit]q\x1b[31m.txt").write_text(
        "Odd name\n\nText.\n", encoding="utf-8"
    )
    (folder / "latin1.txt").write_bytes("Caf\xe9 na\xefve \u2014 Z\xfcrich\n".encode("cp1252"))
    (folder / "mixed.txt").write_bytes(b"Broken \x81\x8d\xff bytes\n")
    (folder / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "huge.txt").write_bytes(b"Huge article\n\n" + b"word " * 600_000)
    return folder


class CancelledAfter(threading.Event):
    """An event that reads as set from its *calls*-th ``is_set`` on (the app quitting,
    told to an index update: it stops at its next article)."""

    def __init__(self, calls: int) -> None:
        super().__init__()
        self.calls = calls

    def is_set(self) -> bool:
        self.calls -= 1
        return self.calls <= 0


def extracts_started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    """Spy on the entity worker's requests: each ``_Worker.extract`` call, as it starts,
    appends its thread's name and ``time.monotonic()`` to the list returned."""
    from reader.entities.worker import _Worker

    started: list[tuple[str, float]] = []
    extract = _Worker.extract

    def spied(self: _Worker, text: str, *args: Any) -> Any:
        started.append((threading.current_thread().name, time.monotonic()))
        return extract(self, text, *args)

    monkeypatch.setattr(_Worker, "extract", spied)
    return started
