"""The baseline for `reader add`: a bare loop that fetches each URL with httpx and extracts
it with trafilatura, one page after the other, in one process.

    python bench/bare_fetch.py OUT_DIR URL...

What anyone would write first: ``httpx.get``, ``trafilatura.extract`` to Markdown, write
the text to a file. No limits, no duplicate checks, no front matter. Prints JSON: pages,
seconds in the loop.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    import httpx
    import trafilatura

    out, urls = Path(sys.argv[1]), sys.argv[2:]
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with httpx.Client() as client:
        for i, url in enumerate(urls):
            response = client.get(url)
            text = trafilatura.extract(response.text, output_format="markdown", url=url)
            (out / f"{i:05d}.md").write_text(text or "", encoding="utf-8")
    seconds = time.perf_counter() - started
    print(json.dumps({"pages": len(urls), "seconds": seconds}))


if __name__ == "__main__":
    main()
