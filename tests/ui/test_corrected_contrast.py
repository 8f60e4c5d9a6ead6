"""Pilot tests: an entity reads on its label's colour, in every theme, found by the model
(it was drawn in the theme's light text on a date's full-strength yellow, 1.2:1) or
corrected by the user (it was drawn in the theme's primary text colour: blue on GPE's
green, 1.1:1)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.color import Color

from reader.entities.span import LABELS, Span
from reader.settings import Settings
from reader.ui.widgets.entity_colours import ArticleStyles, contrast

from .conftest import ready
from .test_app import SIZE


def test_contrast_is_the_wcag_ratio() -> None:
    assert round(contrast(Color.parse("#000000"), Color.parse("#ffffff")), 1) == 21.0
    assert round(contrast(Color.parse("#777777"), Color.parse("#ffffff")), 2) == 4.48
    assert contrast(Color.parse("#54a24b"), Color.parse("#54a24b")) == 1.0


async def poor_contrasts(
    settings: Settings, span_of: Callable[[str], Span], current: tuple[bool, ...]
) -> list[str]:
    """Every theme, every label (and one of the user's own): the styles of *span_of(label)*
    (marked as current or not) whose text reads under 4.5:1 on its background."""
    from reader.ui.app import build_app

    app = build_app(settings)
    poor = []
    async with app.run_test(size=SIZE) as pilot:
        colours = (await ready(pilot)).query_one(ArticleStyles)
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            for label in [*LABELS, "MY_OWN_LABEL"]:
                span = span_of(label)
                for marked in current:
                    style = colours.span_style(span, marked)
                    if span.source == "user":
                        assert style.bold and style.italic, (theme, label, style)
                    assert style.color is not None and style.bgcolor is not None, (theme, label)
                    ratio = contrast(style.color, style.bgcolor)
                    if ratio < 4.5:
                        poor.append(f"{theme} {label}: {ratio:.1f}")
    return poor


async def test_corrected_entities_read_on_every_label_in_every_theme(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(model="no-such-pipeline")
    corrected = partial(Span, 0, 6, text="MADRID", source="user")
    assert not await poor_contrasts(settings, lambda label: corrected(label=label), (False, True))


async def test_every_entity_reads_on_its_label_in_every_theme(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(model="no-such-pipeline")
    found = partial(Span, 0, 7, text="Tuesday")
    assert not await poor_contrasts(settings, lambda label: found(label=label), (False,))
