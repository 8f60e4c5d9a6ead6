"""The article list's border title made to fit the border: "Articles · 3 of 1,200" in a
wide sidebar, "3 of 1,200" or "3 of 1.2k" in a narrow one (80 columns: 26), rather than
Textual's cut ("Articles · 3 of 1,2…")."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len

#: The border's cells a title cannot take: "╭─ " and " ─╮".
BORDER = 6


def short_count(count: int) -> str:
    """*count* in at most 4 cells or so: 950, 1.2k (rounded down), 12k, 3.4M."""
    if count < 1000:
        return str(count)
    for size, suffix in ((1_000_000, "M"), (1000, "k")):
        if count >= size:
            tenths = count * 10 // size
            return (
                f"{tenths // 10}.{tenths % 10}{suffix}"
                if tenths < 100 and tenths % 10
                else f"{tenths // 10}{suffix}"
            )
    return str(count)  # pragma: no cover


def fitting(titles: Sequence[str], width: int) -> str:
    """The first of *titles* (longest first) that fits a border *width* cells wide; the
    last if none does (Textual cuts it); the first while the width is not known (0)."""
    if width <= 0:
        return titles[0]
    room = width - BORDER
    return next((title for title in titles if cell_len(title) <= room), titles[-1])
