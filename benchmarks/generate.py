"""Generate realistic Datumaro 1.0 annotation files for benchmarks and recall checks.

The output follows the layout of the datumaro 1.13 writer: the same top-level keys, item keys and
annotation keys in the same order, compact one-line JSON as ``orjson.dumps`` writes it. Masks are
real COCO compressed RLE strings made with pycocotools at each item's image size.

Optionally, ``errors`` defects and ``warnings`` findings that are only warnings (polygons of zero
area, as real exports hold a few) are injected at random positions; each is described by a record
``{"code_hint", "severity", "pointer", "description"}`` whose ``pointer`` is an RFC 6901 JSON Pointer into the
document.

Usage as a module::

    data, errors = generate(items=10_000, seed=0, errors=7)

Usage as a command (also writes ``out.errors.json``)::

    python benchmarks/generate.py --items 10000 --seed 0 --errors 0 --warnings 0 --out out.json
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pycocotools.mask as mask_utils

JSON = dict[str, Any]
Positions = dict[str, list[tuple[int, int]]]  # annotation type -> (item, annotation) indices

LABELS: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
    "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
    "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
    "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
    "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
    "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant",
    "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
    "teddy bear", "hair drier", "toothbrush",
)  # fmt: skip
PERSON = 0

KEYPOINTS: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip
# The COCO person skeleton, converted to 0-based keypoint indices.
JOINTS: tuple[tuple[int, int], ...] = (
    (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7),
    (6, 8), (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
)  # fmt: skip
# A front-facing person in a unit box (x, y per keypoint); the person's left is the image's right.
POSE = np.array([
    (0.50, 0.08), (0.54, 0.05), (0.46, 0.05), (0.59, 0.08), (0.41, 0.08), (0.68, 0.24),
    (0.32, 0.24), (0.78, 0.40), (0.22, 0.40), (0.84, 0.55), (0.16, 0.55), (0.61, 0.56),
    (0.39, 0.56), (0.62, 0.77), (0.38, 0.77), (0.63, 1.00), (0.37, 1.00),
])  # fmt: skip

# (height, width, weight): COCO-like image sizes around 480x640.
IMAGE_SIZES: tuple[tuple[int, int, float], ...] = (
    (480, 640, 0.40), (427, 640, 0.15), (640, 480, 0.12), (360, 640, 0.10),
    (512, 640, 0.08), (500, 375, 0.08), (375, 500, 0.07),
)  # fmt: skip

# Annotation type mix (fractions of all annotations).
TYPE_MIX: tuple[tuple[str, float], ...] = (
    ("bbox", 0.35), ("polygon", 0.30), ("mask", 0.15), ("points", 0.10),
    ("label", 0.05), ("polyline", 0.03), ("ellipse", 0.02),
)  # fmt: skip
MAX_ANNOTATIONS = 20  # per item; the count is Binomial(20, 0.35), mean 7
ANNOTATION_P = 0.35
PAIR_P = 0.8  # chance that a polygon/mask is grouped with a bbox of the same item
MASK_POOL = 256  # distinct masks per image size
BLOB_POOL = 128  # distinct blob shapes, each placed twice (once mirrored) per image size
OUTLINE_STEPS = 1024  # angular resolution of a blob outline
OUTLINE_HARMONICS = 40

ERROR_KINDS: tuple[str, ...] = (
    "label-id-out-of-range", "rle-counts-sum", "rle-size-mismatch", "polygon-odd-count",
    "polygon-too-few-points", "points-visibility-length", "bbox-length",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# COCO compressed RLE strings (the pycocotools "counts" alphabet)
# ---------------------------------------------------------------------------------------------


def rle_runs(counts: str) -> list[int]:
    """Decode a COCO compressed RLE string into its run lengths (zeros first, column-major)."""
    runs: list[int] = []
    pos = 0
    while pos < len(counts):
        value, shift, more = 0, 0, True
        while more:
            char = ord(counts[pos]) - 48
            value |= (char & 0x1F) << shift
            more = bool(char & 0x20)
            pos += 1
            shift += 5
            if not more and char & 0x10:
                value |= -1 << shift
        if len(runs) > 2:
            value += runs[-2]
        runs.append(value)
    return runs


def rle_string(runs: list[int], height: int, width: int) -> str:
    """Encode run lengths as a COCO compressed RLE string (sums are not checked)."""
    rle = mask_utils.frPyObjects({"size": [height, width], "counts": runs}, height, width)
    counts: bytes = rle["counts"]
    return counts.decode()


# ---------------------------------------------------------------------------------------------
# Masks
# ---------------------------------------------------------------------------------------------


def _blob(rng: np.random.Generator) -> np.ndarray:
    """A random blob with a wavy outline, as a tight boolean window."""
    radius = float(rng.uniform(15.0, 120.0))
    aspect = float(rng.uniform(0.5, 1.8))
    half_h, half_w = int(radius * aspect * 1.7) + 2, int(radius * 1.7) + 2
    yy = np.arange(-half_h, half_h + 1, dtype=np.float32)[:, None]
    xx = np.arange(-half_w, half_w + 1, dtype=np.float32)[None, :]
    dy = yy / np.float32(aspect)
    # The outline radius as a function of the angle, tabulated once: a few smooth harmonics
    # give the overall shape, many small ones give a ragged, hand-drawn border.
    angles = np.linspace(-math.pi, math.pi, OUTLINE_STEPS, endpoint=False)
    outline = np.ones(OUTLINE_STEPS, dtype=np.float32)
    for k in range(2, OUTLINE_HARMONICS + 1):
        amplitude = rng.uniform(0.0, 0.35 / k if k < 8 else 0.03)
        outline += amplitude * np.cos(k * angles + rng.uniform(0.0, 2 * math.pi))
    limit = np.append(outline, outline[0]) * np.float32(radius)  # the last entry is angle +pi
    limit *= limit
    scale = np.float32(OUTLINE_STEPS / (2 * math.pi))
    step = ((np.arctan2(dy, xx) + np.float32(math.pi)) * scale).astype(np.intp)
    inside: np.ndarray = xx * xx + dy * dy < limit[step]
    if rng.random() < 0.25:  # a second lobe or a hole
        cy, cx = rng.uniform(-half_h, half_h) * 0.6, rng.uniform(-half_w, half_w) * 0.6
        lobe = np.hypot(xx - cx, yy - cy) < radius * rng.uniform(0.2, 0.5)
        inside = inside | lobe if rng.random() < 0.6 else inside & ~lobe
    rows, cols = np.nonzero(inside)
    return inside[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def blob_pool(seed: int) -> list[np.ndarray]:
    """The blob shapes shared by all image sizes for one seed."""
    rng = np.random.default_rng([seed, 1])
    return [_blob(rng) for _ in range(BLOB_POOL)]


def mask_pool(blobs: list[np.ndarray], height: int, width: int, seed: int) -> list[tuple[str, list[float]]]:
    """Place blobs (mirrored on every other round) at random spots of a height x width image.

    Returns ``MASK_POOL`` pairs of (RLE counts string, [x, y, w, h]).
    """
    rng = np.random.default_rng([seed, 2, height, width])
    frame = np.zeros((height, width), dtype=np.uint8, order="F")
    pool: list[tuple[str, list[float]]] = []
    for n in range(MASK_POOL):
        blob = blobs[n % len(blobs)]
        if (n // len(blobs)) % 2:
            blob = blob[:, ::-1]
        blob = blob[:height, :width]
        top = int(rng.integers(0, height - blob.shape[0] + 1))
        left = int(rng.integers(0, width - blob.shape[1] + 1))
        frame[:] = 0
        frame[top : top + blob.shape[0], left : left + blob.shape[1]] = blob
        rle = mask_utils.encode(frame)
        bbox = [float(v) for v in mask_utils.toBbox(rle)]
        pool.append((rle["counts"].decode(), bbox))
    return pool


class MaskSource:
    """Masks per image size, made on first use (deterministic for a seed)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._blobs: list[np.ndarray] | None = None
        self._pools: dict[tuple[int, int], list[tuple[str, list[float]]]] = {}

    def pool(self, height: int, width: int) -> list[tuple[str, list[float]]]:
        """All masks for one image size."""
        key = (height, width)
        if key not in self._pools:
            if self._blobs is None:
                self._blobs = blob_pool(self.seed)
            self._pools[key] = mask_pool(self._blobs, height, width, self.seed)
        return self._pools[key]


# ---------------------------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------------------------


def _palette_color(index: int) -> tuple[int, int, int]:
    """The Pascal VOC colour map entry for ``index``."""
    r = g = b = 0
    for shift in range(7, -1, -1):
        r |= ((index >> 0) & 1) << shift
        g |= ((index >> 1) & 1) << shift
        b |= ((index >> 2) & 1) << shift
        index >>= 3
    return r, g, b


def categories() -> JSON:
    """The categories block: labels, a mask colour map and the person keypoint template."""
    labels = [{"name": name, "parent": "", "attributes": []} for name in LABELS]
    colormap = []
    for label_id in range(len(LABELS)):
        r, g, b = _palette_color(label_id + 1)
        colormap.append({"label_id": label_id, "r": r, "g": g, "b": b})
    positions = [round(float(v), 2) for v in POSE.ravel()]
    template = {
        "label_id": PERSON,
        "labels": list(KEYPOINTS),
        "joints": [list(joint) for joint in JOINTS],
        "positions": positions,
    }
    return {
        "label": {"labels": labels, "label_groups": [], "attributes": ["occluded"]},
        "mask": {"colormap": colormap},
        "points": {"items": [template]},
    }


# ---------------------------------------------------------------------------------------------
# Annotations
# ---------------------------------------------------------------------------------------------


def _round2(values: np.ndarray) -> list[float]:
    """Values rounded to 2 decimals, as Python floats."""
    rounded: list[float] = np.round(values, 2).tolist()
    return rounded


def _paired_box(shape: JSON, ann_id: int, bbox: list[float]) -> JSON:
    """The bbox of a grouped polygon/mask: same group, label, attributes and layer."""
    return {
        "id": ann_id,
        "type": "bbox",
        "attributes": dict(shape["attributes"]),
        "group": shape["group"],
        "label_id": shape["label_id"],
        "z_order": shape["z_order"],
        "bbox": list(bbox),  # a copy: mask boxes come from a shared pool
    }


class ItemBuilder:
    """Builds the annotations of items; holds the random sources and per-size mask pools."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.rng = np.random.default_rng([seed, 0])
        self.masks = MaskSource(seed)
        weights = [0.25] + [0.75 / (rank + 1) ** 0.8 for rank in range(len(LABELS) - 1)]
        self.label_ids = list(range(len(LABELS)))
        self.label_cum = list(itertools.accumulate(weights))
        self.type_names = [name for name, _ in TYPE_MIX]
        self.type_cum = list(itertools.accumulate(weight for _, weight in TYPE_MIX))
        self.sizes = [(height, width) for height, width, _ in IMAGE_SIZES]
        self.size_cum = list(itertools.accumulate(weight for *_, weight in IMAGE_SIZES))

    # --- small random helpers -------------------------------------------------------------

    def label(self) -> int:
        """A label id, skewed towards frequent classes like COCO."""
        return self.rnd.choices(self.label_ids, cum_weights=self.label_cum)[0]

    def attributes(self) -> JSON:
        """Shape attributes: usually empty, sometimes the CVAT ``occluded`` flag."""
        draw = self.rnd.random()
        if draw < 0.30:
            return {"occluded": False}
        if draw < 0.36:
            return {"occluded": True}
        return {}

    def z_order(self) -> int:
        """Mostly 0, sometimes a small positive layer."""
        return 0 if self.rnd.random() < 0.8 else self.rnd.randint(1, 3)

    def box(self, height: int, width: int) -> tuple[float, float, float, float]:
        """A random box inside the image: x, y, w, h."""
        w = min(width - 1.0, width * self.rnd.uniform(0.03, 0.6))
        h = min(height - 1.0, height * self.rnd.uniform(0.03, 0.6))
        x = self.rnd.uniform(0.0, width - w)
        y = self.rnd.uniform(0.0, height - h)
        return x, y, w, h

    # --- geometry ----------------------------------------------------------------------

    def polygon_points(self, height: int, width: int) -> list[float]:
        """A star-shaped polygon of 6-40 vertices inside the image, 2-decimal floats."""
        count = self.rnd.randint(6, 40)
        x, y, w, h = self.box(height, width)
        angles = np.sort(self.rng.uniform(0.0, 2 * math.pi, count))
        radii = self.rng.uniform(0.55, 1.0, count)
        xs = np.clip(x + w / 2 * (1 + radii * np.cos(angles)), 0.0, width)
        ys = np.clip(y + h / 2 * (1 + radii * np.sin(angles)), 0.0, height)
        return _round2(np.column_stack((xs, ys)).ravel())

    def polyline_points(self, height: int, width: int) -> list[float]:
        """An open random-walk polyline of 2-12 vertices inside the image."""
        count = self.rnd.randint(2, 12)
        steps = self.rng.normal(0.0, 25.0, (count, 2)).cumsum(axis=0)
        start = (self.rnd.uniform(0, width), self.rnd.uniform(0, height))
        xs = np.clip(start[0] + steps[:, 0], 0.0, width)
        ys = np.clip(start[1] + steps[:, 1], 0.0, height)
        return _round2(np.column_stack((xs, ys)).ravel())

    def keypoints(self, height: int, width: int) -> tuple[list[float], list[int]]:
        """17 COCO person keypoints in a random box, with visibility 0/1/2 (absent at 0, 0)."""
        x, y, w, h = self.box(height, width)
        xy = POSE * (w, h) + (x, y) + self.rng.normal(0.0, 0.02 * max(w, h), POSE.shape)
        xy = np.clip(xy, 0.0, (width, height))
        visibility = self.rng.choice(3, len(KEYPOINTS), p=(0.15, 0.10, 0.75))
        xy[visibility == 0] = 0.0
        return _round2(xy.ravel()), visibility.tolist()

    # --- annotations -------------------------------------------------------------------

    def shape(
        self, kind: str, ann_id: int, label_id: int, height: int, width: int
    ) -> tuple[JSON, list[float]]:
        """A polygon or mask annotation and its bounding box [x, y, w, h]."""
        head = {"id": ann_id, "type": kind, "attributes": self.attributes(), "group": 0, "label_id": label_id}
        if kind == "mask":
            counts, bbox = self.rnd.choice(self.masks.pool(height, width))
            return {
                **head,
                "rle": {"counts": counts, "size": [height, width]},
                "z_order": self.z_order(),
            }, bbox
        points = self.polygon_points(height, width)
        xs, ys = points[0::2], points[1::2]
        bbox = [min(xs), min(ys), round(max(xs) - min(xs), 2), round(max(ys) - min(ys), 2)]
        return {**head, "points": points, "z_order": self.z_order()}, bbox

    def simple(self, kind: str, ann_id: int, height: int, width: int) -> JSON:
        """An annotation of one of the ungrouped kinds: label, points, polyline, ellipse, bbox."""
        if kind == "label":
            return {"id": ann_id, "type": "label", "attributes": {}, "group": 0, "label_id": self.label()}
        label_id = PERSON if kind == "points" else self.label()
        head = {"id": ann_id, "type": kind, "attributes": self.attributes(), "group": 0, "label_id": label_id}
        if kind == "bbox":
            return {**head, "z_order": self.z_order(), "bbox": _round2(np.array(self.box(height, width)))}
        if kind == "points":
            points, visibility = self.keypoints(height, width)
            return {**head, "points": points, "z_order": self.z_order(), "visibility": visibility}
        if kind == "polyline":
            return {**head, "points": self.polyline_points(height, width), "z_order": self.z_order()}
        x, y, w, h = self.box(height, width)
        return {**head, "points": _round2(np.array((x, y, x + w, y + h))), "z_order": self.z_order()}

    def annotations(self, height: int, width: int) -> list[JSON]:
        """0-20 annotations of mixed types; a polygon/mask is often grouped with a bbox."""
        count = int(self.rng.binomial(MAX_ANNOTATIONS, ANNOTATION_P))
        kinds = self.rnd.choices(self.type_names, cum_weights=self.type_cum, k=count)
        result: list[JSON | None] = [None] * count
        free_boxes = [i for i, kind in enumerate(kinds) if kind == "bbox"]
        group = 0
        for index, kind in enumerate(kinds):
            if kind not in ("polygon", "mask"):
                continue
            label_id = self.label()
            shape, bbox = self.shape(kind, index + 1, label_id, height, width)
            result[index] = shape
            if free_boxes and self.rnd.random() < PAIR_P:
                group += 1
                box_index = free_boxes.pop()
                shape["group"] = group
                result[box_index] = _paired_box(shape, box_index + 1, bbox)
        for index, kind in enumerate(kinds):
            if result[index] is None:
                result[index] = self.simple(kind, index + 1, height, width)
        return [annotation for annotation in result if annotation is not None]

    def item(self, frame: int, item_id: str) -> JSON:
        """One item in the writer's key order: id, annotations, attr, image."""
        height, width = self.rnd.choices(self.sizes, cum_weights=self.size_cum)[0]
        return {
            "id": item_id,
            "annotations": self.annotations(height, width),
            "attr": {"frame": frame},
            "image": {"path": item_id.replace("/", "_") + ".jpg", "size": [height, width]},
        }


def item_ids(rnd: random.Random, count: int) -> list[str]:
    """Sorted unique COCO-like ids: ``train/000000123456``."""
    numbers = sorted(rnd.sample(range(1, max(600_000, count * 10)), count))
    return [f"train/{number:012d}" for number in numbers]


def document(items: int, builder: ItemBuilder) -> JSON:
    """The whole document in the writer's top-level key order."""
    ids = item_ids(builder.rnd, items)
    return {
        "dm_format_version": "1.0",
        "media_type": 2,
        "infos": {},
        "categories": categories(),
        "items": [builder.item(frame, item_id) for frame, item_id in enumerate(ids)],
    }


# ---------------------------------------------------------------------------------------------
# Error injection
# ---------------------------------------------------------------------------------------------

Injector = Callable[[JSON, JSON, "ItemBuilder"], tuple[str, str]]


def _break_label_id(ann: JSON, item: JSON, builder: ItemBuilder) -> tuple[str, str]:
    value = len(LABELS) + builder.rnd.randint(0, 20)
    ann["label_id"] = value
    return "label_id", f"label_id {value} is outside [0, {len(LABELS)})"


def _break_rle_sum(ann: JSON, item: JSON, builder: ItemBuilder) -> tuple[str, str]:
    height, width = ann["rle"]["size"]
    runs = rle_runs(ann["rle"]["counts"])
    runs[-1] += builder.rnd.randint(1, 500)
    ann["rle"]["counts"] = rle_string(runs, height, width)
    return "rle", f"RLE runs sum to {sum(runs)}, not {height}*{width} = {height * width}"


def _break_rle_size(ann: JSON, item: JSON, builder: ItemBuilder) -> tuple[str, str]:
    image = tuple(item["image"]["size"])
    others = [(h, w) for h, w, _ in IMAGE_SIZES if (h, w) != image]
    height, width = builder.rnd.choice(others)
    counts, _ = builder.rnd.choice(builder.masks.pool(height, width))
    ann["rle"] = {"counts": counts, "size": [height, width]}
    return "rle/size", f"RLE size [{height}, {width}] differs from image size {list(image)}"


def _break_polygon_odd(ann: JSON, item: JSON, builder: ItemBuilder) -> tuple[str, str]:
    ann["points"].pop()
    return "points", f"polygon has an odd number of coordinates ({len(ann['points'])})"


def _break_polygon_short(ann: JSON, item: JSON, builder: ItemBuilder) -> tuple[str, str]:
    del ann["points"][4:]
    return "points", "polygon has 2 vertices (at least 3 are needed)"


def _break_visibility(ann: JSON, item: JSON, builder: ItemBuilder) -> tuple[str, str]:
    if builder.rnd.random() < 0.5:
        ann["visibility"].pop()
    else:
        ann["visibility"].append(2)
    count = len(ann["visibility"])
    return "visibility", f"{count} visibility values for {len(ann['points']) // 2} points"


def _break_bbox(ann: JSON, item: JSON, builder: ItemBuilder) -> tuple[str, str]:
    ann["bbox"].pop()
    return "bbox", "bbox has 3 numbers instead of 4"


def _flatten_polygon(ann: JSON, item: JSON, builder: ItemBuilder) -> tuple[str, str]:
    points = ann["points"]
    points[1::2] = [points[1]] * (len(points) // 2)  # every vertex on one horizontal line
    return "points", "polygon of zero area (its vertices on one line)"


#: The findings injected as warnings: a polygon of zero area (an error by no reader's account).
WARNING_KIND = "polygon-zero-area"

# kind -> (annotation types it applies to, injector)
INJECTORS: dict[str, tuple[tuple[str, ...], Injector]] = {
    "label-id-out-of-range": (("bbox", "polygon", "label", "polyline", "ellipse"), _break_label_id),
    "rle-counts-sum": (("mask",), _break_rle_sum),
    "rle-size-mismatch": (("mask",), _break_rle_size),
    "polygon-odd-count": (("polygon",), _break_polygon_odd),
    "polygon-too-few-points": (("polygon",), _break_polygon_short),
    "points-visibility-length": (("points",), _break_visibility),
    "bbox-length": (("bbox",), _break_bbox),
    WARNING_KIND: (("polygon",), _flatten_polygon),
}


def _candidates(doc: JSON, rnd: random.Random) -> Positions:
    """Shuffled (item, annotation) positions per annotation type."""
    found: Positions = {}
    for i, item in enumerate(doc["items"]):
        for j, ann in enumerate(item["annotations"]):
            found.setdefault(ann["type"], []).append((i, j))
    for positions in found.values():
        rnd.shuffle(positions)
    return found


def _pick(
    found: Positions, types: tuple[str, ...], used: set[tuple[int, int]], rnd: random.Random
) -> tuple[int, int] | None:
    """An unused position among annotations of ``types``, or None when there is none."""
    pools = [found[t] for t in types if found.get(t)]
    while pools:
        pool = rnd.choice(pools)
        position = pool.pop()
        if not pool:
            pools.remove(pool)
        if position not in used:
            return position
    return None


def inject_errors(doc: JSON, count: int, builder: ItemBuilder, warnings: int = 0) -> list[JSON]:
    """Break ``count`` distinct annotations, cycling through a seeded order of the error kinds, then
    make ``warnings`` other polygons of zero area."""
    kinds = list(ERROR_KINDS)
    builder.rnd.shuffle(kinds)
    found = _candidates(doc, builder.rnd)
    used: set[tuple[int, int]] = set()
    records: list[tuple[tuple[int, int], JSON]] = []
    for n in range(count + warnings):
        kind = kinds[n % len(kinds)] if n < count else WARNING_KIND
        types, injector = INJECTORS[kind]
        position = _pick(found, types, used, builder.rnd)
        if position is None:
            raise ValueError(f"not enough annotations to inject {count} errors (ran out at {kind})")
        used.add(position)
        i, j = position
        item = doc["items"][i]
        suffix, description = injector(item["annotations"][j], item, builder)
        pointer = f"/items/{i}/annotations/{j}/{suffix}"
        severity = "warning" if kind == WARNING_KIND else "error"
        record = {"code_hint": kind, "severity": severity, "pointer": pointer, "description": description}
        records.append((position, record))
    return [record for _, record in sorted(records, key=lambda pair: pair[0])]


# ---------------------------------------------------------------------------------------------
# Files whose cost depends on what is wrong with them (benchmarks/run.py --cost)
# ---------------------------------------------------------------------------------------------


def _defective_item(index: int) -> JSON:
    """An item with two defects: a box coordinate given as a string (a schema failure, DL002) and a
    label id given as a numeric string (DL103, with a safe fix)."""
    return {
        "id": f"item{index:07d}",
        "annotations": [
            {
                "id": 1,
                "type": "bbox",
                "attributes": {},
                "group": 0,
                "label_id": "0",
                "z_order": 0,
                "bbox": [1.0, 2.0, "3", 4.0],
            }
        ],
        "attr": {"frame": index},
        "image": {"path": f"item{index:07d}.jpg", "size": [480, 640]},
    }


def defective(diagnostics: int) -> bytes:
    """A file with ``diagnostics`` diagnostics (two per item), about 100 bytes per diagnostic."""
    doc = {
        "dm_format_version": "1.0",
        "media_type": 2,
        "infos": {},
        "categories": categories(),
        "items": [_defective_item(index) for index in range(diagnostics // 2)],
    }
    return orjson.dumps(doc)


def long_string(size: int) -> bytes:
    """A file that is mostly one string of ``size`` bytes, with defects after it, written with
    indentation (so that nothing can skip the string by comparing it with a re-serialisation)."""
    doc = {
        "dm_format_version": "1.0",
        "media_type": 2,
        "infos": {"note": "a" * size},
        "categories": categories(),
        "items": [_defective_item(index) for index in range(3)],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2)


def datasets_archive(count: int, out: Path) -> None:
    """A zip archive of ``count`` small datasets ``d<i>/annotations/default.json``, each with one
    image, every one of them clean."""
    import zipfile

    categories_doc = {"label": {"labels": [{"name": "a", "parent": "", "attributes": []}], "attributes": []}}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            item = {"id": "x", "annotations": [], "attr": {}, "image": {"path": "x.jpg", "size": [1, 1]}}
            doc = {"dm_format_version": "1.0", "media_type": 2, "infos": {}, "categories": categories_doc}
            archive.writestr(f"d{index}/annotations/default.json", orjson.dumps({**doc, "items": [item]}))
            archive.writestr(f"d{index}/images/default/x.jpg", _TINY_JPEG)


#: The smallest JPEG header that gives a 1x1 size (what dlint reads of an image).
_TINY_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffc0000b080001000101011100ffd9")


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def generate(items: int, seed: int, errors: int, warnings: int = 0) -> tuple[bytes, list[JSON]]:
    """A Datumaro 1.0 document of ``items`` items with ``errors`` injected defects and ``warnings``
    injected polygons of zero area."""
    if items < 0 or errors < 0 or warnings < 0:
        raise ValueError("items, errors and warnings must not be negative")
    builder = ItemBuilder(seed)
    doc = document(items, builder)
    injected = inject_errors(doc, errors, builder, warnings)
    return orjson.dumps(doc), injected


def errors_path(out: Path) -> Path:
    """``x.json`` -> ``x.errors.json`` (any other name gets ``.errors.json`` appended)."""
    stem = out.name[: -len(".json")] if out.name.endswith(".json") else out.name
    return out.with_name(stem + ".errors.json")


def write(out: Path, items: int, seed: int, errors: int, warnings: int = 0) -> tuple[bytes, list[JSON]]:
    """Generate and write the document and its list of injected findings next to it."""
    data, injected = generate(items, seed, errors, warnings)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    errors_path(out).write_bytes(orjson.dumps(injected, option=orjson.OPT_INDENT_2))
    return data, injected


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=10_000, help="number of items (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--errors", type=int, default=0, help="number of injected errors (default 0)")
    parser.add_argument(
        "--warnings", type=int, default=0, help="number of injected zero-area polygons (default 0)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output JSON path")
    parser.add_argument(
        "--shape",
        choices=("dataset", "defective", "long-string", "datasets-archive"),
        default="dataset",
        help="dataset (default); defective: --items diagnostics; long-string: a string of --items "
        "bytes; datasets-archive: a zip of --items datasets",
    )
    args = parser.parse_args(argv)
    if args.shape != "dataset":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if args.shape == "datasets-archive":
            datasets_archive(args.items, args.out)
        else:
            args.out.write_bytes(
                defective(args.items) if args.shape == "defective" else long_string(args.items)
            )
        return 0
    start = time.perf_counter()
    try:
        data, injected = write(args.out, args.items, args.seed, args.errors, args.warnings)
    except ValueError as exc:
        parser.error(str(exc))
    seconds = time.perf_counter() - start
    annotations = data.count(b'"type":"')
    print(
        f"{args.out}: {args.items} items, ~{annotations} annotations, {len(data):,} bytes, "
        f"{len(injected)} injected findings ({errors_path(args.out)}), {seconds:.2f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
