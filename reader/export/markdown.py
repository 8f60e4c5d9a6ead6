"""The Markdown export, for note apps: per article its title, tags, notes and highlights.

A passage that is not where it was made says so after its quote (moved, orphaned, or
unverified when the article's text was not found).

Text from articles (titles, quotes) and tags are escaped so that they read as written
and cannot become links, HTML or headings; notes are the user's own Markdown and are kept
as they are, indented under their list item. Control characters are removed throughout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reader.export.collection import Collection, ExportedArticle
from reader.store import Annotation
from reader.text import sanitize, sanitize_line

__all__ = ["chunks", "escape", "render"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!{}])")
"""Characters Markdown (CommonMark, GFM) may read as syntax anywhere in a line."""

_LINE_START = re.compile(r"^(\s*(?:\d+)?)([-+=.)])", re.MULTILINE)
"""What starts a list item or a setext underline at the beginning of a line: ``-``, ``+``,
``=``, or ``1.`` / ``1)`` (the punctuation is what gets escaped). ``#`` and ``>`` are
escaped everywhere."""


def escape(text: str) -> str:
    """Return untrusted *text* with Markdown syntax backslash-escaped (newlines kept)."""
    escaped = _SPECIAL.sub(r"\\\1", sanitize(text))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def render(collection: Collection) -> bytes:
    """Return *collection* as one Markdown document, UTF-8."""
    return b"".join(chunks(collection))


def chunks(collection: Collection) -> Iterator[bytes]:
    """Yield the bytes of :func:`render`: the heading, then each article (lines joined by
    newlines, a blank line before each article, a newline at the end)."""
    count = len(collection.articles)
    lines = [
        "# reader annotations",
        "",
        f"Exported {collection.exported_at} by reader {sanitize_line(collection.app_version)}: "
        f"{count} article{'' if count == 1 else 's'}.",
    ]
    if collection.tags:
        lines.append(f"Articles tagged {', '.join(_tag(t) for t in collection.tags)}.")
    yield "\n".join(lines).encode("utf-8")
    for article in collection.each():
        yield ("\n\n" + "\n".join(_article(article))).encode("utf-8")
    yield b"\n"


def _article(article: ExportedArticle) -> list[str]:
    title = escape(sanitize_line(article.title, limit=500)) or "(untitled)"
    lines = [f"## {title}", ""]
    lines.append(f"- File: {escape(sanitize_line(article.path, limit=1000))}")
    lines.append(f"- SHA-256: {article.sha256}")
    if article.tags:
        lines.append(f"- Tags: {', '.join(_tag(tag) for tag in article.tags)}")
    if article.notes:
        lines.extend(["", "### Notes"])
        for note in article.notes:
            lines.extend(["", *_note(note, article.state_of(note))])
    if article.highlights:
        lines.extend(["", "### Highlights"])
        for highlight in article.highlights:
            lines.extend(["", *_quote(_exact(highlight))])
            state = article.state_of(highlight)
            if state is not None:
                lines.extend(["", f"({_STATES[state]})"])
            if highlight.body:
                lines.extend(["", *_body(highlight.body, indent="")])
    return lines


_STATES = {
    "moved": "moved: the article changed, and the passage was found again",
    "orphaned": "orphaned: the passage is no longer in the article",
    "unverified": "unverified: the article's text was not found",
}
"""What a passage's state says, when it is not where it was made."""


def _note(note: Annotation, state: str | None) -> list[str]:
    exact = _exact(note)
    where = f" ({_STATES[state]})" if state is not None else ""
    head = (
        f"- On “{escape(sanitize_line(exact, limit=200))}”{where}:"
        if exact
        else "- On the article:"
    )
    return [head, "", *_body(note.body, indent="  ")]


def _body(body: str, indent: str) -> list[str]:
    text = sanitize(body).strip("\n") or "(empty)"
    return [f"{indent}{line}" if line.strip() else "" for line in text.split("\n")]


def _quote(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in escape(text).split("\n")]


def _exact(annotation: Annotation) -> str:
    quote = (annotation.target or {}).get("quote")
    exact = quote.get("exact") if isinstance(quote, dict) else None
    return exact if isinstance(exact, str) else ""


def _tag(tag: str) -> str:
    return escape(sanitize_line(tag, limit=200))
