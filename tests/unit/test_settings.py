"""Where things live: flags > environment > the config file > the project layout found
from the working directory up > defaults, and where each value came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.config import ConfigError
from reader.resources import seeds_dir
from reader.settings import Settings


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment with a config file of the test's own and the user data dir in tmp."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    return {"READER_CONFIG": str(tmp_path / "config.toml")}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with annotations/ and seeds/, and a folder deep inside it."""
    root = tmp_path / "project"
    (root / "annotations").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "notes" / "2026").mkdir(parents=True)
    return root


def test_the_database_is_found_in_a_parent_folder(project: Path, env: dict[str, str]) -> None:
    # The issue: `cd elsewhere && reader` made a new, empty database in elsewhere/.
    settings = Settings.build(env=env, cwd=project / "notes" / "2026")
    assert settings.db_path == project / "annotations" / "annotations.json"
    assert settings.source("database") == f"found in {project}"
    assert settings.article_paths == [project / "seeds"]
    assert settings.source("articles") == f"found in {project}"


def test_an_empty_annotations_folder_is_enough_and_the_nearest_wins(
    project: Path, env: dict[str, str]
) -> None:
    inner = project / "notes" / "annotations"
    inner.mkdir()
    settings = Settings.build(env=env, cwd=project / "notes" / "2026")
    assert settings.db_path == inner / "annotations.json"
    assert settings.source("database") == f"found in {project / 'notes'}"
    settings = Settings.build(env=env, cwd=project)
    assert settings.db_path == project / "annotations" / "annotations.json"


def test_without_a_project_the_user_data_dir_and_the_bundled_seed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings = Settings.build(env=env, cwd=elsewhere)
    assert settings.db_path == tmp_path / "data-home" / "reader" / "annotations.json"
    assert settings.source("database") == "default"
    assert settings.article_paths == [seeds_dir()]
    assert settings.source("articles") == "default"
    # The same file from any other folder without a project.
    other = Settings.build(env=env, cwd=tmp_path)
    assert other.db_path == settings.db_path


def test_the_config_file_beats_the_project_layout(
    tmp_path: Path, project: Path, env: dict[str, str]
) -> None:
    Path(env["READER_CONFIG"]).write_text(
        f'database = "{tmp_path}/mine.json"\nlibrary = ["{tmp_path}/news"]\n'
        'engine = "other"\nmodel = "m"\ntheme = "nord"\ncache_dir = "cache"\n',
        encoding="utf-8",
    )
    settings = Settings.build(env=env, cwd=project)
    assert settings.db_path == tmp_path / "mine.json"
    assert settings.article_paths == [tmp_path / "news"]
    assert (settings.engine, settings.model, settings.theme) == ("other", "m", "nord")
    assert settings.cache_dir == tmp_path / "cache"  # relative to the config file's folder
    for name in ("database", "articles", "engine", "model", "theme", "cache"):
        assert settings.source(name) == "config file", name
    assert settings.config_exists


def test_the_environment_beats_the_config_file_and_flags_beat_both(
    tmp_path: Path, project: Path, env: dict[str, str]
) -> None:
    Path(env["READER_CONFIG"]).write_text(
        'database = "c.json"\nmodel = "from-config"\nengine = "e1"\n', encoding="utf-8"
    )
    env = {**env, "READER_DB": "e.json", "READER_MODEL": "from-env", "READER_ENGINE": "e2"}
    settings = Settings.build(env=env, cwd=project)
    assert (settings.db_path, settings.model, settings.engine) == (
        Path("e.json"),
        "from-env",
        "e2",
    )
    assert settings.source("database") == "READER_DB"
    assert settings.source("model") == "READER_MODEL"
    flags = Settings.build(
        db="f.json", model="from-flag", engine="e3", paths=["a.txt"], env=env, cwd=project
    )
    assert (flags.db_path, flags.model, flags.engine) == (Path("f.json"), "from-flag", "e3")
    assert flags.article_paths == [Path("a.txt")]
    assert [flags.source(n) for n in ("database", "model", "engine", "articles")] == [
        "--db",
        "--model",
        "--engine",
        "arguments",
    ]


def test_in_use_lists_each_value_with_where_it_came_from(
    project: Path, env: dict[str, str]
) -> None:
    rows = {
        name: (value, source)
        for name, value, source in Settings.build(env=env, cwd=project).in_use()
    }
    assert rows["config file"] == (env["READER_CONFIG"], "not there: nothing read from it")
    assert rows["database"] == (
        str(project / "annotations" / "annotations.json"),
        f"found in {project}",
    )
    assert rows["theme"] == ("Textual's default", "default")


def test_a_bad_config_file_is_an_error(project: Path, env: dict[str, str]) -> None:
    Path(env["READER_CONFIG"]).write_text("libary = []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'libary'"):
        Settings.build(env=env, cwd=project)
