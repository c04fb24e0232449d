"""CVAT compatibility: what CVAT's importer needs beyond what Datumaro reads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding, Severity
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope, is_int
from dlint.rules.messages import describe

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table


class CvatFrameNotInteger(Rule):
    """An item's `attr.frame` is not a non-negative integer.

    ## What it does
    Checks `attr.frame`, which CVAT writes on every item it exports, where it is present.

    ## Why is this bad?
    CVAT matches imported items to task frames by name and falls back on `int(attr.frame)`: a
    non-numeric frame fails the import ("Could not match item id"), a wrong one attaches the
    annotations to another frame.

    ## Example
    ```json
    {"id": "frame_000010", "attr": {"frame": "ten"}, "annotations": []}
    ```
    """

    code = "DL901"
    name = "cvat-frame-not-integer"
    severity = Severity.WARNING  # an error where CVAT reads the file (see the readers)
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._parse_item",
            "Item attributes are free-form; 'ten' is kept.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "cvat/apps/dataset_manager/bindings.py: match_dm_item",
            "When the id matches no task frame name: 'ten' or -1 give 'Could not match item id'; 3.5 -> "
            "frame 3 (corrupts).",
        ),
    )
    scope = Scope.ITEM

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        attr = node.get("attr")
        if not isinstance(attr, dict) or "frame" not in attr:
            return ()
        frame = attr["frame"]
        if is_int(frame) and frame >= 0:
            return ()
        return (Finding("/attr/frame", f"attr.frame must be a non-negative integer, got {describe(frame)}"),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        frames = ((i, attr.get("frame", 0)) for i, attr in enumerate(table.attrs) if type(attr) is dict)
        return table.item_rows([i for i, frame in frames if type(frame) is not int or frame < 0])


class SkeletonPointsMismatch(Rule):
    """A skeleton's points do not match its `points_attributes` or its template.

    ## What it does
    For CVAT's `skeleton` annotations, checks that `points` holds `x, y, visibility` triplets, one
    per entry of `points_attributes`, and one per point name of the skeleton's template in
    `categories.points` (the entry whose `label_id` is the skeleton's label).

    ## Why is this bad?
    CVAT's reader refuses a skeleton whose counts disagree (`InvalidAnnotationError`); a point
    missing from the middle shifts every later point onto the wrong joint.

    ## Example
    ```json
    {"type": "skeleton", "label_id": 2, "points": [1, 1, 2, 5, 5, 2], "points_attributes": [{}]}
    ```
    Two triplets, one attributes object.
    """

    code = "DL902"
    name = "skeleton-points-mismatch"
    readers = by_reader(
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: "
            "JsonReader._load_skeleton_elements_annotations",
            "InvalidAnnotationError when len%3 != 0 or the triplets do not match points_attributes.",
        ),
    )
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"skeleton"})

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        points, attributes = node.get("points"), node.get("points_attributes")
        if not isinstance(points, list):
            return ()
        if len(points) % 3:
            return (
                Finding(
                    "/points", f"skeleton has {len(points)} values; points come in x, y, visibility triplets"
                ),
            )
        count = len(points) // 3
        if isinstance(attributes, list) and len(attributes) != count:
            message = f"{len(attributes)} points_attributes for {count} points"
            return (Finding("/points_attributes", message),)
        names = _template(ctx.file.data, node.get("label_id"))
        if names is not None and len(names) != count:
            return (
                Finding(
                    "/points", f"skeleton has {count} points, its template in categories.points {len(names)}"
                ),
            )
        return ()

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return table.none()  # the decode takes no skeleton


def _template(data: dict[str, Any], label_id: Any) -> list[Any] | None:
    categories = data.get("categories")
    points = categories.get("points") if isinstance(categories, dict) else None
    items = points.get("items") if isinstance(points, dict) else None
    for entry in items if isinstance(items, list) else ():
        if (
            isinstance(entry, dict)
            and entry.get("label_id") == label_id
            and isinstance(entry.get("labels"), list)
        ):
            return list(entry["labels"])
    return None


class CvatShapeWithoutLabel(Rule):
    """A shape has no label, which CVAT refuses on import.

    ## What it does
    Reports annotations other than captions whose `label_id` is missing or null. Datumaro allows
    label-less shapes; CVAT does not.

    ## Why is this bad?
    CVAT's import stops with "annotation has no label" for the whole upload, so a dataset meant
    for CVAT fails to load; for training, a shape without a class is usually an annotation error.

    ## Example
    ```json
    {"id": 3, "type": "polygon", "label_id": null, "points": [0, 0, 4, 0, 4, 3]}
    ```
    """

    code = "DL903"
    name = "cvat-shape-without-label"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: Shape.label",
            "A polygon with label_id null is read with label None.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "CvatImportError, so the upload is refused (HTTP 400).",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.ANNOTATION
    annotation_types = frozenset(
        {"bbox", "polygon", "polyline", "points", "mask", "ellipse", "cuboid_2d", "cuboid_3d", "skeleton"}
    )

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        if node.get("label_id") is not None:
            return ()
        where = "/label_id" if "label_id" in node else ""
        return (Finding(where, f"{node['type']} without a label: CVAT refuses it on import"),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        _, used = table.labels
        found = table.none()
        for kind in cls.annotation_types:
            found |= table.rows(kind, ~used[table.positions(kind)])
        return found
