"""The brute-force evaluator: what each kind of query matches on hand-made documents."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.search.query import And, Not, Or, Query, Term, parse
from reader.search.reference import Doc, matches
from reader.search.text_match import contains_words, words

LAVROV = Doc(
    title="Lavrov meets Zoë in Genève",
    text=(
        "The Russian foreign minister, Sergey Lavrov, spoke on Tuesday.\n"
        "He said the gas\npipeline would reopen. NATO's reply was well-known."
    ),
    notes=("Check the pipeline figures", "Ask about Ærø"),
    tags=("energy", "Russia", "foreign policy"),
    entities=(("Sergey Lavrov", "PERSON"), ("NATO", "ORG"), ("Genève", "GPE")),
    has=frozenset({"note", "highlight"}),
    read=False,
    folder="world/europe",
    path="/home/me/News/world/europe/lavrov-2026.md",
    date=date(2026, 5, 14),
    words=1200,
)
EMPTY = Doc()


def found(text: str, doc: Doc = LAVROV) -> bool:
    return matches(parse(text), doc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("sort:-date", True),
        # Free words: title, text, notes, tags; whole words only.
        ("lavrov", True),
        ("lav", False),
        ("tuesday", True),
        ("figures", True),  # a note
        ("policy", True),  # a tag
        ("spoke reopen", True),
        ("spoke absent", False),
        # Smart case, per term.
        ("LAVROV", False),
        ("Lavrov", True),
        ("nato", True),
        ("NATO", True),
        ("Nato", False),
        ("Lavrov SPOKE", False),
        ("Lavrov spoke", True),
        ("Tuesday", True),
        ("TUESDAY", False),
        # Accents folded on both sides.
        ("zoe", True),
        ("Zoë", True),
        ("geneve", True),
        ("Genève", True),
        ("GENEVE", False),
        ("aero", False),  # Æ is a letter of its own, not A + E
        ("ærø", True),
        # Phrases: words in order, any separators between them in the text.
        ('"foreign minister"', True),
        ('"minister foreign"', False),
        ('"gas pipeline"', True),  # across a line break
        ('"Lavrov spoke"', True),  # across a comma
        ('"tuesday he said"', True),  # across a full stop and a line break
        ('"Genève the russian"', False),  # not from the title into the text
        ('"energy russia"', False),  # not from one tag into the next
        ("well-known", True),  # the phrase of its words
        ("NATO's", True),
        ('"!!"', False),  # no word in it
        # Negation, OR, groups.
        ("-lavrov", False),
        ("-absent", True),
        ("absent OR lavrov", True),
        ("absent OR missing", False),
        ("(absent OR lavrov) -(pipeline nothing)", True),
        ("--lavrov", True),
        ('-"gas pipeline"', False),
        # Fields.
        ("tag:energy", True),
        ("tag:ENERGY", True),
        ("tag:energ", False),
        ('tag:"foreign policy"', True),
        ("tag:foreign", False),
        ("-tag:energy", False),
        ('entity:"Sergey Lavrov"', True),
        ('entity:"sergey lavrov"', True),
        ('entity:"sergey  lavrov"', True),
        ("entity:Lavrov", False),  # the entity's whole text
        ("entity:geneve", True),
        ("entity:nato", True),
        ("label:PERSON", True),
        ("label:person", True),
        ("label:DATE", False),
        ("has:note", True),
        ("has:highlights", True),
        ("has:correction", False),
        ("is:unread", True),
        ("is:read", False),
        ("in:europe", True),
        ("in:World", True),
        ("in:world/europe", True),
        ("in:europe/world", False),
        ("in:rope", False),
        ("in:news", False),  # above the library's root
        ("path:NEWS/world", True),
        ("path:lavrov-2026", True),
        ("path:.md", True),
        ("path:paris", False),
        ("title:lavrov", True),
        ("title:zoe", True),
        ("title:tuesday", False),  # in the text, not the title
        ('title:"meets zoe"', True),
        ("title:Meets", False),  # smart case in title: too
        # Dates: [start, end).
        ("date:2026-05-14", True),
        ("date:2026-05", True),
        ("date:2026", True),
        ("date:2026-05-15", False),
        ("date:2026-04..2026-05", True),
        ("date:2026-05-15..", False),
        ("date:..2026-05-13", False),
        ("date:>2026-05-13", True),
        ("date:>2026-05-14", False),
        ("date:>=2026-05-14", True),
        ("date:<2026-05-14", False),
        ("date:<=2026-05-14", True),
        ("date:<2026-06", True),
        # Word counts: [low, high].
        ("words:1200", True),
        ("words:>1000", True),
        ("words:>1200", False),
        ("words:>=1200", True),
        ("words:<1200", False),
        ("words:<=1200", True),
        ("words:1000..1200", True),
        ("words:1201..", False),
        # Together.
        ("tag:energy label:ORG date:2026 -is:read sort:title", True),
        ("tag:energy (label:DATE OR words:<100)", False),
    ],
)
def test_matches(text: str, expected: bool) -> None:
    assert found(text) is expected


def test_an_empty_document() -> None:
    assert found("", EMPTY)
    assert found("is:unread -has:note -tag:x", EMPTY)
    assert not found("in:world", EMPTY)  # at the root: in no folder
    assert not found("label:PERSON", EMPTY)
    assert found("date:1970-01-01 words:0", EMPTY)


def test_read_state() -> None:
    read = Doc(read=True)
    assert found("is:read", read)
    assert not found("is:unread", read)


def test_a_folder_written_with_backslashes() -> None:
    doc = Doc(folder="world\\europe")
    assert found("in:europe", doc)
    assert found("in:world\\europe", doc)
    assert found("in:world/europe", doc)


def test_an_entity_across_a_line_break() -> None:
    doc = Doc(entities=(("Sergey\nLavrov", "PERSON"),))
    assert found('entity:"Sergey Lavrov"', doc)


def test_built_trees_as_well_as_parsed_ones() -> None:
    assert matches(Query(Or((Term("absent"), Not(Term("absent"))))), EMPTY)
    assert not matches(Query(And((Term("lavrov"), Not(Term("lavrov"))))), LAVROV)


# --- properties ------------------------------------------------------------------------

some_words = st.lists(
    st.sampled_from(["Zoë", "zoe", "Lavrov", "gas", "pipeline", "ÉTÉ", "été", "42", "straße"]),
    min_size=1,
    max_size=12,
)
separators = st.sampled_from([" ", "\n", ", ", " — ", "\n\n", "'", "-", "(", ") "])


@given(some_words, st.data())
def test_a_phrase_cut_from_the_text_is_found(text_words: list[str], data: st.DataObject) -> None:
    """Any run of the text's words, lower case and without accents, finds the text."""
    seps = [data.draw(separators) for _ in text_words]
    text = "".join(w + s for w, s in zip(text_words, seps, strict=True))
    i = data.draw(st.integers(0, len(text_words) - 1))
    j = data.draw(st.integers(i + 1, len(text_words)))
    phrase = " ".join(text_words[i:j])
    plain = " ".join(words(phrase, casefold=True))
    doc = Doc(text=text)
    assert matches(Query(Term(phrase, phrase=True)), doc)
    assert matches(Query(Term(plain, phrase=True)), doc)
    assert not matches(Query(Not(Term(plain, phrase=True))), doc)


@given(some_words, some_words)
def test_contains_words_is_a_run_of_the_words(haystack: list[str], needle: list[str]) -> None:
    joined = " " + " ".join(haystack) + " "
    assert contains_words(haystack, needle) is (" " + " ".join(needle) + " " in joined)


_INDEXED_ALPHABET = [
    *"aAsSiI _-'’—…\n", "ß", "ẞ", "ﬁ", "²", "½", "İ", "ı", "ë", "e\u0301", "\u0301", "Σ", "ς",
    "™", "①", "ǅ", "Ⅻ", "ＡＢ", "й", "\u00a0", "😀", "ŉ", "_x", "x_", "١٢", "ﬀ",
]  # fmt: skip


@given(st.lists(st.sampled_from(_INDEXED_ALPHABET), max_size=80).map("".join))
def test_the_index_tokenizer_finds_the_words_the_reference_finds(text: str) -> None:
    """SQLite's ``ascii`` tokenizer splits a text's :func:`index_text` (what the search
    index holds) and a term's :func:`index_words` (what it looks for) into exactly the
    words the reference compares (:func:`words`, case folded)."""
    import sqlite3

    from reader.search.text_match import index_text, index_words

    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'ascii')")
    connection.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    connection.executemany(
        "INSERT INTO t(rowid, x) VALUES (?, ?)", [(1, index_text(text)), (2, index_words(text))]
    )
    found: dict[int, list[tuple[int, str]]] = {1: [], 2: []}
    for term, row, offset in connection.execute("SELECT term, doc, offset FROM v"):
        found[row].append((offset, term))
    expected = words(text, casefold=True)
    assert [term for _, term in sorted(found[1])] == expected
    assert [term for _, term in sorted(found[2])] == expected
