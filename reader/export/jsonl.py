"""NER training data: one JSON line per article, in the shape spaCy, Prodigy and doccano read.

Each line is ``{"text": ..., "spans": [{"start", "end", "label"}, ...], "meta": {"path",
"title", "sha256", "tags", "pipeline"}}``: the article's displayed text and the entities
the app shows for it (the model's, the consistency rules', and the user's corrections
applied). Offsets are code points, which is what Python string indices, spaCy's
``Doc.char_span`` and Prodigy count.

Every span lines up with the pipeline's tokens, so ``doc.char_span(start, end)`` is never
None: a span that does not (a correction made on part of a word, say) is widened to the
tokens it touches, and dropped if it then overlaps another; each change is reported.
Articles whose text was not found (annotated, but no longer in the library nor at their
stored path) cannot be written and are reported too.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from reader.entities.engines.base import EngineInfo, TokenBounds
from reader.entities.engines.registry import make_engine
from reader.entities.span import Span
from reader.export.collection import Collection, ExportedArticle, Warn
from reader.export.jsontext import dumps

__all__ = ["TokenBounds", "align", "engine_token_bounds", "render"]


def render(collection: Collection, token_bounds: TokenBounds, warn: Warn) -> bytes:
    """Return one JSON line per article of *collection* that has its text and entities.

    *token_bounds* tokenises a text as the consumer will (see :func:`engine_token_bounds`);
    *warn* hears about every article skipped and every span changed.
    """
    lines = []
    for article in collection.each():
        if article.text is None or article.entities is None:
            warn(
                f"jsonl: skipped “{article.title or article.path}” ({article.sha256[:12]}): "
                "its text was not found (not in the library, and changed or gone at "
                f"{article.path})"
            )
            continue
        for correction in article.corrections:
            fix = correction.correction or {}
            if article.state_of(correction) == "orphaned" and fix.get("scope") == "mention":
                warn(
                    f"jsonl: not applied in “{article.title or article.path}”: the correction "
                    f"of “{fix.get('text', '')}”, whose passage is no longer in the article"
                )
        spans = align(article.text, article.entities, token_bounds(article.text), warn, article)
        lines.append(dumps(_record(article, spans, collection), indent=None))
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _record(article: ExportedArticle, spans: list[Span], collection: Collection) -> dict[str, Any]:
    pipeline = collection.pipeline
    return {
        "text": article.text,
        "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in spans],
        "meta": {
            "path": article.path,
            "title": article.title,
            "sha256": article.sha256,
            "tags": list(article.tags),
            "pipeline": None if pipeline is None else pipeline.key,
        },
    }


def align(
    text: str,
    spans: Sequence[Span],
    tokens: Sequence[tuple[int, int]],
    warn: Warn,
    article: ExportedArticle | None = None,
) -> list[Span]:
    """Return *spans* lined up with *tokens*: each widened to the tokens it touches if it
    does not start and end on token boundaries, dropped if it touches none or then
    overlaps a span kept before it. Sorted, non-overlapping."""
    starts = [start for start, _ in tokens]
    ends = [end for _, end in tokens]
    start_set, end_set = set(starts), set(ends)
    name = f" in “{article.title or article.path}”" if article is not None else ""
    kept: list[Span] = []
    for span in sorted(spans):
        fixed = span
        if not (span.start in start_set and span.end in end_set and span.start < span.end):
            first = bisect_right(ends, span.start)  # first token ending after the start
            last = bisect_left(starts, span.end)  # first token starting at or after the end
            if first >= last:
                warn(f"jsonl: dropped {_shown(span)}{name}: it covers no token")
                continue
            start, end = starts[first], ends[last - 1]
            fixed = Span(start, end, span.label, text[start:end], span.source)
        if kept and fixed.start < kept[-1].end:
            widened = " (widened to whole tokens)" if fixed is not span else ""
            warn(f"jsonl: dropped {_shown(span)}{name}: it overlaps {_shown(kept[-1])}{widened}")
            continue
        if fixed is not span:
            warn(f"jsonl: widened {_shown(span)}{name} to “{fixed.text}” (whole tokens)")
        kept.append(fixed)
    return kept


def _shown(span: Span) -> str:
    return f"{span.label} “{span.text}” [{span.start}:{span.end}]"


@lru_cache(maxsize=4)
def engine_token_bounds(engine: EngineInfo) -> TokenBounds:
    """Return how the entity engine that found the entities tokenises a text (its model
    loaded once, only what tokenising needs), as :data:`TokenBounds`."""
    return make_engine(engine.engine, engine.model).token_bounds()
