"""The feeds `reader refresh` fetches: a small JSON file beside the database, and OPML.

``feeds.json`` lives in the same folder as the annotations database in force
(``annotations/feeds.json`` in a project, ``~/.local/share/reader/feeds.json`` without
one): subscriptions are the user's own data, like the annotations (not the cache, which
may be wiped), and a project with its own database and library has its own feeds. It is
not in the TinyDB store, whose storage is its own concern. Each change re-reads the file,
changes one feed and writes it whole with :func:`reader.files.write_atomically`, so a
`reader refresh` from cron and a `reader add --feed` meanwhile lose nothing but, at worst,
one feed's ETag (which costs one full fetch).

OPML 2.0 is what newsboat and every feed reader import and export: one ``<outline
type="rss" xmlUrl=...>`` per feed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader.files import FolderNotSynced, make_folders, write_atomically
from reader.web.urls import BadURL, check_url, url_key

__all__ = [
    "FEEDS_FILE",
    "MAX_OPML_BYTES",
    "Subscription",
    "Subscriptions",
    "SubscriptionsError",
    "feeds_path",
    "opml_export",
    "opml_import",
]

FEEDS_FILE = "feeds.json"
"""The subscriptions file's name, beside the database."""

MAX_OPML_BYTES = 5 * 1024 * 1024
"""An OPML file larger than this is refused."""

_FORMAT = 1


class SubscriptionsError(Exception):
    """The feeds file or an OPML file cannot be used; ``str()`` names it and says why."""


@dataclass(frozen=True)
class Subscription:
    """A subscribed feed and what reader remembers of its last fetch."""

    url: str
    title: str | None = None
    folder: str | None = None
    """Where its entries are added (absolute), or None: the library folder in force."""
    etag: str | None = None
    last_modified: str | None = None
    added_at: str | None = None
    checked_at: str | None = None
    """When it was last fetched (ISO 8601, UTC)."""


def feeds_path(db_path: Path) -> Path:
    """The subscriptions file for the database at *db_path*."""
    return db_path.parent / FEEDS_FILE


def now_iso() -> str:
    """Now, UTC, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Subscriptions:
    """The feeds file: read whole, changed one feed at a time, written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        """The JSON file (it may not exist yet: no feeds)."""

    def all(self) -> list[Subscription]:
        """Every subscription, in the order subscribed.

        Raises:
            SubscriptionsError: the file is not reader's feeds file.
        """
        try:
            data = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return []
        except OSError as error:
            raise SubscriptionsError(f"{self.path}: {error.strerror or error}") from None
        except ValueError:
            raise SubscriptionsError(f"{self.path}: not valid JSON (left as it is)") from None
        if not isinstance(data, dict) or not isinstance(data.get("feeds"), list):
            raise SubscriptionsError(f"{self.path}: not reader's feeds file (left as it is)")
        known = {f.name for f in fields(Subscription)}
        feeds = []
        for item in data["feeds"]:
            if isinstance(item, dict) and isinstance(item.get("url"), str):
                values: dict[str, Any] = {
                    key: value
                    for key, value in item.items()
                    if key in known and (value is None or isinstance(value, str))
                }
                feeds.append(Subscription(**values))
        return feeds

    def find(self, url: str) -> Subscription | None:
        """The subscription to *url* (compared by URL key), or None."""
        key = url_key(url)
        return next((s for s in self.all() if url_key(s.url) == key), None)

    def add(self, subscription: Subscription) -> bool:
        """Subscribe (False, and nothing changed, when already subscribed)."""
        feeds = self.all()
        if any(url_key(s.url) == url_key(subscription.url) for s in feeds):
            return False
        added = subscription.added_at or now_iso()
        self._write([*feeds, replace(subscription, added_at=added)])
        return True

    def update(self, url: str, **changes: Any) -> None:
        """Change the fields *changes* of the feed *url*, if still subscribed."""
        key = url_key(url)
        feeds = self.all()
        updated = [replace(s, **changes) if url_key(s.url) == key else s for s in feeds]
        if updated != feeds:
            self._write(updated)

    def remove(self, url: str) -> bool:
        """Unsubscribe from *url*; False if it was not subscribed."""
        key = url_key(url)
        feeds = self.all()
        kept = [s for s in feeds if url_key(s.url) != key]
        if len(kept) == len(feeds):
            return False
        self._write(kept)
        return True

    def _write(self, feeds: list[Subscription]) -> None:
        payload: dict[str, Any] = {
            "format": _FORMAT,
            "feeds": [{k: v for k, v in asdict(s).items() if v is not None} for s in feeds],
        }
        data = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
        try:
            make_folders(self.path.parent)
            write_atomically(self.path, data.encode("utf-8"), keep_mode=True)
        except FolderNotSynced:
            pass
        except OSError as error:
            raise SubscriptionsError(f"{self.path}: {error.strerror or error}") from None


def opml_export(feeds: list[Subscription]) -> bytes:
    """The feeds as an OPML 2.0 document."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "reader feeds"
    ET.SubElement(head, "dateCreated").text = datetime.now(UTC).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    body = ET.SubElement(root, "body")
    for feed in feeds:
        title = feed.title or feed.url
        ET.SubElement(body, "outline", type="rss", text=title, title=title, xmlUrl=feed.url)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def opml_import(data: bytes, name: str = "OPML file") -> list[Subscription]:
    """The feeds of an OPML document (outlines with an ``xmlUrl``, nested or not; the
    ones that are not http(s) left out).

    Raises:
        SubscriptionsError: too large, not XML, or not OPML.
    """
    if len(data) > MAX_OPML_BYTES:
        raise SubscriptionsError(f"{name}: larger than {MAX_OPML_BYTES // (1024 * 1024)} MiB")
    # Python's expat (2.4.1 and later) refuses entity expansion bombs ("billion laughs").
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise SubscriptionsError(f"{name}: not valid XML ({error})") from None
    if root.tag.lower() != "opml":
        raise SubscriptionsError(f"{name}: not an OPML file (its root is <{root.tag[:40]}>)")
    feeds: list[Subscription] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if not url:
            continue
        try:
            url = check_url(url)
        except BadURL:
            continue
        if url_key(url) in seen:
            continue
        seen.add(url_key(url))
        title = outline.get("title") or outline.get("text") or None
        feeds.append(Subscription(url=url, title=" ".join(title.split()) if title else None))
    return feeds
