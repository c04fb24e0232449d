"""The canonical writer: Datumaro's key order, values untouched, two layouts that parse alike."""

from __future__ import annotations

import json
import random
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from dlint.writer import canonical, dumps
from tests.conftest import ROOT

EXPORT = ROOT / "examples" / "datumaro-export" / "annotations"


def _shuffled(node: Any, rng: random.Random) -> Any:
    if isinstance(node, dict):
        keys = list(node)
        rng.shuffle(keys)
        return {key: _shuffled(node[key], rng) for key in keys}
    if isinstance(node, list):
        return [_shuffled(value, rng) for value in node]
    return node


def test_datumaro_exports_are_already_canonical() -> None:
    for path in EXPORT.glob("*.json"):
        raw = path.read_bytes()
        assert dumps(canonical(orjson.loads(raw))) == raw


def test_any_key_order_comes_back_to_the_exporters() -> None:
    raw = (EXPORT / "train.json").read_bytes()
    for seed in range(20):
        shuffled = _shuffled(orjson.loads(raw), random.Random(seed))
        assert dumps(canonical(shuffled)) == raw


def test_lines_layout_puts_one_annotation_per_line_and_parses_alike() -> None:
    data = orjson.loads((EXPORT / "train.json").read_bytes())
    text = dumps(canonical(data), "lines")
    assert orjson.loads(text) == data
    lines = text.decode().splitlines()
    count = sum(len(item["annotations"]) for item in data["items"])
    assert sum(1 for line in lines if line.startswith('{"id":') and '"type":' in line) == count
    assert dumps(canonical(orjson.loads(text)), "lines") == text


def test_numbers_are_written_as_read() -> None:
    raw = b'{"items":[{"id":"a","annotations":[{"type":"bbox","bbox":[1,2.5,1e-7,12345678901234567]}]}]}'
    out = orjson.loads(dumps(canonical(orjson.loads(raw))))
    assert out["items"][0]["annotations"][0]["bbox"] == [1, 2.5, 1e-7, 12345678901234567]
    assert [type(v) for v in out["items"][0]["annotations"][0]["bbox"]] == [int, float, float, int]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**62), 2**62)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=25,
)
keys = st.sampled_from(
    ["id", "type", "annotations", "attributes", "label_id", "points", "image", "x", "items"]
)
documents = st.dictionaries(
    st.sampled_from(["dm_format_version", "infos", "categories", "items", "other"]),
    json_values
    | st.lists(st.dictionaries(keys, json_values | st.lists(st.dictionaries(keys, json_values))), max_size=4),
    max_size=5,
)


@settings(max_examples=200, deadline=None)
@given(documents, st.sampled_from(["compact", "lines"]))
def test_canonical_form_keeps_the_data_and_is_stable(doc: dict[str, Any], style: str) -> None:
    text = dumps(canonical(doc), style)
    assert orjson.loads(text) == json.loads(json.dumps(doc))
    assert dumps(canonical(orjson.loads(text)), style) == text
