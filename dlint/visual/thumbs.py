"""Small raster images for the visual report: downscaled copies of an item's image (decoded with Pillow)
and translucent layers showing an annotation's mask (decoded with pycocotools).

Both work on untrusted input and never raise: a file that is not a readable image, or one whose header
declares more pixels than allowed (a decompression bomb), gives no thumbnail; a mask that cannot be
decoded faithfully gives a sentence saying why instead of a layer.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
from PIL import Image
from pycocotools import mask as coco

from dlint.rle import RleError, decode_runs

MAX_SIDE = 512
"""Longest side, in pixels, of the thumbnails and mask layers unless asked otherwise."""
MAX_MASK_PIXELS = 100_000_000
"""Largest mask (height times width) decoded for drawing: a larger one would take too much memory."""
MASK_ALPHA = 115
"""Opacity (out of 255) of a mask layer where the mask is set."""
JPEG_QUALITY = 82
"""Quality of the JPEG thumbnails."""
FORMATS = ("JPEG", "PNG", "BMP", "GIF", "TIFF", "WEBP")
"""The image formats decoded: those of photos in datasets (some other decoders run external programs;
JPEG includes its multi-picture variant)."""


@dataclass(frozen=True)
class Thumbnail:
    """A downscaled, encoded copy of an image, and the size of the original."""

    data: bytes
    """The encoded image: JPEG for photos, PNG if the source has transparency."""
    mime: str
    """``"image/jpeg"`` or ``"image/png"``."""
    width: int
    """Width of the ORIGINAL image, in pixels."""
    height: int
    """Height of the ORIGINAL image, in pixels."""


@dataclass(frozen=True)
class MaskLayer:
    """A mask as a translucent PNG (RGBA), downscaled to fit the report."""

    png: bytes
    height: int
    """Height of the mask in image pixels (the RLE's size), not that of the downscaled PNG."""
    width: int
    """Width of the mask in image pixels (the RLE's size), not that of the downscaled PNG."""


def _fit(height: int, width: int, max_side: int) -> tuple[int, int]:
    """(height, width) scaled so the long side is at most ``max_side`` (never upscaled, never 0)."""
    long_side = max(height, width)
    if long_side <= max_side:
        return height, width
    return max(1, round(height * max_side / long_side)), max(1, round(width * max_side / long_side))


def thumbnail(stream: IO[bytes], max_side: int = MAX_SIDE, max_pixels: int = 100_000_000) -> Thumbnail | None:
    """Decode an image file, downscale it so its long side is at most ``max_side`` (never upscale) and
    encode it (JPEG, or PNG when it has transparency).

    None when it is not a readable image, or when its header declares more than ``max_pixels`` pixels (a
    decompression bomb: then no pixel is decoded). Never raises.
    """
    max_side = max(1, max_side)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning and decoder chatter
            with Image.open(stream, formats=FORMATS) as image:
                width, height = image.size
                if width <= 0 or height <= 0 or width * height > max_pixels:
                    return None
                alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
                target_height, target_width = _fit(height, width, max_side)
                # JPEG decodes at 1/2, 1/4 or 1/8 scale, the smallest still as large as the thumbnail:
                # far faster on photos, and the resize then works on a quarter of the pixels or less
                # (a 1920 x 1080 photo: 12 ms in all, 37 ms from the full size). A no-op elsewhere.
                image.draft(None, (target_width, target_height))
                small = image.convert("RGBA" if alpha else "RGB")
            if small.size != (target_width, target_height):
                small = small.resize((target_width, target_height), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            if alpha:
                small.save(out, "PNG")
            else:
                small.save(out, "JPEG", quality=JPEG_QUALITY)
    except Exception:  # a hostile file can make a decoder raise nearly anything
        return None
    return Thumbnail(out.getvalue(), "image/png" if alpha else "image/jpeg", width, height)


def _faithful(rle: Any, totals: Mapping[str, int]) -> str | tuple[int, int, str | list[int]]:
    """Why ``rle`` cannot be decoded faithfully, or its (height, width, counts); ``totals`` holds
    the sums of runs of compressed counts already measured."""
    if not isinstance(rle, dict):
        return "its rle is not an object"
    size = rle.get("size")
    if size is None:
        return "it has no size"
    if not (isinstance(size, list) and len(size) == 2 and all(type(v) is int and v >= 0 for v in size)):
        return "its size is not two non-negative integers"
    height, width = size
    counts = rle.get("counts")
    if counts is None:
        return "it has no counts"
    if isinstance(counts, str):
        total = totals.get(counts)
        if total is None:
            try:
                total = sum(decode_runs(counts))
            except RleError as exc:
                return f"its counts are not valid RLE: {exc}"
    elif isinstance(counts, list) and all(type(run) is int and run >= 0 for run in counts):
        total = sum(counts)
    else:
        return "its counts are neither an RLE string nor a list of non-negative integers"
    if total != height * width:
        return f"its counts cover {total} pixels, its size {height}x{width} = {height * width}"
    if total == 0:
        return f"it is empty (size {height}x{width})"
    if total > MAX_MASK_PIXELS:
        return f"its size {height}x{width} is too large to draw"
    return height, width, counts


def mask_layer(
    rle: Any, color: tuple[int, int, int], max_side: int = MAX_SIDE, totals: Mapping[str, int] | None = None
) -> MaskLayer | str:
    """The mask of an annotation's ``rle`` (``{"counts": str or list of ints, "size": [h, w]}``) as a
    translucent PNG: ``color`` at alpha :data:`MASK_ALPHA` where the mask is set, transparent elsewhere,
    downscaled (nearest) so its long side is at most ``max_side``.

    When the mask cannot be decoded faithfully, a short sentence saying why instead (``"its counts cover
    82 pixels, its size 10x10 = 100"``). Faithful means: the size is two non-negative integers, and the
    counts (a compressed string that :func:`dlint.rle.decode_runs` accepts, or a list of non-negative
    integers) sum to exactly height times width. ``totals`` may hold the sums of runs of many
    compressed strings measured at once (see :func:`dlint.rle.valid_totals`): a string found there
    is not decoded again to be measured.
    """
    found = _faithful(rle, totals or {})
    if isinstance(found, str):
        return found
    height, width, counts = found
    try:
        if isinstance(counts, list):
            compressed = coco.frPyObjects({"counts": counts, "size": [height, width]}, height, width)
        else:
            compressed = {"counts": counts.encode("ascii"), "size": [height, width]}
        pixels = coco.decode(compressed)  # 0 or 1, column by column (Fortran order)
        # a palette image of the columns, turned into rows, downscaled nearest: all in the image library
        columns = Image.frombuffer("P", (height, width), np.ascontiguousarray(pixels.T), "raw", "P", 0, 1)
        small_height, small_width = _fit(height, width, max(1, max_side))
        if (small_height, small_width) != (height, width):
            columns = columns.resize((small_height, small_width), Image.Resampling.NEAREST)
        layer = columns.transpose(Image.Transpose.TRANSPOSE)
        # two colours, 1 bit a pixel: transparent, or the colour at MASK_ALPHA
        layer.putpalette([0, 0, 0, *(min(255, max(0, int(c))) for c in color)])
        out = io.BytesIO()
        layer.save(out, "PNG", transparency=bytes((0, MASK_ALPHA)), bits=1, compress_level=1)
    except Exception as exc:  # pycocotools on input the checks above let through
        return f"it could not be decoded ({type(exc).__name__})"
    return MaskLayer(out.getvalue(), height, width)
