"""The entity page's timeline line (reader.ui.widgets.entity_lists.timeline_content)."""

from __future__ import annotations

from reader.ui.widgets.entity_lists import timeline_content


def test_one_month_is_named_once() -> None:
    drawn = timeline_content([("2026-05-02", 2), ("2026-05-20", 1)], 40).plain
    assert drawn == "all in 2026-05: 3 mentions"
    assert drawn.count("2026-05") == 1


def test_several_months_show_the_span_the_bars_and_the_busiest() -> None:
    drawn = timeline_content([("2026-01-02", 1), ("2026-03-20", 4)], 40).plain
    assert drawn.startswith("2026-01 ▂ █ 2026-03 ")  # a cell a month, February's empty
    assert drawn.endswith("busiest 2026-03: 4 mentions")
