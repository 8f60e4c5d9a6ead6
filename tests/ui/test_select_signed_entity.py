"""Pilot test: `v` on a marked entity that starts with a sign ("+1.2%", a PERCENT span of
the real model) selects it from its sign, not from the word after it."""

from __future__ import annotations

from pathlib import Path

from .conftest import in_article
from .test_selection_ends import selected

SIZE = (120, 30)
TEXT = "Markets\n\nThe index rose +1.2% on Monday, and sales grew to +$4 billion.\n"


def library(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


async def test_v_on_a_signed_entity_starts_at_its_sign(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with in_article(make_settings(library(tmp_path / "a")), SIZE) as (_app, pilot, view):
        for wanted, expected, then in (
            ("+1.2%", "+1.2%", "+1.2% on"),
            ("+$4 billion", "+$4", "+$4 billion"),
        ):
            for _ in range(10):
                if view.current_span is not None and view.current_span.text == wanted:
                    break
                await pilot.press("e")
            assert view.current_span is not None and view.current_span.text == wanted
            await pilot.press("v")
            assert selected(view) == expected  # the span's first word, its sign included
            await pilot.press("w")
            assert selected(view) == then
            await pilot.press("escape")
