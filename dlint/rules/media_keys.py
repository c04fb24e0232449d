"""Rules on the media an item declares: image sizes and media paths."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding
from dlint.readers import Claim, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope, is_int
from dlint.rules.items import SUSPICIOUS_PATHS, path_problem
from dlint.rules.messages import short

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table
    from dlint.validation import SchemaFailure


class InvalidImageSize(Rule):
    """`image.size` is not two positive integers.

    ## What it does
    Checks that `image.size` is `[height, width]` with both values above zero (its shape, two
    integers, is checked by the schema).

    ## Why is this bad?
    Datumaro drops the item (or aborts the import) on a zero or negative size, and every geometry
    check against the image needs a real size.

    ## Example
    ```json
    {"id": "a", "image": {"path": "a.jpg", "size": [0, 640]}}
    ```
    """

    code = "DL404"
    name = "invalid-image-size"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/media.py: Image.__init__",
            "[0,7], [-5,7] and [5,7,3] give 'Invalid image size info' (item error).",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/media.py: Image.__init__",
            "Same assertion in the fork.",
        ),
    )
    scope = Scope.ITEM
    claims = (r"/items/\d+/image/size",)

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        return f"image size {short(failure.instance)} must be two positive integers [height, width]"

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        image = node.get("image")
        size = image.get("size") if isinstance(image, dict) else None
        if not isinstance(size, list) or len(size) != 2 or not all(is_int(v) for v in size):
            return ()
        if size[0] > 0 and size[1] > 0:
            return ()
        return (
            Finding("/image/size", f"image size {short(size)} must be two positive integers [height, width]"),
        )

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return table.none()  # the decode takes only positive image sizes


class UnsafeMediaPath(Rule):
    """A media path is absolute, drive-prefixed or contains `..`.

    ## What it does
    Checks the paths of `image`, `point_cloud`, `related_images`, `video_frame`, `video` and
    `media`: they must be relative to the dataset's media folders and stay inside them.

    ## Why is this bad?
    Datumaro 1.13 refuses such paths (`Resulting path escapes base directory`) unless told to allow
    external media; older versions read files from anywhere on the machine. Exports made without
    saving media keep absolute paths of the exporting machine, which mean nothing elsewhere.

    ## Example
    ```json
    {"id": "a", "image": {"path": "/home/me/data/a.jpg", "size": [480, 640]}}
    ```
    """

    code = "DL406"
    name = "unsafe-media-path"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._parse_item",
            "'..' and absolute paths give an item error.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._parse_item",
            "The fork has no containment check.",
        ),
    )
    scope = Scope.ITEM

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        image = node.get("image")
        path = image.get("path") if type(image) is dict else None
        if (path is None or (type(path) is str and not _suspicious(path))) and _OTHER_MEDIA.isdisjoint(node):
            return ()  # the common case: a plain relative image path, nothing else to look at
        findings = []
        for pointer, path in _media_paths(node):
            problem = path_problem(path)
            if problem:
                readers = _UNRESOLVED.get(pointer.split("/")[1])
                findings.append(Finding(pointer, f"media path {short(path)} {problem}", readers=readers))
        return findings

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        paths = [getattr(image, "path", None) for image in table.images]
        if not SUSPICIOUS_PATHS.search("\x00" + "\x00".join(p for p in paths if type(p) is str)):
            return table.none()
        return table.item_rows([i for i, path in enumerate(paths) if type(path) is str and _suspicious(path)])


_OTHER_MEDIA = frozenset({"point_cloud", "video", "media", "video_frame", "related_images"})


def _suspicious(path: str) -> bool:
    """A cheap superset of the paths :func:`path_problem` rejects."""
    return path[:1] in ("/", "\\") or ".." in path or path[1:2] == ":"


#: What the readers do with the path of generic media (the only media of its item).
_GENERIC_PATH = by_reader(
    datumaro=Claim(
        Reading.READS,
        "datumaro/components/media.py: MediaElement.__init__",
        "Generic media keeps no path: it is never resolved.",
    ),
    cvat=Claim(
        Reading.READS,
        "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._parse_item",
        "The fork resolves no media path on import.",
    ),
)
#: What the readers do with related images' paths: they are kept, never checked.
_RELATED_PATH = by_reader(
    datumaro=Claim(
        Reading.READS,
        "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._parse_item",
        "Related images' paths are joined as they are, never checked.",
    ),
    cvat=Claim(
        Reading.READS,
        "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._parse_item",
        "The fork checks no media path.",
    ),
)
#: The media keys whose paths no reader refuses, and what the readers do with them.
_UNRESOLVED = {"media": _GENERIC_PATH, "related_images": _RELATED_PATH}
#: The keys that give an item its media before ``media`` is looked at (then ``media`` is ignored).
_FIRST_MEDIA = ("image", "point_cloud", "video_frame", "video")


def _media_paths(item: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """The media paths of an item that a reader may resolve: not that of ``media`` when another key
    gave the item its media (readers ignore it then; ignored-media-key reports it)."""
    keys = [("image", "path"), ("point_cloud", "path"), ("video", "path")]
    if not any(isinstance(item.get(key), dict) for key in _FIRST_MEDIA):
        keys.append(("media", "path"))
    for key, field in keys:
        value = item.get(key)
        if isinstance(value, dict) and isinstance(value.get(field), str):
            yield f"/{key}/{field}", value[field]
    frame = item.get("video_frame")
    if isinstance(frame, dict) and isinstance(frame.get("video_path"), str):
        yield "/video_frame/video_path", frame["video_path"]
    related = item.get("related_images")
    if isinstance(related, list):
        for index, image in enumerate(related):
            if isinstance(image, dict) and isinstance(image.get("path"), str):
                yield f"/related_images/{index}/path", image["path"]
