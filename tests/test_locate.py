"""Pointers map to the right place in the raw text, whatever the formatting of the file."""

from __future__ import annotations

import json
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from dlint.diagnostics import join_pointer
from dlint.document import Document, parse, source_snippet

_decoder = json.JSONDecoder()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=4), inner, max_size=5),
    max_leaves=40,
)
STYLES = {
    "compact": lambda d: orjson.dumps(d),
    "indented": lambda d: json.dumps(d, indent=2).encode(),
    "spaced": lambda d: json.dumps(d, separators=(" , ", " : "), ensure_ascii=False).encode(),
    "crlf": lambda d: json.dumps(d, indent="\t").replace("\n", "\r\n").encode(),
}


def _pointers(node: Any, tokens: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any]]:
    found = [(tokens, node)]
    if isinstance(node, list):
        for index, value in enumerate(node):
            found += _pointers(value, (*tokens, index))
    elif isinstance(node, dict):
        for key, value in node.items():
            found += _pointers(value, (*tokens, key))
    return found


def _check(raw: bytes) -> None:
    document = parse(raw)
    assert isinstance(document, Document)
    pairs = _pointers(document.data)
    offsets = document.offsets(join_pointer(*tokens) for tokens, _ in pairs)
    text = raw.decode()
    for tokens, value in pairs:
        offset = offsets[join_pointer(*tokens)]
        at = len(raw[:offset].decode())
        if tokens and isinstance(tokens[-1], str):  # a member: the offset is its key
            key, end = _decoder.raw_decode(text, at)
            assert key == tokens[-1]
            at = text.index(":", end) + 1
            while text[at] in " \t\r\n":
                at += 1
        parsed, _ = _decoder.raw_decode(text, at)
        assert parsed == value or (parsed != parsed and value != value)


@settings(max_examples=150, deadline=None)
@given(documents, st.sampled_from(sorted(STYLES)))
def test_every_pointer_lands_on_its_value(doc: Any, style: str) -> None:
    _check(STYLES[style](doc))


def test_array_offsets_are_reused_for_many_pointers_into_one_array() -> None:
    doc = {
        "items": [{"id": str(i), "annotations": [{"type": "bbox", "bbox": [i, 0, 1, 1]}]} for i in range(500)]
    }
    for raw in (orjson.dumps(doc), json.dumps(doc, indent=1).encode()):
        _check(raw)


def test_lines_and_columns_count_characters_from_one() -> None:
    raw = '{\n  "é": "ü",\n  "k": [1,\n    2]}'.encode()
    document = parse(raw)
    assert isinstance(document, Document)
    offsets = document.offsets(["/k/1", "/k", "/é"])
    locations = document.locations(offsets.values())
    assert (locations[offsets["/é"]].line, locations[offsets["/é"]].column) == (2, 3)
    assert (locations[offsets["/k"]].line, locations[offsets["/k"]].column) == (3, 3)
    assert (locations[offsets["/k/1"]].line, locations[offsets["/k/1"]].column) == (4, 5)


def test_a_pointer_that_does_not_resolve_falls_back_to_its_ancestor() -> None:
    raw = b'{"a": {"b": [1, 2]}}'
    document = parse(raw)
    assert isinstance(document, Document)
    offsets = document.offsets(["/a/b/7", "/a/zz"])
    assert raw[offsets["/a/b/7"] :].startswith(b'"b"')
    assert raw[offsets["/a/zz"] :].startswith(b'"a"')


def test_snippets_of_long_lines_are_cut_around_the_caret() -> None:
    raw = b'{"pad": "' + b"x" * 5000 + b'", "here": 1, "tail": "' + b"y" * 5000 + b'"}'
    offset = raw.index(b'"here"')
    text, caret = source_snippet(raw, offset)
    assert text.startswith("…") and text.endswith("…")
    assert text[caret:].startswith('"here": 1')
    assert len(text) < 200
    short, caret = source_snippet(b'[1,\n  "a"\n]', 6)
    assert (short, caret) == ('  "a"', 2)
