"""Rules on the shape of mask annotations (COCO compressed RLE): its size, and compressed counts.

What the counts decode to is checked in :mod:`dlint.rules.mask_counts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Finding, Fix
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, FixAvailability, Rule, Scope
from dlint.rules.mask_scan import rle_size
from dlint.rules.messages import describe

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table
    from dlint.validation import SchemaFailure


class RleSizeMismatch(Rule):
    """A mask's `rle.size` differs from its item's `image.size`.

    ## What it does
    Compares `rle.size` of every mask with the `image.size` of the item it belongs to. Both are
    `[height, width]`.

    ## Why is this bad?
    Datumaro accepts the mismatch silently and decodes the mask at the size written, so it no
    longer lines up with the image; a swapped `[width, height]` transposes it. CVAT places the mask
    on the frame from that decode, misplaced or transposed.

    ## Example
    ```json
    {"id": "a", "image": {"path": "a.jpg", "size": [6, 8]},
     "annotations": [{"type": "mask", "label_id": 0, "rle": {"counts": "...", "size": [10, 10]}}]}
    ```
    The mask must be encoded at the image's size `[6, 8]`.
    """

    code = "DL301"
    name = "rle-size-mismatch"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: RleMask.image",
            "Decodes the mask as written, at rle.size (10x10 on a 6x8 image, or a swapped [8,6]): it "
            "does not line up with the image, and nothing says so.",
        ),
        cvat=Claim(
            Reading.CORRUPTS,
            "cvat/apps/dataset_manager/bindings.py: import_dm_annotations",
            "CVAT takes the mask bounds from the decode at the wrong size, so the mask is misplaced or "
            "transposed.",
        ),
    )
    inherent = True  # a mask that does not fit its image is wrong whoever reads it
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"mask"})

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        image = ctx.image_size
        rle_obj = node.get("rle")
        size = rle_size(rle_obj.get("size")) if isinstance(rle_obj, dict) else None
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

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        heights, widths, _ = table.sizes
        owner = table.owners("mask")
        sizes = table.mask_sizes
        differs = (sizes[:, 0] != heights[owner]) | (sizes[:, 1] != widths[owner])
        return table.rows("mask", differs & (heights[owner] < float("inf")))  # where a size is declared


class UncompressedRleCounts(Rule):
    """A mask's RLE `counts` is not a compressed string: a list of run lengths, or another value.

    ## What it does
    Checks that `rle.counts` of every mask is a string, the compressed COCO RLE that the format
    stores, and not the uncompressed form (a list of run lengths) or any other value.

    ## Why is this bad?
    Datumaro calls `counts.encode(...)` on the value: anything but a string fails with an
    `AttributeError`, which drops the mask or, by default, aborts the whole import. COCO files allow
    the uncompressed form, so it is a common leftover of a conversion.

    ## Example
    ```json
    {"type": "mask", "label_id": 0, "rle": {"counts": [8, 3, 3, 3, 3, 3, 25], "size": [6, 8]}}
    ```
    Compress it (pycocotools' `frPyObjects`): `"counts": "833000f0"`.

    ## Fix safety
    A list of non-negative run lengths that covers exactly `height * width` pixels is compressed to
    the same mask: a safe fix. Any other value has no fix.
    """

    code = "DL303"
    name = "uncompressed-rle-counts"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations",
            "AttributeError for a list or number; annotation error.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations",
            "Same .encode call.",
        ),
    )
    scope = Scope.SCHEMA
    claims = (r"/items/\d+/annotations/\d+/rle/counts@type",)
    fix = FixAvailability.SAFE

    @classmethod
    def repair(cls, failure: SchemaFailure, document: Any) -> Fix | None:
        counts = failure.instance
        rle_pointer = failure.pointer.rsplit("/", 1)[0]
        size = _rle_size(document, rle_pointer)
        if (
            size is None
            or not isinstance(counts, list)
            or not all(type(r) is int and 0 <= r < 2**29 for r in counts)
        ):
            return None
        height, width = size
        if sum(counts) != height * width:
            return None
        from pycocotools import mask as coco  # imported only when a mask needs compressing

        compressed = coco.frPyObjects({"counts": counts, "size": [height, width]}, height, width)["counts"]
        edit = Edit("replace", failure.pointer, compressed.decode("ascii"))
        return Fix("compress the run lengths", Applicability.SAFE, (edit,))

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        counts = failure.instance
        if isinstance(counts, list) and all(type(run) is int for run in counts):
            found = f"RLE counts are a list of {len(counts)} run lengths (uncompressed COCO RLE)"
        else:
            found = f"RLE counts must be a compressed string, got {describe(counts)}"
        return (
            f"{found}; Datumaro needs the compressed string and fails on it (AttributeError: "
            f"'{type(counts).__name__}' object has no attribute 'encode'): the mask is dropped or the "
            "import aborted"
        )

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return table.none()  # the decode takes only counts written as a string


def _rle_size(document: Any, pointer: str) -> tuple[int, int] | None:
    """The ``size`` of the RLE object at ``pointer``, when it is two non-negative integers."""
    node = document
    try:
        for token in pointer.split("/")[1:]:
            node = node[int(token)] if isinstance(node, list) else node[token]
        size = node["size"]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if type(size) is list and len(size) == 2 and all(type(v) is int and v >= 0 for v in size):
        return size[0], size[1]
    return None
