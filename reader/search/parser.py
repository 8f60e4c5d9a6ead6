"""The query language both ways: text to a :class:`~reader.search.query.Query` and back.

:func:`parse` and :func:`format_query` are re-exported by :mod:`reader.search.query`, whose
docstring is the grammar and the rules users see; the lexical details are here.

Tokens: whitespace separates; ``(`` and ``)`` are tokens wherever they are; ``"`` opens a
phrase; ``-`` at the start of a token negates what follows it without a space; every other
run of characters is a word (it ends at whitespace, a parenthesis or a quote). The word
``OR`` (exactly, upper case) is the operator.

Escapes. In a phrase, ``\\"`` is a quote and ``\\\\`` a backslash; any other backslash is
itself (``"C:\\Users"``). In a word or a field's bare value, a backslash before a character
that is not a letter or a digit makes it literal (``a\\ b`` is one word with a space,
``\\-x`` the word ``-x``, ``tag\\:x`` a word, not a field, ``\\(`` a parenthesis); a
backslash before a letter or a digit, or at the end, is itself; and ``\\OR`` alone is the
word OR rather than the operator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import get_close_matches
from typing import Literal

from reader.search.query import (
    FIELDS,
    HAS_VALUES,
    IS_VALUES,
    SORT_KEYS,
    And,
    DateRange,
    Field,
    Node,
    Not,
    Or,
    Query,
    QueryError,
    Sort,
    Term,
    WordRange,
)

__all__ = ["format_query", "parse"]

_RANGE_FIELDS = ("date", "words")
_ALL_FIELDS = (*FIELDS, *_RANGE_FIELDS, "sort")
_HAS_ALIASES = {**{v: v for v in HAS_VALUES}, **{v + "s": v for v in HAS_VALUES}}

_DAY = r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?"
_DATE_ONE = re.compile(rf"(>=|<=|>|<)?{_DAY}")
_DATE_RANGE = re.compile(rf"(?:{_DAY})?\.\.(?:{_DAY})?")
_NUMBER_ONE = re.compile(r"(>=|<=|>|<)?([0-9]+)")
_NUMBER_RANGE = re.compile(r"([0-9]+)?\.\.([0-9]+)?")

_DATE_HELP = (
    "date: takes a day (2026-05-01), a month (2026-05), a year (2026), a range "
    "(2026-05..2026-06, ..2026-06, 2026..) or a comparison (>2026-01-01, <=2026-05)"
)
_WORDS_HELP = (
    "words: takes a number (1000), a range (100..200, 500.., ..300) "
    "or a comparison (>1000, >=1000, <500, <=500)"
)

TokenKind = Literal["(", ")", "-", "OR", "word", "phrase", "field"]


@dataclass(frozen=True, slots=True)
class _Token:
    kind: TokenKind
    position: int
    text: str = ""
    """A word's or phrase's text, or a field's value (escapes resolved)."""
    name: str = ""
    """A field's name, lower case."""
    phrase: bool = False
    """Whether a field's value was quoted."""
    value_position: int = 0
    """Where a field's value starts."""


# --- tokens ---------------------------------------------------------------------------


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "(":
            tokens.append(_Token("(", i))
            i += 1
        elif c == ")":
            tokens.append(_Token(")", i))
            i += 1
        elif c == '"':
            value, end = _read_phrase(text, i)
            if not value:
                raise QueryError("empty quotes", i)
            tokens.append(_Token("phrase", i, value))
            i = end
        elif c == "-":
            if i + 1 == n:
                raise QueryError("nothing after '-' to negate", i)
            if text[i + 1].isspace():
                raise QueryError("'-' must come right before what it negates, no space", i)
            tokens.append(_Token("-", i))
            i += 1
        else:
            token, i = _read_word(text, i)
            tokens.append(token)
    return tokens


def _read_phrase(text: str, start: int) -> tuple[str, int]:
    """The phrase whose quote is at *start*: its text and where it ends (after the quote)."""
    chars: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in '"\\':
            chars.append(text[i + 1])
            i += 2
        elif c == '"':
            return "".join(chars), i + 1
        else:
            chars.append(c)
            i += 1
    raise QueryError("unclosed quote", start)


def _read_word(text: str, start: int) -> tuple[_Token, int]:
    """The word, field or OR at *start*, and where it ends."""
    chars: list[str] = []
    colon = -1  # in *chars*, the first colon not escaped
    colon_position = -1
    name_plain = True  # no escape before that colon
    i, n = start, len(text)
    while i < n:
        c = text[i]
        if c.isspace() or c in '()"':
            break
        if c == "\\" and i + 1 < n and not text[i + 1].isalnum():
            chars.append(text[i + 1])
            i += 2
            if colon < 0:
                name_plain = False
            continue
        if c == ":" and colon < 0:
            colon, colon_position = len(chars), i
        chars.append(c)
        i += 1
    raw = text[start:i]
    if raw == "OR":
        return _Token("OR", start), i
    if raw == "\\OR":
        return _Token("word", start, "OR"), i
    word = "".join(chars)
    if colon >= 2 and name_plain and _is_field_name(word[:colon]):
        name, value = word[:colon].lower(), word[colon + 1 :]
        if name not in _ALL_FIELDS:
            if value.startswith("//"):  # a URL: https://…
                return _Token("word", start, word), i
            raise QueryError(_unknown_field(word[:colon]), start)
        phrase = False
        value_position = colon_position + 1
        if not value and i < n and text[i] == '"':
            value, i = _read_phrase(text, i)
            phrase = True
        if not value:
            raise QueryError(f"{name}: needs a value after the colon", start)
        return _Token("field", start, value, name, phrase, value_position), i
    return _Token("word", start, word), i


def _is_field_name(name: str) -> bool:
    return name.isascii() and name.isalpha()


def _unknown_field(name: str) -> str:
    close = get_close_matches(name.lower(), _ALL_FIELDS, n=1)
    if close:
        return f"unknown field '{name}' (did you mean {close[0]}?)"
    return (
        f"unknown field '{name}' (fields: {', '.join(_ALL_FIELDS)}; "
        "quote it to search for the text)"
    )


# --- the tree -------------------------------------------------------------------------


def parse(text: str) -> Query:
    """Return the :class:`Query` *text* says, or raise :class:`QueryError` (what, where).

    An empty (or blank) query is ``Query(None, None)``: every article, in the library's order.
    """
    return _Parser(_tokenize(text)).query()


class _Parser:
    """Recursive descent over the tokens; *depth* counts the parentheses around a token."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.sort: Sort | None = None

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def query(self) -> Query:
        where = self.or_(0)
        token = self.peek()
        if token is not None:  # or_ stops only at the end or at a ")"
            raise QueryError("')' without a '(' before it", token.position)
        return Query(where, self.sort)

    def or_(self, depth: int) -> Node | None:
        children: list[Node] = []
        node = self.and_(depth)
        while (token := self.peek()) is not None and token.kind == "OR":
            self.i += 1
            if node is None:
                raise QueryError("OR needs something before it", token.position)
            _extend(children, node, Or)
            node = self.and_(depth)
            if node is None:
                raise QueryError("OR needs something after it", token.position)
        if not children:
            return node
        assert node is not None
        _extend(children, node, Or)
        return Or(tuple(children))

    def and_(self, depth: int) -> Node | None:
        """Nodes side by side, until OR, ')' or the end; None when there were none."""
        children: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            node = self.unary(depth, negated=None)
            if node is not None:
                _extend(children, node, And)
        if len(children) > 1:
            return And(tuple(children))
        return children[0] if children else None

    def unary(self, depth: int, negated: _Token | None) -> Node | None:
        """One operand; None for the query's sort, which is no node."""
        token = self.tokens[self.i]
        self.i += 1
        if token.kind == "-":
            following = self.peek()
            if following is None or following.kind in (")", "OR"):
                raise QueryError("nothing after '-' to negate", token.position)
            child = self.unary(depth, negated=negated or token)
            assert child is not None  # a sort under '-' raised
            return Not(child)
        if token.kind == "(":
            following = self.peek()
            if following is not None and following.kind == ")":
                raise QueryError("empty parentheses", token.position)
            node = self.or_(depth + 1)
            closing = self.peek()
            if closing is None or node is None:
                raise QueryError("'(' is never closed", token.position)
            self.i += 1
            return node
        if token.kind == "word":
            return Term(token.text)
        if token.kind == "phrase":
            return Term(token.text, phrase=True)
        if token.kind == "field":
            if token.name == "sort":
                self.take_sort(token, depth, negated)
                return None
            return _field(token)
        # ")" and "OR" end an and_ before unary is called.
        raise AssertionError(token)  # pragma: no cover

    def take_sort(self, token: _Token, depth: int, negated: _Token | None) -> None:
        if negated is not None:
            raise QueryError("sort: cannot be negated", token.position)
        if depth:
            raise QueryError("sort: only at the top level, not inside parentheses", token.position)
        if self.sort is not None:
            raise QueryError("only one sort: in a query", token.position)
        value = token.text.lower()
        key = value.removeprefix("-")
        if key not in SORT_KEYS:
            raise QueryError(
                f"sort: takes {_choices(SORT_KEYS)} ('-' before the key reverses it)",
                token.value_position,
            )
        self.sort = Sort(key, descending=value.startswith("-"))


def _extend(children: list[Node], node: Node, kind: type[And] | type[Or]) -> None:
    """Add *node* to *children*, its own children instead when it is of the same *kind*."""
    if isinstance(node, kind):
        children.extend(node.children)
    else:
        children.append(node)


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1]


def _field(token: _Token) -> Node:
    name, value, at = token.name, token.text, token.value_position
    if name == "date":
        return _date_range(value, at)
    if name == "words":
        return _word_range(value, at)
    if name == "has":
        normal = _HAS_ALIASES.get(value.lower())
        if normal is None:
            raise QueryError(f"has: takes {_choices(HAS_VALUES)}", at)
        return Field(name, normal, token.phrase)
    if name == "is":
        if value.lower() not in IS_VALUES:
            raise QueryError(f"is: takes {_choices(IS_VALUES)}", at)
        return Field(name, value.lower(), token.phrase)
    if name == "label":
        value = value.upper()
    return Field(name, value, token.phrase)


# --- ranges ---------------------------------------------------------------------------


def _period(groups: tuple[str | None, ...], at: int) -> tuple[date, date | None]:
    """The first day of the year, month or day *groups* name, and the first day after it
    (None past the last representable day)."""
    year, month, day = (int(g) if g else None for g in groups)
    assert year is not None
    try:
        start = date(year, month or 1, day or 1)
    except ValueError:
        text = "-".join(g for g in groups if g)
        raise QueryError(f"no such date {text}", at) from None
    try:
        if day is not None:
            return start, start + timedelta(days=1)
        if month is not None:
            return start, date(year + month // 12, month % 12 + 1, 1)
        return start, date(year + 1, 1, 1)
    except (ValueError, OverflowError):
        return start, None


def _date_range(value: str, at: int) -> DateRange:
    start: date | None
    end: date | None
    if one := _DATE_ONE.fullmatch(value):
        first, after = _period(one.groups()[1:], at)
        op = one.group(1)
        if op == ">":
            if after is None:
                raise QueryError(f"no date is after {value[1:]}", at)
            start, end = after, None
        elif op == ">=":
            start, end = first, None
        elif op == "<":
            start, end = None, first
        elif op == "<=":
            start, end = None, after
        else:
            start, end = first, after
    elif both := _DATE_RANGE.fullmatch(value):
        groups = both.groups()
        start = _period(groups[:3], at)[0] if groups[0] else None
        end = _period(groups[3:], at)[1] if groups[3] else None
        if groups[0] is None and groups[3] is None:
            raise QueryError(_DATE_HELP, at)
        if start is not None and end is not None and end <= start:
            raise QueryError("the date range ends before it starts", at)
    else:
        raise QueryError(_DATE_HELP, at)
    if start is None and end is None:
        raise QueryError("the date range takes in every date", at)
    return DateRange(start, end)


def _word_range(value: str, at: int) -> WordRange:
    low: int | None
    high: int | None
    if one := _NUMBER_ONE.fullmatch(value):
        op, number = one.group(1), int(one.group(2))
        if op == "<" and number == 0:
            raise QueryError("no article has fewer than 0 words", at)
        low, high = {
            ">": (number + 1, None),
            ">=": (number, None),
            "<": (None, number - 1),
            "<=": (None, number),
            None: (number, number),
        }[op]
    elif both := _NUMBER_RANGE.fullmatch(value):
        low, high = (int(g) if g else None for g in both.groups())
        if low is None and high is None:
            raise QueryError(_WORDS_HELP, at)
        if low is not None and high is not None and high < low:
            raise QueryError("the range of words ends before it starts", at)
    else:
        raise QueryError(_WORDS_HELP, at)
    return WordRange(low, high)


# --- back to text ---------------------------------------------------------------------


def format_query(query: Query) -> str:
    """Return text that :func:`parse` turns back into *query*.

    Defined for every query :func:`parse` can return (flattened And and Or of two or more
    children, label values in upper case, has/is/sort values among the accepted ones,
    non-empty words and values, ranges with a bound and in order); for other trees the text
    means the same but may parse to an equivalent, normalised tree. Raises ValueError for a
    node no text can stand for (an empty word, an unknown field, a range without bounds).
    Words and values are escaped or quoted as they need; the sort comes last.
    """
    parts = []
    if query.where is not None:
        parts.append(_format(query.where))
    if query.sort is not None:
        parts.append(f"sort:{'-' if query.sort.descending else ''}{query.sort.key}")
    return " ".join(parts)


def _format(node: Node) -> str:
    if isinstance(node, Term):
        if not node.text:
            raise ValueError("an empty term has no text")
        return _quote(node.text) if node.phrase else _bare_word(node.text)
    if isinstance(node, Field):
        if node.name not in FIELDS:
            raise ValueError(f"unknown field {node.name!r}")
        if not node.value:
            raise ValueError(f"{node.name}: has an empty value")
        value = _quote(node.value) if node.phrase else _escape(node.value)
        return f"{node.name}:{value}"
    if isinstance(node, DateRange):
        return "date:" + _format_dates(node)
    if isinstance(node, WordRange):
        return "words:" + _format_words(node)
    if isinstance(node, Not):
        return "-" + _grouped(node.child, (And, Or))
    if isinstance(node, And):
        return " ".join(_grouped(child, (And, Or)) for child in node.children)
    return " OR ".join(_grouped(child, (Or,)) for child in node.children)


def _grouped(node: Node, kinds: tuple[type[And] | type[Or], ...]) -> str:
    text = _format(node)
    return f"({text})" if isinstance(node, kinds) else text


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _escape(text: str) -> str:
    """*text* as a bare field value: every character that would end it escaped."""
    return "".join("\\" + c if c.isspace() or c in '()"\\' else c for c in text)


def _bare_word(text: str) -> str:
    if text == "OR":
        return "\\OR"
    escaped = _escape(text)
    if escaped.startswith("-"):
        escaped = "\\" + escaped
    colon = escaped.find(":")
    if colon >= 2 and _is_field_name(escaped[:colon]):
        known = escaped[:colon].lower() in _ALL_FIELDS
        if known or not escaped[colon + 1 :].startswith("//"):
            escaped = escaped[:colon] + "\\" + escaped[colon:]
    return escaped


def _format_dates(dates: DateRange) -> str:
    start, end = dates.start, dates.end
    if start is None and end is None:
        raise ValueError("a date range needs a bound")
    if end is None:
        assert start is not None
        return ">=" + _day_text(start, _unit(start))
    if start is None:
        return "<" + _day_text(end, _unit(end))
    unit = min(_unit(start), _unit(end))
    first, last = _day_text(start, unit), _day_text(_before(end, unit), unit)
    return first if first == last else f"{first}..{last}"


def _unit(day: date) -> int:
    """How coarsely *day* can be written: 2 a year (Jan 1), 1 a month (the 1st), 0 a day."""
    return 2 if (day.month, day.day) == (1, 1) else 1 if day.day == 1 else 0


def _day_text(day: date, unit: int) -> str:
    return (
        f"{day.year:04d}"
        + (f"-{day.month:02d}" if unit < 2 else "")
        + (f"-{day.day:02d}" if unit < 1 else "")
    )


def _before(day: date, unit: int) -> date:
    """The first day of the year, month or day (by *unit*) before *day*."""
    if unit == 2:
        return date(day.year - 1, 1, 1)
    if unit == 1:
        return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)
    return day - timedelta(days=1)


def _format_words(words: WordRange) -> str:
    low, high = words.low, words.high
    if low is None and high is None:
        raise ValueError("a range of words needs a bound")
    if high is None:
        return f">={low}"
    if low is None:
        return f"<={high}"
    return str(low) if low == high else f"{low}..{high}"
