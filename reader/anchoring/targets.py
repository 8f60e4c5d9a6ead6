"""Targets: where a passage is (position) and what it says (quote), as stored and as W3C
selectors. Plain JSON dicts in, plain dicts out; :mod:`reader.anchoring` finds them again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

AnchorState = Literal["anchored", "moved", "orphaned"]
"""Where an annotation stands in the current text: unchanged, found again elsewhere or
after an edit, or not found."""

CONTEXT_LENGTH = 32
"""Characters of prefix and suffix stored with a quote (what Hypothesis stores)."""


@dataclass(frozen=True)
class Anchoring:
    """Where a target was found in a text, from :func:`reanchor`."""

    state: AnchorState
    """``anchored`` (same place, same text), ``moved`` (found elsewhere or edited; store a
    fresh :func:`describe` of the new span) or ``orphaned`` (not found)."""
    start: int | None
    """Code-point offset of the passage's start in the text; ``None`` when orphaned."""
    end: int | None
    """Code-point offset just past the passage's end; ``None`` when orphaned."""


ORPHANED = Anchoring("orphaned", None, None)


@dataclass(frozen=True)
class Target:
    """A validated target: stored position and quote."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def describe(text: str, start: int, end: int, context: int = CONTEXT_LENGTH) -> dict[str, Any]:
    """Return the target (position and quote selectors) for ``text[start:end]``.

    The result is a plain JSON dict, stored with the annotation::

        {"position": {"start": s, "end": e},
         "quote": {"exact": ..., "prefix": ..., "suffix": ...}}

    *prefix* and *suffix* are up to *context* characters either side (fewer at the
    ends of the text). Raises ``ValueError`` unless ``0 <= start <= end <= len(text)``.
    """
    if context < 0:
        raise ValueError(f"context must be >= 0, got {context}")
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} is not within a text of length {len(text)}")
    return {
        "position": {"start": start, "end": end},
        "quote": {
            "exact": text[start:end],
            "prefix": text[max(0, start - context) : start],
            "suffix": text[end : end + context],
        },
    }


def to_w3c_selectors(target: dict[str, Any]) -> list[dict[str, Any]]:
    """Return *target* as a W3C Web Annotation selector list (quote first, then position).

    An orphan's target (:func:`orphan_target`: a quote and no position) gives the quote
    selector alone. Raises ``ValueError`` if *target* is neither.
    """
    if isinstance(target, dict) and "position" not in target:
        exact, prefix, suffix = parse_quote(target)
        return [{"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}]
    parsed = parse_target(target)
    return [
        {
            "type": "TextQuoteSelector",
            "exact": parsed.exact,
            "prefix": parsed.prefix,
            "suffix": parsed.suffix,
        },
        {"type": "TextPositionSelector", "start": parsed.start, "end": parsed.end},
    ]


def orphan_target(target: dict[str, Any]) -> dict[str, Any]:
    """Return *target* without its position: what an export says of an orphan, whose
    passage has no place in the text it names. Raises ``ValueError`` if it has no quote."""
    exact, prefix, suffix = parse_quote(target)
    return {"quote": {"exact": exact, "prefix": prefix, "suffix": suffix}}


def from_w3c_selectors(selectors: list[dict[str, Any]], *, orphan: bool = False) -> dict[str, Any]:
    """Return the target for a W3C selector list (the inverse of :func:`to_w3c_selectors`).

    Needs exactly one TextQuoteSelector and one TextPositionSelector, or, when *orphan*
    (an export said the passage is orphaned), the quote alone: the target is then an
    orphan's, as :func:`orphan_target` makes them. Selectors of other types
    (RangeSelector, XPathSelector, ...) are ignored. A quote selector's prefix
    and suffix are optional, as in the W3C model. Raises ``ValueError`` saying what is
    wrong.
    """
    if not isinstance(selectors, list):
        raise ValueError(f"selectors must be a list, got {type(selectors).__name__}")
    found: dict[str, dict[str, Any]] = {}
    for index, selector in enumerate(selectors):
        if not isinstance(selector, dict):
            raise ValueError(f"selector {index} is not an object: {selector!r}")
        kind = selector.get("type")
        if kind in ("TextQuoteSelector", "TextPositionSelector"):
            if kind in found:
                raise ValueError(f"more than one {kind} in selectors")
            found[kind] = selector
    if "TextQuoteSelector" not in found:
        raise ValueError("selectors have no TextQuoteSelector")
    quote = found["TextQuoteSelector"]
    if orphan and "TextPositionSelector" not in found:
        return orphan_target(
            {
                "quote": {
                    "exact": quote.get("exact"),
                    "prefix": quote.get("prefix", ""),
                    "suffix": quote.get("suffix", ""),
                }
            }
        )
    if "TextPositionSelector" not in found:
        raise ValueError("selectors have no TextPositionSelector")
    position = found["TextPositionSelector"]
    target = {
        "position": {"start": position.get("start"), "end": position.get("end")},
        "quote": {
            "exact": quote.get("exact"),
            "prefix": quote.get("prefix", ""),
            "suffix": quote.get("suffix", ""),
        },
    }
    parse_target(target)
    return target


def parse_target(target: dict[str, Any]) -> Target:
    """Return *target* validated, or raise ``ValueError`` saying what is wrong with it."""
    if not isinstance(target, dict):
        raise ValueError(f"target must be a dict, got {type(target).__name__}")
    position = target.get("position")
    quote = target.get("quote")
    if not isinstance(position, dict):
        raise ValueError("target has no 'position' object")
    if not isinstance(quote, dict):
        raise ValueError("target has no 'quote' object")
    start = _offset(position.get("start"), "start")
    end = _offset(position.get("end"), "end")
    if start > end:
        raise ValueError(f"position start {start} is after end {end}")
    return Target(
        start,
        end,
        _string(quote.get("exact"), "exact"),
        _string(quote.get("prefix"), "prefix"),
        _string(quote.get("suffix"), "suffix"),
    )


def parse_quote(target: dict[str, Any]) -> tuple[str, str, str]:
    """Return the quote's exact text, prefix and suffix, or raise ``ValueError``."""
    quote = target.get("quote") if isinstance(target, dict) else None
    if not isinstance(quote, dict):
        raise ValueError("target has no 'quote' object")
    return (
        _string(quote.get("exact"), "exact"),
        _string(quote.get("prefix"), "prefix"),
        _string(quote.get("suffix"), "suffix"),
    )


def _offset(value: object, name: str) -> int:
    """Return *value* if it is a code-point offset, else raise ``ValueError``."""
    # bool is an int in Python, but true/false in JSON is not an offset.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"position {name} must be an integer >= 0, got {value!r}")
    return value


def _string(value: object, name: str) -> str:
    """Return *value* if it is a string, else raise ``ValueError``."""
    if not isinstance(value, str):
        raise ValueError(f"quote {name} must be a string, got {value!r}")
    return value
