"""`reader` as a user types it: options before or after the command, typos, the config
file and `reader config`, `reader --help` saying which files are in use, and the tag rule
on the command line. Through reader.cli.main, in temporary folders."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result, run_cli

from reader import cli
from reader.workspace import Workspace


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No READER_* from the caller; the config file and the user data dir in tmp."""
    for name in ("READER_DB", "READER_MODEL", "READER_ENGINE", "READER_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.setenv("READER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def run(home: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def run_command(*argv: str | Path) -> Result:
        return run_cli(argv, capsys)

    return run_command


@pytest.fixture
def article(home: Path) -> Path:
    path = home / "budget.md"
    path.write_text("# The budget vote\n\nThe Chancellor said on Monday.\n", encoding="utf-8")
    return path


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Workspace]:
    """Stands in for the app: records the workspace it would have opened."""
    calls: list[Workspace] = []

    def fake_app(args: argparse.Namespace, workspace: Workspace) -> int:
        calls.append(workspace)
        return 0

    monkeypatch.setattr(cli, "run_app", fake_app)
    return calls


# Options before or after the command.


def test_options_before_the_command_go_to_the_command(
    run: Callable[..., Result], home: Path, article: Path, opened: list[Workspace]
) -> None:
    # The issue: `reader --db x.json annotations` opened the app on ./annotations.
    db = home / "x.json"
    assert run("--db", db, "tag", article, "budget").code == 0
    listed = run("--db", db, "annotations")
    assert listed.code == 0, listed.err
    assert "budget" in listed.out
    assert run("annotations", "--db", db).out == listed.out
    assert run("--db", db, "annotations", "--format", "json").code == 0
    assert opened == []
    assert db.exists()


def test_an_option_after_the_command_wins_over_one_before(
    run: Callable[..., Result], home: Path, article: Path
) -> None:
    assert run("--db", home / "a.json", "tag", article, "x", "--db", home / "b.json").code == 0
    assert (home / "b.json").exists() and not (home / "a.json").exists()


def test_a_note_after_double_dash_is_still_text(
    run: Callable[..., Result], home: Path, article: Path
) -> None:
    db = home / "n.json"
    assert run("--db", db, "note", article, "--", "--db is a flag").code == 0
    assert "--db is a flag" in run("annotations", "--db", db).out


def test_a_folder_named_like_a_command_opens_as_dot_slash_name(
    run: Callable[..., Result],
    home: Path,
    opened: list[Workspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(home)
    (home / "index").mkdir()
    assert run("--db", home / "d.json", "./index").code == 0
    assert opened[0].settings.article_paths == [Path("./index")]
    assert opened[0].settings.db_path == home / "d.json"


# Typos.


def test_a_typo_is_an_error_with_a_suggestion(
    run: Callable[..., Result], home: Path, opened: list[Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(home)
    result = run("anotations")
    assert result.code == 2
    assert (
        result.err == "reader: no such command or file: 'anotations' (did you mean annotations?)\n"
    )
    result = run("frobnicate")
    assert result.code == 2
    assert "no such command or file: 'frobnicate'" in result.err
    assert "annotations, config, drafts, entities" in result.err  # nothing close: every command
    assert opened == []


def test_a_missing_query_names_only_the_query(run: Callable[..., Result], home: Path) -> None:
    """Walkthrough item 3: `reader search` said "arguments are required: QUERY, PATH", but
    PATH is optional (every command's PATH...: add_paths)."""
    result = run("search")
    assert result.code == 2
    assert result.err.splitlines()[-1] == (
        "reader search: error: the following arguments are required: QUERY"
    )


def test_an_existing_path_opens_the_app(
    run: Callable[..., Result], article: Path, opened: list[Workspace]
) -> None:
    assert run(article).code == 0
    assert opened[0].settings.article_paths == [article]


def test_a_typo_is_never_written_to_the_terminal_raw(
    run: Callable[..., Result], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(home)
    result = run("\x1b]52;c;ZXZpbA==\x07evil")
    assert result.code == 2
    assert "\x1b" not in result.err and "\x07" not in result.err


# The project layout and the user data dir.


def test_annotations_made_in_one_folder_are_there_from_another(
    run: Callable[..., Result], home: Path, article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = home / "project"
    (project / "annotations").mkdir(parents=True)
    (project / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(project)
    assert run("tag", article, "budget").code == 0
    monkeypatch.chdir(project / "deep" / "er")
    assert "budget" in run("annotations").out
    assert (project / "annotations" / "annotations.json").exists()
    assert not (project / "deep" / "er" / "annotations").exists()


def test_without_a_project_the_database_is_in_the_user_data_dir(
    run: Callable[..., Result], home: Path, article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (home / "one").mkdir()
    (home / "two").mkdir()
    monkeypatch.chdir(home / "one")
    assert run("tag", article, "budget").code == 0
    assert (home / "data-home" / "reader" / "annotations.json").exists()
    assert not (home / "one" / "annotations").exists()
    monkeypatch.chdir(home / "two")
    assert "budget" in run("annotations").out


# The config file and `reader config`.


def test_reader_config_prints_each_value_and_where_it_came_from(
    run: Callable[..., Result], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = home / "project"
    (project / "annotations").mkdir(parents=True)
    monkeypatch.chdir(project)
    result = run("config")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == [
        "config",
        "file",
        str(home / "config" / "config.toml"),
        "(not",
        "there:",
        "nothing",
        "read",
        "from",
        "it)",
    ]
    assert f"database      {project}/annotations/annotations.json  (found in {project})" in lines
    assert any(line.startswith("entity cache") and "(READER_CACHE_DIR)" in line for line in lines)
    config = home / "config" / "config.toml"
    config.parent.mkdir()
    config.write_text('database = "/x/annotations.json"\ntheme = "nord"\n', encoding="utf-8")
    result = run("config")
    assert "database      /x/annotations.json  (config file)" in result.out
    assert "theme         nord  (config file)" in result.out
    assert "(exists)" in result.out.splitlines()[0]
    assert "database      /y.json  (--db)" in run("--db", "/y.json", "config").out


@pytest.mark.parametrize("command", [["config"], ["annotations"], []])
def test_a_bad_config_file_is_exit_2_naming_the_file_line_and_key(
    run: Callable[..., Result], home: Path, command: list[str], opened: list[Workspace]
) -> None:
    config = home / "config" / "config.toml"
    config.parent.mkdir()
    config.write_text('theme = "nord"\nlibary = ["~/news"]\n', encoding="utf-8")
    result = run(*command)
    assert result.code == 2
    assert result.err.startswith(f"reader: config file {config}: unknown key 'libary'")
    config.write_text('theme = "nord"\ndatabase = \n', encoding="utf-8")
    result = run(*command)
    assert result.code == 2
    assert "not valid TOML" in result.err and "line 2" in result.err
    assert opened == []  # the app does not start on a config file it cannot read


# reader --help.


def test_help_says_which_database_and_library_are_in_use(
    run: Callable[..., Result], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = home / "project"
    (project / "annotations").mkdir(parents=True)
    (project / "seeds").mkdir()
    monkeypatch.chdir(project)
    result = run("--help")
    assert result.code == 0
    assert f"database     {project}/annotations/annotations.json  (found in {project})" in (
        result.out
    )
    assert f"articles     {project}/seeds  (found in {project})" in result.out
    assert "config file  " in result.out
    assert "database     /z.json  (--db)" in run("--db", "/z.json", "--help").out


# The tag rule on the command line.


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("a,b", "a tag cannot contain a comma"),
        ("x" * 65, "at most 64 characters"),
        ("   ", "a tag cannot be empty"),
    ],
)
def test_a_tag_that_breaks_the_rule_is_refused(
    run: Callable[..., Result], home: Path, article: Path, tag: str, message: str
) -> None:
    db = home / "t.json"
    result = run("tag", article, "fine", tag, "--db", db)
    assert result.code == 2
    assert message in result.err
    assert not db.exists() or "fine" not in run("annotations", "--db", db).out


# The app's start.


def test_the_app_lists_the_library_while_its_ui_is_imported(
    run: Callable[..., Result], home: Path, article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `reader` lists the library in a thread before it imports the UI, so that the
    # screen's first frame can show it (bench/run.py figure 1).
    from reader.ui.app import ReaderApp

    seen: list[list[str]] = []

    def fake_run(app: ReaderApp) -> None:
        workspace = app.workspace
        for _ in range(500):  # the thread lists it; nothing here asks for it
            if (listed := workspace.listed()) is not None:
                seen.append([a.title for a in listed.articles])
                return
            time.sleep(0.01)

    monkeypatch.setattr(ReaderApp, "run", fake_run)
    assert run("--db", home / "x.json", article).code == 0
    assert seen == [["The budget vote"]]


def test_every_command_is_found_in_the_module_the_table_names() -> None:
    """reader.cli imports a command's module only when it is run: its table of names must
    name every command of every module, each in the module that holds it."""
    import importlib
    import pkgutil

    import reader.cli
    from reader.cli import COMMANDS, command_table

    held: dict[str, str] = {}
    for module in pkgutil.iter_modules(reader.cli.__path__):
        table = getattr(importlib.import_module(f"reader.cli.{module.name}"), "COMMANDS", {})
        held.update(dict.fromkeys(table, module.name))
    assert held == COMMANDS
    for name in COMMANDS:
        make_parser, run = command_table(name)[name]
        assert callable(make_parser) and callable(run)


@pytest.mark.parametrize("fails", [False, True])
def test_the_garbage_collector_is_on_again_when_the_app_ends_before_its_first_frame(
    run: Callable[..., Result],
    home: Path,
    article: Path,
    monkeypatch: pytest.MonkeyPatch,
    fails: bool,
) -> None:
    """`reader` starts the app without collection, which its first frame turns on again:
    an app that ends before that frame (it failed, it was quit) leaves it on too."""
    import gc

    from reader.ui.app import ReaderApp

    during: list[bool] = []

    def ended_early(app: ReaderApp) -> None:
        during.append(gc.isenabled())
        if fails:
            raise RuntimeError("no terminal")

    monkeypatch.setattr(ReaderApp, "run", ended_early)
    assert gc.isenabled()
    try:
        if fails:
            with pytest.raises(RuntimeError, match="no terminal"):
                run("--db", home / "x.json", article)
        else:
            assert run("--db", home / "x.json", article).code == 0
        assert during == [False]  # what is tested: collection was off, as at a real start
        assert gc.isenabled()
    finally:
        gc.enable()
