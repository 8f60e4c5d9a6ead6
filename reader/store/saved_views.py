"""Saved searches ("views"), undoable like tags (a part of
:class:`~reader.store.annotation_store.AnnotationStore`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reader.store import model
from reader.store.journal import quoted
from reader.store.model import View
from reader.store.store_core import StoreCore

__all__ = ["SavedViews"]

_Document = Mapping[str, Any]


class SavedViews(StoreCore):
    """The saved views, in the order first saved, no two names equal ignoring case."""

    def views(self) -> list[View]:
        """The saved views, in the order they were first saved."""
        with self._reading(light=True):
            documents = self._views.documents()
            return [
                View(documents[i]["name"], documents[i]["query"])
                for i in sorted(documents, key=int)
            ]

    def save_view(self, name: str, query: str) -> View:
        """Save a search under a name; return the view as saved.

        A name already in use (ignoring case) gets the new query and the new spelling,
        keeping its place in the list. Name and query are cleaned (one line, no control
        sequences, stripped; see ``model.clean_view_name`` and ``model.clean_query``).

        Raises:
            TypeError: the name or query is not a string.
            ValueError: the name or query is empty once cleaned, or too long.
        """
        with self._changing("save a view", light=True) as change:
            view = self._check_view(View(name, query))
            found = self._find_view(view["name"])
            if found is None:
                self._journal.add(change, self._views, view)
                change.description = f"saved view {quoted(view['name'])}"
            elif dict(found[1]) != view:
                self._journal.put(change, self._views, {found[0]: view})
                change.description = f"changed view {quoted(view['name'])}"
            return View(view["name"], view["query"])

    def rename_view(self, old: str, new: str) -> View:
        """Rename a view (found ignoring case); return it as renamed.

        Raises:
            KeyError: there is no view named ``old``.
            ValueError: ``new`` is empty, or another view already has that name.
        """
        with self._changing("rename a view", light=True) as change:
            doc_id, document = self._get_view(old)
            name = model.clean_view_name(new)
            other = self._find_view(name)
            if other is not None and other[0] != doc_id:
                raise ValueError(f"there is already a view named {quoted(other[1]['name'])}")
            if name != document["name"]:
                self._journal.put(change, self._views, {doc_id: {**document, "name": name}})
                change.description = f"renamed view {quoted(document['name'])} to {quoted(name)}"
            return View(name, document["query"])

    def delete_view(self, name: str) -> View:
        """Delete a view (found ignoring case) and return it.

        Raises:
            KeyError: there is no view of that name.
        """
        with self._changing("delete a view", light=True) as change:
            doc_id, document = self._get_view(name)
            self._journal.put(change, self._views, {doc_id: None})
            change.description = f"deleted view {quoted(document['name'])}"
            return View(document["name"], document["query"])

    def _check_view(self, view: View) -> dict[str, str]:
        if not isinstance(view, View):
            raise TypeError(f"expected a View, not {type(view).__name__}")
        return {
            "name": model.clean_view_name(view.name),
            "query": model.clean_query(view.query),
        }

    def _find_view(self, name: str) -> tuple[int, _Document] | None:
        key = name.casefold()
        for doc_id, document in self._views.documents().items():
            if document["name"].casefold() == key:
                return int(doc_id), document
        return None

    def _get_view(self, name: str) -> tuple[int, _Document]:
        found = self._find_view(model.clean_view_name(name))
        if found is None:
            raise KeyError(f"no view named {name!r}")
        return found
