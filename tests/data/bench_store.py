"""Time saving one annotation into a store that already holds N (median of several saves).

Run from the repository root:

    python tests/data/bench_store.py 1000 10000

For each N it builds a fresh database of N highlights-with-notes spread over 200 articles
(about 450 bytes of JSON each), reopens it, then times ``add_note`` calls (each one returns
only once the file is fsynced and replaced). It prints the first save after opening, which
also serialises every stored document once, and the median and 90th percentile of the rest.
For comparison it times one insert with TinyDB's stock JSONStorage on the same data.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reader.store import AnnotationStore, ArticleRef

SAVES = 25


def _target(i: int) -> dict[str, object]:
    return {
        "position": {"start": 100 + i, "end": 160 + i},
        "quote": {
            "exact": f"a passage of the article that the reader highlighted, number {i}",
            "prefix": "the words just before it ",
            "suffix": " and the words after it",
        },
    }


def _articles() -> list[ArticleRef]:
    return [
        ArticleRef(f"articles/story-{a:03}.md", f"{a:064x}", f"Story number {a}")
        for a in range(200)
    ]


def _build(path: Path, n: int) -> None:
    articles = _articles()
    # Build through the storage in one batch: n separate fsynced saves would take minutes.
    with AnnotationStore(path) as store, store._storage.batch():
        for i in range(n):
            store.add_note(articles[i % 200], f"Why this matters, note {i}.", _target(i))


def _time_store(path: Path) -> tuple[float, float, float]:
    articles = _articles()
    with AnnotationStore(path) as store:
        times = []
        for i in range(SAVES + 1):
            start = time.perf_counter()
            store.add_note(articles[i % 200], f"A new note {i}.", _target(i))
            times.append((time.perf_counter() - start) * 1000)
    rest = sorted(times[1:])
    return times[0], statistics.median(rest), rest[int(len(rest) * 0.9)]


def _time_stock(path: Path) -> float:
    from tinydb import TinyDB

    times = []
    with TinyDB(path) as db:  # default JSONStorage, re-reads the file on every operation
        table = db.table("annotations")
        for i in range(9):
            start = time.perf_counter()
            table.insert({"id": f"x{i}", "body": "A new note.", "target": _target(i)})
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "annotations.json"
            _build(path, n)
            size = path.stat().st_size
            first, median, p90 = _time_store(path)
            stock = _time_stock(path)
            print(
                f"{n:>6} stored ({size / 1e6:.1f} MB): first save {first:.1f} ms, "
                f"median {median:.1f} ms, p90 {p90:.1f} ms over {SAVES} saves; "
                f"stock JSONStorage median {stock:.1f} ms"
            )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1000, 10000])
