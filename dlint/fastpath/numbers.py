"""Arrays of numbers kept as text by the typed decode, read in bulk into one float64 array.

The slices of one key (every ``points`` of the polygons, say) are joined into JSON arrays of arrays
of about :data:`CHUNK` bytes, each parsed once and flattened into contiguous doubles: no Python object
per number, and the parser's working memory stays that of one chunk. Anything that is not a number (a
string, ``null``, a boolean, an object) or is out of range fails the read, and the caller takes the
ordinary path.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import simdjson

Floats = npt.NDArray[np.float64]
Counts = npt.NDArray[np.int64]

#: Bytes of text parsed at once.
CHUNK = 1 << 20
OPEN, CLOSE, COMMA = b"[],"


def read(slices: Sequence[Any]) -> tuple[Floats, Counts] | None:
    """All numbers of the arrays in ``slices`` (JSON text, bytes-like) back to back, and how many each
    array holds; None when one of them is not a flat array of JSON numbers (or is absent)."""
    try:
        sizes = np.fromiter(map(len, slices), dtype=np.int64, count=len(slices))
    except TypeError:  # a slice is missing (an absent key)
        return None
    parser = simdjson.Parser()
    counts = np.zeros(len(slices), dtype=np.int64)
    # room for the most numbers the text can hold (one digit and one comma each); only the pages
    # written to take memory
    values = np.empty(int(sizes.sum()) // 2 + 1)
    filled = 0
    for lo, hi in blocks(sizes, CHUNK):
        part = _read_chunk(parser, slices[lo:hi], counts[lo:hi])
        if part is None:
            return None
        values[filled : filled + part.size] = part
        filled += part.size
    return values[:filled], counts


def _read_chunk(parser: Any, slices: Sequence[Any], counts: Counts) -> Floats | None:
    """One chunk's numbers; ``counts`` receives each array's length."""
    blob = b"".join((b"[", b",".join(slices), b"]"))
    try:
        arrays = parser.parse(blob)
        values = np.frombuffer(arrays.as_buffer(of_type="d"), dtype=np.float64)
    except (AttributeError, TypeError, ValueError, RuntimeError):  # not numbers, not arrays, too big
        return None
    # Only numbers, commas, brackets and white space are left: one bracket pair per slice when no
    # array nests in another, and the commas inside a pair tell its length.
    text = np.frombuffer(blob, dtype=np.uint8)
    opens, closes = np.flatnonzero(text == OPEN), np.flatnonzero(text == CLOSE)
    if opens.size != len(slices) + 1 or closes.size != opens.size or (opens[1:] > closes[:-1]).any():
        return None
    commas = np.flatnonzero(text == COMMA)
    counts[:] = np.searchsorted(commas, closes[:-1]) - np.searchsorted(commas, opens[1:]) + 1
    for index in np.flatnonzero(counts == 1).tolist():  # one number, or none
        if not bytes(slices[index]).strip(b"[] \t\r\n"):
            counts[index] = 0
    return values if int(counts.sum()) == values.size else None


def starts(counts: Counts) -> Counts:
    """Where each array begins in the flat values."""
    begin = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=begin[1:])
    return begin


def blocks(counts: Counts, size: int) -> list[tuple[int, int]]:
    """Consecutive ranges ``[lo, hi)`` of the arrays, each holding about ``size`` values at most (an
    array larger than that alone)."""
    ends = np.searchsorted(np.cumsum(counts), np.arange(size, int(counts.sum()) + size, size), "right")
    cuts = np.unique(np.concatenate(([0], ends, [counts.size]))).tolist()
    return list(itertools.pairwise(cuts))
