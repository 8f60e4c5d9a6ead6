"""The add notice's line on teasers kept after a refresh: one line, however many."""

from __future__ import annotations

from pathlib import Path

from reader.ui.add_dialog import teasers_kept
from reader.web.report import SourceResult


def kept(title: str) -> SourceResult:
    return SourceResult(
        f"https://example.org/{title}",
        "checked",
        Path(f"{title}.md"),
        "teaser kept: HTTP 503 SERVICE UNAVAILABLE",
        title=title,
        teaser_only=True,
    )


def test_teasers_kept_are_summed_up_in_one_line() -> None:
    assert teasers_kept([]) == []
    assert teasers_kept([kept("Storm")]) == [
        "Teaser kept: “Storm”, its page still failing (HTTP 503 SERVICE UNAVAILABLE)"
    ]
    assert teasers_kept([kept(t) for t in ("A", "B", "C")]) == [
        "3 teasers kept, their pages still failing: “A”, “B”, “C”"
    ]
    assert teasers_kept([kept(t) for t in ("A", "B", "C", "D\x1b[2J")]) == [
        "4 teasers kept, their pages still failing: “A”, “B”, “C”, …"
    ]
