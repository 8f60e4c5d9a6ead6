"""Opening an article whose entities are not cached (the model finds them meanwhile):
the switch's first frame lays the screen out (its header's "Finding entities…" on the
rule under it, the emptied panels), not a frame later (reader/ui/frames.py); the search index takes the
entities once the user is idle, not right after they are shown (it would share the
machine with the next switch), and a filter asked before that still finds them
(reader/ui/screens/library_search.py).

Real parts: the real spaCy pipeline in the entity worker, the real search index and entity
cache, the real app under Pilot.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.segment import ControlType
from textual._compositor import CompositorUpdate
from textual.pilot import Pilot
from textual.widgets import Static

from reader import foreground
from reader.library import catalogue
from reader.search.index import SearchIndex
from reader.search.query import parse
from reader.ui.app import ReaderApp
from reader.ui.screens import library_search
from reader.ui.screens.article_opening import ArticleOpening
from reader.ui.screens.main import MainScreen
from reader.ui.screens.reading import Reading
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView

from .test_entity_pages import entity_cache, make_app, open_article
from .test_filter import idle

__all__ = ["entity_cache"]  # the module's fixture, found by pytest here too

#: The court article's entities are found in the app (not cached); a place (London) is
#: in every other article's (cached). A label: query reads the search index's own entity
#: rows (an entity: query may ask the library's entity index, written before they are shown).
UNCACHED = "d-court.txt"
QUERY = "label:GPE"
OTHERS = {"a-geneva.txt", "b-moscow.txt", "c-vienna.txt", "e-dinner.txt"}
EVERY = OTHERS | {UNCACHED}


def uncached_app(
    tmp_path: Path, entity_cache: Path, names: tuple[str, ...] = (UNCACHED,)
) -> ReaderApp:
    """The app with the entities of the articles *names* taken out of the cache."""
    app = make_app(tmp_path, entity_cache)
    for article in app.workspace.library().articles:
        if article.path.name in names:
            [cached] = (tmp_path / "cache").rglob(f"{article.sha256}.json")
            cached.unlink()
    return app


def indexed(app: ReaderApp) -> set[str]:
    """What the search index itself finds for QUERY now (not the list)."""
    return {Path(p).name for p in app.workspace.search_index().paths(parse(QUERY))}


async def open_uncached(pilot: Pilot[Any]) -> MainScreen:
    main = await idle(pilot)
    assert indexed(pilot.app) == OTHERS  # type: ignore[arg-type]
    main = await open_article(pilot, UNCACHED)
    assert main.article is not None and main.article.path.name == UNCACHED
    assert "GPE" in {s.label for s in main.query_one(ArticleView).spans}
    return main


@contextlib.contextmanager
def updates_held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Within, each search index update waits (in its thread) until the block ends; the
    event given is set once one is waiting."""
    held, release = threading.Event(), threading.Event()
    update = SearchIndex.update

    def held_update(self: SearchIndex, *args: Any, **kwargs: Any) -> Any:
        held.set()
        release.wait(30)
        return update(self, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "update", held_update)
    try:
        yield held
    finally:
        release.set()


async def type_filter(pilot: Pilot[Any], main: MainScreen, query: str) -> ArticleList:
    """*query* typed into the list's filter field (not Enter), without waiting for it."""
    articles = main.query_one(ArticleList)
    articles.focus()
    await pilot.press("slash", *query)
    return articles


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    """Let the app run until *condition* holds, two seconds at the most."""
    for _ in range(40):
        await pilot.pause(0.05)
        if condition():
            return


@pytest.fixture(autouse=True)
def _racy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)


@pytest.fixture
def no_update_meanwhile(monkeypatch: pytest.MonkeyPatch) -> None:
    """No search index update after the switch unless a filter asks for one: the user is
    never idle long enough, and the article is never marked read (a read mark updates)."""
    monkeypatch.setattr(library_search, "INDEX_ENTITIES_AFTER", 3600.0)
    monkeypatch.setattr(Reading, "READ_AFTER", 3600.0)


@pytest.mark.usefixtures("no_update_meanwhile")
async def test_a_filter_right_after_an_uncached_switch_finds_its_entities(
    tmp_path: Path, entity_cache: Path
) -> None:
    app = uncached_app(tmp_path, entity_cache)
    async with app.run_test(size=(140, 44)) as pilot:
        main = await open_uncached(pilot)
        # Shown, and not indexed yet: no update ran after the switch.
        assert indexed(app) == OTHERS
        await type_filter(pilot, main, QUERY)
        await pilot.press("enter")
        main = await idle(pilot)
        found = {a.path.name for a in main.query_one(ArticleList).articles}
        assert found == EVERY
        assert indexed(app) == EVERY


async def test_the_entities_are_indexed_once_no_article_is_opened_for_a_while(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library_search, "INDEX_ENTITIES_AFTER", 0.2)
    # Not marked read meanwhile: the update after a read mark would index them too.
    monkeypatch.setattr(Reading, "READ_AFTER", 3600.0)
    app = uncached_app(tmp_path, entity_cache)
    async with app.run_test(size=(140, 44)) as pilot:
        await open_uncached(pilot)
        for _ in range(50):  # the timer, then the update's worker
            await pilot.pause(0.1)
            await idle(pilot)
            if indexed(app) == EVERY:
                break
        assert indexed(app) == EVERY


async def test_the_first_frame_of_an_uncached_switch_is_laid_out(
    tmp_path: Path, entity_cache: Path
) -> None:
    app = uncached_app(tmp_path, entity_cache)
    async with app.run_test(size=(140, 44)) as pilot:
        main = await idle(pilot)
        header = main.query_one("#article-header", Static)
        before = header.size.height  # the first article's: its entities cached
        articles = main.query_one(ArticleList)
        index = next(i for i, a in enumerate(articles.articles) if a.path.name == UNCACHED)
        # Enter on it, then the screen's next frame, with nothing run in between.
        main._article_chosen(ArticleList.Selected(articles, index, articles.articles[index]))
        main._on_timer_update()
        shown = "\n".join(strip.text for strip in main._compositor.render_strips())
        assert "Finding entities" in shown  # on the header's rule, drawn in that frame
        # Not a line of its own: when the entities come it goes, and the text, its
        # scrollbar and the panels stay where they are (their frame redraws less).
        assert header.size.height == before


@pytest.mark.usefixtures("no_update_meanwhile")
async def test_a_filter_for_words_after_an_uncached_switch_does_not_wait_for_an_update(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a query that asks for entities waits for the update that indexes the ones the
    model found: words are not looked for in entities, and a keystroke never waits for an
    update (the update is held here: a filter waiting for it would never narrow)."""
    app = uncached_app(tmp_path, entity_cache)
    async with app.run_test(size=(140, 44)) as pilot:
        main = await open_uncached(pilot)
        with updates_held(monkeypatch) as held:
            articles = await type_filter(pilot, main, "appeal")
            await wait_for(pilot, lambda: articles.filtered)
            assert [a.path.name for a in articles.articles] == [UNCACHED]
            assert not held.is_set()
        await idle(pilot)


@pytest.mark.usefixtures("no_update_meanwhile")
async def test_a_filter_for_entities_waiting_for_the_update_says_so(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entity query typed before the entities just found are indexed waits for that
    update, and the field says why the list has not narrowed yet."""
    from reader.ui.widgets.filter_bar import FilterBar

    app = uncached_app(tmp_path, entity_cache)
    async with app.run_test(size=(140, 44)) as pilot:
        main = await open_uncached(pilot)
        with updates_held(monkeypatch) as held:
            await type_filter(pilot, main, QUERY)
            await wait_for(pilot, held.is_set)
            assert held.is_set()
            assert "entities just found" in main.query_one(FilterBar).status
        main = await idle(pilot)
        assert {a.path.name for a in main.query_one(ArticleList).articles} == EVERY
        assert "entities just found" not in main.query_one(FilterBar).status


async def test_an_uncached_article_is_sent_to_the_model_before_it_is_drawn(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model is most of an uncached switch: the article goes to the entity worker as
    Enter is handled, before the screen's thread spends its ms showing the text."""
    from reader.entities.worker import WorkerRecognizer

    app = uncached_app(tmp_path, entity_cache, (UNCACHED, "e-dinner.txt"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_article(pilot, "e-dinner.txt")  # the worker loads its model
        main = await idle(pilot)
        recognizer = app.finder.recognizer
        assert isinstance(recognizer, WorkerRecognizer) and recognizer.loaded
        asked: list[str | None] = []
        show = ArticleView.show

        def showing(self: ArticleView, text: str, *args: Any, **kwargs: Any) -> None:
            sent = recognizer._worker.asked
            asked.append(None if sent is None else sent[0])
            show(self, text, *args, **kwargs)

        monkeypatch.setattr(ArticleView, "show", showing)
        articles = main.query_one(ArticleList)
        index = next(i for i, a in enumerate(articles.articles) if a.path.name == UNCACHED)
        article = articles.articles[index]
        main._article_chosen(ArticleList.Selected(articles, index, article))
        assert asked == [article.text]
        main = await idle(pilot)
        assert "GPE" in {s.label for s in main.query_one(ArticleView).spans}


async def test_an_article_opened_away_from_before_its_entities_were_asked_for_is_withdrawn(
    tmp_path: Path, entity_cache: Path
) -> None:
    """An uncached article sent to the model as it opens, then another (cached) opened at
    once, before the first one's entity worker started (keys typed quickly; it never runs
    then): the model stops on the first at its next batch, not after all of them (nothing
    would read them: seconds of CPU shared with the reading)."""
    from reader.entities.worker import WorkerRecognizer

    app = make_app(tmp_path, entity_cache)
    paragraph = "The court in Geneva heard the appeal of the minister from Vienna. " * 120
    (tmp_path / "library" / "f-long.txt").write_text(
        # ~7,200 words: read and wrapped as it opens (SYNC_READ_WORDS), ruled in a worker
        "A long ruling\n\n" + "\n\n".join([paragraph] * 5),
        encoding="utf-8",
    )
    for article in app.workspace.library().articles:
        if article.path.name == UNCACHED:
            [cached] = (tmp_path / "cache").rglob(f"{article.sha256}.json")
            cached.unlink()
    async with app.run_test(size=(140, 44)) as pilot:
        await open_uncached(pilot)  # the worker loads its model
        main = await idle(pilot)
        recognizer = app.finder.recognizer
        assert isinstance(recognizer, WorkerRecognizer) and recognizer.loaded
        articles = main.query_one(ArticleList).articles
        long = next(a for a in articles if a.path.name == "f-long.txt")
        other = next(a for a in articles if a.path.name == "a-geneva.txt")
        main.open_article(long)
        worker = recognizer._worker
        assert worker.asked is not None and worker.asked[0] is long.text  # sent ahead
        request = worker.open
        main.open_article(long)  # the same again: the request sent ahead is kept
        assert worker.open == request and worker.asked is not None
        main.open_article(other)
        main = await idle(pilot)
        # What the child sent for it, read here (no extract runs: the other is cached).
        batches = 0
        with worker.lock:
            assert worker.process is not None and worker.connection is not None
            while worker.open == request:
                message = worker._receive(worker.process, worker.connection, None)
                batches += message[0] == "batch" and message[1] == request
        assert batches <= 2  # of 10 (a batch each ~8,000 characters), without a cancel
        main.open_article(long)  # the next request is answered whole
        main = await idle(pilot)
        assert "GPE" in {s.label for s in main.query_one(ArticleView).spans}


async def test_background_passes_give_way_until_the_highlights_are_painted(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the model finds a shown article's entities, the user waits for them: the hold
    of the switch (reader.foreground, which pauses the search index's build in a session's
    first seconds) lasts until their frame is painted, not only until the text's."""
    app = uncached_app(tmp_path, entity_cache, (UNCACHED, "e-dinner.txt"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_article(pilot, "e-dinner.txt")  # the worker loads its model
        await idle(pilot)
        held_when: list[bool] = []
        ready = ArticleOpening.on_entities_ready

        def on_ready(self: MainScreen, message: Any) -> None:
            held_when.append(foreground.held())  # the model has answered: frames later
            ready(self, message)

        # Where the handler is defined: patched on MainScreen, Textual would call both.
        monkeypatch.setattr(ArticleOpening, "on_entities_ready", on_ready)
        main = await open_article(pilot, UNCACHED)
        main = await idle(pilot)
        assert "GPE" in {s.label for s in main.query_one(ArticleView).spans}
        assert held_when == [True]
        assert not foreground.held()  # released once they were painted
        assert not foreground._holds


async def test_the_entities_found_are_written_after_their_frame(
    tmp_path: Path, entity_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entity cache's file and the entity index's write (~2 + ~3 ms) are not in the
    user's wait for the highlights: made once their frame is painted."""
    from textual._compositor import Compositor

    from reader.entities.cache import EntityCache
    from reader.entities.library.index import EntityIndex

    app = uncached_app(tmp_path, entity_cache, (UNCACHED, "e-dinner.txt"))
    async with app.run_test(size=(140, 44)) as pilot:
        main = await open_article(pilot, "e-dinner.txt")  # the worker loads its model
        main = await idle(pilot)
        view = main.query_one(ArticleView)
        drawn = threading.Event()
        writes: list[tuple[str, bool]] = []
        update_widgets, put, put_article = (
            Compositor.update_widgets,
            EntityCache.put,
            EntityIndex.put_article,
        )

        def drawing(self: Compositor, widgets: Any) -> None:
            update_widgets(self, widgets)
            article = main.article
            shown = article is not None and article.path.name == UNCACHED
            if view in widgets and shown and view.spans:
                drawn.set()

        def caching(self: EntityCache, *args: Any, **kwargs: Any) -> None:
            writes.append(("cache", drawn.is_set()))
            put(self, *args, **kwargs)

        def indexing(self: EntityIndex, *args: Any, **kwargs: Any) -> None:
            writes.append(("index", drawn.is_set()))
            put_article(self, *args, **kwargs)

        monkeypatch.setattr(Compositor, "update_widgets", drawing)
        monkeypatch.setattr(EntityCache, "put", caching)
        monkeypatch.setattr(EntityIndex, "put_article", indexing)
        main = await open_article(pilot, UNCACHED)
        main = await idle(pilot)
        assert "GPE" in {s.label for s in main.query_one(ArticleView).spans}
        assert writes == [("cache", True), ("index", True)]
        assert main.article is not None
        assert app.finder.cached(main.article.sha256, main.article.text) is not None


async def test_the_frame_that_shows_the_found_entities_lays_out_the_legend(
    tmp_path: Path, entity_cache: Path
) -> None:
    """The legend's height follows its labels: the frame that shows the entities the model
    found lays it out too, not a frame that draws it at its old height and a later one
    that lays it out. Between those two, Textual 8.2.8 could lose the layout's repaint (a
    frame that rebuilt its map took in the new sizes): the entity panel drawn at the old
    place stayed on the screen over the legend (two "Entities" boxes)."""
    from reader.ui.messages import EntitiesReady
    from reader.ui.widgets.legend import Legend

    app = uncached_app(tmp_path, entity_cache)
    async with app.run_test(size=(140, 44)) as pilot:
        main = await open_uncached(pilot)
        assert main.article is not None
        legend = main.query_one(Legend)
        found = list(main.query_one(ArticleView).spans)
        shown = legend.outer_size.height
        main._apply_spans([])  # as while the model finds them
        await idle(pilot)
        assert legend.outer_size.height < shown
        # The model's entities arrive, then the screen's next frame, nothing in between.
        main.on_entities_ready(EntitiesReady(main.article.id, found))
        main._on_timer_update()
        assert legend.outer_size.height == shown


class Cells:
    """What a terminal shows: every frame the app sends applied to a grid of cells (the
    app runs headless; its frames are taken where it would write them)."""

    def __init__(self, app: ReaderApp, size: tuple[int, int]) -> None:
        self.width, self.height = size
        self.rows = [[" "] * self.width for _ in range(self.height)]
        display = app._display

        def shown(screen: Any, renderable: Any) -> None:
            if isinstance(renderable, CompositorUpdate):
                self.apply(app, renderable)
            display(screen, renderable)

        app._display = shown  # type: ignore[method-assign]

    def apply(self, app: ReaderApp, update: CompositorUpdate) -> None:
        x = y = 0
        for segment in app.console.render(update):
            for control in segment.control or ():
                if control[0] == ControlType.CURSOR_MOVE_TO:
                    x, y = int(control[1]), int(control[2])
            if segment.control:
                continue
            for char in segment.text:
                if char == "\n":
                    x, y = 0, y + 1
                    continue
                if 0 <= y < self.height and 0 <= x < self.width:
                    self.rows[y][x] = char
                x += 1

    def lines(self) -> list[str]:
        return ["".join(row) for row in self.rows]


def rebuilds_its_map(main: MainScreen) -> Callable[[], None]:
    """The screen's next frame rebuilds its compositor's map as it draws, as Textual 8.2.8
    does when a dirty widget is not visible and a widget drawn asks its region
    (``Compositor.full_map``); returns what ends it."""
    compositor = main._compositor
    render_update = compositor.render_update

    def rebuilt(*args: Any, **kwargs: Any) -> Any:
        compositor._full_map_invalidated = True
        assert compositor.full_map
        return render_update(*args, **kwargs)

    compositor.render_update = rebuilt  # type: ignore[method-assign]
    return lambda: setattr(compositor, "render_update", render_update)


async def test_the_terminal_keeps_no_part_of_the_panels_drawn_before_the_layout(
    tmp_path: Path, entity_cache: Path
) -> None:
    """The entities found arrive; the legend's own queue asks for its layout (as once
    idle); the frame that shows them rebuilds the compositor's map (as Textual does at
    times). Once settled, what the terminal received is the screen drawn whole: without
    the layout in that frame, the Notes box's top border was missing under the entity
    panel (in a real terminal, a second "Entities" box over the legend)."""
    from reader.ui.messages import EntitiesReady
    from reader.ui.widgets.legend import Legend

    app = uncached_app(tmp_path, entity_cache)
    cells = Cells(app, (140, 44))
    async with app.run_test(size=(140, 44)) as pilot:
        main = await open_uncached(pilot)
        assert main.article is not None
        found = list(main.query_one(ArticleView).spans)
        main._apply_spans([])  # as while the model finds them
        await idle(pilot)
        main.on_entities_ready(EntitiesReady(main.article.id, found))
        main.query_one(Legend)._check_refresh()
        ended = rebuilds_its_map(main)
        main._on_timer_update()
        ended()
        await idle(pilot)
        assert cells.lines() == [strip.text for strip in main._compositor.render_strips()]
