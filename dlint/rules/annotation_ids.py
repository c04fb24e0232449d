"""Annotation ids: unique within an item, except for the parts of one object."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Finding, Fix, Severity
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, FixAvailability, Rule, Scope
from dlint.rules.messages import short

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table


class DuplicateAnnotationId(Rule):
    """Two annotations of one item have the same non-zero `id` and are not parts of one object.

    ## What it does
    Within each item, reports every annotation whose integer `id` (other than 0) was already used by
    an earlier annotation, unless both share the same non-zero `group`. Datumaro writes id 0 for
    annotations without an id, and gives all the parts of one COCO instance (its box, polygons and
    mask, grouped together) the instance's id, so neither is reported.

    ## Why is this bad?
    Datumaro accepts repeated ids silently, but tools that key annotations by id (merging, tracking,
    review comments, CVAT's import of tracks) silently overwrite one annotation with the other.

    ## Example
    ```json
    [{"id": 5, "type": "bbox", "label_id": 0, "bbox": [0, 0, 2, 2]},
     {"id": 5, "type": "bbox", "label_id": 1, "bbox": [4, 4, 2, 2]}]
    ```
    Give the second box another id.

    ## Fix safety
    The repeats get new ids above the item's highest; anything that refers to the old id (a track,
    a review note) is not updated: an unsafe fix.
    """

    code = "DL212"
    name = "duplicate-annotation-id"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: Annotation.id",
            "Both ids are kept.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "CVAT ignores the Datumaro annotation id; tracks use the track_id attribute.",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.ITEM
    fix = FixAvailability.UNSAFE

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        annotations = node.get("annotations")
        if type(annotations) is not list or len(annotations) < 2:
            return ()
        seen: dict[int, int] = {}
        findings: list[Finding] = []
        top = 0
        for j, ann in enumerate(annotations):
            if type(ann) is not dict:
                continue
            ann_id = ann.get("id")
            if ann_id == 0 or type(ann_id) is not int:
                continue
            first = seen.setdefault(ann_id, j)
            if first == j:
                continue
            group = ann.get("group")
            if group and type(group) is int and annotations[first].get("group") == group:
                continue  # parts of one object share its id
            pointer = f"/annotations/{j}/id"
            top = max(top, *(_ids(annotations))) if not findings else top
            fresh = top = top + 1
            renumber = Fix(
                f"renumber it to {fresh}", Applicability.UNSAFE, (Edit("replace", pointer, fresh),)
            )
            message = f"annotation id {short(ann_id)} is already used by annotation {first} of this item"
            findings.append(Finding(pointer, message, renumber))
        return findings

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        import numpy as np

        ids = np.fromiter(
            map(attrgetter("id"), table.annotations), dtype=np.int64, count=len(table.annotations)
        )
        owner = table.owner
        order = np.lexsort((ids, owner))
        ids, owner = ids[order], owner[order]
        same = (owner[1:] == owner[:-1]) & (ids[1:] == ids[:-1]) & (ids[1:] != 0)
        return table.item_rows(owner[1:][same])


def _ids(annotations: list[Any]) -> list[int]:
    return [a["id"] for a in annotations if type(a) is dict and type(a.get("id")) is int]
