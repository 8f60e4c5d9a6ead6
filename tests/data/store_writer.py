"""A writer process for the store's durability tests; it imports reader.store and nothing else.

    python tests/data/store_writer.py loop PATH            add notes forever
    python tests/data/store_writer.py add PATH N LABEL     add N notes, opening the store
                                                           for each one like a CLI command
    python tests/data/store_writer.py hold PATH SECONDS    add one note, then hold the write
                                                           lock SECONDS (a very long save)
    python tests/data/store_writer.py open PATH N LABEL    keep one store open (as the app
                                                           does) and add N notes through it

Each note's id is printed on a line of its own ("ack <id>") only after the call that saved
it has returned, so every acknowledged note must be in the file, however the process ends.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reader.store import AnnotationStore, ArticleRef, changelog
from reader.store.lock import WriteLock

# The journal tests: a journal from the first save on, compacted every few saves.
if "READER_TEST_JOURNAL" in os.environ:
    changelog.LOG_FROM_BYTES = 0
    changelog.COMPACT_SHARE = 0.02

ARTICLE = ArticleRef("articles/durability.md", "d" * 64, "Durability")
TARGET = {
    "position": {"start": 10, "end": 42},
    "quote": {"exact": "a passage", "prefix": "before ", "suffix": " after"},
}


def _say(line: str) -> None:
    print(line, flush=True)


def main(mode: str, path: Path, *args: str) -> None:
    heavy = sorted(name for name in ("textual", "spacy", "rich") if name in sys.modules)
    _say(f"modules {','.join(heavy) or '-'}")
    if mode == "loop":
        with AnnotationStore(path, wait=30) as store:
            _say("ready")
            for i in range(10**9):
                # The title changes length on every save, so that everything after it in
                # the file moves: a save that wrote in place would mix old and new bytes.
                article = ArticleRef(ARTICLE.path, ARTICLE.sha256, "Durability" + "!" * (i % 2))
                _say(f"ack {store.add_note(article, f'loop note {i}', TARGET).id}")
    elif mode == "add":
        count, label = int(args[0]), args[1]
        for i in range(count):
            with AnnotationStore(path, wait=60) as store:
                _say(f"ack {store.add_note(ARTICLE, f'{label} {i}', TARGET).id}")
    elif mode == "hold":
        with AnnotationStore(path) as store:
            _say(f"ack {store.add_note(ARTICLE, 'held', TARGET).id}")
        lock = WriteLock.acquire(path)
        _say("ready")
        time.sleep(float(args[0]))
        lock.release()
        _say("closed")
    elif mode == "open":
        count, label = int(args[0]), args[1]
        with AnnotationStore(path, wait=60) as store:
            for i in range(count):
                _say(f"ack {store.add_note(ARTICLE, f'{label} {i}', TARGET).id}")
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), *sys.argv[3:])
