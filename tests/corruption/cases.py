"""The corruption table: every case of the importer experiment of the format notes (section 7, 68
corrupted variants of a valid export, sorted into "accepted silently", "raised; skippable" and "always
fatal"), as a corruption of the real export in ``examples/datumaro-export`` and what each tool must say.

The base export has two subsets. ``annotations/train.json`` holds item ``img_001`` (image 6 x 8) with one
annotation of every 2D type, in this order: label, bbox, polygon, polyline, points, mask, caption,
ellipse, cuboid_2d; and item ``dir/img_002`` (image 5 x 7) without annotations.
``annotations/val.json`` holds item ``img_101`` (image 6 x 8) with a mask, a cuboid_3d and a label.
A real export writes the same ``categories``, ``infos`` and ``media_type`` into every subset file, so
edits of those are made in both files, and the defect is then expected once in each.
"""

from __future__ import annotations

import enum
import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pycocotools import mask as coco_mask

TRAIN = "annotations/train.json"
VAL = "annotations/val.json"
SUBSET_FILES = (TRAIN, VAL)


class Row(enum.Enum):
    """The row of the experiment table a case comes from."""

    ACCEPTED = "accepted silently"
    SKIPPABLE = "raised; skippable with a tolerant policy"
    FATAL = "always fatal"


class Outcome(enum.Enum):
    """What Datumaro 1.13.12 really does with a case."""

    ACCEPTED = "imports; every item, annotation and mask reads back"
    FAILS_ON_DECODE = "imports; decoding a mask raises"
    SKIPPABLE = "raises; a tolerant error policy drops the item or annotation and goes on"
    FATAL = "raises, even under a tolerant error policy"


ROW_OUTCOME = {Row.ACCEPTED: Outcome.ACCEPTED, Row.SKIPPABLE: Outcome.SKIPPABLE, Row.FATAL: Outcome.FATAL}

#: Codes whose severity in these cases, under the Datumaro dialects' target, is a warning (a case
#: holding only these exits with 0); a diagnostic may say otherwise (``Diag.severity``).
WARNING_CODES = frozenset(
    {
        "DL003",
        "DL117",
        "DL210",
        "DL211",
        "DL212",
        "DL304",
        "DL503",
        "DL601",
        "DL602",
        "DL603",
        "DL901",
        "DL903",
    }
)


@dataclass
class Draft:
    """A copy of the base export being corrupted: its subset files parsed, keyed by path."""

    root: Path
    docs: dict[str, Any]


Edit = Callable[[Draft], None]


@dataclass(frozen=True)
class Diag:
    """One expected diagnostic: file (relative to the dataset), code, JSON Pointer."""

    code: str
    pointer: str
    file: str = TRAIN
    #: Its severity, where it is not the code's in these cases (see :data:`WARNING_CODES`).
    severity: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.code, self.pointer)

    @property
    def level(self) -> str:
        return self.severity or ("warning" if self.code in WARNING_CODES else "error")


@dataclass(frozen=True)
class Case:
    """One corrupted dataset and what dlint and Datumaro must make of it."""

    name: str
    row: Row
    corrupt: tuple[Edit, ...]
    expect: tuple[Diag, ...]
    #: What Datumaro really does, where it differs from the row (see ``note``).
    datumaro: Outcome | None = None
    #: Lint a real zip archive of the dataset instead of its folder.
    archive: bool = False
    #: ``--dialect`` for the lint run (None: detected).
    dialect: str | None = None
    #: Why no diagnostic is expected, or how Datumaro's behaviour differs from the row.
    note: str = ""
    #: Where dlint's verdict differs from ``expect`` today: the case is an expected failure until
    #: dlint gives exactly ``expect``, and fails again once it does, so that the mark is removed.
    known_issue: str = ""

    @property
    def outcome(self) -> Outcome:
        return self.datumaro or ROW_OUTCOME[self.row]

    @property
    def exit_code(self) -> int:
        return 1 if any(d.level == "error" for d in self.expect) else 0


# ---------------------------------------------------------------------------------------------- edits


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    *path, last = _tokens(pointer)
    node = doc
    for token in path:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node, last


def put(pointer: str, value: Any, files: Iterable[str] = (TRAIN,)) -> Edit:
    """Set the value at a JSON Pointer (``-`` appends to a list), in each of ``files``."""
    targets = tuple(files)

    def edit(draft: Draft) -> None:
        for file in targets:
            parent, key = _parent(draft.docs[file], pointer)
            if isinstance(parent, list):
                if key == "-":
                    parent.append(value)
                else:
                    parent[int(key)] = value
            else:
                parent[key] = value

    return edit


def drop(pointer: str, files: Iterable[str] = (TRAIN,)) -> Edit:
    """Remove the member at a JSON Pointer, in each of ``files``."""
    targets = tuple(files)

    def edit(draft: Draft) -> None:
        for file in targets:
            parent, key = _parent(draft.docs[file], pointer)
            del parent[int(key) if isinstance(parent, list) else key]

    return edit


def rename(pointer: str, new_key: str, files: Iterable[str] = (TRAIN,)) -> Edit:
    """Rename an object member, keeping its place in the key order."""
    targets = tuple(files)

    def edit(draft: Draft) -> None:
        for file in targets:
            parent, key = _parent(draft.docs[file], pointer)
            renamed = {(new_key if k == key else k): v for k, v in parent.items()}
            parent.clear()
            parent.update(renamed)

    return edit


def everywhere(make: Callable[..., Edit], *args: Any) -> Edit:
    """The same edit in every subset file (shared sections: categories, infos, media_type...)."""
    return make(*args, files=SUBSET_FILES)


def add_file(relative: str, text: str) -> Edit:
    def edit(draft: Draft) -> None:
        path = draft.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    return edit


def remove_file(relative: str) -> Edit:
    def edit(draft: Draft) -> None:
        (draft.root / relative).unlink()

    return edit


def each(code: str, pointer: str, severity: str | None = None) -> tuple[Diag, ...]:
    """The same diagnostic in every subset file."""
    return tuple(Diag(code, pointer, file, severity) for file in SUBSET_FILES)


def rle_counts(height: int, width: int) -> str:
    """A valid COCO compressed RLE string of a small rectangle on a ``height`` x ``width`` mask."""
    mask = np.zeros((height, width), dtype=np.uint8, order="F")
    mask[2:5, 1:4] = 1
    counts: bytes = coco_mask.encode(mask)["counts"]
    return counts.decode("ascii")


# ------------------------------------------------------------------------------------------- pointers


def ann(index: int, item: int = 0) -> str:
    return f"/items/{item}/annotations/{index}"


LABEL, BBOX, POLYGON, POLYLINE, POINTS, MASK, CAPTION, ELLIPSE, CUBOID_2D = (ann(i) for i in range(9))
CUBOID_3D = ann(1)  # in val.json
IMG_001, IMG_002 = "/items/0", "/items/1"
LABELS = "/categories/label/labels"
GROUP = "/categories/label/label_groups/0"
COLORMAP = "/categories/mask/colormap"
TEMPLATE = "/categories/points/items/0"
A, S, F = Row.ACCEPTED, Row.SKIPPABLE, Row.FATAL
DIFFERING = "Only train.json is edited; dlint takes the first subset file as the reference."

# ---------------------------------------------------------------------------------------------- table

CASES: list[Case] = [
    # --- accepted silently --------------------------------------------------------------------------
    Case("label_id 99", A, (put(f"{BBOX}/label_id", 99),), (Diag("DL101", f"{BBOX}/label_id"),)),
    Case("label_id -1", A, (put(f"{POLYGON}/label_id", -1),), (Diag("DL101", f"{POLYGON}/label_id"),)),
    Case("label_id float", A, (put(f"{BBOX}/label_id", 1.7),), (Diag("DL103", f"{BBOX}/label_id"),)),
    Case(
        "label_id numeric string",
        A,
        (put(f"{BBOX}/label_id", "1"),),
        (Diag("DL103", f"{BBOX}/label_id"),),
    ),
    Case(
        "label_id null on a shape",
        A,
        (put(f"{POLYGON}/label_id", None),),
        (Diag("DL903", f"{POLYGON}/label_id"),),
        note="Datumaro reads an unlabelled shape; CVAT refuses it on import (a warning).",
    ),
    Case(
        "polyline odd coordinate count",
        A,
        (put(f"{POLYLINE}/points", [0.0, 5.0, 3.0, 5.0, 7.0]),),
        (Diag("DL201", f"{POLYLINE}/points"),),
    ),
    Case(
        "polyline single point",
        A,
        (put(f"{POLYLINE}/points", [0.0, 5.0]),),
        (Diag("DL202", f"{POLYLINE}/points"),),
    ),
    Case("polyline without points", A, (drop(f"{POLYLINE}/points"),), (Diag("DL002", POLYLINE),)),
    Case(
        "points without visibility",
        A,
        (drop(f"{POINTS}/visibility"),),
        (),
        note="Not a defect: a missing visibility means every point is visible.",
    ),
    Case(
        "rle size mismatch",
        A,
        (put(f"{MASK}/rle", {"counts": rle_counts(10, 10), "size": [10, 10]}),),
        (Diag("DL301", f"{MASK}/rle/size"),),
        note="A valid 10 x 10 mask on a 6 x 8 image: Datumaro decodes it at 10 x 10.",
    ),
    Case(
        "rle garbage counts",
        A,
        (put(f"{MASK}/rle/counts", "garbage"),),
        (Diag("DL302", f"{MASK}/rle/counts"),),
        datumaro=Outcome.FAILS_ON_DECODE,
        note="The table's own remark: the import succeeds and decoding the mask raises.",
        archive=True,
    ),
    Case(
        "bbox negative width",
        A,
        (put(f"{BBOX}/bbox", [4.5, 2.0, -3.0, 2.5]),),
        (Diag("DL209", f"{BBOX}/bbox"),),
    ),
    Case(
        "bbox negative height",
        A,
        (put(f"{BBOX}/bbox", [1.5, 4.5, 3.0, -2.5]),),
        (Diag("DL209", f"{BBOX}/bbox"),),
    ),
    Case(
        "cuboid_2d with 2 vertices",
        A,
        (put(f"{CUBOID_2D}/points", [[1, 1], [2, 1]]),),
        (Diag("DL002", f"{CUBOID_2D}/points"),),
    ),
    Case("caption missing", A, (drop(f"{CAPTION}/caption"),), (Diag("DL207", CAPTION),)),
    Case(
        "cuboid_3d without rotation and scale",
        A,
        (drop(f"{CUBOID_3D}/rotation", [VAL]), drop(f"{CUBOID_3D}/scale", [VAL])),
        (),
        note="Not a defect: a missing rotation reads as zeros, a missing scale as ones.",
    ),
    Case(
        "image size swapped",
        A,
        (put(f"{IMG_002}/image/size", [7, 5]),),
        (Diag("DL408", f"{IMG_002}/image/size"),),
        archive=True,
    ),
    Case(
        "image size swapped under annotations",
        A,
        (put(f"{IMG_001}/image/size", [8, 6]),),
        (Diag("DL408", f"{IMG_001}/image/size"),),
        note="The mask's size [6, 8] matches the real image, so the only defect is image.size.",
    ),
    Case(
        "image file missing",
        A,
        (remove_file("images/train/img_001.jpg"),),
        (Diag("DL407", f"{IMG_001}/image/path"),),
        archive=True,
    ),
    Case(
        "item without annotations",
        A,
        (drop(f"{IMG_001}/annotations"),),
        (),
        note="Not a defect in a 1.0 file: `annotations` is optional since Datumaro 1.4.1.",
    ),
    Case(
        'dm_format_version "2.0"',
        A,
        (everywhere(put, "/dm_format_version", "2.0"),),
        each("DL003", "/dm_format_version"),
    ),
    Case(
        'dm_format_version "1.1"',
        A,
        (everywhere(put, "/dm_format_version", "1.1"),),
        each("DL003", "/dm_format_version"),
    ),
    Case(
        "dm_format_version integer",
        A,
        (everywhere(put, "/dm_format_version", 1),),
        each("DL003", "/dm_format_version"),
    ),
    Case(
        "dm_format_version missing",
        A,
        (everywhere(drop, "/dm_format_version"),),
        (),
        note="Not a defect: media_type still marks a 1.0 file, and Datumaro never reads the version "
        '(its sniffing pattern cannot match "1.0"), so the file reads exactly as before.',
    ),
    Case("info instead of infos", A, (everywhere(rename, "/infos", "info"),), each("DL601", "/info")),
    Case(
        "label parent undefined",
        A,
        (everywhere(put, f"{LABELS}/1/parent", "vehicle"),),
        each("DL106", f"{LABELS}/1/parent"),
    ),
    Case(
        "label group naming an unknown label",
        A,
        (everywhere(put, f"{GROUP}/labels", ["car", "truck"]),),
        each("DL108", f"{GROUP}/labels/1"),
    ),
    Case(
        "colormap label_id out of range",
        A,
        (everywhere(put, f"{COLORMAP}/2/label_id", 7),),
        each("DL111", f"{COLORMAP}/2/label_id"),
    ),
    Case(
        "colormap r as a string",
        A,
        (everywhere(put, f"{COLORMAP}/1/r", "red"),),
        each("DL112", f"{COLORMAP}/1/r"),
    ),
    Case(
        "joint out of range",
        A,
        (everywhere(put, f"{TEMPLATE}/joints/1", [0, 5]),),
        each("DL114", f"{TEMPLATE}/joints/1"),
    ),
    Case(
        "label attributes as a string",
        A,
        (everywhere(put, f"{LABELS}/0/attributes", "make"),),
        each("DL110", f"{LABELS}/0/attributes"),
    ),
    Case(
        "attribute not declared in categories",
        A,
        (put(f"{BBOX}/attributes/speed", 3),),
        (Diag("DL117", f"{BBOX}/attributes/speed"),),
    ),
    Case(
        "media_type 1 with images",
        A,
        (everywhere(put, "/media_type", 1),),
        (),
        note="Not a defect: MEDIA_ELEMENT (1) is the base class of images.",
    ),
    Case(
        "unknown category kind",
        A,
        (everywhere(put, "/categories/tabular", {"items": []}),),
        (),
        note="Not a defect: Datumaro reads only label, mask and points and ignores the other kinds.",
    ),
    # --- raised; skippable with a tolerant policy ---------------------------------------------------
    Case(
        "polygon odd coordinate count",
        S,
        (put(f"{POLYGON}/points", [0.0, 0.0, 4.0, 0.0, 4.0, 3.0, 0.0]),),
        (Diag("DL201", f"{POLYGON}/points"),),
    ),
    Case(
        "polygon with 2 vertices",
        S,
        (put(f"{POLYGON}/points", [0.0, 0.0, 4.0, 0.0]),),
        (Diag("DL202", f"{POLYGON}/points"),),
    ),
    Case(
        "visibility length mismatch",
        S,
        (put(f"{POINTS}/visibility", [2, 1]),),
        (Diag("DL203", f"{POINTS}/visibility"),),
    ),
    Case(
        "visibility value 7",
        S,
        (put(f"{POINTS}/visibility/2", 7),),
        (Diag("DL203", f"{POINTS}/visibility/2"),),
    ),
    Case(
        "rle counts as a list",
        S,
        (put(f"{MASK}/rle/counts", [8, 3, 3, 3, 3, 3, 25]),),
        (Diag("DL303", f"{MASK}/rle/counts"),),
    ),
    Case("mask without rle", S, (drop(f"{MASK}/rle"),), (Diag("DL002", MASK),)),
    Case(
        "bbox with 3 numbers",
        S,
        (put(f"{BBOX}/bbox", [1.5, 2.0, 3.0]),),
        (Diag("DL002", f"{BBOX}/bbox"),),
    ),
    Case(
        "points key instead of bbox",
        S,
        (drop(f"{BBOX}/bbox"), put(f"{BBOX}/points", [1.5, 2.0, 3.0, 2.5])),
        (Diag("DL002", BBOX),),
    ),
    Case(
        "ellipse with 3 numbers",
        S,
        (put(f"{ELLIPSE}/points", [1.0, 1.0, 5.0]),),
        (Diag("DL002", f"{ELLIPSE}/points"),),
    ),
    Case(
        "cuboid_3d position of length 2",
        S,
        (put(f"{CUBOID_3D}/position", [1.0, 2.0], [VAL]),),
        (Diag("DL002", f"{CUBOID_3D}/position", VAL),),
    ),
    Case(
        "cuboid_2d flat list",
        S,
        (put(f"{CUBOID_2D}/points", [1, 1, 2, 1, 2, 2, 1, 2, 1.5, 1.5, 2.5, 1.5, 2.5, 2.5, 1.5, 2.5]),),
        (Diag("DL002", f"{CUBOID_2D}/points/0"),),
        note="The schema reports the first element that is not an [x, y] pair.",
    ),
    Case(
        "non-numeric coordinate",
        S,
        (put(f"{POLYGON}/points/1", "zero"),),
        (Diag("DL002", f"{POLYGON}/points/1"),),
    ),
    Case(
        "skeleton type in a Datumaro 1.0 file",
        S,
        (put(f"{POINTS}/type", "skeleton"),),
        (Diag("DL206", f"{POINTS}/type"),),
        dialect="datumaro-1.0",
        note="Checked as the datumaro-1.0 dialect, where mainline Datumaro has no skeleton type.",
    ),
    Case(
        "skeleton type in a legacy Datumaro file",
        S,
        (
            everywhere(drop, "/dm_format_version"),
            everywhere(drop, "/media_type"),
            drop(CUBOID_2D),
            put(f"{POINTS}/type", "skeleton"),
        ),
        (Diag("DL206", f"{POINTS}/type"),),
        note="Without version and media_type the files are Datumaro 0.4-1.0's legacy layout "
        "(`infos`), which has no skeleton type (nor cuboid_2d, so that annotation is dropped).",
    ),
    Case(
        "well-formed CVAT skeleton",
        S,
        (
            put(f"{POINTS}/type", "skeleton"),
            put(f"{POINTS}/points", [1.0, 1.0, 2, 2.0, 2.0, 2, 3.0, 3.0, 2]),
            drop(f"{POINTS}/visibility"),
            put(f"{POINTS}/points_attributes", [{}, {}, {}]),
        ),
        (Diag("DL604", f"{POINTS}/type", severity="warning"),),
        note="The skeleton marks the file as CVAT's dialect, checked for CVAT: mainline Datumaro, which "
        "has no skeleton type, is named in a warning.",
    ),
    Case("hash_key type", S, (put(f"{LABEL}/type", "hash_key"),), (Diag("DL206", f"{LABEL}/type"),)),
    Case("rotated_bbox type", S, (put(f"{BBOX}/type", "rotated_bbox"),), (Diag("DL206", f"{BBOX}/type"),)),
    Case("unknown type", S, (put(f"{POLYLINE}/type", "squiggle"),), (Diag("DL206", f"{POLYLINE}/type"),)),
    Case("type missing", S, (drop(f"{POLYLINE}/type"),), (Diag("DL206", POLYLINE),)),
    Case("annotation id not int-like", S, (put(f"{BBOX}/id", "abc"),), (Diag("DL204", f"{BBOX}/id"),)),
    Case("group not int-like", S, (put(f"{BBOX}/group", "seven"),), (Diag("DL204", f"{BBOX}/group"),)),
    Case("z_order not int-like", S, (put(f"{BBOX}/z_order", "top"),), (Diag("DL204", f"{BBOX}/z_order"),)),
    Case(
        "object_id not int-like",
        S,
        (put(f"{BBOX}/object_id", "car-42"),),
        (Diag("DL204", f"{BBOX}/object_id"),),
    ),
    Case(
        "attributes as a list",
        S,
        (put(f"{BBOX}/attributes", ["occluded"]),),
        (Diag("DL205", f"{BBOX}/attributes"),),
    ),
    Case('label_id "car"', S, (put(f"{BBOX}/label_id", "car"),), (Diag("DL103", f"{BBOX}/label_id"),)),
    Case("item without id", S, (drop(f"{IMG_002}/id"),), (Diag("DL401", IMG_002),)),
    Case(
        "image size with a zero",
        S,
        (put(f"{IMG_002}/image/size", [0, 7]),),
        (Diag("DL404", f"{IMG_002}/image/size"),),
    ),
    Case(
        "image size of 3 values",
        S,
        (put(f"{IMG_002}/image/size", [5, 7, 3]),),
        (Diag("DL404", f"{IMG_002}/image/size"),),
    ),
    Case(
        "image path with ..",
        S,
        (put(f"{IMG_002}/image/path", "../dir_img_002.jpg"),),
        (Diag("DL406", f"{IMG_002}/image/path"),),
    ),
    Case(
        "image and point_cloud in one item",
        S,
        (put(f"{IMG_002}/point_cloud", {"path": "dir_img_002.pcd"}),),
        (Diag("DL403", f"{IMG_002}/point_cloud"),),
    ),
    # --- always fatal -------------------------------------------------------------------------------
    Case(
        "items missing",
        F,
        (everywhere(drop, "/items"),),
        each("DL501", ""),
        note="Without both categories and items a JSON file is not a dataset file for Datumaro.",
    ),
    Case(
        "categories missing",
        F,
        (everywhere(drop, "/categories"),),
        each("DL501", ""),
        note="Without both categories and items a JSON file is not a dataset file for Datumaro.",
    ),
    Case("items as an object", F, (everywhere(put, "/items", {}),), each("DL002", "/items")),
    Case("categories as a list", F, (everywhere(put, "/categories", []),), each("DL002", "/categories")),
    Case(
        "duplicate label names",
        F,
        (everywhere(put, f"{LABELS}/2/name", "car"),),
        each("DL105", f"{LABELS}/2/name"),
    ),
    Case(
        "empty label name",
        F,
        (everywhere(put, f"{LABELS}/2/name", ""),),
        each("DL104", f"{LABELS}/2/name"),
    ),
    Case(
        "label without parent key",
        F,
        (everywhere(drop, f"{LABELS}/1/parent"),),
        each("DL002", f"{LABELS}/1"),
    ),
    Case("labels missing", F, (everywhere(drop, LABELS),), each("DL002", "/categories/label")),
    Case(
        "keypoint template without joints",
        F,
        (everywhere(drop, f"{TEMPLATE}/joints"),),
        each("DL002", TEMPLATE),
    ),
    Case(
        "bad group_type",
        F,
        (everywhere(put, f"{GROUP}/group_type", "empty"),),
        each("DL109", f"{GROUP}/group_type"),
    ),
    Case(
        "odd positions",
        F,
        (everywhere(put, f"{TEMPLATE}/positions", [0.0, 0.5, 1.0]),),
        each("DL115", f"{TEMPLATE}/positions"),
    ),
    Case("media_type 0", F, (everywhere(put, "/media_type", 0),), each("DL405", "/media_type")),
    Case("media_type 3", F, (everywhere(put, "/media_type", 3),), each("DL405", "/media_type")),
    Case("media_type 42", F, (everywhere(put, "/media_type", 42),), each("DL405", "/media_type")),
    Case("media_type string", F, (everywhere(put, "/media_type", "image"),), each("DL405", "/media_type")),
    Case(
        "media_type video for image items",
        F,
        (everywhere(put, "/media_type", 5),),
        each("DL405", "/media_type"),
    ),
    Case(
        'dm_format_version "2"',
        F,
        (everywhere(put, "/dm_format_version", "2"),),
        each("DL003", "/dm_format_version", "error"),
    ),
    Case(
        'dm_format_version "v2"',
        F,
        (everywhere(put, "/dm_format_version", "v2"),),
        each("DL003", "/dm_format_version", "error"),
    ),
    Case("empty item id", F, (put(f"{IMG_002}/id", ""),), (Diag("DL401", f"{IMG_002}/id"),)),
    Case("item id with ../", F, (put(f"{IMG_002}/id", "../img_002"),), (Diag("DL401", f"{IMG_002}/id"),)),
    Case(
        "duplicate item ids",
        F,
        (put(f"{IMG_002}/id", "img_001"),),
        (Diag("DL402", f"{IMG_002}/id"),),
        archive=True,
    ),
    Case(
        "infos differing between subsets",
        F,
        (put("/infos", {"author": "someone"}),),
        (Diag("DL502", "/infos", VAL),),
        note=DIFFERING,
    ),
    Case(
        "categories differing between subsets",
        F,
        (put(f"{LABELS}/2/name", "torso"),),
        (Diag("DL502", "/categories", VAL),),
        note=DIFFERING,
        archive=True,
    ),
    Case(
        "media_type differing between subsets",
        F,
        (put("/media_type", 1),),
        (Diag("DL502", "/media_type", VAL),),
        note=DIFFERING,
    ),
    Case(
        "stray JSON in annotations/",
        F,
        (add_file("annotations/notes.json", '{"foo": 1}'),),
        (Diag("DL501", "", "annotations/notes.json"),),
        archive=True,
    ),
    Case(
        "non-object annotation",
        F,
        (put(f"{IMG_002}/annotations/-", "car"),),
        (Diag("DL002", f"{IMG_002}/annotations/0"),),
    ),
]


def materialise(case: Case, base: Path, root: Path) -> Path:
    """Copy the base export to ``root`` and apply the case's edits; return ``root``."""
    shutil.copytree(base, root)
    docs = {f: json.loads((root / f).read_text()) for f in SUBSET_FILES}
    draft = Draft(root, docs)
    for edit in case.corrupt:
        edit(draft)
    for file, doc in docs.items():
        (root / file).write_text(json.dumps(doc, separators=(",", ":")))
    return root
