"""Fetching web pages and feeds with httpx, within limits, with one clear reason on failure.

Every request: http or https only, at most :attr:`FetchLimits.max_redirects` redirects, a
connect and a read timeout, a total time limit, and a size cap checked while the body is
streamed (reading stops past it: a huge or endless response costs at most the cap). The
User-Agent names reader and its version. A page must be HTML (``text/html`` or
``application/xhtml+xml``); anything else is refused with its type named. Never a shell,
never a browser: bytes in, bytes out.

Politeness: a :class:`Fetcher` is shared by the threads of one run, and lets at most
:attr:`FetchLimits.per_host` requests run at once against one host.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reader import __version__
from reader.web.urls import BadURL, check_url

if TYPE_CHECKING:
    import httpx

__all__ = ["USER_AGENT", "FetchError", "FetchLimits", "Fetched", "Fetcher"]

USER_AGENT = (
    f"reader/{__version__} (terminal news reader; +https://pypi.org/project/reader-annotator/)"
)
"""What reader says it is to every server."""

HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
"""The content types a page may have."""

MIB = 1024 * 1024


class FetchError(Exception):
    """A page or feed could not be fetched; ``str()`` is the reason, for the user."""


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much reader fetches (the defaults are documented in the README)."""

    connect_timeout: float = 10.0
    """Seconds to connect to the server."""
    read_timeout: float = 30.0
    """Seconds to wait for the next bytes of a response (headers or body)."""
    total_timeout: float = 120.0
    """Seconds for the whole response, however slowly it trickles in."""
    max_bytes: int = 10 * MIB
    """The largest body read; reading stops past it and the page is refused."""
    max_redirects: int = 10
    """Redirects followed at most."""
    per_host: int = 2
    """Requests at once against one host."""


@dataclass(frozen=True)
class Fetched:
    """A response reader accepted."""

    url: str
    """The final URL, after redirects."""
    data: bytes
    """The body (empty when not modified)."""
    media_type: str = ""
    """The content type without parameters, lower case (``text/html``)."""
    charset: str | None = None
    """The charset the headers declare, if any."""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    """The server answered 304: what was fetched before is still current."""


class Fetcher:
    """An HTTP client for one run (thread-safe); close it, or use it as a context manager."""

    def __init__(self, limits: FetchLimits | None = None) -> None:
        self.limits = limits or FetchLimits()
        """The limits every request is held to."""
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()
        self._hosts: dict[str, threading.Semaphore] = {}
        self._hosts_lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        """The httpx client, made on first use: importing httpx and loading the system's
        certificates take a quarter of a second that a run finding only duplicates (or
        only files) does not spend."""
        with self._client_lock:
            if self._client is None:
                import httpx

                timeout = httpx.Timeout(
                    connect=self.limits.connect_timeout,
                    read=self.limits.read_timeout,
                    write=self.limits.read_timeout,
                    pool=None,
                )
                self._client = httpx.Client(
                    follow_redirects=True,
                    max_redirects=self.limits.max_redirects,
                    timeout=timeout,
                    headers={"User-Agent": USER_AGENT},
                    # HTTP(S)_PROXY, NO_PROXY and SSL_CERT_FILE are honoured, as by curl.
                    trust_env=True,
                )
            return self._client

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        with self._client_lock:
            if self._client is not None:
                self._client.close()

    def page(self, url: str) -> Fetched:
        """Fetch the HTML page at *url*.

        Raises:
            FetchError: not http(s), unreachable, too slow, too large, an HTTP error, too
                many redirects, or not HTML (the reason says which).
        """
        fetched = self._get(url, {"Accept": HTML_ACCEPT})
        if fetched.media_type and fetched.media_type not in HTML_TYPES:
            hint = " (a feed? add it with --feed)" if "xml" in fetched.media_type else ""
            raise FetchError(f"not a web page: the server sent {fetched.media_type}{hint}")
        if not fetched.media_type and not _looks_like_html(fetched.data):
            raise FetchError("not a web page: no content type, and it does not look like HTML")
        return fetched

    def feed(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """Fetch the feed at *url*, conditionally when *etag* or *last_modified* are known
        (a 304 gives ``not_modified``). Any content type: the feed parser judges.

        Raises:
            FetchError: as :meth:`page`, but for the content type.
        """
        headers = {"Accept": FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, headers)

    @contextmanager
    def _host_slot(self, url: str) -> Iterator[None]:
        host = (urlsplit(url).hostname or "").lower()
        with self._hosts_lock:
            slot = self._hosts.setdefault(host, threading.Semaphore(self.limits.per_host))
        with slot:
            yield

    def _get(self, url: str, headers: dict[str, str]) -> Fetched:
        import httpx

        try:
            url = check_url(url)
        except BadURL as error:
            raise FetchError(str(error)) from None
        limits = self.limits
        try:
            with self._host_slot(url), self.client.stream("GET", url, headers=headers) as response:
                final = str(response.url)
                if response.status_code == 304:
                    etag, modified = _validators(response)
                    return Fetched(final, b"", etag=etag, last_modified=modified, not_modified=True)
                if response.status_code >= 400:
                    phrase = response.reason_phrase or ""
                    raise FetchError(f"HTTP {response.status_code} {phrase}".rstrip())
                media_type, charset = _content_type(response.headers.get("content-type", ""))
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limits.max_bytes:
                    # Refused unread: the server says how much it would send.
                    raise FetchError(_too_large(limits.max_bytes, f"{int(declared):,} bytes"))
                data = _read_capped(response, limits)
                etag, modified = _validators(response)
                return Fetched(final, data, media_type, charset, etag, modified)
        except httpx.ConnectTimeout:
            raise FetchError(f"timed out connecting (after {limits.connect_timeout:g} s)") from None
        except httpx.TimeoutException:
            raise FetchError(
                f"timed out: the server sent nothing for {limits.read_timeout:g} s"
            ) from None
        except httpx.TooManyRedirects:
            raise FetchError(f"too many redirects (more than {limits.max_redirects})") from None
        except httpx.UnsupportedProtocol as error:
            raise FetchError(f"redirected to a URL that is not http or https ({error})") from None
        except httpx.InvalidURL as error:
            raise FetchError(f"not a valid URL: {error}") from None
        except httpx.ConnectError as error:
            raise FetchError(f"cannot connect: {_reason(error)}") from None
        except httpx.HTTPError as error:
            raise FetchError(f"the connection failed: {_reason(error)}") from None


def _read_capped(response: httpx.Response, limits: FetchLimits) -> bytes:
    """The body, read in chunks until its end, the size cap or the total time limit."""
    deadline = time.monotonic() + limits.total_timeout
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError(_too_large(limits.max_bytes))
        if time.monotonic() > deadline:
            raise FetchError(f"timed out: the response took more than {limits.total_timeout:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int, declared: str | None = None) -> str:
    shown = f"{limit / MIB:g} MiB" if limit >= MIB else f"{limit:,} bytes"
    why = f"the server says {declared}" if declared else "stopped reading"
    return f"too large: more than {shown} ({why})"


def _content_type(header: str) -> tuple[str, str | None]:
    """The media type (lower case) and the charset of a Content-Type header."""
    message = Message()
    message["content-type"] = header
    media_type = message.get_content_type() if header.strip() else ""
    charset = message.get_param("charset")
    return media_type, charset if isinstance(charset, str) and charset.strip() else None


def _validators(response: httpx.Response) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified of a response, for a conditional GET next time."""
    return response.headers.get("etag"), response.headers.get("last-modified")


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _reason(error: Exception) -> str:
    """The last, most specific part of an httpx error's message."""
    text = str(error) or type(error).__name__
    if "] " in text:  # "[Errno 111] Connection refused"
        text = text.split("] ", 1)[1]
    return text
