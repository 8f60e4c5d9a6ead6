"""The file endings read as articles, in a module of their own: what finds article files
(:mod:`reader.library.folders`, the search index's up-to-date check) needs them without
importing the parsers (Markdown, HTML: milliseconds a process, which `reader search`
would pay on each run). :data:`reader.library.parsers.PARSERS` mounts one parser per
ending; a test checks they are the same endings."""

from __future__ import annotations

__all__ = ["ARTICLE_SUFFIXES"]

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
"""File endings read as articles (lower case, with their dot)."""
