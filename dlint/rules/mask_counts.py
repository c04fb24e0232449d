"""Rules on what masks' RLE counts decode to, checked without decoding a single pixel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding, Severity
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context
from dlint.rules.mask_scan import MaskCountsRule, MaskScan

if TYPE_CHECKING:  # numpy is imported only when a file holds masks
    from dlint import rle
    from dlint.columns.table import Rows, Table


#: What the readers do with counts that decode to runs short of the mask's size: garbage pixels.
_MISCOUNTED = by_reader(
    datumaro=Claim(
        Reading.CORRUPTS,
        "datumaro/components/annotation.py: RleMask.image",
        "The decode leaves the pixels past the runs' end as they were in memory.",
    ),
    cvat=Claim(
        Reading.CORRUPTS,
        "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
        "CVAT decodes the mask the same way and imports what comes out.",
    ),
)


class InvalidRleCounts(MaskCountsRule):
    """A mask's RLE `counts` is not a valid COCO compressed string for its `size`.

    ## What it does
    Decodes the run lengths of every mask's compressed `counts` string (never the pixels) and checks
    that every character belongs to the encoding, that the last run is complete, that no run is
    negative, and that the runs sum to `height * width` of `rle.size`. All masks of a file are checked
    in one vectorised pass.

    ## Why is this bad?
    Datumaro accepts any string and decodes masks lazily: garbage fails much later with
    `Invalid RLE mask representation`, and counts that sum to less than the mask's area make
    pycocotools hand back uninitialised memory as mask pixels.

    ## Example
    ```json
    {"type": "mask", "label_id": 0, "rle": {"counts": "d0d0:F\\\\0", "size": [10, 10]}}
    ```
    These counts decode to the runs 20, 20, 10, 10, 22: 82 pixels, not 10 x 10 = 100.
    """

    code = "DL302"
    name = "invalid-rle-counts"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/annotation.py: RleMask._decode",
            "Import succeeds; decoding 'garbage' raises 'Invalid RLE mask representation' on first access.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "CVAT decodes every mask during import, so garbage fails as CvatImportError.",
        ),
    )

    def report(self, scan: MaskScan, measures: rle.RleMeasures) -> list[Finding]:
        import numpy as np

        from dlint import rle

        totals, status = measures.totals, measures.status
        findings = []
        for index in np.flatnonzero((status != rle.OK) | (totals != scan.areas())).tolist():
            if status[index] != rle.OK:
                findings.append(self._broken(scan, index))
                continue
            (h, w), total = scan.sizes[index], int(totals[index])
            findings.append(
                Finding(
                    scan.pointer(index),
                    f"RLE counts decode to runs summing to {total} pixels, but size [{h}, {w}] has "
                    f"{h * w}; the mask cannot be decoded faithfully",
                    readers=_MISCOUNTED if total < h * w else None,  # (more: the decode refuses it)
                )
            )
        return findings

    @staticmethod
    def _broken(scan: MaskScan, index: int) -> Finding:
        from dlint import rle

        try:
            rle.decode_runs(scan.counts[index])
        except ValueError as exc:
            reason = str(exc)
        else:  # pragma: no cover - the vectorised and reference decoders agree (tested)
            reason = "undecodable counts"
        return Finding(
            scan.pointer(index) + "/counts", f"RLE counts are not a valid compressed string: {reason}"
        )

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        from dlint import rle

        areas, fits = _areas(table)
        measures = table.mask_measures
        return table.rows("mask", ~fits | (measures.status != rle.OK) | (measures.totals != areas))


class EmptyMask(MaskCountsRule):
    """A mask has no foreground pixel.

    ## What it does
    Sums the foreground runs (every second run, from the second) of every mask whose RLE `counts`
    are valid and cover its whole `size`, and reports the masks where that sum is 0: a single run,
    or only empty foreground runs. All masks of a file are measured in the same vectorised pass as
    `invalid-rle-counts`, without decoding a pixel.

    ## Why is this bad?
    An empty mask marks an object that covers nothing. Datumaro keeps it silently; it usually comes
    from a shape erased in the annotation tool, or from a mask encoded after cropping it away, and
    it gives training and evaluation an object of area 0.

    ## Example
    ```json
    {"type": "mask", "label_id": 0, "rle": {"counts": "`1", "size": [6, 8]}}
    ```
    One run of 48 background pixels: the 6 x 8 mask is empty.
    """

    code = "DL304"
    name = "empty-mask"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: RleMask",
            "An empty 6x8 mask is read (sum 0).",
        ),
        cvat=Claim(
            Reading.FAILS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "The bounds of an empty mask are the minimum of an empty array: a ValueError, which becomes "
            "a refused annotation.",
        ),
    )
    severity = Severity.WARNING

    def report(self, scan: MaskScan, measures: rle.RleMeasures) -> list[Finding]:
        import numpy as np

        from dlint import rle

        areas = scan.areas()
        empty = (measures.status == rle.OK) & (measures.totals == areas) & (measures.foreground == 0)
        return [
            Finding(
                scan.pointer(index) + "/counts",
                f"mask has no foreground pixel: all {int(areas[index])} pixels of its size "
                f"[{scan.sizes[index][0]}, {scan.sizes[index][1]}] are background",
            )
            for index in np.flatnonzero(empty & (areas > 0)).tolist()
        ]

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        areas, fits = _areas(table)
        return table.rows("mask", ~fits | ((table.mask_measures.foreground == 0) & (areas != 0)))


def _areas(table: Table) -> tuple[Any, Any]:
    """Each mask's ``height * width``, and whether its sides are small enough for it to be exact
    (the column forms flag the others)."""
    sizes = table.mask_sizes
    fits = ((sizes >= 0) & (sizes < 2**31)).all(axis=1)
    return sizes[:, 0] * sizes[:, 1] * fits, fits
