"""What keeps the screen quick: long articles read in a worker, the collector kept away."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import reader.library.articles
import reader.library.catalogue
import reader.ui.screens.article_opening
import reader.ui.screens.main
import reader.ui.widgets.article_view
import reader.ui.wrapping
from reader import foreground
from reader.library import Article
from reader.settings import Settings
from reader.ui.app import build_app
from reader.ui.screens.article_opening import SYNC_READ_WORDS
from reader.ui.widgets.article_view import ArticleView

from .conftest import ready, settle
from .test_app import SIZE, screen_text


def library_with_a_long_article(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("A short one\n\nShort text.\n", encoding="utf-8")
    words = SYNC_READ_WORDS + 1000
    body = " ".join(f"w{i}" for i in range(words))
    (folder / "b.txt").write_text(f"The long one\n\n{body} THE END\n", encoding="utf-8")
    return folder


def wraps_on_the_screen_thread(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy on wrapping: the lengths of the texts wrapped on the screen's thread."""
    wrapped_here: list[int] = []
    wrap = reader.ui.wrapping.wrap

    def wrap_spy(text: str, width: int) -> object:
        if threading.current_thread() is threading.main_thread():
            wrapped_here.append(len(text))
        return wrap(text, width)

    monkeypatch.setattr(reader.ui.widgets.article_view, "wrap", wrap_spy)
    monkeypatch.setattr(reader.ui.screens.article_opening, "wrap", wrap_spy)
    return wrapped_here


@pytest.fixture
def long_library(make_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:  # type: ignore[no-untyped-def]
    """Settings for :func:`library_with_a_long_article`, with no entity model, whose library
    index trusts files written a moment ago (tests write them just now)."""
    monkeypatch.setattr(reader.library.catalogue, "RACY_SECONDS", 0.0)
    return make_settings(library_with_a_long_article(tmp_path), model="no-such-pipeline")  # type: ignore[no-any-return]


def spy_on_drawing(monkeypatch: pytest.MonkeyPatch, seen: Callable[[set[object]], None]) -> None:
    """Call *seen* with the widgets of each of the compositor's partial repaints."""
    from textual._compositor import Compositor

    update_widgets = Compositor.update_widgets

    def spy(self: Compositor, widgets: set[object]) -> None:
        seen(set(widgets))
        update_widgets(self, widgets)  # type: ignore[arg-type]

    monkeypatch.setattr(Compositor, "update_widgets", spy)


async def test_an_unread_long_article_is_read_in_a_worker(
    long_library: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = long_library
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)  # the first start writes the library index
    readers: dict[str, bool] = {}
    read_article = reader.library.articles.read_article

    def spy(path: Path) -> object:
        readers[path.name] = threading.current_thread() is threading.main_thread()
        return read_article(path)

    monkeypatch.setattr(reader.library.articles, "read_article", spy)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        long_one: Article = main.library.articles[1]  # type: ignore[union-attr]
        assert long_one.title == "The long one" and not long_one.loaded  # a warm start
        await pilot.press("j", "enter")
        await settle(pilot)
        assert readers == {"a.txt": True, "b.txt": False}
        view = main.query_one(ArticleView)
        assert view.text.endswith("THE END\n")
        assert "Reading…" not in screen_text(app)
        # Opened again (its text now in memory), it is still wrapped in a worker.
        wrapped_here = wraps_on_the_screen_thread(monkeypatch)
        await pilot.press("escape", "k", "enter", "escape", "j", "enter")
        await settle(pilot)
        assert view.text.endswith("THE END\n") and len(view._lines) > 100
        assert all(length < 1000 for length in wrapped_here), wrapped_here


async def test_the_reader_command_freezes_the_startup_objects_and_tests_do_not(
    make_settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    thresholds = gc.get_threshold()
    app = build_app(make_settings(library_with_a_long_article(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == thresholds
    app = build_app(make_settings(library_with_a_long_article(tmp_path / "2")), tune_gc=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            assert gc.get_freeze_count() > 10_000
            assert gc.get_threshold()[2] == 100
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def test_a_large_file_of_few_words_is_wrapped_in_a_worker(
    make_settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("A short one\n\nShort text.\n", encoding="utf-8")
    picture = "A" * (300 * 1024)  # a data: URI: one 300 KiB word
    (folder / "b.md").write_text(f"Picture\n\n![x](data:image/png;base64,{picture})\n")
    wrapped_here = wraps_on_the_screen_thread(monkeypatch)
    app = build_app(make_settings(folder, model="no-such-pipeline"))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        assert main.library is not None and main.library.articles[1].word_count < 100
        await pilot.press("j", "enter")
        await settle(pilot)
        assert main.query_one(ArticleView).text.startswith("Picture")
        assert all(length < 1000 for length in wrapped_here), wrapped_here


async def test_opening_an_article_repaints_what_changed_not_the_whole_screen(
    long_library: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Enter moves the focus from the list to the article: Textual's screen repaints every
    # widget when its focus moves (a second whole-screen pass in the switch's frame).
    app = build_app(long_library)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        drawn: list[set[object]] = []
        spy_on_drawing(monkeypatch, drawn.append)
        await pilot.press("enter")  # the short article, first in the list
        await settle(pilot)
        view = main.query_one(ArticleView)
        assert view.has_focus
        assert "Short text." in screen_text(app)
        assert drawn, "nothing was drawn"
        assert not any(main in widgets for widgets in drawn), drawn
        # What looks different with the focus is drawn: the article and the list.
        assert any(view in widgets for widgets in drawn)
        assert any(main.query_one("#articles") in widgets for widgets in drawn)
        # The article, its header and its entities in the first frame (the sidebar's
        # restyle may follow in the next one).
        first = {view, main.query_one("#article-header"), main.query_one("#entity-panel")}
        assert first <= drawn[0], first - drawn[0]


async def test_a_switch_holds_background_passes_until_its_frame_is_painted(
    long_library: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The search index's build runs through a session's first seconds: an article opened
    # meanwhile is shown and drawn with the build paused (reader.foreground), not in the
    # GIL's turns with it, and the build goes on once the switch's frame is painted.
    app = build_app(long_library)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        held_when: dict[str, bool] = {}
        open_article = reader.ui.screens.main.MainScreen.open_article

        def opening(self: reader.ui.screens.main.MainScreen, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            held_when.setdefault("opened", foreground.held())
            open_article(self, *args, **kwargs)

        monkeypatch.setattr(reader.ui.screens.main.MainScreen, "open_article", opening)
        spy_on_drawing(monkeypatch, lambda _: held_when.setdefault("drawn", foreground.held()))
        await pilot.press("enter")
        await settle(pilot)
        assert "Short text." in screen_text(app)
        assert held_when == {"opened": True, "drawn": True}
        assert not foreground.held()  # released once painted


def test_the_thresholds_keep_a_switch_within_about_a_frame(tmp_path: Path) -> None:
    """What the screen's thread does itself on a switch (bench/long_switch.py): an article
    over 8,000 words is read and wrapped in a worker (the handler took 20-37 ms of its CPU
    at 16,000 words); over 20,000 characters (~3,400 words) its cached entities are ruled
    in a worker (75 ms at 16,000 words), unless the finder keeps them ruled already; an
    ordinary article (1,000 words) does all of it in its switch's frame."""
    from reader.entities.finder import EntityFinder
    from reader.library import read_article
    from reader.ui.screens.article_opening import SYNC_ENTITIES_LIMIT, _long, rules_here

    assert (SYNC_READ_WORDS, SYNC_ENTITIES_LIMIT) == (8_000, 20_000)
    words = {"ordinary": 1_000, "middle": 5_000, "edge": 8_000, "over": 8_001, "long": 16_000}
    for name, count in words.items():
        (tmp_path / f"{name}.txt").write_text(
            " ".join(f"w{i}" for i in range(count)) + "\n", encoding="utf-8"
        )
    read = {name: read_article(tmp_path / f"{name}.txt") for name in words}
    assert all(isinstance(article, Article) for article in read.values())
    articles = {name: a for name, a in read.items() if isinstance(a, Article)}
    assert {name: a.word_count for name, a in articles.items()} == words
    assert {name: _long(a) for name, a in articles.items()} == {
        "ordinary": False, "middle": False, "edge": False, "over": True, "long": True
    }  # fmt: skip

    class Kept(EntityFinder):
        def __init__(self, ruled: set[str]) -> None:
            self.ruled = ruled

        def is_ruled(self, sha256: str, text: str) -> bool:
            return sha256 in self.ruled

    finder = Kept(set())
    assert {name: rules_here(finder, a) for name, a in articles.items()} == {
        "ordinary": True, "middle": False, "edge": False, "over": False, "long": False
    }  # fmt: skip
    assert rules_here(Kept({articles["long"].sha256}), articles["long"])


def library_with_a_16k_article(tmp_path: Path) -> Path:
    """A short article and one of ~16,400 words in 390 numbered paragraphs, a word to
    find at its end."""
    folder = tmp_path / "articles"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("A short one\n\nShort text.\n", encoding="utf-8")
    paragraphs = [
        f"Paragraph {i} " + " ".join(f"w{i}x{j}" for j in range(40)) + "." for i in range(390)
    ]
    body = "\n\n".join(paragraphs)
    (folder / "b.txt").write_text(
        f"The long one\n\n{body}\n\nA NEEDLE at the end. THE END\n", encoding="utf-8"
    )
    return folder


async def test_a_16k_word_article_opens_in_a_worker_with_its_place_and_marks(
    make_settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An article of 16,000 words (below the old threshold of 20,000: it was wrapped on
    the screen's thread, 150-440 ms) is wrapped in a worker: its text comes whole, the
    place it was left is restored (reopened, and after a restart), its highlight drawn
    and find reaches its end."""
    from reader.anchoring import describe
    from reader.annotations import article_ref
    from reader.library import read_article
    from reader.store import AnnotationStore

    monkeypatch.setattr(reader.library.catalogue, "RACY_SECONDS", 0.0)
    folder = library_with_a_16k_article(tmp_path)
    settings = make_settings(folder, model="no-such-pipeline")
    long_one = read_article(folder / "b.txt")
    assert isinstance(long_one, Article) and 16_000 < long_one.word_count <= 20_000
    text = long_one.text
    marked = text.index("Paragraph 300 ")
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    with AnnotationStore(settings.db_path) as store:
        store.add_highlight(article_ref(long_one), describe(text, marked, marked + 13))
    wrapped_here = wraps_on_the_screen_thread(monkeypatch)
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        view = main.query_one(ArticleView)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert view.text == text and len(view._lines) > 400
        assert all(length < 1000 for length in wrapped_here), wrapped_here
        assert [(m.start, m.end) for m in view.marks] == [(marked, marked + 13)]
        await pilot.press("space", "space", "space")
        await pilot.pause()
        left = view.top_offset
        assert left > 0
        await pilot.press("escape", "k", "enter")
        await settle(pilot)
        assert view.text.startswith("A short one")
        await pilot.press("escape", "j", "enter")
        await settle(pilot)
        assert view.text == text and view.top_offset == left
        await pilot.press("escape", "k", "enter")  # saved as left
        await settle(pilot)
    wrapped_here.clear()
    app = build_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        view = main.query_one(ArticleView)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert view.text == text and view.top_offset == left
        assert [(m.start, m.end) for m in view.marks] == [(marked, marked + 13)]
        assert all(length < 1000 for length in wrapped_here), wrapped_here
        # Find reaches the end of the text wrapped in the worker.
        await pilot.press("slash", *"NEEDLE", "enter")
        await settle(pilot)
        needle = text.index("NEEDLE")
        assert view._found == [(needle, needle + 6)]
        assert left < view.top_offset <= needle
        assert view.end_on_screen


def test_the_look_ahead_leaves_long_rules_to_the_worker(tmp_path: Path) -> None:
    """The list's look-ahead (the cursor resting on an article 0.1 s: a held `j` pauses
    that long before it repeats) wraps a quick article, but rules its entities only where
    its switch would: not 75 ms of a 16,000-word article's rules between two keys."""
    from types import SimpleNamespace

    from reader.ui.next_article import NextArticle

    done: list[str] = []
    article = Article(tmp_path / "a.txt", "A", "Some text.\n", "ab" * 32, 2)
    for rules in (True, False):
        ahead = NextArticle(
            SimpleNamespace(finder=SimpleNamespace(prepare=lambda *_: done.append("ruled"))),  # type: ignore[arg-type]
            view=SimpleNamespace(prepare=lambda _: done.append("wrapped")),  # type: ignore[arg-type]
            articles=SimpleNamespace(highlighted_article=article),  # type: ignore[arg-type]
            shown=lambda: None,
            quick=lambda _: True,
            rules=lambda _, rules=rules: rules,  # type: ignore[misc]
        )
        ahead._prepare()
    assert done == ["wrapped", "ruled", "wrapped"]
