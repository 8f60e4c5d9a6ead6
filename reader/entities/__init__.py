"""Named entities: engines that find them (spaCy is one), consistency rules, corrections, cache."""

from reader.entities.span import LABELS, Span

__all__ = ["LABELS", "Span"]
