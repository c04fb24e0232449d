"""Rules on the media an item declares: image sizes and media paths."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding
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
                findings.append(Finding(pointer, f"media path {short(path)} {problem}"))
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


def _media_paths(item: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for key, field in (("image", "path"), ("point_cloud", "path"), ("video", "path"), ("media", "path")):
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
