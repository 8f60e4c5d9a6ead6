"""A spaCy pipeline's word vectors read from its files compactly: float16 rows, and the
key-to-row table as two arrays instead of a dictionary.

spaCy loads md's vectors as a 20,000 x 300 float32 table (24 MB) and its ``key2row`` as a
dictionary of 514,157 int keys (55 MB), before reader halves the table: the entity
worker's peak. Read here, a slice at a time, the same vectors take 12 MB and the table
6 MB, at every moment. Only numpy and srsly (spaCy's own serialisation library) are used:
the spaCy engine (reader/entities/engines/spacy_engine.py) installs what this returns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy

__all__ = ["KeyRows", "read_key_rows", "read_rows_as_float16"]

#: Rows converted at a time (300 columns of float32: 1.2 MB).
_SLICE_ROWS = 1024


class KeyRows(Mapping[int, int]):
    """The vectors' ``key2row`` (a word's hash to its row), as sorted key and row arrays.

    spaCy asks it ``get(orth, default)`` when it makes a lexeme (its rank); the float16
    forward pass looks a batch of keys up at once with :meth:`rows`.
    """

    def __init__(self, keys: numpy.ndarray[Any, Any], rows: numpy.ndarray[Any, Any]) -> None:
        order = numpy.argsort(keys, kind="stable")
        self._keys = numpy.ascontiguousarray(keys[order], dtype=numpy.uint64)
        self._rows = numpy.ascontiguousarray(rows[order], dtype=numpy.int32)

    def rows(self, keys: Iterable[int] | numpy.ndarray[Any, Any]) -> numpy.ndarray[Any, Any]:
        """The row of each of *keys* (-1 for a key without one), as int32."""
        wanted = numpy.asarray(keys, dtype=numpy.uint64).ravel()
        if not len(self._keys):
            return numpy.full(len(wanted), -1, dtype=numpy.int32)
        at = numpy.searchsorted(self._keys, wanted)
        at[at == len(self._keys)] = 0
        found = self._keys[at] == wanted
        return numpy.where(found, self._rows[at], -1).astype(numpy.int32)

    def __getitem__(self, key: int) -> int:
        row = int(self.rows([key])[0])
        if row < 0:
            raise KeyError(key)
        return row

    def get(self, key: int, default: Any = None) -> Any:
        row = int(self.rows([key])[0])
        return default if row < 0 else row

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and 0 <= key < 2**64 and self.get(key) is not None

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[int]:
        return (int(key) for key in self._keys)


def read_rows_as_float16(path: Path) -> numpy.ndarray[Any, Any] | None:
    """The 2-D float32 ``.npy`` table at *path* as float16, read a slice at a time; None
    if the file is not such a table (it is then left to spaCy)."""
    try:
        with path.open("rb") as file:
            version = numpy.lib.format.read_magic(file)
            if version == (1, 0):
                shape, fortran, dtype = numpy.lib.format.read_array_header_1_0(file)
            elif version == (2, 0):
                shape, fortran, dtype = numpy.lib.format.read_array_header_2_0(file)
            else:
                return None
            if fortran or len(shape) != 2 or dtype != numpy.dtype("<f4"):
                return None
            rows, columns = shape
            table = numpy.empty((rows, columns), dtype=numpy.float16)
            for start in range(0, rows, _SLICE_ROWS):
                count = min(_SLICE_ROWS, rows - start)
                part = numpy.fromfile(file, dtype="<f4", count=count * columns)
                if len(part) != count * columns:
                    return None  # cut short
                table[start : start + count] = part.reshape(count, columns)
            return table
    except (OSError, ValueError):
        return None


def read_key_rows(path: Path, rows: int) -> KeyRows | None:
    """The msgpack map of word hashes to rows at *path* (spaCy's ``key2row``) as
    :class:`KeyRows`, each pair read into two arrays (no dictionary, no int object per
    key); None if it is not such a map with every row below *rows*."""
    from srsly import msgpack

    try:
        with path.open("rb") as file:
            unpacker = msgpack.Unpacker(file, read_size=1 << 20)
            count = unpacker.read_map_header()
            pairs = numpy.fromiter(
                itertools.islice(unpacker, 2 * count), dtype=numpy.uint64, count=2 * count
            )
    except (OSError, ValueError, TypeError, OverflowError, msgpack.UnpackException):
        return None
    keys, found = pairs[0::2], pairs[1::2]
    if len(found) and int(found.max()) >= rows:
        return None
    return KeyRows(keys, found.astype(numpy.int32))
