"""The sidebar's width: a share of the screen (styles/app.tcss: 38 columns up to a
140-column terminal, more on a wider one, at most 72) until the user sets one of their own
with `<` `>`, which the config file keeps for the next start (``sidebar = 48``)."""

from __future__ import annotations

from textual.widget import Widget

from reader.config import SIDEBAR_WIDTHS

#: Columns a `<` or `>` takes away or adds.
STEP = 4

#: The most of the screen a width of the user's takes, in percent (also a width remembered
#: on a wide terminal, started on a small one): the article is never narrower than the list.
MOST = 50


def stepped(width: int, step: int, screen_width: int) -> int:
    """The width after a step of *step* columns from *width*, within the config file's
    range (:data:`~reader.config.SIDEBAR_WIDTHS`) and :data:`MOST` of the screen."""
    low, high = SIDEBAR_WIDTHS.start, SIDEBAR_WIDTHS.stop - 1
    most = screen_width * MOST // 100
    return max(low, min(min(width, most) + step, high, most))


def set_width(sidebar: Widget, width: int) -> None:
    """Give *sidebar* the user's *width* (the stylesheet's share and bounds then yield)."""
    styles = sidebar.styles
    styles.width = width
    styles.min_width = SIDEBAR_WIDTHS.start
    styles.max_width = f"{MOST}%"
