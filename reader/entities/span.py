"""The entity span: a labelled range of code points in an article's displayed text."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

from reader.text import sanitize_line

Source = Literal["model", "consistency", "user"]

#: The OntoNotes labels of spaCy's English pipelines, in the order the legend shows them.
LABELS: tuple[str, ...] = (
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
    "PERCENT",
    "MONEY",
    "QUANTITY",
    "ORDINAL",
    "CARDINAL",
)

_ORDER = {label: i for i, label in enumerate(LABELS)}
_LABEL_SHAPE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")


def check_label(label: str, *, imported: bool = False) -> str:
    """*label* upper-cased, when it is one of :data:`LABELS` (the labels the app colours,
    its legend shows, its relabel picker and ``label:`` in search offer). *imported*
    (corrections and edits read back from an export): any label of that shape (capitals,
    digits, ``_``) is kept too, since a database written before labels were checked may
    hold one, and its own export must import again (a backup restored, a move).

    Raises:
        ValueError: it is not; the message lists the labels.
    """
    wanted = label.strip().upper()
    if wanted in _ORDER or (imported and _LABEL_SHAPE.fullmatch(wanted)):
        return wanted
    shown = sanitize_line(wanted, 40) or repr(label)
    raise ValueError(f"no label {shown} (labels: {', '.join(LABELS)})")


def label_order(label: str) -> tuple[int, str]:
    """Sort key: the labels in :data:`LABELS` order, any other label after them by name."""
    return (_ORDER.get(label, len(_ORDER)), label)


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """One entity mention: ``text[start:end]`` (code points) carries ``label``."""

    start: int
    """Offset of the first code point, in the displayed (sanitised) text."""
    end: int
    """Offset one past the last code point."""
    label: str
    """An OntoNotes label such as PERSON or GPE (or a user's own)."""
    text: str
    """The covered text, ``article_text[start:end]``."""
    source: Source = "model"
    """Who said so: the model, a consistency rule, or the user."""

    def to_json(self) -> dict[str, Any]:
        """Return the span as a JSON-ready dict (the shape `reader entities` prints)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Span:
        """Build a span from :meth:`to_json` output."""
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            label=str(data["label"]),
            text=str(data["text"]),
            source=data.get("source", "model"),
        )
