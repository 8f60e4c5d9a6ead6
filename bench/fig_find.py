"""Figure 7: find in the article (`/`), per keystroke, on a 2 MiB article.

The article is generated news copy (bench/generate.py, seeded) joined to the size at which
reader truncates an article (2 MiB), alone in a library; no entity model, so nothing else
runs meanwhile (the matches are drawn over the entities the same way with or without them).

- **Per keystroke in the app**: `reader` in a pty (bench/terminal.py), the find field open
  on the article, a word or phrase typed one key at a time (``m``, ``mi``, … ``minister``);
  each keystroke is timed from the key written to the pty to the last byte of the frame it
  causes (the field, every match on screen, the count), found once the output has been
  quiet for 0.25 s. Baseline: the same keys typed into the find field of a short article
  (what a keystroke and its repaint cost anyway). Target (issue 11): ≤ 30 ms median.
  With ``--compare-path``, the code in that copy of the repository types the same keys
  on the 2 MiB article in each run too, right after this code (before and after, paired).
- **find_all alone**: :meth:`FoldedText.find_all` for the same prefixes (the core).
  Baseline: ``re.finditer`` with ``re.IGNORECASE`` on the raw text (no accent folding).
- **Folding once** per article (:meth:`FoldedText.prepare`, in a worker on the first `/`).
"""

from __future__ import annotations

import re
import shutil
import statistics
import time
from pathlib import Path

from context import SEED, Bench
from generate import article
from stats import Row, Sample
from terminal import Terminal, TerminalTimeout, thread_times_ms

#: What is typed, one key at a time: a word common in the text, a surname, a phrase.
QUERIES = ["minister", "Okafor", "central bank governor"]
QUICK_QUERIES = ["minister"]
QUIET = 0.25
KEY_TIMEOUT = 10.0
"""Seconds without output after which a keystroke's frame is complete (the find takes
well under that, and the field's cursor blinks every 0.5 s)."""


def two_mib_article() -> str:
    """Generated articles joined until 2 MiB of UTF-8, cut there (as reader cuts a file)."""
    from reader.library.articles import MAX_ARTICLE_BYTES

    parts: list[str] = []
    size = 0
    index = 0
    while size < MAX_ARTICLE_BYTES:
        text = article(SEED, index).text
        parts.append(text)
        size += len(text.encode("utf-8")) + 2
        index += 1
    data = "\n\n".join(parts).encode("utf-8")[:MAX_ARTICLE_BYTES]
    return "A very long article\n\n" + data.decode("utf-8", errors="ignore")


def finding(bench: Bench) -> list[Row]:
    """Figure 7: per-keystroke time of find in the article, in the app and in the core."""
    from reader.search.find import FoldedText

    text = two_mib_article()
    queries = QUICK_QUERIES if bench.quick else QUERIES
    folds: list[float] = []
    for _ in range(bench.runs):
        started = time.perf_counter()
        folded = FoldedText(text).prepare()
        folds.append((time.perf_counter() - started) * 1000)
    core: list[float] = []
    naive: list[float] = []
    for _ in range(bench.runs):
        for query in queries:
            for end in range(1, len(query) + 1):
                prefix = query[:end]
                started = time.perf_counter()
                folded.find_all(prefix)
                core.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                pattern = r"\s+".join(map(re.escape, prefix.split()))
                flags = 0 if any(c.isupper() for c in prefix) else re.IGNORECASE
                if pattern:
                    [m.span() for m in re.finditer(pattern, text, flags)]
                naive.append((time.perf_counter() - started) * 1000)
    folder = bench.work / "state" / "find-articles"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "long").mkdir(parents=True)
    (folder / "long" / "long.txt").write_text(text, encoding="utf-8")
    (folder / "short").mkdir()
    short = article(SEED, 0).text
    (folder / "short" / "short.txt").write_text(short, encoding="utf-8")
    app_times: list[float] = []
    baseline: list[float] = []
    before: list[float] = []
    for _ in range(bench.runs):
        baseline += _typing(bench, folder / "short", short.splitlines()[0][:20], queries)
        app_times += _typing(bench, folder / "long", "A very long article", queries)
        if bench.compare_path is not None:
            before += _typing(
                bench, folder / "long", "A very long article", queries, bench.compare_path
            )
    bench.say(
        f"find on 2 MiB: folding {statistics.median(folds):.0f} ms once; per keystroke "
        f"{statistics.median(app_times):.1f} ms in the app (worst {max(app_times):.1f}), "
        f"{statistics.median(core):.1f} ms find_all (worst {max(core):.1f})"
    )
    typed = ", ".join(f"“{q}”" for q in queries)
    compared = []
    if before:
        compared.append(
            Row(
                "7 find",
                "2 MiB article, one keystroke, the code before (--compare-path, same runs)",
                Sample(before, "ms"),
                Sample(app_times, "ms"),
                "this code",
                notes=[f"worst keystroke {max(before):.1f} ms"],
            )
        )
    return [
        Row(
            "7 find",
            "2 MiB article, one keystroke in the app (key to painted, pty)",
            Sample(app_times, "ms"),
            Sample(baseline, "ms"),
            f"same keys, {len(short.split()):,}-word article",
            "value_max",
            30,
            notes=[
                f"typed one key at a time: {typed}; worst keystroke {max(app_times):.1f} ms",
            ],
        ),
        Row(
            "7 find",
            "2 MiB article, find_all per keystroke (core)",
            Sample(core, "ms"),
            Sample(naive, "ms"),
            "re.finditer, IGNORECASE, no folding",
            notes=[f"worst keystroke {max(core):.1f} ms"],
        ),
        Row(
            "7 find",
            "2 MiB article, folding once (on the first /, in a worker)",
            Sample(folds, "ms"),
        ),
        *compared,
    ]


def _typing(
    bench: Bench, folder: Path, marker: str, queries: list[str], reader_path: Path | None = None
) -> list[float]:
    """`reader` on *folder* in a pty (its package from *reader_path* if given): ms from each
    key typed into the find field to the last byte of the frame that shows its matches and
    count."""
    command = [*bench.reader, "--model", "no-such-pipeline", str(folder)]
    env = bench.env("find" if reader_path is None else "find-before", reader_path=reader_path)
    with Terminal(command, env=env) as terminal:
        terminal.wait_for(marker, timeout=120)
        terminal.wait_quiet(QUIET)
        terminal.press("\t")  # the list to the article
        terminal.wait_quiet(QUIET)
        terminal.press("/")
        terminal.wait_quiet(QUIET)
        terminal.press("x")  # the first key folds the article (in a worker)
        terminal.wait_quiet(QUIET)
        times = time_keystrokes(terminal, queries, "the find field")
        terminal.press("\x1b")
    return times


def time_keystrokes(
    terminal: Terminal,
    queries: list[str],
    field: str,
    usage: list[tuple[float, float]] | None = None,
) -> list[float]:
    """Type each query into the focused field one key at a time (emptied first with
    Ctrl+U): ms from each key written to the pty to the last byte of the frame it causes.
    With *usage*, each key's processor time of the program's threads and their wait for a
    core (ms, :func:`terminal.thread_times_ms`) are appended to it."""
    times: list[float] = []
    for query in queries:
        terminal.press("\x15")  # Ctrl+U: empty the field
        terminal.wait_quiet(QUIET)
        for key in query:
            before = thread_times_ms(terminal.pid) if usage is not None else (0.0, 0.0)
            mark = terminal.mark
            pressed = terminal.press(key)
            # The first output first (a busy machine may take longer than QUIET to answer
            # at all), then the rest of its frame.
            try:
                terminal.wait_output(since=mark, timeout=KEY_TIMEOUT)
            except TerminalTimeout:
                raise RuntimeError(
                    f"typing {key!r} into {field} drew nothing in {KEY_TIMEOUT:g} s"
                ) from None
            terminal.wait_quiet(QUIET)
            painted = terminal.wait_output(since=terminal.mark - 1)  # the last chunk
            times.append((painted - pressed) * 1000)
            if usage is not None:  # to the frame and the quiet after it (the cursor's blink)
                after = thread_times_ms(terminal.pid)
                usage.append((after[0] - before[0], after[1] - before[1]))
    return times
