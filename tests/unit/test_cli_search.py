"""`reader search`: exit codes (0 hits, 1 none, 2 bad query), formats, safe output."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from conftest import CONTROLS, MARKUP

from reader.cli import main
from reader.library import catalogue
from reader.resources import seeds_dir


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(catalogue, "RACY_SECONDS", 0.0)
    root = tmp_path / "library"
    (root / "europe").mkdir(parents=True)
    (root / "europe" / "geneva.txt").write_text(
        "Talks in Geneva\n\nThe foreign\nminister arrived in Geneva on Monday.\n", "utf-8"
    )
    (root / "asia.txt").write_text("Markets in Tokyo\n\nShares rose in Tokyo.\n", "utf-8")
    (root / "hostile.txt").write_text(
        f"Hostile {MARKUP} {CONTROLS} title\n\nA hostile geneva story.\n", "utf-8"
    )
    return root


def run(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], query: str, *options: str
) -> tuple[int, str, str]:
    code = main(
        [
            "search",
            query,
            str(library),
            "--db",
            str(tmp_path / "db.json"),
            "--cache-dir",
            str(tmp_path / "cache"),
            *options,
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_results_exit_0_in_the_list_order_with_why(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(library, tmp_path, capsys, '"foreign minister"')
    assert code == 0
    (line,) = out.splitlines()
    path, title, why, snippet = line.split("\t")
    assert Path(path).name == "geneva.txt" and title == "Talks in Geneva"
    assert why == "[text]" and "foreign minister" in snippet
    assert (tmp_path / "cache" / "search.sqlite3").is_file()


def test_no_results_exit_1(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(library, tmp_path, capsys, "nowhere")
    assert (code, out) == (1, "")


def test_a_bad_query_exits_2_with_the_message_and_position_on_stderr(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(library, tmp_path, capsys, 'geneva "open')
    assert code == 2 and out == ""
    first, second = err.splitlines()
    assert first.startswith("reader: bad query: ") and "(at character 8)" in first
    assert second == 'reader: geneva \u25b8"open'
    code, _, err = run(library, tmp_path, capsys, "tga:x")
    assert code == 2 and "tag" in err and "(at character 1)" in err


def test_a_label_or_folder_that_names_nothing_says_so_on_stderr(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """label:perosn parses and finds nothing: stderr names the label meant (exit 1 as for
    any query without results); so does an in: folder the library does not have."""
    code, out, err = run(library, tmp_path, capsys, "label:perosn")
    assert (code, out) == (1, "")
    assert "reader: no label PEROSN: did you mean PERSON?" in err.splitlines()
    code, out, err = run(library, tmp_path, capsys, "geneva -in:eurpoe")
    assert code == 0 and "geneva.txt" in out and "hostile.txt" in out  # nothing left out
    assert err.splitlines() == ["reader: no folder eurpoe in the library: did you mean europe?"]
    code, _, err = run(library, tmp_path, capsys, "in:europe label:PERSON")
    assert "no label" not in err and "no folder" not in err


def test_json_and_jsonl(library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(library, tmp_path, capsys, "geneva", "--format", "json")
    assert code == 0
    hits = json.loads(out)
    by_name = {Path(hit["path"]).name: hit for hit in hits}
    assert sorted(by_name) == ["geneva.txt", "hostile.txt"]
    assert by_name["geneva.txt"]["fields"] == ["title", "text"]
    start, end = by_name["geneva.txt"]["marks"][0]
    assert by_name["geneva.txt"]["snippet"][start:end] == "Geneva"
    code, out, _ = run(library, tmp_path, capsys, "tokyo", "--format", "jsonl")
    assert code == 0
    (line,) = out.splitlines()
    assert json.loads(line)["title"] == "Markets in Tokyo"


def test_untrusted_titles_are_printed_safely(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(library, tmp_path, capsys, "hostile")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "\u202e" not in out
    code, out, _ = run(library, tmp_path, capsys, "hostile", "--format", "json")
    assert "\x1b" not in out


def test_a_path_with_controls_is_printed_escaped_and_exact_in_json(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = library / "bad\nname\x1b[31mRED\\.txt"
    odd.write_text("Odd name\n\nA story from Zanzibar.\n", "utf-8")
    code, out, _ = run(library, tmp_path, capsys, "zanzibar")
    assert code == 0
    (line,) = out.splitlines()
    shown = line.split("\t")[0]
    # Unambiguous: each control as its escape, the backslash doubled; nothing raw.
    assert shown == str(library) + "/bad\\nname\\x1b[31mRED\\\\.txt"
    assert "\x1b" not in out
    _, out, _ = run(library, tmp_path, capsys, "zanzibar", "--format", "json")
    assert [hit["path"] for hit in json.loads(out)] == [str(odd)]
    # Ordinary paths are printed as they are (spaces, accents included).
    plain = library / "a café  two spaces.txt"
    plain.write_text("Plain\n\nA story from Timbuktu.\n", "utf-8")
    _, out, _ = run(library, tmp_path, capsys, "timbuktu")
    assert out.split("\t")[0] == str(plain)


def test_the_index_follows_the_files(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(library, tmp_path, capsys, "tokyo")[0] == 0
    (library / "asia.txt").write_text("Markets in Seoul\n\nShares fell.\n", "utf-8")
    assert run(library, tmp_path, capsys, "tokyo")[0] == 1
    assert run(library, tmp_path, capsys, "seoul")[0] == 0


def test_reader_index_builds_the_search_index(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    args = [str(library), "--db", str(tmp_path / "db.json"), "--cache-dir", str(cache)]
    assert main(["index", *args]) == 0
    capsys.readouterr()
    assert (cache / "search.sqlite3").is_file()
    assert main(["search", "entity:geneva", *args]) == 0
    out = capsys.readouterr().out
    assert [Path(line.split("\t")[0]).name for line in out.splitlines()] == ["geneva.txt"]


def test_an_unchanged_library_is_searched_without_being_loaded(
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reader.workspace import Workspace

    (library / "broken.txt").write_bytes(b"\x00" * 10)
    run(library, tmp_path, capsys, "geneva")  # creates the cache dir: a change
    code, first, first_err = run(library, tmp_path, capsys, "geneva")
    assert code == 0 and first_err == "reader: 1 file skipped (reader index lists them)\n"

    def not_loaded(self: Workspace) -> None:
        raise AssertionError("the library was loaded")

    with monkeypatch.context() as patched:
        patched.setattr(Workspace, "library", not_loaded)
        assert run(library, tmp_path, capsys, "geneva") == (0, first, first_err)
        assert run(library, tmp_path, capsys, "minister OR tokyo", "--format", "jsonl")[0] == 0
    # Any change to a file is seen: the library is loaded and the index updated.
    (library / "asia.txt").write_text("Markets in Geneva\n\nShares fell.\n", "utf-8")
    code, out, _ = run(library, tmp_path, capsys, "geneva")
    assert code == 0 and len(out.splitlines()) == 3


def test_text_lines_stream_in_the_order_of_the_json(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for number in range(30):
        (library / f"more-{number:02}.txt").write_text(
            f"Report {number}\n\nThe minister spoke in Geneva, story {number}.\n", "utf-8"
        )
    _, out, _ = run(library, tmp_path, capsys, "geneva OR minister", "--format", "json")
    expected = [(hit["path"], hit["snippet"]) for hit in json.loads(out)]
    code, out, _ = run(library, tmp_path, capsys, "geneva OR minister")
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert [(line[0], line[-1]) for line in lines] == expected and len(expected) == 32


def test_a_query_for_entities_says_when_some_are_not_found_yet(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Entities are found when an article is opened or by `reader index`: before that,
    label: and entity: find nothing there, and `reader search` says so."""
    missing = "entities found for 0 of 3 articles: results incomplete until `reader index`"
    code, _, err = run(library, tmp_path, capsys, "label:GPE")
    assert code == 1 and err.splitlines() == [f"reader: {missing}"]
    _, _, err = run(library, tmp_path, capsys, "geneva")  # no entities asked for
    assert "entities found" not in err
    cache = tmp_path / "cache"
    args = [str(library), "--db", str(tmp_path / "db.json"), "--cache-dir", str(cache)]
    assert main(["index", *args]) == 0
    code, out, err = run(library, tmp_path, capsys, "label:GPE")
    assert code == 0 and "geneva.txt" in out and "entities found" not in err


def test_the_stamp_changes_with_any_article_file(library: Path, tmp_path: Path) -> None:
    """The up-to-date check's fingerprint (a leaner walk than the library's) changes when a
    file the library reads is edited (in a subfolder too, even to the same size), added,
    removed or renamed, and when a symlinked file's target is edited; not otherwise."""
    import os

    from reader.search.index import library_stamp
    from reader.settings import Settings

    outside = tmp_path / "outside.txt"
    outside.write_text("Linked\n\nA linked story.\n", "utf-8")
    (library / "linked.txt").symlink_to(outside)
    settings = Settings(
        article_paths=[library], db_path=tmp_path / "db.json", cache_dir=tmp_path / "cache"
    )
    seen = [library_stamp(settings)]

    def changed() -> bool:
        seen.append(library_stamp(settings))
        return seen[-1] is not None and seen[-1] != seen[-2]

    assert not changed()
    geneva = library / "europe" / "geneva.txt"
    geneva.write_text(geneva.read_text("utf-8").replace("Monday", "Friday"), "utf-8")
    assert changed()
    (library / "europe" / "new.md").write_text("New\n\nText.\n", "utf-8")
    assert changed()
    (library / "europe" / "new.md").rename(library / "europe" / "renamed.md")
    assert changed()
    (library / "europe" / "renamed.md").unlink()
    assert changed()
    outside.write_text("Linked\n\nAn edited story.\n", "utf-8")
    assert changed()
    (library / "notes.bin").write_bytes(b"\x00")  # the folder changed: a new stamp
    seen.append(library_stamp(settings))
    (library / "notes.bin").write_bytes(b"\x01\x02")  # no article: the same stamp
    assert not changed()
    os.utime(library / "asia.txt")  # touched: its times changed
    assert changed()
    with (library / "asia.txt").open("a", encoding="utf-8") as edited:  # echo b >> asia.txt
        edited.write("b\n")
    assert changed()
    (library / "LOUD.TXT").write_text("Loud\n\nAn ending in capitals.\n", "utf-8")
    assert changed()
    with (library / "LOUD.TXT").open("a", encoding="utf-8") as edited:  # read as an article
        edited.write("b\n")
    assert changed()


def test_a_search_leaves_the_garbage_collector_as_it_found_it(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`reader search` runs without the collector's passes, and turns it back on (it runs
    in the caller's process here, as in the tests; off stays off)."""
    import gc

    assert gc.isenabled()
    # The first two bring the index up to date (the first creates the cache dir: a
    # change), the third finds it so.
    for _ in range(3):
        assert run(library, tmp_path, capsys, "geneva")[0] == 0
        assert gc.isenabled()
    gc.disable()
    try:
        assert run(library, tmp_path, capsys, "geneva")[0] == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_stamp_does_not_follow_where_or_how_the_command_is_run(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first import folder (the script's folder for `reader`, the working directory
    for `python -m reader`) is not part of the stamp: running from another folder, or one
    just written to, keeps the stamp the index was remembered with."""
    import sys

    from reader.search.index import library_stamp
    from reader.settings import Settings

    settings = Settings(
        article_paths=[library], db_path=tmp_path / "db.json", cache_dir=tmp_path / "cache"
    )
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    (there / "just-written.txt").write_text("x", "utf-8")  # a folder too fresh to trust
    monkeypatch.setattr(sys, "path", [str(here), *sys.path[1:]])
    first = library_stamp(settings)
    monkeypatch.setattr(sys, "path", [str(there), *sys.path[1:]])
    assert first is not None and library_stamp(settings) == first


def test_entities_indexed_under_other_rules_and_not_found_again_are_missing(
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows of entities indexed under other rules (or model, or corrections), whose model
    output is no longer cached, are not counted as found: as the app counts them (the
    update's ``entities_missing``)."""
    import shutil

    from reader.search import entity_rows

    cache = tmp_path / "cache"
    args = [str(library), "--db", str(tmp_path / "db.json"), "--cache-dir", str(cache)]
    assert main(["index", *args]) == 0
    capsys.readouterr()
    for entry in cache.iterdir():  # the model's output forgotten, the index kept
        if entry.is_dir() and entry.name != "search":
            shutil.rmtree(entry)
    monkeypatch.setattr(entity_rows, "rules_digest", lambda: "other rules")
    _, _, err = run(library, tmp_path, capsys, "label:GPE")
    missing = "entities found for 0 of 3 articles: results incomplete until `reader index`"
    assert err.splitlines() == [f"reader: {missing}"]


def test_snippet_marks_follow_smart_case(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A query word with a capital marks only that case in the snippet (as the hit itself
    is found): `Accra` marks "Accra", not the dateline's "ACCRA"; `accra` marks both."""
    (library / "accra.txt").write_text(
        "Rates rise\n\nACCRA — The central bank in Accra raised rates on Monday.\n", "utf-8"
    )

    def marked(query: str) -> list[str]:
        code, out, _ = run(library, tmp_path, capsys, query, "--format", "json")
        assert code == 0
        (hit,) = json.loads(out)
        return [hit["snippet"][start:end] for start, end in hit["marks"]]

    assert marked("Accra") == ["Accra"]
    assert marked("accra") == ["ACCRA", "Accra"]
    assert marked('"central bank" Accra') == ["central bank", "Accra"]
    assert marked("ACCRA") == ["ACCRA"]


def test_smart_case_finds_the_word_after_it_was_seen_inside_another(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The case check looks from the first place the word is written (``str.find``) and
    on: a first place inside another word (``GHACCRA``) does not hide a whole word later,
    and an article with the word only inside others, or in another case, is not found."""
    (library / "later.txt").write_text("Later\n\nGHACCRA first, then ACCRA itself.\n", "utf-8")
    (library / "inside.txt").write_text("Inside\n\nGHACCRA and Accra only.\n", "utf-8")
    (library / "prefix.txt").write_text("Prefix\n\nACCRAN, and ACCRA. Tanaka\n", "utf-8")
    code, out, _ = run(library, tmp_path, capsys, "ACCRA")
    assert code == 0
    assert sorted(Path(line.split("\t")[0]).name for line in out.splitlines()) == [
        "later.txt",
        "prefix.txt",
    ]
    code, out, _ = run(library, tmp_path, capsys, "ACCRA Tanaka")
    assert code == 0 and [Path(line.split("\t")[0]).name for line in out.splitlines()] == [
        "prefix.txt"
    ]


def test_an_up_to_date_search_imports_none_of_the_update(library: Path, tmp_path: Path) -> None:
    """A search of an index found up to date (most `reader search` runs) imports neither
    the update's modules nor the store nor the entity finder, nor the articles and their
    parsers (Markdown, HTML; the catalogue): each costs milliseconds to import in a new
    process (figure 6's few-hit query). Three processes: the first two bring the index up
    to date (the stamp has the import path and the cache dir, which the first makes, in
    it), the third only searches. The racy rule is set where the catalogue copies it from
    (importing the catalogue to set it would import the articles)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from reader import files\n"
        "files.RACY_SECONDS = 0.0  # the files were just written\n"
        "from reader.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "names = ('reader.search.writing', 'reader.search.entity_rows', "
        "'reader.search.reading', 'reader.store', 'reader.entities.finder', "
        "'reader.library.articles', 'reader.library.parsers', 'reader.library.catalogue', "
        "'reader.library.markdown', 'html')\n"
        "print(code, sorted(name for name in names if name in sys.modules))\n"
    )
    # label: asks how many articles have their entities found: noted by the last update.
    args = ["search", "geneva -label:PERSON", str(library), "--db", str(tmp_path / "db.json")]
    args += ["--cache-dir", str(tmp_path / "cache")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    printed = [
        subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout.splitlines()[-1]
        for _ in range(3)
    ]
    assert printed[0] != "0 []"  # the update: the test sees them when they are imported
    assert printed[2] == "0 []"


class _TextOnly:
    """A stream with no byte buffer to write to (the text layer only)."""

    def __init__(self, stream: io.TextIOWrapper) -> None:
        self.stream = stream
        self.encoding = stream.encoding

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "utf-16", "utf-8-sig", "utf-32"])
def test_lines_go_to_the_byte_buffer_as_the_text_layer_writes_them(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    """Hits are encoded once into stdout's byte buffer: the same bytes as through its text
    layer, what the stream cannot encode as backslash escapes (print_line's way); an
    encoding that writes a byte order mark writes it once, not once a line."""
    import sys

    (library / "cafe.txt").write_text("Café in Genève\n\nThe geneva café … “open”.\n", "utf-8")
    written = []
    for text_only in (False, True):
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding=encoding, newline="")
        monkeypatch.setattr(sys, "stdout", _TextOnly(stream) if text_only else stream)
        args = ["search", "geneva", str(library), "--db", str(tmp_path / "db.json")]
        assert main([*args, "--cache-dir", str(tmp_path / "cache")]) == 0
        stream.flush()
        written.append(raw.getvalue())
    assert written[0] == written[1]
    assert len(written[0].decode(encoding).splitlines()) == 3
    if encoding == "ascii":
        assert written[0].isascii() and b"Caf\\xe9 in Gen\\xe8ve" in written[0]
    else:
        assert "Café in Genève" in written[0].decode(encoding)


def test_no_match_without_a_path_names_the_library_searched(
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run from inside a news folder without a PATH, `reader search` searches the bundled
    seeds (or the config's library): when nothing matches, stderr says which library it was
    (stdout and the exit code as before). With a PATH given, nothing more is said."""
    monkeypatch.chdir(library)
    common = ["--db", str(tmp_path / "db.json"), "--cache-dir", str(tmp_path / "cache")]
    code = main(["search", "tokyo", *common])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    (line,) = [line for line in err.splitlines() if "no match" in line]
    assert line.startswith(f"reader: no match in {seeds_dir()} (default); ")
    assert main(["search", "nowhere", str(library), *common]) == 1
    assert "no match" not in capsys.readouterr().err


def test_files_skipped_are_one_line_each_time_and_named_by_reader_index(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every search read past the same binary and empty files and named them, each time:
    now one line says how many and where they are named."""
    (library / "binary.txt").write_bytes(b"\x89PNG\x00\x00binary")
    (library / "empty.txt").write_bytes(b"")
    for _ in range(2):  # the index built, then up to date
        code, out, err = run(library, tmp_path, capsys, "geneva")
        assert code == 0 and "geneva.txt" in out
        assert err == "reader: 2 files skipped (reader index lists them)\n"
    code = main(["entity", str(library), "--cache-dir", str(tmp_path / "cache"), "--no-cache"])
    err = capsys.readouterr().err
    assert "2 files skipped (reader index lists them)" in err and "binary.txt" not in err
    cache = str(tmp_path / "cache")
    assert main(["index", str(library), "--cache-dir", cache, "--db", str(tmp_path / "d")]) == 0
    err = capsys.readouterr().err
    assert "binary.txt: binary file, skipped" in err and "empty.txt: empty file, skipped" in err
