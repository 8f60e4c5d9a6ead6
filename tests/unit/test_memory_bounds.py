"""Memory the app gives back or keeps bounded (figure 5, the background pass).

Freed memory given back to the system (reader/heap.py), in a process of its own:
a child allocates ~48 MB in blocks glibc serves from its heap (larger than Python's
small-object allocator's, smaller than its mmap threshold), keeps one block allocated
after them (so the freed space is not the heap's top, which free() trims by itself),
frees the rest and reads its resident set before and after :func:`reader.heap.give_back`.
The search index's update gives back at its end. The name caches (name_key, display_name)
keep at most their bound.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader import heap

CHILD = """
import json, sys
sys.path.insert(0, {root!r})
from reader import heap

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

blocks = [bytearray(1500) for _ in range(32_000)]  # ~48 MB from glibc's heap
pin = bytearray(1500)  # above them: the freed space is not the heap's top
del blocks
before = rss()
gave = heap.give_back()
print(json.dumps({{"gave": gave, "before": before, "after": rss()}}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_freed_memory_leaves_the_resident_set() -> None:
    root = str(Path(heap.__file__).resolve().parent.parent)
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=root)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    found = json.loads(out)
    if not found["gave"]:
        pytest.skip("no malloc_trim (not glibc)")
    assert found["before"] - found["after"] > 30, found


def test_the_search_index_update_asks_for_a_give_back_at_the_next_rest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The update asks (heap.want_back), it does not trim then: the trim holds each arena's
    lock in turn, and the screen's thread may be allocating for a key's frame."""
    from reader.search.index import SearchIndex
    from reader.settings import Settings
    from reader.workspace import Workspace

    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.txt").write_text("A title\n\nSome words.\n", encoding="utf-8")
    trims: list[bool] = []
    real = heap.give_back
    monkeypatch.setattr(heap, "give_back", lambda: trims.append(real()) or True)
    monkeypatch.setattr(heap, "_wanted", False)
    settings = Settings(article_paths=[tmp_path / "lib"], cache_dir=tmp_path / "cache")
    index = SearchIndex.in_cache_dir(tmp_path / "cache")
    index.update(Workspace(settings), entities=False)
    assert trims == [], "the update trimmed at once"
    assert heap.give_back_if_wanted(), "the update did not ask for its freed memory back"
    assert len(trims) == 1
    assert not heap.give_back_if_wanted()  # asked once, given back once
    assert len(trims) == 1


def test_the_name_caches_keep_at_most_their_bound() -> None:
    """Every distinct mention the background pass indexes passes through name_key and
    display_name: a library's worth of them stays within NAMES_CACHED each (~4 MB)."""
    from reader.entities.library.names import NAMES_CACHED, display_name, name_key

    assert NAMES_CACHED <= 16384
    try:
        for i in range(NAMES_CACHED + 5000):
            name_key(f"Maria Okafor {i}", "PERSON")
            display_name(f"Maria Okafor {i}", "PERSON")
        assert name_key.cache_info().currsize <= NAMES_CACHED
        assert display_name.cache_info().currsize <= NAMES_CACHED
        assert name_key("Maria Okafor's", "PERSON") == "maria okafor"  # still right
    finally:  # the other tests' names, not these
        name_key.cache_clear()
        display_name.cache_clear()
