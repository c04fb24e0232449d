"""Rules on media against the dataset: the declared media type, and the media files themselves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from dlint.diagnostics import Applicability, Edit, Finding, Fix, Severity
from dlint.media import locate
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, FixAvailability, Rule, Scope, declared_size
from dlint.rules.items import MEDIA_KEYS, path_problem
from dlint.rules.messages import short

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table
    from dlint.validation import SchemaFailure

#: media_type values (Datumaro's MediaType enum) and the item media keys each one admits.
MEDIA_TYPES: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("media element", MEDIA_KEYS),
    2: ("image", ("image", "video_frame")),
    4: ("video frame", ("video_frame",)),
    5: ("video", ("video",)),
    6: ("point cloud", ("point_cloud",)),
}
_CRASHES = {0: "TypeError", 3: "NotImplementedError"}
#: The media type a reader takes when the file declares none.
IMAGE = 2
#: What the readers do with items that are not images in a file that declares no media type.
_UNDECLARED = Claim(
    Reading.FAILS,
    "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_media_type, JsonReader._load_items",
    "Without media_type it takes the media to be images and raises MediaTypeError.",
)
_UNDECLARED_LEGACY = Claim(
    Reading.READS,
    "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_items",
    "In a file without dm_format_version, the fork takes the media type from the items.",
)
_UNDECLARED_VERSIONED = Claim(
    Reading.FAILS,
    "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_items",
    "With dm_format_version, the fork takes the media to be images, as mainline does.",
)


class MediaTypeMismatch(Rule):
    """`media_type` is unknown, or does not fit the media of the items.

    ## What it does
    Checks that `media_type` is one of the values writers use (1 media element, 2 image, 4 video
    frame, 5 video, 6 point cloud) and that every item's media is of that type (a file without
    `media_type` is undeclared-media-type's).

    ## Why is this bad?
    Datumaro aborts the import on an unknown value (0 raises a `TypeError`, 3 a
    `NotImplementedError`, others a `ValueError`) and on items whose media is not of the declared
    type (`MediaTypeError`).

    ## Example
    ```json
    {"dm_format_version": "1.0", "media_type": 6, "items": [{"id": "a", "image": {"path": "a.jpg"}}]}
    ```
    Point clouds are declared, but the item holds an image: use `"media_type": 2`.
    """

    code = "DL405"
    name = "media-type-mismatch"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_media_type, "
            "JsonReader._load_items",
            "0 TypeError, 3 NotImplementedError, 42/'image' ValueError, 5 or 6 with image items "
            "MediaTypeError.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_media_type, "
            "JsonReader._load_items",
            "Same, except that a file with no dm_format_version key takes the media type from its items.",
        ),
    )
    scope = Scope.ITEM
    claims: ClassVar[tuple[str, ...]] = ("/media_type",)

    def __init__(self) -> None:
        self._misfits = 0
        self._first: tuple[int, str] | None = None
        self._kinds: set[str] = set()

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        value = failure.instance
        crash = _CRASHES.get(value) if isinstance(value, int) and not isinstance(value, bool) else None
        known = ", ".join(f"{code} ({name})" for code, (name, _) in MEDIA_TYPES.items())
        error = crash or "ValueError"
        return f"unknown media_type {short(value)}: Datumaro aborts the import ({error}); use {known}"

    @staticmethod
    def _declared(data: dict[str, Any]) -> Any:
        """The media type the items are checked against (None: not checked)."""
        return data.get("media_type")

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        media_type = self._declared(ctx.file.data)
        declared = MEDIA_TYPES.get(media_type) if type(media_type) is int else None
        if declared is None:
            return ()
        present = [key for key in MEDIA_KEYS if node.get(key) is not None]
        if present:
            self._kinds.add(present[0])
            if present[0] not in declared[1]:
                self._misfits += 1
                self._first = self._first or (ctx.item_index, present[0])
        return ()

    def _items(self) -> str:
        """The misfit items, as messages say them."""
        assert self._first is not None
        index, key = self._first
        return f"{self._misfits} item{'s' if self._misfits > 1 else ''} (item {index} has {key})"

    def finish(self, ctx: Context) -> Iterable[Finding]:
        if self._first is None:
            return ()
        media_type = ctx.file.data["media_type"]
        return (
            Finding(
                "/media_type",
                f"media_type {media_type} ({MEDIA_TYPES[media_type][0]}) does not fit the media of "
                f"{self._items()}; Datumaro aborts the import (MediaTypeError)",
            ),
        )

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        media_type = ctx.file.data.get("media_type")
        declared = MEDIA_TYPES.get(media_type) if type(media_type) is int else None
        if declared is None or "image" in declared[1]:
            return table.none()  # (the decode takes items with an image or no media)
        return table.item_rows([i for i, image in enumerate(table.images) if hasattr(image, "path")])


class UndeclaredMediaType(MediaTypeMismatch):
    """A file without `media_type` holds media other than images.

    ## What it does
    Checks the items of a file that declares no `media_type` (a legacy file, or a 1.0 file written
    before Datumaro 1.4) against images, the media readers take such a file to hold, and reports
    point clouds or videos, once per file.

    ## Why is this bad?
    Mainline Datumaro takes the media to be images and aborts the import (`MediaTypeError`). CVAT's
    fork takes the media type from the items in a file without `dm_format_version` either, and reads
    it; with `dm_format_version`, it fails as mainline does.

    ## Example
    ```json
    {"info": {}, "categories": {}, "items": [{"id": "a", "point_cloud": {"path": "a.pcd"}}]}
    ```
    Declare `"media_type": 6`.

    ## Fix safety
    When every item holds the same kind of media, the fix declares its `media_type`. Checked for a
    reader that fails on the file (mainline Datumaro; CVAT too when the file has
    `dm_format_version`), the fix is safe: it is what that reader needs, and every reader reads the
    declared type as the items' own. Checked for CVAT alone on a file CVAT reads already, it is
    unsafe: it repairs no targeted reader and marks a legacy file as a 1.0 file.
    """

    code = "DL605"
    name = "undeclared-media-type"
    readers = by_reader(datumaro=_UNDECLARED, cvat=_UNDECLARED_LEGACY)
    severity = Severity.WARNING
    scope = Scope.ITEM
    fix = FixAvailability.UNSAFE
    claims = ()

    @staticmethod
    def _declared(data: dict[str, Any]) -> Any:
        return None if "media_type" in data else IMAGE

    def finish(self, ctx: Context) -> Iterable[Finding]:
        if self._first is None:
            return ()
        index, key = self._first
        message = (
            f"no media_type: Datumaro takes the media to be images, which does not fit the media of "
            f"{self._items()}, and aborts the import (MediaTypeError)"
        )
        cvat = _UNDECLARED_VERSIONED if "dm_format_version" in ctx.file.data else _UNDECLARED_LEGACY
        readers = by_reader(datumaro=_UNDECLARED, cvat=cvat)
        fit = [code for code, (_, keys) in MEDIA_TYPES.items() if code != 1 and self._kinds <= set(keys)]
        fix = None
        if fit:
            edit = Edit("add", "/media_type", fit[0])
            repaired = frozenset(reader for reader, claim in readers.items() if claim.reading.breaks)
            title = f"declare media_type {fit[0]} ({MEDIA_TYPES[fit[0]][0]})"
            fix = Fix(title, Applicability.UNSAFE, (edit,), safe_for=repaired)
        return (Finding(f"/items/{index}/{key}", message, fix, readers),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        # every item's media decides the fix on offer: without media_type, every row is read
        return table.all() if "media_type" not in ctx.file.data else table.none()


class MissingMediaFile(Rule):
    """A media file that the item names is not in the dataset.

    ## What it does
    When the dataset carries media (an `images/` folder beside `annotations/`, or such members in
    the archive), looks each item's image up where Datumaro does: `images/<subset>/<path>`, then
    `images/<path>`; point clouds in `point_clouds/<subset>/`, videos in `videos/<subset>/`. A
    media file that is a symbolic link to nothing, in a loop, or out of the dataset folder is
    never read, and reported here with the reason.

    ## Why is this bad?
    Datumaro imports the item anyway and fails only when the media is read, deep inside training
    or conversion; CVAT cannot match the item to a frame.

    ## Example
    ```json
    {"id": "img_7", "image": {"path": "img_7.jpg", "size": [480, 640]}}
    ```
    with no `images/train/img_7.jpg` in the dataset.
    """

    code = "DL407"
    name = "missing-media-file"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/media.py: ImageFromFile",
            "Imports; has_data False and data None.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: match_dm_item",
            "Task/job annotation import matches by item id, not by file.",
        ),
    )
    scope = Scope.ITEM

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        dataset = ctx.file.dataset
        store = dataset.media if dataset is not None else None
        if store is None:
            return ()
        findings = []
        for key, folder, field in (("image", "images", "path"), ("point_cloud", "point_clouds", "path")):
            value = node.get(key)
            path = value.get(field) if isinstance(value, dict) else None
            if not isinstance(path, str) or path_problem(path) or not store.carries(folder):
                continue  # an unsafe path is reported by unsafe-media-path, never looked up
            if locate(store, folder, ctx.file.subset, path) is None:
                findings.append(Finding(f"/{key}/{field}", _missing(store.refused(), key, folder, ctx, path)))
        return findings

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return image_rows(cls(), table, ctx)


def _missing(refused: dict[str, str], key: str, folder: str, ctx: Context, path: str) -> str:
    """Why an item's media file is not there: absent, or present but refused (a broken link...)."""
    for candidate in (f"{folder}/{ctx.file.subset}/{path}", f"{folder}/{path}"):
        if candidate in refused:
            return f"{key} file {candidate} is not used: {refused[candidate]}"
    return f"{key} file not found: {folder}/{ctx.file.subset}/{path}"


class ImageSizeMismatch(Rule):
    """`image.size` differs from the size of the image file.

    ## What it does
    When the dataset carries its images, reads the width and height from each image file's header
    (never the pixels) and compares them with `image.size`, which is `[height, width]`.

    ## Why is this bad?
    Every geometry and every mask is placed against `image.size`; a wrong or swapped size makes
    masks decode at the wrong shape and boxes land in the wrong place, silently.

    ## Example
    ```json
    {"id": "img_1", "image": {"path": "img_1.jpg", "size": [640, 480]}}
    ```
    for a file 640 pixels wide and 480 high: the size is swapped, write `[480, 640]`.
    """

    code = "DL408"
    name = "image-size-mismatch"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/media.py: Image.__init__",
            "The declared [7,5] is returned as size while the data is 5x7; nothing checks it.",
        ),
        cvat=Claim(
            Reading.READS,
            "cvat/apps/dataset_manager/bindings.py: CommonData._init_frame_info",
            "CVAT uses its own frame sizes; image.size is not used on import.",
        ),
    )
    scope = Scope.ITEM

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        dataset = ctx.file.dataset
        store = dataset.media if dataset is not None else None
        declared = declared_size(node)
        image = node.get("image")
        if store is None or declared is None or not isinstance(image, dict):
            return ()
        path = image.get("path")
        found = locate(store, "images", ctx.file.subset, path) if isinstance(path, str) else None
        real = store.header_size(found) if found is not None else None
        if real is None or real == declared:
            return ()
        swapped = "; it is swapped: sizes are [height, width]" if real == declared[::-1] else ""
        return (
            Finding(
                "/image/size", f"image size {list(declared)} differs from the file's {list(real)}{swapped}"
            ),
        )

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return image_rows(cls(), table, ctx)


def image_rows(rule: Rule, table: Table, ctx: Context) -> Rows:
    """The rows where ``rule`` reports on the item's image, by the check itself, where the dataset
    carries images (elsewhere these rules look up nothing)."""
    dataset = ctx.file.dataset
    if dataset is None or dataset.media is None or not dataset.media.carries("images"):
        return table.none()
    found = []
    for index, image in enumerate(table.images):
        if not hasattr(image, "path"):
            continue
        path, size = image.path, image.size
        node: dict[str, Any] = {"path": path} if path is None or type(path) is str else {}
        if type(size) is tuple:
            node["size"] = list(size)
        if rule.check({"image": node}, Context(ctx.file, item_index=index)):
            found.append(index)
    return table.item_rows(found)
