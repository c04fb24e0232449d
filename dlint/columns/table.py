"""The columns of a decoded file (or of the part of its items one process checks), made on demand.

Rules' column forms (``Rule.columns``) read what they need from a :class:`Table`: the items and
annotations in file order, the item of each annotation, label ids, image sizes, the numbers of each
shape type as flat float arrays, the measured counts of the masks. Each column is made once, the first
time a rule asks for it, and shared by every rule that reads it.

A column form answers with the rows (item indices of the table) whose precise check might report
something: :meth:`Table.rows` turns a mask over one annotation type into rows.
"""

from __future__ import annotations

from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np

from dlint import rle
from dlint.columns import numbers
from dlint.columns.model import KINDS, UNSET, Item
from dlint.columns.numbers import Bools, Counts, Floats
from dlint.rules.base import Context

#: Rows of a table: a boolean per item.
Rows = Bools
_CODES = {kind: code for code, kind in enumerate(KINDS.values())}
_TAGS = {kind: name for name, kind in KINDS.items()}
_NOWHERE = np.zeros(0, dtype=np.int64)
#: The types drawn by a list of coordinates (``points``).
SHAPE_KINDS = ("polygon", "polyline", "points", "ellipse")
#: The arrays of numbers the decode keeps as text: type, key, and the length the schema requires (0: any).
_ARRAYS = (
    ("polygon", "points", 0),
    ("polyline", "points", 0),
    ("points", "points", 0),
    ("points", "visibility", 0),
    ("ellipse", "points", 4),
    ("bbox", "bbox", 4),
    ("cuboid_3d", "position", 3),
    ("cuboid_3d", "rotation", 3),
    ("cuboid_3d", "scale", 3),
)
#: Those of them the decode leaves optional.
_OPTIONAL = frozenset({"visibility", "rotation", "scale"})
#: Characters of masks' counts measured together.
MASK_BLOCK = 1 << 22


class Shapes:
    """The numbers of one key (``points``, ``bbox``...) of the annotations of one type, read in bulk:
    ``values`` back to back, ``counts`` per annotation, and ``readable`` per annotation (False where the
    array is not a flat array of JSON numbers: then its count is 0 and its values are absent)."""

    def __init__(self, slices: list[Any]) -> None:
        self._slices = slices
        self.values, self.counts, self.readable = numbers.read(slices)

    @cached_property
    def given(self) -> Bools:
        """Per annotation: whether it has the key at all."""
        return np.fromiter((s is not UNSET for s in self._slices), dtype=bool, count=len(self._slices))

    @cached_property
    def starts(self) -> Counts:
        """Where each array's numbers begin in ``values``."""
        return numbers.starts(self.counts)

    @cached_property
    def array_of(self) -> Counts:
        """The array each value belongs to."""
        return np.repeat(np.arange(self.counts.size), self.counts)

    def column(self, k: int) -> Floats:
        """The ``k``-th number of each array (nan where it has fewer, so that no comparison holds)."""
        found = np.full(self.counts.size, np.nan)
        has = self.counts > k
        found[has] = self.values[self.starts[has] + k]
        return found

    def values_of(self, kept: Bools, values: Floats | None = None) -> Floats:
        """The values (``values`` if given: one per value of these arrays) of the arrays ``kept``
        selects, back to back: copied as the runs between the arrays left out (few, in practice),
        not value by value."""
        values = self.values if values is None else values
        left = np.flatnonzero(~kept & (self.counts > 0))
        if not left.size:
            return values
        if left.size > len(kept) // 8:  # many left out: one pass over the values is cheaper
            return values[kept[self.array_of]]
        ends = self.starts[left]
        begins = np.concatenate(([0], ends + self.counts[left])).tolist()
        ends = np.concatenate((ends, [values.size])).tolist()
        return np.concatenate([values[lo:hi] for lo, hi in zip(begins, ends, strict=True)])

    def any_per(self, mask: Any) -> Bools:
        """Per array: whether any of its values is set in ``mask`` (a mask over ``values``)."""
        found = np.zeros(self.counts.size, dtype=bool)
        found[self.array_of[np.asarray(mask, dtype=bool)]] = True
        return found


class Table:
    """The columns of decoded items (see the module docstring). A process checking a part of the
    items holds a table of its own, whose rows count from the part's first item."""

    def __init__(self, items: list[Item], media_type: Any, ctx: Context) -> None:
        self.items = items
        self.media_type = media_type
        self.ctx = ctx

    # -- rows -------------------------------------------------------------------------------------

    def none(self) -> Rows:
        """No row."""
        return np.zeros(len(self.items), dtype=bool)

    def all(self) -> Rows:
        """Every row."""
        return np.ones(len(self.items), dtype=bool)

    def rows(self, kind: str, bad: Any) -> Rows:
        """The rows holding the annotations of type ``kind`` where ``bad`` (a mask over them) is set."""
        found = self.none()
        found[self.owners(kind)[np.asarray(bad, dtype=bool)]] = True
        return found

    def annotation_rows(self, bad: Any) -> Rows:
        """The rows holding the annotations (all types, file order) where ``bad`` is set."""
        found = self.none()
        found[self.owner[np.asarray(bad, dtype=bool)]] = True
        return found

    def item_rows(self, indices: Any) -> Rows:
        """The rows of these item indices (of the table)."""
        found = self.none()
        found[np.asarray(indices, dtype=np.int64)] = True
        return found

    @cached_property
    def schema_rows(self) -> Rows:
        """The rows the JSON Schema might reject. The typed decode is stricter than the schema except in
        the arrays of numbers it keeps as text: those must be flat arrays of numbers (integers for
        ``visibility``), of four numbers for ``bbox`` and an ellipse's ``points``, of three for a
        cuboid's vectors."""
        found = self.none()
        for kind, key, length in _ARRAYS:
            if not self.positions(kind).size:
                continue
            read = self.numbers(kind, key)
            bad = ~read.readable
            if key in _OPTIONAL:
                bad &= self.given(kind, key)
            if length:
                bad |= read.readable & (read.counts != length)
            if key == "visibility":
                bad |= read.any_per(read.values != np.floor(read.values))
            found |= self.rows(kind, bad)
        return found

    # -- items ------------------------------------------------------------------------------------

    @cached_property
    def ids(self) -> list[str]:
        return list(map(attrgetter("id"), self.items))

    @cached_property
    def attrs(self) -> list[Any]:
        """Each item's ``attr`` object, or UNSET."""
        return list(map(attrgetter("attr"), self.items))

    @cached_property
    def images(self) -> list[Any]:
        """Each item's ``image`` struct, or UNSET (the decode leaves items with an image or no media)."""
        return list(map(attrgetter("image"), self.items))

    @cached_property
    def sizes(self) -> tuple[Floats, Floats, Floats]:
        """Per item: the declared image height and width (inf where there is none) and the lowest
        coordinate inside it (0, or -inf where there is no size to measure against)."""
        count = len(self.items)
        heights, widths, lows = (np.full(count, bound) for bound in (np.inf, np.inf, -np.inf))
        images = self.images
        sized = [i for i, image in enumerate(images) if image is not UNSET and image.size is not UNSET]
        if sized:
            flat = chain.from_iterable(images[i].size for i in sized)
            sizes = np.fromiter(flat, dtype=np.float64, count=2 * len(sized)).reshape(-1, 2)
            heights[sized], widths[sized], lows[sized] = sizes[:, 0], sizes[:, 1], 0.0
        return heights, widths, lows

    # -- annotations ------------------------------------------------------------------------------

    @cached_property
    def annotations(self) -> list[Any]:
        """Every annotation, in file order."""
        return list(chain.from_iterable(self._lists))

    @cached_property
    def _lists(self) -> list[Any]:
        return [[] if a is UNSET else a for a in map(attrgetter("annotations"), self.items)]

    @cached_property
    def owner(self) -> Counts:
        """The row of each annotation."""
        lengths = np.fromiter(map(len, self._lists), dtype=np.int64, count=len(self._lists))
        return np.repeat(np.arange(len(self._lists), dtype=np.int64), lengths)

    @cached_property
    def _positions(self) -> dict[str, Counts]:
        anns = self.annotations
        codes = np.fromiter(map(_CODES.__getitem__, map(type, anns)), dtype=np.int8, count=len(anns))
        return {_TAGS[kind]: np.flatnonzero(codes == code) for kind, code in _CODES.items()}

    def positions(self, kind: str) -> Counts:
        """Where the annotations of type ``kind`` are among all annotations (none for a type the
        decode does not take)."""
        return self._positions.get(kind, _NOWHERE)

    def of(self, kind: str) -> list[Any]:
        """The annotations of type ``kind``, in file order."""
        return self._groups.get(kind, [])

    @cached_property
    def _groups(self) -> dict[str, list[Any]]:
        anns = self.annotations
        return {kind: list(map(anns.__getitem__, at.tolist())) for kind, at in self._positions.items()}

    def owners(self, kind: str) -> Counts:
        """The row of each annotation of type ``kind``."""
        return self.owner[self.positions(kind)]

    def kind_names(self) -> list[str]:
        """The type name of each annotation, in file order."""
        return list(map(_TAGS.__getitem__, map(type, self.annotations)))

    @cached_property
    def attributes(self) -> list[dict[str, Any]]:
        """Each annotation's ``attributes`` object."""
        return list(map(attrgetter("attributes"), self.annotations))

    @cached_property
    def label_ids(self) -> list[Any]:
        """Each annotation's ``label_id`` (an int, None, or UNSET)."""
        return list(map(attrgetter("label_id"), self.annotations))

    def given(self, kind: str, key: str) -> Bools:
        """Per annotation of type ``kind``: whether it has ``key``."""
        return self.numbers(kind, key).given

    def numbers(self, kind: str, key: str) -> Shapes:
        """The numbers of ``key`` of the annotations of type ``kind`` (absent keys read as unreadable)."""
        cache: dict[tuple[str, str], Shapes] = self.__dict__.setdefault("_numbers", {})
        found = cache.get((kind, key))
        if found is None:
            annotations = self.of(kind)
            if key in KINDS[kind].__struct_fields__:
                slices = list(map(attrgetter(key), annotations))
            else:
                slices = [UNSET] * len(annotations)
            found = cache[kind, key] = Shapes(slices)
        return found

    @cached_property
    def labels(self) -> tuple[Counts, Bools]:
        """Each annotation's ``label_id`` as an integer (0 where it has none), and whether it has one."""
        ids = self.label_ids
        if set(map(type, ids)) <= {int}:
            return np.array(ids, dtype=np.int64), np.ones(len(ids), dtype=bool)
        used = np.fromiter((type(v) is int for v in ids), dtype=bool, count=len(ids))
        values = np.fromiter((v if type(v) is int else 0 for v in ids), dtype=np.int64, count=len(ids))
        return values, used

    @cached_property
    def mask_sizes(self) -> Counts:
        """Each mask's ``rle.size`` as (height, width) rows."""
        masks = self.of("mask")
        flat = chain.from_iterable(map(attrgetter("rle.size"), masks))
        return np.fromiter(flat, dtype=np.int64, count=2 * len(masks)).reshape(-1, 2)

    @cached_property
    def mask_measures(self) -> rle.RleMeasures:
        """The measured counts of every mask (see :func:`dlint.rle.measure_counts`), a block of masks
        at a time (the temporaries stay small)."""
        counts = list(map(attrgetter("rle.counts"), self.of("mask")))
        lengths = np.fromiter(map(len, counts), dtype=np.int64, count=len(counts))
        blocks = [rle.measure_counts(counts[lo:hi]) for lo, hi in numbers.blocks(lengths, MASK_BLOCK)]
        if not blocks:
            return rle.measure_counts([])
        return rle.RleMeasures(*(np.concatenate(column) for column in zip(*blocks, strict=True)))


__all__ = ["SHAPE_KINDS", "Rows", "Shapes", "Table"]
