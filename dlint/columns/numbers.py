"""Arrays of numbers kept as text by the typed decode, read in bulk into float64 arrays.

The slices of one key (every ``points`` of the polygons, say) are joined into JSON arrays of
:data:`CHUNK` arrays, each parsed once and flattened into contiguous doubles: no Python object per
number, and the working memory stays that of one chunk. An array holding anything that is not a number
(a string, ``null``, a boolean, an object) or is out of range is marked unreadable: its row is
flagged (see :attr:`dlint.columns.table.Table.schema_rows`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import simdjson
from msgspec import Raw

Floats = npt.NDArray[np.float64]
Counts = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

#: Arrays parsed at once (about 256 KB of polygon text: with the arrays made from it, it stays in the
#: processor's cache; four times as many were 10% slower).
CHUNK = 1024
OPEN = b"["


def read(slices: Sequence[Any]) -> tuple[Floats, Counts, Bools]:
    """All numbers of the arrays in ``slices`` back to back, how many each holds, and whether each is
    a flat array of JSON numbers at all. A slice that is not (or is absent: not bytes-like) counts as
    holding no number; the others are read a chunk at a time, and only a chunk holding a bad slice is
    read again slice by slice."""
    parser = simdjson.Parser()
    counts = np.zeros(len(slices), dtype=np.int64)
    readable = np.ones(len(slices), dtype=bool)
    parts: list[Floats] = [np.zeros(0)]
    for lo in range(0, len(slices), CHUNK):
        part = slices[lo : lo + CHUNK]
        values = _read_chunk(parser, part, counts[lo : lo + len(part)])
        if values is None:
            values = _read_singly(parser, part, counts[lo : lo + len(part)], readable[lo : lo + len(part)])
        parts.append(values)
    return np.concatenate(parts), counts, readable


def _read_singly(parser: Any, slices: Sequence[Any], counts: Counts, readable: Bools) -> Floats:
    """A chunk's numbers read one slice at a time, the unreadable ones marked and counted empty."""
    found: list[Floats] = [np.zeros(0)]
    for index, piece in enumerate(slices):
        one = np.zeros(1, dtype=np.int64)
        values = _read_chunk(parser, [piece], one) if isinstance(piece, (bytes, Raw)) else None
        if values is None:
            readable[index], counts[index] = False, 0
        else:
            counts[index] = one[0]
            found.append(values)
    return np.concatenate(found)


def _read_chunk(parser: Any, slices: Sequence[Any], counts: Counts) -> Floats | None:
    """One chunk's numbers; ``counts`` receives each array's length."""
    try:
        blob = array_text(slices)
        arrays = parser.parse(blob)
        values = np.frombuffer(arrays.as_buffer(of_type="d"), dtype=np.float64)
        # Only numbers, commas, brackets and white space are left, and the buffer flattens arrays
        # nested in the slices' own: there are none when the brackets are one pair a slice.
        if blob.count(OPEN) != len(slices) + 1:
            return None
        counts[:] = np.fromiter(map(len, arrays), dtype=np.int64, count=len(slices))
    except (AttributeError, TypeError, ValueError, RuntimeError):  # not numbers, not arrays, too big
        return None
    return values if int(counts.sum()) == values.size else None


def array_text(slices: Sequence[Any]) -> bytes:
    """The slices as the text of one JSON array, copied once."""
    if not slices:
        return b"[]"
    parts: list[Any] = [b","] * (2 * len(slices) + 1)
    parts[1::2] = slices
    parts[0] = b"["
    parts[-1] = b"]"
    return b"".join(parts)


def starts(counts: Counts) -> Counts:
    """Where each array begins in the flat values."""
    begin = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=begin[1:])
    return begin


def blocks(counts: Counts, size: int) -> list[tuple[int, int]]:
    """Consecutive ranges ``[lo, hi)`` of the arrays, each holding about ``size`` values at most (an
    array larger than that alone)."""
    ends = np.searchsorted(np.cumsum(counts), np.arange(size, int(counts.sum()) + size, size), "right")
    cuts = sorted({0, *ends.tolist(), counts.size})
    return list(itertools.pairwise(cuts))
