"""RSS and Atom feeds, parsed with feedparser: each entry's id, link, title, author, date
and teaser. The article itself is fetched from the entry's link (:mod:`reader.web.adding`);
the teaser is what is kept when that page cannot be had.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any

from reader.text import sanitize_line

__all__ = ["FeedEntry", "FeedError", "ParsedFeed", "parse_feed", "teaser_text"]


class FeedError(Exception):
    """Not a feed reader can read; ``str()`` says why, for the user."""


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed."""

    guid: str | None
    """The entry's guid (RSS) or id (Atom): how it is known, before its link."""
    link: str | None
    """The article's URL (absolute)."""
    title: str | None = None
    author: str | None = None
    date: str | None = None
    """Published (else updated), ISO 8601 date."""
    teaser: str = ""
    """The feed's summary as plain text (often the first lines of the article)."""

    @property
    def ident(self) -> str | None:
        """How the entry is known (the ``guid`` written in front matter): its guid, else
        its link, so that an entry without a guid whose link redirects is still known."""
        return self.guid or self.link


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's title and entries, in the feed's order."""

    title: str | None
    entries: list[FeedEntry]


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """The entries of the RSS or Atom document *data*, fetched from *url* (relative links
    are resolved against it).

    Raises:
        FeedError: *data* is not a feed (an HTML page, broken XML with no entries...).
    """
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A file object, never a string: feedparser would take a string for a URL to fetch.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    entries = [_entry(raw) for raw in parsed.get("entries", [])]
    usable = [e for e in entries if e.link or e.guid]
    # feedparser reads broken XML leniently, as feed readers do: a feed with entries it
    # could read is taken; one with none (an HTML page, garbage) is not a feed.
    if not usable and (parsed.get("bozo") or not parsed.get("version")):
        problem = parsed.get("bozo_exception")
        why = f" ({sanitize_line(str(problem), limit=120)})" if problem else ""
        raise FeedError(f"not an RSS or Atom feed{why}")
    feed_title = _text(parsed.get("feed", {}).get("title"))
    return ParsedFeed(feed_title, usable)


def _entry(raw: Any) -> FeedEntry:
    link = _text(raw.get("link"))
    if link and not link.lower().startswith(("http://", "https://")):
        link = None
    when = raw.get("published_parsed") or raw.get("updated_parsed")
    date = time.strftime("%Y-%m-%d", when) if when else None
    summary = raw.get("summary") or ""
    if not summary and raw.get("content"):
        summary = raw["content"][0].get("value", "")
    return FeedEntry(
        guid=_text(raw.get("id")),
        link=link,
        title=_text(raw.get("title")),
        author=_text(raw.get("author")),
        date=date,
        teaser=teaser_text(summary),
    )


def teaser_text(html: str) -> str:
    """A feed summary (HTML, already sanitised by feedparser) as plain text."""
    if not html.strip():
        return ""
    if "<" not in html:
        return html.strip()
    import trafilatura

    # html2txt wants a document: a bare fragment gives nothing.
    return (trafilatura.html2txt(f"<html><body>{html}</body></html>") or "").strip()


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None
