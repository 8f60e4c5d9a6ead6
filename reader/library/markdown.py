"""Markdown rendered to the text a reader sees, with its styles as ranges into that text.

A ``.md`` article is displayed rendered: no ``#``, ``**`` or link syntax, but the words,
with list bullets and numbers, block quotes, code blocks and rules written out as text, and
tables with their columns aligned (padded by display width: a wide character is two cells)
and a rule under their header row.
The styles (a heading's level, emphasis, a link and its URL...) are :class:`Format` ranges
of code points into the rendered text, so that entities, search, find, highlights and notes
all work on what the user sees, and the model reads words, not syntax.

Parsed with markdown-it-py (CommonMark, plus tables and strikethrough); this module only
walks its tokens. Textual-free: the article view maps each :attr:`Format.kind` to a style.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from rich.cells import cell_len

from reader.text import sanitize

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["FORMAT_KINDS", "RULE", "Format", "Rendered", "render_markdown"]

FORMAT_KINDS = frozenset(
    {
        *(f"h{level}" for level in range(1, 7)),
        "emphasis",
        "strong",
        "strike",
        "code",
        "code_block",
        "quote",
        "quote_bar",
        "link",
        "image",
        "list_marker",
        "rule",
        "table_header",
        "html",
    }
)
"""Every :attr:`Format.kind` the renderer writes."""

RULE = "─" * 40
"""How a horizontal rule is written."""

_BULLETS = ("•", "◦", "▪")
_QUOTE_BAR = "│ "
_CELL_SEPARATOR = " │ "
_HEADER_RULE = ("─", "─┼─")
"""The line under a table's header row: its rule per column, and where the bars cross."""


@dataclass(frozen=True, order=True)
class Format:
    """A style over ``text[start:end]`` of a rendered article."""

    start: int
    end: int
    kind: str
    """One of :data:`FORMAT_KINDS`: ``h1``…``h6``, ``emphasis``, ``strong``, ``link``…"""
    url: str | None = None
    """A link's or image's target, as written (untrusted: never markup, never opened
    without the user asking)."""


@dataclass(frozen=True)
class Rendered:
    """A Markdown text rendered: what is displayed and how it is styled."""

    text: str
    formats: tuple[Format, ...]
    """Sorted by start."""

    @property
    def first_heading(self) -> str | None:
        """The text of the first heading, if any."""
        for item in self.formats:
            if item.kind[0] == "h" and item.kind[1:].isdigit():
                return self.text[item.start : item.end]
        return None


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def render_markdown(source: str) -> Rendered:
    """Render the Markdown *source* (front matter already taken off) to text and formats.

    Every piece of text written is sanitised (an entity such as ``&#x202E;`` decodes to a
    character that must not reach the terminal), so the result is safe to display.
    """
    renderer = _Renderer()
    renderer.blocks(_parser().parse(source))
    return Rendered("".join(renderer.out), tuple(sorted(renderer.formats)))


@dataclass
class _Cell:
    """A table cell rendered alone: its one line of text, its display width (terminal
    cells), its alignment ("", "right", "center"), and its formats from its start."""

    text: str
    width: int
    align: str
    header: bool
    formats: list[Format]


@dataclass
class _List:
    ordered: bool
    depth: int
    width: int = 2
    """Width of the current item's marker: its content lines are indented by it."""


@dataclass
class _Renderer:
    out: list[str] = field(default_factory=list)
    formats: list[Format] = field(default_factory=list)
    pos: int = 0
    lists: list[_List] = field(default_factory=list)
    quotes: int = 0
    marker: str | None = None
    fresh: bool = False
    """Whether the list just opened is a top-level one (a blank line before it)."""
    """The marker of a list item whose first block is not written yet."""

    # --- writing -----------------------------------------------------------------------

    def write(self, text: str, kind: str | None = None, url: str | None = None) -> None:
        text = sanitize(text)
        if not text:
            return
        start = self.pos
        self.out.append(text)
        self.pos += len(text)
        if kind is not None:
            self.formats.append(Format(start, self.pos, kind, url))

    def line_start(self, first: bool) -> None:
        """Write a line's quote bars and list indentation (a list item's marker first)."""
        for _ in range(self.quotes):
            self.write(_QUOTE_BAR, "quote_bar")
        if not self.lists:
            return
        indent = sum(level.width for level in self.lists[:-1])
        if first and self.marker is not None:
            self.write(" " * indent)
            self.write(self.marker, "list_marker")
            self.marker = None
        else:
            self.write(" " * (indent + self.lists[-1].width))

    def begin_block(self) -> None:
        """Separate a new block from what came before, and start its first line."""
        if self.pos:
            # Items and blocks in a list follow each other line by line; others get a
            # blank line between them, as paragraphs in a plain-text article do.
            tight = self.lists and self.marker is not None and not self.fresh
            self.write("\n" if tight else "\n\n")
        self.fresh = False
        self.line_start(first=True)

    # --- blocks ------------------------------------------------------------------------

    def blocks(self, tokens: list[Token]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "heading_open":
                self.begin_block()
                start = self.pos
                self.inline(tokens[index + 1])
                if self.pos > start:
                    self.formats.append(Format(start, self.pos, token.tag))
                index += 2
            elif kind == "paragraph_open":
                if self.lists and self.marker is None and token.hidden:
                    self.write("\n")
                    self.line_start(first=False)
                else:
                    self.begin_block()
                start = self.pos
                self.inline(tokens[index + 1])
                if self.quotes and self.pos > start:
                    self.formats.append(Format(start, self.pos, "quote"))
                index += 2
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self.fresh = not self.lists
                self.lists.append(_List(kind == "ordered_list_open", len(self.lists)))
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open":
                level = self.lists[-1]
                if level.ordered:
                    marker = f"{token.info or '1'}{token.markup or '.'} "
                else:
                    marker = f"{_BULLETS[min(level.depth, len(_BULLETS) - 1)]} "
                level.width = len(marker)
                self.marker = marker
            elif kind == "list_item_close":
                if self.marker is not None:  # an empty item: its marker alone
                    self.begin_block()
            elif kind == "blockquote_open":
                self.quotes += 1
            elif kind == "blockquote_close":
                self.quotes -= 1
            elif kind in ("fence", "code_block"):
                self.code(token.content.rstrip("\n"), "code_block")
            elif kind == "html_block":
                self.code(token.content.rstrip("\n"), "html")
            elif kind == "hr":
                self.begin_block()
                self.write(RULE, "rule")
            elif kind == "table_open":
                index = self.table(tokens, index)
            index += 1

    def table(self, tokens: list[Token], index: int) -> int:
        """Write the table opening at *index*, its columns aligned by display width (a
        wide character takes two cells, as the view draws it; each column as wide as its
        widest cell, padded as its ``:---:`` alignment says); return its closing index."""
        rows: list[list[_Cell]] = []
        while index < len(tokens) and tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                rows.append([])
            elif token.type in ("th_open", "td_open") and rows:
                alone = _Renderer()
                alone.inline(tokens[index + 1])
                # One line: a cell's text never breaks it (tabs drawn as one space).
                text = "".join(alone.out).replace("\n", " ").replace("\t", " ")
                style = str(token.attrs.get("style", ""))
                align = "right" if "right" in style else "center" if "center" in style else ""
                header = token.type == "th_open"
                rows[-1].append(_Cell(text, cell_len(text), align, header, alone.formats))
                index += 1
            index += 1
        widths: list[int] = []
        for row in rows:
            for column, cell in enumerate(row):
                if column == len(widths):
                    widths.append(0)
                widths[column] = max(widths[column], cell.width)
        for number, row in enumerate(rows):
            if number:
                self.write("\n")
                self.line_start(first=False)
            else:
                self.begin_block()
            for column, cell in enumerate(row):
                last = column == len(row) - 1
                ends = last and not cell.text  # no spaces at a line's end
                if column:
                    self.write(_CELL_SEPARATOR.rstrip() if ends else _CELL_SEPARATOR, "rule")
                pad = widths[column] - cell.width
                before = pad if cell.align == "right" else pad // 2 if cell.align else 0
                if not ends:
                    self.write(" " * before)
                start = self.pos
                self.out.append(cell.text)  # sanitised as the cell was written
                self.pos += len(cell.text)
                self.formats.extend(
                    Format(start + f.start, start + f.end, f.kind, f.url) for f in cell.formats
                )
                if cell.header and cell.text:
                    self.formats.append(Format(start, self.pos, "table_header"))
                if not last:
                    self.write(" " * (pad - before))
            if number == 0 and row and all(cell.header for cell in row) and len(rows) > 1:
                # A rule under the header, as wide as the columns, crossing their bars.
                self.write("\n")
                self.line_start(first=False)
                line, cross = _HEADER_RULE
                self.write(cross.join(line * width for width in widths[: len(row)]), "rule")
        return index

    def code(self, content: str, kind: str) -> None:
        self.begin_block()
        for number, line in enumerate(content.split("\n")):
            if number:
                self.write("\n")
                self.line_start(first=False)
            self.write(line, kind)

    # --- inline ------------------------------------------------------------------------

    def inline(self, token: Token) -> None:
        opened: list[tuple[int, str, str | None]] = []
        for child in token.children or ():
            kind = child.type
            if kind == "text":
                self.write(child.content)
            elif kind == "softbreak":
                self.write(" ")
            elif kind == "hardbreak":
                self.write("\n")
                self.line_start(first=False)
            elif kind == "code_inline":
                self.write(child.content, "code")
            elif kind in ("em_open", "strong_open", "s_open", "link_open"):
                href = child.attrs.get("href") if kind == "link_open" else None
                opened.append((self.pos, kind[:-5], None if href is None else str(href)))
            elif kind in ("em_close", "strong_close", "s_close", "link_close") and opened:
                start, name, url = opened.pop()
                if self.pos > start:
                    self.formats.append(Format(start, self.pos, _INLINE[name], url))
            elif kind == "image":
                start = self.pos
                self.write(child.content or "image")
                src = child.attrs.get("src")
                self.formats.append(
                    Format(start, self.pos, "image", None if src is None else str(src))
                )
            # html_inline (raw tags) is markup, not text: left out.


_INLINE = {"em": "emphasis", "strong": "strong", "s": "strike", "link": "link"}
