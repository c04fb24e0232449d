"""Rules on the label hierarchy: the `parent` of each label of `categories.label.labels`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dlint.diagnostics import Finding
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope
from dlint.rules.categories import first_indices, label_entries, title


class UndefinedParent(Rule):
    """A label's `parent` names no label.

    ## What it does
    Checks that a non-empty `parent` of a label is the name of a label of the same list (`""` means
    no parent).

    ## Why is this bad?
    Datumaro accepts an undefined parent silently, so the hierarchy is broken without notice: a
    misspelt parent, or a parent label deleted without its children. CVAT skeletons rely on it: the
    points of a skeleton are the child labels of the skeleton label.

    ## Example
    ```json
    {"labels": [{"name": "car", "parent": "vehicel"}, {"name": "vehicle", "parent": ""}]}
    ```
    `vehicel` is not a label.
    """

    code = "DL106"
    name = "undefined-parent"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
            "The parent string is kept as written.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/components/annotation.py: LabelCategories.find; CVAT's fork: "
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_skeleton_elements_annotations",
            "Top-level labels are matched by name only.",
        ),
    )
    scope = Scope.CATEGORIES

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        labels = label_entries(node)
        names = first_indices(labels)
        found = []
        for i, entry in enumerate(labels):
            parent = entry.get("parent") if isinstance(entry, dict) else None
            if isinstance(parent, str) and parent and parent not in names:
                message = (
                    f'parent "{parent}" of {title(entry, i)} names no label; Datumaro accepts it silently'
                )
                found.append(Finding(f"/label/labels/{i}/parent", message))
        return found


class ParentCycle(Rule):
    """Following the `parent` of labels leads back to the same label.

    ## What it does
    Follows the `parent` links of `categories.label.labels` and reports every cycle once, at the
    `parent` of the cycle's label with the lowest index. A label that is its own parent is a cycle.

    ## Why is this bad?
    A hierarchy must end at a root. Datumaro accepts a cycle silently, and code that walks up the
    hierarchy (to find a label's ancestors or a skeleton's root) never ends.

    ## Example
    ```json
    {"labels": [{"name": "car", "parent": "vehicle"}, {"name": "vehicle", "parent": "car"}]}
    ```
    Set `"parent": ""` on the root of the hierarchy.
    """

    code = "DL107"
    name = "parent-cycle"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
            "The cycle is kept; nothing walks the hierarchy on import.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: InstanceLabelData._get_label_id",
            "Labels are matched by name (and parent id for skeleton elements); there is no hierarchy walk.",
        ),
    )
    scope = Scope.CATEGORIES

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        labels = label_entries(node)
        names = first_indices(labels)
        parents: list[int | None] = []
        for entry in labels:
            parent = entry.get("parent") if isinstance(entry, dict) else None
            parents.append(names.get(parent) if isinstance(parent, str) and parent else None)
        state = [0] * len(labels)  # 0 unseen, 1 on the current path, 2 done
        found = []
        for start in range(len(labels)):
            path: list[int] = []
            current: int | None = start
            while current is not None and state[current] == 0:
                state[current] = 1
                path.append(current)
                current = parents[current]
            if current is not None and state[current] == 1:
                cycle = path[path.index(current) :]
                found.append(self._finding(cycle, labels))
            for index in path:
                state[index] = 2
        return found

    @staticmethod
    def _finding(cycle: list[int], labels: list[Any]) -> Finding:
        lowest = cycle.index(min(cycle))
        cycle = cycle[lowest:] + cycle[:lowest]
        names = [str(labels[i].get("name")) for i in cycle]
        if len(cycle) == 1:
            message = f'label "{names[0]}" is its own parent'
        else:
            chain = " -> ".join(f'"{name}"' for name in [*names, names[0]])
            message = f"labels form a parent cycle: {chain}"
        return Finding(f"/label/labels/{cycle[0]}/parent", message + "; Datumaro accepts it silently")
