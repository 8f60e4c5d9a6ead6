"""The baseline of figure 2's uncached switch: the spaCy pipeline alone, in the app's situation.

    python bench/pipeline_first.py PIPELINE < texts.json

A new process loads PIPELINE (``ner`` only, bench/pipeline.py), runs ``nlp(text)`` on the
first text of the JSON list on stdin (what the app's entity worker did first: the warm-up
article), then times ``nlp(text)`` once on each of the others, each read for the first
time, as the app's worker reads each article it is asked for. Prints the ms per text as a
JSON list. Why not the same text run again: see bench/fig_switch.py.
"""

from __future__ import annotations

import json
import sys
import time

import pipeline


def main() -> None:
    texts = json.load(sys.stdin)
    nlp = pipeline.load(sys.argv[1])
    nlp(texts[0])
    times = []
    for text in texts[1:]:
        started = time.perf_counter()
        nlp(text)
        times.append((time.perf_counter() - started) * 1000)
    print(json.dumps(times))


if __name__ == "__main__":
    main()
