"""Rules on flat coordinate lists: polygons, polylines and keypoints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Finding, Fix
from dlint.readers import Claim, Reader, Reading, by_reader
from dlint.rules.base import Context, FixAvailability, Rule, Scope, is_int, remove_annotation
from dlint.rules.messages import short

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table

#: The fewest vertices a shape needs to mean anything.
MIN_VERTICES = {"polygon": 3, "polyline": 2}
_VISIBILITY = frozenset({0, 1, 2})


#: What mainline Datumaro does with the points of a polyline: any list is taken as written.
_POLYLINE = Claim(
    Reading.READS,
    "datumaro/components/annotation.py: PolyLine",
    "A polyline's points are not checked: any list is kept as written.",
)


def polyline_readers(kind: str, readers: Mapping[Reader, Claim]) -> Mapping[Reader, Claim] | None:
    """The readers of a finding on a shape's points: for a polyline, mainline Datumaro reads it."""
    if kind != "polyline":
        return None
    stated = {reader.value: claim for reader, claim in readers.items()}
    return by_reader(**{**stated, "datumaro": _POLYLINE})


class OddCoordinateCount(Rule):
    """A polygon, polyline or points annotation has an odd number of coordinates.

    ## What it does
    Checks that the flat `points` list of `polygon`, `polyline` and `points` annotations holds
    `x, y` pairs, that is an even number of values.

    ## Why is this bad?
    One coordinate has lost its partner: the shape cannot be drawn as written. Datumaro drops or
    refuses polygons and keypoints with an odd count, but reads polylines silently with the last
    value ignored.

    ## Example
    ```json
    {"type": "polygon", "label_id": 0, "points": [0, 0, 4, 0, 4, 3, 0]}
    ```
    Seven values: one `y` is missing.

    ## Fix safety
    Dropping the last, unpaired value is what Datumaro does for polylines, but which value lost its
    partner is unknown: an unsafe fix.
    """

    code = "DL201"
    name = "odd-coordinate-count"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: Polygon.__attrs_post_init__, Points.__attrs_post_init__",
            "A polygon or points with an odd count is refused (an annotation error).",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/annotation.py: Polygon.__attrs_post_init__, "
            "Points.__attrs_post_init__",
            "Same checks in the fork.",
        ),
    )
    inherent = True  # an x without its y is no point, whoever reads it
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"polygon", "polyline", "points"})
    fix = FixAvailability.UNSAFE

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        points = node.get("points")
        if not isinstance(points, list) or len(points) % 2 == 0:
            return ()
        kind = node["type"]
        message = f"{kind} has {len(points)} coordinates; coordinates come in x, y pairs"
        drop = Edit("remove", f"/points/{len(points) - 1}")
        fix = Fix("drop the unpaired last value", Applicability.UNSAFE, (drop,))
        return (Finding("/points", message, fix, polyline_readers(kind, self.readers)),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        found = table.none()
        for kind in cls.annotation_types:
            found |= table.rows(kind, table.numbers(kind, "points").counts % 2 == 1)
        return found


class TooFewVertices(Rule):
    """A polygon has fewer than 3 vertices, or a polyline fewer than 2.

    ## What it does
    Counts the vertices (`x, y` pairs) of `polygon` and `polyline` annotations.

    ## Why is this bad?
    A polygon of one or two vertices has no area and a polyline of one vertex has no length.
    Datumaro refuses such polygons (`Wrong polygon points`) but accepts such polylines silently,
    and training code that builds masks or lengths from them fails or yields empty targets.

    ## Example
    ```json
    {"type": "polygon", "label_id": 0, "points": [0, 0, 4, 0]}
    ```
    Two vertices do not make a polygon.

    ## Fix safety
    The annotation cannot be repaired; the fix removes it, which loses it: an unsafe fix.
    """

    code = "DL202"
    name = "too-few-vertices"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: Polygon.__attrs_post_init__",
            "A polygon of fewer than 3 vertices is refused (Wrong polygon points).",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/annotation.py: Polygon.__attrs_post_init__",
            "Same check in the fork.",
        ),
    )
    inherent = True  # too few vertices make no shape, whoever reads it
    scope = Scope.ANNOTATION
    annotation_types = frozenset(MIN_VERTICES)
    fix = FixAvailability.UNSAFE

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        points = node.get("points")
        if not isinstance(points, list) or len(points) % 2:
            return ()
        kind = node["type"]
        need, have = MIN_VERTICES[kind], len(points) // 2
        if have >= need:
            return ()
        message = f"{kind} has {have} {'vertex' if have == 1 else 'vertices'}; it needs at least {need}"
        return (Finding("/points", message, remove_annotation(kind), polyline_readers(kind, self.readers)),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        found = table.none()
        for kind, need in MIN_VERTICES.items():
            counts = table.numbers(kind, "points").counts
            found |= table.rows(kind, counts < 2 * need)
        return found


class VisibilityMismatch(Rule):
    """Keypoint `visibility` does not have one value per point, or holds values other than 0, 1, 2.

    ## What it does
    For `points` annotations, checks that `visibility` has exactly one entry per `x, y` pair and
    that every entry is 0 (absent), 1 (hidden) or 2 (visible), as in COCO keypoints.

    ## Why is this bad?
    Datumaro refuses the annotation with a bare `AssertionError` or a `ValueError` and no location;
    a keypoint's visibility decides whether it counts in training and evaluation.

    ## Example
    ```json
    {"type": "points", "label_id": 0, "points": [1, 1, 2, 2, 3, 3], "visibility": [2, 2]}
    ```
    Three points, two visibility values.
    """

    code = "DL203"
    name = "visibility-mismatch"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: Points._visibility_validator",
            "Length mismatch gives a bare AssertionError; value 7 gives a ValueError.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/annotation.py: Points._visibility_validator",
            "Identical validator in the fork.",
        ),
    )
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"points"})

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        visibility, points = node.get("visibility"), node.get("points")
        if not isinstance(visibility, list) or not isinstance(points, list) or len(points) % 2:
            return ()
        if len(visibility) != len(points) // 2:
            return (
                Finding(
                    "/visibility",
                    f"visibility has {len(visibility)} values for {len(points) // 2} points",
                ),
            )
        if _VISIBILITY.issuperset(visibility):  # true, false and 1.0 count as 1 here, as in Datumaro
            return ()
        index, value = next((i, v) for i, v in enumerate(visibility) if not _is_visibility(v))
        return (
            Finding(
                f"/visibility/{index}",
                f"visibility value {short(value)} is not 0 (absent), 1 (hidden) or 2 (visible)",
            ),
        )

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        visibility, points = table.numbers("points", "visibility"), table.numbers("points", "points")
        valid = (visibility.values == 0) | (visibility.values == 1) | (visibility.values == 2)
        bad = (visibility.counts != points.counts // 2) | visibility.any_per(~valid)
        return table.rows("points", table.given("points", "visibility") & bad)


def _is_visibility(value: object) -> bool:
    return is_int(value) and value in (0, 1, 2)
