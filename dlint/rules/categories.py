"""Rules on the label list of `categories.label`: the names of labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dlint.diagnostics import Finding
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope


def label_entries(categories: Any) -> list[Any]:
    """The entries of ``categories.label.labels`` (empty when there is no such list)."""
    label = categories.get("label") if isinstance(categories, dict) else None
    labels = label.get("labels") if isinstance(label, dict) else None
    return labels if isinstance(labels, list) else []


def first_indices(labels: list[Any]) -> dict[str, int]:
    """Each label name and the index of the first label that bears it."""
    indices: dict[str, int] = {}
    for i, entry in enumerate(labels):
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str):
            indices.setdefault(name, i)
    return indices


def title(entry: Any, index: int) -> str:
    """How messages name a label: ``label "car"``, or ``label 3`` when it has no usable name."""
    name = entry.get("name") if isinstance(entry, dict) else None
    return f'label "{name}"' if isinstance(name, str) and name else f"label {index}"


class EmptyLabelName(Rule):
    """A label has an empty name.

    ## What it does
    Checks that every entry of `categories.label.labels` has a non-empty `name`.

    ## Why is this bad?
    Datumaro refuses the whole dataset on an empty label name (`AssertionError`, fatal whatever the
    import's error policy), and a nameless label cannot be shown or matched by name anywhere.

    ## Example
    ```json
    {"labels": [{"name": "car", "parent": ""}, {"name": "", "parent": ""}]}
    ```
    Name the label, or remove it (and renumber the `label_id`s after it).
    """

    code = "DL104"
    name = "empty-label-name"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: LabelCategories.add ; "
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
            "AssertionError outside the error policy: the whole import fails.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/annotation.py: LabelCategories.add",
            "Fatal in the fork too.",
        ),
    )
    scope = Scope.CATEGORIES

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        return [
            Finding(f"/label/labels/{i}/name", f"label {i} has an empty name; Datumaro refuses the dataset")
            for i, entry in enumerate(label_entries(node))
            if isinstance(entry, dict) and entry.get("name") == ""
        ]


class DuplicateLabelName(Rule):
    """Two labels have the same name.

    ## What it does
    Checks that the names of `categories.label.labels` are unique, and reports every repeat.

    ## Why is this bad?
    Labels are matched by name (label groups, parents, CVAT's import), so a repeated name is
    ambiguous. Datumaro refuses the whole dataset on it (`AssertionError: <name>`, fatal).

    ## Example
    ```json
    {"labels": [{"name": "car", "parent": ""}, {"name": "car", "parent": ""}]}
    ```
    Rename or merge the second `car` (and its `label_id`s).
    """

    code = "DL105"
    name = "duplicate-label-name"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: LabelCategories.add",
            "AssertionError: <name>, fatal.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/annotation.py: LabelCategories.add",
            "The fork refuses a name repeated under the same parent.",
        ),
    )
    scope = Scope.CATEGORIES

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        labels = label_entries(node)
        first = first_indices(labels)
        found = []
        for i, entry in enumerate(labels):
            name = entry.get("name") if isinstance(entry, dict) else None
            if isinstance(name, str) and name and first[name] != i:
                message = f'label name "{name}" is already used by label {first[name]}'
                message += "; Datumaro refuses the dataset"
                found.append(Finding(f"/label/labels/{i}/name", message))
        return found
