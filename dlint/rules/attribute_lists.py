"""The attribute declarations of `categories.label`: lists of names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Rule, Scope
from dlint.rules.categories import label_entries, title
from dlint.rules.messages import describe, short

if TYPE_CHECKING:
    from dlint.validation import SchemaFailure


class InvalidAttributeList(Rule):
    """An attribute list of `categories.label` is not a list of names.

    ## What it does
    Checks that `categories.label.attributes` and every `labels[].attributes` is a list of strings
    (attribute names).

    ## Why is this bad?
    Datumaro turns what it is given into a set without checking it: the string `"make"` becomes the
    set of its characters `m`, `a`, `k`, `e`, so the attribute `make` is no longer declared, silently.
    A name that is not a string can never match an annotation attribute.

    ## Example
    ```json
    {"name": "car", "parent": "", "attributes": "make"}
    ```
    Write `"attributes": ["make"]`.
    """

    code = "DL110"
    name = "invalid-attribute-list"
    readers = by_reader(
        datumaro=Claim(
            Reading.CORRUPTS,
            "datumaro/components/annotation.py: LabelCategories.Category.attributes",
            "\"make\" becomes {'m','a','k','e'}.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: InstanceLabelData._import_attribute",
            "CVAT never uses the file's category attribute lists.",
        ),
    )
    claims = (
        r"/categories/label/attributes(?:/\d+)?",
        r"/categories/label/labels/\d+/attributes(?:/\d+)?",
    )
    scope = Scope.SCHEMA

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        value = failure.instance
        tokens = failure.pointer.split("/")
        if tokens[-1] != "attributes":
            return (
                f"attribute names are strings, got {describe(value)}, which no annotation attribute can match"
            )
        if tokens[3] == "attributes":
            where = "categories.label.attributes"
        else:
            index, labels = int(tokens[4]), label_entries(_categories(document))
            where = (
                f"labels[{index}].attributes ({title(labels[index] if index < len(labels) else None, index)})"
            )
        if isinstance(value, str):
            letters = ", ".join(dict.fromkeys(value[:20])) + (", …" if len(value) > 20 else "")
            return (
                f"{where} is the string {short(value)}, not a list of names: Datumaro reads the string "
                f"{short(value)} as the set of its characters {letters}"
            )
        return f"{where} must be a list of attribute names, got {describe(value)}"


def _categories(document: Any) -> Any:
    return document.get("categories") if isinstance(document, dict) else None
