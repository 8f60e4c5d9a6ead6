"""The app starts with the config file's theme and remembers the one chosen in the palette;
the help screen says which files are in use and where each came from; the tag dialogs
show the tag rule and keep what was typed when it is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.settings import Settings
from reader.store import AnnotationStore
from reader.ui.app import ReaderApp
from reader.ui.screens.dialogs import TagScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.article_view import ArticleView

from .conftest import settle, started

SIZE = (140, 50)


def screen_text(app: ReaderApp) -> str:
    """Everything on screen as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.fixture
def project(tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (annotations/, seeds/ with the seed article), a config file in tmp."""
    root = tmp_path / "project"
    (root / "annotations").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "seeds" / seed_path.name).write_bytes(seed_path.read_bytes())
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "config.toml"))
    for name in ("READER_DB", "READER_MODEL", "READER_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("READER_CACHE_DIR", str(tmp_path / "cache"))
    return root


@pytest.fixture
def config(project: Path, tmp_path: Path) -> Path:
    """The config file the project's ``READER_CONFIG`` names (not written yet)."""
    return tmp_path / "config.toml"


def settings_in(project: Path) -> Settings:
    return Settings.build(cwd=project / "seeds")


def said(app: ReaderApp, words: str) -> bool:
    """Whether a notification of *app* says *words*."""
    return any(words in str(n.message) for n in app._notifications)


async def test_the_theme_chosen_is_remembered_keeping_the_rest_of_the_file(
    project: Path, config: Path
) -> None:
    config.write_text('# my settings\nmodel = "en_core_web_sm"  # small\n', encoding="utf-8")
    async with started(settings_in(project), SIZE) as (app, pilot, _):
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")  # "Theme": the theme picker
        await pilot.pause(0.3)
        await pilot.press(*"nord")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        await app.wait_for_config()
        assert app.theme == "nord"
        assert config.read_text(encoding="utf-8") == (
            '# my settings\nmodel = "en_core_web_sm"  # small\ntheme = "nord"\n'
        )
    # The next start uses it.
    async with started(settings_in(project), SIZE) as (app, pilot, _):
        assert app.theme == "nord"
        app.theme = "gruvbox"
        await settle(pilot)
        await app.wait_for_config()
    assert config.read_text(encoding="utf-8").endswith('theme = "gruvbox"\n')


async def test_starting_writes_nothing_and_an_unknown_theme_is_said(
    project: Path, config: Path
) -> None:
    config.write_text('theme = "no-such-theme"\n', encoding="utf-8")
    async with started(settings_in(project), SIZE) as (app, _, _):
        await app.wait_for_config()
        assert app.theme == "textual-dark"
        assert said(app, "no-such-theme")
    assert config.read_text(encoding="utf-8") == 'theme = "no-such-theme"\n'


async def test_a_broken_config_file_is_never_overwritten(project: Path, config: Path) -> None:
    config.write_text('model = "m"\n', encoding="utf-8")
    async with started(settings_in(project), SIZE) as (app, pilot, _):
        config.write_text("model = [\n", encoding="utf-8")  # broken while the app runs
        app.theme = "nord"
        await settle(pilot)
        await app.wait_for_config()
        await settle(pilot)
        assert said(app, "not remembered")
    assert config.read_text(encoding="utf-8") == "model = [\n"


async def test_help_says_which_files_are_in_use_and_where_each_came_from(
    project: Path,
) -> None:
    async with started(settings_in(project), (160, 200)) as (app, pilot, _):
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body")
        body.scroll_end(animate=False)  # the files are last
        await pilot.pause(0.1)
        # The help's box alone; long paths wrap in its 80 columns: compare without spaces.
        x, y, width, height = body.region
        lines = screen_text(app).splitlines()[y : y + height]
        text = "".join(c for line in lines for c in line[x + 1 : x + width - 1] if not c.isspace())
        assert f"database{project}/annotations/annotations.json(foundin{project})" in text
        assert f"articles{project}/seeds(foundin{project})" in text
        assert "config.toml(notthere:nothingreadfromit)" in text
        assert "themetextual-dark(default)" in text
        assert "backgroundentitiesfoundwhileyourest(default)" in text
        assert "Drafts(notesnotsavedyet)" in text and "readerdraftsprintseverydraftkept" in text


async def test_help_shows_the_background_setting_of_the_config_file(
    project: Path, config: Path
) -> None:
    config.write_text("background_entities = false\n", encoding="utf-8")
    async with started(settings_in(project), (160, 200)) as (app, pilot, _):
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body")
        body.scroll_end(animate=False)
        await pilot.pause(0.1)
        x, y, width, height = body.region
        lines = screen_text(app).splitlines()[y : y + height]
        text = "".join(c for line in lines for c in line[x + 1 : x + width - 1] if not c.isspace())
        assert "backgroundoff(configfile)" in text


async def test_the_tag_dialog_shows_the_rule_and_refuses_a_long_tag(project: Path) -> None:
    async with started(settings_in(project), SIZE) as (app, pilot, _):
        app.screen.query_one(ArticleView).focus()
        await pilot.press("t")
        await pilot.pause(0.2)
        assert isinstance(app.screen, TagScreen)
        assert "Commas separate tags: a tag is 1 to 64 characters" in screen_text(app)
        await pilot.press(*"fine, ", *("x" * 65), "enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, TagScreen)  # still open, with what was typed
        assert said(app, "at most 64 characters")
        await pilot.press(*["backspace"] * 65, *"ok", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    with AnnotationStore(settings_in(project).db_path, read_only=True) as store:
        assert store.articles()[0]["tags"] == ["fine", "ok"]


async def test_space_b_g_and_shift_g_move_in_the_help_as_in_an_article(project: Path) -> None:
    async with started(settings_in(project), (120, 30)) as (app, pilot, _):
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body")
        await pilot.press("space")
        await pilot.pause(0.2)
        paged = body.scroll_y
        assert paged >= body.size.height - 2  # a screen, not a line
        await pilot.press("b")
        await pilot.pause(0.2)
        assert body.scroll_y < paged
        await pilot.press("G")  # the bottom, as G goes to the end everywhere
        await pilot.pause(0.2)
        assert body.scroll_y == body.max_scroll_y > paged
        await pilot.press("g")
        await pilot.pause(0.2)
        assert body.scroll_y == 0
