"""Pilot tests: an entity reads on its label's colour, in every theme, found by the model
(it was drawn in the theme's light text on a date's full-strength yellow, 1.2:1) or
corrected by the user (it was drawn in the theme's primary text colour: blue on GPE's
green, 1.1:1)."""

from __future__ import annotations

from rich.color import Color

from reader.entities.span import LABELS, Span
from reader.ui.widgets.entity_colours import ArticleStyles, contrast

from .conftest import ready
from .test_app import SIZE


def test_contrast_is_the_wcag_ratio() -> None:
    assert round(contrast(Color.parse("#000000"), Color.parse("#ffffff")), 1) == 21.0
    assert round(contrast(Color.parse("#777777"), Color.parse("#ffffff")), 2) == 4.48
    assert contrast(Color.parse("#54a24b"), Color.parse("#54a24b")) == 1.0


async def test_corrected_entities_read_on_every_label_in_every_theme(make_settings) -> None:  # type: ignore[no-untyped-def]
    from reader.ui.app import build_app

    app = build_app(make_settings(model="no-such-pipeline"))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        colours = main.query_one(ArticleStyles)
        poor = []
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            for label in [*LABELS, "MY_OWN_LABEL"]:
                span = Span(0, 6, label, "MADRID", source="user")
                for current in (False, True):
                    style = colours.span_style(span, current)
                    assert style.bold and style.italic, (theme, label, style)
                    assert style.color is not None and style.bgcolor is not None
                    ratio = contrast(style.color, style.bgcolor)
                    if ratio < 4.5:
                        poor.append(f"{theme} {label}: {ratio:.1f}")
        assert not poor, poor


async def test_every_entity_reads_on_its_label_in_every_theme(make_settings) -> None:  # type: ignore[no-untyped-def]
    from reader.ui.app import build_app

    app = build_app(make_settings(model="no-such-pipeline"))
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        colours = main.query_one(ArticleStyles)
        poor = []
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            for label in [*LABELS, "MY_OWN_LABEL"]:
                style = colours.span_style(Span(0, 7, label, "Tuesday"), False)
                assert style.color is not None and style.bgcolor is not None, (theme, label)
                ratio = contrast(style.color, style.bgcolor)
                if ratio < 4.5:
                    poor.append(f"{theme} {label}: {ratio:.1f}")
        assert not poor, poor
