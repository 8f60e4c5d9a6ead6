"""Word vectors read compactly from a pipeline's files (reader/entities/engines/vector_rows.py):
the same rows and the same key lookups as spaCy's own loading, on files written the way
spaCy writes them (numpy.save, srsly.write_msgpack)."""

from __future__ import annotations

from pathlib import Path

import numpy
import pytest
import srsly

from reader.entities.engines.vector_rows import KeyRows, read_key_rows, read_rows_as_float16


def test_rows_are_read_as_float16_a_slice_at_a_time(tmp_path: Path) -> None:
    table = numpy.random.default_rng(3).normal(size=(2500, 30)).astype(numpy.float32)
    path = tmp_path / "vectors"
    with path.open("wb") as file:  # as spaCy writes it (no .npy suffix added)
        numpy.save(file, table)
    read = read_rows_as_float16(path)
    assert read is not None and read.dtype == numpy.float16 and read.shape == (2500, 30)
    assert numpy.array_equal(read, table.astype(numpy.float16))


@pytest.mark.parametrize(
    "table",
    [
        numpy.zeros((4, 3), dtype=numpy.float64),  # not float32
        numpy.zeros(12, dtype=numpy.float32),  # not a table
        numpy.asfortranarray(numpy.ones((4, 3), dtype=numpy.float32)),
    ],
)
def test_a_table_of_another_kind_is_left_to_spacy(
    tmp_path: Path,
    table: numpy.ndarray,  # type: ignore[type-arg]
) -> None:
    path = tmp_path / "vectors"
    with path.open("wb") as file:
        numpy.save(file, table)
    assert read_rows_as_float16(path) is None


def test_a_cut_or_missing_table_is_left_to_spacy(tmp_path: Path) -> None:
    path = tmp_path / "vectors"
    with path.open("wb") as file:
        numpy.save(file, numpy.ones((100, 8), dtype=numpy.float32))
    path.write_bytes(path.read_bytes()[:-40])
    assert read_rows_as_float16(path) is None
    assert read_rows_as_float16(tmp_path / "nothing") is None
    (tmp_path / "junk").write_bytes(b"not numpy")
    assert read_rows_as_float16(tmp_path / "junk") is None


def test_the_key_table_answers_as_spacys_dictionary(tmp_path: Path) -> None:
    rng = numpy.random.default_rng(5)
    # Hashes of every size msgpack writes differently (fixint to uint64), rows up to 2**16.
    hashes = rng.integers(2**63, 2**64 - 1, 3000, dtype=numpy.uint64)
    keys = [7, 200, 70_000, 2**33 + 1, *map(int, hashes)]
    rows = rng.integers(0, 70_000, len(keys))
    expected = {key: int(row) for key, row in zip(keys, rows, strict=True)}
    path = tmp_path / "key2row"
    srsly.write_msgpack(path, expected)
    table = read_key_rows(path, 70_000)
    assert table is not None and len(table) == len(expected)
    assert dict(table.items()) == expected
    for key, row in list(expected.items())[:50]:
        assert table.get(key, -1) == row == table[key] and key in table
    missing = [3, 2**40, 2**64 - 2]
    assert all(table.get(key, -7) == -7 and key not in table for key in missing)
    with pytest.raises(KeyError):
        table[3]
    wanted = numpy.array([*expected, *missing], dtype=numpy.uint64)
    assert table.rows(wanted).tolist() == [*expected.values(), -1, -1, -1]
    assert read_key_rows(path, 10) is None  # a row past the table: not this table's keys
    (tmp_path / "junk").write_bytes(b"\x93\x01\x02\x03")  # a list, not a map
    assert read_key_rows(tmp_path / "junk", 10) is None


def test_an_empty_key_table_finds_nothing() -> None:
    table = KeyRows(numpy.array([], dtype=numpy.uint64), numpy.array([], dtype=numpy.int32))
    assert table.rows([1, 2]).tolist() == [-1, -1] and table.get(1) is None and not len(table)
