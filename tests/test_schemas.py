"""Tests for the released JSON Schemas, the schema index and the example datasets.

Every negative case must be rejected by both validators (jsonschema and jsonschema_rs) with exactly
one error located at the expected instance path: one error per defect, never a cascade.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import orjson
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
DATA = ROOT / "tests" / "data" / "dialects"
DIALECTS = ("legacy-info", "legacy-infos", "datumaro-1.0", "cvat-1.0")
ID_RE = re.compile(r"^urn:dlint:schema:(?P<dialect>[a-z0-9][a-z0-9.-]*):v(?P<version>[1-9][0-9]*)$")

BASE_TYPES = {"label", "mask", "points", "polygon", "polyline", "bbox", "caption", "cuboid_3d"}
EXPECTED_TYPES = {
    "legacy-info": BASE_TYPES | {"skeleton"},
    "legacy-infos": BASE_TYPES | {"ellipse"},
    "datumaro-1.0": BASE_TYPES | {"ellipse", "cuboid_2d"},
    "cvat-1.0": BASE_TYPES | {"ellipse", "cuboid_2d", "skeleton"},
}
# Keywords that would move value checks into the schemas or produce unspecific error cascades.
FORBIDDEN_KEYWORDS = {
    "additionalProperties",
    "unevaluatedProperties",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "uniqueItems",
    "oneOf",
    "anyOf",
}

Path_ = list[str | int]


# ---------------------------------------------------------------- helpers


def schema_file(dialect: str) -> Path:
    return SCHEMAS / dialect / "v1.schema.json"


@functools.cache
def schema(dialect: str) -> dict[str, Any]:
    return json.loads(schema_file(dialect).read_text(encoding="utf-8"))


@functools.cache
def py_validator(dialect: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(dialect))


@functools.cache
def rs_validator(dialect: str) -> Any:
    return jsonschema_rs.validator_for(schema(dialect))


def py_errors(dialect: str, doc: Any) -> list[Path_]:
    return sorted((list(e.absolute_path) for e in py_validator(dialect).iter_errors(doc)), key=repr)


def rs_errors(dialect: str, doc: Any) -> list[Path_]:
    return sorted((list(e.instance_path) for e in rs_validator(dialect).iter_errors(doc)), key=repr)


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def example_files(dialect: str) -> list[Path]:
    return sorted((DATA / dialect / "annotations").glob("*.json"))


def example_params() -> list[Any]:
    return [pytest.param(d, p, id=f"{d}/{p.name}") for d in DIALECTS for p in example_files(d)]


def rle_runs(counts: str) -> list[int]:
    """Decode a COCO compressed RLE string into run lengths (maskApi.c rleFrString)."""
    runs: list[int] = []
    pos = 0
    while pos < len(counts):
        value, shift, more = 0, 0, True
        while more:
            c = ord(counts[pos]) - 48
            value |= (c & 0x1F) << (5 * shift)
            more = bool(c & 0x20)
            pos += 1
            shift += 1
            if not more and c & 0x10:
                value |= -1 << (5 * shift)
        if len(runs) > 2:
            value += runs[-2]
        runs.append(value)
    return runs


# ---------------------------------------------------------------- schema files and index


@pytest.mark.parametrize("dialect", DIALECTS)
def test_schema_passes_metaschema(dialect: str) -> None:
    jsonschema.Draft202012Validator.check_schema(schema(dialect))
    assert jsonschema_rs.meta.is_valid(schema(dialect))
    assert isinstance(rs_validator(dialect), jsonschema_rs.Draft202012Validator)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_schema_header(dialect: str) -> None:
    s = schema(dialect)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["$id"] == f"urn:dlint:schema:{dialect}:v1"
    assert isinstance(s["title"], str) and s["title"]
    assert isinstance(s["description"], str) and s["description"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_schema_is_pretty_printed(dialect: str) -> None:
    text = schema_file(dialect).read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_schema_is_self_contained(dialect: str) -> None:
    s = schema(dialect)
    refs = [v for k, v in walk(s) if k == "$ref"]
    assert refs
    for ref in refs:
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in s["$defs"], ref
    assert not [k for k, _ in walk(s) if k in ("$dynamicRef", "$anchor", "$dynamicAnchor")]
    assert [v for k, v in walk(s) if k == "$id"] == [s["$id"]]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_schema_describes_structure_only(dialect: str) -> None:
    used = {k for k, _ in walk(schema(dialect))} & FORBIDDEN_KEYWORDS
    assert not used


@pytest.mark.parametrize("dialect", DIALECTS)
def test_annotation_type_enum(dialect: str) -> None:
    ann = schema(dialect)["$defs"]["annotation"]
    assert set(ann["properties"]["type"]["enum"]) == EXPECTED_TYPES[dialect]
    dispatched = {branch["if"]["properties"]["type"]["const"] for branch in ann["allOf"]}
    assert dispatched == EXPECTED_TYPES[dialect]


def test_index_lists_exactly_the_schema_files() -> None:
    index = json.loads((SCHEMAS / "index.json").read_text(encoding="utf-8"))
    listed = [entry["path"] for entry in index["schemas"]]
    present = sorted(p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.glob("*/v*.schema.json"))
    assert len(listed) == len(set(listed))
    assert sorted(listed) == present
    assert {e["dialect"] for e in index["schemas"]} == set(DIALECTS)


def test_index_hashes_and_ids() -> None:
    index = json.loads((SCHEMAS / "index.json").read_text(encoding="utf-8"))
    ids = [entry["id"] for entry in index["schemas"]]
    assert len(ids) == len(set(ids))
    latest: dict[str, int] = {}
    for entry in index["schemas"]:
        path = SCHEMAS / entry["path"]
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], (
            f"{entry['path']} changed after release; add a new vN file instead"
        )
        match = ID_RE.match(entry["id"])
        assert match, entry["id"]
        assert match["dialect"] == entry["dialect"]
        assert int(match["version"]) == entry["version"]
        assert entry["path"] == f"{entry['dialect']}/v{entry['version']}.schema.json"
        assert json.loads(data)["$id"] == entry["id"]
        latest[entry["dialect"]] = max(latest.get(entry["dialect"], 0), entry["version"])
    assert index["latest"] == latest


def test_schema_ids_are_unique() -> None:
    ids = [schema(d)["$id"] for d in DIALECTS]
    assert len(set(ids)) == len(ids)
    assert all(ID_RE.match(i) for i in ids)


# ---------------------------------------------------------------- example datasets


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_has_examples(dialect: str) -> None:
    assert example_files(dialect)


@pytest.mark.parametrize(("dialect", "path"), example_params())
def test_example_validates_with_both_validators(dialect: str, path: Path) -> None:
    doc = json.loads(path.read_bytes())
    assert py_errors(dialect, doc) == []
    assert rs_errors(dialect, doc) == []
    assert rs_validator(dialect).is_valid(doc)


@pytest.mark.parametrize(("dialect", "path"), example_params())
def test_example_is_compact_writer_output(dialect: str, path: Path) -> None:
    raw = path.read_bytes()
    assert orjson.dumps(orjson.loads(raw)) == raw


@pytest.mark.parametrize("dialect", DIALECTS)
def test_example_subsets_share_header(dialect: str) -> None:
    docs = [json.loads(p.read_bytes()) for p in example_files(dialect)]
    for key in ("categories", "info", "infos", "media_type", "dm_format_version"):
        assert len({json.dumps(d.get(key), sort_keys=True) for d in docs}) == 1, key


@pytest.mark.parametrize("dialect", DIALECTS)
def test_example_covers_every_annotation_type(dialect: str) -> None:
    seen = {
        ann["type"]
        for p in example_files(dialect)
        for item in json.loads(p.read_bytes())["items"]
        for ann in item.get("annotations", [])
    }
    assert seen == EXPECTED_TYPES[dialect]


@pytest.mark.parametrize(("dialect", "path"), example_params())
def test_example_values_are_consistent(dialect: str, path: Path) -> None:
    doc = json.loads(path.read_bytes())
    labels = doc["categories"]["label"]["labels"]
    templates = {t["label_id"]: t for t in doc["categories"].get("points", {}).get("items", [])}
    for entry in doc["categories"].get("mask", {}).get("colormap", []):
        assert 0 <= entry["label_id"] < len(labels)
    for label_id, template in templates.items():
        assert 0 <= label_id < len(labels)
        assert len(template.get("positions", [])) in (0, 2 * len(template["labels"]))
    for item in doc["items"]:
        size = item.get("image", {}).get("size")
        for ann in item.get("annotations", []):
            kind = ann["type"]
            if kind != "caption":
                assert 0 <= ann["label_id"] < len(labels), ann
            if kind in ("polygon", "polyline", "points"):
                assert len(ann["points"]) % 2 == 0
                assert len(ann["points"]) >= {"polygon": 6, "polyline": 4, "points": 2}[kind]
            if kind == "points":
                assert len(ann["visibility"]) == len(ann["points"]) // 2
                assert set(ann["visibility"]) <= {0, 1, 2}
            if kind == "mask":
                height, width = ann["rle"]["size"]
                assert [height, width] == size
                runs = rle_runs(ann["rle"]["counts"])
                assert all(r >= 0 for r in runs)
                assert sum(runs) == height * width
            if kind == "skeleton":
                triplets = len(ann["points"]) // 3
                assert len(ann["points"]) == 3 * triplets
                assert len(ann["points_attributes"]) == triplets
                assert all(isinstance(a, dict) for a in ann["points_attributes"])
                assert set(ann["points"][2::3]) <= {0, 1, 2}
                assert len(templates[ann["label_id"]]["labels"]) == triplets
                # CVAT skeleton points are child labels of the skeleton label
                parents = {lbl["name"]: lbl["parent"] for lbl in labels}
                for name in templates[ann["label_id"]]["labels"]:
                    assert parents[name] == labels[ann["label_id"]]["name"]


def test_rle_decoder_matches_known_counts() -> None:
    assert rle_runs("833000f0") == [8, 3, 3, 3, 3, 3, 25]


# ---------------------------------------------------------------- negative and positive cases

ANN0: Path_ = ["items", 0, "annotations", 0]


def base(dialect: str) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if dialect == "legacy-info":
        doc["info"] = {}
    elif dialect == "legacy-infos":
        doc["infos"] = {}
    else:
        doc.update({"dm_format_version": "1.0", "media_type": 2, "infos": {}})
    doc["categories"] = {
        "label": {
            "labels": [
                {"name": "car", "parent": "", "attributes": []},
                {"name": "pose", "parent": "", "attributes": []},
                {"name": "head", "parent": "pose", "attributes": []},
                {"name": "tail", "parent": "pose", "attributes": []},
            ],
            "attributes": ["occluded"],
        },
        "points": {"items": [{"label_id": 1, "labels": ["head", "tail"], "joints": [[0, 1]]}]},
    }
    doc["items"] = [{"id": "img_1", "annotations": [], "image": {"path": "img_1.jpg", "size": [6, 8]}}]
    return doc


def edit(dialect: str, fn: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    doc = copy.deepcopy(base(dialect))
    fn(doc)
    return doc


def with_ann(dialect: str, ann: Any) -> dict[str, Any]:
    return edit(dialect, lambda d: d["items"][0]["annotations"].append(ann))


def with_item(dialect: str, **keys: Any) -> dict[str, Any]:
    return edit(dialect, lambda d: d["items"][0].update(keys))


def label0(d: dict[str, Any]) -> Any:
    return d["categories"]["label"]["labels"][0]


BBOX = {
    "id": 1,
    "type": "bbox",
    "attributes": {},
    "group": 0,
    "label_id": 0,
    "z_order": 0,
    "bbox": [1.0, 1.0, 2.0, 2.0],
}
CUBOID_2D = [[1.0, 1.0], [2.0, 1.0], [2.0, 2.0], [1.0, 2.0], [1.5, 1.5], [2.5, 1.5], [2.5, 2.5], [1.5, 2.5]]
SKELETON = {
    "id": 1,
    "type": "skeleton",
    "attributes": {},
    "group": 0,
    "label_id": 1,
    "points": [1.0, 1.0, 2, 3.0, 3.0, 2],
    "points_attributes": [{}, {}],
}


def bbox(**keys: Any) -> dict[str, Any]:
    return {**BBOX, **keys}


def omit(obj: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != key}


D10, CVAT, LA, LB = "datumaro-1.0", "cvat-1.0", "legacy-info", "legacy-infos"

NEGATIVE: list[tuple[str, str, dict[str, Any] | list[Any], Path_]] = [
    # top level
    ("missing-items", D10, edit(D10, lambda d: d.pop("items")), []),
    ("missing-categories", LA, edit(LA, lambda d: d.pop("categories")), []),
    ("items-an-object", D10, edit(D10, lambda d: d.update(items={"img_1": {}})), ["items"]),
    ("categories-a-list", LB, edit(LB, lambda d: d.update(categories=[])), ["categories"]),
    ("top-level-array", CVAT, [], []),
    (
        "dm-format-version-int-2",
        D10,
        edit(D10, lambda d: d.update(dm_format_version=2)),
        ["dm_format_version"],
    ),
    (
        "dm-format-version-2.0",
        D10,
        edit(D10, lambda d: d.update(dm_format_version="2.0")),
        ["dm_format_version"],
    ),
    ("media-type-string-image", D10, edit(D10, lambda d: d.update(media_type="image")), ["media_type"]),
    ("media-type-42", CVAT, edit(CVAT, lambda d: d.update(media_type=42)), ["media_type"]),
    ("media-type-3", D10, edit(D10, lambda d: d.update(media_type=3)), ["media_type"]),
    ("info-a-string", LA, edit(LA, lambda d: d.update(info="")), ["info"]),
    ("infos-a-list", LB, edit(LB, lambda d: d.update(infos=[])), ["infos"]),
    # categories
    (
        "label-without-parent",
        D10,
        edit(D10, lambda d: label0(d).pop("parent")),
        ["categories", "label", "labels", 0],
    ),
    (
        "label-name-not-string",
        LA,
        edit(LA, lambda d: label0(d).update(name=7)),
        ["categories", "label", "labels", 0, "name"],
    ),
    (
        "label-attributes-a-string",
        LB,
        edit(LB, lambda d: label0(d).update(attributes="make")),
        ["categories", "label", "labels", 0, "attributes"],
    ),
    (
        "label-category-without-labels",
        CVAT,
        edit(CVAT, lambda d: d["categories"]["label"].pop("labels")),
        ["categories", "label"],
    ),
    (
        "group-type-empty-in-1.0",
        D10,
        edit(
            D10,
            lambda d: d["categories"]["label"].update(
                label_groups=[{"name": "g", "group_type": "empty", "labels": ["car"]}]
            ),
        ),
        ["categories", "label", "label_groups", 0, "group_type"],
    ),
    (
        "label-group-without-name",
        LB,
        edit(LB, lambda d: d["categories"]["label"].update(label_groups=[{"group_type": "x", "labels": []}])),
        ["categories", "label", "label_groups", 0],
    ),
    (
        "points-category-without-joints",
        D10,
        edit(D10, lambda d: d["categories"]["points"]["items"][0].pop("joints")),
        ["categories", "points", "items", 0],
    ),
    (
        "joint-not-a-pair",
        LA,
        edit(LA, lambda d: d["categories"]["points"]["items"][0].update(joints=[[0, 1, 2]])),
        ["categories", "points", "items", 0, "joints", 0],
    ),
    (
        "positions-not-numbers",
        CVAT,
        edit(CVAT, lambda d: d["categories"]["points"]["items"][0].update(positions=[0.0, "a", 1.0, 1.0])),
        ["categories", "points", "items", 0, "positions", 1],
    ),
    (
        "colormap-r-a-string",
        LB,
        edit(
            LB,
            lambda d: d["categories"].update(
                mask={"colormap": [{"label_id": 0, "r": "red", "g": 0, "b": 0}]}
            ),
        ),
        ["categories", "mask", "colormap", 0, "r"],
    ),
    # items and media
    ("item-without-id", D10, edit(D10, lambda d: d["items"][0].pop("id")), ["items", 0]),
    ("item-id-an-integer", LB, with_item(LB, id=1), ["items", 0, "id"]),
    (
        "legacy-info-item-without-annotations",
        LA,
        edit(LA, lambda d: d["items"][0].pop("annotations")),
        ["items", 0],
    ),
    ("annotations-an-object", D10, with_item(D10, annotations={}), ["items", 0, "annotations"]),
    ("attr-a-list", CVAT, with_item(CVAT, attr=[]), ["items", 0, "attr"]),
    (
        "image-size-of-3",
        LA,
        with_item(LA, image={"path": "a.jpg", "size": [6, 8, 3]}),
        ["items", 0, "image", "size"],
    ),
    (
        "image-size-strings",
        D10,
        with_item(D10, image={"path": "a.jpg", "size": ["6", 8]}),
        ["items", 0, "image", "size", 0],
    ),
    ("image-path-an-integer", LB, with_item(LB, image={"path": 5}), ["items", 0, "image", "path"]),
    (
        "related-image-without-path",
        LA,
        edit(
            LA,
            lambda d: (
                d["items"][0].pop("image"),
                d["items"][0].update(point_cloud={"path": "a.pcd"}, related_images=[{"size": [6, 8]}]),
            ),
        ),
        ["items", 0, "related_images", 0],
    ),
    (
        "video-frame-in-legacy-infos",
        LB,
        with_item(LB, video_frame={"video_path": "v.mp4", "frame_index": 0}),
        ["items", 0, "video_frame"],
    ),
    ("video-in-legacy-info", LA, with_item(LA, video={"path": "v.mp4"}), ["items", 0, "video"]),
    (
        "video-frame-without-index",
        D10,
        with_item(D10, video_frame={"video_path": "v.mp4"}),
        ["items", 0, "video_frame"],
    ),
    (
        "video-end-frame-a-string",
        CVAT,
        with_item(CVAT, video={"path": "v.mp4", "end_frame": "9"}),
        ["items", 0, "video", "end_frame"],
    ),
    # annotations: common fields
    ("annotation-not-an-object", D10, with_ann(D10, "bbox"), ANN0),
    ("annotation-without-type", D10, with_ann(D10, omit(BBOX, "type")), ANN0),
    ("unknown-type-hash-key", D10, with_ann(D10, {"id": 1, "type": "hash_key"}), [*ANN0, "type"]),
    ("unknown-type-rotated-bbox", CVAT, with_ann(CVAT, bbox(type="rotated_bbox")), [*ANN0, "type"]),
    ("skeleton-in-datumaro-1.0", D10, with_ann(D10, SKELETON), [*ANN0, "type"]),
    ("skeleton-in-legacy-infos", LB, with_ann(LB, SKELETON), [*ANN0, "type"]),
    (
        "ellipse-in-legacy-info",
        LA,
        with_ann(LA, {"type": "ellipse", "label_id": 0, "points": [1.0, 1.0, 2.0, 2.0]}),
        [*ANN0, "type"],
    ),
    (
        "cuboid-2d-in-legacy-infos",
        LB,
        with_ann(LB, {"type": "cuboid_2d", "points": CUBOID_2D}),
        [*ANN0, "type"],
    ),
    ("id-a-string", LA, with_ann(LA, bbox(id="3")), [*ANN0, "id"]),
    ("group-a-string", LB, with_ann(LB, bbox(group="7")), [*ANN0, "group"]),
    ("z-order-a-float", D10, with_ann(D10, bbox(z_order=1.5)), [*ANN0, "z_order"]),
    ("attributes-a-list", CVAT, with_ann(CVAT, bbox(attributes=[])), [*ANN0, "attributes"]),
    ("label-id-a-string", D10, with_ann(D10, bbox(label_id="car")), [*ANN0, "label_id"]),
    ("object-id-a-string", D10, with_ann(D10, bbox(object_id="42")), [*ANN0, "object_id"]),
    # annotations: geometry
    ("bbox-with-3-numbers", D10, with_ann(D10, bbox(bbox=[1.0, 2.0, 3.0])), [*ANN0, "bbox"]),
    ("bbox-missing", LA, with_ann(LA, {**omit(BBOX, "bbox"), "points": [1.0, 1.0, 2.0, 2.0]}), ANN0),
    ("bbox-non-numeric", CVAT, with_ann(CVAT, bbox(bbox=[1.0, "2", 3.0, 4.0])), [*ANN0, "bbox", 1]),
    (
        "polygon-point-a-string",
        LB,
        with_ann(LB, {"type": "polygon", "label_id": 0, "points": [0.0, "x", 4.0, 0.0, 4.0, 3.0]}),
        [*ANN0, "points", 1],
    ),
    ("polyline-without-points", D10, with_ann(D10, {"type": "polyline", "label_id": 0}), ANN0),
    (
        "points-visibility-strings",
        LA,
        with_ann(LA, {"type": "points", "label_id": 0, "points": [1.0, 1.0], "visibility": ["2"]}),
        [*ANN0, "visibility", 0],
    ),
    ("mask-without-rle", D10, with_ann(D10, {"type": "mask", "label_id": 0}), ANN0),
    (
        "rle-counts-a-list",
        LB,
        with_ann(LB, {"type": "mask", "label_id": 0, "rle": {"counts": [8, 3, 37], "size": [6, 8]}}),
        [*ANN0, "rle", "counts"],
    ),
    (
        "rle-size-of-3",
        CVAT,
        with_ann(CVAT, {"type": "mask", "label_id": 0, "rle": {"counts": "833000f0", "size": [6, 8, 1]}}),
        [*ANN0, "rle", "size"],
    ),
    (
        "rle-without-size",
        LA,
        with_ann(LA, {"type": "mask", "label_id": 0, "rle": {"counts": "833000f0"}}),
        [*ANN0, "rle"],
    ),
    ("caption-missing", D10, with_ann(D10, {"id": 7, "type": "caption", "attributes": {}, "group": 0}), ANN0),
    ("caption-not-a-string", LB, with_ann(LB, {"type": "caption", "caption": 5}), [*ANN0, "caption"]),
    (
        "cuboid-3d-position-of-2",
        LA,
        with_ann(LA, {"type": "cuboid_3d", "label_id": 0, "position": [1.0, 2.0]}),
        [*ANN0, "position"],
    ),
    (
        "cuboid-3d-without-position",
        D10,
        with_ann(D10, {"type": "cuboid_3d", "label_id": 0, "rotation": [0.0, 0.0, 0.0]}),
        ANN0,
    ),
    (
        "cuboid-3d-scale-of-4",
        CVAT,
        with_ann(CVAT, {"type": "cuboid_3d", "position": [0.0, 0.0, 0.0], "scale": [1.0, 1.0, 1.0, 1.0]}),
        [*ANN0, "scale"],
    ),
    (
        "cuboid-2d-flat-list",
        D10,
        with_ann(D10, {"type": "cuboid_2d", "label_id": 0, "points": [c for p in CUBOID_2D for c in p]}),
        [*ANN0, "points", 0],
    ),
    (
        "cuboid-2d-with-7-pairs",
        CVAT,
        with_ann(CVAT, {"type": "cuboid_2d", "label_id": 0, "points": CUBOID_2D[:7]}),
        [*ANN0, "points"],
    ),
    (
        "cuboid-2d-pair-of-3",
        D10,
        with_ann(D10, {"type": "cuboid_2d", "points": [*CUBOID_2D[:2], [1.0, 2.0, 3.0], *CUBOID_2D[3:]]}),
        [*ANN0, "points", 2],
    ),
    (
        "ellipse-with-3-numbers",
        LB,
        with_ann(LB, {"type": "ellipse", "label_id": 0, "points": [1.0, 1.0, 5.0]}),
        [*ANN0, "points"],
    ),
    ("skeleton-without-points-attributes", CVAT, with_ann(CVAT, omit(SKELETON, "points_attributes")), ANN0),
    ("skeleton-without-points", LA, with_ann(LA, omit(SKELETON, "points")), ANN0),
    (
        "skeleton-point-attributes-not-objects",
        CVAT,
        with_ann(CVAT, {**SKELETON, "points_attributes": [{}, []]}),
        [*ANN0, "points_attributes", 1],
    ),
]

POSITIVE: list[tuple[str, str, dict[str, Any]]] = [
    (
        "group-type-empty-in-legacy-infos",
        LB,
        edit(
            LB,
            lambda d: d["categories"]["label"].update(
                label_groups=[{"name": "g", "group_type": "empty", "labels": ["car"]}]
            ),
        ),
    ),
    (
        "group-type-any-case-in-1.0",
        D10,
        edit(
            D10,
            lambda d: d["categories"]["label"].update(
                label_groups=[
                    {"name": "a", "group_type": "EXCLUSIVE", "labels": []},
                    {"name": "b", "group_type": "Inclusive", "labels": []},
                    {"name": "c", "group_type": "restricted", "labels": []},
                ]
            ),
        ),
    ),
    ("skeleton-in-legacy-info", LA, with_ann(LA, SKELETON)),
    ("skeleton-in-cvat-1.0", CVAT, with_ann(CVAT, SKELETON)),
    ("label-id-null", D10, with_ann(D10, bbox(label_id=None))),
    ("only-required-annotation-keys", LB, with_ann(LB, {"type": "bbox", "bbox": [0, 0, 1, 1]})),
    ("label-annotation-without-label-id", LA, with_ann(LA, {"type": "label"})),
    (
        "cuboid-3d-without-rotation-and-scale",
        D10,
        with_ann(D10, {"type": "cuboid_3d", "position": [0, 0, 0]}),
    ),
    ("item-without-annotations-in-1.0", D10, edit(D10, lambda d: d["items"][0].pop("annotations"))),
    ("item-without-annotations-in-legacy-infos", LB, edit(LB, lambda d: d["items"][0].pop("annotations"))),
    (
        "unknown-keys-everywhere",
        CVAT,
        edit(
            CVAT,
            lambda d: (
                d.update(extra=1),
                d["items"][0].update(extra=[]),
                d["items"][0]["annotations"].append(bbox(extra={})),
            ),
        ),
    ),
    ("no-version-keys-in-1.0", D10, edit(D10, lambda d: (d.pop("dm_format_version"), d.pop("media_type")))),
    (
        "empty-category-kinds",
        D10,
        edit(D10, lambda d: d.update(categories={"label": {}, "mask": {}, "points": {}})),
    ),
    ("image-path-null", D10, with_item(D10, image={"path": None, "size": [6, 8]})),
    (
        "video-frame-in-1.0",
        D10,
        edit(
            D10,
            lambda d: (
                d.update(media_type=4),
                d["items"][0].pop("image"),
                d["items"][0].update(video_frame={"video_path": "v.mp4", "frame_index": 3}),
            ),
        ),
    ),
    (
        "video-in-cvat-1.0",
        CVAT,
        edit(
            CVAT,
            lambda d: (
                d.update(media_type=5),
                d["items"][0].pop("image"),
                d["items"][0].update(video={"path": "v.mp4", "step": 1, "start_frame": 0, "end_frame": None}),
            ),
        ),
    ),
    (
        "point-cloud-with-related-images",
        LA,
        edit(
            LA,
            lambda d: (
                d["items"][0].pop("image"),
                d["items"][0].update(
                    point_cloud={"path": "a.pcd"}, related_images=[{"path": "image_0.jpg", "size": [6, 8]}]
                ),
            ),
        ),
    ),
    ("item-path-list-in-legacy-info", LA, with_item(LA, path=["dir", "img_1"])),
    ("media-duplicate-in-legacy-infos", LB, with_item(LB, media={"path": "img_1.jpg"})),
    ("cuboid-2d-integer-vertices", D10, with_ann(D10, {"type": "cuboid_2d", "points": [[1, 1]] * 8})),
    ("caption-without-label-id", CVAT, with_ann(CVAT, {"type": "caption", "caption": ""})),
]


@pytest.mark.parametrize(("dialect", "doc", "expected"), [pytest.param(*c[1:], id=c[0]) for c in NEGATIVE])
def test_negative_case_gives_one_specific_error(dialect: str, doc: Any, expected: Path_) -> None:
    assert not py_validator(dialect).is_valid(doc)
    assert not rs_validator(dialect).is_valid(doc)
    assert rs_errors(dialect, doc) == [expected]
    assert py_errors(dialect, doc) == [expected]


def test_negative_table_is_large_and_unique() -> None:
    names = [c[0] for c in NEGATIVE]
    assert len(names) == len(set(names))
    assert len(names) >= 25
    assert {c[1] for c in NEGATIVE} == set(DIALECTS)


@pytest.mark.parametrize(("dialect", "doc"), [pytest.param(*c[1:], id=c[0]) for c in POSITIVE])
def test_positive_case_is_accepted(dialect: str, doc: dict[str, Any]) -> None:
    assert py_errors(dialect, doc) == []
    assert rs_errors(dialect, doc) == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_base_document_is_valid(dialect: str) -> None:
    assert py_errors(dialect, base(dialect)) == []
    assert rs_errors(dialect, base(dialect)) == []
