"""The library: article files found in folders, read through parsers, catalogued by stat.

- ``articles``: :class:`Article` (what is displayed; its text read lazily), :class:`Problem`,
  :func:`read_article`;
- ``parsers``: a file's bytes to its text, one parser per file ending;
- ``folders``: finding article files under the paths given;
- ``catalogue``: titles, counts and hashes per file keyed by its stat, so a start reads no
  article text.

Textual-free. :class:`reader.workspace.Workspace` is what loads the library for the app and
the commands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reader.library.articles import MAX_ARTICLE_BYTES, Article, Problem, read_article
from reader.library.folders import file_stat, find_article_files

if TYPE_CHECKING:
    from reader.library.catalogue import Catalogue

__all__ = ["MAX_ARTICLE_BYTES", "Article", "Library", "Problem", "read_article"]


@dataclass
class Library:
    """The articles read from a set of paths, and the files that could not be read."""

    articles: list[Article] = field(default_factory=list)
    """Readable articles, in the order found."""
    problems: list[Problem] = field(default_factory=list)
    """Files and folders skipped, with the reason."""

    @classmethod
    def load(
        cls,
        paths: Iterable[Path],
        catalogue: Catalogue | None = None,
        *,
        exclude: Iterable[Path] = (),
    ) -> Library:
        """Read every article under *paths*, except inside the folders *exclude*.

        With a *catalogue* (see :mod:`reader.library.catalogue`), a file unchanged since it
        was catalogued is not read: its article comes from the catalogue and reads its text
        only when asked (:meth:`Article.unread`). The others are read and catalogued, and
        the catalogue is saved. Only :class:`reader.workspace.Workspace` calls this.
        """
        files, problems = find_article_files(paths, exclude)
        articles: list[Article] = []
        for path, resolved, entry in files:
            if catalogue is None:
                result = read_article(path, defer=True)
            else:
                result = catalogue.read(path, resolved=resolved, info=file_stat(entry))
            if isinstance(result, Problem):
                problems.append(result)
            else:
                articles.append(result)
        if catalogue is not None:
            catalogue.save()
        return cls(articles, problems)
