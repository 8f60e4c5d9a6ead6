"""Find in the article: every match of what the user types, by offsets into the displayed text.

Textual-free; the article view draws the matches as it draws entities (by code-point offsets
into ``Article.text``). What matches follows the query language's rules in :mod:`.text_match`
(the same folding, restated here per character because the offsets must be kept):

- **Smart case**: case-insensitive unless the query has an upper-case letter.
- **Accents folded**, always: NFKD with the combining marks dropped, so ``Zoe`` finds
  ``Zoë``, ``zoe`` finds ``ZOË``, and compatibility forms fold (``ﬁ`` is ``fi``).
- **Whitespace**: each run of whitespace in the query matches any run of whitespace in the
  text, line breaks included, so a phrase broken over two lines is found. Leading and
  trailing whitespace in the query is ignored (typing ``Sergey `` keeps the matches of
  ``Sergey``); a query of nothing but whitespace finds nothing.
- Matches do not overlap (``aa`` in ``aaaa`` is found twice), as in a browser's find.
- A match never starts or ends inside what one character folds to: ``ine`` is not found in
  ``ﬁne`` (it would have to highlight half of the ``ﬁ``), ``fine`` is.

Folding the text of a 2 MiB article takes a good part of a second, so it is done once per
article (:class:`FoldedText`, in a worker for a long article); each keystroke is then one
``str.find`` loop or one compiled regex over the folded copy, with the matches mapped back
to offsets into the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from reader.search.text_match import fold, fold_character, is_case_sensitive

__all__ = ["FoldedText", "find_all", "fold", "is_case_sensitive"]


@dataclass(frozen=True)
class _Folded:
    """One folding of a text (with or without case) and the way back to the text's offsets.

    Most characters fold to exactly one character; the others (a ligature to two, a lone
    combining mark to none, ``ß`` to ``ss`` when case is folded) are *irregular*, and the
    offsets of everything after one shift. For each irregular character, in order, the
    folded offset where its folding starts, its length there, and its offset in the text.
    """

    folded: str
    at: list[int]
    lengths: list[int]
    original: list[int]

    def to_text(self, position: int) -> tuple[int, bool]:
        """Map folded *position* (a boundary between characters) to an offset into the text.

        Returns ``(offset, inside)``: *inside* when *position* falls strictly inside the
        folding of one character (then *offset* is that character's start).
        """
        k = bisect_right(self.at, position) - 1
        if k < 0:
            return position, False
        start, length, original = self.at[k], self.lengths[k], self.original[k]
        if position < start + length:
            return original, position != start
        return original + 1 + position - start - length, False


def _folding(text: str, casefold: bool) -> _Folded:
    table: dict[int, str] = {}
    irregular: list[str] = []
    # set() and translate() run in C: only the distinct characters are folded in Python.
    for char in set(text):
        if char.isascii() and not (casefold and char.isupper()):
            continue
        folded = fold_character(char, casefold)
        if folded != char:
            table[ord(char)] = folded
        if len(folded) != 1:
            irregular.append(char)
    folded = text.translate(table) if table else text
    at: list[int] = []
    lengths: list[int] = []
    original: list[int] = []
    if irregular:
        shift = 0
        pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(irregular)) + "]")
        for match in pattern.finditer(text):
            index = match.start()
            length = len(table.get(ord(match.group()), match.group()))
            at.append(index + shift)
            lengths.append(length)
            original.append(index)
            shift += length - 1
    return _Folded(folded, at, lengths, original)


class FoldedText:
    """An article's text folded for finding, made once per article (see :func:`find_all`).

    Each folding (case kept for a query with a capital, case folded otherwise) is made the
    first time it is needed; :meth:`prepare` makes both (in a worker, for a long article).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        """The text searched, as displayed."""

    @cached_property
    def _cased(self) -> _Folded:
        return _folding(self.text, casefold=False)

    @cached_property
    def _uncased(self) -> _Folded:
        return _folding(self.text, casefold=True)

    def prepare(self) -> FoldedText:
        """Make both foldings now (they are otherwise made on first use); return self."""
        _ = self._cased, self._uncased
        return self

    def find_all(self, query: str) -> list[tuple[int, int]]:
        """Return the ``(start, end)`` offsets into the text of every match of *query*.

        In order, not overlapping; empty when the query is empty or only whitespace.
        """
        case_sensitive = is_case_sensitive(query)
        words = fold(query, casefold=not case_sensitive).split()
        if not words:
            return []
        folding = self._cased if case_sensitive else self._uncased
        folded = folding.folded
        spans: list[tuple[int, int]] = []
        if len(words) == 1:
            needle = words[0]
            size = len(needle)
            find = folded.find
            position = find(needle)
            if not folding.at:  # every character folds to one: offsets are the text's
                while position != -1:
                    spans.append((position, position + size))
                    position = find(needle, position + size)
                return spans
            while position != -1:
                span = _back(folding, position, position + size)
                if span is None:  # starts or ends inside a folded character: look on
                    position = find(needle, position + 1)
                    continue
                spans.append(span)
                position = find(needle, position + size)
            return spans
        pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
        if not folding.at:
            return [m.span() for m in pattern.finditer(folded)]
        search = pattern.search
        match = search(folded)
        while match is not None:
            start, end = match.span()
            span = _back(folding, start, end)
            if span is None:
                match = search(folded, start + 1)
                continue
            spans.append(span)
            match = search(folded, end)
        return spans


def _back(folding: _Folded, start: int, end: int) -> tuple[int, int] | None:
    """A match in the folded text as offsets into the text, or None if it cuts a character."""
    text_start, inside = folding.to_text(start)
    if inside:
        return None
    text_end, inside = folding.to_text(end)
    if inside:
        return None
    return text_start, text_end


def find_all(text: str, query: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` code-point offsets of every match of *query* in *text*.

    Folds *text* each call: to search one text as the user types, keep a
    :class:`FoldedText` and call its :meth:`~FoldedText.find_all`.
    """
    return FoldedText(text).find_all(query)
