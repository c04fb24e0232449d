"""Rules on the normal form: what Datumaro's writer always emits, and closed polygons it never writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Finding, Fix, Severity
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, FixAvailability, Rule, Scope

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table

#: Types the writer gives a z_order.
Z_ORDERED = frozenset({"mask", "polygon", "polyline", "points", "bbox", "ellipse", "cuboid_2d"})
_DEFAULTS: tuple[tuple[str, Any], ...] = (("id", 0), ("attributes", {}), ("group", 0))


class ClosedPolygon(Rule):
    """A polygon repeats its first vertex at the end.

    ## What it does
    Reports polygons whose last vertex equals the first one (the polygon is closed explicitly).

    ## Why is this bad?
    Polygons in this format are closed implicitly. The repeated vertex adds an edge of length zero,
    counts as one more vertex, and differs from what Datumaro and CVAT write for the same shape.

    ## Example
    ```json
    {"type": "polygon", "label_id": 0, "points": [0, 0, 4, 0, 4, 3, 0, 0]}
    ```

    ## Fix safety
    Removing the repeated vertex leaves the same closed shape: a safe fix.
    """

    code = "DL213"
    name = "closed-polygon"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: Polygon",
            "The repeated vertex is kept.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "Points are passed as they are.",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"polygon"})
    fix = FixAvailability.SAFE

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        points = node.get("points")
        if not isinstance(points, list) or len(points) < 8 or len(points) % 2 or points[-2:] != points[:2]:
            return ()
        last = len(points) - 1
        edits = (Edit("remove", f"/points/{last}"), Edit("remove", f"/points/{last - 1}"))
        fix = Fix("remove the repeated closing vertex", Applicability.SAFE, edits)
        return (
            Finding(
                "/points", "the polygon repeats its first vertex at the end; polygons close implicitly", fix
            ),
        )

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        import numpy as np

        read = table.numbers("polygon", "points")
        chosen = np.flatnonzero((read.counts >= 8) & (read.counts % 2 == 0))
        begin, end = read.starts[chosen], read.starts[chosen] + read.counts[chosen]
        values = read.values
        closed = np.zeros(read.counts.size, dtype=bool)
        closed[chosen] = (values[end - 2] == values[begin]) & (values[end - 1] == values[begin + 1])
        return table.rows("polygon", closed)


class MissingDefaultFields(Rule):
    """An annotation lacks a field that Datumaro's writer always emits.

    ## What it does
    Reports annotations without `id`, `attributes`, `group`, or (for shapes and masks) `z_order`.
    Datumaro reads a missing field as its default (`0`, `{}`, `0`, `0`).

    ## Why is this bad?
    Nothing breaks, but the file is not in the normal form: tools that read the fields directly
    fail, and a round trip through Datumaro adds them, which makes noisy diffs.

    ## Example
    ```json
    {"type": "bbox", "label_id": 0, "bbox": [0, 0, 4, 3]}
    ```

    ## Fix safety
    The fix writes the defaults Datumaro reads anyway: a safe fix.
    """

    code = "DL214"
    name = "missing-default-fields"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: Annotation defaults",
            "Missing id/attributes/group/z_order are read as 0/{}/0/0.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/components/annotation.py: Annotation defaults",
            "Same defaults.",
        ),
    )
    severity = Severity.INFO
    scope = Scope.ANNOTATION
    fix = FixAvailability.SAFE

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        if "id" in node and "attributes" in node and "group" in node and ("z_order" in node or not _z(node)):
            return ()
        missing = [(key, value) for key, value in _DEFAULTS if key not in node]
        if _z(node) and "z_order" not in node:
            missing.append(("z_order", 0))
        edits = tuple(Edit("add", f"/{key}", value) for key, value in missing)
        names = ", ".join(key for key, _ in missing)
        fix = Fix(f"add the default {names}", Applicability.SAFE, edits)
        return (Finding("", f"annotation without {names}, which Datumaro's writer always emits", fix),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return table.none()  # the decode requires id, attributes, group and, where it belongs, z_order


def _z(node: dict[str, Any]) -> bool:
    return node.get("type") in Z_ORDERED
