"""Drawing what a keystroke changed in the frame that keystroke causes.

A Textual widget tells its screen that it needs drawing only once its own message queue is
idle (``Widget._check_refresh`` posts ``Update`` to the screen). When one key changes
several widgets (the find field's text, which lays the screen out, and the article's
matches), the screen's frame timer may draw the first change alone and the others a
frame or two later: 30 ms or more from key to the last of them on a busy screen. This
hands the changed widgets to the screen's next frame at once.

It uses Textual's private state (pinned to 8.2.8 in pyproject.toml): the same steps as
``_check_refresh`` and the screen's ``Update``/``UpdateScroll`` handlers (and, for
:func:`lay_out_in_next_frame`, its ``Layout`` handler), done now; :func:`draw_now` runs
the screen's frame timer's callback (``Screen._on_timer_update``) itself.
"""

from __future__ import annotations

import time
from typing import Any

from textual.screen import Screen
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


def lay_out_in_next_frame(*widgets: Widget) -> None:
    """As :func:`draw_in_next_frame`, with *widgets*' pending layout too: the screen lays
    them out and draws them in its next frame, not that frame drawing them at their old
    sizes and the next (once each widget's queue is idle) laying them out and drawing
    them again (the same steps as ``_check_refresh`` and the screen's ``Layout`` handler)."""
    for widget in widgets:
        if not widget.is_mounted or not widget.display or not widget._layout_required:
            continue
        widget._layout_required = False
        screen = widget.screen
        node: Widget = widget
        layout_required = False
        for ancestor in widget.ancestors:
            if not isinstance(ancestor, Widget):
                break
            ancestor._clear_arrangement_cache()
            ancestor._layout_updates += 1
            if ancestor not in screen._layout_widgets:
                screen._layout_widgets[ancestor] = set()
            if node not in screen._layout_widgets:
                screen._layout_widgets[ancestor].add(node)
                layout_required = True
            if not ancestor.styles.auto_dimensions:
                break
            node = ancestor
        if layout_required and not screen._layout_required:
            screen._layout_required = True
            screen.check_idle()
    draw_in_next_frame(*widgets)


def draw_now(screen: Screen[Any]) -> None:
    """Draw *screen*'s next frame now, from the key's handler, as its frame timer's tick
    would (``Screen._on_timer_update``: what was handed to the next frame is laid out and
    drawn, then the callbacks waiting for a frame run), not after the messages the key
    queued. An article switch queues the focus's Blur and Focus (the sidebar restyled as
    it loses the focus, ~3 ms): drawn after them, the article waited for work its frame
    does not show (the sidebar's new border is drawn in the frame after, either way).

    Textual's writer thread writes the frame to the terminal; this thread waits (at most
    :data:`WRITE_WAIT` seconds, asleep) until that thread has taken the frame from its
    queue: going on at once with the queued messages (~3 ms of CPU), it kept the
    interpreter's lock and a core from the writer, and the frame reached the terminal
    3-4 ms later than the frame was made (bench/fig_switch.py's sessions at load ~3)."""
    screen._on_timer_update()
    writer = getattr(screen.app._driver, "_writer_thread", None)
    queue = getattr(writer, "_queue", None)
    if queue is None:
        return  # headless (tests), or a driver without Textual's writer thread
    deadline = time.monotonic() + WRITE_WAIT
    while queue.qsize() and time.monotonic() < deadline:
        time.sleep(WRITE_POLL)


WRITE_WAIT = 0.005
"""At most this long :func:`draw_now` waits for the writer thread to take its frame."""

WRITE_POLL = 0.0002
"""How often it looks (each look sleeps, letting that thread have the lock)."""
