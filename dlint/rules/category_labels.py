"""Label ids inside the categories: the mask colormap and the keypoint templates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dlint.diagnostics import Finding
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope
from dlint.rules.colormap import colormap_entries
from dlint.rules.labels import out_of_range, range_message
from dlint.rules.points_templates import templates


class ColormapLabelOutOfRange(Rule):
    """A colormap entry's `label_id` does not name a label.

    ## What it does
    Checks that every `label_id` of `categories.mask.colormap` is an index into
    `categories.label.labels` (0-based). A file without labels is reported once, by
    missing-label-categories (DL116), instead.

    ## Why is this bad?
    Datumaro accepts it silently. The colour then belongs to no label, while the label it was meant
    for (often after labels were deleted or reordered) gets no colour or another label's colour when
    masks are painted.

    ## Example
    ```json
    {"mask": {"colormap": [{"label_id": 3, "r": 255, "g": 0, "b": 0}]}}
    ```
    With three labels, only `label_id` 0 to 2 exist.
    """

    code = "DL111"
    name = "colormap-label-out-of-range"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
            "Kept as written ({7: ...}); no range check.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "CVAT ignores mask categories (colours come from the task).",
        ),
    )
    scope = Scope.CATEGORIES

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        count = ctx.file.label_count
        found = []
        for i, entry in enumerate(colormap_entries(node)):
            label_id = entry.get("label_id") if isinstance(entry, dict) else None
            if count and out_of_range(label_id, count):
                message = (
                    range_message("colormap label_id", label_id, count) + "; Datumaro accepts it silently"
                )
                found.append(Finding(f"/mask/colormap/{i}/label_id", message))
        return found


class PointsLabelOutOfRange(Rule):
    """A keypoint template's `label_id` does not name a label.

    ## What it does
    Checks that the `label_id` of every template of `categories.points.items` is an index into
    `categories.label.labels` (0-based). A file without labels is reported once, by
    missing-label-categories (DL116), instead.

    ## Why is this bad?
    A template describes the points of the `points` (or CVAT `skeleton`) annotations of one label.
    Datumaro accepts an out-of-range `label_id` silently; the template then applies to nothing, and
    the annotations of the label it was meant for have no point names and no joints.

    ## Example
    ```json
    {"points": {"items": [{"label_id": 7, "labels": ["head", "hand"], "joints": [[0, 1]]}]}}
    ```
    With three labels, only `label_id` 0 to 2 exist.
    """

    code = "DL113"
    name = "points-label-out-of-range"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
            "The template is stored under the unknown label_id.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: "
            "JsonReader._load_skeleton_elements_annotations",
            "An orphan template is unused.",
        ),
    )
    scope = Scope.CATEGORIES

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        count = ctx.file.label_count
        found = []
        for i, template in templates(node):
            label_id = template.get("label_id")
            if count and out_of_range(label_id, count):
                message = range_message("points template label_id", label_id, count)
                found.append(
                    Finding(f"/points/items/{i}/label_id", message + "; Datumaro accepts it silently")
                )
        return found
