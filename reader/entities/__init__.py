"""Named entities: recognition (spaCy), document-level consistency rules and the on-disk cache."""

from reader.entities.span import LABELS, Span

__all__ = ["LABELS", "Span"]
