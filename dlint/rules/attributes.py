"""Attribute names used by annotations, checked against their declaration in `categories.label`."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding, Severity, escape_pointer_token
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope, is_int
from dlint.rules.categories import label_entries, title

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table

#: Attributes CVAT writes on annotations without declaring them in the categories.
CVAT_ATTRIBUTES = frozenset({"occluded", "rotation", "track_id", "keyframe", "outside", "source"})


def _names(value: Any) -> frozenset[str] | None:
    """The attribute names a declaration stands for (a lone string for itself), None if unusable."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset((value,))
    if isinstance(value, list):
        return frozenset(name for name in value if isinstance(name, str))
    return None


class UndefinedAttribute(Rule):
    """An annotation has an attribute that its label does not declare.

    ## What it does
    Checks that each name in an annotation's `attributes` is declared for its label
    (`categories.label.labels[label_id].attributes`), or for every label
    (`categories.label.attributes`), or is one of the attributes CVAT writes on its own (`occluded`,
    `rotation`, `track_id`, `keyframe`, `outside`, `source`). Annotations without a label (a null
    `label_id`, captions) may only use the global ones; an annotation whose label is invalid (out of
    range, or a tag without a label: reported by other rules) may use those of any label. Files
    without labels are not checked.

    ## Why is this bad?
    Usually a typo or an attribute of another label. Datumaro keeps it silently (its validator
    reports it as `UndefinedAttribute`), CVAT drops it silently on import.

    ## Example
    ```json
    {"type": "bbox", "label_id": 0, "attributes": {"colour": "red"}, "bbox": [0, 0, 1, 1]}
    ```
    Label 0 declares `color`, not `colour`.
    """

    code = "DL117"
    name = "undefined-attribute"
    severity = Severity.WARNING
    scope = Scope.ANNOTATION
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations",
            "It keeps the attribute as written.",
        ),
        cvat=Claim(
            Reading.CORRUPTS,
            "cvat/apps/dataset_manager/bindings.py: CommonData._import_shape, _import_tag, _import_track",
            "A task or job import drops attributes the task does not declare.",
        ),
    )

    def __init__(self) -> None:
        self._ready = False
        #: Allowed names per label index (None: the label's declaration is unusable, not checked).
        self._by_label: dict[int, frozenset[str] | None] = {}
        #: Allowed names for annotations without a label (None: nothing is checked).
        self._global: frozenset[str] | None = None
        #: Names declared anywhere, for annotations whose label is invalid (None: nothing is checked).
        self._anywhere: frozenset[str] | None = None
        self._labels: list[Any] = []

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        attributes = node.get("attributes")
        if not attributes:
            return ()
        if not self._ready:
            self._prepare(ctx.file.data)
        label_id = node.get("label_id")
        if label_id is None:  # a tag without a label is label-without-label-id's, so tolerate any label's
            allowed = self._anywhere if node.get("type") == "label" else self._global
        else:  # an invalid label_id is another rule's: tolerate any label's attributes
            if type(label_id) is not int:
                label_id = int(label_id) if is_int(label_id) else -1
            allowed = self._by_label.get(label_id, self._anywhere)
        if allowed is None or type(attributes) is not dict or allowed.issuperset(attributes):
            return ()
        where = self._where(allowed, label_id)
        return [
            Finding(
                f"/attributes/{escape_pointer_token(name)}",
                f'attribute "{name}" is {where}; Datumaro keeps it silently, CVAT drops it on import',
            )
            for name in attributes
            if name not in allowed
        ]

    def _prepare(self, data: dict[str, Any]) -> None:
        self._ready = True
        categories: Any = data.get("categories")
        labels = label_entries(categories)
        common = _names(categories["label"].get("attributes")) if labels else None
        if common is None:
            return  # no labels, or an unusable global list: nothing to check against
        common |= CVAT_ATTRIBUTES
        self._global, self._labels = common, labels
        anywhere, usable = set(common), True
        for i, entry in enumerate(labels):
            own = _names(entry.get("attributes")) if isinstance(entry, dict) else frozenset()
            if own is None:
                self._by_label[i], usable = None, False
            else:
                self._by_label[i] = common | own if own else common
                anywhere |= own
        self._anywhere = frozenset(anywhere) if usable else None

    def _where(self, allowed: frozenset[str], label_id: Any) -> str:
        if label_id is not None and self._by_label.get(label_id) is allowed:
            label = title(self._labels[label_id], label_id)
            return f"declared neither for {label} nor in categories.label.attributes"
        if allowed is self._anywhere:
            return "declared neither for any label nor in categories.label.attributes"
        return "not in categories.label.attributes, the only attributes allowed without a label"

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        """The check itself, once per distinct type, label id and attribute names."""
        import numpy as np

        attributes = table.attributes
        chosen = list(compress(range(len(attributes)), attributes))  # the annotations that have some
        kinds, label_ids = table.kind_names(), table.label_ids
        kind_of, label_of, names_of = kinds.__getitem__, label_ids.__getitem__, attributes.__getitem__
        keys = list(  # (mapped, not looped: a key per annotation that has attributes)
            zip(map(kind_of, chosen), map(label_of, chosen), map(tuple, map(names_of, chosen)), strict=True)
        )
        rule, bad = cls(), set()
        for kind, label_id, names in set(keys):
            node: dict[str, Any] = {"type": kind, "attributes": dict.fromkeys(names)}
            node["label_id"] = label_id if type(label_id) is int else None
            if rule.check(node, ctx):
                bad.add((kind, label_id, names))
        if not bad:
            return table.none()
        rows = np.array([i for i, key in zip(chosen, keys, strict=True) if key in bad], dtype=np.int64)
        return table.item_rows(table.owner[rows])
