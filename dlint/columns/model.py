"""The typed shape of a clean Datumaro 1.0 file, for :mod:`msgspec` to decode in one pass.

Only what the checks look at is decoded into Python values. Arrays of numbers (``points``, ``bbox``,
``visibility``, cuboid vectors) and the top level's free-form objects (``infos``, ``categories``) stay
:class:`msgspec.Raw`: a slice of the text, checked later in bulk.

The types are stricter than the JSON Schema, never looser, so that a successful decode already rules
out what most structural rules report: an annotation type per struct, each with exactly the keys
Datumaro's writer gives it (``id``, ``attributes``, ``group`` and the geometry ones required, no
unknown key), integers within 64 bits (``1.0`` is no integer here), image sizes positive. An item
that fails the decode is read as plain data and checked precisely. Optional keys default to
``UNSET``, so that an absent key stays distinguishable from a written one.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, Raw, Struct, UnsetType

#: An integer that every reader holds exactly (and no ``huge-integer``).
Int = Annotated[int, Meta(ge=-(2**63), le=2**63 - 1)]
#: An image or mask side: positive, and small enough for its area to fit in 64 bits.
Side = Annotated[int, Meta(gt=0, lt=2**31)]
#: The value of an attribute (lists and objects, rare in practice, leave the item to be read as plain data).
Scalar = str | bool | Int | float | None


class Common(Struct, tag_field="type", forbid_unknown_fields=True, kw_only=True, gc=False):
    """The keys every annotation has."""

    id: Int
    attributes: dict[str, Scalar]
    group: Int
    object_id: Int | UnsetType = UNSET
    label_id: Int | UnsetType | None = UNSET


class Label(Common, tag="label", kw_only=True, gc=False):
    z_order: Int | UnsetType = UNSET


class Rle(Struct, forbid_unknown_fields=True, gc=False):
    """A mask's run-length encoding: ``size`` is ``[height, width]``."""

    counts: str
    size: tuple[Int, Int]


class Mask(Common, tag="mask", kw_only=True, gc=False):
    rle: Rle
    z_order: Int


class Shape(Common, kw_only=True, gc=False):
    """The annotations drawn by a list of coordinates."""

    points: Raw
    z_order: Int


class Points(Shape, tag="points", kw_only=True, gc=False):
    visibility: Raw | UnsetType = UNSET


class Polygon(Shape, tag="polygon", kw_only=True, gc=False):
    pass


class Polyline(Shape, tag="polyline", kw_only=True, gc=False):
    pass


class Ellipse(Shape, tag="ellipse", kw_only=True, gc=False):
    pass


class Bbox(Common, tag="bbox", kw_only=True, gc=False):
    z_order: Int
    bbox: Raw


class Caption(Common, tag="caption", kw_only=True, gc=False):
    caption: str
    z_order: Int | UnsetType = UNSET


class Cuboid3d(Common, tag="cuboid_3d", kw_only=True, gc=False):
    position: Raw
    rotation: Raw | UnsetType = UNSET
    scale: Raw | UnsetType = UNSET
    z_order: Int | UnsetType = UNSET


Annotation = Label | Mask | Points | Polygon | Polyline | Ellipse | Bbox | Caption | Cuboid3d
#: The annotation structs by type name.
KINDS: dict[str, type[Common]] = {
    kind.__struct_config__.tag: kind  # type: ignore[misc]
    for kind in (Label, Mask, Points, Polygon, Polyline, Ellipse, Bbox, Caption, Cuboid3d)
}


class Image(Struct, forbid_unknown_fields=True, gc=False):
    path: str | UnsetType | None = UNSET
    size: tuple[Side, Side] | UnsetType = UNSET


class Item(Struct, forbid_unknown_fields=True, gc=False):
    """An item with an image or no media (other media, and ``media`` next to an image, fail the decode)."""

    id: str
    annotations: list[Annotation] | UnsetType = UNSET
    attr: dict[str, Scalar] | UnsetType = UNSET
    image: Image | UnsetType = UNSET


class Top(Struct, forbid_unknown_fields=True, gc=False):
    """The top-level keys besides ``items``."""

    dm_format_version: str | UnsetType = UNSET
    media_type: Int | UnsetType = UNSET
    info: Raw | UnsetType = UNSET
    infos: Raw | UnsetType = UNSET
    categories: Raw | UnsetType = UNSET


class Dataset(Top, forbid_unknown_fields=True, gc=False):
    items: list[Item] | UnsetType = UNSET


#: Top-level keys that hold free-form JSON, parsed as ordinary data for the document-level rules.
FREE_FORM = ("info", "infos", "categories")


class Outline(Top, forbid_unknown_fields=True, gc=False):
    """The top level with each item left as its text."""

    items: list[Raw] | UnsetType = UNSET


DECODER = msgspec.json.Decoder(Dataset)
#: What a failed decode raises.
DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)
ITEMS_DECODER = msgspec.json.Decoder(list[Item])
ITEM_DECODER = msgspec.json.Decoder(Item)
OUTLINE_DECODER = msgspec.json.Decoder(Outline)

__all__ = [
    "DECODER",
    "DECODE_ERRORS",
    "FREE_FORM",
    "ITEMS_DECODER",
    "ITEM_DECODER",
    "KINDS",
    "OUTLINE_DECODER",
    "UNSET",
    "Annotation",
    "Common",
    "Dataset",
    "Image",
    "Item",
    "Outline",
    "Raw",
    "Top",
]
