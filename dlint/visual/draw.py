"""An SVG picture of one dataset item: its image (or a grey stand-in) with its annotations drawn over it.

Coordinates are image pixels. The picture covers the image rectangle and, around it, the geometry that
lies outside the image (up to one image width or height on each side), over a darker hatched background,
so that a shape out of bounds shows where it is. Every drawn annotation is a ``<g class="ann">`` group
whose ``data-index`` is its index in the item's ``annotations`` and whose ``<title>`` names it.

The item is untrusted JSON: whatever cannot be drawn is skipped and explained in :attr:`Drawing.notes`;
text from the file is escaped, numbers are drawn only when finite, and the work is capped
(see :mod:`dlint.visual.shapes`, which reads the geometry). The SVG uses presentation
attributes only (no stylesheet, no ids, no external resource), so it can be embedded in a page as is.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from dlint.visual.shapes import (
    Annotation,
    Dot,
    Ellipse,
    Lines,
    Path,
    Rect,
    Shape,
    categories_of,
    clamp,
    drawable,
    num,
    points_of,
)
from dlint.visual.thumbs import Thumbnail

_IMAGE_MIMES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_STROKE = 2.0  # stroke width in display pixels
_STROKE_HL = 4.0
_DOT = 3.5  # keypoint radius in display pixels
_MARGIN = 10.0  # margin around the picture, in display pixels
_HATCH = 10.0  # spacing of the hatching outside the image, in display pixels
_NS = 'vector-effect="non-scaling-stroke"'


@dataclass(frozen=True)
class Drawing:
    """One item drawn: an ``<svg>`` element and what could not be drawn."""

    svg: str
    """One ``<svg>`` element, safe to embed in HTML as is."""
    notes: tuple[str, ...]
    """What could not be drawn and why, in plain text (escape it to show it), e.g. ``"annotation 4
    (cuboid_3d): a 3D shape has no place on the image"``."""


# Writing SVG.


def _fmt(value: float) -> str:
    """A coordinate as SVG text: at most 2 decimals, clamped far outside any view."""
    rounded = round(clamp(value), 2)
    return str(int(rounded)) if rounded.is_integer() else repr(rounded)


def _render(shape: Shape, unit: float) -> str:
    """One shape as SVG; ``unit`` is the size of a display pixel in image pixels."""
    if isinstance(shape, Rect):
        return (
            f'<rect x="{_fmt(shape.x)}" y="{_fmt(shape.y)}" width="{_fmt(shape.w)}" '
            f'height="{_fmt(shape.h)}" {_NS}/>'
        )
    if isinstance(shape, Path):
        tag = "polygon" if shape.closed else "polyline"
        points = " ".join([f"{x:.6g},{y:.6g}" for x, y in shape.points])  # (clamped when read)
        fill = "" if shape.closed else ' fill="none"'
        return f'<{tag} points="{points}"{fill} {_NS}/>'
    if isinstance(shape, Dot):
        look = 'fill-opacity="1" stroke="#000" stroke-width="1"' if shape.filled else 'fill="none"'
        return f'<circle cx="{_fmt(shape.x)}" cy="{_fmt(shape.y)}" r="{_fmt(_DOT * unit)}" {look} {_NS}/>'
    if isinstance(shape, Ellipse):
        return (
            f'<ellipse cx="{_fmt(shape.cx)}" cy="{_fmt(shape.cy)}" rx="{_fmt(shape.rx)}" '
            f'ry="{_fmt(shape.ry)}" {_NS}/>'
        )
    if isinstance(shape, Lines):
        d = " ".join(f"M{_fmt(p[0])} {_fmt(p[1])}L{_fmt(q[0])} {_fmt(q[1])}" for p, q in shape.segments)
        return f'<path d="{d}" fill="none" {_NS}/>'
    data = base64.b64encode(shape.layer.png).decode("ascii")
    return (
        f'<image href="data:image/png;base64,{data}" x="0" y="0" width="{shape.layer.width}" '
        f'height="{shape.layer.height}" preserveAspectRatio="none" style="image-rendering:pixelated"/>'
    )


def _group(ann: Annotation, unit: float, highlight: int | None) -> str:
    if highlight is None:
        look = f'class="ann" stroke-width="{_STROKE}"'
    elif ann.index == highlight:
        look = f'class="ann hl" stroke-width="{_STROKE_HL}" opacity="1"'
    else:
        look = f'class="ann dim" stroke-width="{_STROKE}" opacity="0.35"'
    body = "".join(_render(shape, unit) for shape in ann.shapes)
    return (
        f'<g {look} data-index="{ann.index}" stroke="{ann.color}" fill="{ann.color}" fill-opacity="0.15">'
        f"<title>{escape(ann.title, quote=True)}</title>{body}</g>"
    )


def _frame(image: Thumbnail | None, size: tuple[int, int] | None) -> tuple[float, float] | None:
    """(width, height) of the image rectangle, from the thumbnail, else from ``size``, else None."""
    if image is not None:
        width, height = num(image.width), num(image.height)
    elif isinstance(size, (tuple, list)) and len(size) == 2:
        height, width = num(size[0]), num(size[1])
    else:
        return None
    if width is None or height is None or width <= 0 or height <= 0:
        return None
    return width, height


def _hatch(x0: float, y0: float, x1: float, y1: float, unit: float) -> str:
    """Diagonal lines over the box (x0, y0)-(x1, y1), :data:`_HATCH` display pixels apart."""
    step = _HATCH * unit * math.sqrt(2)
    count = min(2000, math.ceil((x1 - x0 + y1 - y0) / step))
    top, bottom, rise = f"{y0:.1f}", f"{y1:.1f}", y1 - y0  # (the box is the view: no clamping needed)
    d = " ".join(
        [f"M{x0 + k * step:.1f} {top}L{x0 + k * step - rise:.1f} {bottom}" for k in range(count + 1)]
    )
    return f'<path d="{d}" stroke="#5a5a5a" stroke-width="1" fill="none" {_NS}/>'


def draw(
    item: dict[str, Any],
    categories: Any,
    *,
    highlight: int | None = None,
    image: Thumbnail | None = None,
    size: tuple[int, int] | None = None,
    max_side: int = 512,
    mask_totals: Mapping[str, int] | None = None,
) -> Drawing | None:
    """Draw ``item`` (one entry of a file's ``items``) with the file's ``categories``.

    ``highlight`` is the index in ``item["annotations"]`` of the annotation to show (drawn on top, thicker;
    the others dimmed). ``image`` is the item's image as a thumbnail; ``size`` is (height, width) of the
    image when there is no thumbnail. With neither, the picture covers the annotations only. The image
    rectangle's long side displays at ``max_side`` pixels. ``mask_totals``: the masks' counts measured
    beforehand (see :func:`dlint.rle.valid_totals`). None when there is nothing at all to draw.
    """
    notes: list[str] = []
    if not isinstance(item, dict):
        return None
    if type(highlight) is not int:
        highlight = None
    max_side = max(1, max_side)
    drawn = drawable(item, categories_of(categories), highlight, max_side, notes, mask_totals)
    frame = _frame(image, size)
    xs: list[float] = []
    ys: list[float] = []
    for ann in drawn:
        for shape in ann.shapes:
            for x, y in points_of(shape):
                xs.append(x)
                ys.append(y)
    if frame is None:
        if not xs:
            return None
        notes.append("the image size is unknown: the drawing covers the annotations only")
        x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
        x0, x1 = (x0, x1) if x1 - x0 >= 1 else ((x0 + x1) / 2 - 0.5, (x0 + x1) / 2 + 0.5)
        y0, y1 = (y0, y1) if y1 - y0 >= 1 else ((y0 + y1) / 2 - 0.5, (y0 + y1) / 2 + 0.5)
        width, height = x1 - x0, y1 - y0
    else:
        width, height = frame
        x0 = max(min([0.0, *xs]), -width)
        y0 = max(min([0.0, *ys]), -height)
        x1 = min(max([width, *xs]), 2 * width)
        y1 = min(max([height, *ys]), 2 * height)
    unit = max(width, height) / max_side  # image pixels per display pixel
    margin = _MARGIN * unit
    x0, y0, x1, y1 = x0 - margin, y0 - margin, x1 + margin, y1 + margin
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dl-drawing" role="img" overflow="hidden" '
        f'viewBox="{_fmt(x0)} {_fmt(y0)} {_fmt(x1 - x0)} {_fmt(y1 - y0)}" '
        f'width="{(x1 - x0) / unit:.2f}" height="{(y1 - y0) / unit:.2f}">'
    ]
    box = f'x="{_fmt(x0)}" y="{_fmt(y0)}" width="{_fmt(x1 - x0)}" height="{_fmt(y1 - y0)}"'
    if frame is None:
        parts.append(f'<rect {box} fill="#bdbdbd"/>')
    else:
        parts.append(f'<rect class="dl-outside" {box} fill="#2b2b2b"/>')
        parts.append(_hatch(x0, y0, x1, y1, unit))
        area = f'x="0" y="0" width="{_fmt(width)}" height="{_fmt(height)}"'
        if image is not None and image.mime in _IMAGE_MIMES:
            data = base64.b64encode(image.data).decode("ascii")
            parts.append(
                f'<image class="dl-image" href="data:{image.mime};base64,{data}" {area} '
                'preserveAspectRatio="none"/>'
            )
        else:
            if image is not None:
                notes.append("the image is not in a format that can be shown")
            parts.append(f'<rect class="dl-image" {area} fill="#bdbdbd"/>')
        parts.append(f'<rect class="dl-frame" {area} fill="none" stroke="#000" stroke-width="3" {_NS}/>')
        parts.append(f'<rect {area} fill="none" stroke="#fff" stroke-width="1" {_NS}/>')
    shown = highlight if any(ann.index == highlight for ann in drawn) else None
    parts.extend(_group(ann, unit, shown) for ann in drawn)
    parts.append("</svg>")
    return Drawing("".join(parts), tuple(notes))
