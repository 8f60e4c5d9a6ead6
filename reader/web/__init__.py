"""Bringing articles in from the web: `reader add`, `reader refresh`, `reader feeds`, and
the app's Ctrl+O. Textual-free; blocking (run it in a thread worker).

The API the app calls (everything takes a :class:`~reader.workspace.Workspace` or its
:class:`~reader.settings.Settings`)::

    from reader.web import AddError, AddReport, SourceResult, add_sources, refresh_feeds

    report = add_sources(
        workspace,
        ["https://example.org/story", "~/Downloads/page.html"],
        to=None,            # a folder; None: the library folder in force (default_folder)
        feed=False,         # True: the sources are feeds to subscribe to (and fetch now)
        progress=lambda done, total, result: ...,  # called in the calling thread
        cancelled=event.is_set,   # checked between sources: none starts after it is set;
                                  # those under way finish (at most the read timeout)
    )
    for result in report.results:   # SourceResult, in the order given
        result.status               # "added" | "duplicate" | "failed" | "checked" (a feed)
        result.path                 # the new file, or the one already holding it
        result.reason               # why it failed / what it duplicates / a feed's summary
    report.added, report.duplicates, report.failed, report.cancelled

``AddError`` is raised only when nothing can be added at all (no library folder and no
``to``, a folder that cannot be made, a broken feeds file); a bad source is a ``failed``
result. ``refresh_feeds(workspace, feeds=None, ...)`` fetches the subscribed feeds alike.
Subscriptions: :class:`~reader.web.subscriptions.Subscriptions` on
``feeds_path(settings.db_path)`` (``all``, ``add``, ``remove``), OPML with
``opml_export`` / ``opml_import``. Limits (timeouts, size cap, redirects, per-host
requests): :class:`~reader.web.fetch.FetchLimits`, passed as ``limits=``.

Modules: ``adding`` (the two entry points, the default folder), ``report`` (what became
of each source), ``runner`` (a run: the thread pool, duplicate check and write under one
lock, feed states), ``drafts`` (a page, file or teaser to front matter and text),
``fetch`` (httpx within limits), ``urls`` (which URLs; their duplicate key), ``feeds``
(feedparser), ``known`` (what the library holds, for duplicates), ``saving`` (the file:
front matter, name, atomic new file), ``subscriptions`` (feeds.json, OPML).
"""

from reader.web.adding import (
    AddError,
    AddReport,
    SourceResult,
    add_sources,
    default_folder,
    refresh_feeds,
)
from reader.web.fetch import FetchLimits

__all__ = [
    "AddError",
    "AddReport",
    "FetchLimits",
    "SourceResult",
    "add_sources",
    "default_folder",
    "refresh_feeds",
]
