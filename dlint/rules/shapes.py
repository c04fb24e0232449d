"""Rules on the extent of shapes: boxes with a size, polygons with an area."""

from __future__ import annotations

from collections.abc import Iterable
from operator import mul
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Finding, Fix, Severity
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, FixAvailability, Rule, Scope
from dlint.rules.messages import short

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table

#: Twice the area of a polygon counts as zero below this fraction of the size of its shoelace terms
#: (float rounding of collinear vertices leaves a residue far below it; a real sliver does not).
_RELATIVE_ZERO = 1e-12
#: The margin kept beyond it in the column form, for float rounding (4 ulp per term).
_ROUNDING = 4 * 2.0**-52


class NonPositiveBoxSize(Rule):
    """A bounding box has a width or height of zero or less.

    ## What it does
    Checks that the width and height of every `bbox` (`[x, y, width, height]`) are above zero.

    ## Why is this bad?
    Datumaro accepts negative and zero sizes silently: a negative width puts the box to the left of
    `x` with its corners swapped, which most training code and metrics mishandle, and a zero size
    is a box without area. Usually the writer stored `[x1, y1, x2, y2]` corners by mistake.

    ## Example
    ```json
    {"id": 2, "type": "bbox", "label_id": 0, "bbox": [5, 4, -3, 2]}
    ```
    Write `[2, 4, 3, 2]`: the top-left corner, then a positive width and height.

    ## Fix safety
    A negative size is turned into the same rectangle with a positive size; if the writer meant
    corners instead, the box stays wrong: an unsafe fix. A zero size has no fix.
    """

    code = "DL209"
    name = "non-positive-box-size"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: Bbox.__init__",
            "Accepted: negative w gives corners out of order (get_bbox w=-3, area -7.5); zero w gives area "
            "0.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "The inverted corners are passed to CVAT as a rectangle.",
        ),
    )
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"bbox"})
    fix = FixAvailability.UNSAFE

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        bbox: Any = node.get("bbox")
        try:
            width, height = bbox[2], bbox[3]
            if width > 0 and height > 0:
                return ()
            bad = [
                f"{key} {short(value)}" for key, value in (("width", width), ("height", height)) if value <= 0
            ]
        except (TypeError, KeyError, IndexError):
            return ()
        message = (
            f"bbox has {' and '.join(bad)}; a box's width and height must be positive "
            "(Datumaro accepts it silently)"
        )
        return (Finding("/bbox", message, _normalized(bbox)),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        boxes = table.numbers("bbox", "bbox")
        return table.rows("bbox", (boxes.column(2) <= 0) | (boxes.column(3) <= 0))


def _normalized(bbox: list[Any]) -> Fix | None:
    """The same rectangle with a positive width and height, when neither is zero."""
    x, y, width, height = bbox
    if not width or not height:
        return None
    box = [x + min(width, 0), y + min(height, 0), abs(width), abs(height)]
    return Fix("normalize to the same rectangle", Applicability.UNSAFE, (Edit("replace", "/bbox", box),))


class ZeroAreaPolygon(Rule):
    """A polygon of three or more vertices encloses no area.

    ## What it does
    Computes the area of every `polygon` of at least 3 vertices with the shoelace formula and
    reports those whose area is zero: all vertices lie on one line, or are one repeated point.

    ## Why is this bad?
    Datumaro accepts such polygons silently, but they describe no region: a mask rasterised from
    one is empty or a one-pixel line, its COCO `area` is 0, and evaluation code may divide by it.

    ## Example
    ```json
    {"id": 3, "type": "polygon", "label_id": 0, "points": [0, 0, 2, 2, 4, 4]}
    ```
    The three vertices lie on one line.
    """

    code = "DL211"
    name = "zero-area-polygon"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: Polygon.__attrs_post_init__",
            "A collinear polygon is read; area 0.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/components/annotation.py: Polygon",
            "Only the count is checked.",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"polygon"})

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        points = node.get("points")
        if type(points) is not list or len(points) < 6 or len(points) % 2:
            return ()
        try:
            forward = sum(map(mul, points[0::2], points[3::2])) + points[-2] * points[1]
            backward = sum(map(mul, points[2::2], points[1::2])) + points[0] * points[-1]
            if not abs(forward - backward) <= _RELATIVE_ZERO * max(abs(forward), abs(backward), 1.0):
                return ()  # a real area (or an overflow to nan, which is no evidence of a zero area)
        except TypeError:
            return ()
        vertices = set(zip(points[0::2], points[1::2], strict=True))
        count = len(points) // 2
        if len(vertices) == 1:
            x, y = vertices.pop()
            why = f"all {count} vertices are the point ({short(x)}, {short(y)})"
        else:
            why = f"its {count} vertices lie on one line"
        return (Finding("/points", f"polygon has zero area: {why}; it describes no region"),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        import numpy as np

        read = table.numbers("polygon", "points")
        chosen = (read.counts >= 6) & (read.counts % 2 == 0)
        flat = np.zeros(chosen.size, dtype=bool)
        if chosen.all():
            flat = near_zero_areas(read.values, read.counts)
        elif chosen.any():
            flat[chosen] = near_zero_areas(read.values_of(chosen), read.counts[chosen])
        return table.rows("polygon", flat)


def near_zero_areas(values: Any, counts: Any) -> Any:
    """Per polygon (``counts`` even, at least 6, their coordinates back to back in ``values``):
    whether its shoelace area is zero within the rule's tolerance and a margin for rounding."""
    import numpy as np

    vertices = counts // 2
    first = np.zeros(counts.size, dtype=np.int64)  # each polygon's first vertex
    np.cumsum(vertices[:-1], out=first[1:])
    last = first + vertices - 1
    xs, ys = values[0::2], values[1::2]
    # each vertex times its successor in its polygon (the last vertex's successor is the first)
    forward_terms, backward_terms = np.empty_like(xs), np.empty_like(xs)
    np.multiply(xs[:-1], ys[1:], out=forward_terms[:-1])
    np.multiply(xs[1:], ys[:-1], out=backward_terms[:-1])
    forward_terms[last], backward_terms[last] = xs[last] * ys[first], xs[first] * ys[last]
    forward = np.add.reduceat(forward_terms, first)
    backward = np.add.reduceat(backward_terms, first)
    if values.size and values.min() >= 0:  # the usual case: every term is non-negative
        magnitude = forward + backward
    else:
        magnitude = np.add.reduceat(np.abs(forward_terms) + np.abs(backward_terms), first)
    scale = np.maximum(np.maximum(np.abs(forward), np.abs(backward)), 1.0)
    margin = _RELATIVE_ZERO * scale + _ROUNDING * (vertices + 2) * magnitude
    return ~(np.abs(forward - backward) > margin)
