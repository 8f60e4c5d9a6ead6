"""How a rendered article's own styles are drawn in the article view: each
:class:`~reader.library.markdown.Format` kind is a component class (``markdown--h1``,
``markdown--link``… in styles/entities.tcss), laid under the entity, mark and find styles;
and its links, which `]l`/`[l` mark and `L` opens."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from urllib.parse import urlsplit

from rich.style import Style

from reader.library.markdown import FORMAT_KINDS, Format

__all__ = ["FORMAT_CLASSES", "LINK_CURRENT", "OPENABLE_SCHEMES", "Formats", "format_class"]

LINK_CURRENT = "markdown--link-current"
"""The component class of the link marked by `]l`/`[l`."""

OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})
"""Links `L` opens in the browser; others (``file:``, ``javascript:``, relative paths with
no page to resolve them against) are shown but not opened."""


def format_class(kind: str) -> str:
    """The component class a :attr:`Format.kind` is drawn with."""
    return f"markdown--{kind.replace('_', '-')}"


FORMAT_CLASSES = frozenset({*(format_class(kind) for kind in FORMAT_KINDS), LINK_CURRENT})
"""Every component class the article view needs for rendered articles."""


class Formats:
    """An article's formats, found by screen line (layers) and its links, in order."""

    def __init__(self, formats: Sequence[Format] | None = None) -> None:
        self.rendered = formats is not None
        """Whether the article is rendered Markdown (its headings come from its formats)."""
        self._formats = sorted(formats or ())
        self._starts = [item.start for item in self._formats]
        # Formats nest (a link in a heading): the running maximum of their ends is sorted,
        # so the first one that may reach a line is found by bisection.
        self._reach = list(accumulate((item.end for item in self._formats), max))
        self.links = [item for item in self._formats if item.kind == "link" and item.url]
        """The links with a target, in text order."""

    def layers(
        self, start: int, end: int, style_of: Callable[[str], Style], current_link: int | None
    ) -> list[tuple[int, int, Style]]:
        """The formats over ``text[start:end]`` as ``(from, to, style)`` relative to *start*."""
        if not self._formats:
            return []
        marked = None if current_link is None else self.links[current_link]
        layers = []
        first = bisect_right(self._reach, start)
        last = bisect_left(self._starts, end)
        for item in self._formats[first:last]:
            if item.end <= start:
                continue
            style = style_of(format_class(item.kind))
            if item is marked:
                style += style_of(LINK_CURRENT)
            layers.append((max(item.start, start) - start, min(item.end, end) - start, style))
        return layers

    def next_link(self, current: int | None, offset: int, forward: bool) -> int | None:
        """The link after (or before) link *current*, else after the text *offset*; None when
        there is none (no wrapping round, as with entities)."""
        if not self.links:
            return None
        if current is None:
            starts = [link.start for link in self.links]
            index = bisect_left(starts, offset) if forward else bisect_left(starts, offset) - 1
        else:
            index = current + (1 if forward else -1)
        return index if 0 <= index < len(self.links) else None


def openable(url: str) -> bool:
    """Whether *url* is one `L` opens (see :data:`OPENABLE_SCHEMES`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in OPENABLE_SCHEMES and bool(parts.netloc or parts.path)
