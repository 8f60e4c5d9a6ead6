"""Entities as the user sees them: cached or freshly recognised, then made consistent."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from reader.entities.cache import EntityCache
from reader.entities.consistency import apply_consistency
from reader.entities.recognizer import EntityModel, PipelineInfo, Recognizer
from reader.entities.span import Span
from reader.settings import Settings

#: Applies the user's corrections to an article's spans (see reader.annotations.correct_entities).
Corrector = Callable[[str, str, list[Span]], list[Span]]


class EntityFinder:
    """Finds an article's entities: cache first, the model otherwise, then the rules.

    Safe to call from worker threads. The model output is cached; the consistency
    rules (and the user's corrections, when a corrector is given) run on every call.
    The model is a :class:`Recognizer` in this process or a
    :class:`~reader.entities.worker.WorkerRecognizer` in a worker process: same spans.
    """

    def __init__(
        self,
        recognizer: EntityModel,
        cache: EntityCache | None = None,
        corrector: Corrector | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.cache = cache
        self.corrector = corrector

    @property
    def pipeline(self) -> PipelineInfo:
        """The pipeline in use (found without loading spaCy)."""
        return self.recognizer.info

    def finish(self, sha256: str, text: str, model_spans: Sequence[Span]) -> list[Span]:
        """Apply the consistency rules and the user's corrections to *model_spans*."""
        spans = apply_consistency(text, model_spans)
        if self.corrector is not None:
            spans = self.corrector(sha256, text, spans)
        return spans

    def cached(self, sha256: str, text: str) -> list[Span] | None:
        """Return the entities when the model's output is cached, without loading spaCy."""
        if self.cache is None:
            return None
        model_spans = self.cache.get(sha256, self.pipeline)
        return None if model_spans is None else self.finish(sha256, text, model_spans)

    def model_spans(
        self, sha256: str, text: str, cancelled: threading.Event | None = None
    ) -> list[Span]:
        """Return the model's own spans for *text*: from the cache, else by running it."""
        if self.cache is not None:
            hit = self.cache.get(sha256, self.pipeline)
            if hit is not None:
                return hit
        spans = self.recognizer.extract(text, cancelled)
        if self.cache is not None:
            self.cache.put(sha256, self.pipeline, spans)
        return spans

    def find(self, sha256: str, text: str, cancelled: threading.Event | None = None) -> list[Span]:
        """Return the entities to show for *text* (raises Cancelled when *cancelled* is set)."""
        return self.finish(sha256, text, self.model_spans(sha256, text, cancelled))


def build_finder(
    settings: Settings, corrector: Corrector | None = None, *, in_process: bool = False
) -> EntityFinder:
    """Return the finder *settings* describe (pipeline, cache folder).

    Its model runs in the worker process (started at the first cache miss, so that this
    process never imports spaCy and the model never shares its GIL), or here when
    *in_process*.
    """
    cache = EntityCache(settings.cache_dir) if settings.use_cache else None
    model: EntityModel
    if in_process:
        model = Recognizer(settings.model)
    else:
        # Imported here: the app's first frame does not need multiprocessing.
        from reader.entities.worker import WorkerRecognizer

        model = WorkerRecognizer(settings.model)
    return EntityFinder(model, cache, corrector)
