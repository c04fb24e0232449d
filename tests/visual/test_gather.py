"""Reading back the items to draw: only as much of a file's text as they need, never a wrong item."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import orjson
import pytest

from dlint.sources import Source, discover
from dlint.visual import gather
from dlint.visual.gather import Chosen, cut_outline, outline, read_back
from tests.rules.datasets import zip_folder


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


def _dataset(root: Path, raw: bytes) -> Source:
    (root / "annotations").mkdir(parents=True)
    (root / "annotations" / "train.json").write_bytes(raw)
    (source,) = discover([str(root)])
    return source


def test_only_the_beginning_of_a_file_is_read_when_it_holds_the_items(tmp_path: Path) -> None:
    items = _items(3000)
    source = _dataset(tmp_path / "ds", _file(items))
    raw = source.read()
    reach = raw.index(b'"item 100"')
    head = source.read_head(reach + 4096)
    assert len(head) == reach + 4096 < len(raw) and raw.startswith(head)
    found = cut_outline(head, 100, reach)
    assert found is not None and [orjson.loads(bytes(t)) for t in found.items[:101]] == items[:101]
    assert cut_outline(source.read_head(reach + 10), 100, reach) is None  # no boundary past it: read whole


@pytest.mark.parametrize("categories_last", [False, True])
def test_items_are_drawn_from_the_beginning_or_else_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, categories_last: bool
) -> None:
    items = _items(3000)
    raw = _file(items, categories_last)  # categories after the items: no cut of the beginning holds
    source = _dataset(tmp_path / "ds", raw)
    whole_reads = []

    def whole() -> bytes:
        whole_reads.append(1)
        return raw

    monkeypatch.setattr(gather, "HEAD_MARGIN", 4096)
    reach = raw.index(b'"item 2000"')
    chosen = {source.name: Chosen({2000: None, 5: 0}, reach)}
    jobs = list(read_back([dataclasses.replace(source, reader=whole)], chosen))
    assert [(job.row, job.item) for job in jobs] == [(2000, items[2000]), (5, items[5])]
    assert all(job.categories == {"label": {"labels": [{"name": "car", "parent": ""}]}} for job in jobs)
    assert whole_reads == ([1] if categories_last else [])


def test_an_archive_member_is_read_whole(tmp_path: Path) -> None:
    raw = _file(_items(200))
    folder = tmp_path / "ds"
    _dataset(folder, raw)
    (source,) = discover([str(zip_folder(folder, tmp_path / "ds.zip"))])
    assert source.read_head(10) == raw
