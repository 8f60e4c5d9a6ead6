"""Pilot tests: a keyboard selection with a movable start (`o` swaps the end that moves,
as in vim's visual mode), started at the cursor word."""

from __future__ import annotations

from pathlib import Path

from reader.ui.widgets.article_view import ArticleView

from .conftest import in_article, settle

SIZE = (120, 30)
TEXT = (
    "Talks in Geneva\n\nThe Foreign Office said little. Talks resume on Monday.\n\n"
    "A second paragraph. It has two sentences.\n"
)


def library(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


def selected(view: ArticleView) -> str:
    assert view.selection is not None
    return view.text[slice(*view.selection)]


async def test_o_moves_the_start_to_select_a_phrase_that_is_no_entity(
    make_settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    # No model: the phrase is selected by keys alone, with no entity to start from.
    async with in_article(
        make_settings(library(tmp_path / "a"), model="no-such-pipeline"), SIZE
    ) as (app, pilot, view):
        assert "o" not in {k for k, b in app.screen.active_bindings.items()} or (
            app.screen.active_bindings["o"].binding.action != "swap_ends"
        )
        await pilot.press("slash", *"office", "enter", "escape")  # the cursor: the match
        await settle(pilot)
        view.focus()
        await pilot.press("v")
        assert selected(view) == "Office"  # v starts at the cursor word
        assert app.screen.active_bindings["o"].binding.action == "swap_ends"
        await pilot.press("o", "b")
        assert selected(view) == "Foreign Office"
        await pilot.press("b")
        assert selected(view) == "The Foreign Office"
        await pilot.press("w")  # the start moves forward again
        assert selected(view) == "Foreign Office"
        await pilot.press("w", "w", "w")  # never past the last selected word
        assert selected(view) == "Office"
        await pilot.press("(")
        assert selected(view) == "The Foreign Office"
        await pilot.press("o", "w")  # the end moves again
        assert selected(view) == "The Foreign Office said"
        await pilot.press("escape")
        assert view.selection is None


async def test_o_outside_a_selection_is_not_bound_to_the_selection(make_settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with in_article(
        make_settings(library(tmp_path / "a"), model="no-such-pipeline"), SIZE
    ) as (app, pilot, view):
        bound = app.screen.active_bindings.get("o")
        assert bound is None or bound.binding.action != "swap_ends"
        await pilot.press("o")
        assert view.selection is None
