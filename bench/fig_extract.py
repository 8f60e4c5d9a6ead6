"""Figure 10: extraction quality on saved pages, against trafilatura run directly.

Saved news pages (bench/news_pages.py: a generated article in seeded news-site boilerplate,
with its reference text) are read the way the library reads a ``.html`` file
(``read_article``: ``extract_page`` to Markdown, rendered; the displayed text is scored),
and the same bytes are given to ``trafilatura.extract`` with its defaults (the baseline).
Each is scored against the reference by words (lower-cased ``\\w+``, counted as a bag):
precision, recall and F1 per page, averaged over the pages. Target: reader's F1 at least
0.98 of trafilatura's (our pipeline must not lose what trafilatura found). Deterministic:
one run is the figure.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path

from context import Bench
from news_pages import write_pages
from stats import Row, Sample

from reader.library import pages as page_cache
from reader.library.articles import Article, read_article

FULL_PAGES = 40
QUICK_PAGES = 8

_WORD = re.compile(r"\w+")


def scores(found: str, reference: str) -> tuple[float, float, float]:
    """Word-level ``(precision, recall, F1)`` of *found* against *reference*."""
    got = Counter(word.lower() for word in _WORD.findall(found))
    want = Counter(word.lower() for word in _WORD.findall(reference))
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def extraction(bench: Bench) -> list[Row]:
    """The figure's rows: F1 (with its target), precision and recall, each against
    trafilatura alone."""
    import trafilatura

    count = QUICK_PAGES if bench.quick else FULL_PAGES
    folder = bench.work / "saved-pages"
    made = write_pages(folder, count)
    page_cache.use_cache(None)  # extract every page: no cached result from another run
    ours: list[tuple[float, float, float]] = []
    theirs: list[tuple[float, float, float]] = []
    empty = 0
    for page in made:
        result = read_article(Path(folder / f"{page.name}.html"))
        text = result.text if isinstance(result, Article) else ""
        empty += not text
        ours.append(scores(text, page.reference))
        direct = trafilatura.extract(page.html) or ""
        theirs.append(scores(direct, page.reference))
    rows = []
    for name, number in (("F1", 2), ("precision", 0), ("recall", 1)):
        mine = statistics.mean(s[number] for s in ours)
        base = statistics.mean(s[number] for s in theirs)
        rows.append(
            Row(
                "10 extraction",
                f"word {name}, {count} saved news pages",
                Sample([mine], name),
                Sample([base], name),
                "trafilatura.extract alone",
                goal="ratio_min" if name == "F1" else None,
                limit=0.98 if name == "F1" else None,
                n=count,
                notes=[f"{empty} page(s) gave no article"] if name == "F1" and empty else [],
            )
        )
    return rows
