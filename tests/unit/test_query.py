"""The query language: parse, print back, every field and range, every error with its place."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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
    format_query,
    parse,
)
from reader.search.text_match import fold, is_case_sensitive

W = Term


def P(text: str) -> Term:
    return Term(text, phrase=True)


def where(text: str) -> Node | None:
    return parse(text).where


# --- what parses to what ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("   \n\t ", None),
        ("lavrov", W("lavrov")),
        ("Zoë", W("Zoë")),
        ("a b", And((W("a"), W("b")))),
        ("a b c", And((W("a"), W("b"), W("c")))),
        ("a OR b", Or((W("a"), W("b")))),
        ("a or b", And((W("a"), W("or"), W("b")))),
        ("a b OR c", Or((And((W("a"), W("b"))), W("c")))),
        ("a (b OR c)", And((W("a"), Or((W("b"), W("c")))))),
        ("(a b) (c d)", And((W("a"), W("b"), W("c"), W("d")))),
        ("(a OR b) OR c", Or((W("a"), W("b"), W("c")))),
        ("a OR (b OR c)", Or((W("a"), W("b"), W("c")))),
        ("((a))", W("a")),
        ("a(b)", And((W("a"), W("b")))),
        ("-a", Not(W("a"))),
        ("--a", Not(Not(W("a")))),
        ("-(a b)", Not(And((W("a"), W("b"))))),
        ('-"a b"', Not(P("a b"))),
        ("-tag:x", Not(Field("tag", "x"))),
        ("a-b", W("a-b")),
        ("a -b", And((W("a"), Not(W("b"))))),
        ('"foreign office"', P("foreign office")),
        ('"say \\"no\\""', P('say "no"')),
        ('"C:\\Users\\x"', P("C:\\Users\\x")),
        ('"a\\\\"', P("a\\")),
        ('a"b c"', And((W("a"), P("b c")))),
        ("a\\ b", W("a b")),
        ("\\-a", W("-a")),
        ("\\OR", W("OR")),
        ("\\(x\\)", W("(x)")),
        ("C\\Users", W("C\\Users")),
        ("a\\", W("a\\")),
        ("OR\\", W("OR\\")),
        # The colon rule: two or more ASCII letters before the colon make a field.
        ("https://example.org/a?b=c", W("https://example.org/a?b=c")),
        ("10:30", W("10:30")),
        ("C:x", W("C:x")),
        ("U.S.:", W("U.S.:")),
        ("tag\\:x", W("tag:x")),
        ('"tga:x"', P("tga:x")),
        ("éé:x", W("éé:x")),
        ("TAG:Energy", Field("tag", "Energy")),
        ("tag:a:b", Field("tag", "a:b")),
        ("path:https://x", Field("path", "https://x")),
        ("tag:OR", Field("tag", "OR")),
        ("tag:-x", Field("tag", "-x")),
        ('entity:"Sergey Lavrov"', Field("entity", "Sergey Lavrov", phrase=True)),
        ("entity:Lavrov", Field("entity", "Lavrov")),
        ("label:person", Field("label", "PERSON")),
        ('label:"work_of_art"', Field("label", "WORK_OF_ART", phrase=True)),
        ("has:note", Field("has", "note")),
        ("has:Notes", Field("has", "note")),
        ("has:highlights", Field("has", "highlight")),
        ("has:corrections", Field("has", "correction")),
        ("is:read", Field("is", "read")),
        ("is:UNREAD", Field("is", "unread")),
        ("in:world/europe", Field("in", "world/europe")),
        ("path:2026\\ may", Field("path", "2026 may")),
        ("title:pipeline", Field("title", "pipeline")),
        ('title:"gas pipeline"', Field("title", "gas pipeline", phrase=True)),
        ('tag:"a b"c', And((Field("tag", "a b", phrase=True), W("c")))),
    ],
)
def test_parse(text: str, expected: Node | None) -> None:
    assert where(text) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("date:2026-05-01", date(2026, 5, 1), date(2026, 5, 2)),
        ("date:2026-5-1", date(2026, 5, 1), date(2026, 5, 2)),
        ("date:2026-05", date(2026, 5, 1), date(2026, 6, 1)),
        ("date:2026-12", date(2026, 12, 1), date(2027, 1, 1)),
        ("date:2026", date(2026, 1, 1), date(2027, 1, 1)),
        ("date:2024-02-29", date(2024, 2, 29), date(2024, 3, 1)),
        ("date:2026-05..2026-06", date(2026, 5, 1), date(2026, 7, 1)),
        ("date:2026-05-01..2026-05-01", date(2026, 5, 1), date(2026, 5, 2)),
        ("date:2025..2026-02-10", date(2025, 1, 1), date(2026, 2, 11)),
        ("date:..2026-06", None, date(2026, 7, 1)),
        ("date:2026-06..", date(2026, 6, 1), None),
        ("date:>2026-01-01", date(2026, 1, 2), None),
        ("date:>2026-01", date(2026, 2, 1), None),
        ("date:>2026", date(2027, 1, 1), None),
        ("date:>=2026-01-01", date(2026, 1, 1), None),
        ("date:<2026-01-01", None, date(2026, 1, 1)),
        ("date:<2026-03", None, date(2026, 3, 1)),
        ("date:<=2026-01-01", None, date(2026, 1, 2)),
        ("date:<=2026-03", None, date(2026, 4, 1)),
        ('date:"2026"', date(2026, 1, 1), date(2027, 1, 1)),
        ("date:9999", date(9999, 1, 1), None),
        ("date:9999-12-31", date(9999, 12, 31), None),
        ("date:<0001-01-01", None, date(1, 1, 1)),
    ],
)
def test_dates(text: str, start: date | None, end: date | None) -> None:
    assert where(text) == DateRange(start, end)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("words:1000", 1000, 1000),
        ("words:0", 0, 0),
        ("words:007", 7, 7),
        ("words:100..200", 100, 200),
        ("words:100..100", 100, 100),
        ("words:500..", 500, None),
        ("words:..300", None, 300),
        ("words:>1000", 1001, None),
        ("words:>=1000", 1000, None),
        ("words:<500", None, 499),
        ("words:<=500", None, 500),
        ("words:<=0", None, 0),
    ],
)
def test_words(text: str, low: int | None, high: int | None) -> None:
    assert where(text) == WordRange(low, high)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sort:date", Query(None, Sort("date"))),
        ("sort:-date", Query(None, Sort("date", descending=True))),
        ("sort:Title", Query(None, Sort("title"))),
        ("sort:words", Query(None, Sort("words"))),
        ('sort:"-mentions"', Query(None, Sort("mentions", descending=True))),
        ("a sort:title b", Query(And((W("a"), W("b"))), Sort("title"))),
        ("sort:-words a OR b", Query(Or((W("a"), W("b"))), Sort("words", descending=True))),
        ("a OR b sort:date c", Query(Or((W("a"), And((W("b"), W("c"))))), Sort("date"))),
    ],
)
def test_sort(text: str, expected: Query) -> None:
    assert parse(text) == expected


# --- errors, each with where it is --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ('a "unclosed', "unclosed quote", 2),
        ('tag:"x', "unclosed quote", 4),
        ('"a \\"', "unclosed quote", 0),
        ("a (b c", "'(' is never closed", 2),
        ("((a)", "'(' is never closed", 0),
        ("(", "'(' is never closed", 0),
        ("a b)", "')' without a '('", 3),
        ("(a))", "')' without a '('", 3),
        ("a () b", "empty parentheses", 2),
        ('a ""', "empty quotes", 2),
        ("tga:x", "unknown field 'tga' (did you mean tag?)", 0),
        ("a entitty:x", "unknown field 'entitty' (did you mean entity?)", 2),
        ("Titel:x", "unknown field 'Titel' (did you mean title?)", 0),
        ("srot:date", "did you mean sort?", 0),
        ("foo:bar", "unknown field 'foo' (fields: tag,", 0),
        ('foo:"x"', "unknown field 'foo'", 0),
        ("tag:", "tag: needs a value", 0),
        ('a tag:""', "tag: needs a value", 2),
        ("tag: energy", "tag: needs a value", 0),
        ("has:notebook", "has: takes note, highlight or correction", 4),
        ("is:new", "is: takes read or unread", 3),
        ("sort:size", "sort: takes date, title, words or mentions", 5),
        ("sort:--date", "sort: takes", 5),
        ("date:yesterday", "date: takes a day (2026-05-01), a month", 5),
        ("date:2026-13", "no such date 2026-13", 5),
        ("date:2026-02-30", "no such date 2026-02-30", 5),
        ("date:0000", "no such date 0000", 5),
        ("date:..", "date: takes", 5),
        ("date:2026-06..2026-05", "the date range ends before it starts", 5),
        ("date:>9999-12-31", "no date is after 9999-12-31", 5),
        ("date:<=9999", "every date", 5),
        ("date:26", "date: takes", 5),
        ("words:lots", "words: takes a number (1000), a range", 6),
        ("words:-5", "words: takes", 6),
        ("words:1_000", "words: takes", 6),
        ("words:..", "words: takes", 6),
        ("words:200..100", "the range of words ends before it starts", 6),
        ("words:<0", "fewer than 0", 6),
        ("a -", "nothing after '-' to negate", 2),
        ("a - b", "'-' must come right before what it negates", 2),
        ("(a -)", "nothing after '-' to negate", 3),
        ("a -OR b", "nothing after '-' to negate", 2),
        ("a OR", "OR needs something after it", 2),
        ("a OR )", "OR needs something after it", 2),
        ("(a OR) b", "OR needs something after it", 3),
        ("OR a", "OR needs something before it", 0),
        ("(OR a)", "OR needs something before it", 1),
        ("a OR OR b", "OR needs something after it", 2),
        ("a OR sort:date", "OR needs something after it", 2),
        ("sort:date sort:title", "only one sort: in a query", 10),
        ("(a sort:date)", "sort: only at the top level", 3),
        ("-sort:date", "sort: cannot be negated", 1),
        ("-(a sort:date)", "sort: only at the top level", 4),
        ("αβγ tga:x", "unknown field", 4),  # code points, not bytes
    ],
)
def test_errors(text: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as raised:
        parse(text)
    assert message in raised.value.message
    assert raised.value.position == position
    assert str(raised.value).endswith(f"(at character {position + 1})")


# --- printing back -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("a  b   OR c", "a b OR c"),
        ("(a OR b) c", "(a OR b) c"),
        ("-(a OR b) -(c d)", "-(a OR b) -(c d)"),
        ("date:2026-05..2026-06", "date:2026-05..2026-06"),
        ("date:2026-05", "date:2026-05"),
        ("date:2026-01..2026-12", "date:2026"),
        ("date:2026-05-03..2026-05-09", "date:2026-05-03..2026-05-09"),
        ("date:2026-01..2026-05-09", "date:2026-01-01..2026-05-09"),
        ("date:>2026-01-01", "date:>=2026-01-02"),
        ("date:..2026-06", "date:<2026-07"),
        ("words:>1000", "words:>=1001"),
        ("words:5..5", "words:5"),
        ("sort:-date a", "a sort:-date"),
        ("label:person has:notes", "label:PERSON has:note"),
        ("\\OR \\-x tag\\:x", "\\OR \\-x tag\\:x"),
        ('"a\\"b" C\\x', '"a\\"b" C\\\\x'),
    ],
)
def test_format_query(text: str, printed: str) -> None:
    assert format_query(parse(text)) == printed
    assert parse(printed) == parse(text)


@pytest.mark.parametrize(
    "node",
    [
        Term(""),
        Field("tag", ""),
        Field("colour", "red"),
        DateRange(None, None),
        WordRange(None, None),
    ],
)
def test_format_query_refuses_what_no_text_stands_for(node: Node) -> None:
    with pytest.raises(ValueError):
        format_query(Query(node))


# Texts that stress the printer: operators, escapes, the colon rule, quotes, whitespace.
AWKWARD = [
    "OR", "or", "-", "--", "-x", "x-", "\\", "\\\\", "\\OR", "OR\\", "\\-", '"', '""', "'",
    "(", ")", "()", ":", "a:", "tag:", "tag:x", "tga:x", "foo:bar", "https://x", "foo://x",
    "10:30", "C:\\x", "a b", " a", "a\n", "\t", "..", ">1", "date:2026", "sort:date",
    "Zoë", "İstanbul", "ﬁ", "日本語", "\u00a0", "\u2028", "x\\:", "ab\\",
]  # fmt: skip
texts = st.one_of(st.sampled_from(AWKWARD), st.text(min_size=1, max_size=8))
labels = texts.map(str.upper).filter(lambda v: v.upper() == v)


def _and(children: list[Node]) -> Node:
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, And) else (child,))
    return And(tuple(flat))


def _or(children: list[Node]) -> Node:
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, Or) else (child,))
    return Or(tuple(flat))


@st.composite
def date_ranges(draw: st.DrawFn) -> DateRange:
    a, b = draw(st.dates()), draw(st.dates())
    kind = draw(st.sampled_from(["both", "start", "end"]))
    if kind == "start":
        return DateRange(a, None)
    if kind == "end":
        return DateRange(None, a)
    if a == b:
        b = date.max if a == date.min else date.min
    return DateRange(min(a, b), max(a, b))


@st.composite
def word_ranges(draw: st.DrawFn) -> WordRange:
    counts = st.integers(min_value=0, max_value=10**7)
    low, high = draw(st.one_of(st.none(), counts)), draw(st.one_of(st.none(), counts))
    if low is None and high is None:
        low = 0
    if low is not None and high is not None and high < low:
        low, high = high, low
    return WordRange(low, high)


leaves = st.one_of(
    st.builds(Term, texts, st.booleans()),
    st.builds(
        Field,
        st.sampled_from([f for f in FIELDS if f not in ("label", "has", "is")]),
        texts,
        st.booleans(),
    ),
    st.builds(Field, st.just("label"), labels, st.booleans()),
    st.builds(Field, st.just("has"), st.sampled_from(HAS_VALUES), st.booleans()),
    st.builds(Field, st.just("is"), st.sampled_from(IS_VALUES), st.booleans()),
    date_ranges(),
    word_ranges(),
)
nodes = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(Not, children),
        st.lists(children, min_size=2, max_size=4).map(_and),
        st.lists(children, min_size=2, max_size=4).map(_or),
    ),
    max_leaves=12,
)
sorts = st.builds(Sort, st.sampled_from(SORT_KEYS), st.booleans())
queries = st.builds(Query, st.one_of(st.none(), nodes), st.one_of(st.none(), sorts))


@given(queries)
@settings(max_examples=1000, deadline=None)  # a shared machine is slow now and then
@example(Query(Term("OR")))
@example(Query(Not(Term("-x"))))
@example(Query(And((Term("tag:x"), Field("path", "C:\\Users\\me", phrase=False)))))
@example(Query(DateRange(date.min, date(1, 1, 2))))
@example(Query(DateRange(date(9999, 12, 1), date.max)))
def test_parse_format_round_trip(query: Query) -> None:
    text = format_query(query)
    assert parse(text) == query, text


@given(st.text(alphabet='ab OR-()":\\ tag:date:words:sort:<>.012', max_size=30))
@settings(max_examples=1000)
def test_any_text_parses_or_says_where(text: str) -> None:
    """Whatever is typed: a query that prints back to itself, or a QueryError inside it."""
    try:
        query = parse(text)
    except QueryError as error:
        assert 0 <= error.position <= len(text)
        assert error.message
        return
    assert parse(format_query(query)) == query


def test_parsing_is_fast() -> None:
    text = (
        'lavrov -"foreign office" (tag:energy OR tag:gas) entity:"Sergey Lavrov" '
        "label:PERSON date:2026-05..2026-06 words:>1000 sort:-date"
    )
    assert len(text) > 100
    best = min(_time_to_parse(text) for _ in range(50))
    assert best < 0.001  # about 55 µs on a laptop


@pytest.mark.parametrize("first", ["reader.search.parser", "reader.search.query"])
def test_either_module_may_be_imported_first(first: str) -> None:
    code = f"import {first}; from reader.search.query import parse; print(parse('a'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _time_to_parse(text: str) -> float:
    start = time.perf_counter()
    parse(text)
    return time.perf_counter() - start


# --- smart case and folding ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sensitive"),
    [("lavrov", False), ("Lavrov", True), ("zoë", False), ("Émile", True), ("123 ", False)],
)
def test_is_case_sensitive(text: str, sensitive: bool) -> None:
    assert is_case_sensitive(text) is sensitive


@pytest.mark.parametrize(
    ("text", "folded", "casefolded"),
    [
        ("Zoë", "Zoe", "zoe"),
        ("Zoe\u0308", "Zoe", "zoe"),  # decomposed
        ("Ærøskøbing", "Ærøskøbing", "ærøskøbing"),  # no decomposition: kept
        ("ﬁne", "fine", "fine"),
        ("İstanbul", "Istanbul", "istanbul"),
        ("Straße", "Straße", "strasse"),
        ("ASCII", "ASCII", "ascii"),
        ("Ελληνικά", "Ελληνικα", "ελληνικα"),
    ],
)
def test_fold(text: str, folded: str, casefolded: str) -> None:
    assert fold(text) == folded
    assert fold(text, casefold=True) == casefolded


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    once = fold(text, casefold=True)
    assert fold(once, casefold=True) == once
