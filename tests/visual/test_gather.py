"""Reading back the items to draw: only as much of a file's text as they need, never a wrong item."""

from __future__ import annotations

from typing import Any

import orjson

from dlint.visual.gather import outline


def _items(count: int, nested_at: int | None = None) -> list[dict[str, Any]]:
    items = []
    for index in range(count):
        attributes: Any = {}
        if index == nested_at:  # objects whose first key is a string "id", as items have, inside an item
            attributes = {"parts": [{"id": "p1"}, {"id": "p2"}, {"id": "p3"}]}
        annotation = {"id": 1, "type": "bbox", "attributes": attributes, "label_id": 0, "bbox": [0, 0, 1, 1]}
        items.append({"id": f"item {index}", "annotations": [annotation]})
    return items


def _file(items: list[dict[str, Any]], categories_last: bool = False) -> bytes:
    categories = {"label": {"labels": [{"name": "car", "parent": ""}]}}
    doc = (
        {"items": items, "categories": categories}
        if categories_last
        else {"categories": categories, "items": items}
    )
    return orjson.dumps(doc)


def _read(raw: bytes, last: int, reach: int | None) -> tuple[int, list[Any]]:
    found = outline(raw, last, reach)
    return len(found.items), [orjson.loads(bytes(text)) for text in found.items[: last + 1]]


def test_a_one_line_file_is_decoded_only_up_to_the_items_needed() -> None:
    items = _items(1000)
    raw = _file(items)
    reach = raw.index(b'"item 100"')
    count, read = _read(raw, 100, reach)
    assert 100 < count < 120  # cut soon after item 100
    assert read == items[:101]


def test_a_cut_inside_an_item_is_never_taken() -> None:
    items = _items(300, nested_at=150)
    raw = _file(items)
    reach = raw.index(b'"item 150"')  # the next "boundaries" lie inside item 150's attributes
    count, read = _read(raw, 150, reach)
    assert count > 150 and read == items[:151]
    # with too few cuts allowed past them, the whole text is decoded instead, still right
    far = _items(300, nested_at=150)
    far[150]["annotations"][0]["attributes"]["parts"] *= 4
    raw = _file(far)
    count, read = _read(raw, 150, raw.index(b'"item 150"'))
    assert count == 300 and read == far[:151]


def test_categories_written_after_the_items_are_never_lost() -> None:
    items = _items(500)
    raw = _file(items, categories_last=True)
    found = outline(raw, 10, raw.index(b'"item 10"'))
    assert found.categories == {"label": {"labels": [{"name": "car", "parent": ""}]}}
    assert len(found.items) == 500


def test_without_a_position_the_whole_text_is_decoded() -> None:
    items = _items(50)
    count, read = _read(_file(items), 10, None)
    assert count == 50 and read == items[:11]
