"""The config file: what it may say, the errors that name the file, line and key, and
remembering the theme without losing the rest of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.config import ConfigError, config_path, load_config, set_theme


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_path_is_the_user_config_dir_unless_reader_config_names_one(tmp_path: Path) -> None:
    assert config_path({}).name == "config.toml"
    assert config_path({}).parent.name == "reader"
    assert config_path({"READER_CONFIG": str(tmp_path / "c.toml")}) == tmp_path / "c.toml"


def test_a_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope.toml")
    assert not config.exists
    assert config.library is None and config.database is None and config.theme is None


def test_every_key_is_read_paths_expanded_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = write(
        tmp_path / "config.toml",
        '# mine\nlibrary = ["~/news", "saved"]\ndatabase = "db/a.json"\nengine = "spacy"\n'
        'model = "en_core_web_sm"\ntheme = "nord"\ncache_dir = "/var/cache/r"\n',
    )
    config = load_config(path)
    assert config.exists
    assert config.library == (tmp_path / "home" / "news", tmp_path / "saved")
    assert config.database == tmp_path / "db" / "a.json"
    assert (config.engine, config.model, config.theme) == ("spacy", "en_core_web_sm", "nord")
    assert config.cache_dir == Path("/var/cache/r")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('colour = "red"\n', "unknown key 'colour'"),
        ("theme = 3\n", "'theme' must be a string"),
        ('library = "~/news"\n', "'library' must be a list of paths"),
        ("library = [1]\n", "'library' must be a list of paths"),
        ("database = true\n", "'database' must be a path"),
        ('model = ""\n', "'model' must be a string"),
        ('theme = "nord"\nlibrary = [\n', "not valid TOML"),
        ('theme = "nord"\n\nengine = spacy\n', "line 3"),
        ("sidebar = 10\n", "'sidebar' must be a whole number from 20 to 200"),
        ('sidebar = "48"\n', "'sidebar' must be a whole number"),
        ("sidebar = true\n", "'sidebar' must be a whole number"),
        ('background_entities = "no"\n', "'background_entities' must be true or false"),
        ("background_entities = 0\n", "'background_entities' must be true or false"),
    ],
)
def test_a_bad_file_is_an_error_naming_the_file_and_what_is_wrong(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError, match="config file") as raised:
        load_config(path)
    assert str(path) in str(raised.value)
    assert message in str(raised.value)


def test_set_theme_creates_the_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "reader" / "config.toml"
    set_theme(path, "nord")
    assert path.read_text(encoding="utf-8") == 'theme = "nord"\n'
    assert load_config(path).theme == "nord"


def test_set_theme_replaces_only_its_line_keeping_comments_and_other_keys(tmp_path: Path) -> None:
    text = (
        "# my reader config\n"
        'library = ["~/news"]  # the folders\n'
        'theme = "nord"   # was nord\n'
        'model = "en_core_web_sm"\n'
    )
    path = write(tmp_path / "config.toml", text)
    set_theme(path, "gruvbox")
    assert path.read_text(encoding="utf-8") == text.replace(
        'theme = "nord"   # was nord', 'theme = "gruvbox"'
    )


def test_set_theme_adds_its_line_before_the_first_table(tmp_path: Path) -> None:
    # reader has no tables today; a future one (or a user's) must not swallow the key.
    path = write(tmp_path / "config.toml", 'model = "m"\n\n[future]\ntheme = "x"')
    set_theme(path, "dracula")
    assert path.read_text(encoding="utf-8") == (
        'model = "m"\n\ntheme = "dracula"\n[future]\ntheme = "x"'
    )


def test_set_theme_escapes_what_toml_needs(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "")
    set_theme(path, 'a "quoted" \\ name')
    assert load_config(path).theme == 'a "quoted" \\ name'


def test_set_theme_leaves_a_broken_file_exactly_as_it_is(tmp_path: Path) -> None:
    text = 'theme = "nord"\nlibrary = [\n'
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError, match="not valid TOML"):
        set_theme(path, "dracula")
    assert path.read_text(encoding="utf-8") == text
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary left


def test_set_theme_through_a_symlink_updates_the_linked_file(tmp_path: Path) -> None:
    dotfiles = write(tmp_path / "dotfiles.toml", "# kept\n")
    link = tmp_path / "config.toml"
    link.symlink_to(dotfiles)
    set_theme(link, "nord")
    assert link.is_symlink()
    assert dotfiles.read_text(encoding="utf-8") == '# kept\ntheme = "nord"\n'


@pytest.mark.parametrize("value", ['"wide"', "true", "10", "90.5"])
def test_a_measure_that_is_not_a_whole_number_of_columns_is_an_error(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"measure = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'measure' must be a whole number"):
        load_config(path)
    path.write_text("measure = 72\n", encoding="utf-8")
    assert load_config(path).measure == 72


def test_the_sidebar_width_is_read_and_written_keeping_the_rest(tmp_path: Path) -> None:
    from reader.config import set_value

    path = write(tmp_path / "config.toml", 'theme = "nord"  # mine\nsidebar = 40\nmeasure = 80\n')
    assert load_config(path).sidebar == 40
    set_value(path, "sidebar", 52)
    assert (
        path.read_text(encoding="utf-8") == 'theme = "nord"  # mine\nsidebar = 52\nmeasure = 80\n'
    )
    assert load_config(path).sidebar == 52
    assert load_config(write(tmp_path / "other.toml", "")).sidebar is None


def test_the_background_pass_is_on_unless_the_file_says_false(tmp_path: Path) -> None:
    from reader.config import set_value
    from reader.settings import Settings

    path = write(tmp_path / "config.toml", 'theme = "nord"\n')
    assert load_config(path).background_entities is None
    built = Settings.build(config=load_config(path), env={}, cwd=tmp_path)
    assert built.background_entities is True
    assert ("background", "entities found while you rest", "default") in built.in_use()
    set_value(path, "background_entities", False)
    assert path.read_text(encoding="utf-8") == 'theme = "nord"\nbackground_entities = false\n'
    built = Settings.build(config=load_config(path), env={}, cwd=tmp_path)
    assert built.background_entities is False
    assert ("background", "off", "config file") in built.in_use()
