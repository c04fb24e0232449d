"""Tests for the benchmark file generator (benchmarks/generate.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pycocotools.mask as mask_utils
import pytest

from benchmarks import generate

ITEMS = 300
SEED = 3
BROKEN_ITEMS = 1000  # enough for pooled masks to be reused many times
ERRORS = 70  # ten of each kind

# pycocotools' decode trips a numpy 2 deprecation warning on every call.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


gen = generate


def resolve(doc: Any, pointer: str) -> Any:
    """Resolve an RFC 6901 JSON Pointer; KeyError/IndexError when it does not resolve."""
    if pointer == "":
        return doc
    assert pointer.startswith("/"), pointer
    node = doc
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            assert token.isdigit(), pointer
            node = node[int(token)]
        else:
            node = node[token]
    return node


def all_annotations(doc: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """All (item, annotation) pairs."""
    return [(item, ann) for item in doc["items"] for ann in item["annotations"]]


@pytest.fixture(scope="module")
def clean() -> tuple[bytes, dict[str, Any]]:
    data, injected = gen.generate(ITEMS, SEED, 0)
    assert injected == []
    return data, orjson.loads(data)


@pytest.fixture(scope="module")
def broken() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data, injected = gen.generate(BROKEN_ITEMS, SEED, ERRORS)
    return orjson.loads(data), injected


def test_layout_matches_the_writer(clean: tuple[bytes, dict[str, Any]]) -> None:
    data, doc = clean
    assert data == orjson.dumps(doc)  # compact, one line, orjson's own output
    assert b"\n" not in data
    assert list(doc) == ["dm_format_version", "media_type", "infos", "categories", "items"]
    assert doc["dm_format_version"] == "1.0"
    assert doc["media_type"] == 2
    assert doc["infos"] == {}
    assert list(doc["categories"]) == ["label", "mask", "points"]
    assert len(doc["items"]) == ITEMS
    for frame, item in enumerate(doc["items"]):
        assert list(item) == ["id", "annotations", "attr", "image"]
        assert item["attr"] == {"frame": frame}
        assert item["image"]["path"] == item["id"].replace("/", "_") + ".jpg"
        assert item["id"].startswith("train/")


def test_annotation_key_order(clean: tuple[bytes, dict[str, Any]]) -> None:
    head = ["id", "type", "attributes", "group", "label_id"]
    expected = {
        "label": head,
        "bbox": [*head, "z_order", "bbox"],
        "polygon": [*head, "points", "z_order"],
        "polyline": [*head, "points", "z_order"],
        "ellipse": [*head, "points", "z_order"],
        "mask": [*head, "rle", "z_order"],
        "points": [*head, "points", "z_order", "visibility"],
    }
    seen = set()
    for _, ann in all_annotations(clean[1]):
        assert list(ann) == expected[ann["type"]], ann
        seen.add(ann["type"])
    assert seen == set(expected)


def test_categories(clean: tuple[bytes, dict[str, Any]]) -> None:
    cats = clean[1]["categories"]
    labels = cats["label"]["labels"]
    assert len(labels) == 80
    assert len({label["name"] for label in labels}) == 80
    assert all(label["parent"] == "" and label["attributes"] == [] for label in labels)
    assert cats["label"]["attributes"] == ["occluded"]
    assert cats["label"]["label_groups"] == []
    assert [entry["label_id"] for entry in cats["mask"]["colormap"]] == list(range(80))
    (template,) = cats["points"]["items"]
    assert labels[template["label_id"]]["name"] == "person"
    assert len(template["labels"]) == 17
    assert all(0 <= a < 17 and 0 <= b < 17 for a, b in template["joints"])
    assert len(template["positions"]) == 34


def test_mix_and_volume(clean: tuple[bytes, dict[str, Any]]) -> None:
    pairs = all_annotations(clean[1])
    per_item = len(pairs) / ITEMS
    assert 6.0 < per_item < 8.0
    assert max(len(item["annotations"]) for item in clean[1]["items"]) <= 20
    share = {kind: 0.0 for kind, _ in gen.TYPE_MIX}
    for _, ann in pairs:
        share[ann["type"]] += 1 / len(pairs)
    for kind, expected in gen.TYPE_MIX:
        assert abs(share[kind] - expected) < 0.04, (kind, share[kind])
    grouped = [ann for _, ann in pairs if ann["group"]]
    assert {ann["type"] for ann in grouped} == {"bbox", "polygon", "mask"}


def test_groups_pair_a_box_with_a_shape(clean: tuple[bytes, dict[str, Any]]) -> None:
    for item in clean[1]["items"]:
        groups: dict[int, list[dict[str, Any]]] = {}
        for ann in item["annotations"]:
            if ann["group"]:
                groups.setdefault(ann["group"], []).append(ann)
        for members in groups.values():
            assert sorted(ann["type"] for ann in members)[0] == "bbox"
            assert len(members) == 2
            assert members[0]["label_id"] == members[1]["label_id"]


def test_masks_are_real_rle_at_image_size(clean: tuple[bytes, dict[str, Any]]) -> None:
    masks = [(item, ann) for item, ann in all_annotations(clean[1]) if ann["type"] == "mask"]
    assert len(masks) > 100
    for item, ann in masks:
        size = item["image"]["size"]
        assert ann["rle"]["size"] == size
        rle = {"size": size, "counts": ann["rle"]["counts"].encode()}
        assert mask_utils.decode(rle).shape == tuple(size)
        assert mask_utils.area(rle) > 0
        assert sum(gen.rle_runs(ann["rle"]["counts"])) == size[0] * size[1]


def test_rle_codec_round_trip() -> None:
    frame = np.zeros((37, 23), dtype=np.uint8, order="F")
    frame[5:30, 3:20] = 1
    frame[10:12, 8:9] = 0
    counts = mask_utils.encode(frame)["counts"].decode()
    runs = gen.rle_runs(counts)
    assert sum(runs) == 37 * 23
    assert gen.rle_string(runs, 37, 23) == counts


def test_geometry(clean: tuple[bytes, dict[str, Any]]) -> None:
    for item, ann in all_annotations(clean[1]):
        height, width = item["image"]["size"]
        assert 0 <= ann["label_id"] < 80
        if ann["type"] == "polygon":
            points = ann["points"]
            assert len(points) % 2 == 0 and 12 <= len(points) <= 80
            assert all(0 <= x <= width for x in points[0::2])
            assert all(0 <= y <= height for y in points[1::2])
            assert all(round(v, 2) == v for v in points)
        elif ann["type"] == "points":
            assert ann["label_id"] == 0
            assert len(ann["points"]) == 34 and len(ann["visibility"]) == 17
            assert set(ann["visibility"]) <= {0, 1, 2}
        elif ann["type"] == "bbox":
            x, y, w, h = ann["bbox"]
            assert w > 0 and h > 0 and x + w <= width + 0.01 and y + h <= height + 0.01
        elif ann["type"] in ("polyline", "ellipse"):
            assert len(ann["points"]) % 2 == 0 and len(ann["points"]) >= 4


def _position(record: dict[str, Any]) -> tuple[int, int]:
    """(item index, annotation index) of an injected error."""
    tokens = record["pointer"].split("/")
    assert tokens[:2] == ["", "items"] and tokens[3] == "annotations"
    return int(tokens[2]), int(tokens[4])


def _assert_broken(doc: dict[str, Any], record: dict[str, Any]) -> None:
    """The value at the record's pointer is broken the way its code_hint says."""
    pointer = record["pointer"]
    value = resolve(doc, pointer)
    i, j = _position(record)
    item = doc["items"][i]
    ann = item["annotations"][j]
    hint = record["code_hint"]
    if hint == "label-id-out-of-range":
        assert pointer.endswith("/label_id") and not 0 <= value < 80
    elif hint == "rle-counts-sum":
        assert pointer.endswith("/rle") and value["size"] == item["image"]["size"]
        height, width = value["size"]
        assert sum(gen.rle_runs(value["counts"])) != height * width
        with pytest.raises(ValueError):
            mask_utils.decode({"size": value["size"], "counts": value["counts"].encode()})
    elif hint == "rle-size-mismatch":
        assert pointer.endswith("/rle/size") and value != item["image"]["size"]
        rle = {"size": value, "counts": ann["rle"]["counts"].encode()}
        assert mask_utils.decode(rle).shape == tuple(value)  # a valid RLE, just of another size
    elif hint == "polygon-odd-count":
        assert ann["type"] == "polygon" and pointer.endswith("/points") and len(value) % 2 == 1
    elif hint == "polygon-too-few-points":
        assert ann["type"] == "polygon" and pointer.endswith("/points") and len(value) == 4
    elif hint == "points-visibility-length":
        assert ann["type"] == "points" and pointer.endswith("/visibility")
        assert len(value) != len(ann["points"]) // 2
    elif hint == "bbox-length":
        assert ann["type"] == "bbox" and pointer.endswith("/bbox") and len(value) == 3
    elif hint == "polygon-zero-area":
        assert ann["type"] == "polygon" and pointer.endswith("/points") and len(value) >= 6
        assert len(set(value[1::2])) == 1 and len(set(value[0::2])) > 1  # on one line, not one point
    else:
        raise AssertionError(f"unknown code_hint {hint}")


def test_injected_errors_resolve_and_are_broken(broken: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    doc, injected = broken
    assert len(injected) == ERRORS
    assert sorted(record["code_hint"] for record in injected) == sorted(gen.ERROR_KINDS * 10)
    positions = {_position(record) for record in injected}
    assert len(positions) == ERRORS  # every error breaks a different annotation
    for record in injected:
        assert set(record) == {"code_hint", "severity", "pointer", "description"}
        assert record["severity"] == "error"
        assert record["description"]
        _assert_broken(doc, record)


def _defects(item: dict[str, Any], ann: dict[str, Any]) -> set[str]:
    """The injected error kinds an annotation shows, found by scanning it."""
    found = set()
    if not 0 <= ann["label_id"] < 80:
        found.add("label-id-out-of-range")
    kind = ann["type"]
    if kind == "bbox" and len(ann["bbox"]) != 4:
        found.add("bbox-length")
    if kind == "polygon" and len(ann["points"]) % 2:
        found.add("polygon-odd-count")
    if kind == "polygon" and len(ann["points"]) < 6:
        found.add("polygon-too-few-points")
    if kind == "points" and len(ann["visibility"]) * 2 != len(ann["points"]):
        found.add("points-visibility-length")
    if kind == "mask":
        height, width = ann["rle"]["size"]
        if [height, width] != item["image"]["size"]:
            found.add("rle-size-mismatch")
        if sum(gen.rle_runs(ann["rle"]["counts"])) != height * width:
            found.add("rle-counts-sum")
    return found


def test_only_the_reported_annotations_are_broken(
    broken: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    doc, injected = broken
    expected = {_position(record): {record["code_hint"]} for record in injected}
    found = {}
    for i, item in enumerate(doc["items"]):
        for j, ann in enumerate(item["annotations"]):
            if defects := _defects(item, ann):
                found[(i, j)] = defects
    assert found == expected


def test_injection_leaves_the_rest_as_generated(
    broken: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    doc, injected = broken
    clean = orjson.loads(gen.generate(BROKEN_ITEMS, SEED, 0)[0])
    touched = {_position(record) for record in injected}
    for i, (before, after) in enumerate(zip(clean["items"], doc["items"], strict=True)):
        for j, (a, b) in enumerate(zip(before["annotations"], after["annotations"], strict=True)):
            assert (a == b) != ((i, j) in touched)


def test_no_list_or_dict_is_shared() -> None:
    """Injection mutates annotations in place, so none may share a container (e.g. a pooled box)."""
    doc = gen.document(BROKEN_ITEMS, gen.ItemBuilder(SEED))
    seen: set[int] = set()
    stack: list[Any] = [doc["items"]]
    while stack:
        node = stack.pop()
        assert id(node) not in seen
        seen.add(id(node))
        children = node.values() if isinstance(node, dict) else node
        stack.extend(child for child in children if isinstance(child, (dict, list)))


def test_injected_warnings_are_polygons_of_zero_area() -> None:
    data, injected = gen.generate(BROKEN_ITEMS, SEED, 14, 12)
    doc = orjson.loads(data)
    warnings = [record for record in injected if record["severity"] == "warning"]
    assert len(injected) == 26 and len(warnings) == 12
    assert {record["code_hint"] for record in warnings} == {gen.WARNING_KIND}
    assert len({_position(record) for record in injected}) == 26  # none on a broken annotation
    for record in injected:
        _assert_broken(doc, record)


def test_deterministic_for_a_seed() -> None:
    first = gen.generate(60, 11, 7)
    second = gen.generate(60, 11, 7)
    assert first[0] == second[0]
    assert first[1] == second[1]
    assert gen.generate(60, 12, 7)[0] != first[0]


def test_too_many_errors_is_an_error() -> None:
    with pytest.raises(ValueError):
        gen.generate(2, 0, 500)


def test_cli_writes_document_and_error_list(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "small.json"
    assert gen.main(["--items", "40", "--seed", "1", "--errors", "7", "--out", str(out)]) == 0
    doc = orjson.loads(out.read_bytes())
    injected = orjson.loads((tmp_path / "sub" / "small.errors.json").read_bytes())
    assert len(doc["items"]) == 40
    assert len(injected) == 7
    for record in injected:
        _assert_broken(doc, record)
