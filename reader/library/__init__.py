"""The library: article files found in folders, read through parsers, catalogued by stat.

- ``articles``: :class:`Article` (what is displayed; its text read lazily), :class:`Problem`,
  :func:`read_article`;
- ``parsers``: a file's bytes to its text, one parser per file ending;
- ``folders``: finding article files under the paths given;
- ``catalogue``: titles, counts and hashes per file keyed by its stat, so a start reads no
  article text;
- ``quick``: a file listed from its first lines (a first start lists before reading).

Textual-free. :class:`reader.workspace.Workspace` is what loads the library for the app and
the commands.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.library.folders import file_stat, find_article_files

if TYPE_CHECKING:
    from reader.library.articles import MAX_ARTICLE_BYTES, Article, Problem, read_article
    from reader.library.catalogue import Catalogue
else:

    def __getattr__(name: str) -> Any:
        """The names of :mod:`reader.library.articles` imported from here, that module
        imported when first asked for: a process that only needs a submodule (the search
        index's up-to-date check: :mod:`.folders`, :mod:`.catalogue`'s racy rule) does
        not import the parsers (Markdown, HTML: milliseconds for each `reader search`)."""
        if name in _ARTICLES:
            from reader.library import articles

            return getattr(articles, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_ARTICLES = frozenset({"MAX_ARTICLE_BYTES", "Article", "Problem", "read_article"})

__all__ = ["MAX_ARTICLE_BYTES", "Article", "Library", "Problem", "read_article"]


@dataclass
class Library:
    """The articles read from a set of paths, and the files that could not be read."""

    articles: list[Article] = field(default_factory=list)
    """Readable articles, in the order found."""
    problems: list[Problem] = field(default_factory=list)
    """Files and folders skipped, with the reason."""
    pending: list[tuple[Article, str, os.stat_result | None]] = field(
        default_factory=list, repr=False
    )
    """Articles only listed (:meth:`Article.listed`) by :meth:`load` with ``quick``, with
    their resolved path and stat: :meth:`learn` reads them."""

    @classmethod
    def load(
        cls,
        paths: Iterable[Path],
        catalogue: Catalogue | None = None,
        *,
        exclude: Iterable[Path] = (),
        quick: bool = False,
    ) -> Library:
        """Read every article under *paths*, except inside the folders *exclude*.

        With a *catalogue* (see :mod:`reader.library.catalogue`), a file unchanged since it
        was catalogued is not read: its article comes from the catalogue and reads its text
        only when asked (:meth:`Article.unread`). The others are read and catalogued, and
        the catalogue is saved. Only :class:`reader.workspace.Workspace` calls this.

        With *quick*, a file the catalogue does not know is only listed from its first
        lines (:func:`reader.library.quick.list_file`), and :attr:`pending` until
        :meth:`learn` reads it: the list of a first start at the speed of its titles.
        """
        from reader.library.articles import Article, Problem, read_article
        from reader.library.quick import list_file

        files, problems = find_article_files(paths, exclude)
        articles: list[Article] = []
        pending: list[tuple[Article, str, os.stat_result | None]] = []
        for path, resolved, entry in files:
            info = file_stat(entry)
            result: Article | Problem | None = None
            if catalogue is not None:
                result = catalogue.cached(path, resolved=resolved, info=info)
            if result is None and quick:
                result = list_file(path)
                if isinstance(result, Article):
                    pending.append((result, resolved, info))
            if result is None:
                if catalogue is None:
                    result = read_article(path, defer=True)
                else:
                    result = catalogue.read(path, resolved=resolved, info=info)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                articles.append(result)
        if catalogue is not None and not pending:
            catalogue.save()
        return cls(articles, problems, pending)

    def learn(
        self,
        catalogue: Catalogue | None = None,
        cancelled: threading.Event | None = None,
        *,
        limit: int | None = None,
    ) -> list[Article]:
        """Read every article still :attr:`pending` (through *catalogue*, which is then
        saved) and fill it in place (:meth:`Article.learn`): its hash, word count and
        title as a full read gives them. A file that turns out not to be an article leaves
        :attr:`articles` for :attr:`problems`. Blocking: a worker's. Returns the articles
        learnt (those gone to problems included), in order; stops early if *cancelled*, or
        after *limit* articles (the catalogue is saved once none is left pending)."""
        from reader.library.articles import Problem, read_article

        learnt: list[Article] = []
        gone: set[int] = set()
        done = 0
        for article, resolved, info in self.pending:
            if (cancelled is not None and cancelled.is_set()) or done == limit:
                break
            done += 1
            if catalogue is None:
                result = read_article(article.path, defer=True)
            else:
                result = catalogue.read(article.path, resolved=resolved, info=info)
            if isinstance(result, Problem):
                gone.add(id(article))
                self.problems.append(result)
            article.learn(result)
            learnt.append(article)
        del self.pending[:done]
        if gone:
            self.articles = [a for a in self.articles if id(a) not in gone]
        if catalogue is not None and not self.pending:
            catalogue.save()
        return learnt
