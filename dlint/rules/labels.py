"""Rules on label references from annotations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, FixAvailability, Rule, Scope, is_int, remove_annotation

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table


def out_of_range(label_id: Any, count: int | None) -> bool:
    """Whether an integer ``label_id`` is not an index of ``count`` labels (never when there are none:
    missing label categories are reported once, by missing-label-categories)."""
    if not count or not is_int(label_id):
        return False
    return not 0 <= label_id < count


def range_message(what: str, label_id: Any, count: int) -> str:
    plural = "s" if count > 1 else ""
    return f"{what} {label_id} is out of range: the file defines {count} label{plural} (0..{count - 1})"


class LabelIdOutOfRange(Rule):
    """`label_id` does not name a label of `categories.label.labels`.

    ## What it does
    Checks that every annotation's `label_id` is an index into `categories.label.labels`
    (0-based: from 0 to the number of labels minus one). A file that defines no labels at all is
    reported once, by missing-label-categories (DL116), instead.

    ## Why is this bad?
    Datumaro accepts an out-of-range `label_id` (99, -1) silently; the annotation then refers to no
    label, and tools that map ids to names crash or, worse, mislabel it. CVAT rejects the import.

    ## Example
    ```json
    {"categories": {"label": {"labels": [{"name": "car", "parent": ""}]}},
     "items": [{"id": "a", "annotations": [{"type": "bbox", "label_id": 3, "bbox": [0, 0, 1, 1]}]}]}
    ```
    Only `label_id` 0 exists here.
    """

    code = "DL101"
    name = "label-id-out-of-range"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations; "
            "datumaro/components/annotation.py: Shape.label",
            "99 and -1 are kept as label 99 / -1 without a check.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "An id beyond the labels is refused (can't import annotation); -1 takes the last label.",
        ),
    )
    inherent = True  # a label that does not exist is wrong whoever reads the file
    scope = Scope.ANNOTATION

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        label_id = node.get("label_id")
        count = ctx.file.label_count
        if label_id is None or not out_of_range(label_id, count):
            return ()  # no labels at all (count 0) is reported once, by missing-label-categories
        return (Finding("/label_id", range_message("label_id", label_id, count or 0)),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        values, used = table.labels
        count = ctx.file.label_count
        if count:
            used = used & ((values < 0) | (values >= count))
        return table.annotation_rows(used)


class LabelWithoutLabelId(Rule):
    """A `label` annotation has no `label_id`.

    ## What it does
    Checks that annotations of type `label` (image-level tags) carry a `label_id`.

    ## Why is this bad?
    A tag without a label means nothing. Datumaro fails on it with a `TypeError` (fatal unless the
    import skips bad annotations), and CVAT refuses it with "annotation has no label".

    ## Example
    ```json
    {"id": 1, "type": "label", "attributes": {}, "group": 0, "label_id": null}
    ```
    Set `label_id` to the index of the label, or remove the annotation.

    ## Fix safety
    Which label was meant is unknown; the fix removes the tag, which loses it: an unsafe fix.
    """

    code = "DL102"
    name = "label-without-label-id"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: Label.label ; "
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations",
            "int(None) TypeError: the annotation error aborts the import (a tolerant policy drops the tag).",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/annotation.py: Label.label ; "
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "Fork raises the same TypeError; under a tolerant policy CVAT would still refuse it with "
            "'annotation has no label'.",
        ),
    )
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"label"})
    fix = FixAvailability.UNSAFE

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        if node.get("label_id") is not None:
            return ()
        where = "/label_id" if "label_id" in node else ""
        message = "label annotation without a label: label_id is missing or null"
        return (Finding(where, message, remove_annotation("label")),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        _, used = table.labels
        return table.rows("label", ~used[table.positions("label")])
