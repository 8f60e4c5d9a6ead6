"""Fetching within limits, against a real HTTP server on 127.0.0.1: redirects (the final URL
kept), a redirect loop, a slow server, a huge response, other content types, 404, a closed
port, malformed URLs; and the URL key duplicates are found by."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from reader import __version__
from reader.web.fetch import Fetcher, FetchError, FetchLimits
from reader.web.urls import BadURL, check_url, clean_url, looks_like_url, url_key

PAGE = "<!doctype html><html><head><title>t</title></head><body><p>Hello</p></body></html>"


def fetcher(**limits: float) -> Fetcher:
    return Fetcher(FetchLimits(**limits))  # type: ignore[arg-type]


def test_a_page_is_fetched_with_reader_user_agent_and_html_accept(httpserver: HTTPServer) -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response(PAGE, content_type="text/html; charset=iso-8859-1")

    httpserver.expect_request("/a").respond_with_handler(handler)
    with fetcher() as client:
        fetched = client.page(httpserver.url_for("/a"))
    assert fetched.data == PAGE.encode()
    assert fetched.media_type == "text/html"
    assert fetched.charset == "iso-8859-1"
    assert seen[0].headers["User-Agent"].startswith(f"reader/{__version__}")
    assert seen[0].headers["Accept"].startswith("text/html")


def test_redirects_are_followed_and_the_final_url_kept(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/middle"}
    )
    httpserver.expect_request("/middle").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/final")}
    )
    httpserver.expect_request("/final").respond_with_data(PAGE, content_type="text/html")
    with fetcher() as client:
        fetched = client.page(httpserver.url_for("/old"))
    assert fetched.url == httpserver.url_for("/final")


def test_a_redirect_loop_stops_after_ten(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    with (
        fetcher() as client,
        pytest.raises(FetchError, match=r"too many redirects \(more than 10\)"),
    ):
        client.page(httpserver.url_for("/loop"))
    # 1 request + 10 redirects followed, then it stops.
    assert len(httpserver.log) == 11


def test_a_redirect_to_another_scheme_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ftp").respond_with_data(
        "", status=302, headers={"Location": "ftp://127.0.0.1/x"}
    )
    with fetcher() as client, pytest.raises(FetchError, match="not http or https"):
        client.page(httpserver.url_for("/ftp"))


def test_a_slow_server_times_out(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(PAGE, content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with fetcher(read_timeout=0.2) as client, pytest.raises(FetchError, match="timed out"):
        client.page(httpserver.url_for("/slow"))


def test_a_huge_streamed_response_stops_at_the_cap(httpserver: HTTPServer) -> None:
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        yield b"<!doctype html><html><body>"
        for _ in range(2000):  # 128 MiB if nobody stopped reading
            sent.append(1)
            yield b"x" * 65536

    httpserver.expect_request("/huge").respond_with_handler(
        lambda request: Response(endless(), content_type="text/html")
    )
    with (
        fetcher(max_bytes=256 * 1024) as client,
        pytest.raises(FetchError, match=r"too large: more than 262,144 bytes \(stopped reading\)"),
    ):
        client.page(httpserver.url_for("/huge"))
    assert len(sent) < 200  # the server was cut off long before the end


def test_a_declared_length_over_the_cap_is_refused_unread(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data("y" * 5000, content_type="text/html")
    with (
        fetcher(max_bytes=1000) as client,
        pytest.raises(FetchError, match=r"more than 1,000 bytes \(the server says 5,000 bytes\)"),
    ):
        client.page(httpserver.url_for("/big"))


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/json"])
def test_other_content_types_are_refused_by_name(httpserver: HTTPServer, content_type: str) -> None:
    httpserver.expect_request("/file").respond_with_data(b"%PDF-1.4", content_type=content_type)
    with (
        fetcher() as client,
        pytest.raises(FetchError, match=f"not a web page: the server sent {content_type}"),
    ):
        client.page(httpserver.url_for("/file"))


def test_http_errors_name_the_status(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    with (
        fetcher() as client,
        pytest.raises(FetchError, match=r"HTTP 404 (NOT FOUND|Not Found)"),
    ):
        client.page(httpserver.url_for("/gone"))


def test_a_closed_port_cannot_connect() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with fetcher() as client, pytest.raises(FetchError, match="cannot connect"):
        client.page(f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://example.org/x", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("http://", "no host"),
        ("http:///path", "no host"),
        ("http://exa mple.org/", "spaces or control"),
        ("http://example.org:99999/", "not a valid URL"),
        ("http://example.org/\x1b[31m", "spaces or control"),
    ],
)
def test_malformed_urls_are_refused_before_any_request(url: str, why: str) -> None:
    with pytest.raises(BadURL, match=why):
        check_url(url)
    with fetcher() as client, pytest.raises(FetchError, match=why):
        client.page(url)


def test_conditional_get_sends_validators_and_reads_304(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304, headers={"ETag": '"v1"'}
    )
    with fetcher() as client:
        fetched = client.feed(httpserver.url_for("/feed"), etag='"v1"')
    assert fetched.not_modified and fetched.data == b""


def test_url_key_drops_tracking_and_fragment_only() -> None:
    base = url_key("https://News.example.org/story?id=7")
    assert url_key("https://news.example.org/story?utm_source=x&id=7&utm_medium=y#top") == base
    assert url_key("https://news.example.org:443/story?id=7&fbclid=abc&gclid=d") == base
    assert url_key("https://news.example.org/story?id=8") != base
    assert url_key("https://news.example.org/other?id=7") != base
    assert url_key("http://example.org") == url_key("http://example.org/")


def test_clean_url_keeps_the_url_but_tracking() -> None:
    assert clean_url("https://x.org/a?id=1&utm_source=rss#c") == "https://x.org/a?id=1"
    assert clean_url("https://x.org/a?b=%20c") == "https://x.org/a?b=%20c"


def test_arguments_are_urls_only_with_a_scheme() -> None:
    assert looks_like_url("https://x.org/")
    assert looks_like_url("ftp://x.org/")  # a URL, refused later with a reason
    assert not looks_like_url("saved/page.html")
    assert not looks_like_url("C:/news/page.html")


def test_a_feed_given_as_a_page_gets_a_hint(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/rss").respond_with_data(
        "<rss/>", content_type="application/rss+xml"
    )
    with fetcher() as client, pytest.raises(FetchError, match=r"add it with --feed"):
        client.page(httpserver.url_for("/rss"))
