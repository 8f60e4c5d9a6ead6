"""The main pane: an article's text, word-wrapped, with its entities coloured by label."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.entities.span import Span
from reader.library.markdown import Format
from reader.text import sanitize_line
from reader.ui import motions
from reader.ui.widgets.article_formats import Formats, format_class, openable
from reader.ui.widgets.entity_colours import ArticleStyles
from reader.ui.wrapping import Line, line_of, offset_at, wrap

_HEADING = re.compile(r" {0,3}#{1,6} ")


@dataclass(frozen=True)
class Mark:
    """A passage annotation as drawn: where it is now (after re-anchoring) and what it is."""

    id: str
    """The annotation's id in the store."""
    kind: str
    """"highlight", "note" or "correction"."""
    start: int
    end: int


#: Selection motions of the selection's end: the unit name used in actions -> (forward,
#: backward) functions.
_MOTIONS = {
    "word": (motions.next_word_end, motions.previous_word_end),
    "sentence": (motions.next_sentence_end, motions.previous_sentence_end),
    "paragraph": (motions.next_paragraph_end, motions.previous_paragraph_end),
}

#: The same for the selection's start, once `o` made it the end that moves.
_START_MOTIONS = {
    "word": (motions.next_word_start, motions.previous_word_start),
    "sentence": (motions.next_sentence_start, motions.previous_sentence_start),
    "paragraph": (motions.next_paragraph_start, motions.previous_paragraph_start),
}


def copied_notice(text: str) -> str:
    """What the notice says after *text* went to the clipboard."""
    count = len(text)
    return f"Copied {count:,} character{'' if count == 1 else 's'}"


QUOTE_BAR = format_class("quote_bar")
"""The style of a block quote's bars, drawn again before its continuation lines."""


class ArticleView(ScrollView, can_focus=True):
    """Shows one article's text with entity highlights; `e`/`E` walk the entities.

    Draws only the lines on screen (a ScrollView with ``render_line``), so a long
    article costs no more than a short one to scroll or restyle. Its styles (entity
    colours, headings, marks, the selection, find matches, Markdown's formats) come from
    an :class:`ArticleStyles` (see reader/ui/widgets/entity_colours.py why they are not
    component classes here).
    """

    ALLOW_SELECT = False
    """Mouse selection is the view's own (it maps to text offsets), not Textual's."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Down", show=False),
        Binding("k,up", "scroll_up", "Up", show=False),
        Binding("g,home", "scroll_home", "Top", show=False),
        Binding("G,end", "scroll_end", "Bottom", show=False),
        Binding("space,pagedown", "page_down", "Page down", show=False),
        # In a selection b moves back a word; otherwise it pages up (next binding). One
        # help row says both: the first b binding has no description.
        Binding("b", "extend_back('word')", show=False),
        Binding(
            "left", "extend_back('word')", "In a selection: its end a word back (b too)", show=False
        ),
        Binding("b,pageup", "page_up", "Page up (b in a selection: word back)", show=False),
        Binding("e", "next_entity", "Next entity"),
        Binding("E", "previous_entity", "Prev entity"),
        Binding("v", "select", "Select"),
        Binding("w,right", "extend('word')", "In a selection: its end a word on", show=False),
        Binding(")", "extend('sentence')", "In a selection: its end a sentence on", show=False),
        Binding(
            "(", "extend_back('sentence')", "In a selection: its end a sentence back", show=False
        ),
        Binding("}", "extend('paragraph')", "In a selection: its end a paragraph on", show=False),
        Binding(
            "{", "extend_back('paragraph')", "In a selection: its end a paragraph back", show=False
        ),
        Binding("escape", "clear_selection", "Leave selection"),
        # Only in a selection (check_action): outside one, o is free for other uses.
        Binding("o", "swap_ends", "Other end"),
        Binding("y", "copy", "Copy the selection (or the marked entity)", show=False),
        # Only in a selection; otherwise Ctrl+C goes on to Textual's "press ctrl+q to quit".
        Binding("ctrl+c", "copy_selection", "Copy the selection", show=False),
        # On the screen, which owns the find field. A priority binding runs as the app
        # takes the key, before it hands the next keys to the focused widget: the keys
        # typed right after `/` go to the field (others run as the key bubbles back).
        Binding("slash", "screen.find", "Find", show=False, priority=True),
        Binding("n", "find_next", "Next match", show=False),
        Binding("N", "find_previous", "Prev match", show=False),
        # After the selection's: Escape leaves a selection first, then clears the find.
        Binding("escape", "clear_find", "Clear find", show=False),
        Binding("L", "open_link", "Open the marked link"),
    ]
    """`]a` and `[a` (next/previous annotation) are two-key sequences: see on_key."""

    EXTRA_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("]a", "Next annotation"),
        ("[a", "Previous annotation"),
        ("]l", "Next link (its address shown)"),
        ("[l", "Previous link"),
    ]
    """Keys handled in on_key rather than by bindings, for the help screen."""

    @dataclass
    class AnnotationJump(Message):
        """The user pressed `]a` or `[a`: the screen moves to the next/previous annotation."""

        forward: bool

    @dataclass
    class MarginChanged(Message):
        """The text's left margin changed (the pane is wider than the measure): the
        screen lines the header up with the text."""

        margin: int
        """Blank columns drawn left of the text (and as many, or one more, right of it)."""

    @dataclass
    class FindMoved(Message):
        """The current find match changed (`n`/`N`), or the find was cleared (Escape)."""

        index: int | None
        """The current match's number (from 0), None when there is none."""
        total: int
        """How many matches there are."""
        wrapped: bool = False
        """Whether the move went past the last match to the first, or back."""
        cleared: bool = False
        """Whether the find was cleared (Escape in the article)."""

    hidden_labels: var[frozenset[str]] = var(frozenset())
    """Labels whose entities are not coloured (toggled in the legend)."""

    finding = False
    """Whether the article's entities are still being found (set by the screen)."""

    end_seen = False
    """Whether the text's last line has been on screen since the text was shown (the
    screen's :class:`~reader.ui.screens.reading.Reading` marks an article read by it)."""

    end_on_screen = False
    """Whether the text's last line was on screen when last looked at (a scroll, a resize,
    a new text): kept, not computed, so that it still answers as the app closes."""

    def __init__(
        self, colours: ArticleStyles, *, measure: int | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.colours = colours
        """Where the entity styles come from."""
        self.measure = measure
        """The widest line, in columns (None: as wide as the pane). In a wider pane the
        text is centred: the blank splits evenly around it, as reading apps set a column,
        rather than all of it between the text and the panels on its right."""
        self._margin = 0
        """Blank columns drawn left of the text, to centre it (see :attr:`measure`)."""
        self._frame: tuple[int, Style] = (0, Style())
        """The width and base style of the frame being drawn (looked up once a frame)."""
        self._text = ""
        self._title_start = 0
        self._spans: list[Span] = []
        self._span_ends: list[int] = []
        self._lines: list[Line] = []
        self._starts: list[int] = []
        self._wrap_width = 0
        self._current: int | None = None
        self._marked_start: int | None = None
        """Where the marked entity starts: kept while the entities are found again (after a
        correction), so that the mark lands on it, or on its neighbour once it is gone."""
        self._cursor: int | None = None
        """Where the user last was in the text (an entity marked, a click, a selection's
        moving end, a find match, an annotation shown): `e`, `E` and `v` start there while it
        is on screen, else from the top of the screen."""
        self._cache: LRUCache[tuple[int, int, int], Strip] = LRUCache(1024)
        self._marks: list[Mark] = []
        self._current_mark: str | None = None
        self._anchor: int | None = None
        self._end: int | None = None
        self._pending: str | None = None
        self._drag_from: int | None = None
        self._found: list[tuple[int, int]] = []
        self._found_ends: list[int] = []
        self._found_current: int | None = None
        self._find_shown = False
        self._formats = Formats()
        self._current_link: int | None = None
        self._prepared: tuple[str, tuple[int, list[Line]]] | None = None
        """A text wrapped ahead of :meth:`show` (see :meth:`prepare`), with its width."""

    # --- content -------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The displayed text."""
        return self._text

    @property
    def spans(self) -> list[Span]:
        """The entities shown, sorted by start."""
        return self._spans

    @property
    def current_span(self) -> Span | None:
        """The entity marked by `e`/`E`, if any."""
        return None if self._current is None else self._spans[self._current]

    @property
    def visible_spans(self) -> list[Span]:
        """The entities whose label is not hidden."""
        return [s for s in self._spans if s.label not in self.hidden_labels]

    def show(
        self,
        text: str,
        spans: Iterable[Span] = (),
        wrapped: tuple[int, list[Line]] | None = None,
        formats: Iterable[Format] | None = None,
    ) -> None:
        """Show *text* (already sanitised) with *spans*, scrolled to the top.

        *wrapped* is ``(width, lines)`` when the text was wrapped elsewhere (a long article,
        in a worker): used if the view is still that wide. *formats* are the text's own
        styles when it is rendered Markdown (its headings are then theirs, not guessed).
        """
        self._text = text
        self._formats = Formats(None if formats is None else tuple(formats))
        self._current_link = None
        # Plain text: the first paragraph is drawn as the title. Rendered: no guessing.
        self._title_start = -1 if formats is not None else len(text) - len(text.lstrip())
        self._current = self._marked_start = self._cursor = None
        self._marks = []
        self._current_mark = None
        self._anchor = self._end = None
        self._found, self._found_ends, self._found_current = [], [], None
        self._find_shown = False
        self._wrap_width = 0
        self.set_spans(spans)
        prepared = self._prepared
        self._prepared = None
        if wrapped is None and prepared is not None and prepared[0] == text:
            wrapped = prepared[1]
        self._rewrap(wrapped)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.end_seen = False
        self._note_end()

    def prepare(self, text: str) -> None:
        """Wrap *text* now, at the width the view has, for the :meth:`show` that may follow
        (the list's cursor is on that article: the user may open it next)."""
        width = self._content_width()
        self._prepared = (text, (width, wrap(text, width)))

    def set_spans(self, spans: Iterable[Span]) -> None:
        """Replace the entities (the text stays, and so does the scroll position).

        The mark stays on the entity at the same place; if that one is gone (a correction
        removed it), it moves to the next entity shown, else to the last one before.
        """
        self._spans = sorted(spans)
        self._span_ends = [s.end for s in self._spans]
        self._current = None
        if self._marked_start is not None and self._spans:
            self._current = self._neighbour(self._marked_start)
            if self._current is not None:
                self._marked_start = self._spans[self._current].start
        self._refresh_all()

    def _neighbour(self, offset: int) -> int | None:
        """The entity that starts at *offset*, else the next one shown, else the last one."""
        index = bisect_left(self._spans, offset, key=lambda span: span.start)
        if index < len(self._spans) and self._spans[index].start == offset:
            return index
        indices = self._visible_indices()
        for index in indices:
            if self._spans[index].start >= offset:
                return index
        return indices[-1] if indices else None

    def _refresh_all(self) -> None:
        self._cache.clear()
        self.refresh()

    def watch_hidden_labels(self) -> None:
        self._refresh_all()

    # --- layout --------------------------------------------------------------------

    @property
    def wrap_width(self) -> int:
        """The width the text is wrapped at now."""
        return self._content_width()

    @property
    def margin(self) -> int:
        """Blank columns drawn left of the text (the pane is wider than the measure)."""
        return self._margin

    def _content_width(self) -> int:
        width = max(self.scrollable_content_region.width, 10)
        return min(width, self.measure) if self.measure else width

    def _set_margin(self) -> None:
        margin = max(0, (self.scrollable_content_region.width - self._wrap_width) // 2)
        if margin != self._margin:
            self._margin = margin
            self._refresh_all()
            self.post_message(self.MarginChanged(margin))

    def _rewrap(self, wrapped: tuple[int, list[Line]] | None = None) -> None:
        width = self._content_width()
        self._wrap_width = width
        if wrapped is not None and wrapped[0] == width:
            self._lines = wrapped[1]
        else:
            self._lines = wrap(self._text, width)
        self._starts = [line.start for line in self._lines]
        self.virtual_size = Size(width, len(self._lines))
        self._refresh_all()
        self._set_margin()

    def on_resize(self, event: events.Resize) -> None:
        if self._content_width() != self._wrap_width:
            self._rewrap()
        else:
            self._set_margin()
        self._note_end()

    # --- where the reader is ---------------------------------------------------------

    @property
    def top_offset(self) -> int:
        """The offset into the text of the top line on screen (0 when there is no text)."""
        return self._top_offset()

    def scroll_to_top_line(self, offset: int) -> None:
        """Scroll so that the line holding *offset* (clamped to the text) is the top one,
        or as near the top as the end of the text allows.

        Once the screen is laid out again: the header above may change height with the
        article (a title on two lines), and with it where the end of the text is."""
        self.call_after_refresh(self._scroll_to_top_line, offset, self._text)

    def _scroll_to_top_line(self, offset: int, text: str) -> None:
        if self._lines and text is self._text:  # else another text is shown since
            y = line_of(self._starts, max(0, min(offset, len(self._text))))
            # Forced: the scrollbar of a text just shown is not there until the next
            # layout, and without one Textual does not scroll.
            self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._note_end()

    def _note_end(self) -> None:
        height = self.scrollable_content_region.height
        self.end_on_screen = (
            bool(self._text) and height > 0 and int(self.scroll_y) + height >= len(self._lines)
        )
        if self.end_on_screen:
            self.end_seen = True

    # --- rendering -----------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Once a frame rather than once a line: both walk the DOM.
        self._frame = (self.size.width, self.rich_style)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width, base = self._frame
        if not width:  # called before the first frame
            width, base = self.size.width, self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        # Kept as drawn, cut to the width: a line on screen again costs a lookup. No
        # offsets in the styles (Strip.apply_offsets, a style per segment): they serve
        # Textual's own text selection, which this view leaves out (ALLOW_SELECT).
        key = (index, scroll_x, width)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_screen_line(index, base).crop_extend(
                scroll_x, scroll_x + width, base
            )
            self._cache[key] = strip
        return strip

    def _render_screen_line(self, index: int, base: Style) -> Strip:
        """Draw screen line *index*: the text cut where a style starts or ends.

        Styles are layered in this order, later ones over earlier ones: entities, the
        user's marks, find matches, the selection (what ``Text.stylize`` did, without
        building a Text).
        """
        plain = base
        line = self._lines[index]
        start, end = line.start, line.end
        # Tabs are drawn as one space so that one code point is one drawn character.
        raw = self._text[start:end].replace("\t", " ")
        if self._is_heading(line):
            base = base + self.colours.component("article--heading")
        layers = self._formats.layers(start, end, self.colours.component, self._current_link)
        hidden = self.hidden_labels
        first = bisect_right(self._span_ends, start)
        for span_index in range(first, len(self._spans)):
            span = self._spans[span_index]
            if span.start >= end:
                break
            if span.label in hidden and span_index != self._current:
                continue
            style = self.colours.span_style(span, span_index == self._current)
            layers.append((max(span.start, start) - start, min(span.end, end) - start, style))
        for mark in self._marks:
            if mark.start < end and mark.end > start:
                name = "article--highlight" if mark.kind == "highlight" else "article--note"
                style = self.colours.component(name)
                if mark.id == self._current_mark:
                    style += self.colours.component("article--mark-current")
                layers.append((max(mark.start, start) - start, min(mark.end, end) - start, style))
        if self._found:
            layers += self._found_layers(start, end)
        selection = self.selection
        if selection is not None and selection[0] < end and selection[1] > start:
            style = self.colours.component("article--selection")
            layers.append((max(selection[0], start) - start, min(selection[1], end) - start, style))
        # The spaces a line ends with take no layer: an entity or a mark the wrap cuts
        # would colour the gap after its last word on this line ("Shah ").
        visible = len(raw.rstrip())
        if visible < len(raw):
            layers = [(a, min(b, visible), style) for a, b, style in layers if a < visible]
        width = len(raw) if raw.isascii() else cell_len(raw)
        margin = [Segment(" " * self._margin, plain)] if self._margin else []
        width += self._margin
        if line.prefix:  # a wrapped quote's bars, drawn again (not in the text)
            margin.append(Segment(line.prefix, base + self.colours.component(QUOTE_BAR)))
            width += len(line.prefix)
        if not layers:
            return Strip([*margin, Segment(raw, base)] if raw else margin, width)
        cuts = sorted({0, len(raw), *(a for a, _, _ in layers), *(b for _, b, _ in layers)})
        segments = margin
        for left, right in pairwise(cuts):
            style = base
            for layer_start, layer_end, layer in layers:
                if layer_start <= left and right <= layer_end:
                    style += layer
            segments.append(Segment(raw[left:right], style))
        return Strip(segments, width)

    def _found_layers(self, start: int, end: int) -> list[tuple[int, int, Style]]:
        """The find matches on the line ``text[start:end]``, as layers."""
        layers = []
        match_style = self.colours.component("article--find-match")
        first = bisect_right(self._found_ends, start)
        for index in range(first, len(self._found)):
            match_start, match_end = self._found[index]
            if match_start >= end:
                break
            style = match_style
            if index == self._found_current:
                style = self.colours.component("article--find-current")
            layers.append((max(match_start, start) - start, min(match_end, end) - start, style))
        return layers

    def _is_heading(self, line: Line) -> bool:
        """Whether *line* belongs to the title (first paragraph line) or a Markdown heading
        (plain text only: a rendered article's headings are among its formats)."""
        if self._formats.rendered:
            return False
        paragraph_start = self._text.rfind("\n", 0, line.start) + 1
        if paragraph_start == self._title_start:
            return True
        return _HEADING.match(self._text, paragraph_start) is not None

    # --- entity navigation ---------------------------------------------------------

    def _visible_indices(self) -> list[int]:
        hidden = self.hidden_labels
        return [i for i, s in enumerate(self._spans) if s.label not in hidden]

    def _top_offset(self) -> int:
        top = int(self.scroll_offset.y)
        return self._lines[top].start if top < len(self._lines) else 0

    def on_screen(self, offset: int) -> bool:
        """Whether the line holding *offset* is on screen."""
        if not self._lines:
            return False
        top = int(self.scroll_offset.y)
        return top <= line_of(self._starts, offset) < top + self.scrollable_content_region.height

    def _marked_on_screen(self) -> int | None:
        """The marked entity's number, if it is shown (its label not hidden) and on screen."""
        current = self._current
        if current is None or self._spans[current].label in self.hidden_labels:
            return None
        return current if self.on_screen(self._spans[current].start) else None

    def action_next_entity(self) -> None:
        """Mark the next entity: after the marked one while it is on screen, else the first
        at or after the cursor (see :meth:`cursor_offset`), wrapping to the first."""
        indices = self._visible_indices()
        if not indices:
            self._no_entities()
            return
        current = self._marked_on_screen()
        if current is not None:
            target = indices[(indices.index(current) + 1) % len(indices)]
        else:
            after = self.cursor_offset()
            candidates = [i for i in indices if self._spans[i].start >= after]
            target = candidates[0] if candidates else indices[0]
        self.mark(target)

    def action_previous_entity(self) -> None:
        """Mark the previous entity: before the marked one while it is on screen, else the
        last before the cursor (see :meth:`cursor_offset`), wrapping to the last."""
        indices = self._visible_indices()
        if not indices:
            self._no_entities()
            return
        current = self._marked_on_screen()
        if current is not None:
            target = indices[(indices.index(current) - 1) % len(indices)]
        else:
            before = self.cursor_offset()
            candidates = [i for i in indices if self._spans[i].start < before]
            target = candidates[-1] if candidates else indices[-1]
        self.mark(target)

    def _no_entities(self) -> None:
        if self.finding:
            self.notify("Entities are still being found…", timeout=2)
        else:
            self.notify("No entities to jump to", severity="warning")

    def mark(self, index: int | None, scroll: bool = True) -> None:
        """Mark entity number *index* (None to clear) and scroll it into view."""
        self._current = index
        self._marked_start = None if index is None else self._spans[index].start
        if index is not None:
            self._cursor = self._spans[index].start
        self._refresh_all()
        if index is not None and scroll:
            self.scroll_to_offset(self._spans[index].start)

    def mark_at(self, offset: int) -> None:
        """Mark the entity that starts at or covers *offset*, else just scroll there."""
        index = bisect_left(self._span_ends, offset + 1)
        if index < len(self._spans) and self._spans[index].start <= offset:
            self.mark(index)
        else:
            self.scroll_to_offset(offset)

    def scroll_to_offset(self, offset: int) -> None:
        """Scroll so that the line holding *offset* is on screen (centred when it was not)."""
        if not self._lines:
            return
        y = line_of(self._starts, offset)
        top = int(self.scroll_offset.y)
        if not top <= y < top + self.scrollable_content_region.height:
            self.scroll_to(
                y=max(0, y - self.scrollable_content_region.height // 2),
                animate=False,
                immediate=True,
            )

    def offset_at_screen(self, x: int, y: int) -> int | None:
        """Return the text offset drawn at widget cell (*x*, *y*), or None past the text.

        *x* and *y* are relative to the widget's region, padding included (as in mouse
        events).
        """
        x, y = x - self.gutter.left - self._margin, y - self.gutter.top
        if x < 0:
            x = 0
        index = int(self.scroll_offset.y) + y
        if not 0 <= index < len(self._lines):
            return None
        return offset_at(self._text, self._lines[index], x + int(self.scroll_offset.x))

    def on_click(self, event: events.Click) -> None:
        if self._drag_from is not None or self.selection is not None:
            return
        offset = self.offset_at_screen(event.x, event.y)
        if offset is None:
            return
        index = bisect_left(self._span_ends, offset + 1)
        if index < len(self._spans) and self._spans[index].start <= offset:
            self.mark(index, scroll=False)
        else:  # a click elsewhere moves the cursor there, and leaves no entity marked
            self.mark(None)
            self._cursor = offset

    # --- selection -----------------------------------------------------------------

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected range ``(start, end)`` in code points, or None."""
        if self._anchor is None or self._end is None:
            return None
        start, end = sorted((self._anchor, self._end))
        return (start, end) if end > start else None

    @property
    def selecting(self) -> bool:
        """Whether a keyboard or mouse selection is in progress."""
        return self._anchor is not None

    def cursor_offset(self) -> int:
        """Where the user is: the cursor (the entity marked, the word clicked, where the last
        selection ended, the find match or the annotation gone to) while it is on screen,
        else the top line on screen. A new selection starts at the word there."""
        if self._cursor is not None and self.on_screen(self._cursor):
            return self._cursor
        return self._top_offset()

    def select_range(self, start: int, end: int) -> None:
        """Select ``text[start:end]`` (clamped to the text)."""
        start = max(0, min(start, len(self._text)))
        end = max(0, min(end, len(self._text)))
        self._anchor, self._end = start, end
        self._refresh_all()
        self.refresh_bindings()

    def action_select(self) -> None:
        """Start a selection on the word at the cursor (`v`); on the marked entity, its
        first word as the entity has it ("+1.2%": the model's span, its sign and "%")."""
        offset = self.cursor_offset()
        start, end = motions.word_at(self._text, offset)
        span = self.current_span
        if span is not None and span.start == offset:
            end = max(end, motions.chunk_end(self._text, offset, span.end))
        self.select_range(start, end)
        self.scroll_to_offset(end)

    def _start_moves(self) -> bool:
        """Whether the end that moves (`o` swaps them) is the selection's start."""
        return self._anchor is not None and self._end is not None and self._end < self._anchor

    def action_extend(self, unit: str) -> None:
        """Move the moving end forward: the selection's end to the end of the next
        word/sentence/paragraph; its start (after `o`) to the start of the next, never
        past the last selected word's start."""
        if self._anchor is None or self._end is None:
            return
        if self._start_moves():
            forward, _ = _START_MOTIONS[unit]
            ceiling = max(motions.previous_word_start(self._text, self._anchor), self._end)
            self._end = min(forward(self._text, self._end), ceiling)
        else:
            forward, _ = _MOTIONS[unit]
            self._end = forward(self._text, self._end)
        self._moved()

    def action_extend_back(self, unit: str) -> None:
        """Move the moving end back: the selection's end, never before the first selected
        word's end; its start (after `o`) to the start of the previous word/sentence/
        paragraph."""
        if self._anchor is None or self._end is None:
            return
        if self._start_moves():
            _, start_back = _START_MOTIONS[unit]
            self._end = start_back(self._text, self._end)
        else:
            _, backward = _MOTIONS[unit]
            floor = motions.word_at(self._text, self._anchor)[1]
            self._end = max(backward(self._text, self._end, self._anchor), floor)
        self._moved()

    def action_swap_ends(self) -> None:
        """Make the other end of the selection the one that moves (`o`, as in vim)."""
        if self._anchor is None or self._end is None:
            return
        self._anchor, self._end = self._end, self._anchor
        self._moved()

    def _moved(self) -> None:
        self._refresh_all()
        if self._end is not None:
            self.scroll_to_offset(self._end)

    def action_clear_selection(self) -> None:
        """Leave the selection (`escape`); the cursor stays on its last word."""
        if self._anchor is not None and self._end is not None:
            self._cursor = self._end - 1 if self._end > self._anchor else self._end
        self._anchor = self._end = None
        self._refresh_all()
        self.refresh_bindings()

    def action_copy(self) -> None:
        """Copy the selection, else the marked entity, to the clipboard (`y`)."""
        selection = self.selection
        current = self.current_span
        if selection is not None:
            self._copy(self._text[selection[0] : selection[1]])
        elif current is not None:
            self._copy(self._text[current.start : current.end])
        else:
            self.notify(
                "Nothing to copy: select with v, or mark an entity with e", severity="warning"
            )

    def action_copy_selection(self) -> None:
        """Copy the selection to the clipboard (Ctrl+C, in a selection)."""
        if self.selection is not None:
            self.action_copy()

    def _copy(self, text: str) -> None:
        self.app.copy_to_clipboard(text)
        self.notify(copied_notice(text), markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("extend", "extend_back", "clear_selection", "swap_ends"):
            return self.selecting
        if action == "copy_selection":
            return self.selection is not None
        if action in ("find_next", "find_previous"):
            return self._find_shown
        if action == "open_link":
            return self._current_link is not None
        if action == "clear_find":
            return self._find_shown and not self.selecting
        return True

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button == 1:
            self._drag_from = self.offset_at_screen(event.x, event.y)
            if self.selecting:
                self.action_clear_selection()
            self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_from is None or not event.button:
            return
        offset = self.offset_at_screen(event.x, event.y)
        if offset is not None and offset != self._drag_from:
            self.select_range(self._drag_from, offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self.release_mouse()
        if self._drag_from is not None and not self.selecting:
            self._drag_from = None
            return  # a plain click: on_click marks the entity under it
        self._drag_from = None

    # --- annotations ---------------------------------------------------------------

    @property
    def current_mark(self) -> str | None:
        """The id of the annotation last jumped to."""
        return self._current_mark

    @property
    def marks(self) -> list[Mark]:
        """The passage annotations drawn, sorted by start."""
        return self._marks

    def set_marks(self, marks: Iterable[Mark]) -> None:
        """Draw these passage annotations (highlights and notes)."""
        self._marks = sorted(marks, key=lambda m: (m.start, m.end))
        self._refresh_all()

    def show_mark(self, mark_id: str | None) -> None:
        """Make *mark_id* the current annotation: drawn marked and scrolled into view."""
        self._current_mark = mark_id
        self._refresh_all()
        for mark in self._marks:
            if mark.id == mark_id:
                self._cursor = mark.start
                self.scroll_to_offset(mark.start)

    def on_key(self, event: events.Key) -> None:
        # Two-key sequences: ]a and [a.
        if self._pending is not None:
            pending, self._pending = self._pending, None
            if event.character == "a":
                event.stop()
                event.prevent_default()
                self.post_message(self.AnnotationJump(forward=pending == "]"))
                return
            if event.character == "l":
                event.stop()
                event.prevent_default()
                self.move_link(forward=pending == "]")
                return
        if event.character in ("]", "["):
            self._pending = event.character
            event.stop()
            event.prevent_default()

    # --- find in the article ---------------------------------------------------------

    @property
    def found(self) -> list[tuple[int, int]]:
        """The find matches drawn, ``(start, end)`` offsets into the text, in order."""
        return self._found

    @property
    def found_current(self) -> int | None:
        """The number (from 0) of the current find match, None when there is none."""
        return self._found_current

    def set_found(self, matches: list[tuple[int, int]], origin: int | None = None) -> int | None:
        """Draw the find *matches* (sorted, not overlapping; empty to clear them).

        The current match is the first one at or after *origin* (the top of the screen
        when None), wrapping to the first; it is scrolled into view. Returns its number.
        """
        self._found = matches
        self._found_ends = [end for _, end in matches]
        self._found_current = None
        shown_before, self._find_shown = self._find_shown, True
        if matches:
            after = self._top_offset() if origin is None else origin
            index = bisect_left(matches, (after, -1))
            self._found_current = index if index < len(matches) else 0
            self._cursor = matches[self._found_current][0]
            self.scroll_to_offset(self._cursor)
        self._refresh_all()
        if not shown_before:  # n, N and Escape are bound to the find from now on
            self.refresh_bindings()
        return self._found_current

    def clear_found(self) -> None:
        """Clear the find: no match drawn, `n`/`N`/Escape no longer bound to it."""
        self._found, self._found_ends, self._found_current = [], [], None
        self._find_shown = False
        self._refresh_all()
        self.refresh_bindings()

    @property
    def find_shown(self) -> bool:
        """Whether a find is shown (its matches drawn, possibly none)."""
        return self._find_shown

    def action_find_next(self) -> None:
        """Go to the next find match, from the last to the first (`n`)."""
        self._move_found(1)

    def action_find_previous(self) -> None:
        """Go to the previous find match, from the first to the last (`N`)."""
        self._move_found(-1)

    def _move_found(self, step: int) -> None:
        total = len(self._found)
        if not total:
            self.post_message(self.FindMoved(None, 0))
            return
        current = self._found_current
        if current is None:
            current = -1 if step > 0 else total
        index = (current + step) % total
        wrapped = index != current + step
        self._found_current = index
        self._cursor = self._found[index][0]
        self._refresh_all()
        self.scroll_to_offset(self._cursor)
        self.post_message(self.FindMoved(index, total, wrapped=wrapped))

    def action_clear_find(self) -> None:
        """Clear the find (`escape` in the article while a find is shown)."""
        self.clear_found()
        self.post_message(self.FindMoved(None, 0, cleared=True))

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    # --- links (rendered articles) ---------------------------------------------------

    @property
    def current_link(self) -> Format | None:
        """The link marked by `]l`/`[l`, if any."""
        index = self._current_link
        return None if index is None else self._formats.links[index]

    def move_link(self, forward: bool) -> None:
        """Mark the next (previous) link and show its address; it is opened only by `L`."""
        index = self._formats.next_link(self._current_link, self._top_offset(), forward)
        if index is None:
            self.notify("No more links" if self._formats.links else "No links", markup=False)
            return
        self._current_link = index
        link = self._formats.links[index]
        self._refresh_all()
        self.scroll_to_offset(link.start)
        self.refresh_bindings()
        # The address is untrusted text: never markup, one line, cut if very long.
        shown = sanitize_line(link.url or "", limit=300)
        self.notify(shown, title="Link (L opens it)", markup=False, timeout=6)

    def action_open_link(self) -> None:
        """Open the marked link in the browser (http, https and mailto only)."""
        link = self.current_link
        if link is None or not link.url:
            return
        if not openable(link.url):
            self.notify("Not opened: only http, https and mailto links are", severity="warning")
            return
        self.app.open_url(link.url)
