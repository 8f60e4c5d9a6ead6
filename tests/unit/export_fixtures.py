"""Shared by test_export.py, test_import.py, test_store_poison.py and test_export_streaming.py:
a real annotated database and a CLI runner, and their fixtures (``entity_cache``,
``annotated``, ``run``: a module imports those it uses and names them in its ``__all__``).

The database holds what a user makes in the app or with the CLI: tags, whole-article and
passage notes, highlights, entity corrections of every scope (one on part of a word, so
that jsonl has a span to line up), on the seed article, on an article with characters
outside the BMP (code points and UTF-16 units differ there), and on an article whose file
is gone since.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import SEED, Result, run_cli

from reader.anchoring import describe
from reader.annotations import article_ref
from reader.export.json_format import SCHEMA_FILE
from reader.library import Article, read_article
from reader.settings import Settings
from reader.store import AnnotationStore
from reader.workspace import Workspace

BUDGET_TEXT = (
    "# The budget vote 🗳️\n\n"
    "The Chancellor said on Monday that Apple 🍎 and Dawn would pay £5bn.\n\n"
    "Lavrov met Qureshi in Islamabad.\n"
)
GONE_TEXT = "A vanished story\n\nMoscow said nothing on Friday.\n"

#: Runs reader's CLI, as the `reader` command does.
CLI_PRELUDE = "import sys\nfrom reader import cli\nsys.exit(cli.main(sys.argv[1:]))\n"


@dataclass
class Annotated:
    """The folder, database and articles of an annotated library."""

    root: Path
    """The working directory (holds seeds/ and annotations/)."""
    db: Path
    """The database file."""
    seed: Article
    """The seed article, copied into root/seeds."""
    budget: Article
    """An article with emoji (characters outside the BMP)."""
    gone: Article
    """An annotated article whose file has been deleted."""
    ids: dict[str, str]
    """Annotation ids by name."""


Runner = Callable[..., Result]
"""``run("export", "--format", "csv", db=...)``: the command's exit code and output."""


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_errors(document: Any) -> list[str]:
    """Every way *document* breaks the native format's schema, each with its JSON path."""
    return [f"{e.json_path}: {e.message}" for e in _validator().iter_errors(document)]


def strict_json(raw: bytes) -> Any:
    """Parse UTF-8 JSON, refusing NaN and infinities."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in an export")

    return json.loads(raw.decode("utf-8"), parse_constant=refuse)


def native(raw: bytes) -> Any:
    """Parse a json export strictly and check it against reader/export/schema.json."""
    document = strict_json(raw)
    assert schema_errors(document) == []
    return document


def read(path: Path) -> Article:
    article = read_article(path)
    assert isinstance(article, Article)
    return article


def span_of(article: Article, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """The code-point offsets of the *occurrence*-th *needle* in the article's text."""
    start = -1
    for _ in range(occurrence + 1):
        start = article.text.index(needle, start + 1)
    return start, start + len(needle)


def annotate(root: Path) -> Annotated:
    """Write the articles under *root* and annotate them in a real database."""
    seeds = root / "seeds"
    seeds.mkdir(parents=True)
    shutil.copy(SEED, seeds / SEED.name)
    (seeds / "budget.md").write_text(BUDGET_TEXT, encoding="utf-8")
    gone_path = root / "elsewhere" / "gone.txt"
    gone_path.parent.mkdir()
    gone_path.write_text(GONE_TEXT, encoding="utf-8")
    seed, budget, gone = read(seeds / SEED.name), read(seeds / "budget.md"), read(gone_path)
    db = root / "annotations" / "annotations.json"
    ids: dict[str, str] = {}
    with AnnotationStore(db) as store:
        s, b, g = article_ref(seed), article_ref(budget), article_ref(gone)
        store.add_tags(s, ["russia", "Diplomacy"])
        ids["article_note"] = store.add_note(s, "Read *again*.\n\nTwo paragraphs.").id
        ids["passage_note"] = store.add_note(
            s, "Who is he?", describe(seed.text, *span_of(seed, "Lavrov", 2))
        ).id
        ids["highlight"] = store.add_highlight(
            s, describe(seed.text, *span_of(seed, "agreed to cooperate"))
        ).id
        ids["relabel"] = store.add_correction(
            s,
            describe(seed.text, *span_of(seed, "Dawn")),
            {"action": "relabel", "label": "ORG", "scope": "article", "text": "Dawn"},
        ).id
        ids["remove"] = store.add_correction(
            s,
            describe(seed.text, *span_of(seed, "Wednesday")),
            {"action": "remove", "label": None, "scope": "mention", "text": "Wednesday"},
        ).id
        start, _ = span_of(seed, "Lavrov")
        ids["partial_add"] = store.add_correction(  # part of a word: not token-aligned
            s,
            describe(seed.text, start, start + 4),
            {"action": "add", "label": "PERSON", "scope": "mention", "text": "Lavr"},
        ).id
        ids["global"] = store.add_correction(
            s,
            describe(seed.text, *span_of(seed, "Twitter")),
            {"action": "relabel", "label": "ORG", "scope": "global", "text": "Twitter"},
        ).id
        store.add_tags(b, ["economy"])
        ids["emoji_highlight"] = store.add_highlight(
            b, describe(budget.text, *span_of(budget, "Apple 🍎 and Dawn"))
        ).id
        store.update(ids["emoji_highlight"], body="A note added to the highlight")
        ids["gone_note"] = store.add_note(
            g, "Where did it go?", describe(gone.text, *span_of(gone, "Moscow"))
        ).id
    gone_path.unlink()
    return Annotated(root, db, seed, budget, gone, ids)


@contextmanager
def opened(
    annotated: Annotated,
    entity_cache: Path,
    *,
    db: Path | None = None,
    read_only: bool = True,
    article_paths: list[Path] | None = None,
) -> Iterator[tuple[Workspace, AnnotationStore]]:
    """A workspace on the annotated library (its seeds/ unless *article_paths*) with the
    model in this process, and its store opened (the finder applies its corrections)."""
    settings = Settings(
        article_paths=[annotated.root / "seeds"] if article_paths is None else article_paths,
        db_path=db or annotated.db,
        cache_dir=entity_cache,
    )
    workspace = Workspace(settings, model_in_process=True)
    with workspace.open_store(read_only=read_only) as store:
        yield workspace, store


def cli_runner(
    annotated: Annotated,
    entity_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Runner:
    """A function running `reader ARGS...` in the annotated folder (its seeds/ are the
    library), with the entity cache at *entity_cache*."""
    monkeypatch.chdir(annotated.root)
    for name in ("READER_DB", "READER_CACHE_DIR", "READER_MODEL"):
        monkeypatch.delenv(name, raising=False)

    def run_command(*argv: str | Path, db: Path | None = None) -> Result:
        extra = ["--db", db or annotated.db, "--cache-dir", entity_cache]
        return run_cli([*argv, *extra], capsys)

    return run_command


@pytest.fixture(scope="module")
def entity_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One entity cache for the module: the model reads each article once."""
    return tmp_path_factory.mktemp("entity-cache")


@pytest.fixture
def annotated(tmp_path: Path) -> Annotated:
    """The annotated database and library (:func:`annotate`) in this test's folder."""
    return annotate(tmp_path / "work")


@pytest.fixture
def run(
    annotated: Annotated,
    entity_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Runner:
    """`reader ARGS...` in the annotated folder (:func:`cli_runner`)."""
    return cli_runner(annotated, entity_cache, monkeypatch, capsys)


def run_process(root: Path, *argv: str | Path) -> subprocess.CompletedProcess[bytes]:
    """Run `reader ARGS...` in a fresh interpreter in *root*; stdout and stderr as bytes."""
    return subprocess.run(
        [sys.executable, "-c", CLI_PRELUDE, *(str(arg) for arg in argv)],
        cwd=root,
        capture_output=True,
        check=False,
    )
