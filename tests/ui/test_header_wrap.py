"""Pilot test: the header's metadata line, too long for the reading column, wraps between
its items (author, date, site, file, words, minutes), never inside one ("· 4" / "min
read"), and again so when the terminal is resized; and :func:`pack` itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reader.settings import Settings
from reader.ui.app import ReaderApp, build_app
from reader.ui.widgets.header_box import HeaderBox, pack

from .conftest import ready, settle

MakeSettings = Callable[..., Settings]

AUTHOR = "Jane Reporter, Northern Bureau"
SITE = "The Daily Example Morning Edition"
ARTICLE = f"""\
---
title: Talks resume in Berlin
author: {AUTHOR}
date: 2026-05-04
site: {SITE}
---
{"Chancellor Olaf Scholz met Emmanuel Macron in Berlin on Monday. " * 120}
"""


def header_lines(app: ReaderApp) -> list[str]:
    header = app.screen.query_one("#article-header", HeaderBox)
    return [header.render_line(y).text.strip() for y in range(header.size.height)]


def items_whole(lines: list[str], items: list[str]) -> None:
    """Each item on one line; a line's text only whole items and separators."""
    meta = [line for line in lines[1:] if line]
    assert len(meta) >= 2, lines  # it did wrap
    for line in meta:
        for piece in line.removesuffix(" ·").split(" · "):
            assert piece in items, (piece, lines)


async def test_the_metadata_line_wraps_between_items(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "talks.md").write_text(ARTICLE, encoding="utf-8")
    app = build_app(make_settings(folder))
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot)
        article = app.screen.article  # type: ignore[attr-defined]
        items = [AUTHOR, "2026-05-04", SITE, "talks.md"]
        items += [f"{article.word_count:,} words", f"{article.reading_minutes} min read"]
        items_whole(header_lines(app), items)
        for size in ((120, 40), (100, 30), (160, 50)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            items_whole(header_lines(app), items)


def test_pack_breaks_between_items_only() -> None:
    items = ["Jane Reporter", "news/a.md", "812 words", "4 min read"]
    assert pack(items, 0) == "Jane Reporter · news/a.md · 812 words · 4 min read"
    assert pack(items, 200) == pack(items, 0)
    assert pack(items, 40) == "Jane Reporter · news/a.md · 812 words ·\n4 min read"
    assert pack(items, 38) == "Jane Reporter · news/a.md · 812 words\n4 min read"  # no room
    assert pack(items, 5) == "Jane Reporter\nnews/a.md\n812 words\n4 min read"
