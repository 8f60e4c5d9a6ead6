"""The Workspace: one library per session (exports left out), one finder that applies the
corrections of whatever store is open, and nothing made before it is asked for."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from reader.anchoring import describe
from reader.annotations import article_ref
from reader.library import Article, read_article
from reader.settings import Settings
from reader.workspace import Workspace


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings_in(root: Path, *paths: Path) -> Settings:
    return Settings(
        article_paths=list(paths),
        db_path=root / "library" / "annotations" / "annotations.json",
        cache_dir=root / "cache",
    )


def test_the_library_is_loaded_once_and_leaves_the_exports_folder_out(tmp_path: Path) -> None:
    library = tmp_path / "library"
    write(library / "story.txt", "A story\n\nBerlin on Monday.\n")
    write(library / "annotations" / "exports" / "notes.md", "# An export\n\nNot an article.\n")
    workspace = Workspace(settings_in(tmp_path, library))
    assert workspace.exports_dir == library / "annotations" / "exports"
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(workspace.library())) for _ in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results[0] is results[1] is workspace.library()
    assert [a.path.name for a in workspace.library().articles] == ["story.txt"]


def test_the_finder_applies_the_corrections_of_the_store_opened_later(
    tmp_path: Path, seed_path: Path
) -> None:
    workspace = Workspace(settings_in(tmp_path, seed_path), model_in_process=True)
    finder = workspace.finder
    assert workspace.finder is finder
    article = workspace.library().articles[0]
    labels = {s.text: s.label for s in finder.find(article.sha256, article.text)}
    assert labels.get("Twitter") == "ORG"  # what the model and the rules say
    start = article.text.index("Twitter")
    with Workspace(workspace.settings).open_store() as store:
        store.add_correction(
            article_ref(article),
            describe(article.text, start, start + len("Twitter")),
            {"action": "relabel", "label": "PRODUCT", "scope": "global", "text": "Twitter"},
        )
    assert workspace.open_store_for_corrections() is None
    labels = {s.text: s.label for s in finder.find(article.sha256, article.text)}
    assert labels["Twitter"] == "PRODUCT"
    workspace.close()
    assert workspace.store is None


def test_a_broken_database_is_named_and_corrections_are_left_out(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    write(settings.db_path, "{ not json")
    problem = Workspace(settings).open_store_for_corrections()
    assert problem is not None and str(settings.db_path) in problem
    assert "corrections are not applied" in problem


def test_nothing_is_made_before_it_is_asked_for(tmp_path: Path) -> None:
    # Building a workspace reads no file and imports neither the store nor the entities.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from reader.settings import Settings\n"
        "from reader.workspace import Workspace\n"
        f"Workspace(Settings(article_paths=[Path({str(tmp_path / 'missing')!r})]))\n"
        "print(sorted(m for m in ('tinydb', 'reader.entities.finder', 'reader.library')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_the_screens_thread_never_waits_for_a_save_to_read_corrections(
    tmp_path: Path, seed_path: Path
) -> None:
    # finder.cached(wait=False) is what the screen's thread calls on an article switch:
    # while another thread holds the store (a save on its way to the disk) it answers
    # None at once, and the entities worker finds them instead.
    workspace = Workspace(settings_in(tmp_path, seed_path), model_in_process=True)
    article = workspace.library().articles[0]
    spans = workspace.finder.find(article.sha256, article.text)  # fills the cache
    store = workspace.open_store()
    saving, done = threading.Event(), threading.Event()

    def hold_the_store() -> None:
        with store._mutex:  # as a save does
            saving.set()
            done.wait(10)

    holder = threading.Thread(target=hold_the_store)
    holder.start()
    saving.wait(10)
    try:
        assert workspace.finder.cached(article.sha256, article.text, wait=False) is None
        assert store.corrections(article.sha256, wait=False) is None
    finally:
        done.set()
        holder.join()
    assert workspace.finder.cached(article.sha256, article.text, wait=False) == spans
    workspace.close()


def test_corrections_come_global_first_then_the_articles_own(
    tmp_path: Path, seed_path: Path
) -> None:
    workspace = Workspace(settings_in(tmp_path, seed_path))
    article = workspace.library().articles[0]
    other = write(tmp_path / "other.txt", "Another story\n\nDawn said so on Monday.\n")
    text = article.text
    with workspace.open_store() as store:
        for word, scope, ref in (
            ("Dawn", "article", article_ref(article)),
            ("Twitter", "global", article_ref(article)),
        ):
            start = text.index(word)
            store.add_correction(
                ref,
                describe(text, start, start + len(word)),
                {"action": "relabel", "label": "ORG", "scope": scope, "text": word},
            )
        elsewhere = read_article(other)
        assert isinstance(elsewhere, Article)
        found = store.corrections(article.sha256)
        assert found is not None
        assert [a.correction["text"] for a in found if a.correction] == ["Twitter", "Dawn"]
        on_other = store.corrections(elsewhere.sha256)
        assert on_other is not None
        assert [a.correction["text"] for a in on_other if a.correction] == ["Twitter"]
