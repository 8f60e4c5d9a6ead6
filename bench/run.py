"""reader's benchmark suite: the five figures of the performance issue, against baselines.

    .venv/bin/python bench/run.py            # full: N = 100, 2,000, 10,000; 5 runs (~15 min)
    .venv/bin/python bench/run.py --quick    # N = 20, one run: proves it works (~1 min)

Generates libraries of realistic articles (bench/generate.py, seeded), then measures:

1. start to the first frame with the sidebar filled, in a pty, against a bare Textual app
   listing the same titles (bench/fig_startup.py);
2. switching articles, keypress to painted frame, cached and uncached (bench/fig_switch.py);
3. `reader index` throughput against a bare ``nlp.pipe`` loop (bench/fig_index.py);
4. saving one annotation with 1,000 and 10,000 stored, and the UI loop's lag meanwhile
   (bench/fig_save.py);
5. peak memory with the largest library open and spaCy loaded, and the resident set after
   the background pass cached 1,000 articles (bench/fig_memory.py; ``memory-pass``: that
   row alone);
6. the search index: build rate, `reader search` against `reader --version`, memory
   (bench/fig_search.py);
7. find in the article (bench/fig_find.py); 8. filtering the library (bench/fig_filter.py);
9. `reader add`: pages/s from a local server against a bare fetch-and-extract loop, and
   the duplicate check in the largest library (bench/fig_add.py);
10. extraction quality on saved pages, word F1 against trafilatura alone (bench/fig_extract.py).
11. the live library: a poll's whole walk, a watched change, the idle watch (bench/fig_live.py).
12. entity pages: the entity list, one entity's page, the index update after one article,
   memory added (bench/fig_entity.py).
13. an entity's page in the app (`p`), keypress to painted, in a pty
    (bench/fig_entity_page.py).
14. the annotation store at 1,000, 10,000 and 100,000 annotations: a warm save, a
    command's first save, `reader note`, the app's first frame and memory
    (bench/fig_store_scale.py).
15. notes whose quotes are gone: `reader annotations` over 10,000 and 100,000 (CPU), and
    the peak memory of `reader export` (every format) and `reader annotations`, against
    main's code (bench/fig_anchoring.py; ``export-memory``: the memory rows alone).
16. entities found in the background while the user rests: the pass's throughput against
    `reader index --jobs 1`, and the uncached switch landing while it is busy against the
    pass off (bench/fig_background.py).

Prints a table (medians, [min–max] over the runs, each against its baseline measured in
the same run) and writes every value as JSON to bench/results/ (git-ignored).
Needs Linux (a pty, /proc); numbers are only comparable on one machine.
"""

from __future__ import annotations

import argparse
import compileall
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from context import BENCH, ROOT, Bench, load_average, machine, write_json
from stats import Row, format_table

RESULTS = BENCH / "results"


def _figures() -> dict[str, Callable[[Bench], list[Row]]]:
    from fig_add import adding
    from fig_anchoring import anchoring, export_memory
    from fig_background import background
    from fig_entity import entity_pages
    from fig_entity_page import entity_page_keys
    from fig_extract import extraction
    from fig_filter import filtering
    from fig_find import finding
    from fig_index import indexing
    from fig_live import living
    from fig_memory import memory, memory_pass
    from fig_save import saving
    from fig_search import searching
    from fig_startup import startup
    from fig_store_scale import store_scale
    from fig_switch import switching

    return {
        "startup": startup,
        "switch": switching,
        "index": indexing,
        "save": saving,
        "memory": memory,
        "memory-pass": memory_pass,
        "search": searching,
        "find": finding,
        "filter": filtering,
        "add": adding,
        "extract": extraction,
        "live": living,
        "entity": entity_pages,
        "entity-page": entity_page_keys,
        "store-scale": store_scale,
        "anchoring": anchoring,
        "export-memory": export_memory,
        "background": background,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N=20, one run (for CI)")
    parser.add_argument(
        "--sizes", type=int, nargs="+", help="library sizes (default 100 2000 10000)"
    )
    parser.add_argument("--runs", type=int, help="runs per figure (default 5; quick 1)")
    parser.add_argument(
        "--figures", nargs="+", choices=list(_figures()), help="only these (default: all)"
    )
    parser.add_argument(
        "--index-articles", type=int, help="articles figure 3 indexes (default 400; quick 8)"
    )
    parser.add_argument("--out", type=Path, help="results file (default: bench/results/…)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument(
        "--reader-path",
        type=Path,
        help="measure the reader package (and styles) in this copy of the repository "
        "instead, e.g. with a change to try",
    )
    parser.add_argument(
        "--compare-path",
        type=Path,
        help="figure 1 also times the first start of the reader package in this copy of the "
        "repository (the code before a change), run by run with the one measured",
    )
    args = parser.parse_args(argv)
    if args.reader_path:
        args.reader_path = args.reader_path.resolve()
        sys.path.insert(0, str(args.reader_path))
    # Every program starts with its bytecode cached, as a user's does (pip compiles at
    # install): a fresh clone (or a `git archive`) has none, and the suite's programs run
    # with PYTHONDONTWRITEBYTECODE, so reader's ~150 modules would compile at every start.
    for copy in {args.reader_path or ROOT, *([args.compare_path] if args.compare_path else [])}:
        compileall.compile_dir(Path(copy).resolve() / "reader", quiet=1)
    quick = args.quick
    sizes = args.sizes or ([20] if quick else [100, 2000, 10000])
    runs = args.runs or (1 if quick else 5)
    chosen = args.figures or list(_figures())
    with tempfile.TemporaryDirectory(prefix="reader-bench-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        bench = Bench(
            work=work,
            sizes=sorted(sizes),
            runs=runs,
            quick=quick,
            index_articles=args.index_articles or (8 if quick else 400),
            reader_path=args.reader_path,
            compare_path=args.compare_path.resolve() if args.compare_path else None,
        )
        started = time.perf_counter()
        rows: list[Row] = []
        loads: dict[str, list[list[float]]] = {}
        figures = _figures()
        for name in chosen:
            before = load_average()
            rows.extend(figures[name](bench))
            loads[name] = [before, load_average()]
        seconds = time.perf_counter() - started
    info = machine()
    table = format_table(rows)
    print(table)
    print()
    print(
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, {info['os']}, "
        f"Python {info['python']}, Textual {info['textual']}, spaCy {info['spacy']}; "
        f"{runs} run(s); {seconds:.0f} s"
    )
    for row in rows:
        for note in row.notes:
            print(f"  {row.figure}, {row.case}: {note}")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = args.out or RESULTS / f"results-{stamp}{'-quick' if quick else ''}.json"
    data = {
        "when": stamp,
        "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": info,
        "settings": {
            "sizes": sizes,
            "runs": runs,
            "quick": quick,
            "figures": chosen,
            "reader_path": str(args.reader_path) if args.reader_path else None,
            "compare_path": str(args.compare_path) if args.compare_path else None,
        },
        "load_average": loads,
        "seconds": round(seconds, 1),
        "rows": [row.to_json() for row in rows],
        "table": table,
    }
    write_json(out, data)
    if args.out is None:
        write_json(RESULTS / ("latest-quick.json" if quick else "latest.json"), data)
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
