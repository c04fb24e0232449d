"""Arrays of numbers kept as text by the typed decode, read in bulk into one float64 array.

The slices of one key (every ``points`` of the polygons, say) are joined into one JSON array of arrays,
parsed once, and flattened into contiguous doubles: no Python object per number. Anything that is not a
number (a string, ``null``, a boolean, an object) or is out of range fails the read, and the caller
takes the ordinary path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import simdjson

Floats = npt.NDArray[np.float64]
Counts = npt.NDArray[np.int64]


def read(slices: Sequence[Any]) -> tuple[Floats, Counts] | None:
    """All numbers of the arrays in ``slices`` (JSON text, bytes-like) back to back, and how many each
    array holds; None when one of them is not a flat array of JSON numbers (or is absent)."""
    if not slices:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    try:
        blob = b"".join((b"[", b",".join(slices), b"]"))
    except TypeError:  # a slice is missing (an absent key)
        return None
    parser = simdjson.Parser()
    try:
        arrays = parser.parse(blob)
        if not isinstance(arrays, simdjson.Array):
            return None
        counts = np.fromiter(map(_length, arrays), dtype=np.int64, count=len(slices))
        values = np.frombuffer(arrays.as_buffer(of_type="d"), dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):  # not numbers, not arrays, beyond 64 bits
        return None
    if int(counts.sum()) != values.size:  # a nested array was flattened into its parent
        return None
    return values, counts


def _length(value: Any) -> int:
    if not isinstance(value, simdjson.Array):
        raise TypeError("not an array")
    return len(value)


def starts(counts: Counts) -> Counts:
    """Where each array begins in the flat values."""
    begin = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=begin[1:])
    return begin
