"""ReaderApp: the Textual application; owns settings and the entity finder for the UI's lifetime."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from reader import __version__
from reader.entities.finder import EntityFinder, build_finder
from reader.resources import styles_dir
from reader.settings import Settings
from reader.text import sanitize_line
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_panel import EntityPanel
from reader.ui.widgets.legend import Legend


class ReaderApp(App[None]):
    """Read articles with their entities highlighted."""

    TITLE = "reader"
    SUB_TITLE = f"v{__version__}"
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        styles_dir() / "app.tcss",
        styles_dir() / "entities.tcss",
    ]

    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (110, "-wide"),
    ]
    """Below 110 columns the side panels give their room to the article (styles/app.tcss)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("tab", "focus_next", "Next pane", show=False),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False),
    ]

    def __init__(self, settings: Settings, finder: EntityFinder) -> None:
        super().__init__()
        self.settings = settings
        """Where things are read from and written to."""
        self.finder = finder
        """Finds entities (cache, model, rules); safe to call from workers."""

    def get_default_screen(self) -> Screen[None]:
        return MainScreen()

    def action_help(self) -> None:
        """Open the help screen (every key, and the paths in use)."""
        if isinstance(self.screen, HelpScreen):
            return
        sections: list[tuple[str, Sequence[type]]] = [
            ("Everywhere", [ReaderApp, MainScreen]),
            ("Article list", [ArticleList]),
            ("Article", [ArticleView]),
            ("Entity panel", [EntityPanel]),
            ("Legend", [Legend]),
        ]
        settings = self.settings
        paths = [
            ("articles", ", ".join(sanitize_line(str(p)) for p in settings.article_paths)),
            ("annotations", sanitize_line(str(settings.db_path))),
            (
                "entity cache",
                sanitize_line(str(settings.cache_dir)) if settings.use_cache else "off",
            ),
            ("spaCy pipeline", settings.model or "best installed (en_core_web_sm)"),
        ]
        self.push_screen(HelpScreen(sections, paths))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            view = screen.query_one(ArticleView)
            commands = [
                ("Help: keys and paths", "Every key, and where files are", self.action_help),
                ("Toggle legend", "Show or hide the label legend", screen.action_toggle_legend),
                ("Next entity", "Mark the next entity in the article", view.action_next_entity),
                ("Previous entity", "Mark the previous entity", view.action_previous_entity),
                ("Focus article list", "Move to the sidebar", screen.action_focus_list),
            ]
            for title, help_text, callback in commands:
                yield SystemCommand(title, help_text, callback)


def build_app(settings: Settings) -> ReaderApp:
    """Return the app the `reader` command runs (tests and snapshots use the same factory)."""
    return ReaderApp(settings, build_finder(settings))
