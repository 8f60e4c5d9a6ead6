"""URLs as reader adds them: which arguments are URLs, which URLs may be fetched, and the
key two URLs share when they name the same article (tracking parameters and fragment gone).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["BadURL", "check_url", "clean_url", "looks_like_url", "url_key"]

SCHEMES = ("http", "https")
"""The only schemes reader fetches."""

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

_TRACKING = re.compile(
    r"^(utm_[a-z0-9_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid"
    r"|_ga|_gl|ref_src|__twitter_impression|oly_anon_id|oly_enc_id|vero_id|mkt_tok)$",
    re.IGNORECASE,
)
"""Query parameters that say where a reader came from, not which page it is."""


class BadURL(ValueError):
    """A URL reader will not fetch; ``str()`` says why, for the user."""


def looks_like_url(argument: str) -> bool:
    """Whether a command-line argument is meant as a URL (``scheme://...``), not a file."""
    return bool(_SCHEME.match(argument.strip()))


def check_url(url: str) -> str:
    """*url* stripped, if reader may fetch it: http or https, with a host.

    Raises:
        BadURL: another scheme, no host, spaces or control characters, a bad port.
    """
    url = url.strip()
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise BadURL("not a valid URL: it contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a port out of range or not a number
    except ValueError as error:
        raise BadURL(f"not a valid URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise BadURL(f"only http and https URLs are fetched, not {shown}")
    if not parts.hostname:
        raise BadURL("not a valid URL: no host")
    del port
    return url


def url_key(url: str) -> str:
    """The key of *url* for finding duplicates: scheme and host in lower case, the default
    port, the fragment and tracking parameters (``utm_*``, ``fbclid``, ``gclid``...) dropped,
    the other parameters kept in their order; a bare host gets ``/``."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.match(name)
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def clean_url(url: str) -> str:
    """*url* without its fragment and tracking parameters (the rest as it was): the URL
    written in an article's front matter."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not _TRACKING.match(name)]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
