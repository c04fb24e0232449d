"""One vectorised pass over the RLE counts of all masks of a file, shared by the rules that need it.

The rules built on :class:`MaskCountsRule` share one :class:`MaskScan` per walk: the first of them to
visit a mask opens the scan and collects every mask's counts; at the end all of them read the one
measurement it makes (:func:`dlint.rle.measure_counts`). Each rule also works alone, when the others
are not selected.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding
from dlint.rules.base import Context, Rule, Scope, is_int

if TYPE_CHECKING:  # numpy is imported only when a file holds masks
    import numpy as np

    from dlint import rle

_INT64_MAX = 2**63 - 1


def rle_size(value: Any) -> tuple[int, int] | None:
    """An ``rle.size`` as (height, width) when it is two integers, else None."""
    if isinstance(value, list) and len(value) == 2 and is_int(value[0]) and is_int(value[1]):
        return int(value[0]), int(value[1])
    return None


class MaskScan:
    """The compressed counts of every mask of one walk, and their measurement, made once on demand."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx  # keeps the key of the registry alive as long as the scan
        self.where: list[tuple[int, int]] = []  # (item index, annotation index) of each mask
        self.counts: list[str] = []
        self.sizes: list[tuple[int, int]] = []
        self._measures: rle.RleMeasures | None = None
        self._areas: np.ndarray[Any, np.dtype[np.int64]] | None = None

    def add(self, node: dict[str, Any], ctx: Context) -> None:
        rle_obj = node.get("rle")
        if isinstance(rle_obj, dict):
            counts, size = rle_obj.get("counts"), rle_size(rle_obj.get("size"))
            if isinstance(counts, str) and size is not None:
                self.where.append((ctx.item_index, ctx.annotation_index))
                self.counts.append(counts)
                self.sizes.append(size)

    def measures(self) -> rle.RleMeasures:
        from dlint import rle

        if self._measures is None:
            self._measures = rle.measure_counts(self.counts)
        return self._measures

    def areas(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """``height * width`` of each mask's ``rle.size``."""
        import numpy as np

        if self._areas is None:
            sizes = self.sizes
            clamped = (min(max(h * w, -_INT64_MAX), _INT64_MAX) for h, w in sizes)  # as rle saturates
            self._areas = np.fromiter(clamped, dtype=np.int64, count=len(sizes))
        return self._areas

    def pointer(self, index: int) -> str:
        item, annotation = self.where[index]
        return f"/items/{item}/annotations/{annotation}/rle"


#: The open scans, by the id of the walk's context (each scan holds its context, so ids are not reused).
_SCANS: weakref.WeakValueDictionary[int, MaskScan] = weakref.WeakValueDictionary()


class MaskCountsRule(Rule):
    """Base of the rules that read the measured counts of every mask of a file."""

    scope = Scope.ANNOTATION
    annotation_types = frozenset({"mask"})

    def __init__(self) -> None:
        self._scan: MaskScan | None = None
        self._collects = False

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        scan = self._scan
        if scan is None:
            scan = _SCANS.get(id(ctx))
            if scan is None:
                scan = _SCANS[id(ctx)] = MaskScan(ctx)
                self._collects = True
            self._scan = scan
        if self._collects:
            scan.add(node, ctx)
        return ()

    def finish(self, ctx: Context) -> Iterable[Finding]:
        scan = self._scan
        if scan is None or not scan.counts:
            return ()
        return self.report(scan, scan.measures())

    def report(self, scan: MaskScan, measures: rle.RleMeasures) -> list[Finding]:
        """The findings of the rule, from the scan of the file."""
        raise NotImplementedError
