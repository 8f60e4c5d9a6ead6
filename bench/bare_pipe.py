"""The baseline for `reader index`: a bare ``nlp.pipe`` loop over the same texts, one process.

    python bench/bare_pipe.py FOLDER [--paragraphs] [--batch-size B]

Reads every article under FOLDER the way reader does (so the texts are the same), loads
the same pipeline with only ``ner`` running, and runs ``for doc in nlp.pipe(texts):
doc.ents``: whole articles by default (what anyone would write), or with ``--paragraphs``
their paragraphs, which is what reader feeds the model (stricter: it is faster). Prints
JSON: articles, words, seconds in the loop.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pipeline

from reader.entities.engines.base import paragraphs
from reader.library import Library


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--paragraphs", action="store_true")
    parser.add_argument("--batch-size", type=int, default=None, help="default: spaCy's")
    args = parser.parse_args()
    articles = Library.load([args.folder]).articles
    texts = [article.text for article in articles]
    if args.paragraphs:
        texts = [chunk for text in texts for _, chunk in paragraphs(text)]
    nlp = pipeline.load()
    started = time.perf_counter()
    entities = 0
    for doc in nlp.pipe(texts, batch_size=args.batch_size):
        entities += len(doc.ents)
    seconds = time.perf_counter() - started
    words = sum(article.word_count for article in articles)
    print(
        json.dumps(
            {
                "articles": len(articles),
                "words": words,
                "entities": entities,
                "loop_seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
