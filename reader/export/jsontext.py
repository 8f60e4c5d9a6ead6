"""JSON text for exports: UTF-8, no NaN, and nothing in it a terminal would act on."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["dumps", "sorted_json"]

_KEY_ORDER = {
    key: rank
    for rank, key in enumerate(
        (
            *("position", "quote", "start", "end", "exact", "prefix", "suffix"),
            *("action", "label", "scope", "text"),
        )
    )
}
"""Keys of targets and corrections that come first, in reading order; others follow sorted."""

_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
"""Characters json.dumps leaves raw that a terminal may act on (DEL, C1 controls such as
CSI and OSC, bidi overrides, line separators) or UTF-8 cannot encode (lone surrogates, from
file names that are not UTF-8). json.dumps already escapes the C0 controls."""


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """Return *value* as JSON text, readable UTF-8 with the characters above escaped.

    Outside strings JSON is ASCII, so every match is inside a string, where ``\\uXXXX``
    reads back as the same character: the text loads as exactly *value*.

    Raises:
        ValueError: *value* holds NaN or an infinity (JSON has neither).
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def sorted_json(value: Any) -> Any:
    """Return a JSON value with the keys of every nested object in one fixed order (a copy):
    those of targets and corrections in reading order (position before quote, start before
    end, exact, prefix, suffix; action, label, scope, text), any others after, sorted."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (_KEY_ORDER.get(key, len(_KEY_ORDER)), key))
        return {key: sorted_json(value[key]) for key in keys}
    if isinstance(value, list):
        return [sorted_json(item) for item in value]
    return value
