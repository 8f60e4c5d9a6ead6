"""Figure 2: switching articles, from the keypress to the frame with the new article.

Measured on the real app in a pty (bench/terminal.py), not with Textual's Pilot: Pilot's
``press`` skips the terminal (no input parsing, no output written), and what the user
waits for is the keypress reaching the app and the frame reaching the terminal. The
library is twelve ~1,000-word articles (listed first) followed by the generated library of
size N. In one session: `j` moves the cursor to the next article and, once the screen is
quiet, Enter opens it; the time is from Enter to the frame in which that article's entity
panel lists its first entity (drawn in the same frame as the highlighted text).

- **cached**: articles 1-5, entities in the cache (written by this script beforehand);
  target ≤ 30 ms median. Baseline: bench/bare_app.py with the same list, where Enter
  shows the article's plain text in a Static (the least a Textual app does to switch);
  timed to the frame showing the start of one of its paragraphs.
- **uncached**: articles 7-11, after article 6 was opened to load spaCy; time until the
  highlights appear. The background pass is off (:func:`pass_off`): it would otherwise
  find a target's entities while the session rests, and the switch would be no miss
  (figure 16 times the switch landing while the pass is busy). Baseline: the same spaCy
  pipeline alone (``nlp(text)`` in this process, warm) on the same texts; target ≤ 1.3×
  that. Warm means the text was run just before, which the app's worker never has (it
  reads each of 7-11 once, after 6); checked (uncached5): in 34 new processes that loaded
  the pipeline and ran article 6, the first run of each of 7-11 took a median 3% more CPU
  than its repeats (quartiles -4% and +15%), wall time 7% (-9% and +26%, at load 2.5-4.7):
  within the noise, so the baseline stays as it is.

With ``--compare-path``, each run also times the same session with the reader package of
that copy of the repository (the code before a change), beside this code's: this code's
session first in odd runs, the other's first in even runs (which goes second meets a
machine the first left busier or warmer).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pipeline
from context import SEED, Bench
from generate import manifest_path, write_library
from stats import Row, Sample
from terminal import Terminal

from reader.entities.cache import EntityCache
from reader.entities.engines.base import EngineInfo
from reader.entities.engines.spacy_engine import SpacyEngine
from reader.entities.finder import EntityFinder
from reader.entities.span import Span
from reader.library import Article, Library
from reader.ui.widgets.entity_panel import group_entities

SWITCH_ARTICLES = 12
WORDS = 1000
CACHED = range(1, 6)
WARM_UP = 6
UNCACHED = range(7, 12)
QUIET = 0.3
"""Seconds without output that count as "the app is idle" between keys."""


@dataclass(frozen=True)
class SwitchArticle:
    """One of the twelve articles and what its entity panel starts with once found."""

    article: Article
    marker: str
    """The entity panel's first line for it: shown once its entities are."""
    text_marker: str
    """The start of a paragraph of its text found in no other of the twelve."""
    model_spans: list[Span]


def prepare(bench: Bench) -> list[SwitchArticle]:
    """Write the twelve articles; find their entities and the panel line to wait for."""
    folder = bench.work / "libraries" / "switch"
    write_library(folder, SWITCH_ARTICLES, SEED + 1, words=WORDS, prefix="s")
    articles = Library.load([folder]).articles
    recognizer = SpacyEngine()
    finder = EntityFinder(recognizer)
    found = []
    for article in articles:
        model_spans = recognizer.extract(article.text)
        groups = [
            g
            for gs in group_entities(finder.finish("", article.text, model_spans)).values()
            for g in gs
        ]
        found.append((article, model_spans, groups))
    taken: set[str] = set()
    result = []
    for article, model_spans, groups in found:
        # The panel line "  <text> ×<count>": short enough not to wrap in the panel, near
        # the top, and unlike any other article's (so the previous one's cannot match).
        others = {f"{g.text} ×{g.count}" for a, _, gs in found if a is not article for g in gs}
        marker = next(
            f"{g.text} ×{g.count}"
            for g in groups[:8]
            if len(g.text) <= 20 and f"{g.text} ×{g.count}" not in others | taken
        )
        taken.add(marker)
        result.append(SwitchArticle(article, marker, _text_marker(article, articles), model_spans))
    return result


def _text_marker(article: Article, articles: list[Article]) -> str:
    """The first 28 characters of the first paragraph after the title that no other has."""
    others = [a.text for a in articles if a is not article]
    for paragraph in article.text.split("\n\n")[1:]:
        candidate = paragraph.strip()[:28]
        if len(candidate) == 28 and not any(candidate in text for text in others):
            return candidate
    raise RuntimeError(f"no paragraph of {article.path.name} is unique")


def _open_next(terminal: Terminal, marker: str, timeout: float) -> tuple[float, float]:
    """Move to the next article and open it: (ms to the first frame, ms to *marker*)."""
    terminal.press("\x1b")  # Escape: back to the list (a no-op when already there)
    terminal.wait_quiet(QUIET)
    terminal.press("j")
    terminal.wait_quiet(QUIET)
    mark = terminal.mark
    pressed = terminal.press("\r")
    shown = terminal.wait_for(marker, since=mark, timeout=timeout)
    first = terminal.wait_output(since=mark)
    terminal.wait_quiet(QUIET)
    return (first - pressed) * 1000, (shown - pressed) * 1000


def _bare_switches(bench: Bench, n: int, articles: list[SwitchArticle]) -> list[float]:
    """The bare app, same list: ms from Enter to the frame showing the next article's text."""
    library = bench.library(n)
    command = bench.bare_app(manifest_path(articles[0].article.path.parent), library.manifest)
    times = []
    with Terminal(command, env=bench.env("switch-bare")) as terminal:
        terminal.wait_for(library.sidebar_marker, timeout=180)
        terminal.wait_quiet(QUIET)
        for i in CACHED:
            terminal.press("\x1b[B")  # Down: OptionList's own binding (no j in a bare app)
            terminal.wait_quiet(QUIET)
            mark = terminal.mark
            pressed = terminal.press("\r")
            shown = terminal.wait_for(articles[i].text_marker, since=mark, timeout=30)
            times.append((shown - pressed) * 1000)
            terminal.wait_quiet(QUIET)
    return times


def _pipeline_alone(nlp: object, texts: list[str]) -> list[float]:
    """ms for ``nlp(text)`` per text: warm, median of three."""
    times = []
    for text in texts:
        nlp(text)  # type: ignore[operator]
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            nlp(text)  # type: ignore[operator]
            runs.append((time.perf_counter() - started) * 1000)
        times.append(statistics.median(runs))
    return times


def switching(bench: Bench) -> list[Row]:
    """Figure 2 at every size: cached and uncached switches in one app session per run."""
    articles = prepare(bench)
    nlp = pipeline.load()
    pipeline_info = SpacyEngine().info
    rows: list[Row] = []
    # Switching does not depend on the library's size below a few thousand articles.
    sizes = [n for n in bench.sizes if n >= 1000] or bench.sizes[-1:]
    for n in sizes:
        bench.library(n)  # written before the first session is timed
        cached_ms, uncached_ms, frame_ms, bare_ms, alone_ms = [], [], [], [], []
        before_cached: list[float] = []
        before_uncached: list[float] = []
        for run in range(bench.runs):
            # With --compare-path, the two codes' sessions take turns going first: the
            # second of a pair ran slower or faster with the machine (the index build of
            # the first, the page cache), which favoured one code when this one always went
            # first (bench/HISTORY.md, issue 16).
            before_first = run % 2 == 1
            was = None
            if bench.compare_path is not None and before_first:
                was = _session(bench, n, articles, pipeline_info, bench.compare_path)
            run_cached, run_uncached, frames = _session(bench, n, articles, pipeline_info)
            if bench.compare_path is not None and not before_first:
                was = _session(bench, n, articles, pipeline_info, bench.compare_path)
            frame_ms += frames
            run_alone = _pipeline_alone(nlp, [articles[i].article.text for i in UNCACHED])
            run_bare = _bare_switches(bench, n, articles)
            cached_ms.append(statistics.median(run_cached))
            uncached_ms.append(statistics.median(run_uncached))
            alone_ms.append(statistics.median(run_alone))
            bare_ms.append(statistics.median(run_bare))
            said = (
                f"switch N={n:,} run {run + 1}: cached {cached_ms[-1]:.0f} ms (bare app "
                f"{bare_ms[-1]:.0f} ms); uncached {uncached_ms[-1]:.0f} ms (spaCy alone "
                f"{alone_ms[-1]:.0f} ms)"
            )
            if was is not None:
                was_cached, was_uncached, _ = was
                before_cached.append(statistics.median(was_cached))
                before_uncached.append(statistics.median(was_uncached))
                said += (
                    f"; before: cached {before_cached[-1]:.0f} ms, uncached "
                    f"{before_uncached[-1]:.0f} ms ({'before' if before_first else 'this'} "
                    "code first)"
                )
            bench.say(said)
        words = statistics.mean(a.article.word_count for a in articles)
        rows.append(
            Row(
                "2 switch",
                f"N={n:,}, cached, {words:,.0f}-word article",
                Sample(cached_ms, "ms"),
                Sample(bare_ms, "ms"),
                "bare app showing the text",
                "value_max",
                30,
                n=n,
                notes=[f"first frame after Enter: median {statistics.median(frame_ms):.0f} ms"],
            )
        )
        rows.append(
            Row(
                "2 switch",
                f"N={n:,}, uncached, {words:,.0f}-word article",
                Sample(uncached_ms, "ms"),
                Sample(alone_ms, "ms"),
                "spaCy pipeline alone",
                "ratio_max",
                1.3,
                n=n,
            )
        )
        if before_cached:
            rows.append(
                Row(
                    "2 switch",
                    f"N={n:,}, cached, the code before (--compare-path, same runs)",
                    Sample(before_cached, "ms"),
                    Sample(cached_ms, "ms"),
                    "this code",
                    n=n,
                )
            )
            rows.append(
                Row(
                    "2 switch",
                    f"N={n:,}, uncached, the code before (--compare-path, same runs)",
                    Sample(before_uncached, "ms"),
                    Sample(uncached_ms, "ms"),
                    "this code",
                    n=n,
                )
            )
    return rows


def pass_off(bench: Bench, state: str, reader_path: Path | None) -> dict[str, str]:
    """The environment that turns the background pass off (reader/ui/background.py): a
    config file saying ``background_entities = false``. Else it could find an uncached
    target's entities while the session rests between keys, and the switch would not be
    a miss; figure 16 measures a switch landing while the pass is busy. Nothing for a
    reader whose config file has no such key (one before the pass: it refuses the file)."""
    code = reader_path or bench.reader_path or Path(__file__).resolve().parent.parent
    if "background_entities" not in (code / "reader" / "config.py").read_text(encoding="utf-8"):
        return {}
    config = bench.work / "state" / state / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("background_entities = false\n", encoding="utf-8")
    return {"READER_CONFIG": str(config)}


@contextmanager
def started(
    bench: Bench,
    state: str,
    env: dict[str, str],
    articles: list[SwitchArticle],
    pipeline_info: EngineInfo,
    library: Path,
) -> Iterator[Terminal]:
    """The figure's session in *state*: the first :data:`WARM_UP` articles' entities
    cached, reader on the twelve and *library*, once its first article's panel is on
    screen and the screen quiet, the background pass off (also bench/probe_switch.py's
    and switch_timeline.py's)."""
    cache = EntityCache(bench.work / "state" / state / "cache")
    for item in articles[:WARM_UP]:
        cache.put(item.article.sha256, pipeline_info, item.model_spans)
    code = env.get("PYTHONPATH")
    env = {**env, **pass_off(bench, state, Path(code) if code else None)}
    command = [*bench.reader, str(articles[0].article.path.parent), str(library)]
    with Terminal(command, env=env) as terminal:
        terminal.wait_for(articles[0].marker, timeout=300)
        terminal.wait_quiet(QUIET)
        yield terminal


def _session(
    bench: Bench,
    n: int,
    articles: list[SwitchArticle],
    pipeline_info: EngineInfo,
    reader_path: Path | None = None,
) -> tuple[list[float], list[float], list[float]]:
    """One app session on a fresh cache (the package from *reader_path*, if given): the
    cached switches, the uncached ones, and the cached ones' first frames, in ms."""
    state = f"switch-{n}" if reader_path is None else f"switch-{n}-before"
    bench.clear_state(state)
    env = bench.env(state, reader_path=reader_path)
    library = bench.library(n)
    cached, uncached, frames = [], [], []
    with started(bench, state, env, articles, pipeline_info, library.folder) as terminal:
        for i in CACHED:
            first, shown = _open_next(terminal, articles[i].marker, 30)
            cached.append(shown)
            frames.append(first)
        _open_next(terminal, articles[WARM_UP].marker, 300)  # loads spaCy
        for i in UNCACHED:
            uncached.append(_open_next(terminal, articles[i].marker, 120)[1])
    return cached, uncached, frames
