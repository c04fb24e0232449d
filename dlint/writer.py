"""The canonical writer: Datumaro's own key order, values untouched, in one of two layouts.

* ``compact``: what Datumaro's exporter writes (orjson, no white space, one line).
* ``lines``: the same document with one item header and one annotation per line, so that git diffs of
  a dataset stay readable. Both parse to the same data and both are valid for Datumaro.

Keys are put in the exporter's order (see the format notes, sections 2 and 6.1); keys it does not know
keep their relative order after the known ones. Numbers are written as the parser read them: floats in
their shortest round-trip form, integers as integers; nothing is rounded.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

STYLES = ("compact", "lines")
#: The style that keeps a file's layout family (see :func:`layout_of`).
KEEP = "keep"
_CONTENT_AFTER = re.compile(rb"\n\s*\S")


def layout_of(text: bytes) -> str:
    """The style of a file's layout family: ``compact`` for one line (as exporters write), ``lines``
    for a file laid out on several lines (by hand, or an indenting writer)."""
    newline = text.find(b"\n")  # none at all in most exported files: found at memory speed
    return "lines" if newline >= 0 and _CONTENT_AFTER.search(text, newline) else "compact"


_TOP = ("dm_format_version", "media_type", "info", "infos", "categories", "items")
_CATEGORIES = ("label", "mask", "points")
_LABEL_CATEGORY = ("labels", "label_groups", "attributes")
_LABEL = ("name", "parent", "attributes")
_GROUP = ("name", "group_type", "labels")
_COLOR = ("label_id", "r", "g", "b")
_TEMPLATE = ("label_id", "labels", "joints", "positions")
_ITEM = (
    "id",
    "annotations",
    "attr",
    "video_frame",
    "video",
    "image",
    "point_cloud",
    "related_images",
    "media",
)
_MEDIA = ("path", "size", "video_path", "frame_index", "step", "start_frame", "end_frame")
_COMMON = ("id", "type", "attributes", "group", "object_id", "label_id")
_GEOMETRY: dict[str, tuple[str, ...]] = {
    "bbox": ("z_order", "bbox"),
    "points": ("points", "z_order", "visibility"),
    "mask": ("rle", "z_order"),
    "caption": ("caption",),
    "cuboid_3d": ("position", "rotation", "scale"),
    "skeleton": ("points", "points_attributes", "z_order"),
}
_SHAPE = ("points", "z_order")
_RLE = ("counts", "size")
#: (type, keys...) of annotations found already in canonical order (there are few distinct ones).
_CANONICAL_KEYS: set[tuple[Any, ...] | None] = set()


def ordered(node: Any, order: tuple[str, ...]) -> Any:
    """A copy of an object with the known keys first, in ``order``; other values pass through."""
    if not isinstance(node, dict):
        return node
    result = {key: node[key] for key in order if key in node}
    if len(result) != len(node):
        result.update((key, value) for key, value in node.items() if key not in result)
    return result


def _each(nodes: Any, order: tuple[str, ...]) -> Any:
    return [ordered(node, order) for node in nodes] if isinstance(nodes, list) else nodes


def _categories(node: Any) -> Any:
    categories = ordered(node, _CATEGORIES)
    if not isinstance(categories, dict):
        return categories
    label = categories.get("label")
    if isinstance(label, dict):
        label = ordered(label, _LABEL_CATEGORY)
        if "labels" in label:
            label["labels"] = _each(label["labels"], _LABEL)
        if "label_groups" in label:
            label["label_groups"] = _each(label["label_groups"], _GROUP)
        categories["label"] = label
    mask = categories.get("mask")
    if isinstance(mask, dict) and "colormap" in mask:
        categories["mask"] = dict(mask, colormap=_each(mask["colormap"], _COLOR))
    points = categories.get("points")
    if isinstance(points, dict) and "items" in points:
        categories["points"] = dict(points, items=_each(points["items"], _TEMPLATE))
    return categories


def annotation(node: Any) -> Any:
    """An annotation in the exporter's key order for its type (the same object when already in it)."""
    if type(node) is not dict:
        return node
    kind = node.get("type")
    keys = (kind, *node) if type(kind) is str else None
    if keys in _CANONICAL_KEYS and (type(node.get("rle")) is not dict or tuple(node["rle"]) == _RLE):
        return node  # the common case: written by Datumaro, nothing to reorder
    tail = _GEOMETRY.get(kind, _SHAPE) if isinstance(kind, str) else _SHAPE
    result = ordered(node, _COMMON + tail)
    rle = result.get("rle")
    if isinstance(rle, dict):
        result["rle"] = ordered(rle, _RLE)
    if keys is not None and (kind, *result) == keys:
        _CANONICAL_KEYS.add(keys)
    return result


def item(node: Any) -> Any:
    """An item in the exporter's key order, its media objects and annotations included."""
    if not isinstance(node, dict):
        return node
    result = ordered(node, _ITEM)
    for key in ("video_frame", "video", "image", "point_cloud", "media"):
        if isinstance(result.get(key), dict):
            result[key] = ordered(result[key], _MEDIA)
    if isinstance(result.get("related_images"), list):
        result["related_images"] = _each(result["related_images"], _MEDIA)
    if isinstance(result.get("annotations"), list):
        result["annotations"] = [annotation(a) for a in result["annotations"]]
    return result


def canonical(document: Any) -> Any:
    """The whole document in canonical key order (a new structure; the input is not changed)."""
    if not isinstance(document, dict):
        return document
    result = ordered(document, _TOP)
    if "categories" in result:
        result["categories"] = _categories(result["categories"])
    if isinstance(result.get("items"), list):
        result["items"] = [item(entry) for entry in result["items"]]
    return result


def dumps(document: Any, style: str = "compact") -> bytes:
    """Serialise a document (already in canonical order) in a layout."""
    if style == "compact" or not isinstance(document, dict) or not isinstance(document.get("items"), list):
        return orjson.dumps(document)
    if style != "lines":
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
    keys = list(document)
    at = keys.index("items")
    parts = [_open(document, keys[:at], "items")]
    for index, entry in enumerate(document["items"]):
        parts.append(b"\n" if index == 0 else b",\n")
        parts.append(_item_lines(entry))
    parts.append(b"\n]" if document["items"] else b"]")
    parts.append(_close(document, keys[at + 1 :]))
    return b"".join(parts) + b"\n"


def _open(node: dict[str, Any], before: list[str], key: str) -> bytes:
    """``{"a":1,"b":2,"key":[`` for the members before ``key``."""
    head = orjson.dumps({k: node[k] for k in before})[:-1]
    return head + (b"," if before else b"") + orjson.dumps(key) + b":["


def _close(node: dict[str, Any], after: list[str]) -> bytes:
    """``,"c":3}`` for the members after the array, or ``}``."""
    return (b"," + orjson.dumps({k: node[k] for k in after})[1:]) if after else b"}"


def _item_lines(entry: Any) -> bytes:
    annotations = entry.get("annotations") if isinstance(entry, dict) else None
    if not isinstance(annotations, list) or not annotations:
        return orjson.dumps(entry)
    keys = list(entry)
    at = keys.index("annotations")
    body = b",\n".join(orjson.dumps(a) for a in annotations)
    return _open(entry, keys[:at], "annotations") + b"\n" + body + b"]" + _close(entry, keys[at + 1 :])
