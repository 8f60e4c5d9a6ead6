"""The entity panel's library names on a first start: no entity cache, the real spaCy
pipeline in its worker process, the seed article.

The entity worker hands an article's new entities to the screen (``EntitiesReady``), and
writes them to the library's entity index once their frame is painted (not while the
user waits for them); the panel asks the index for their library names, and one that
asked before the write named some mentions and not others ("Lavrov ×8", "Sergey Lavrov
×2" for one person): its lookups wait for the write. Here the write waits for the panel's
lookups, for a while (the worst timing, every run): a panel that does not wait for the
write names them first, and the test fails every time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from textual.message import Message
from textual.style import Style

from reader.entities.library.index import EntityIndex
from reader.entities.span import Span
from reader.entities.worker import WorkerRecognizer
from reader.library import Article
from reader.settings import Settings
from reader.ui.app import build_app
from reader.ui.messages import EntitiesReady
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.entity_panel import EntityPanel

from .conftest import settle
from .test_app import SIZE

#: How long the model's first entities may take on a busy machine (the worker process
#: loads the pipeline first): a bound on the wait, not a sleep.
PATIENCE = 120.0

#: How long the index's write waits for the panel to ask first (less than the panel's
#: own wait for the write, reader/ui/screens/entity_pages.py's WRITTEN_MOST).
SLOW_WRITE = 1.0


class Order:
    """Watches the order of three events: the entities posted to the screen, the panel
    given the index's names for them, the index's write."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shown = threading.Event()
        """``EntitiesReady`` was posted with the article's entities."""
        self.named = threading.Event()
        """The panel was given the library's names (``EntityPanel.set_resolved``)."""
        self.writes: list[bool] = []
        """Per write to the index: whether the entities had been posted before it."""
        post_message = MainScreen.post_message
        put_article = EntityIndex.put_article
        set_resolved = EntityPanel.set_resolved
        order = self

        def posting(self: MainScreen, message: Message) -> bool:
            if isinstance(message, EntitiesReady) and message.spans:
                order.shown.set()
            return post_message(self, message)

        def writing(
            self: EntityIndex, article: Article, spans: Sequence[Span], **kwargs: str | None
        ) -> None:
            late = order.shown.is_set()
            order.writes.append(late)
            if late:
                # Shown before the index has them: let the panel ask first, if it would.
                order.named.wait(timeout=SLOW_WRITE)
            put_article(self, article, spans, **kwargs)  # type: ignore[arg-type]

        def naming(self: EntityPanel, resolved: dict[int, tuple[str, str, str]]) -> None:
            set_resolved(self, resolved)
            order.named.set()

        monkeypatch.setattr(MainScreen, "post_message", posting)
        monkeypatch.setattr(EntityIndex, "put_article", writing)
        monkeypatch.setattr(EntityPanel, "set_resolved", naming)


def panel_lines(panel: EntityPanel) -> list[str]:
    """Every row of the panel as drawn (not only those scrolled into view)."""
    return [panel.render_row_line(i, 0, Style(), 60).text.rstrip() for i in range(panel.row_count)]


async def test_a_first_start_names_each_person_once_in_the_panel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed_path: Path
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("READER_CACHE_DIR", str(cache))
    settings = Settings.build(paths=[str(seed_path.parent)], db=str(tmp_path / "db.json"))
    assert settings.cache_dir == cache and not cache.exists()  # a first start
    order = Order(monkeypatch)
    app = build_app(settings)
    recognizer = app.finder.recognizer
    assert isinstance(recognizer, WorkerRecognizer)  # the model in its worker process
    assert "en_core_web_md" in recognizer.info.shown
    async with app.run_test(size=SIZE) as pilot:
        # The model's entities, then the panel's lookups (conditions; bounded).
        waited = 0.0
        while not order.named.is_set() and waited < PATIENCE:
            await pilot.pause(0.05)
            waited += 0.05
        assert order.named.is_set(), "the panel was never given the library's names"
        await settle(pilot)
        panel = app.screen.query_one(EntityPanel)
        lines = panel_lines(panel)
        lavrov = [line.strip() for line in lines if "Lavrov" in line]
        assert lavrov == ["Sergey Lavrov ×10"], lines
        # The article's entities were written to the index once, after they were shown.
        assert order.writes == [True]
