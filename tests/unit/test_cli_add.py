"""`reader add`, `reader refresh`, `reader feeds` against a server on 127.0.0.1: what is
printed, the exit codes, and that every failure leaves the library as it was."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from web_fixtures import STORIES, article_page, rss_feed, serve_stories
from werkzeug import Request, Response

from reader.cli import main


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "existing.txt").write_text("An old story\n\nIt was here first.\n", "utf-8")
    return folder


def reader(
    tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    code = main(
        [
            *args,
            "--db",
            str(tmp_path / "db" / "annotations.json"),
            "--cache-dir",
            str(tmp_path / "cache"),
            *(["--to", str(library)] if args[0] == "add" else []),
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))}


def test_add_prints_the_new_file_and_exits_0(
    httpserver: HTTPServer, tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_stories(httpserver)
    code, out, err = reader(tmp_path, library, capsys, "add", httpserver.url_for("/news/pipeline"))
    assert code == 0, err
    assert out == f"added: {library / 'berlin-opens-new-gas-pipeline.md'}\n"
    assert "added 1 article" in err


def test_a_duplicate_is_said_and_is_no_failure(
    httpserver: HTTPServer, tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_stories(httpserver)
    url = httpserver.url_for("/news/pipeline")
    reader(tmp_path, library, capsys, "add", url)
    before = snapshot(library)
    code, out, err = reader(tmp_path, library, capsys, "add", url + "?utm_source=newsletter")
    assert code == 0 and out == ""
    assert "already in the library (same URL as" in err and "not added again" in err
    assert snapshot(library) == before


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


FAILURES = {
    "404": ("/missing", [], "HTTP 404"),
    "not html": ("/report.pdf", [], "not a web page: the server sent application/pdf"),
    "redirect loop": ("/loop", [], "too many redirects (more than 10)"),
    "slow": ("/slow", ["--timeout", "0.2"], "timed out"),
    "huge": ("/huge", ["--max-size", "0.01"], "too large: more than 10,485 bytes"),
    "front page": ("/front", [], "no article text found in the page"),
    "closed port": (None, [], "cannot connect"),
    "malformed": ("http://exa mple.org/x", [], "not a valid URL"),
    "other scheme": ("ftp://127.0.0.1/x", [], "only http and https URLs"),
    "no scheme": ("www.example.org/story", [], "no such file (a URL needs http:// or https://)"),
}


def _serve_failures(server: HTTPServer) -> None:
    server.expect_request("/missing").respond_with_data("no", status=404)
    server.expect_request("/report.pdf").respond_with_data(b"%PDF", content_type="application/pdf")
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})

    def slow(request: Request) -> Response:
        time.sleep(0.8)
        return Response(article_page(STORIES[0]), content_type="text/html")

    server.expect_request("/slow").respond_with_handler(slow)
    server.expect_request("/huge").respond_with_data("x" * 100_000, content_type="text/html")
    links = "".join(
        f'<li><a href="/news/{i}">Headline number {i} about the day</a></li>' for i in range(30)
    )
    server.expect_request("/front").respond_with_data(
        f"<html><head><title>Daily Planet</title></head><body><nav><ul>{links}</ul></nav>"
        "</body></html>",
        content_type="text/html",
    )


@pytest.mark.parametrize("case", list(FAILURES))
def test_each_failure_says_why_exits_1_and_changes_nothing(
    httpserver: HTTPServer,
    tmp_path: Path,
    library: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    _serve_failures(httpserver)
    where, options, message = FAILURES[case]
    if where is None:
        url = f"http://127.0.0.1:{_closed_port()}/story"
    elif where.startswith("/"):
        url = httpserver.url_for(where)
    else:
        url = where
    before = snapshot(library)
    code, out, err = reader(tmp_path, library, capsys, "add", url, *options)
    assert code == 1, err
    assert out == ""
    assert message in err, err
    assert "Traceback" not in err
    assert err.strip().endswith("added 0 articles; 1 failed; in " + str(library))
    assert snapshot(library) == before


def test_failures_are_listed_at_the_end_and_successes_kept(
    httpserver: HTTPServer, tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_stories(httpserver)
    _serve_failures(httpserver)
    urls = [
        httpserver.url_for("/missing"),
        httpserver.url_for("/news/pipeline"),
        httpserver.url_for("/report.pdf"),
        httpserver.url_for("/news/harbour"),
    ]
    code, out, err = reader(tmp_path, library, capsys, "add", *urls)
    assert code == 1
    assert out.count("added: ") == 2
    lines = err.strip().splitlines()
    assert lines[-4].startswith(f"reader: {urls[0]}: HTTP 404")
    assert lines[-3].startswith(f"reader: {urls[2]}: not a web page")
    # --to names a folder `reader` would not open as it is set up: said once, at the end.
    assert lines[-2] == (
        f"reader: note: {library} is not in the library reader opens now; "
        f"open it with: reader {library}"
    )
    assert lines[-1] == f"reader: added 2 articles; 2 failed; in {library}"
    assert len(list(library.glob("*.md"))) == 2


def test_a_hostile_title_is_printed_safely(
    httpserver: HTTPServer, tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = article_page(STORIES[0]).replace(
        "<title>Berlin", "<title>\x1b]52;c;ZXZpbA==\x07[bold]Berlin"
    )
    httpserver.expect_request("/x").respond_with_data(page, content_type="text/html")
    code, out, err = reader(tmp_path, library, capsys, "add", httpserver.url_for("/x"))
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in out + err


def test_without_a_library_folder_add_asks_for_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no seeds/ here or above: the bundled seed is in force
    code = main(["add", "https://127.0.0.1:1/x", "--db", str(tmp_path / "db.json")])
    _, err = capsys.readouterr()
    assert code == 1
    assert "no library folder to add to: give --to DIR" in err


def test_the_default_folder_is_the_configured_library(
    httpserver: HTTPServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serve_stories(httpserver)
    news = tmp_path / "news"
    config = tmp_path / "config.toml"
    config.write_text(f'library = ["{news}"]\n', "utf-8")
    monkeypatch.setenv("READER_CONFIG", str(config))
    code = main(["add", httpserver.url_for("/news/pipeline"), "--db", str(tmp_path / "db.json")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out == f"added: {news / 'berlin-opens-new-gas-pipeline.md'}\n"
    assert "not in the library" not in err


@pytest.mark.parametrize("option", [["--timeout", "0"], ["--max-size", "-1"], ["--jobs", "x"]])
def test_bad_options_are_usage_errors(
    tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str], option: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        reader(tmp_path, library, capsys, "add", "https://x.example/", *option)
    assert exit_.value.code == 2


def test_feeds_subscribe_list_refresh_export_remove(
    httpserver: HTTPServer, tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss_feed(base), content_type="application/rss+xml", headers={"ETag": '"1"'}
    )
    serve_stories(httpserver)
    url = httpserver.url_for("/feed.xml")
    code, out, err = reader(tmp_path, library, capsys, "add", "--feed", url)
    assert code == 0, err
    assert out.count("added: ") == 3
    assert f"{url}: Daily Planet: 3 new of 3 entries" in err
    assert (tmp_path / "db" / "feeds.json").exists()  # beside the database

    code, out, err = reader(tmp_path, library, capsys, "feeds")
    assert code == 0 and out.startswith(f"{url}  Daily Planet  (checked ")
    assert f"to {library.resolve()}" in out

    code, out, err = reader(tmp_path, library, capsys, "refresh")  # as from cron: quiet
    assert (code, out, err) == (0, "", "")

    opml = tmp_path / "feeds.opml"
    code, out, err = reader(tmp_path, library, capsys, "feeds", "--export-opml", str(opml))
    assert code == 0 and b'xmlUrl="' + url.encode() in opml.read_bytes()

    code, out, err = reader(tmp_path, library, capsys, "feeds", "--remove", url)
    assert code == 0 and "unsubscribed" in err
    code, out, err = reader(tmp_path, library, capsys, "feeds", "--remove", url)
    assert code == 1 and "not subscribed" in err

    code, out, err = reader(tmp_path, library, capsys, "feeds", "--import-opml", str(opml))
    assert code == 0 and "subscribed to 1 of the 1 feeds" in err
    code, out, err = reader(tmp_path, library, capsys, "feeds", "--export-opml", "-")
    assert code == 0 and url in out


def test_refresh_with_a_failing_feed_exits_1(
    httpserver: HTTPServer, tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = httpserver.url_for("").rstrip("/")
    state = {"up": True}

    def feed(request: Request) -> Response:
        if state["up"]:
            return Response(rss_feed(base, STORIES[:1]), content_type="application/rss+xml")
        return Response("<html><body>Maintenance</body></html>", content_type="text/html")

    httpserver.expect_request("/feed.xml").respond_with_handler(feed)
    serve_stories(httpserver)
    reader(tmp_path, library, capsys, "add", "--feed", httpserver.url_for("/feed.xml"))
    state["up"] = False
    before = snapshot(library)
    code, out, err = reader(tmp_path, library, capsys, "refresh")
    assert code == 1 and out == ""
    assert "not an RSS or Atom feed" in err
    assert snapshot(library) == before


def test_refresh_without_feeds_says_how_to_subscribe(
    tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = reader(tmp_path, library, capsys, "refresh")
    assert code == 0 and "subscribe with reader add --feed URL" in err


def _as_a_shell_starts_it() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def test_ctrl_c_during_a_slow_fetch_stops_at_once_and_writes_nothing(
    tmp_path: Path, library: Path
) -> None:
    """The server holds the request until the test lets it go: `reader add` must exit on
    SIGINT while the fetch is still waiting (not after the read timeout)."""
    import os
    import signal
    import subprocess
    import sys
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked, release = threading.Event(), threading.Event()

    class Held(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.set()
            release.wait(60)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(article_page(STORIES[0]).encode())

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Held)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    before = snapshot(library)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reader",
            "add",
            "--to",
            str(library),
            "--timeout",
            "60",
            "--db",
            str(tmp_path / "db.json"),
            "--cache-dir",
            str(tmp_path / "cache"),
            f"http://127.0.0.1:{server.server_address[1]}/story",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # As a shell starts it: Ctrl-C's signal neither ignored nor blocked. A suite started
        # in the background (`.ci/run &` from a script) has SIGINT ignored, POSIX's rule for
        # a non-interactive shell's background jobs; the child inherited it and kept
        # running after SIGINT.
        preexec_fn=_as_a_shell_starts_it,
    )
    try:
        assert asked.wait(30), "the request never arrived"
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)  # a guard, not a measure: it waits at most 60 s
    finally:
        release.set()
        process.kill()
        process.communicate()
        server.shutdown()
        server.server_close()
    assert code == 130
    assert snapshot(library) == before


def test_a_teaser_only_entry_is_counted_and_explained_on_add_and_refresh(
    httpserver: HTTPServer, tmp_path: Path, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry whose page answers 404 is added as the feed's teaser: the summary says how
    many are teasers only, why, and what fetches them again; a refresh whose retry fails
    again says so, even quiet (walkthrough item 2: both said nothing of it)."""
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss_feed(base), content_type="application/rss+xml"
    )
    httpserver.expect_request("/news/harbour").respond_with_data("gone", status=404)
    serve_stories(httpserver)
    code, out, err = reader(tmp_path, library, capsys, "add", "--feed", base + "/feed.xml")
    assert code == 0, err
    assert out.count("added: ") == 3
    assert err.splitlines()[-1] == (
        f"reader: added 3 articles; in {library}; 1 teaser only: its page failed "
        "(HTTP 404 NOT FOUND); reader refresh retries it for 30 days"
    )

    code, out, err = reader(tmp_path, library, capsys, "refresh")  # quiet, as from cron
    assert (code, out) == (0, "")
    lines = err.splitlines()
    assert lines[0].endswith("/news/harbour: teaser kept: HTTP 404 NOT FOUND")
    assert lines[1:] == [
        "reader: added 0 articles; 1 teaser kept: its page failed again "
        "(HTTP 404 NOT FOUND); reader refresh retries it for 30 days"
    ]
