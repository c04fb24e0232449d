"""Arrays of numbers read in bulk: each slice is read as a flat array of JSON numbers, or is unreadable."""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import orjson
import pytest

from dlint.columns import numbers


def expected(text: bytes) -> list[float] | None:
    """What a slice holds when it is a flat array of (finite) numbers, else None."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if type(value) is not list or not all(type(v) in (int, float) for v in value):
        return None
    floats = [float(v) for v in value]
    return floats if all(math.isfinite(v) for v in floats) else None


SLICES = [
    b"[1, 2.5, -3]",
    b"[]",
    b"[7]",
    b"[[1], [2]]",  # an array nested in the slice's own: its numbers would flatten alike
    b"[[1, 2]]",
    b"[1, [2, 3]]",
    b'[1, "2"]',
    b"[null]",
    b"[true, 1]",
    b'{"a": 1}',
    b"3",
    b"[1e400]",
    b"[ 1 , 2 ]",
    b"[-0.0, 1e-300]",
]


@pytest.mark.parametrize("text", SLICES)
def test_a_slice_alone_reads_as_its_numbers_or_not_at_all(text: bytes) -> None:
    values, counts, readable = numbers.read([text])
    want = expected(text)
    assert bool(readable[0]) is (want is not None)
    assert values.tolist() == (want or []) and counts.tolist() == [len(want or [])]


def test_bad_slices_among_good_ones_leave_the_good_ones_read() -> None:
    rnd = random.Random(3)
    good = [orjson.dumps([rnd.uniform(-9, 9) for _ in range(rnd.randrange(0, 9))]) for _ in range(3000)]
    texts: list[Any] = list(good)
    for at in rnd.sample(range(len(texts)), 40):
        texts[at] = rnd.choice(SLICES)
    texts[5] = None  # an absent key
    values, counts, readable = numbers.read(texts)
    wants = [expected(t) if isinstance(t, bytes) else None for t in texts]
    assert readable.tolist() == [w is not None for w in wants]
    assert counts.tolist() == [len(w or []) for w in wants]
    assert np.array_equal(values, np.array([v for w in wants for v in (w or [])]))
