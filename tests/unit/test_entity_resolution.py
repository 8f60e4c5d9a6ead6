"""Resolution of the library's entities (reader/entities/library/names.py, resolve.py,
mentions.py): name keys, within-article surnames, the lone-surname rule and its ambiguity,
the user's edits; unit tests and hypothesis properties."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.entities.library.edits import (
    Edit,
    merge_edit,
    relabel_edit,
    rename_edit,
    split_edit,
)
from reader.entities.library.mentions import article_mentions, sentence_starts
from reader.entities.library.names import display_name, name_key
from reader.entities.library.resolve import KeyStats, resolve
from reader.entities.span import Span


def stats(*items: tuple[str, str, int]) -> dict[tuple[str, str], KeyStats]:
    """Key stats from (form, label, mentions), each form in one article per mention."""
    found: dict[tuple[str, str], KeyStats] = {}
    for form, label, n in items:
        entry = found.setdefault((name_key(form, label), label), KeyStats())
        entry.mentions += n
        entry.articles += n
        entry.forms[form] = entry.forms.get(form, 0) + n
    return found


@pytest.mark.parametrize(
    ("text", "label", "key"),
    [
        ("Sergey Lavrov", "PERSON", "sergey lavrov"),
        ("SERGEY  LAVROV", "PERSON", "sergey lavrov"),
        ("Lavrov’s", "PERSON", "lavrov"),
        ("Lavrov's", "PERSON", "lavrov"),
        ("Jones'", "PERSON", "jones"),
        ("Gen. Qamar Bajwa", "PERSON", "qamar bajwa"),
        ("Gen Qamar Bajwa", "PERSON", "qamar bajwa"),
        ("President Joe Biden", "PERSON", "joe biden"),
        ("Prime Minister Imran Khan", "PERSON", "imran khan"),
        ("Mr. Blair", "PERSON", "blair"),
        ("the Kremlin", "ORG", "kremlin"),
        ("The World Bank", "ORG", "world bank"),
        ("U.S.", "GPE", "us"),
        ("US", "GPE", "us"),
        ("Zoë Dubois", "PERSON", "zoe dubois"),
        ("Jean-Pierre Raffarin", "PERSON", "jean-pierre raffarin"),
        ("President", "PERSON", "president"),  # a title alone stays (nothing else is left)
        ("General Motors", "ORG", "general motors"),  # titles are cut from a PERSON only
        ("...", "ORG", ""),
    ],
)
def test_name_keys(text: str, label: str, key: str) -> None:
    assert name_key(text, label) == key


def test_display_names_keep_case_and_lose_titles() -> None:
    assert display_name("Gen. Qamar Bajwa’s", "PERSON") == "Qamar Bajwa"
    assert display_name("the  Kremlin", "ORG") == "Kremlin"


def test_in_one_article_a_surname_is_its_one_full_name() -> None:
    text = "Sergey Lavrov came. Lavrov said Lavrov’s view. Blair met Tony Blair and Cherie Blair."
    spans = [
        Span(text.index(form, at), text.index(form, at) + len(form), "PERSON", form)
        for form, at in [
            ("Sergey Lavrov", 0),
            ("Lavrov", 20),
            ("Lavrov’s", 32),
            ("Blair", 46),
            ("Tony Blair", 55),
            ("Cherie Blair", 70),
        ]
    ]
    keys = [(m.form, m.key, m.sentence) for m in article_mentions(text, spans)]
    assert keys == [
        ("Sergey Lavrov", "sergey lavrov", 0),
        ("Lavrov", "sergey lavrov", 1),
        ("Lavrov’s", "sergey lavrov", 1),
        ("Blair", "blair", 2),  # two full names end in Blair here: left alone
        ("Tony Blair", "tony blair", 2),
        ("Cherie Blair", "cherie blair", 2),
    ]


def test_sentences_end_at_full_stops_and_line_breaks() -> None:
    text = "One Two. Three “Four”! Five\n\nSix? seven. “Eight” 9. 10 pm."
    starts = sentence_starts(text)
    assert [text[s : s + 3] for s in starts] == ["One", "Thr", "Fiv", "Six", "“Ei", "10 "]


def test_a_lone_surname_joins_the_one_full_name_of_its_label() -> None:
    resolution = resolve(
        stats(("Sergey Lavrov", "PERSON", 5), ("Lavrov", "PERSON", 2), ("Lavrov", "ORG", 1))
    )
    lavrov = resolution.of("lavrov", "PERSON")
    assert lavrov is not None and lavrov.name == "Sergey Lavrov"
    assert lavrov.mentions == 7 and lavrov.articles == 7
    assert lavrov.variants == ("Sergey Lavrov", "Lavrov")
    assert lavrov.id == "PERSON:sergey lavrov"
    org = resolution.of("lavrov", "ORG")
    assert org is not None and org.id == "ORG:lavrov"  # another label: not joined


def test_an_ambiguous_surname_is_shown_not_guessed() -> None:
    resolution = resolve(
        stats(("Tony Blair", "PERSON", 3), ("Cherie Blair", "PERSON", 1), ("Blair", "PERSON", 4))
    )
    blair = resolution.of("blair", "PERSON")
    assert blair is not None and blair.keys == (("blair", "PERSON"),)
    assert blair.ambiguous == ("Cherie Blair", "Tony Blair")
    assert [e.name for e in resolution.entities] == ["Blair", "Tony Blair", "Cherie Blair"]


def test_only_people_join_by_surname() -> None:
    resolution = resolve(stats(("United States", "GPE", 3), ("States", "GPE", 1)))
    assert len(resolution.entities) == 2


def test_edits_merge_rename_relabel_split_in_order() -> None:
    keys = stats(("Tony Blair", "PERSON", 3), ("Cherie Blair", "PERSON", 1), ("Blair", "PERSON", 4))
    first = resolve(keys)
    blair, tony = first.find("Blair")[0], first.find("Tony Blair")[0]
    edits = [merge_edit(blair, tony), rename_edit(tony, "Anthony Blair")]
    merged = resolve(keys, edits)
    anthony = merged.find("Blair")[0]
    assert anthony.id == "PERSON:tony blair" and anthony.name == "Anthony Blair"
    assert anthony.mentions == 7 and set(anthony.keys) == {
        ("tony blair", "PERSON"),
        ("blair", "PERSON"),
    }
    assert merged.find("Anthony Blair") == [anthony]
    relabelled = resolve(keys, [*edits, relabel_edit(anthony, "org")])
    assert relabelled.get("PERSON:tony blair").label == "ORG"  # type: ignore[union-attr]
    split = resolve(keys, [*edits, split_edit(anthony, "Blair")])
    assert split.of("blair", "PERSON").id == "PERSON:blair"  # type: ignore[union-attr]
    assert split.of("tony blair", "PERSON").name == "Anthony Blair"  # type: ignore[union-attr]
    assert not split.unapplied


def test_splitting_every_variant_apart_undoes_the_surname_rule() -> None:
    keys = stats(("Sergey Lavrov", "PERSON", 5), ("Lavrov", "PERSON", 2))
    joined = resolve(keys).entities[0]
    apart = resolve(keys, [split_edit(joined)])
    assert sorted(e.id for e in apart.entities) == ["PERSON:lavrov", "PERSON:sergey lavrov"]


def test_conflicting_edits_are_reported_not_applied() -> None:
    keys = stats(("Tony Blair", "PERSON", 3), ("Blair", "PERSON", 4), ("Cherie Blair", "PERSON", 1))
    a = Edit("merge", "blair", "PERSON", into_key="tony blair", into_label="PERSON")
    b = Edit("merge", "tony blair", "PERSON", into_key="blair", into_label="PERSON")
    gone = Edit("rename", "gordon brown", "PERSON", name="Gordon")
    resolution = resolve(keys, [a, b, gone])
    assert [why for _, why in resolution.unapplied] == [
        "they are already one entity",
        "gordon brown (PERSON) is not in the library",
    ]
    assert len(resolution.entities) == 2
    with pytest.raises(ValueError, match="already"):
        merge_edit(resolution.entities[0], resolution.entities[0])
    with pytest.raises(ValueError, match="no variant"):
        split_edit(resolution.of("cherie blair", "PERSON"))  # type: ignore[arg-type]


def test_edits_round_trip_through_json_and_bad_ones_are_refused() -> None:
    edit = Edit("merge", "blair", "PERSON", into_key="tony blair", into_label="PERSON", id="x")
    assert Edit.from_json(edit.to_json()) == edit
    for bad in [
        {"op": "explode", "key": "a", "label": "B"},
        {"op": "merge", "key": "a", "label": "B"},
        {"op": "rename", "key": "a", "label": "B", "name": 3},
        {"op": "relabel", "key": "", "label": "B", "new_label": "ORG"},
    ]:
        with pytest.raises(ValueError):
            Edit.from_json(bad)


# --- properties ----------------------------------------------------------------------

_NAME_WORD = st.text(alphabet="abcdefgh", min_size=2, max_size=5).map(str.capitalize)
_TITLES = st.sampled_from(["", "Gen. ", "President ", "Mr ", "Prime Minister ", "Dr. "])
_POSSESSIVES = st.sampled_from(["", "’s", "'s"])


@given(
    st.lists(_NAME_WORD, min_size=1, max_size=3),
    _TITLES,
    _POSSESSIVES,
    st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
)
def test_titles_case_and_possessives_never_change_a_key(
    words: list[str], title: str, possessive: str, case: object
) -> None:
    name = " ".join(words)
    variant = case(f"{title}{name}{possessive}")  # type: ignore[operator]
    assert name_key(variant, "PERSON") == name_key(name, "PERSON") == name.lower()


_FORMS = st.lists(
    st.tuples(
        st.lists(_NAME_WORD, min_size=1, max_size=2).map(" ".join),
        st.sampled_from(["PERSON", "ORG"]),
        st.integers(1, 5),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200)
@given(_FORMS)
def test_resolution_partitions_every_key_and_keeps_every_mention(
    items: list[tuple[str, str, int]],
) -> None:
    keys = stats(*items)
    resolution = resolve(keys)
    seen = [member for entity in resolution.entities for member in entity.keys]
    assert sorted(seen) == sorted(keys)  # every key in exactly one entity
    assert sum(e.mentions for e in resolution.entities) == sum(s.mentions for s in keys.values())
    for entity in resolution.entities:
        assert all(resolution.of(*member) == entity for member in entity.keys)
        if len(entity.keys) > 1:  # only joins: a lone PERSON surname and its one full name
            assert entity.label == "PERSON"
            lone = [k for k, _ in entity.keys if " " not in k]
            assert all(entity.keys[0][0].endswith(" " + k) for k in lone)
        for name in entity.ambiguous:  # an ambiguous surname names at least two candidates
            assert name.lower().endswith(entity.keys[0][0])
        assert not entity.ambiguous or len(entity.ambiguous) >= 2


@settings(max_examples=100)
@given(_FORMS, st.data())
def test_a_merge_then_splitting_it_apart_gives_singletons(
    items: list[tuple[str, str, int]], data: st.DataObject
) -> None:
    keys = stats(*items)
    first = resolve(keys)
    if len(first.entities) < 2:
        return
    a, b = data.draw(st.permutations(first.entities))[:2]
    merged = resolve(keys, [merge_edit(a, b)])
    into = merged.get(b.id)
    assert into is not None and set(a.keys) <= set(into.keys)
    assert into.mentions == a.mentions + b.mentions
    apart = resolve(keys, [merge_edit(a, b), split_edit(into)])
    assert all(len(e.keys) == 1 for e in apart.entities if e.keys[0] in into.keys)
    assert Counter(k for e in apart.entities for k in e.keys) == Counter(list(keys))


def test_an_imported_edit_cannot_carry_control_sequences() -> None:
    # Edits come from import files too: what is shown (names, labels) is sanitised.
    hostile = "\x1b]52;c;ZXZpbA==\x07Evil\u202e \x1b[2J"
    edit = Edit.from_json({"op": "relabel", "key": "x", "label": "PERSON", "new_label": hostile})
    assert edit.new_label == "Evil"
    edit = Edit.from_json({"op": "rename", "key": "x", "label": "ORG", "name": hostile})
    assert not any(c in edit.name for c in "\x1b\x07\u202e")
