"""What every figure of the benchmark needs: the libraries, the commands, a clean environment."""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from generate import manifest_path, write_library

from reader.library.catalogue import RACY_SECONDS

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SEED = 7
"""The generator's seed for every library of the suite."""


@dataclass(frozen=True)
class GeneratedLibrary:
    """A generated library on disk and what the startup figure looks for in it."""

    n: int
    folder: Path
    manifest: Path
    sidebar_marker: str
    """Text only the sidebar shows once it is filled: the start of the second article's
    title (the first article's text, shown beside it, does not contain it)."""
    written: float
    """When the files were written (time.time())."""

    def settle(self) -> None:
        """Wait until the files are old enough for the library index to trust their stat
        (it reads files changed in the last 2 s again each time, as a user's are not)."""
        time.sleep(max(0.0, self.written + RACY_SECONDS + 0.1 - time.time()))


@dataclass
class Bench:
    """The settings of one benchmark run and its scratch folder."""

    work: Path
    sizes: list[int]
    runs: int
    quick: bool
    index_articles: int
    """How many articles figure 3 indexes (the first ones of the largest library)."""
    reader_path: Path | None = None
    """A copy of the repository whose reader package (and styles) to measure instead."""
    compare_path: Path | None = None
    """A copy of the repository (the code before a change) whose first start figure 1 also
    times, run by run with the measured one."""
    libraries: dict[tuple[int, bool], GeneratedLibrary] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    # Commands.

    @property
    def python(self) -> str:
        """The interpreter running the suite (the project's virtualenv)."""
        return sys.executable

    @property
    def reader(self) -> list[str]:
        """How to start `reader`: its console script next to this Python, else -m."""
        script = Path(sys.executable).with_name("reader")
        return [str(script)] if script.exists() else [self.python, "-m", "reader"]

    @property
    def reader_index(self) -> list[str]:
        """How to run `reader index`."""
        return [*self.reader, "index"]

    def env(self, name: str, *, reader_path: Path | None = None, **extra: str) -> dict[str, str]:
        """An environment whose cache and database live in the scratch folder *name* (the
        reader package from *reader_path*, if given, else the one measured)."""
        folder = self.work / "state" / name
        folder.mkdir(parents=True, exist_ok=True)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("READER_") and key != "PYTHONPATH"
        }
        env.update(
            READER_CACHE_DIR=str(folder / "cache"),
            READER_DB=str(folder / "annotations.json"),
            TERM="xterm-256color",
            COLORTERM="truecolor",
            PYTHONDONTWRITEBYTECODE="1",
        )
        if (reader_path or self.reader_path) is not None:
            env["PYTHONPATH"] = str(reader_path or self.reader_path)
        env.update(extra)
        return env

    def bare_app(self, *manifests: Path) -> list[str]:
        """The baseline app on these manifests, styled by the measured reader's styles."""
        styles = (self.reader_path or ROOT) / "styles" / "app.tcss"
        app = BENCH / "bare_app.py"
        return [self.python, str(app), *map(str, manifests), "--styles", str(styles)]

    # Libraries.

    def library(self, n: int, *, markdown: bool = False) -> GeneratedLibrary:
        """The library of *n* generated articles (written on first use): ``.txt`` files,
        or with *markdown* ``.md`` files with front matter as ``reader add`` writes them."""
        if (n, markdown) not in self.libraries:
            folder = self.work / "libraries" / f"lib-{n}{'-md' if markdown else ''}"
            started = time.perf_counter()
            made = write_library(folder, n, SEED, markdown=markdown)
            self.say(f"generated {n:,} articles in {time.perf_counter() - started:.1f} s")
            first = made[0].text
            marker = next(
                (g.title[:18] for g in made[1:] if g.title[:18] not in first),
                made[-1].title[:18],
            )
            self.libraries[n, markdown] = GeneratedLibrary(
                n, folder, manifest_path(folder), marker, time.time()
            )
        return self.libraries[n, markdown]

    def say(self, message: str) -> None:
        """Progress on stderr (the table goes to stdout)."""
        self.log.append(message)
        print(f"bench: {message}", file=sys.stderr, flush=True)

    def clear_state(self, name: str) -> None:
        """Forget the cache and database of scratch folder *name*."""
        shutil.rmtree(self.work / "state" / name, ignore_errors=True)


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for package in ("textual", "rich", "spacy", "tinydb"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **versions,
    }


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (how busy the machine was)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def write_json(path: Path, data: object) -> None:
    """Write *data* as indented JSON (the results file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
