"""Whether a file the column pass found clean is already in canonical compact form (``dlint fix`` then
has nothing to write), told without building its Python tree.

The file is decoded once more, into structs whose fields follow the canonical writer's key order (one
order serves every annotation type the typed decode takes: common keys, then ``points``, ``rle``,
``caption``, cuboid vectors, ``z_order``, ``bbox``, ``visibility``), and encoded again: the text comes
back byte for byte only when it has no white space, no unknown key and every key in place. What stays
text in the structs (numbers, attributes, ``categories``...) must be what the writer would write for its
value, which one parse and one serialisation of all those slices together tells. Strings and integers
are written alike by both encoders (a test checks every character).
"""

from __future__ import annotations

from operator import attrgetter

import msgspec
import orjson
from msgspec import UNSET, Raw, Struct, UnsetType

from dlint.columns.model import FREE_FORM
from dlint.columns.numbers import array_text
from dlint.writer import canonical


class Rle(Struct, gc=False):
    counts: str
    size: Raw


class Annotation(Struct, gc=False):
    id: int
    type: str
    attributes: Raw
    group: int
    object_id: int | UnsetType = UNSET
    label_id: int | UnsetType | None = UNSET
    points: Raw | UnsetType = UNSET
    rle: Rle | UnsetType = UNSET
    caption: str | UnsetType = UNSET
    position: Raw | UnsetType = UNSET
    rotation: Raw | UnsetType = UNSET
    scale: Raw | UnsetType = UNSET
    z_order: int | UnsetType = UNSET
    bbox: Raw | UnsetType = UNSET
    visibility: Raw | UnsetType = UNSET


class Image(Struct, gc=False):
    path: str | UnsetType | None = UNSET
    size: Raw | UnsetType = UNSET


class Item(Struct, gc=False):
    id: str
    annotations: list[Annotation] | UnsetType = UNSET
    attr: Raw | UnsetType = UNSET
    image: Image | UnsetType = UNSET


class Dataset(Struct, gc=False):
    dm_format_version: str | UnsetType = UNSET
    media_type: int | UnsetType = UNSET
    info: Raw | UnsetType = UNSET
    infos: Raw | UnsetType = UNSET
    categories: Raw | UnsetType = UNSET
    items: list[Item] | UnsetType = UNSET


DECODER = msgspec.json.Decoder(Dataset)
#: Slices parsed and written again at once.
CHUNK = 4096
ENCODER = msgspec.json.Encoder()
_ANNOTATION_SLICES = ("attributes", "points", "position", "rotation", "scale", "bbox", "visibility")


def is_canonical(raw: bytes) -> bool:
    """Whether the canonical compact writer would write exactly ``raw`` (for a file the column pass
    found clean)."""
    try:
        dataset = DECODER.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return False
    if ENCODER.encode(dataset) != raw or dataset.items is UNSET:
        return False
    for key in FREE_FORM:
        value = getattr(dataset, key)
        if value is not UNSET:
            text = bytes(value)
            parsed = orjson.loads(text)
            if orjson.dumps(canonical({key: parsed})[key]) != text:
                return False
    return _as_written(_slices(dataset.items))


def _slices(items: list[Item]) -> list[Raw]:
    """Every value of the items that stayed text."""
    slices: list[Raw] = []
    annotations = [ann for item in items if item.annotations is not UNSET for ann in item.annotations]
    for key in _ANNOTATION_SLICES:
        slices += [value for value in map(attrgetter(key), annotations) if value is not UNSET]
    slices += [ann.rle.size for ann in annotations if ann.rle is not UNSET]
    slices += [item.attr for item in items if item.attr is not UNSET]
    slices += [item.image.size for item in items if item.image is not UNSET and item.image.size is not UNSET]
    return slices


def _as_written(slices: list[Raw]) -> bool:
    """Whether each slice is its value as the writer writes it (one parse and one dump per chunk)."""
    for lo in range(0, len(slices), CHUNK):
        blob = array_text(slices[lo : lo + CHUNK])
        if orjson.dumps(orjson.loads(blob)) != blob:
            return False
    return True
