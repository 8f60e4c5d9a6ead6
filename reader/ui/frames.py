"""Drawing what a keystroke changed in the frame that keystroke causes.

A Textual widget tells its screen that it needs drawing only once its own message queue is
idle (``Widget._check_refresh`` posts ``Update`` to the screen). When one key changes
several widgets (the find field's text, which lays the screen out, and the article's
matches), the screen's frame timer may draw the first change alone and the others a
frame or two later: 30 ms or more from key to the last of them on a busy screen. This
hands the changed widgets to the screen's next frame at once.

It uses Textual's private state (pinned to 8.2.8 in pyproject.toml): the same steps as
``_check_refresh`` and the screen's ``Update``/``UpdateScroll`` handlers, done now.
"""

from __future__ import annotations

from textual.widget import Widget


def draw_in_next_frame(*widgets: Widget) -> None:
    """Put *widgets*' pending repaints and scrolls into the screen's next frame now (with
    their scrollbars': a scroll moves the bar's thumb)."""
    bars = [
        bar
        for widget in widgets
        for shown, bar in (
            (widget.show_vertical_scrollbar, widget._vertical_scrollbar),
            (widget.show_horizontal_scrollbar, widget._horizontal_scrollbar),
        )
        if shown and bar is not None
    ]
    for widget in [*widgets, *bars]:
        if not widget.is_mounted or not widget.display:
            continue
        screen = widget.screen
        if widget._scroll_required and not widget._layout_required:
            widget._scroll_required = False
            screen._scroll_required = True
        if widget._repaint_required:
            widget._repaint_required = False
            screen._dirty_widgets.add(widget)
        screen.check_idle()
