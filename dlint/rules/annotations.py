"""Rules on the fields every annotation may have: integer ids, groups and orders, attributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Fix
from dlint.integers import INT_MAX, INT_MIN
from dlint.readers import Claim, Reader, Reading, by_reader
from dlint.rules.base import FixAvailability, Rule, Scope
from dlint.rules.messages import describe

if TYPE_CHECKING:
    from dlint.validation import SchemaFailure

#: What Datumaro reads a ``null`` field as.
_NULL_DEFAULTS = {"id": "0", "group": "0 (no group)", "z_order": "0", "object_id": "-1 (no object)"}


#: What the readers do with an integer field written as a numeric string or a float: int() converts it.
_CONVERTED = by_reader(
    datumaro=Claim(
        Reading.CORRUPTS,
        "datumaro/components/annotation.py: Annotation.id/group/object_id, Shape.z_order",
        'int() converts it silently: "3" becomes 3, 1.5 becomes 1.',
    ),
    cvat=Claim(
        Reading.CORRUPTS,
        "CVAT's fork: datumaro/components/annotation.py: Annotation fields",
        "The fork converts it the same way.",
    ),
)
#: What the readers do with null attributes, or attributes as [name, value] pairs: an object.
_READ_AS_OBJECT = by_reader(
    datumaro=Claim(
        Reading.READS,
        "datumaro/components/annotation.py: Annotation.attributes",
        "null is read as {}, and a list of [name, value] pairs as the object it lists.",
    ),
    cvat=Claim(
        Reading.READS,
        "CVAT's fork: datumaro/components/annotation.py: Annotation.attributes",
        "The fork reads them the same way.",
    ),
)


class NonIntegerField(Rule):
    """An annotation's `id`, `group`, `z_order` or `object_id` is not an integer.

    ## What it does
    Checks that the integer fields every annotation may carry, `id`, `group`, `z_order` and
    `object_id`, hold integers.

    ## Why is this bad?
    Datumaro converts them with `int()`: a numeric string (`"3"`) becomes 3 and a float is
    truncated without a word, while any other value (`"abc"`, a list) fails with a `ValueError` or
    `TypeError`, which drops the annotation or aborts the whole import. Other tools are not as
    lenient as either.

    ## Example
    ```json
    {"id": "abc", "type": "bbox", "label_id": 0, "bbox": [0, 0, 4, 3], "z_order": "1"}
    ```
    Write `"id": 3` and `"z_order": 1`.

    ## Fix safety
    Numeric strings, integral floats and `null` become the integer Datumaro reads them as (`null`:
    the default; for `object_id`, the key is dropped): a safe fix. Other floats are truncated as
    Datumaro does: an unsafe fix. Anything else has no fix.
    """

    code = "DL204"
    name = "non-integer-field"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: Annotation.id/group/object_id, Shape.z_order",
            "A value int() cannot read is refused (an annotation error); a float is truncated.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/annotation.py: Annotation fields",
            "Same conversion in the fork; CVAT then uses group and z_order.",
        ),
    )
    scope = Scope.SCHEMA
    claims = (r"/items/\d+/annotations/\d+/(id|group|z_order|object_id)",)

    @classmethod
    def readers_of(cls, failure: SchemaFailure, document: Any) -> Mapping[Reader, Claim] | None:
        value = failure.instance
        if isinstance(value, bool) or not isinstance(value, (str, float)):
            return None
        try:
            int(float(value)) if isinstance(value, str) else int(value)
        except (ValueError, OverflowError):
            return None
        return _CONVERTED

    fix = FixAvailability.SAFE

    @classmethod
    def repair(cls, failure: SchemaFailure, document: Any) -> Fix | None:
        field, value, pointer = failure.target.rsplit("/", 1)[-1], failure.instance, failure.pointer
        safe = Applicability.SAFE
        if value is None:
            if field == "object_id":
                return Fix("drop the null object_id", safe, (Edit("remove", pointer),))
            return Fix(f"write the default {field} 0", safe, (Edit("replace", pointer, 0),))
        if isinstance(value, str):
            try:
                number = int(value)
            except ValueError:
                return None
            if not INT_MIN <= number <= INT_MAX:
                return None  # beyond 64 bits: it could not be written back
            return Fix(f"write {field} as the integer {number}", safe, (Edit("replace", pointer, number),))
        if isinstance(value, float) and not isinstance(value, bool) and INT_MIN <= value <= INT_MAX:
            exact = safe if value.is_integer() else Applicability.UNSAFE
            return Fix(
                f"write {field} as the integer {int(value)}", exact, (Edit("replace", pointer, int(value)),)
            )
        return None

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        field = failure.target.rsplit("/", 1)[-1]
        value = failure.instance
        found = f"annotation {field} must be an integer, got {describe(value)}"
        if value is None:
            return f"{found}; Datumaro reads it as {_NULL_DEFAULTS.get(field, '0')}"
        if isinstance(value, bool):
            return f"{found}; Datumaro keeps the boolean as it is"
        if isinstance(value, float):
            return f"{found}; Datumaro truncates it to {int(value)} silently"
        if isinstance(value, str):
            try:
                number = int(value)
            except ValueError:
                return (
                    f"{found}; Datumaro fails on it (ValueError): the annotation is dropped or the "
                    "import aborted"
                )
            return f"{found}; Datumaro converts numeric strings silently, write the integer {number}"
        return f"{found}; Datumaro fails on it (TypeError): the annotation is dropped or the import aborted"


class AttributesNotObject(Rule):
    """An annotation's `attributes` is not an object.

    ## What it does
    Checks that `attributes`, where present, is a JSON object of attribute names and values.

    ## Why is this bad?
    Datumaro converts it with `dict()`: a list of names or a string fails with a `ValueError`, a
    number with a `TypeError`, and the annotation is dropped or the whole import aborted. `null`
    and an empty list are read as `{}` silently, but no writer produces them.

    ## Example
    ```json
    {"id": 1, "type": "label", "label_id": 0, "attributes": ["occluded"]}
    ```
    Write `"attributes": {"occluded": true}`.
    """

    code = "DL205"
    name = "attributes-not-object"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: Annotation.attributes",
            "A list, string or number fails (ValueError/TypeError, annotation error).",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/annotation.py: Annotation.attributes",
            "Same in the fork.",
        ),
    )
    scope = Scope.SCHEMA
    claims = (r"/items/\d+/annotations/\d+/attributes",)

    @classmethod
    def readers_of(cls, failure: SchemaFailure, document: Any) -> Mapping[Reader, Claim] | None:
        value = failure.instance
        pairs = isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value)
        return _READ_AS_OBJECT if value is None or pairs else None

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        value = failure.instance
        found = f"annotation attributes must be an object, got {describe(value)}"
        if value is None or value == []:
            return f"{found}; Datumaro reads it as {{}}, write {{}}"
        if isinstance(value, list) and all(isinstance(v, list) and len(v) == 2 for v in value):
            return f"{found}; Datumaro reads a list of [name, value] pairs as an object, write the object"
        error = "ValueError" if isinstance(value, (list, str)) else "TypeError"
        return f"{found}; Datumaro fails on it ({error}): the annotation is dropped or the import aborted"
