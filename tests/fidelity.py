"""Whether Datumaro imported a file faithfully: the first difference between what an annotation file
says and what Datumaro read from it, or None when it read every category, item and annotation as
written.

"What the file says" is read here by hand, strictly: a key written twice, mask counts that do not
cover the mask's size, or an integer written as text say nothing certain, so whatever a reader makes
of them is a difference.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datumaro
import numpy as np
from datumaro.components.annotation import AnnotationType
from pycocotools import mask as mask_utils

from dlint.rle import RleError, decode_runs


class Unclear(Exception):
    """The file says nothing certain here."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise Unclear(f"a key written twice among {keys}")
    return dict(pairs)


def _number(value: Any) -> float:
    if type(value) is bool or not isinstance(value, int | float):
        raise Unclear(f"{value!r} is not a number")
    if isinstance(value, int) and abs(value) > 2**53:
        raise Unclear(f"{value} has no exact value as a double")
    return float(value)


def _integer(value: Any, default: int | None = 0) -> int | None:
    if value is None:
        return default
    if type(value) is not int:
        raise Unclear(f"{value!r} is not an integer")
    return value


def _numbers(values: Any) -> list[float]:
    if not isinstance(values, list):
        raise Unclear(f"{values!r} is not a list")
    return [_number(value) for value in values]


def _same_numbers(read: Any, said: Any) -> bool:
    """Whether coordinates were read as written, to the single precision Datumaro keeps them in."""
    if not hasattr(read, "__len__"):  # a lone number (NaN for no points at all) is no list of them
        return False
    read = [float(value) for value in read]
    return len(read) == len(said) and all(
        math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6) for a, b in zip(read, said, strict=True)
    )


def _names(value: Any) -> set[str]:
    """Declared attribute names: a list of strings (or one string, for itself)."""
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise Unclear(f"attribute names {value!r}")
    return set(value)


def _attributes(value: Any) -> dict[str, Any]:
    """An annotation's attributes: an object, or a list of name and value pairs."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and all(
        isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) for pair in value
    ):
        return dict(value)
    raise Unclear(f"attributes {value!r}")


def _item_id(value: Any) -> str:
    if isinstance(value, str):
        return value
    if type(value) is int:
        return str(value)
    raise Unclear(f"item id {value!r}")


def _mask(rle: Any) -> np.ndarray:
    if not isinstance(rle, dict) or set(rle) - {"counts", "size"}:
        raise Unclear(f"an unusual rle {rle!r}")
    height, width = (_integer(value) for value in rle["size"])
    counts = rle["counts"]
    if not isinstance(counts, str):
        raise Unclear("counts that are not a compressed string")
    try:
        runs = decode_runs(counts)  # every run non-negative, or RleError
    except RleError as error:
        raise Unclear(f"counts that are no valid coding: {error}") from None
    if sum(runs) != height * width:  # type: ignore[operator]
        raise Unclear(f"counts covering {sum(runs)} pixels of a {height}x{width} mask")
    coded = {"counts": counts.encode("ascii"), "size": [height, width]}
    return np.asarray(mask_utils.decode(coded), dtype=bool)


def _annotation(said: dict[str, Any], read: Any, where: str) -> Iterator[str]:
    kind = said.get("type")
    if read.type is not AnnotationType[kind]:
        yield f"{where}: type {kind!r} read as {read.type.name}"
        return
    expected = {
        "id": _integer(said.get("id")),
        "group": _integer(said.get("group")),
        "attributes": _attributes(said.get("attributes")),
    }
    if kind not in ("caption",):
        expected["label"] = _integer(said.get("label_id"), None)
    if kind not in ("label", "caption", "cuboid_3d"):
        expected["z_order"] = _integer(said.get("z_order"))
    for key, value in expected.items():
        got = getattr(read, key)
        if got != value or type(got) is not type(value):
            yield f"{where}: {key} {value!r} read as {got!r}"
    yield from _geometry(kind, said, read, where)


def _geometry(kind: Any, said: dict[str, Any], read: Any, where: str) -> Iterator[str]:
    if kind == "bbox":
        if not _same_numbers(read.get_bbox(), _numbers(said.get("bbox"))):
            yield f"{where}: bbox {said.get('bbox')} read as {read.get_bbox()}"
    elif kind in ("polygon", "polyline", "points", "ellipse"):
        points = _numbers(said.get("points", []))  # none written: none read
        got = read.points if kind != "ellipse" else [read.x1, read.y1, read.x2, read.y2]
        if not _same_numbers(got, points):
            yield f"{where}: points {said.get('points')} read as {got!r}"
        if kind == "points":
            visibility = said.get("visibility") or [2] * (len(points) // 2)
            if [int(v) for v in read.visibility] != visibility:
                yield f"{where}: visibility {visibility} read as {[int(v) for v in read.visibility]}"
    elif kind == "mask":
        wanted = _mask(said["rle"])
        got = np.asarray(read.image, dtype=bool)
        if got.shape != wanted.shape or not np.array_equal(got, wanted):
            yield f"{where}: a mask of {wanted.shape} read as another mask of {got.shape}"
    elif kind == "caption":
        if read.caption != said.get("caption"):
            yield f"{where}: caption {said.get('caption')!r} read as {read.caption!r}"
    elif kind == "cuboid_3d":
        for key, default in (("position", 0.0), ("rotation", 0.0), ("scale", 1.0)):  # the format's defaults
            if not _same_numbers(getattr(read, key), _numbers(said.get(key, [default] * 3))):
                yield f"{where}: {key} {said.get(key)} read as {getattr(read, key)}"


def _labels(said: dict[str, Any], categories: dict[Any, Any]) -> Iterator[str]:
    label = said.get("label")
    read = categories.get(AnnotationType.label)
    if label is None:
        return
    entries = label.get("labels") or []
    items = [] if read is None else read.items
    if len(items) != len(entries):
        yield f"categories: {len(entries)} labels read as {len(items)}"
        return
    for index, (entry, got) in enumerate(zip(entries, items, strict=True)):
        wanted = (entry["name"], entry.get("parent") or "", _names(entry.get("attributes")))
        if (got.name, got.parent, set(got.attributes)) != wanted:
            yield f"categories: label {index} {entry} read as {got!r}"
    if read is None:  # no labels written, none read
        return
    common = _names(label.get("attributes"))
    if set(read.attributes) != common:
        yield f"categories: label attributes {common} read as {read.attributes}"
    groups = [
        (g["name"], list(g["labels"]), g["group_type"].lower()) for g in label.get("label_groups") or []
    ]
    got_groups = [(g.name, list(g.labels), g.group_type.to_str()) for g in read.label_groups]
    if got_groups != groups:
        yield f"categories: label groups {groups} read as {got_groups}"


def _points(said: dict[str, Any], categories: dict[Any, Any]) -> Iterator[str]:
    points = said.get("points")
    if points is None:
        return
    read = categories.get(AnnotationType.points)
    for entry in points["items"]:
        got = read.items.get(entry["label_id"]) if read is not None else None
        joints = {tuple(pair) for pair in entry.get("joints") or []}
        if got is None or list(got.labels) != list(entry["labels"]) or set(got.joints) != joints:
            yield f"categories: points of label {entry['label_id']} read as {got!r}"


def _colormap(said: dict[str, Any], categories: dict[Any, Any]) -> Iterator[str]:
    colormap = said.get("mask")
    if colormap is None:
        return
    read = categories.get(AnnotationType.mask)
    wanted = {entry["label_id"]: tuple(entry[c] for c in "rgb") for entry in colormap["colormap"]}
    got = dict(read.colormap) if read is not None else None
    if got != wanted:
        yield f"categories: colormap {wanted} read as {got}"


def unfaithful(root: Path) -> str | None:
    """Import the dataset folder ``root`` (which Datumaro imports) and say the first difference
    between what its annotation files say and what was read, or None."""
    return difference(root, datumaro.Dataset.import_from(str(root), "datumaro"))


def difference(root: Path, dataset: Any) -> str | None:
    """The first difference between what the annotation files of the dataset folder ``root`` say
    and what Datumaro read from them into ``dataset``, or None when it read every category, item
    and annotation of every subset as written."""
    read = list(dataset)
    for path in sorted((root / "annotations").glob("*.json")):
        subset = path.stem
        try:
            said = json.loads(path.read_bytes(), object_pairs_hook=_pairs)
            found = next(_differences(said, subset, dataset, [i for i in read if i.subset == subset]), None)
        except Unclear as unclear:
            found = f"the file says nothing certain: {unclear}"
        if found is not None:
            return f"{path.name}: {found}"
    return None


def _differences(said: dict[str, Any], subset: str, dataset: Any, read: list[Any]) -> Iterator[str]:
    infos = {**(said.get("info") or {}), **(said.get("infos") or {})}
    if dataset.infos() != infos:
        yield f"infos {infos} read as {dataset.infos()}"
    categories = dataset.categories()
    yield from _labels(said.get("categories") or {}, categories)
    yield from _points(said.get("categories") or {}, categories)
    yield from _colormap(said.get("categories") or {}, categories)
    items = said.get("items") or []
    ids = [_item_id(item["id"]) for item in items]
    if ids != [item.id for item in read]:
        yield f"items {ids} read as {[item.id for item in read]}"
        return
    for index, (item, got) in enumerate(zip(items, read, strict=True)):
        where = f"/items/{index}"
        if got.attributes != (item.get("attr") or {}):
            yield f"{where}: attr {item.get('attr')} read as {got.attributes}"
        size = (item.get("image") or {}).get("size")
        if size is not None and tuple(got.media.size) != tuple(_integer(v) for v in size):
            yield f"{where}: image size {size} read as {got.media.size}"
        annotations = item.get("annotations") or []
        if len(annotations) != len(got.annotations):
            yield f"{where}: {len(annotations)} annotations read as {len(got.annotations)}"
            continue
        for position, (annotation, ann) in enumerate(zip(annotations, got.annotations, strict=True)):
            yield from _annotation(annotation, ann, f"{where}/annotations/{position}")
