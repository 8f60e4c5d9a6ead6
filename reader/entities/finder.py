"""Entities as the user sees them: cached or freshly recognised, then made consistent.

The finder knows engines only through their protocol (reader/entities/engines/base.py):
the engine named by the settings is built by the registry.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from reader.entities.cache import EntityCache
from reader.entities.consistency import apply_consistency
from reader.entities.engines.base import EngineInfo, EntityModel, NoModel
from reader.entities.engines.registry import make_engine
from reader.entities.span import Span
from reader.settings import Settings

#: How many articles' ruled spans :class:`EntityFinder` keeps (the one shown, the one the
#: list's cursor is on, and a few gone back to).
RULED_KEPT = 8

#: Applies the user's corrections to an article's spans (see reader.annotations.correct_entities).
Corrector = Callable[[str, str, list[Span], bool], "list[Span] | None"]
"""``(sha256, text, spans, wait)``: the spans with the user's corrections applied; None only
when *wait* is False and the corrections cannot be read without waiting."""


class EntityFinder:
    """Finds an article's entities: cache first, the model otherwise, then the rules.

    Safe to call from worker threads. The model output is cached; the consistency
    rules (and the user's corrections, when a corrector is given) run on every call.
    The model is an engine in this process or a
    :class:`~reader.entities.worker.WorkerRecognizer` running it in a worker process:
    same spans.
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
        self._ruled: OrderedDict[tuple[str, EngineInfo], tuple[Span, ...]] = OrderedDict()
        """The cached model spans of the last few articles after the consistency rules
        (which depend on the text and those spans only), newest last."""
        self._ruled_lock = threading.Lock()

    @property
    def pipeline(self) -> EngineInfo:
        """The engine and model in use (found without loading the model)."""
        return self.recognizer.info

    def finish(self, sha256: str, text: str, model_spans: Sequence[Span]) -> list[Span]:
        """Apply the consistency rules and the user's corrections to *model_spans*."""
        spans = self._finish(sha256, text, model_spans, wait=True)
        assert spans is not None  # a corrector that may wait always answers
        return spans

    def _finish(
        self, sha256: str, text: str, model_spans: Sequence[Span], *, wait: bool
    ) -> list[Span] | None:
        spans = apply_consistency(text, model_spans)
        if self.corrector is not None:
            return self.corrector(sha256, text, spans, wait)
        return spans

    def cached(self, sha256: str, text: str, *, wait: bool = True) -> list[Span] | None:
        """Return the entities when the model's output is cached, without loading the model.

        None when they are not cached, or (with ``wait=False``, as the screen's thread asks)
        when the user's corrections cannot be read without waiting for a save.
        """
        ruled = self._cached_ruled(sha256, text)
        if ruled is None:
            return None
        if self.corrector is not None:
            return self.corrector(sha256, text, list(ruled), wait)
        return list(ruled)

    def prepare(self, sha256: str, text: str) -> bool:
        """Read *text*'s cached model spans and apply the rules now (the user is about to
        open it), so that :meth:`cached` answers without either. Whether they are cached."""
        return self._cached_ruled(sha256, text) is not None

    def is_ruled(self, sha256: str, text: str) -> bool:
        """Whether *text*'s cached model spans are kept ruled (:meth:`cached` answers
        without the rules: it was prepared or shown lately). Reads nothing."""
        try:
            key = (sha256, self.pipeline)
        except NoModel:
            return False
        with self._ruled_lock:
            return key in self._ruled

    def _cached_ruled(self, sha256: str, text: str) -> tuple[Span, ...] | None:
        """The cached model spans after the consistency rules (the user's corrections not
        applied: they change while the app runs), kept for the last :data:`RULED_KEPT`."""
        if self.cache is None:
            return None
        key = (sha256, self.pipeline)
        with self._ruled_lock:
            ruled = self._ruled.get(key)
            if ruled is not None:
                self._ruled.move_to_end(key)
                return ruled
        model_spans = self.cache.get(sha256, self.pipeline)
        if model_spans is None:
            return None
        ruled = tuple(apply_consistency(text, model_spans))
        with self._ruled_lock:
            self._ruled[key] = ruled
            while len(self._ruled) > RULED_KEPT:
                self._ruled.popitem(last=False)
        return ruled

    def ask(self, text: str) -> None:
        """*text*'s model spans (not cached) are about to be asked for by :meth:`find`:
        have the model start on them now if that costs no waiting (a worker process that is
        idle: :meth:`~reader.entities.worker.WorkerRecognizer.ask`; an engine in this
        process has nothing to start)."""
        ask = getattr(self.recognizer, "ask", None)
        if ask is not None:
            ask(text)

    def withdraw(self, keep: str | None = None) -> None:
        """The text :meth:`ask` sent ahead is no longer wanted unless it is *keep*: the
        model stops on it (another article was opened before its :meth:`find` started;
        :meth:`~reader.entities.worker.WorkerRecognizer.withdraw`)."""
        withdraw = getattr(self.recognizer, "withdraw", None)
        if withdraw is not None:
            withdraw(keep)

    def ask_unless_cached(self, sha256: str, text: str, *, rule: bool = True) -> None:
        """:meth:`ask`, when *text*'s model spans are not cached (when they are, with
        *rule*, the rules are applied to them now, and kept: :meth:`cached` then answers
        at once; without, only whether they are cached is looked up, no file read)."""
        if rule:
            if self._cached_ruled(sha256, text) is None:
                self.ask(text)
        elif self.cache is None or not self.cache.has(sha256, self.pipeline):
            self.ask(text)

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

    def find_then_save(
        self, sha256: str, text: str, cancelled: threading.Event | None = None
    ) -> tuple[list[Span], Callable[[], None]]:
        """:meth:`find`, and what writes the model's spans to the cache when they were not
        in it (call it once; a no-op on a hit): the app shows the entities first, and
        writes once their frame is painted (the file, ~2 ms, is not in the user's wait)."""
        ruled = self._cached_ruled(sha256, text)  # kept: shown again, ruled at once
        if ruled is not None:
            if self.corrector is not None:
                found = self.corrector(sha256, text, list(ruled), True)
                assert found is not None  # a corrector that may wait always answers
                return found, _nothing
            return list(ruled), _nothing
        spans = self.recognizer.extract(text, cancelled)
        cache, pipeline = self.cache, self.pipeline

        def save() -> None:
            if cache is not None:
                cache.put(sha256, pipeline, spans)

        return self.finish(sha256, text, spans), save


def _nothing() -> None:
    return None


def build_finder(
    settings: Settings,
    *,
    cache: EntityCache | None,
    corrector: Corrector | None = None,
    in_process: bool = False,
) -> EntityFinder:
    """Return the finder for *settings*' engine and model, reading and writing *cache*.

    Its model runs in the worker process (started at the first cache miss, so that this
    process never imports the engine's library and the model never shares its GIL), or
    here when *in_process*. The workspace (reader/workspace.py) is its one caller.
    """
    model: EntityModel
    if in_process:
        try:
            model = make_engine(settings.engine, settings.model)
        except NoModel as error:  # an unknown engine: said where a missing model is
            model = _Unavailable(error)
    else:
        # Imported here: the app's first frame does not need multiprocessing.
        from reader.entities.worker import WorkerRecognizer

        model = WorkerRecognizer(settings.engine, settings.model)
    return EntityFinder(model, cache, corrector)


class _Unavailable:
    """A model that could not be built: every use raises why (as a missing model does)."""

    def __init__(self, error: NoModel) -> None:
        self._error = error

    @property
    def info(self) -> EngineInfo:
        raise type(self._error)(*self._error.args)

    def extract(self, text: str, cancelled: threading.Event | None = None) -> list[Span]:
        raise type(self._error)(*self._error.args)
