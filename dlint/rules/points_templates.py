"""The keypoint templates, `categories.points.items`: joints and positions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dlint.diagnostics import Finding
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope, is_int
from dlint.rules.messages import short


def templates(categories: Any) -> list[tuple[int, dict[str, Any]]]:
    """The templates of ``categories.points.items`` that are objects, with their indices."""
    points = categories.get("points") if isinstance(categories, dict) else None
    items = points.get("items") if isinstance(points, dict) else None
    return [(i, t) for i, t in enumerate(items) if isinstance(t, dict)] if isinstance(items, list) else []


class JointOutOfRange(Rule):
    """A keypoint template's joint refers to a point the template does not have.

    ## What it does
    Checks that the `joints` of every template of `categories.points.items` are pairs of indices
    into the template's `labels` (its points). Datumaro writes 0-based indices and CVAT 1-based
    ones, so a template is accepted when all its indices fit one of the two bases; otherwise its
    first joint that does not fit is reported.

    ## Why is this bad?
    Datumaro accepts such joints silently; tools that draw or train on the skeleton fail on the
    missing point, or connect the wrong points.

    ## Example
    ```json
    {"label_id": 2, "labels": ["head", "l_hand", "r_hand"], "joints": [[0, 1], [2, 3]]}
    ```
    Index 0 rules out 1-based indices, and there is no point 3 in 0-based ones.
    """

    code = "DL114"
    name = "joint-out-of-range"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: PointsCategories.add",
            "Joints kept as given ({(0,1),(2,5)}).",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "Joints are not used when annotations are imported.",
        ),
    )
    scope = Scope.CATEGORIES

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        found = []
        for i, template in templates(node):
            labels, joints = template.get("labels"), template.get("joints")
            if isinstance(labels, list) and isinstance(joints, list):
                finding = self._check_template(len(labels), joints)
                if finding:
                    found.append(Finding(f"/points/items/{i}/joints/{finding.pointer}", finding.message))
        return found

    @staticmethod
    def _check_template(n: int, joints: list[Any]) -> Finding | None:
        pairs = [
            (k, [int(v) for v in pair])
            for k, pair in enumerate(joints)
            if isinstance(pair, list) and all(is_int(v) for v in pair)
        ]
        outside = [{v for _, pair in pairs for v in pair if not base <= v < n + base} for base in (0, 1)]
        if not outside[0] or not outside[1]:
            return None
        bad = [[k for k, pair in pairs if outside[base].intersection(pair)] for base in (0, 1)]
        k = min(bad, key=len)[0]  # the base that more joints fit; 0-based (Datumaro's) on a tie
        if n == 0:
            return Finding(str(k), f"joint {short(joints[k])} refers to points, but the template has none")
        detail = "; ".join(
            f"{base}-based ({base}..{n - 1 + base}) {_indices(outside[base])}" for base in (0, 1)
        )
        return Finding(
            str(k),
            f"joint {short(joints[k])} does not fit the {n} points of the template in either base: "
            f"{detail}; Datumaro accepts it silently",
        )


def _indices(values: set[int]) -> str:
    ordered = sorted(values)
    shown = ", ".join(str(v) for v in ordered[:5]) + (", …" if len(ordered) > 5 else "")
    return f"{'index' if len(ordered) == 1 else 'indices'} {shown} out of range"


#: What the readers do with positions of a template without points: they are not checked.
_UNCHECKED = by_reader(
    datumaro=Claim(
        Reading.READS,
        "datumaro/components/annotation.py: PointsCategories.Category.positions_validator",
        "Positions of a template without points are kept as written.",
    ),
)


class InvalidPositions(Rule):
    """A keypoint template's `positions` is not one x, y pair per point.

    ## What it does
    Checks that a non-empty `positions` of a template of `categories.points.items` has exactly two
    values (x, y) for each entry of the template's `labels`.

    ## Why is this bad?
    Datumaro refuses the whole dataset on an odd count or a count that does not match the points
    (`ValueError`, fatal whatever the import's error policy).

    ## Example
    ```json
    {"label_id": 2, "labels": ["head", "l_hand", "r_hand"], "joints": [], "positions": [0, 0, 1, 1]}
    ```
    Three points need six values.
    """

    code = "DL115"
    name = "invalid-positions"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: PointsCategories.Category.positions_validator",
            "An odd count, or one that does not match the points, is a ValueError that fails the import.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/annotation.py: PointsCategories.Category.positions_validator",
            "The fork has the same validator (The fork before 2025 ignored positions).",
        ),
    )
    scope = Scope.CATEGORIES

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        found = []
        for i, template in templates(node):
            positions, labels = template.get("positions"), template.get("labels")
            if not isinstance(positions, list) or not positions:
                continue
            have = len(positions)
            n = len(labels) if isinstance(labels, list) else None
            if n == 0 and have % 2 == 0:
                message = f"positions has {have} values, but the template has no points"
            elif have % 2 or (n is not None and have != 2 * n):
                expected = f"; expected x, y for each of the {n} points ({2 * n} values)" if n else ""
                odd = ", an odd count" if have % 2 else ""
                message = (
                    f"positions has {have} values{odd}{expected}; Datumaro refuses the dataset (ValueError)"
                )
            else:
                continue
            readers = _UNCHECKED if n == 0 and have % 2 == 0 else None
            found.append(Finding(f"/points/items/{i}/positions", message, readers=readers))
        return found
