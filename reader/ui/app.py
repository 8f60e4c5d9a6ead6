"""ReaderApp: the Textual application; holds the Workspace (library, store, finder) for the UI's
lifetime."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import PurePath
from typing import Any, ClassVar

from textual import events
from textual.app import InvalidThemeError, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input

from reader import __version__
from reader.export import FORMATS
from reader.resources import styles_dir
from reader.settings import Settings
from reader.text import sanitize, sanitize_line
from reader.ui.app_lifecycle import AppLifecycle
from reader.ui.app_store import Failed
from reader.ui.screens.entity_library import EntityLibraryScreen
from reader.ui.screens.entity_page import EntityPageScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import WRITING_ACTIONS, MainScreen
from reader.ui.widgets.annotation_panel import AnnotationPanel
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.entity_panel import EntityPanel
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.legend import Legend
from reader.ui.widgets.view_list import ViewList
from reader.workspace import Workspace

_INPUT = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)
"""What the user does: after each, the background pass (reader/ui/background.py) rests."""


class ReaderApp(AppLifecycle):
    """Read articles with their entities highlighted."""

    TITLE = "reader"
    SUB_TITLE = f"v{__version__}"
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        styles_dir() / "app.tcss",
        styles_dir() / "entities.tcss",
        styles_dir() / "markdown.tcss",
        styles_dir() / "entity_pages.tcss",
    ]

    # Declared without ClassVar: App declares it as an instance attribute (mypy).
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-narrow"),
        (110, "-wide"),
    ]
    """Below 110 columns the side panels give their room to the article (styles/app.tcss)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("tab", "focus_next", "Next pane", show=False),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False),
        # Not a priority binding: the note editor's Ctrl+Z (the text area's undo) wins.
        Binding("ctrl+z", "suspend_process", "Suspend to the shell (fg comes back)", show=False),
    ]

    EXTRA_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("ctrl+p", "Command palette (views: apply, rename, delete)"),
    ]
    """Textual's own key for the palette (App.COMMAND_PALETTE_BINDING), listed by the help."""

    def __init__(self, workspace: Workspace, *, tune_gc: bool = False) -> None:
        super().__init__()
        self.tune_gc = tune_gc
        """Whether to keep the startup objects out of the garbage collector's passes (the
        `reader` command does; tests, many apps in one process, do not)."""
        self.workspace = workspace
        """The core: the library, the store and the entity finder."""
        self.last_input = time.monotonic()
        """When the user last pressed a key, clicked, scrolled or pasted (``monotonic``)."""
        self.store_problem: str | None = None
        """Why annotations cannot be changed, when they cannot (shown to the user)."""
        self.store_brief: str | None = None
        """The same in a few words, for the header: ``"read-only: annotations.json is not
        writable (mode 0444)"``."""
        # One thread does every write, in order, so saving never blocks the screen and a
        # later change never overtakes an earlier one. Never cancelled: see on_unmount.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        # The theme chosen in the palette is remembered in the config file, written by a
        # thread of its own (in order, the last choice last) so the screen never waits.
        self._config_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="config")
        self._after_frame: list[tuple[Callable[..., Any], Callable[[Any], None], Failed]] = []
        """Saves the user did not ask for, waiting for the next frame (:meth:`save_after_frame`)."""
        self._polling = False
        self._first_frame = threading.Event()
        """Set once the first frame with the library is on screen: a large database's
        annotations are read after it (:meth:`open_store`)."""
        self._poll_problem: str | None = None
        self._theme_problem: str | None = None
        self._theme_default = self.theme
        self._theme_saved = self.settings.theme
        self._watching_theme = False
        if self.settings.theme:
            try:
                self.theme = self.settings.theme
            except InvalidThemeError:
                self._theme_problem = (
                    f"The config file's theme {self.settings.theme!r} is not one of "
                    "Textual's themes: using the default (Ctrl+P, Theme, to choose one)"
                )
        self._theme_wanted = self.theme
        self._sidebar_saved = self._sidebar_wanted = self.settings.sidebar

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notice, sanitised: notices quote file names, error texts and page titles,
        and no control sequence reaches the terminal through one."""
        super().notify(
            sanitize(message),
            title=sanitize_line(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _INPUT) and not event.is_forwarded:
            self.last_input = time.monotonic()  # the background pass waits for a rest
        # A paste is the one way raw text reaches a field without a key for each
        # character: its control sequences go before any field (Textual's Input and
        # TextArea draw an ESC as it came) sees it, as an article's would.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            event.text = sanitize(event.text)
            if isinstance(self.focused, Input):  # one line: Input keeps the first, silently
                event.text = " ".join(line.strip() for line in event.text.splitlines())
        await super().on_event(event)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen()

    def action_help(self) -> None:
        """Open the help screen (every key, and the paths in use)."""
        if isinstance(self.screen, HelpScreen):
            return
        sections: list[tuple[str, Sequence[type]]] = [
            ("Article", [ArticleView]),
            ("Everywhere", [ReaderApp, MainScreen]),
            ("Article list", [ArticleList]),
            ("Filter field (/ in the list)", [FilterBar]),
            ("Views (saved searches)", [ViewList]),
            ("Entity panel", [EntityPanel]),
            ("Entity page (p)", [EntityPageScreen]),
            ("Entities of the library (P)", [EntityLibraryScreen]),
            ("Notes panel", [AnnotationPanel]),
            ("Legend", [Legend]),
        ]
        settings = self.settings
        shown = ("config file", "database", "articles", "entity cache", "engine", "background")
        paths = [
            (name, f"{sanitize_line(value, 500)}  ({sanitize_line(source)})")
            for name, value, source in settings.in_use()
            if name in shown
        ]
        paths += [
            ("model", self._model_in_use()),
            ("theme", f"{self.theme}  ({self._theme_source()})"),
        ]
        self.push_screen(HelpScreen(sections, paths))

    def _model_in_use(self) -> str:
        """The engine's model that really runs, as its package says (name and version, found
        without loading it), and where the choice came from; or why there is none."""
        from reader.entities.engines import NoModel

        asked = "asked for" if self.settings.model else "the best installed"
        try:
            info = self.finder.pipeline
        except NoModel as error:
            return sanitize_line(str(error), 500)
        return f"{sanitize_line(info.shown)}  ({asked})"

    def _theme_source(self) -> str:
        """Where the theme in use came from, for the help screen."""
        if self.theme == self.settings.theme:
            return "config file"
        if self.theme == self._theme_saved:
            return "chosen here, remembered in the config file"
        return "default" if self.theme == self._theme_default else "chosen here"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Suspend",
            "Stop reader and go back to the shell (Ctrl+Z; fg comes back)",
            self.action_suspend_process,
        )
        if isinstance(screen, MainScreen):
            view = screen.query_one(ArticleView)
            commands: list[tuple[str, str, Callable[[], object]]] = [
                ("Help: keys and paths", "Every key, and where files are", self.action_help),
                ("Toggle legend", "Show or hide the label legend", screen.action_toggle_legend),
                (
                    "Entities of the library",
                    "Every entity by label, most mentioned first; open one's page",
                    screen.action_entity_library,
                ),
                (
                    "Entity page",
                    "The marked entity's articles, snippets, who appears with it",
                    screen.action_entity_page,
                ),
                ("Next entity", "Mark the next entity in the article", view.action_next_entity),
                ("Previous entity", "Mark the previous entity", view.action_previous_entity),
                ("Focus article list", "Move to the sidebar", screen.action_focus_list),
                ("Tag article", "Add tags to the article shown", screen.action_tag),
                ("Note on article", "Write a note on the article shown", screen.action_note),
                ("Rename tag", "Rename a tag on every article", screen.action_rename_tag),
                ("Undo", "Undo the last annotation change", screen.action_undo),
                ("Export annotations…", "Choose a format and export", screen.action_export),
                *(
                    (
                        f"Export annotations as {fmt}",
                        f"Write {fmt} into the export folder",
                        partial(screen.action_export, fmt),
                    )
                    for fmt in FORMATS
                ),
            ]
            for title, help_text, callback in commands:
                action = getattr(callback, "__name__", "").removeprefix("action_")
                if self.store_problem and action in WRITING_ACTIONS:
                    continue  # read-only: not offered, as their keys are not
                yield SystemCommand(title, help_text, callback)


def build_app(settings: Settings, *, tune_gc: bool = False) -> ReaderApp:
    """Return the app the `reader` command runs (tests and snapshots use the same factory)."""
    return ReaderApp(Workspace(settings), tune_gc=tune_gc)
