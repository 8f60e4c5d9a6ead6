"""Reading a W3C annotation document back: what reader can hold of it, or the place it
cannot."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from reader.anchoring import from_w3c_selectors
from reader.export.reading import (
    ImportedAnnotation,
    ImportedArticle,
    Parsed,
    annotation,
    at,
    expect_list,
    expect_object,
    expect_string,
    expect_tag,
    expect_time,
    fail,
)
from reader.export.w3c.vocabulary import (
    CONTEXT,
    CORRECTION_KEY,
    NAMESPACE,
    SHA256_IRI,
    STATE_KEY,
    UUID_IRI,
    path_of,
    words,
)
from reader.store import ArticleRef
from reader.store import model as store_model

__all__ = ["parse"]


def parse(document: Any) -> Parsed:
    """Check a W3C annotation document and return what reader can hold of it.

    Reads an AnnotationCollection with its first page embedded, an AnnotationPage, or a
    single Annotation.

    Raises:
        ImportFileError: the document is not one of those, or an annotation is something
            reader cannot hold; the error names the place.
    """
    top = expect_object(document, "")
    _check_context(top.get("@context"))
    types = words(top.get("type"), "type")
    if "AnnotationCollection" in types:
        first = top.get("first")
        if first is None:
            if top.get("total", 0) != 0:
                fail("first", "the collection has annotations but no first page")
            entries: list[tuple[Any, str]] = []
        else:
            if isinstance(first, str):
                fail("first", "a page given only by its IRI cannot be read; embed the page")
            page = expect_object(first, "first")
            if page.get("next") is not None:
                fail("first.next", "collections of several pages are not supported")
            items = expect_list(page.get("items"), "first.items")
            entries = [(item, at("first.items", i)) for i, item in enumerate(items)]
    elif "AnnotationPage" in types:
        items = expect_list(top.get("items"), "items")
        entries = [(item, at("items", i)) for i, item in enumerate(items)]
    elif "Annotation" in types:
        entries = [(top, "")]
    else:
        fail("type", "expected an AnnotationCollection, AnnotationPage or Annotation")
    return _Reader().read(entries)


class _Reader:
    """Collects articles and annotations from the items of a page, in order."""

    def __init__(self) -> None:
        self.refs: dict[str, ArticleRef] = {}
        self.tags: dict[str, list[str]] = {}
        self.places: dict[str, str] = {}
        self.annotations: list[ImportedAnnotation] = []
        self.ids: dict[str, str] = {}
        self.now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def read(self, entries: list[tuple[Any, str]]) -> Parsed:
        for value, where in entries:
            self._item(value, where)
        articles = tuple(
            ImportedArticle(ref, tuple(store_model.dedupe_tags(self.tags[sha])), self.places[sha])
            for sha, ref in self.refs.items()
        )
        return Parsed("w3c", articles, tuple(self.annotations))

    def _item(self, value: Any, where: str) -> None:
        record = expect_object(value, where)
        if "Annotation" not in words(record.get("type"), at(where, "type")):
            fail(at(where, "type"), "expected an Annotation")
        motivations = words(record.get("motivation", []), at(where, "motivation"))
        state = record.get(STATE_KEY)
        if state is not None:
            state = expect_string(state, at(where, STATE_KEY))
        article, selectors = self._target(
            record.get("target"), at(where, "target"), orphan=state == "orphaned"
        )
        bodies = self._bodies(record, where)
        if "tagging" in motivations:
            if selectors is not None:
                fail(at(where, "target"), "reader tags whole articles, not passages")
            for body_where, purpose, text in bodies:
                if purpose not in (None, "tagging"):
                    fail(body_where, f"a tagging annotation with a {purpose} body")
                if not text:
                    fail(at(body_where, "value"), f"not a tag: {text!r:.80}")
                self.tags[article.sha256].append(expect_tag(text, at(body_where, "value")))
            return
        correction = record.get(CORRECTION_KEY)
        if correction is not None:
            kind = "correction"
        elif "highlighting" in motivations:
            kind = "highlight"
        elif "commenting" in motivations:
            kind = "note"
        else:
            fail(
                at(where, "motivation"),
                "reader imports commenting, highlighting and tagging annotations and its "
                f"own corrections, not {', '.join(motivations) or 'no motivation'}",
            )
        comments = []
        for body_where, purpose, text in bodies:
            if purpose in (None, "commenting"):
                comments.append(text)
            elif not (kind == "correction" and purpose == "classifying"):
                fail(body_where, f"a {kind} with a {purpose} body")
        created = record.get("created")
        created = (
            self.now if created is None else expect_time(created, at(where, "created"), exact=False)
        )
        modified = record.get("modified")
        modified = (
            created
            if modified is None
            else expect_time(modified, at(where, "modified"), exact=False)
        )
        item = annotation(
            where=where,
            id=self._id(record, where),
            kind=kind,
            article=article,
            article_path=article.path,
            created=created,
            modified=modified,
            body="\n\n".join(comments),
            target=selectors,
            correction=correction,
            state=state,
        )
        self.annotations.append(item)

    def _id(self, record: dict[str, Any], where: str) -> str:
        value = record.get("id")
        if value is None:
            # No id: one derived from the content, the same each time the file is read.
            text = json.dumps(record, sort_keys=True, ensure_ascii=False)
            identifier = uuid.uuid5(NAMESPACE, f"content:{text}").hex
        else:
            iri = expect_string(value, at(where, "id"), blank=False)
            identifier = ""
            if iri.startswith(UUID_IRI):
                try:
                    identifier = uuid.UUID(iri[len(UUID_IRI) :]).hex
                except ValueError:
                    fail(at(where, "id"), f"not a uuid: {iri!r:.80}")
            else:
                identifier = uuid.uuid5(NAMESPACE, f"id:{iri}").hex
        if identifier in self.ids:
            fail(at(where, "id"), f"the same id as {self.ids[identifier]}")
        self.ids[identifier] = where
        return identifier

    def _target(
        self, value: Any, where: str, *, orphan: bool = False
    ) -> tuple[ArticleRef, dict[str, Any] | None]:
        """The article a target is on, and its passage (None: the whole article)."""
        if isinstance(value, list):
            if len(value) != 1:
                fail(where, f"reader annotations have one target, found {len(value)}")
            value, where = value[0], at(where, 0)
        if value is None:
            fail(where, "missing")
        selectors: Any = None
        source: Any
        if isinstance(value, str):
            source, source_where = value, where
        else:
            target = expect_object(value, where)
            if "source" in target:  # a SpecificResource
                source, source_where = target["source"], at(where, "source")
                selectors = target.get("selector")
            else:  # the article itself, as an External Web Resource
                source, source_where = target, where
        article = self._article(source, source_where)
        if selectors is None:
            return article, None
        selector_where = at(where, "selector")
        if isinstance(selectors, dict):
            selectors = [selectors]
        try:
            listed = expect_list(selectors, selector_where)
            return article, from_w3c_selectors(listed, orphan=orphan)
        except ValueError as error:
            fail(selector_where, str(error))

    def _article(self, value: Any, where: str) -> ArticleRef:
        if isinstance(value, str):
            iri, title, via = value, "", None
        else:
            source = expect_object(value, where)
            iri = expect_string(source.get("id"), at(where, "id"))
            title = expect_string(source.get("label", ""), at(where, "label"))
            via = source.get("via")
            if via is not None:
                via = expect_string(via, at(where, "via"))
        sha256 = iri[len(SHA256_IRI) :] if iri.startswith(SHA256_IRI) else ""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            fail(
                at(where, "id") if not isinstance(value, str) else where,
                "reader knows an article by the SHA-256 of its text, "
                f"urn:sha256:<64 hex digits>; found {iri!r:.80}",
            )
        if sha256 not in self.refs:
            path = path_of(via) if via else ""
            self.refs[sha256] = ArticleRef(path=path, sha256=sha256, title=title)
            self.tags[sha256] = []
            self.places[sha256] = where
        return self.refs[sha256]

    def _bodies(self, record: dict[str, Any], where: str) -> list[tuple[str, str | None, str]]:
        """Each textual body: (where, purpose or None, text)."""
        found: list[tuple[str, str | None, str]] = []
        if "bodyValue" in record:
            found.append(
                (
                    at(where, "bodyValue"),
                    None,
                    expect_string(record["bodyValue"], at(where, "bodyValue")),
                )
            )
        value = record.get("body")
        if value is None:
            return found
        listed = value if isinstance(value, list) else [value]
        for index, body in enumerate(listed):
            body_where = (
                at(at(where, "body"), index) if isinstance(value, list) else at(where, "body")
            )
            if isinstance(body, str):
                fail(body_where, "a body given only by its IRI; reader keeps text bodies")
            body = expect_object(body, body_where)
            if "TextualBody" not in words(body.get("type"), at(body_where, "type")):
                fail(at(body_where, "type"), "reader keeps text bodies (TextualBody) only")
            purposes = words(body.get("purpose", []), at(body_where, "purpose"))
            if len(purposes) > 1:
                fail(at(body_where, "purpose"), "one purpose per body")
            text = expect_string(body.get("value"), at(body_where, "value"))
            found.append((body_where, purposes[0] if purposes else None, text))
        return found


def _check_context(value: Any) -> None:
    contexts = value if isinstance(value, list) else [value]
    if CONTEXT not in contexts:
        fail("@context", f"expected the Web Annotation context {CONTEXT}")
