"""Rules on the label ids of annotations: their type, and a label list for them to refer to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Finding, Fix
from dlint.integers import INT_MAX, INT_MIN
from dlint.readers import Claim, Reader, Reading, by_reader
from dlint.rules.base import Context, FixAvailability, Rule, Scope
from dlint.rules.colormap import colormap_entries
from dlint.rules.messages import describe, short
from dlint.rules.points_templates import templates

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table
    from dlint.validation import SchemaFailure


#: What the readers do with a label_id that is a word, an object or an array: int() refuses it.
_WORD = by_reader(
    datumaro=Claim(
        Reading.FAILS,
        "datumaro/components/annotation.py: Shape.label / Label.label",
        "int() refuses it: the annotation is refused (an annotation error).",
    ),
    cvat=Claim(
        Reading.FAILS,
        "CVAT's fork: datumaro/components/annotation.py: Shape.label",
        "int() refuses the word in the fork as well.",
    ),
)


class LabelIdType(Rule):
    """An annotation's `label_id` is not an integer.

    ## What it does
    Checks that `label_id` is an integer (or `null` for no label), written as one: a string, a
    boolean or a float, even `1.0`, is reported.

    ## Why is this bad?
    Datumaro converts `label_id` with `int()` without a word: it truncates floats (`1.7` becomes
    label 1), reads numeric strings (`"1"`) and booleans as numbers, and fails the import on
    anything else (`"car"`). Other tools reading the file are not as lenient.

    ## Example
    ```json
    {"type": "bbox", "label_id": "1", "bbox": [0, 0, 1, 1]}
    ```
    Write `"label_id": 1`.

    ## Fix safety
    Numeric strings (`"1"`) and integral floats (`1.0`) become the integer Datumaro reads them as:
    a safe fix. Other floats and booleans become the integer Datumaro would make of them
    (`1.7` -> 1, `true` -> 1), which may not be what was meant: an unsafe fix.
    """

    code = "DL103"
    name = "label-id-type"
    readers = by_reader(
        datumaro=Claim(
            Reading.CORRUPTS,
            "datumaro/components/annotation.py: Shape.label / Label.label",
            'int() converts it silently (1.7 and true become 1); a word such as "car" is refused.',
        ),
        cvat=Claim(
            Reading.CORRUPTS,
            "CVAT's fork: datumaro/components/annotation.py: Shape.label ; "
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "Same int() conversion in the fork, then CVAT maps the truncated index to a label name.",
        ),
    )
    scope = Scope.ANNOTATION
    claims = (r"/items/\d+/annotations/\d+/label_id",)
    fix = FixAvailability.SAFE

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        label_id = node.get("label_id")
        if type(label_id) is not float:
            return ()
        message = (
            f"label_id {short(label_id)} is written as a float; Datumaro truncates floats silently, "
            f"write the integer {int(label_id)}"
        )
        return (Finding("/label_id", message, _to_int("", label_id)),)

    @classmethod
    def readers_of(cls, failure: SchemaFailure, document: Any) -> Mapping[Reader, Claim] | None:
        value = failure.instance
        if isinstance(value, (dict, list)):
            return _WORD  # int() refuses it: the annotation is refused
        if not isinstance(value, str):
            return None
        try:
            int(value)
        except ValueError:
            return _WORD
        return None

    @classmethod
    def repair(cls, failure: SchemaFailure, document: Any) -> Fix | None:
        value = failure.instance
        if isinstance(value, str):
            try:
                number = int(value)
            except ValueError:
                return None
            return _to_int(failure.pointer, number, Applicability.SAFE)
        if isinstance(value, (bool, float)):
            return _to_int(failure.pointer, value)
        return None

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        value = failure.instance
        if isinstance(value, bool):
            return (
                f"label_id is the boolean {short(value)}, not an integer; "
                f"Datumaro reads it as {int(value)} silently"
            )
        if isinstance(value, float):
            return (
                f"label_id {short(value)} is not an integer; Datumaro truncates it to {int(value)} silently"
            )
        if isinstance(value, str):
            try:
                number = int(value)
            except ValueError:
                return (
                    f"label_id is the string {short(value)}, not an integer; Datumaro fails the import on it"
                )
            return (
                f"label_id is the string {short(value)}, not an integer; Datumaro converts numeric strings "
                f"silently, write the integer {number}"
            )
        return f"label_id must be an integer or null, got {describe(value)}; Datumaro fails the import on it"

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return table.none()  # the decode takes only label ids that are 64-bit integers or null


def _to_int(base: str, value: float | int, applicability: Applicability | None = None) -> Fix | None:
    """Replace a label id by the integer Datumaro reads it as (none beyond 64 bits: not writable)."""
    number = int(value)
    if not INT_MIN <= number <= INT_MAX:
        return None
    if applicability is None:
        exact = isinstance(value, float) and value.is_integer()
        applicability = Applicability.SAFE if exact else Applicability.UNSAFE
    pointer = base if base.endswith("/label_id") else base + "/label_id"
    return Fix(f"write label_id as the integer {number}", applicability, (Edit("replace", pointer, number),))


class MissingLabelCategories(Rule):
    """Label ids are used, but the file defines no labels.

    ## What it does
    Reports, once per file, annotations with a `label_id` (or mask colours and keypoint templates
    for a `label_id`) in a file whose `categories.label` is absent, `{}`, or has an empty `labels`
    list.

    ## Why is this bad?
    Every label id then refers to nothing. Datumaro accepts the file silently (its validator
    reports `MissingLabelCategories`); CVAT cannot map the annotations to any of its labels.
    Usually the categories were dropped by a script that rewrote the file.

    ## Example
    ```json
    {"categories": {},
     "items": [{"id": "a", "annotations": [{"type": "bbox", "label_id": 0, "bbox": [0, 0, 1, 1]}]}]}
    ```
    Restore `categories.label.labels`.
    """

    code = "DL116"
    name = "missing-label-categories"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
            "Imports with no label categories; the label ids are kept.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "No label category raises a KeyError (uncaught, probably HTTP 500).",
        ),
    )
    inherent = True  # a label that does not exist is wrong whoever reads the file
    scope = Scope.ANNOTATION

    def __init__(self) -> None:
        self._count = 0
        self._first = ""

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        if ctx.file.label_count != 0 or node.get("label_id") is None:
            return ()
        if not self._count:
            self._first = f"/items/{ctx.item_index}/annotations/{ctx.annotation_index}"
        self._count += 1
        return ()

    def finish(self, ctx: Context) -> Iterable[Finding]:
        if ctx.file.label_count != 0:
            return ()
        categories = ctx.file.data.get("categories")
        users = []
        if self._count:
            plural = "s use" if self._count > 1 else " uses"
            users.append(f"{self._count} annotation{plural} label ids (the first at {self._first})")
        if any(isinstance(entry, dict) and "label_id" in entry for entry in colormap_entries(categories)):
            users.append("the mask colormap refers to label ids")
        if any("label_id" in template for _, template in templates(categories)):
            users.append("the keypoint templates refer to label ids")
        if not users or not isinstance(categories, dict):
            return ()
        label = categories.get("label")
        labels = label.get("labels") if isinstance(label, dict) else None
        where = "/categories/label/labels" if isinstance(labels, list) else "/categories"
        if where == "/categories" and "label" in categories:
            where = "/categories/label"
        listed = ", ".join(users[:-1]) + " and " + users[-1] if len(users) > 1 else users[0]
        message = f"the file defines no labels, but {listed}; Datumaro accepts this silently"
        return (Finding(where, message),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        if ctx.file.label_count != 0:
            return table.none()
        return table.annotation_rows(table.labels[1])  # every user of a label id counts in its message
