"""Whether the items of a decoded file are certainly clean: column by column, never item by item.

Each check below stands for rules of the catalogue (named in its docstring) and answers False as soon as
one of them *might* report something. It may be stricter than its rules (an id containing ``..``
anywhere, a polygon whose area is merely close to zero), never looser: a False only sends the file to
the ordinary path, which then says exactly what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import chain, compress
from operator import attrgetter
from typing import Any

import numpy as np

from dlint import rle
from dlint.fastpath import numbers
from dlint.fastpath.model import KINDS, UNSET, Common, Item
from dlint.rules.attributes import UndefinedAttribute
from dlint.rules.base import Context
from dlint.rules.cvat import CvatShapeWithoutLabel
from dlint.rules.media_files import MEDIA_TYPES, ImageSizeMismatch, MissingMediaFile

#: Fewest coordinates, and whether it is the exact count, per type with ``points``.
COORDINATES = {"polygon": (6, False), "polyline": (4, False), "points": (0, False), "ellipse": (4, True)}
#: Item ids and media paths that might be empty, absolute, drive-prefixed or climb out (joined by NUL).
_SUSPICIOUS_PATH = re.compile(r"\x00(?:[/\\]|.:)|\.\.", re.DOTALL)
_CODES = {kind: code for code, kind in enumerate(KINDS.values())}
_TAGS = {kind: name for name, kind in KINDS.items()}
#: Relative tolerance of zero-area-polygon, and the margin kept beyond it for float rounding.
RELATIVE_ZERO, ROUNDING = 1e-12, 4 * np.finfo(np.float64).eps
#: Characters of masks' counts checked together.
MASK_BLOCK = 1 << 22


class ItemScreen:
    """The checks of one decoded file's items (see the module docstring)."""

    def __init__(self, items: list[Item], media_type: Any, ctx: Context, selected: frozenset[str]) -> None:
        self.ctx = ctx
        self.selected = selected
        self.items = items
        self.media_type = media_type
        self.keys: list[str] = []  # the item ids as duplicate-item-id compares them
        self.annotations: list[Common] = []
        self.owner = np.zeros(0, dtype=np.int64)  # item index of each annotation
        # per item: the declared image size (inf when there is none) and the lowest coordinate inside
        # it (0, or -inf when there is no size to measure against)
        self.heights = self.widths = self.lows = np.zeros(0)
        self.groups: dict[str, list[Any]] = {}  # annotations by type
        self.positions: dict[str, numbers.Counts] = {}  # their places in ``annotations``
        self.mask_areas = np.zeros(0, dtype=np.int64)  # height * width of each mask
        self.all_labelled = False  # whether every annotation has an integer label_id

    def clean(self) -> bool:
        """Whether no item or annotation rule can report anything."""
        checks: tuple[Callable[[], bool], ...] = (
            self._item_ids,
            self._media,
            self._gather,
            self._free_form_attr,
            self._label_ids,
            self._annotation_ids,
            self._attributes,
            self._boxes,
            self._shapes,
            self._mask_sizes,
            self._mask_counts,
            self._captions,
            self._cuboids,
            self._cvat_labels,
        )
        return all(check() for check in checks)

    # -- items ------------------------------------------------------------------------------------

    def _item_ids(self) -> bool:
        """invalid-item-id, duplicate-item-id."""
        ids = list(map(attrgetter("id"), self.items))
        joined = "\x00".join(ids)
        if "" in ids or _SUSPICIOUS_PATH.search("\x00" + joined) or joined.count("\x00") >= max(len(ids), 1):
            return False  # (an id holding NUL is left to the ordinary path too)
        self.keys = [key.replace("\\", "/") for key in ids] if "\\" in joined else ids
        return len(set(self.keys)) == len(self.keys)

    def _media(self) -> bool:
        """media-type-mismatch, unsafe-media-path, missing-media-file, image-size-mismatch; and the image
        size geometry is measured against (the decode leaves only items with an image or no media, with
        positive sizes: multiple-media, invalid-image-size, ignored-media-key)."""
        items = self.items
        images = list(map(attrgetter("image"), items))
        present = [image for image in images if image is not UNSET]
        declared = MEDIA_TYPES.get(self.media_type) if type(self.media_type) is int else None
        if present and declared is not None and "image" not in declared[1]:
            return False
        paths = [image.path for image in present if type(image.path) is str]
        if paths and _SUSPICIOUS_PATH.search("\x00" + "\x00".join(paths)):
            return False
        heights, widths, lows = (np.full(len(items), bound) for bound in (np.inf, np.inf, -np.inf))
        sized = [i for i, image in enumerate(images) if image is not UNSET and image.size is not UNSET]
        if sized:
            flat = chain.from_iterable(images[i].size for i in sized)
            sizes = np.fromiter(flat, dtype=np.float64, count=2 * len(sized)).reshape(-1, 2)
            heights[sized], widths[sized], lows[sized] = sizes[:, 0], sizes[:, 1], 0.0
        self.heights, self.widths, self.lows = heights, widths, lows
        return self._media_files(images)

    def _media_files(self, images: list[Any]) -> bool:
        """missing-media-file and image-size-mismatch, by the rules themselves, when the dataset has media."""
        dataset = self.ctx.file.dataset
        if dataset is None or dataset.media is None or not dataset.media.carries("images"):
            return True  # the rules look for image files only where the dataset has an images folder
        checks = (MissingMediaFile().check, ImageSizeMismatch().check)
        for index, image in enumerate(images):
            if image is UNSET:
                continue
            node: dict[str, Any] = {}
            if image.path is not UNSET:
                node["path"] = image.path
            if image.size is not UNSET:
                node["size"] = list(image.size)
            item = {"image": node}
            self.ctx.item, self.ctx.item_index = item, index
            if any(check(item, self.ctx) for check in checks):
                return False
        self.ctx.item, self.ctx.item_index = None, -1
        return True

    def _free_form_attr(self) -> bool:
        """cvat-frame-not-integer (the decode leaves ``attr`` objects of scalars)."""
        attrs = [attr for attr in map(attrgetter("attr"), self.items) if attr is not UNSET]
        frames = [attr["frame"] for attr in attrs if "frame" in attr]
        return all(type(frame) is int and frame >= 0 for frame in frames)

    # -- annotations ------------------------------------------------------------------------------

    def _gather(self) -> bool:
        """The annotations in file order, the item of each, and the annotations of each type (the decode
        leaves only the types of the 1.0 dialect, each with its keys: unsupported-annotation-type,
        missing-default-fields, non-integer-field, attributes-not-object, missing-caption)."""
        lists = [[] if a is UNSET else a for a in map(attrgetter("annotations"), self.items)]
        anns = self.annotations = list(chain.from_iterable(lists))
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        self.owner = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)
        codes = np.fromiter(map(_CODES.__getitem__, map(type, anns)), dtype=np.int8, count=len(anns))
        for kind, code in _CODES.items():
            positions = np.flatnonzero(codes == code)
            if positions.size:
                name = _TAGS[kind]
                self.groups[name] = list(map(anns.__getitem__, positions.tolist()))
                self.positions[name] = positions
        return True

    def _label_ids(self) -> bool:
        """label-id-out-of-range, label-without-label-id, missing-label-categories."""
        label_ids = list(map(attrgetter("label_id"), self.annotations))
        self.all_labelled = set(map(type, label_ids)) <= {int}
        used = label_ids if self.all_labelled else [v for v in label_ids if type(v) is int]
        count = self.ctx.file.label_count
        if used and (not count or min(used) < 0 or max(used) >= count):
            return False
        return self.all_labelled or _labelled(self.groups.get("label", []))

    def _annotation_ids(self) -> bool:
        """duplicate-annotation-id: no item has the same non-zero id twice."""
        try:
            ids = np.array(list(map(attrgetter("id"), self.annotations)), dtype=np.int64)
        except OverflowError:
            return False
        order = np.lexsort((ids, self.owner))
        same = (self.owner[order][1:] == self.owner[order][:-1]) & (ids[order][1:] == ids[order][:-1])
        return not (same & (ids[order][1:] != 0)).any()

    def _attributes(self) -> bool:
        """undefined-attribute, by the rule itself, once per distinct type, label and attribute names
        (the decode leaves ``attributes`` objects of scalars: attributes-not-object, huge-integer)."""
        anns = self.annotations
        values = list(map(attrgetter("attributes"), anns))
        written = list(map(bool, values))
        chosen = list(compress(anns, written))
        kinds = map(_TAGS.__getitem__, map(type, chosen))
        names = map(tuple, compress(values, written))
        distinct = set(zip(kinds, map(attrgetter("label_id"), chosen), names, strict=True))
        rule = UndefinedAttribute()
        for kind, label_id, keys in distinct:
            node: dict[str, Any] = {"type": kind, "attributes": dict.fromkeys(keys)}
            if label_id is not UNSET:
                node["label_id"] = label_id
            if rule.check(node, self.ctx):
                return False
        return True

    def _boxes(self) -> bool:
        """non-positive-box-size, geometry-outside-image and the schema's four numbers of ``bbox``."""
        boxes = self.groups.get("bbox", [])
        owners = self.owner[self.positions["bbox"]] if boxes else self.owner[:0]
        try:
            for lo, values, counts in numbers.chunks(list(map(attrgetter("bbox"), boxes))):
                if not (counts == 4).all():
                    return False
                x, y, w, h = values.reshape(-1, 4).T
                owner = owners[lo : lo + counts.size]
                low, width, height = self.lows[owner], self.widths[owner], self.heights[owner]
                if not (
                    (w > 0) & (h > 0) & (x >= low) & (y >= low) & (x + w <= width) & (y + h <= height)
                ).all():
                    return False
        except numbers.NotNumbers:
            return False
        return True

    def _shapes(self) -> bool:
        """odd-coordinate-count, too-few-vertices, visibility-mismatch, geometry-outside-image,
        zero-area-polygon, closed-polygon and the schema's numbers of ``points`` and ``visibility``."""
        try:
            return all(self._shapes_of(kind) for kind in COORDINATES)
        except numbers.NotNumbers:
            return False

    def _shapes_of(self, kind: str) -> bool:
        fewest, exact = COORDINATES[kind]
        shapes = self.groups.get(kind, [])
        owners = self.owner[self.positions[kind]] if shapes else self.owner[:0]
        for lo, values, counts in numbers.chunks(list(map(attrgetter("points"), shapes))):
            if (counts % 2).any() or (counts < fewest).any() or (exact and (counts != fewest).any()):
                return False
            xs, ys = values[0::2], values[1::2]
            if kind == "points":
                visible = _visibility(shapes[lo : lo + counts.size], counts)
                if visible is None:
                    return False
                if not visible.all():  # hidden keypoints are not measured: 0 is inside any image
                    xs, ys = np.where(visible, xs, 0.0), np.where(visible, ys, 0.0)
            if not self._inside(xs, ys, counts // 2, owners[lo : lo + counts.size]):
                return False
            if kind == "polygon" and not _polygons_ok(values, counts):
                return False
        return True

    def _inside(
        self, xs: numbers.Floats, ys: numbers.Floats, vertices: numbers.Counts, owner: numbers.Counts
    ) -> bool:
        """geometry-outside-image: every shape's extent within its item's image, where it has a size."""
        nonempty = vertices > 0
        begin = numbers.starts(vertices)[nonempty]
        if not begin.size:
            return True
        owner = owner[nonempty]
        low, widths, heights = self.lows[owner], self.widths[owner], self.heights[owner]
        return bool(
            (np.minimum.reduceat(xs, begin) >= low).all()
            and (np.minimum.reduceat(ys, begin) >= low).all()
            and (np.maximum.reduceat(xs, begin) <= widths).all()
            and (np.maximum.reduceat(ys, begin) <= heights).all()
        )

    def _mask_sizes(self) -> bool:
        """rle-size-mismatch, and sizes small enough for their areas to fit in 64 bits."""
        masks = self.groups.get("mask", [])
        flat = chain.from_iterable(map(attrgetter("rle.size"), masks))
        sizes = np.fromiter(flat, dtype=np.int64, count=2 * len(masks)).reshape(-1, 2)
        owner = self.owner[self.positions["mask"]] if masks else self.owner[:0]
        heights, widths = self.heights[owner], self.widths[owner]
        known = np.isfinite(heights)
        if not ((sizes[known, 0] == heights[known]) & (sizes[known, 1] == widths[known])).all():
            return False
        self.mask_areas = sizes[:, 0] * sizes[:, 1]
        return bool(((sizes >= 0) & (sizes < 2**31)).all())

    def _mask_counts(self) -> bool:
        """invalid-rle-counts, empty-mask: a block of masks at a time (the temporaries stay small)."""
        counts = list(map(attrgetter("rle.counts"), self.groups.get("mask", [])))
        lengths = np.fromiter(map(len, counts), dtype=np.int64, count=len(counts))
        for lo, hi in numbers.blocks(lengths, MASK_BLOCK):
            measures = rle.measure_counts(counts[lo:hi])
            areas = self.mask_areas[lo:hi]
            fine = (
                (measures.status == rle.OK)
                & (measures.totals == areas)
                & ((measures.foreground > 0) | (areas == 0))
            )
            if not fine.all():
                return False
        return True

    def _captions(self) -> bool:
        """empty-caption."""
        captions = [a.caption for a in self.groups.get("caption", [])]
        return all(text and not text.isspace() for text in captions)

    def _cuboids(self) -> bool:
        """The schema's three numbers of a cuboid's ``position``, ``rotation`` and ``scale``."""
        cuboids = self.groups.get("cuboid_3d")
        if not cuboids:
            return True
        for key in ("position", "rotation", "scale"):
            slices = [v for v in map(attrgetter(key), cuboids) if v is not UNSET]
            read = numbers.read(slices)
            if read is None or not (read[1] == 3).all():
                return False
        return True

    def _cvat_labels(self) -> bool:
        """cvat-shape-without-label, when it is selected (a selection without it allows label-less shapes)."""
        if CvatShapeWithoutLabel.code not in self.selected:
            return True
        kinds = CvatShapeWithoutLabel.annotation_types
        return self.all_labelled or all(_labelled(self.groups.get(kind, [])) for kind in kinds)


def _labelled(annotations: list[Any]) -> bool:
    """Whether every one of the annotations has an integer ``label_id``."""
    return set(map(type, map(attrgetter("label_id"), annotations))) <= {int}


def _visibility(shapes: list[Any], counts: numbers.Counts) -> numbers.Counts | None:
    """Which keypoints count for the bounds (visibility not 0); None when a visibility list is not one
    value of 0, 1 or 2 per point."""
    visible = np.ones(int(counts.sum()) // 2, dtype=bool)
    lists = list(map(attrgetter("visibility"), shapes))
    given = [value is not UNSET for value in lists]
    if not any(given):
        return visible
    written = np.flatnonzero(given)
    read = numbers.read(list(compress(lists, given)))
    if read is None:
        return None
    values, lengths = read
    valid = (values == 0) | (values == 1) | (values == 2)
    if not (lengths == counts[written] // 2).all() or not valid.all():
        return None
    first = numbers.starts(counts // 2)[written]
    positions = np.repeat(first - numbers.starts(lengths), lengths) + np.arange(values.size)
    visible[positions] = values != 0
    return visible


def _polygons_ok(values: numbers.Floats, counts: numbers.Counts) -> bool:
    """zero-area-polygon (with a margin for rounding) and closed-polygon."""
    begin = numbers.starts(counts)
    last = begin + counts
    if ((counts >= 8) & (values[last - 2] == values[begin]) & (values[last - 1] == values[begin + 1])).any():
        return False
    xs, ys = values[0::2], values[1::2]
    vertex_begin = begin // 2
    nxt = np.arange(1, xs.size + 1)
    nxt[last // 2 - 1] = vertex_begin  # each polygon's last vertex wraps to its first
    forward_terms, backward_terms = xs * ys[nxt], xs[nxt] * ys
    forward = np.add.reduceat(forward_terms, vertex_begin)
    backward = np.add.reduceat(backward_terms, vertex_begin)
    magnitude = np.add.reduceat(np.abs(forward_terms) + np.abs(backward_terms), vertex_begin)
    scale = np.maximum(np.maximum(np.abs(forward), np.abs(backward)), 1.0)
    margin = RELATIVE_ZERO * scale + ROUNDING * (counts // 2 + 2) * magnitude
    return bool((np.abs(forward - backward) > margin).all())
