"""What an item's annotations are as shapes to draw: read from untrusted JSON, in image pixels.

Every annotation that can be drawn becomes an :class:`Annotation` of shapes (boxes, paths, dots,
ellipses, line sets, mask layers); whatever cannot be drawn is explained in a note. Numbers are kept
only when finite, coordinates are clamped far outside any view, and the work is capped
(:data:`MAX_ANNOTATIONS`, :data:`MAX_POINTS`, :data:`MAX_ITEM_POINTS`). :mod:`dlint.visual.draw`
writes them as SVG.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dlint.visual.thumbs import MaskLayer, mask_layer

MAX_ANNOTATIONS = 2000
"""Annotations drawn per item at most (the highlighted one is drawn even beyond)."""
MAX_POINTS = 10_000
"""Points (vertices, keypoints, joints) drawn per shape at most."""
MAX_ITEM_POINTS = 200_000
"""Points drawn per item at most: annotations beyond this budget are left out."""

#: Colours of labels that the colormap does not give, indexed by label id.
PALETTE = (
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
    "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3",
    "#808000", "#ffd8b1", "#000075", "#ff7f0e",
)  # fmt: skip
NO_LABEL_COLOR = "#9e9e9e"
"""Colour of annotations without a label."""

LIMIT = 1e7  # coordinates are clamped to +-this when written (far outside any view)
_TYPE_LEN = 40  # longest type name quoted in a note

Point = tuple[float, float]


# Shapes, in image pixels.


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Path:
    points: tuple[Point, ...]
    closed: bool


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    filled: bool


@dataclass(frozen=True)
class Ellipse:
    cx: float
    cy: float
    rx: float
    ry: float


@dataclass(frozen=True)
class Lines:
    segments: tuple[tuple[Point, Point], ...]


@dataclass(frozen=True)
class Raster:
    layer: MaskLayer


Shape = Rect | Path | Dot | Ellipse | Lines | Raster


@dataclass
class Annotation:
    """One annotation ready to draw."""

    index: int
    title: str
    color: str
    z_order: int
    shapes: list[Shape]


def num(value: Any) -> float | None:
    """``value`` as a finite float, or None (bools, strings, NaN, infinities, huge ints)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    """``value`` if it is an int (not a bool), else None."""
    return value if type(value) is int else None


def clamp(value: float) -> float:
    """A coordinate brought within the range written (far outside any view)."""
    return min(LIMIT, max(-LIMIT, value))


def _short(value: Any) -> str:
    """A value from the file quoted briefly in plain text."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _TYPE_LEN else text[: _TYPE_LEN - 3] + "..."


def _get(mapping: Any, key: str) -> Any:
    """``mapping[key]`` when ``mapping`` is an object holding it, else None."""
    return mapping.get(key) if isinstance(mapping, dict) else None


# What the categories say about labels.

#: The categories read last, with the object they were read from (the items of a file share it).
_last: list[tuple[Any, Categories]] = []


def categories_of(categories: Any) -> Categories:
    """What ``categories`` say, read once for the many items drawn from one file."""
    if _last and _last[0][0] is categories:
        return _last[0][1]
    read = Categories(categories)
    _last[:] = [(categories, read)]
    return read


class Categories:
    """Label names, colours and skeleton templates, read from the file's ``categories`` on demand."""

    def __init__(self, categories: Any) -> None:
        labels = _get(_get(categories, "label"), "labels")
        self._labels = labels if isinstance(labels, list) else []
        self._raw = categories
        self._colors: dict[int, str] | None = None
        self._templates: dict[int, list[tuple[int, int]]] | None = None

    def name(self, label_id: int) -> str | None:
        if 0 <= label_id < len(self._labels):
            name = _get(self._labels[label_id], "name")
            if isinstance(name, str) and name:
                return name
        return None

    def color(self, label_id: int | None) -> str:
        if label_id is None:
            return NO_LABEL_COLOR
        if self._colors is None:
            self._colors = {}
            colormap = _get(_get(self._raw, "mask"), "colormap")
            for entry in colormap if isinstance(colormap, list) else ():
                key = _int(_get(entry, "label_id"))
                r, g, b = (_int(_get(entry, channel)) for channel in "rgb")
                if key is None or r is None or g is None or b is None:
                    continue
                if all(0 <= c <= 255 for c in (r, g, b)) and (r, g, b) != (0, 0, 0):
                    self._colors.setdefault(key, f"#{r:02x}{g:02x}{b:02x}")
        return self._colors.get(label_id) or PALETTE[label_id % len(PALETTE)]

    def joints(self, label_id: int | None) -> list[tuple[int, int]]:
        """The joints of the skeleton template of ``label_id``, as written (base not yet decided)."""
        if self._templates is None:
            self._templates = {}
            items = _get(_get(self._raw, "points"), "items")
            for entry in items if isinstance(items, list) else ():
                key = _int(_get(entry, "label_id"))
                joints = _get(entry, "joints")
                if key is None or key in self._templates or not isinstance(joints, list):
                    continue
                pairs = []
                for joint in joints[:MAX_POINTS]:
                    if isinstance(joint, list) and len(joint) == 2:
                        a, b = _int(joint[0]), _int(joint[1])
                        if a is not None and b is not None:
                            pairs.append((a, b))
                self._templates[key] = pairs
        return self._templates.get(label_id, []) if label_id is not None else []


# Reading the geometry of one annotation.


def _coords(values: Any, stride: int, problems: list[str]) -> tuple[list[Point | None], list[Any]]:
    """The points of a flat coordinate list of ``stride`` numbers per point (x, y[, visibility]):
    None where a coordinate is not a finite number; plus the third value of each point when stride is 3.
    At most :data:`MAX_POINTS` points; what is left out is added to ``problems``.
    """
    if not isinstance(values, list):
        problems.append("its points are not a list" if values is not None else "it has no points")
        return [], []
    count = len(values) // stride
    if len(values) % stride:
        rest = len(values) % stride
        problems.append(f"its {len(values)} values are not {stride} per point: the last {rest} are left out")
    if count > MAX_POINTS:
        problems.append(f"only the first {MAX_POINTS} of its {count} points are drawn")
        count = MAX_POINTS
    points: list[Point | None] = []
    extra: list[Any] = []
    bad = 0
    for i in range(0, count * stride, stride):
        x, y = num(values[i]), num(values[i + 1])
        if x is None or y is None:
            bad += 1
            points.append(None)
        elif -LIMIT <= x <= LIMIT and -LIMIT <= y <= LIMIT:
            points.append((x, y))
        else:  # clamped far outside any view, so that they are written briefly
            points.append((clamp(x), clamp(y)))
        if stride == 3:
            extra.append(values[i + 2])
    if bad:
        problems.append(f"{bad} of its points are not pairs of finite numbers and are left out")
    return points, extra


def _numbers(values: Any, count: int) -> list[float] | None:
    """``values`` as exactly ``count`` finite numbers, or None."""
    if not isinstance(values, list) or len(values) != count:
        return None
    numbers = [num(v) for v in values]
    return [n for n in numbers if n is not None] if None not in numbers else None


def _polyline(points: list[Point | None], closed: bool, problems: list[str]) -> list[Shape]:
    drawn = tuple(p for p in points if p is not None)
    if not drawn:
        if points:
            problems.append("none of its points can be drawn")
        return []
    if len(drawn) == 1:
        return [Dot(*drawn[0], filled=True)]
    return [Path(drawn, closed)]


def _keypoints(
    points: list[Point | None],
    visibility: list[Any],
    edges: list[tuple[int, int]],
    declared: int,
    problems: list[str],
) -> list[Shape]:
    """Keypoints as dots (visibility 0: not drawn, 1: hollow, else filled) joined by the template's edges.

    Joint indices are 0-based if any of them is 0, else 1-based if the largest equals the number of
    points (``declared``), else 0-based.
    """
    shown: list[Point | None] = []
    dots: list[Shape] = []
    for i, point in enumerate(points):
        flag = visibility[i] if i < len(visibility) else 2
        if point is None or (flag == 0 and type(flag) is int):
            shown.append(None)
            continue
        shown.append(point)
        dots.append(Dot(*point, filled=not (flag == 1 and type(flag) is int)))
    if not dots and any(point is not None for point in points):
        problems.append("all of its points have visibility 0 (absent): nothing to draw")
    segments = []
    if edges:
        indices = [i for edge in edges for i in edge]
        base = 1 if 0 not in indices and max(indices) == declared else 0
        outside = 0
        for a, b in edges:
            a, b = a - base, b - base
            if not (0 <= a < declared and 0 <= b < declared):
                outside += 1
            elif a < len(shown) and b < len(shown) and (p := shown[a]) is not None and (q := shown[b]):
                segments.append((p, q))
        if outside:
            problems.append(f"{outside} joints of its template name points it does not have")
    lines: list[Shape] = [Lines(tuple(segments))] if segments else []
    return lines + dots


#: The 12 edges of a cuboid_2d: its faces 0-1-2-3 and 4-5-6-7 and the edges joining them.
_CUBOID_EDGES = (
    (0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7), (7, 4), (0, 4), (1, 5), (2, 6), (3, 7),
)  # fmt: skip


def _cuboid(values: Any, problems: list[str]) -> list[Shape]:
    if not isinstance(values, list):
        problems.append("its points are not a list" if values is not None else "it has no points")
        return []
    vertices: list[Point | None] = []
    for vertex in values[:8]:
        pair = _numbers(vertex, 2)
        vertices.append((pair[0], pair[1]) if pair else None)
    if len(values) != 8:
        problems.append(f"it has {len(values)} vertices, not 8: only the edges it has are drawn")
    if None in vertices:
        problems.append("some of its vertices are not [x, y] pairs of finite numbers")
    segments = []
    for a, b in _CUBOID_EDGES:
        if a < len(vertices) and b < len(vertices) and (p := vertices[a]) and (q := vertices[b]):
            segments.append((p, q))
    if segments:
        return [Lines(tuple(segments))]
    return [Dot(*p, filled=True) for p in vertices if p is not None]


def _shapes(
    kind: str,
    ann: dict[str, Any],
    categories: Categories,
    color: tuple[int, int, int],
    max_side: int,
    problems: list[str],
    totals: Mapping[str, int] | None,
) -> list[Shape] | None:
    """The shapes of one annotation, or None when its type is not one that is drawn."""
    label_id = _int(ann.get("label_id"))
    if kind == "bbox":
        box = _numbers(ann.get("bbox"), 4)
        if box is None:
            problems.append("its bbox is not 4 finite numbers [x, y, w, h]")
            return []
        x, y, w, h = box
        if w < 0 or h < 0:
            problems.append("its width or height is negative: drawn from the other side")
            x, y, w, h = min(x, x + w), min(y, y + h), abs(w), abs(h)
        if w > 0 and h > 0:
            return [Rect(x, y, w, h)]
        corners = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
        return [Path(tuple((clamp(cx), clamp(cy)) for cx, cy in corners), True)]
    if kind in ("polygon", "polyline"):
        points, _ = _coords(ann.get("points"), 2, problems)
        return _polyline(points, kind == "polygon", problems)
    if kind in ("points", "skeleton"):
        stride = 3 if kind == "skeleton" else 2
        points, flags = _coords(ann.get("points"), stride, problems)
        if kind == "points":
            visibility = ann.get("visibility")
            flags = visibility if isinstance(visibility, list) else []
        declared = len(ann["points"]) // stride if isinstance(ann.get("points"), list) else 0
        return _keypoints(points, flags, categories.joints(label_id), declared, problems)
    if kind == "ellipse":
        box = _numbers(ann.get("points"), 4)
        if box is None:
            problems.append("its points are not 4 finite numbers [x1, y1, x2, y2]")
            return []
        x1, y1, x2, y2 = box
        return [Ellipse((x1 + x2) / 2, (y1 + y2) / 2, abs(x2 - x1) / 2, abs(y2 - y1) / 2)]
    if kind == "cuboid_2d":
        return _cuboid(ann.get("points"), problems)
    if kind == "mask":
        if "rle" not in ann:
            problems.append("it has no rle")
            return []
        layer = mask_layer(ann["rle"], color, max_side, totals)
        if isinstance(layer, str):
            problems.append(layer)
            return []
        return [Raster(layer)]
    if kind == "cuboid_3d":
        problems.append("a 3D shape has no place on the image")
        return []
    return None


def points_of(shape: Shape) -> Iterator[Point]:
    if isinstance(shape, Rect):
        yield shape.x, shape.y
        yield shape.x + shape.w, shape.y + shape.h
    elif isinstance(shape, Path):
        yield from shape.points
    elif isinstance(shape, Dot):
        yield shape.x, shape.y
    elif isinstance(shape, Ellipse):
        yield shape.cx - shape.rx, shape.cy - shape.ry
        yield shape.cx + shape.rx, shape.cy + shape.ry
    elif isinstance(shape, Lines):
        for p, q in shape.segments:
            yield p
            yield q
    else:
        yield 0.0, 0.0
        yield float(shape.layer.width), float(shape.layer.height)


def _weight(shape: Shape) -> int:
    """How many points a shape counts for against :data:`MAX_ITEM_POINTS`."""
    if isinstance(shape, Path):
        return len(shape.points)
    if isinstance(shape, Lines):
        return 2 * len(shape.segments)
    return 1


def drawable(
    item: dict[str, Any],
    categories: Categories,
    highlight: int | None,
    max_side: int,
    notes: list[str],
    totals: Mapping[str, int] | None = None,
) -> list[Annotation]:
    """Every annotation of ``item`` that can be drawn, in drawing order; notes for the others.
    ``totals``: the masks' counts measured beforehand (see :func:`dlint.rle.valid_totals`)."""
    annotations = item.get("annotations")
    if not isinstance(annotations, list):
        if annotations is not None:
            notes.append("the item's annotations are not a list")
        return []
    indices = list(range(min(len(annotations), MAX_ANNOTATIONS)))
    if highlight is not None and MAX_ANNOTATIONS <= highlight < len(annotations):
        indices.append(highlight)
    if len(annotations) > len(indices):
        notes.append(
            f"{len(annotations) - len(indices)} of its {len(annotations)} annotations are not drawn "
            f"(at most {MAX_ANNOTATIONS} per item)"
        )
    drawn: list[Annotation] = []
    budget = MAX_ITEM_POINTS
    for index in indices:
        ann = annotations[index]
        if not isinstance(ann, dict):
            notes.append(f"annotation {index} is not an object")
            continue
        kind = ann.get("type")
        if not isinstance(kind, str):
            notes.append(f"annotation {index}: it has no type" + (" string" if kind is not None else ""))
            continue
        label_id = _int(ann.get("label_id"))
        color = categories.color(label_id)
        rgb = (int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16))
        problems: list[str] = []
        shapes = _shapes(kind, ann, categories, rgb, max_side, problems, totals)
        where = f"annotation {index} ({_short(kind)})"
        if shapes is None:
            if kind not in ("label", "caption"):
                notes.append(f"{where}: not a type that can be drawn")
            continue
        notes.extend(f"{where}: {problem}" for problem in problems)
        if not shapes:
            continue
        weight = sum(map(_weight, shapes))
        if weight > budget:
            notes.append(f"{where}: not drawn, the item already has {MAX_ITEM_POINTS - budget} points drawn")
            continue
        budget -= weight
        name = categories.name(label_id) if label_id is not None else None
        label = name or (f"label {label_id}" if label_id is not None else kind)
        title = f"{label} ({kind}, id {_short(ann.get('id'))}, annotation {index})"
        z_order = _int(ann.get("z_order")) or 0
        drawn.append(Annotation(index, title, color, z_order, shapes))
    # Higher z_order on top; masks under the outlines at the same z_order; the highlighted one last.
    drawn.sort(key=lambda a: (a.index == highlight, a.z_order, not isinstance(a.shapes[0], Raster), a.index))
    return drawn
