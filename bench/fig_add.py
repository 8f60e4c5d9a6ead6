"""Figure 9: `reader add` throughput, pages per second from a local server, against a bare
fetch-and-extract loop; and how long `reader add` takes to find that a URL is already in a
library of the largest size (the duplicate check, warm).

**Throughput**: N generated news pages (bench/generate.py's articles wrapped in a page with
navigation, an advert, share buttons and comments) are served by ``http.server``
(threaded) on 127.0.0.1 in this process. Each run times, as whole processes from start to
exit, into an empty folder:

- the baseline: bench/bare_fetch.py, ``httpx.get`` + ``trafilatura.extract`` one page at a
  time, writing the text (no limits, no duplicate checks, no front matter);
- `reader add --to DIR URL...` (the default 4 at a time, 2 per host).

**Duplicate check**: with the largest generated library as the library in force (its
known-articles index warm), `reader add` of a URL already in it, against `reader
--version` (the cost of starting the command at all).
"""

from __future__ import annotations

import contextlib
import html
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from context import SEED, Bench, load_average
from generate import article
from stats import Row, Sample

PAGES = 200
"""Pages fetched per run (quick: 20)."""


def _page(index: int) -> str:
    made = article(SEED + 1, index)
    title, *paragraphs = [p for p in made.text.split("\n\n") if p.strip()]
    body = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | The Bench Times</title>
<meta name="author" content="Bench Reporter {index}">
<meta property="og:site_name" content="The Bench Times">
<meta property="article:published_time" content="2026-05-{index % 28 + 1:02d}T08:00:00Z">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a>
<a href="/sport">Sport</a></nav></header>
<aside class="advert"><p>Subscribe today: three months for the price of one!</p></aside>
<main><article><h1>{html.escape(title)}</h1>{body}</article>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<section class="comments"><h2>Comments</h2><p>Great piece, thanks.</p></section></main>
<footer><p>Copyright 2026 The Bench Times. Follow us on Google News.</p></footer>
</body></html>
"""


def _site(bench: Bench, n: int) -> Path:
    folder = bench.work / "site"
    if not folder.exists():
        (folder / "news").mkdir(parents=True)
        for i in range(n):
            (folder / "news" / f"{i:05d}.html").write_text(_page(i), encoding="utf-8")
    return folder


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])}... failed:\n{result.stderr[-2000:]}")
    return seconds


def adding(bench: Bench) -> list[Row]:
    """Figure 9: pages/s of `reader add` and of the bare loop; the warm duplicate check."""
    n = 20 if bench.quick else PAGES
    site = _site(bench, n)
    bare_fetch = str(Path(__file__).with_name("bare_fetch.py"))
    out = bench.work / "state" / "add-out"
    reader_rates, bare_rates, loads = [], [], []
    with _serve(site) as base:
        urls = [f"{base}/news/{i:05d}.html" for i in range(n)]
        for run in range(bench.runs):
            loads.append(load_average())
            shutil.rmtree(out, ignore_errors=True)
            bare_rates.append(
                n / _timed([bench.python, bare_fetch, str(out), *urls], bench.env("add"))
            )
            shutil.rmtree(out, ignore_errors=True)
            bench.clear_state("add")
            env = bench.env("add")
            seconds = _timed([*bench.reader, "add", "--to", str(out), *urls], env)
            reader_rates.append(n / seconds)
            added = len(list(out.glob("*.md")))
            if added != n:
                raise RuntimeError(f"reader add wrote {added} of {n} pages")
            bench.say(
                f"add N={n} run {run + 1}: bare {bare_rates[-1]:.1f} pages/s, "
                f"reader add {reader_rates[-1]:.1f} pages/s"
            )
        rows = [
            Row(
                "9 add",
                f"{n} pages from a local server",
                Sample(reader_rates, "pages/s"),
                Sample(bare_rates, "pages/s"),
                "bare httpx.get + trafilatura.extract loop",
                n=n,
                notes=[f"load average (1, 5, 15 min) at each run: {loads}"],
            )
        ]
        rows.append(_duplicate_check(bench, urls[0], out))
    return rows


def _duplicate_check(bench: Bench, url: str, added: Path) -> Row:
    """`reader add URL` where URL is in a library of the largest size, warm, against
    `reader --version`."""
    size = max(bench.sizes)
    generated = bench.library(size)
    generated.settle()  # files too fresh for their stat to be trusted are read every time
    library = generated.folder
    shutil.copy(next(added.glob("*.md")), library / "zz-added.md")
    config = bench.work / "state" / "add-config.toml"
    config.write_text(f'library = ["{library}"]\n', encoding="utf-8")
    env = bench.env("add-dup", READER_CONFIG=str(config))
    try:
        _timed([*bench.reader, "add", url], env)  # builds the known-articles index
        checks, versions = [], []
        for _ in range(max(3, bench.runs)):
            versions.append(_timed([*bench.reader, "--version"], env) * 1000)
            checks.append(_timed([*bench.reader, "add", url], env) * 1000)
    finally:
        (library / "zz-added.md").unlink()
    bench.say(
        f"add duplicate check N={size}: {min(checks):.0f} ms, reader --version "
        f"{min(versions):.0f} ms"
    )
    return Row(
        "9 add",
        f"a URL already in {size:,} articles (warm index)",
        Sample(checks, "ms"),
        Sample(versions, "ms"),
        "reader --version",
        n=size,
    )
