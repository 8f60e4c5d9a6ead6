"""The app's choices kept in the config file: the theme chosen in the palette and the
sidebar's width (`<` `>`), written by a thread of their own, the last choice last."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePath

from reader.config import ConfigError, set_theme, set_value
from reader.ui.app_store import StoreAccess
from reader.ui.messages import WriteFailed


class RememberedChoices(StoreAccess):
    """The app's part that writes the user's theme and sidebar width to the config file (a
    base of :class:`~reader.ui.app.ReaderApp`, which sets the state below)."""

    # Set by ReaderApp.
    _config_writer: ThreadPoolExecutor
    _watching_theme: bool
    _theme_wanted: str
    _theme_saved: str | None
    _sidebar_wanted: int | None
    _sidebar_saved: int | None

    def watch_theme(self, theme: str) -> None:
        """Remember a theme the user chose in the config file (off the screen's thread)."""
        if not self._watching_theme or self.settings.config_path is None:
            return
        self._theme_wanted = theme
        self._config_writer.submit(self._remember_theme, self.settings.config_path)

    def _remember_theme(self, path: PurePath) -> None:
        """In the config thread: write the latest theme chosen, unless it is there already.
        A failure is said, and the config file is left as it was."""
        theme = self._theme_wanted
        if theme == self._theme_saved:
            return
        try:
            set_theme(Path(path), theme)
        except (ConfigError, OSError) as error:
            reason = f"The theme is not remembered: {error}"
            self.post_message(WriteFailed(reason, None))
            return
        self._theme_saved = theme

    def remember_sidebar(self, width: int) -> None:
        """Remember the sidebar's width (`<` `>`) in the config file, as the theme."""
        if self.settings.config_path is None:
            return
        self._sidebar_wanted = width
        self._config_writer.submit(self._write_sidebar, self.settings.config_path)

    def _write_sidebar(self, path: PurePath) -> None:
        """In the config thread: write the latest sidebar width, unless it is there."""
        width = self._sidebar_wanted
        if width is None or width == self._sidebar_saved:
            return
        try:
            set_value(Path(path), "sidebar", width)
        except (ConfigError, OSError) as error:
            self.post_message(WriteFailed(f"The sidebar's width is not remembered: {error}", None))
            return
        self._sidebar_saved = width

    async def wait_for_config(self) -> None:
        """Wait until the theme (and sidebar width) chosen so far is in the config file (for
        tests)."""
        await asyncio.wrap_future(self._config_writer.submit(lambda: None))
