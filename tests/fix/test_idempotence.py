"""Properties of fixing, over generated valid and broken datasets: it never raises, what it writes
parses, and fixing twice equals fixing once."""

from __future__ import annotations

import copy
import json
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint.api import LintOptions, select_rules
from dlint.diagnostics import split_pointer
from dlint.fixloop import fix_bytes
from tests.conftest import ROOT

BASE = json.loads((ROOT / "tests" / "rules" / "base.json").read_text())
RULES = select_rules(LintOptions())
ANNOTATIONS = [f"/items/0/annotations/{i}" for i in range(len(BASE["items"][0]["annotations"]))]
POINTERS = [
    "/dm_format_version",
    "/media_type",
    "/infos",
    "/categories/label/labels/0/name",
    "/categories/label/attributes",
    "/items/0/id",
    "/items/0/image/size",
    "/items/1/image/path",
    *ANNOTATIONS,
    *(
        f"{a}/{key}"
        for a in ANNOTATIONS
        for key in ("id", "label_id", "group", "z_order", "attributes", "type")
    ),
    "/items/0/annotations/1/bbox",
    "/items/0/annotations/2/points",
    "/items/0/annotations/3/points",
    "/items/0/annotations/4/visibility",
    "/items/0/annotations/5/rle/counts",
    "/items/0/annotations/5/rle/size",
]
VALUES = st.one_of(
    st.sampled_from(["1", "car", "EXCLUSIVE", "", "../x", 1.0, 1.7, -1, 99, 0, True, None, [], {}]),
    st.lists(st.integers(-5, 20), max_size=9),
    st.lists(st.floats(-10, 20, allow_nan=False), max_size=9),
    st.sampled_from([[8, 3, 3, 3, 3, 3, 25], [0, 0, 4, 0, 4, 3, 0, 0], [0, 5]]),
)
EDITS = st.lists(
    st.tuples(st.sampled_from(POINTERS), st.one_of(st.none(), VALUES), st.booleans()), max_size=5
)


def _mutate(edits: list[tuple[str, Any, bool]]) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    for pointer, shared, remove in edits:
        value = copy.deepcopy(shared)  # a sampled [] or {} is one object: never edit it in place
        *path, last = split_pointer(pointer)
        node: Any = doc
        try:
            for token in path:
                node = node[int(token)] if isinstance(node, list) else node[token]
            if isinstance(node, list):
                index = int(last)
                if index < len(node):
                    if remove:
                        del node[index]
                    else:
                        node[index] = value
            elif isinstance(node, dict):
                if remove:
                    node.pop(last, None)
                else:
                    node[last] = value
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EDITS, st.booleans(), st.sampled_from(["compact", "lines"]), st.integers(0, 3))
def test_fixing_twice_equals_fixing_once(
    edits: list[tuple[str, Any, bool]], unsafe: bool, style: str, indent: int
) -> None:
    doc = _mutate(edits)
    raw = json.dumps(doc, indent=indent or None).encode()
    first = fix_bytes(raw, file="f.json", subset="default", rules=RULES, unsafe=unsafe, style=style)
    if first.fixed is None:
        assert first.refused
        return
    orjson.loads(first.fixed)
    second = fix_bytes(first.fixed, file="f.json", subset="default", rules=RULES, unsafe=unsafe, style=style)
    assert second.fixed == first.fixed
    assert not second.applied


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200) | st.sampled_from([b"", b"{", b"[1,2", b'{"items": NaN}', b"\xef\xbb\xbf{}"]))
def test_broken_text_is_left_alone_and_reported(raw: bytes) -> None:
    result = fix_bytes(raw, file="f.json", subset="default", rules=RULES, unsafe=True)
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        assert result.fixed is None and result.refused
        assert [d.code for d in result.remaining] == ["DL001"]
