"""Rules on mask annotations (COCO compressed RLE), checked without decoding a single pixel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from dlint import rle
from dlint.diagnostics import Finding
from dlint.rules.base import Context, Rule, Scope, is_int


def _size(value: Any) -> tuple[int, int] | None:
    if isinstance(value, list) and len(value) == 2 and is_int(value[0]) and is_int(value[1]):
        return int(value[0]), int(value[1])
    return None


class RleSizeMismatch(Rule):
    """A mask's `rle.size` differs from its item's `image.size`.

    ## What it does
    Compares `rle.size` of every mask with the `image.size` of the item it belongs to. Both are
    `[height, width]`.

    ## Why is this bad?
    Datumaro accepts the mismatch silently and decodes the mask at the wrong size, so it no longer
    lines up with the image; a swapped `[width, height]` transposes it.

    ## Example
    ```json
    {"id": "a", "image": {"path": "a.jpg", "size": [6, 8]},
     "annotations": [{"type": "mask", "label_id": 0, "rle": {"counts": "...", "size": [10, 10]}}]}
    ```
    The mask must be encoded at the image's size `[6, 8]`.
    """

    code = "DL301"
    name = "rle-size-mismatch"
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"mask"})

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        image = ctx.image_size
        rle_obj = node.get("rle")
        size = _size(rle_obj.get("size")) if isinstance(rle_obj, dict) else None
        if image is None or size is None or size == image:
            return ()
        hint = "; it looks swapped: sizes are [height, width]" if size == image[::-1] else ""
        return (
            Finding(
                "/rle/size",
                f"mask size [{size[0]}, {size[1]}] differs from the image size "
                f"[{image[0]}, {image[1]}]{hint}",
            ),
        )


class InvalidRleCounts(Rule):
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
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"mask"})

    def __init__(self) -> None:
        self._where: list[tuple[int, int]] = []  # (item index, annotation index) of each mask
        self._counts: list[str] = []
        self._sizes: list[tuple[int, int]] = []

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        rle_obj = node.get("rle")
        if isinstance(rle_obj, dict):
            counts, size = rle_obj.get("counts"), _size(rle_obj.get("size"))
            if isinstance(counts, str) and size is not None:
                self._where.append((ctx.item_index, ctx.annotation_index))
                self._counts.append(counts)
                self._sizes.append(size)
        return ()

    def finish(self, ctx: Context) -> Iterable[Finding]:
        if not self._counts:
            return ()
        totals, status = rle.check_counts(self._counts)
        areas = np.fromiter((h * w for h, w in self._sizes), dtype=np.int64, count=len(self._sizes))
        findings = []
        for index in np.flatnonzero((status != rle.OK) | (totals != areas)).tolist():
            if status[index] != rle.OK:
                findings.append(self._broken(index))
                continue
            (h, w), total = self._sizes[index], int(totals[index])
            findings.append(
                Finding(
                    self._pointer(index),
                    f"RLE counts decode to runs summing to {total} pixels, but size [{h}, {w}] has "
                    f"{h * w}; the mask cannot be decoded faithfully",
                )
            )
        return findings

    def _pointer(self, index: int) -> str:
        item, annotation = self._where[index]
        return f"/items/{item}/annotations/{annotation}/rle"

    def _broken(self, index: int) -> Finding:
        try:
            rle.decode_runs(self._counts[index])
        except ValueError as exc:
            reason = str(exc)
        else:  # pragma: no cover - the vectorised and reference decoders agree (tested)
            reason = "undecodable counts"
        return Finding(
            self._pointer(index) + "/counts", f"RLE counts are not a valid compressed string: {reason}"
        )
