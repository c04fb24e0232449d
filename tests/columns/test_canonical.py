"""Whether a file is already in canonical compact form, told by the column pass from its own decode,
without building the file's Python tree: in one process, and with the items shared by two."""

from __future__ import annotations

import copy
import json
import math
import random
import struct
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint import columns, engine, limits
from dlint.fixloop import fix_bytes
from dlint.rules import ALL_RULES
from dlint.writer import canonical, dumps
from tests.columns.test_engine import (
    GENERATE,
    MUTATIONS,
    NO_KEY_SCAN,
    _mutated,
    _values,
    through_columns,
)


def is_canonical(raw: bytes, share: bool = False) -> bool:
    """The column pass's verdict: nothing to report, and canonical compact form."""
    with limits.use(NO_KEY_SCAN):
        return engine.clean_and_canonical(raw, file="t.json", subset="default", rules=ALL_RULES, share=share)


def writer_keeps(raw: bytes) -> bool:
    """Whether the canonical compact writer writes ``raw`` back unchanged."""
    return dumps(canonical(orjson.loads(raw))) == raw


SHARED = pytest.mark.parametrize("share", [False, True], ids=["one process", "two processes"])
#: A file whose items can be cut in two (the smallest generated ones cannot).
CUTTABLE, _ = GENERATE.generate(40, 5, 0)


def shared_both_ways(raw: bytes, share: bool) -> bool:
    """:func:`is_canonical`, making sure that the items are shared when ``share`` asks for it."""
    if share:
        decoded = columns.decode(raw, NO_KEY_SCAN, share=True)
        assert decoded is not None and decoded.cut is not None
    return is_canonical(raw, share)


@SHARED
@pytest.mark.parametrize("seed", range(3))
def test_generated_files_are_canonical(seed: int, share: bool) -> None:
    raw, _ = GENERATE.generate(40, seed, 0)
    assert writer_keeps(raw)
    assert is_canonical(raw, share)


@SHARED
def test_other_layouts_and_orders_are_not_canonical(share: bool) -> None:
    doc = orjson.loads(CUTTABLE)
    assert shared_both_ways(CUTTABLE, share)
    assert not shared_both_ways(json.dumps(doc).encode(), share)  # spaces after separators
    assert not shared_both_ways(orjson.dumps(doc, option=orjson.OPT_INDENT_2), share)
    assert not shared_both_ways(CUTTABLE + b"\n", share)
    reordered = copy.deepcopy(doc)
    first = reordered["items"][0]["annotations"][0]
    reordered["items"][0]["annotations"][0] = dict(reversed(list(first.items())))
    assert not shared_both_ways(orjson.dumps(reordered), share)
    floats = CUTTABLE.replace(b'"size":[480,640]', b'"size":[480,6.4e2]', 1)
    assert floats != CUTTABLE and not shared_both_ways(floats, share)
    typed = copy.deepcopy(doc)  # the type first, as the encoder writes it: not the writer's order
    first = typed["items"][-1]["annotations"][-1]
    typed["items"][-1]["annotations"][-1] = {"type": first.pop("type"), **first}
    assert not shared_both_ways(orjson.dumps(typed), share)
    points = CUTTABLE.replace(b'"points":[', b'"points":[ ', 1)  # white space in a value kept as text
    assert points != CUTTABLE and not shared_both_ways(points, share)
    head = CUTTABLE.replace(b'"dm_format_version":"1.0",', b'"dm_format_version": "1.0",', 1)
    assert head != CUTTABLE and not shared_both_ways(head, share)


@SHARED
def test_an_attribute_float_the_encoders_write_apart_is_not_taken_for_canonical(share: bool) -> None:
    doc = orjson.loads(CUTTABLE)
    doc["items"][0]["annotations"][0]["attributes"]["far"] = 1e22
    raw = orjson.dumps(doc)
    assert writer_keeps(raw) and b"1e+22" in raw
    assert not shared_both_ways(raw, share)  # (the longer road gives the same bytes)
    assert not shared_both_ways(raw.replace(b"1e+22", b"1e22"), share)


def test_strings_integers_and_floats_are_encoded_alike() -> None:
    text = "".join(map(chr, range(0x800))) + "\u2028\u2029\ufeff\U0001f600"
    assert msgspec.json.encode(text) == orjson.dumps(text)
    for number in (0, -1, 2**63 - 1, -(2**63)):
        assert msgspec.json.encode(number) == orjson.dumps(number)
    rnd = random.Random(3)
    floats = [rnd.uniform(-1e6, 1e6) for _ in range(2000)] + [0.1, -0.0, 1e-7, 5e-324, 1e15, 123.0]
    floats += [struct.unpack("<d", rnd.randbytes(8))[0] for _ in range(20000)]
    for value in floats:
        if math.isfinite(value):
            mine, theirs = msgspec.json.encode(value), orjson.dumps(value)
            # the one form apart, which dlint.columns.form looks for
            assert mine == theirs or (b"e+" in theirs and mine == theirs.replace(b"e+", b"e"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(MUTATIONS), _values()), min_size=1, max_size=3), st.randoms())
def test_canonical_verdict_agrees_with_the_writer(mutations: list[Any], rnd: random.Random) -> None:
    doc = _mutated(mutations, rnd)
    try:
        raw = orjson.dumps(doc)
    except TypeError:
        return
    for share in (False, True):
        if is_canonical(raw, share):
            assert through_columns(raw, ALL_RULES, share=share) == []
            assert writer_keeps(raw)


def test_fix_leaves_a_big_clean_canonical_file_alone() -> None:
    raw, _ = GENERATE.generate(600, 12, 0)
    assert len(raw) >= engine.COLUMN_MIN_SIZE
    with limits.use(NO_KEY_SCAN):
        kept = fix_bytes(raw, file="t.json", subset="default", rules=ALL_RULES)
        assert kept.fixed is None and not kept.changed and kept.remaining == []
        spaced = json.dumps(orjson.loads(raw)).encode()
        rewritten = fix_bytes(spaced, file="t.json", subset="default", rules=ALL_RULES)
    assert rewritten.changed and rewritten.fixed == raw
