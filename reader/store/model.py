"""What the store holds (articles, annotations, reading state, saved views) and the checks
on what callers hand it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reader.entities.span import check_label
from reader.store.validation import MAX_TEXT, check_correction_shape, check_target_shape
from reader.text import sanitize, sanitize_line

__all__ = [
    "CORRECTION_ACTIONS",
    "CORRECTION_SCOPES",
    "KINDS",
    "MAX_QUERY_LENGTH",
    "MAX_TAG_LENGTH",
    "MAX_VIEW_NAME_LENGTH",
    "TAG_RULE",
    "Annotation",
    "ArticleRef",
    "Reading",
    "View",
    "check_article",
    "check_body",
    "check_correction",
    "check_imported",
    "check_position",
    "check_target",
    "clean_query",
    "clean_tag",
    "clean_tags",
    "clean_view_name",
    "copy_json",
    "dedupe_tags",
    "storable",
    "tag_key",
    "tag_problem",
    "utc_now",
]

KINDS = ("note", "highlight", "correction")
"""The kinds of annotation, as stored in ``Annotation.kind``."""

CORRECTION_ACTIONS = ("relabel", "remove", "add")
"""What an entity correction does to the entity it targets."""

CORRECTION_SCOPES = ("mention", "article", "global")
"""How far an entity correction reaches: one mention, the article, or every article."""


@dataclass(frozen=True)
class ArticleRef:
    """The identity of an article as the store sees it."""

    path: str
    """The article's source path, as given."""
    sha256: str
    """The SHA-256 hex digest of the article's displayed text: what annotations hang on."""
    title: str
    """The article's title, kept so that the store can name the article on its own."""


@dataclass(frozen=True)
class Annotation:
    """A note, highlight or entity correction on an article.

    Instances are snapshots: changing one goes through ``AnnotationStore.update``.
    """

    id: str
    """Stable identifier, a uuid4 hex string."""
    kind: str
    """One of :data:`KINDS`."""
    article_sha256: str
    """The hash of the article text the annotation belongs to."""
    article_path: str
    """The article's path when the annotation was made (or last relinked)."""
    created: str
    """When it was made, ISO-8601 UTC, e.g. ``2026-11-27T11:00:00Z``."""
    modified: str
    """When its body or target last changed, in the same format."""
    body: str = ""
    """The note text (Markdown allowed); ``""`` for a plain highlight."""
    target: dict[str, Any] | None = None
    """W3C-style selectors, e.g. ``{"position": {...}, "quote": {...}}``; None for a note
    on the whole article."""
    correction: dict[str, Any] | None = None
    """For a correction: ``{"action", "label", "scope", "text"}``; None otherwise."""

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Annotation:
        """Build an annotation from a stored document, copying its nested dicts.

        The copies keep callers from changing what the store holds in memory.
        """
        return cls(
            id=document["id"],
            kind=document["kind"],
            article_sha256=document["article_sha256"],
            article_path=document["article_path"],
            created=document["created"],
            modified=document["modified"],
            body=document["body"],
            target=copy_json(document["target"]),
            correction=copy_json(document["correction"]),
        )

    def to_document(self) -> dict[str, Any]:
        """The annotation as a plain dict, the way it is stored."""
        return {
            "id": self.id,
            "kind": self.kind,
            "article_sha256": self.article_sha256,
            "article_path": self.article_path,
            "created": self.created,
            "modified": self.modified,
            "body": self.body,
            "target": copy_json(self.target),
            "correction": copy_json(self.correction),
        }


MAX_VIEW_NAME_LENGTH = 100
"""The longest a saved view's name can be, in code points."""

MAX_QUERY_LENGTH = 2000
"""The longest a saved view's query can be, in code points."""


@dataclass(frozen=True)
class View:
    """A saved search: a name the sidebar shows, and the query it runs."""

    name: str
    """As the user spelled it; unique ignoring case."""
    query: str
    """The search query, as typed (the store does not parse it)."""


@dataclass(frozen=True)
class Reading:
    """An article's reading state: marked read or not, and where it was left."""

    sha256: str
    """The article's content hash, as for tags and annotations."""
    path: str
    """Where the article was when its state last changed."""
    title: str
    """Its title then, so that the store can name it on its own."""
    read: bool
    """Whether it is marked read."""
    position: int | None
    """The code-point offset into the displayed text of the top line shown when the user
    left it; None if never saved."""

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Reading:
        """Build from a ``reading`` document."""
        return cls(
            document["sha256"],
            document["path"],
            document["title"],
            document["read"],
            document["position"],
        )


def utc_now() -> str:
    """The current time as ISO-8601 UTC to the second, e.g. ``2026-11-27T11:00:00Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, scalars), faster than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def storable(value: Any, what: str) -> Any:
    """Check that ``value`` can be stored as JSON and return the copy that will be stored.

    Raises:
        ValueError: ``value`` is not JSON-serialisable or holds NaN or Infinity.
    """
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as error:
        raise ValueError(f"{what} cannot be stored as JSON: {error}") from None
    # Tuples come back as lists and int keys as strings: the copy is what a reload gives.
    return json.loads(text)


MAX_TAG_LENGTH = 64
"""The longest a tag can be, in code points."""

TAG_RULE = f"a tag is 1 to {MAX_TAG_LENGTH} characters, with no comma"
"""What a tag is, as the dialogs and error messages say it."""


def _cleaned_tag(tag: str) -> str:
    # Control sequences out (invisible, and they would act on a terminal), whitespace
    # runs (newlines, tabs) as one space, NFC; the same cleaning as every untrusted line.
    return sanitize_line(tag, limit=1_000_000).strip()


def tag_problem(tag: str) -> str | None:
    """Why *tag*, as typed, cannot be a tag, or None if it can. The one rule for tags,
    which every way in (the app's dialogs, the command line, imports) goes through
    (:data:`TAG_RULE`): once cleaned (control characters removed, spaces at either end
    stripped, runs of spaces as one), a tag is 1 to :data:`MAX_TAG_LENGTH` characters with
    no comma (commas separate tags where they are typed, and in CSV exports). Tags are
    compared ignoring case."""
    text = _cleaned_tag(tag)
    if not text:
        return "a tag cannot be empty"
    if "," in text:
        return f"a tag cannot contain a comma (commas separate tags): {sanitize_line(text, 80)!r}"
    if len(text) > MAX_TAG_LENGTH:
        return f"a tag can be at most {MAX_TAG_LENGTH} characters long: {text[:40]!r}…"
    return None


def clean_tag(tag: object) -> str:
    """Check a new tag against the rule (:func:`tag_problem`) and return it cleaned, as
    stored. A tag is never cut or split: one that breaks the rule is refused.

    Raises:
        TypeError: the tag is not a string.
        ValueError: the tag breaks the rule (the message says how).
    """
    if not isinstance(tag, str):
        raise TypeError(f"a tag must be a string, not {type(tag).__name__}")
    problem = tag_problem(tag)
    if problem is not None:
        raise ValueError(problem)
    return _cleaned_tag(tag)


def tag_key(tag: object) -> str:
    """The key a tag is matched by (ignoring case), for removing or renaming one: lenient,
    so that a tag stored before the rule (say with a comma) can still be removed or renamed.

    Raises:
        TypeError: the tag is not a string.
        ValueError: the tag is empty.
    """
    if not isinstance(tag, str):
        raise TypeError(f"a tag must be a string, not {type(tag).__name__}")
    key = _cleaned_tag(tag).casefold()
    if not key:
        raise ValueError("a tag cannot be empty")
    return key


def clean_view_name(name: object) -> str:
    """Clean a saved view's name (one line, no control sequences, stripped, at most
    :data:`MAX_VIEW_NAME_LENGTH`): it is shown in the sidebar and may come from an
    imported file.

    Raises:
        TypeError: the name is not a string.
        ValueError: the name is empty or only whitespace.
    """
    if not isinstance(name, str):
        raise TypeError(f"a view name must be a string, not {type(name).__name__}")
    cleaned = sanitize_line(name, limit=MAX_VIEW_NAME_LENGTH).strip()
    if not cleaned:
        raise ValueError("a view name cannot be empty")
    return cleaned


def clean_query(query: object) -> str:
    """Clean a saved view's query: no control sequences, newlines and tabs as spaces,
    stripped; spaces inside are kept (they may be inside a quoted phrase).

    Raises:
        TypeError: the query is not a string.
        ValueError: the query is empty, or longer than :data:`MAX_QUERY_LENGTH` (a query
            cut short would search for something else, so it is refused, not cut).
    """
    if not isinstance(query, str):
        raise TypeError(f"a query must be a string, not {type(query).__name__}")
    cleaned = sanitize(query).replace("\n", " ").replace("\t", " ").strip()
    if not cleaned:
        raise ValueError("a saved query cannot be empty")
    if len(cleaned) > MAX_QUERY_LENGTH:
        raise ValueError(f"a saved query can be at most {MAX_QUERY_LENGTH} characters long")
    return cleaned


def check_position(offset: object) -> int:
    """Check a reading position: a whole number of zero or more.

    Raises:
        TypeError: it is not an int (True and False are refused too).
        ValueError: it is negative.
    """
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise TypeError(f"a position must be an int, not {type(offset).__name__}")
    if offset < 0:
        raise ValueError(f"a position cannot be negative, not {offset}")
    return offset


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Clean each tag (see :func:`clean_tag`), dropping case-insensitive repeats.

    The first spelling of a repeated tag is kept. A single string is refused rather than
    read as one tag per character.
    """
    if isinstance(tags, str):
        raise TypeError("tags must be an iterable of strings, not a single string")
    return dedupe_tags(clean_tag(tag) for tag in tags)


def check_article(article: object) -> ArticleRef:
    """Check that ``article`` is an ArticleRef of strings (a Path would not store as JSON).

    Raises:
        TypeError: it is not an ArticleRef, or a field is not a string.
    """
    if not isinstance(article, ArticleRef):
        raise TypeError(f"expected an ArticleRef, not {type(article).__name__}")
    for name in ("path", "sha256", "title"):
        if not isinstance(getattr(article, name), str):
            raise TypeError(f"ArticleRef.{name} must be a string")
    return article


def dedupe_tags(tags: Iterable[str]) -> list[str]:
    """Tags without case-insensitive repeats, the first spelling kept."""
    kept: dict[str, str] = {}
    for tag in tags:
        kept.setdefault(tag.casefold(), tag)
    return list(kept.values())


def check_body(body: object) -> str:
    """Check a note body and return it as typed.

    Control characters and escape sequences are kept: JSON stores them escaped, so the
    file stays safe, and every place that shows a body (the notes panel, the editor,
    ``reader annotations``, the markdown and csv exports) sanitises it there
    (:func:`reader.text.sanitize`). The json and w3c exports carry it as typed.

    Raises:
        TypeError: the body is not a string.
        ValueError: the body is longer than :data:`~reader.store.validation.MAX_TEXT`.
    """
    if not isinstance(body, str):
        raise TypeError(f"a note body must be a string, not {type(body).__name__}")
    if len(body) > MAX_TEXT:
        raise ValueError(f"a note can be at most {MAX_TEXT:,} characters long")
    return body


def check_target(target: object, *, required: bool) -> dict[str, Any] | None:
    """Check an annotation target (its selectors) and return the copy to store.

    A target is a quote selector ``{"exact", "prefix", "suffix"}`` and a position
    ``{"start", "end"}``, either or both, and nothing else (see
    :func:`reader.store.validation.check_target_shape`); anchoring reads them.

    Raises:
        TypeError: the target is not a dict (or is None where one is required).
        ValueError: the target does not have that shape, or cannot be stored as JSON.
    """
    if target is None and not required:
        return None
    if not isinstance(target, dict):
        raise TypeError(f"a target must be a dict of selectors, not {type(target).__name__}")
    checked: dict[str, Any] = storable(target, "the target")
    check_target_shape(checked)
    return checked


def check_correction(correction: object, *, imported: bool = False) -> dict[str, Any]:
    """Check an entity correction and return the copy to store (*imported*: read back
    from an export, whose label may be one kept from before labels were checked:
    :func:`reader.entities.span.check_label`).

    A correction is ``{"action": "relabel"|"remove"|"add", "label": str|None,
    "scope": "mention"|"article"|"global", "text": str}``; "relabel" and "add" need a
    label. Other keys are refused (see :func:`reader.store.validation.check_correction_shape`).

    Raises:
        TypeError: the correction is not a dict.
        ValueError: a field is missing or has a value outside the ones above.
    """
    if not isinstance(correction, dict):
        raise TypeError(f"a correction must be a dict, not {type(correction).__name__}")
    action = correction.get("action")
    if action not in CORRECTION_ACTIONS:
        raise ValueError(f"correction action must be one of {CORRECTION_ACTIONS}, not {action!r}")
    scope = correction.get("scope")
    if scope not in CORRECTION_SCOPES:
        raise ValueError(f"correction scope must be one of {CORRECTION_SCOPES}, not {scope!r}")
    if not isinstance(correction.get("text"), str):
        raise ValueError("correction text must be a string")
    label = correction.get("label")
    if label is not None and not isinstance(label, str):
        raise ValueError("correction label must be a string or None")
    if action in ("relabel", "add") and not label:
        raise ValueError(f"a {action!r} correction needs a label")
    if label is not None and action in ("relabel", "add"):
        label = check_label(label, imported=imported)
    checked: dict[str, Any] = storable({**correction, "label": label}, "the correction")
    check_correction_shape(checked)
    return checked


_ID = re.compile(r"[0-9a-f]{32}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def check_imported(annotation: object) -> Annotation:
    """Return *annotation* (from an export) rebuilt through the checks a new one gets.

    Its id must be 32 lower-case hex digits and its times ``YYYY-MM-DDTHH:MM:SSZ``.
    Raises ValueError or TypeError naming the annotation and what is wrong.
    """
    if not isinstance(annotation, Annotation):
        raise TypeError(f"expected an Annotation, got {type(annotation).__name__}")
    where = f"annotation {annotation.id!r}"
    if not isinstance(annotation.id, str) or not _ID.fullmatch(annotation.id):
        raise ValueError(f"{where}: the id must be 32 lower-case hex digits")
    if annotation.kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}")
    for name in ("created", "modified"):
        value = getattr(annotation, name)
        if not isinstance(value, str) or not _TIME.fullmatch(value):
            raise ValueError(f"{where}: {name} must look like 2026-11-27T11:00:00Z")
    for name in ("article_sha256", "article_path"):
        if not isinstance(getattr(annotation, name), str) or not getattr(annotation, name):
            raise ValueError(f"{where}: {name} must be a non-empty string")
    is_correction = annotation.kind == "correction"
    return Annotation(
        id=annotation.id,
        kind=annotation.kind,
        article_sha256=annotation.article_sha256,
        article_path=annotation.article_path,
        created=annotation.created,
        modified=annotation.modified,
        body=check_body(annotation.body),
        target=check_target(annotation.target, required=annotation.kind != "note"),
        correction=(
            check_correction(annotation.correction, imported=True) if is_correction else None
        ),
    )
