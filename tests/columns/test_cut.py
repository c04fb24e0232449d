"""The items' text cut in two without parsing it: the parts are exactly the items, or there is no cut."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from dlint import columns, engine, limits
from dlint.columns import cut
from dlint.columns.model import DECODER, ITEMS_DECODER, Dataset
from dlint.rules import ALL_RULES
from dlint.rules.base import Context, FileContext
from tests.columns.test_engine import GENERATE, NO_KEY_SCAN, precise, through_columns

GENERATED, _ = GENERATE.generate(30, 3, 0)
#: Items enough for a few flagged rows to be found each by itself (see ``columns.SEARCHED_SHARE``).
LARGER, _ = GENERATE.generate(240, 3, 0)
Doc = dict[str, Any]


def _dumps(doc: Doc, indent: int | None = None) -> bytes:
    return orjson.dumps(doc) if indent is None else json.dumps(doc, indent=indent).encode()


def _top(dataset: Dataset) -> list[Any]:
    fields = ("dm_format_version", "media_type", "info", "infos", "categories")
    return [getattr(dataset, key) for key in fields]


@pytest.mark.parametrize("share", [0.05, 0.5, 0.95])
@pytest.mark.parametrize("indent", [None, 2])
def test_the_parts_are_the_items(share: float, indent: int | None) -> None:
    raw = _dumps(orjson.loads(GENERATED), indent)
    whole = DECODER.decode(raw)
    where, head = columns.head(raw, share)
    assert where is not None and head is not None
    assert raw.index(b'"items"') < where.start  # the points categories' own key was passed over
    assert _top(head) == _top(whole) and head.items == []
    kept = bytes(bytearray(raw))  # (a copy, to see the text unchanged once the parts are read)
    first, second = _parts(where, raw)
    assert first and second and first + second == whole.items
    assert raw == kept
    assert through_columns(raw, ALL_RULES, share=True) == []


def _parts(where: cut.Cut, raw: bytes) -> tuple[list[Any], list[Any]]:
    """Both parts' items, each decoded in place."""
    with where.first_part(raw) as first:
        assert first.text.obj is raw  # a view of the text, not a copy
        first_items = ITEMS_DECODER.decode(first.text)
    with where.second_part(raw) as second:
        assert second.text.obj is raw
        second_items = ITEMS_DECODER.decode(second.text)
    return first_items, second_items


def test_a_part_read_in_place_leaves_the_text_as_it_was_whatever_happens() -> None:
    raw = orjson.dumps(orjson.loads(GENERATED))
    kept = bytes(bytearray(raw))
    where, _ = columns.head(raw, 0.5)
    assert where is not None
    with where.first_part(raw) as first:
        assert bytes(first.text[-2:]) == b"}]" and raw[where.first_end + 1 : where.first_end + 2] == b"]"
        items = ITEMS_DECODER.decode(first.text)
    assert raw == kept
    with pytest.raises(ZeroDivisionError), where.second_part(raw) as second:
        assert bytes(second.text[:2]) == b"[{"
        1 / 0  # noqa: B018
    assert raw == kept
    # what the decode kept of the text (an annotation's coordinates) reads the same after the block
    whole = DECODER.decode(raw).items[: len(items)]
    assert [_points(item) for item in items] == [_points(item) for item in whole]
    assert any(_points(item) for item in items)


def _points(item: Any) -> list[bytes]:
    return [bytes(ann.points) for ann in item.annotations or () if hasattr(ann, "points")]


def _items_not_last(doc: Doc) -> bytes:
    return orjson.dumps({"items": doc["items"]} | {k: v for k, v in doc.items() if k != "items"})


def _one_item(doc: Doc) -> bytes:
    return orjson.dumps(doc | {"items": doc["items"][:1]})


def _id_not_first(doc: Doc) -> bytes:
    items = [{k: v for k, v in item.items() if k != "id"} | {"id": item["id"]} for item in doc["items"]]
    return orjson.dumps(doc | {"items": items})


def _many_nested_keys(doc: Doc) -> bytes:
    infos = {f"k{i}": {"items": [i]} for i in range(cut.MAX_TRIES + 1)}
    return orjson.dumps({"infos": infos} | {k: v for k, v in doc.items() if k != "infos"})


@pytest.mark.parametrize("make", [_items_not_last, _one_item, _id_not_first, _many_nested_keys])
def test_a_file_that_cannot_be_cut_is_decoded_whole(make: Callable[[Doc], bytes]) -> None:
    raw = make(orjson.loads(GENERATED))
    assert columns.head(raw, columns.OWN_SHARE) == (None, None)
    decoded = columns.decode(raw, NO_KEY_SCAN, share=True)
    assert decoded is not None and decoded.cut is None and decoded.items is not None
    assert through_columns(raw, ALL_RULES, share=True) == precise(raw, ALL_RULES)


def test_the_pattern_inside_a_string_is_no_boundary() -> None:
    doc = orjson.loads(GENERATED)
    for item in doc["items"]:  # every item id holds the pattern, escaped as a string must hold it
        item["id"] = item["id"] + '},{"id":"'
    raw = orjson.dumps(doc)
    whole = DECODER.decode(raw)
    where, _ = columns.head(raw, 0.5)
    assert where is not None
    first, second = _parts(where, raw)
    assert first + second == whole.items


def test_a_boundary_in_broken_text_is_not_clean() -> None:
    doc = orjson.loads(GENERATED)
    middle = doc["items"][len(doc["items"]) // 2]["id"]
    raw = orjson.dumps(doc).replace(f'"{middle}"'.encode(), b'"a},{"id":"b"')  # no longer JSON
    found = engine.lint_bytes(raw, file="t.json", subset="default", rules=ALL_RULES, share=True)
    assert [d.code for d in found] == ["DL001"]
    assert through_columns(raw, ALL_RULES, share=True) is None


def _points_hold_the_pattern(doc: Doc) -> bytes:
    # points of objects, in the first third (the cut is looked for after the middle): the pattern
    # lies inside a slice the decode kept
    for item in doc["items"][: len(doc["items"]) // 3 : 20]:
        for ann in item["annotations"]:
            if ann["type"] == "polygon":
                ann["points"] = [{"id": "a"}, {"id": "b"}]
    return orjson.dumps(doc)


def _indented_with_defects(doc: Doc) -> bytes:
    for item in doc["items"][::20]:
        for ann in item["annotations"]:
            ann["label_id"] = 999
    return json.dumps(doc, indent=1).encode()


def _defects(doc: Doc) -> bytes:
    for item in doc["items"][::20]:
        for ann in item["annotations"]:
            ann["label_id"] = 999
    return orjson.dumps(doc)


def _many_defects(doc: Doc) -> bytes:  # more flagged rows than are looked for each by itself
    for item in doc["items"][::2]:
        for ann in item["annotations"]:
            ann["label_id"] = 999
    return orjson.dumps(doc)


def _some_labels_only(doc: Doc) -> bytes:  # items holding no slice of the text to find them by
    for item in doc["items"][10::20]:
        item["annotations"] = [{"id": 0, "type": "label", "attributes": {}, "group": 0, "label_id": 999}]
    return _defects(doc)


@pytest.mark.parametrize(
    "make", [_defects, _many_defects, _points_hold_the_pattern, _indented_with_defects, _some_labels_only]
)
def test_flagged_rows_are_found_where_they_lie(make: Callable[[Doc], bytes]) -> None:
    doc = orjson.loads(LARGER)
    raw = make(doc)
    items = orjson.loads(raw)["items"]
    with limits.use(NO_KEY_SCAN):
        decoded = columns.decode(raw, NO_KEY_SCAN, share=True)
        assert decoded is not None and decoded.cut is not None
        labels = len(decoded.top["categories"]["label"]["labels"])
        context = FileContext(engine.COLUMN_DIALECT, "default", decoded.top, labels)
        rows = columns.flagged(decoded, Context(context), ALL_RULES)
    assert rows and all(row in decoded.spans for row in rows)
    for row in rows:
        start, end = decoded.spans[row]
        assert orjson.loads(raw[start:end]) == items[row]
    assert through_columns(raw, ALL_RULES, share=True) == precise(raw, ALL_RULES)


def _text_of_the_parts(doc: Doc) -> bytes:
    # non-ASCII text and a single line break, both only in the second part, before defects: columns
    # count characters and lines count from the break, which only the second process sees
    items = doc["items"]
    for item in items[len(items) * 3 // 4 :: 7]:
        item.setdefault("attr", {})["note"] = "é中"
    _defects(doc)
    raw = orjson.dumps(doc)
    middle = raw.index(b'"id":"', len(raw) * 7 // 8)
    return raw[:middle] + b"\n" + raw[middle:]


def test_what_only_a_part_holds_is_told_by_its_process() -> None:
    raw = _text_of_the_parts(orjson.loads(LARGER))
    decoded = columns.decode(raw, NO_KEY_SCAN, share=True)
    assert decoded is not None and decoded.cut is not None
    assert raw.index(b"\n") > decoded.cut.second_start and not raw[: decoded.cut.second_start].count(b"\xc3")
    found = through_columns(raw, ALL_RULES, share=True)
    assert found == precise(raw, ALL_RULES)
    assert found is not None and {d.line for d in found} == {1, 2}


def test_invalid_utf8_in_a_part_leaves_the_file_to_the_whole_read() -> None:
    doc = orjson.loads(LARGER)
    raw = orjson.dumps(doc)
    at = raw.index(b'"points":[', len(raw) * 7 // 8) + len(b'"points":[')
    raw = raw[:at] + b'"\xff",' + raw[at:]  # inside coordinates: a slice the typed decode keeps as is
    assert through_columns(raw, ALL_RULES, share=True) is None
    found = engine.lint_bytes(raw, file="t.json", subset="default", rules=ALL_RULES, share=True)
    assert [d.code for d in found] == ["DL001"] and "UTF-8" in found[0].message
