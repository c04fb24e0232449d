"""Rules on items: ids, media keys, image sizes and media paths."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Finding
from dlint.readers import Claim, Reader, Reading, by_reader
from dlint.rules.base import Context, Rule, Scope
from dlint.rules.messages import describe, short

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table
    from dlint.validation import SchemaFailure

#: The keys that give an item its media; Datumaro builds at most one media object per item.
MEDIA_KEYS = ("image", "point_cloud", "video_frame", "video")
_DRIVE = re.compile(r"^[A-Za-z]:")
#: In ids joined by NUL, each preceded by one: a superset of what :func:`path_problem` rejects (and a
#: NUL, which the join would hide).
SUSPICIOUS_PATHS = re.compile(r"\x00(?:[/\\]|.:|\x00)|\.\.", re.DOTALL)


def path_problem(path: str) -> str | None:
    """Why a relative path from a dataset file is unsafe to resolve, or None (``\\`` counts as ``/``)."""
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return "is absolute"
    if _DRIVE.match(posix):
        return "has a drive prefix"
    if ".." in posix.split("/"):
        return 'contains ".."'
    return None


#: What mainline Datumaro does with an item id that is a number, when the image has a path: str().
_NUMBER_ID = Claim(
    Reading.READS,
    "datumaro/components/dataset_base.py: DatasetItem.id",
    "A number becomes its text; only without an image path does the import fail.",
)


class InvalidItemId(Rule):
    """An item id is empty, absolute, drive-prefixed, contains `..`, or is not a string.

    ## What it does
    Checks every item `id` the way Datumaro 1.13 does when it builds the item: a non-empty string
    (a `\\` counts as `/`), relative, without a drive prefix and without `..` segments.

    ## Why is this bad?
    Datumaro validates ids outside its error policy: one bad id aborts the import of the whole
    dataset. Ids also become file names on export, so `..` or an absolute id would escape the
    dataset folder.

    ## Example
    ```json
    {"id": "../outside", "annotations": []}
    ```
    Use a relative id such as `"train/img_001"`.
    """

    code = "DL401"
    name = "invalid-item-id"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/dataset_base.py: DatasetItem.id",
            "Empty, '..', absolute and drive ids are fatal; a missing id is an item error.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/components/dataset_base.py: DatasetItem.id; "
            "cvat/apps/dataset_manager/bindings.py: match_dm_item",
            "The fork checks only non-empty, so '..' and absolute ids load.",
        ),
    )
    scope = Scope.ITEM
    claims = (r"/items/\d+/id",)

    @classmethod
    def readers_of(cls, failure: SchemaFailure, document: Any) -> Mapping[Reader, Claim] | None:
        if type(failure.instance) is not int:
            return None
        try:
            image = document["items"][int(failure.pointer.split("/")[2])].get("image")
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            return None
        named = isinstance(image, dict) and isinstance(image.get("path"), str)
        return by_reader(datumaro=_NUMBER_ID, cvat=cls.readers[Reader.CVAT]) if named else None

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        if failure.keyword == "required":
            return "item without an id: Datumaro fails on it (KeyError: 'id')"
        return f"item id must be a string, got {describe(failure.instance)}"

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        item_id = node.get("id")
        if not isinstance(item_id, str):
            return ()
        if not item_id:
            return (Finding("/id", "empty item id: Datumaro aborts the whole import on it"),)
        problem = path_problem(item_id)
        if problem:
            return (
                Finding("/id", f"item id {short(item_id)} {problem}: Datumaro aborts the whole import on it"),
            )
        return ()

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        ids = table.ids
        joined = "\x00".join(ids)
        if "" not in ids and not SUSPICIOUS_PATHS.search("\x00" + joined):
            return table.none()
        return table.item_rows([i for i, item_id in enumerate(ids) if not item_id or path_problem(item_id)])


class DuplicateItemId(Rule):
    """Two items of one subset file have the same id.

    ## What it does
    Checks that item ids are unique within a subset file, after Datumaro's own normalisation
    (`\\` becomes `/`).

    ## Why is this bad?
    Datumaro refuses the whole dataset (`RepeatedItemError`); tools that key items by id would
    silently merge or drop one of them.

    ## Example
    ```json
    {"items": [{"id": "img_1", "annotations": []}, {"id": "img_1", "annotations": []}]}
    ```
    """

    code = "DL402"
    name = "duplicate-item-id"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/components/dataset_storage.py: DatasetStorage._iter_init_cache",
            "Fatal when the dataset is first iterated (after import_from returns).",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/components/dataset_storage.py: _iter_init_cache",
            "The same check in the fork fires when import_dm_annotations iterates.",
        ),
    )
    scope = Scope.ITEM

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        item_id = node.get("id")
        if not isinstance(item_id, str):
            return ()
        key = item_id.replace("\\", "/")
        first = self._seen.setdefault(key, ctx.item_index)
        if first == ctx.item_index:
            return ()
        return (Finding("/id", f"item id {short(item_id)} is already used by item {first} of this subset"),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return table.none()  # the ids of every item are compared by :meth:`across`

    @classmethod
    def across(cls, ids: list[str]) -> list[int]:
        keys = [item_id.replace("\\", "/") for item_id in ids] if any("\\" in i for i in ids) else ids
        if len(set(keys)) == len(keys):
            return []
        counts = Counter(keys)
        return [i for i, key in enumerate(keys) if counts[key] > 1]


class MultipleMedia(Rule):
    """An item has more than one media key (`image`, `point_cloud`, `video_frame`, `video`).

    ## What it does
    Checks that each item declares at most one kind of media.

    ## Why is this bad?
    An item has one media object. Datumaro refuses an item with both `image` and `point_cloud`
    (`MediaTypeError`), and which one a tool picks otherwise is undefined.

    ## Example
    ```json
    {"id": "a", "image": {"path": "a.jpg"}, "point_cloud": {"path": "a.pcd"}}
    ```
    """

    code = "DL403"
    name = "multiple-media"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._parse_item",
            "MediaTypeError item error for image plus point_cloud, video_frame or video.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._parse_item",
            "Same check in the fork.",
        ),
    )
    scope = Scope.ITEM

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        present = [key for key in MEDIA_KEYS if node.get(key) is not None]
        if len(present) < 2:
            return ()
        return (Finding(f"/{present[1]}", f"item has several media: {', '.join(present)}; an item has one"),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return table.none()  # the decode takes items with an image or no media
