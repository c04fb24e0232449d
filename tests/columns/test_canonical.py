"""Whether a file is already in canonical compact form, told without building its Python tree."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint import engine, limits
from dlint.columns.canonical import is_canonical
from dlint.fixloop import fix_bytes
from dlint.rules import ALL_RULES
from dlint.writer import canonical, dumps
from tests.columns.test_engine import (
    GENERATE,
    MUTATIONS,
    NO_KEY_SCAN,
    SMALL,
    _mutated,
    _values,
    through_columns,
)


def writer_keeps(raw: bytes) -> bool:
    """Whether the canonical compact writer writes ``raw`` back unchanged."""
    return dumps(canonical(orjson.loads(raw))) == raw


@pytest.mark.parametrize("seed", range(3))
def test_generated_files_are_canonical(seed: int) -> None:
    raw, _ = GENERATE.generate(40, seed, 0)
    assert writer_keeps(raw)
    assert is_canonical(raw)


def test_other_layouts_and_orders_are_not_canonical() -> None:
    doc = orjson.loads(SMALL)
    assert not is_canonical(json.dumps(doc).encode())  # spaces after separators
    assert not is_canonical(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    assert not is_canonical(SMALL + b"\n")
    reordered = copy.deepcopy(doc)
    first = reordered["items"][0]["annotations"][0]
    reordered["items"][0]["annotations"][0] = dict(reversed(list(first.items())))
    assert not is_canonical(orjson.dumps(reordered))
    floats = SMALL.replace(b'"size":[480,640]', b'"size":[480,6.4e2]', 1)
    assert floats != SMALL and not is_canonical(floats)


def test_strings_and_integers_are_encoded_alike() -> None:
    text = "".join(map(chr, range(0x800))) + "\u2028\u2029\ufeff\U0001f600"
    assert msgspec.json.encode(text) == orjson.dumps(text)
    for number in (0, -1, 2**63 - 1, -(2**63)):
        assert msgspec.json.encode(number) == orjson.dumps(number)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(MUTATIONS), _values()), min_size=1, max_size=3), st.randoms())
def test_canonical_verdict_agrees_with_the_writer(mutations: list[Any], rnd: random.Random) -> None:
    doc = _mutated(mutations, rnd)
    try:
        raw = orjson.dumps(doc)
    except TypeError:
        return
    if through_columns(raw, ALL_RULES) == [] and is_canonical(raw):
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
