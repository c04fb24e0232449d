"""Rules on `categories.label.label_groups`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope
from dlint.rules.categories import first_indices, label_entries
from dlint.rules.messages import describe, short

if TYPE_CHECKING:
    from dlint.validation import SchemaFailure

#: The group types Datumaro knows, compared in upper case as it does.
GROUP_TYPES = frozenset({"EXCLUSIVE", "INCLUSIVE", "RESTRICTED"})
_ALLOWED = "exclusive, inclusive or restricted"


def label_groups(categories: Any) -> list[Any]:
    """The entries of ``categories.label.label_groups`` (empty when there is no such list)."""
    label = categories.get("label") if isinstance(categories, dict) else None
    groups = label.get("label_groups") if isinstance(label, dict) else None
    return groups if isinstance(groups, list) else []


def _group_title(group: Any, index: int) -> str:
    name = group.get("name") if isinstance(group, dict) else None
    return f'label group "{name}"' if isinstance(name, str) and name else f"label group {index}"


class UnknownGroupLabel(Rule):
    """A label group names a label that does not exist.

    ## What it does
    Checks that every name in `categories.label.label_groups[].labels` is the name of a label of
    `categories.label.labels`.

    ## Why is this bad?
    Groups list labels by name, and Datumaro does not check them: a misspelt or deleted label is
    kept silently, and the group (for example the exclusive classes of a classification task) no
    longer holds what it should.

    ## Example
    ```json
    {"labels": [{"name": "car", "parent": ""}],
     "label_groups": [{"name": "kind", "group_type": "exclusive", "labels": ["car", "truck"]}]}
    ```
    `truck` is not a label.
    """

    code = "DL108"
    name = "unknown-group-label"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: LabelCategories.add_label_group",
            "The unknown name is kept in the group as written.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "CVAT ignores label_groups on import.",
        ),
    )
    scope = Scope.CATEGORIES

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        groups = label_groups(node)
        if not groups:
            return ()
        names = first_indices(label_entries(node))
        found = []
        for g, group in enumerate(groups):
            members = group.get("labels") if isinstance(group, dict) else None
            for k, member in enumerate(members if isinstance(members, list) else ()):
                if isinstance(member, str) and member not in names:
                    message = f'{_group_title(group, g)} lists "{member}", which is not a label'
                    found.append(Finding(f"/label/label_groups/{g}/labels/{k}", message))
        return found


class InvalidGroupType(Rule):
    """A label group's `group_type` is not exclusive, inclusive or restricted.

    ## What it does
    Checks that every label group has a `group_type` of `exclusive`, `inclusive` or `restricted`
    (in any letter case), in every dialect: files of the legacy dialects were written when any
    string was accepted (`"empty"` appears in files of that time).

    ## Why is this bad?
    Datumaro refuses the whole dataset on any other value (`Invalid GroupType: empty`) or on a group
    without `group_type` (`KeyError`); both are fatal whatever the import's error policy.

    ## Example
    ```json
    {"name": "kind", "group_type": "empty", "labels": ["car", "person"]}
    ```
    Use `"exclusive"` for classes of which at most one applies.
    """

    code = "DL109"
    name = "invalid-group-type"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: GroupType.from_str; "
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
            "ValueError 'Invalid GroupType: empty', or KeyError 'group_type' when it is missing: fatal "
            "whatever the policy.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_categories",
            "The fork parses label_groups like mainline.",
        ),
    )
    scope = Scope.CATEGORIES
    claims = (r"/categories/label/label_groups/\d+/group_type",)

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        found = []
        for g, group in enumerate(label_groups(node)):
            if not isinstance(group, dict):
                continue
            if "group_type" not in group:
                found.append(Finding(f"/label/label_groups/{g}", self._missing(group, g)))
                continue
            value = group["group_type"]
            if isinstance(value, str) and value.upper() not in GROUP_TYPES:
                found.append(Finding(f"/label/label_groups/{g}/group_type", self._invalid(value)))
        return found

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        if failure.keyword == "required":
            return cls._missing(failure.instance, int(failure.pointer.rsplit("/", 1)[1]))
        value = failure.instance
        if isinstance(value, str):
            return cls._invalid(value)
        return (
            f"group_type must be the string {_ALLOWED}, got {describe(value)}; Datumaro refuses the dataset"
        )

    @staticmethod
    def _invalid(value: str) -> str:
        return (
            f"group_type {short(value)} is not {_ALLOWED}; Datumaro refuses the dataset "
            f"(Invalid GroupType: {value[:40]})"
        )

    @staticmethod
    def _missing(group: Any, index: int) -> str:
        return (
            f"{_group_title(group, index)} has no group_type ({_ALLOWED}); "
            "Datumaro refuses the dataset (KeyError: 'group_type')"
        )
