"""Shapes against the image they annotate: their coordinates stay within its width and height."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Finding, Fix, Severity
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, FixAvailability, Rule, Scope
from dlint.rules.geometry import MIN_VERTICES
from dlint.rules.messages import short

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table

#: Flat ``points`` lists of x, y pairs, and the fewest pairs they need to be checked here.
_FLAT = {**MIN_VERTICES, "points": 1}


class GeometryOutsideImage(Rule):
    """A shape has coordinates outside its image.

    ## What it does
    Compares the coordinates of `bbox`, `polygon`, `polyline`, `points`, `ellipse` and `cuboid_2d`
    annotations with their item's `image.size`: every `x` must lie in `[0, width]` and every `y`
    in `[0, height]`. A box is checked by its corners `x, y` and `x + width, y + height`, an
    ellipse by the corners of its bounding box, keypoints without their absent ones (visibility 0).
    Items without a usable image size are skipped, and so are shapes that other rules report as
    malformed (an odd count, too few vertices, a box of non-positive size).

    ## Why is this bad?
    Datumaro accepts such shapes silently. They usually come from coordinates in the wrong unit or
    order (normalised, `[x1, y1, x2, y2]`, swapped axes) or from an image that was resized after
    annotation; training code crops them differently, or fails on them.

    ## Example
    ```json
    {"id": "a", "image": {"path": "a.jpg", "size": [6, 8]},
     "annotations": [{"type": "bbox", "label_id": 0, "bbox": [5, 1, 4, 2]}]}
    ```
    The box reaches `x = 9`, beyond the image's width of 8.

    ## Fix safety
    Clipping moves coordinates to the image border, which changes the shape: an unsafe fix. A box
    entirely outside the image has no fix.
    """

    code = "DL210"
    name = "geometry-outside-image"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations",
            "Coordinates kept (bbox to x=9 on an 8-wide image).",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "No clipping on import.",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"bbox", "polygon", "polyline", "points", "ellipse", "cuboid_2d"})
    fix = FixAvailability.UNSAFE

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        size = ctx.image_size
        if size is None or size[0] <= 0 or size[1] <= 0:
            return ()
        height, width = size
        kind = node.get("type")
        try:
            if kind == "bbox":
                key = "/bbox"
                x, y, w, h = node["bbox"]
                if not (w > 0 and h > 0):
                    return ()
                x0, x1, y0, y1 = x, x + w, y, y + h
            else:
                key = "/points"
                xs, ys = _coordinates(kind, node["points"], node.get("visibility"))
                if not xs:
                    return ()
                x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            if x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height:
                return ()
        except (TypeError, ValueError, KeyError, IndexError):
            return ()
        parts = [
            f"{axis} {direction} {short(value)}"
            for axis, direction, value, out in (
                ("x", "down to", x0, x0 < 0),
                ("x", "up to", x1, x1 > width),
                ("y", "down to", y0, y0 < 0),
                ("y", "up to", y1, y1 > height),
            )
            if out
        ]
        message = (
            f"{'visible keypoints extend' if kind == 'points' else f'{kind} extends'} outside the "
            f"image of size [{height}, {width}] (x in [0, {width}], "
            f"y in [0, {height}]): {', '.join(parts)}; Datumaro accepts it silently"
        )
        return (Finding(key, message, _clipped(node, key, width, height)),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        heights, widths, lows = table.sizes
        boxes = table.numbers("bbox", "bbox")
        owner = table.owners("bbox")
        x, y, w, h = (boxes.column(k) for k in range(4))
        low = lows[owner]
        out = (x < low) | (y < low) | (x + w > widths[owner]) | (y + h > heights[owner])
        found = table.rows("bbox", out)
        for kind in ("polygon", "polyline", "points", "ellipse"):
            found |= table.rows(kind, _outside(table, kind))
        return found


def _clipped(node: dict[str, Any], key: str, width: float, height: float) -> Fix | None:
    """The geometry with every coordinate brought inside the image (None when nothing would remain)."""
    value = node[key[1:]]
    if key == "/bbox":
        x, y, w, h = value
        x0, y0 = min(max(x, 0), width), min(max(y, 0), height)
        x1, y1 = min(max(x + w, 0), width), min(max(y + h, 0), height)
        if x1 <= x0 or y1 <= y0:
            return None
        clipped: Any = [x0, y0, x1 - x0, y1 - y0]
    elif value and type(value[0]) is list:
        clipped = [[min(max(p[0], 0), width), min(max(p[1], 0), height)] for p in value]
    else:
        clipped = [min(max(v, 0), width if i % 2 == 0 else height) for i, v in enumerate(value)]
    return Fix("clip to the image", Applicability.UNSAFE, (Edit("replace", key, clipped),))


def _coordinates(kind: Any, points: Any, visibility: Any) -> tuple[list[Any], list[Any]]:
    """The x and y values of a shape's checked points (both empty when it is malformed)."""
    if kind == "cuboid_2d":
        if type(points) is not list or not points:
            return [], []
        return [p[0] for p in points], [p[1] for p in points]
    if type(points) is not list or len(points) % 2 or len(points) < 2 * _FLAT.get(kind, 2):
        return [], []
    xs, ys = points[0::2], points[1::2]
    if kind == "points" and type(visibility) is list:
        if len(visibility) != len(xs):
            return [], []
        if 0 in visibility:
            xs = [x for x, v in zip(xs, visibility, strict=True) if v != 0]
            ys = [y for y, v in zip(ys, visibility, strict=True) if v != 0]
    return xs, ys


def _outside(table: Table, kind: str) -> Any:
    """Per shape of type ``kind``: whether a coordinate lies outside its item's declared image size
    (keypoints not counted where their visibility says absent). A shape of an odd number of values
    is flagged as it is (the check skips it: a superset)."""
    import numpy as np

    heights, widths, lows = table.sizes
    read = table.numbers(kind, "points")
    values, counts, owners = read.values, read.counts, table.owners(kind)
    if kind == "points":  # an absent keypoint counts as (0, 0): inside any image
        values = np.where(_present(table, read), values, 0.0)
    found = counts % 2 == 1
    chosen = np.flatnonzero(~found & (counts > 0))
    if found.any():  # the others' values back to back, for x and y to alternate
        values = read.values_of(~found, values)
    if not chosen.size:
        return found
    begin = np.zeros(chosen.size, dtype=np.int64)
    np.cumsum(counts[chosen][:-1] // 2, out=begin[1:])
    owner = owners[chosen]
    xs, ys = values[0::2], values[1::2]
    low = lows[owner]
    found[chosen] = (
        (np.minimum.reduceat(xs, begin) < low)
        | (np.minimum.reduceat(ys, begin) < low)
        | (np.maximum.reduceat(xs, begin) > widths[owner])
        | (np.maximum.reduceat(ys, begin) > heights[owner])
    )
    return found


def _present(table: Table, points: Any) -> Any:
    """Per keypoint coordinate: False where a visibility list of the right length says 0 (absent)."""
    import numpy as np

    visibility = table.numbers("points", "visibility")
    usable = table.given("points", "visibility") & (2 * visibility.counts == points.counts)
    present = np.ones(points.values.size, dtype=bool)
    arrays = visibility.array_of
    absent = (visibility.values == 0) & usable[arrays]
    within = np.arange(visibility.values.size) - visibility.starts[arrays]
    x_at = (points.starts[arrays] + 2 * within)[absent]
    present[x_at] = False
    present[x_at + 1] = False
    return present
