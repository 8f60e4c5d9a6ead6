"""reader.search.notices: a label: or in: value that names nothing is told, closest first."""

from __future__ import annotations

from reader.search.notices import unknown_values
from reader.search.query import parse

FOLDERS = ["economy", "world/europe", "world/asia", ""]


def notices(text: str, labels: tuple[str, ...] = ()) -> list[str]:
    return unknown_values(parse(text), labels=labels, folders=FOLDERS)


def test_an_unknown_label_names_the_closest_one() -> None:
    assert notices("label:perosn") == ["no label PEROSN: did you mean PERSON?"]
    assert notices("-label:ogr") == ["no label OGR: did you mean ORG?"]
    (far,) = notices("label:zzzzzz")
    assert far.startswith("no label ZZZZZZ (labels: PERSON, NORP, ")


def test_a_label_being_typed_names_those_it_begins() -> None:
    assert notices("label:p") == ["no label P: did you mean PERSON, PRODUCT or PERCENT?"]
    assert notices("label:wor") == ["no label WOR: did you mean WORK_OF_ART?"]
    assert notices("in:wo") == ["no folder wo in the library: did you mean world?"]
    assert notices("in:world/eu") == [
        "no folder world/eu in the library: did you mean world/europe?"
    ]
    assert notices("in:world/eurpoe") == [
        "no folder world/eurpoe in the library: did you mean world/europe?"
    ]


def test_known_labels_are_spacys_and_the_librarys() -> None:
    assert notices("label:person label:WORK_OF_ART") == []
    assert notices("label:TOPIC") != []
    assert notices("label:TOPIC", labels=("TOPIC",)) == []


def test_a_folder_the_library_has_not() -> None:
    assert notices("in:economy in:europe in:World/Europe in:world") == []
    assert notices("in:economyy") == ["no folder economyy in the library: did you mean economy?"]
    assert notices("x (in:eurpoe OR y)") == [
        "no folder eurpoe in the library: did you mean europe?"
    ]
    assert notices("in:qqq/zzz") == ["no folder qqq/zzz in the library"]
    assert unknown_values(parse("in:x"), folders=[""]) == [
        "no folder x in the library (its articles are in no folder)"
    ]


def test_each_value_once_and_nothing_without_those_fields() -> None:
    assert notices("label:perosn OR -label:perosn") == ["no label PEROSN: did you mean PERSON?"]
    assert notices("tag:nothing perosn") == []


def test_untrusted_values_stay_on_one_line() -> None:
    (notice,) = notices('in:"a\\nb\x1b[31m"')
    assert "\n" not in notice and "\x1b" not in notice


def test_the_librarys_labels_are_shown_sanitised() -> None:
    # A correction's label is any string (an imported annotation file's too): the labels
    # the index has are untrusted text, as the values typed are.
    hostile = "PERSONA\x1b]52;c;eA==\x07\x1b[31m"
    (near,) = notices("label:persona", labels=(hostile,))
    assert near == "no label PERSONA: did you mean PERSONA?"
    (far,) = notices("label:zzzzzz", labels=("QQ\x1b[2J\nRR",))
    assert "\x1b" not in far and "\n" not in far
    assert far.endswith(", QQ RR)")
