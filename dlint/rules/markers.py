"""Dialect markers: keys of one dialect found in a file of another, which Datumaro ignores or misreads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Finding, Fix, Severity
from dlint.readers import CVAT_DIALECTS, Claim, Reading, by_reader
from dlint.rules.base import Context, FixAvailability, Rule, Scope
from dlint.rules.messages import short

if TYPE_CHECKING:
    from dlint.columns.table import Rows, Table

VERSIONED = ("datumaro-1.0", "cvat-1.0")
GROUP_TYPES = ("exclusive", "inclusive", "restricted")


class LegacyInfoIn10(Rule):
    """A 1.0 file carries the legacy `info` key.

    ## What it does
    Reports `info` (singular, the legacy CVAT layout) at the top of a file that declares
    `dm_format_version`.

    ## Why is this bad?
    Datumaro reads dataset information only from `infos` in such files and drops `info` silently:
    whatever it holds is lost on the next export.

    ## Example
    ```json
    {"dm_format_version": "1.0", "info": {"author": "me"}, "categories": {}, "items": []}
    ```
    Move the content to `"infos"`.

    ## Fix safety
    When `infos` is absent or empty (or equal to `info`), moving `info` there keeps everything and
    makes Datumaro read it: a safe fix. When both hold different content there is no fix.
    """

    code = "DL601"
    name = "legacy-info-key"
    readers = by_reader(
        datumaro=Claim(
            Reading.CORRUPTS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_infos",
            "info {'author': 'me'} is dropped; infos() is {}.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_infos",
            "Dropped too, but CVAT never uses dataset infos.",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.DOCUMENT
    fix = FixAvailability.SAFE

    def check(self, node: Any, ctx: Context) -> Iterable[Finding]:
        data = ctx.file.data
        if ctx.file.dialect not in VERSIONED or "info" not in data:
            return ()
        message = 'legacy "info" in a 1.0 file: Datumaro ignores it and reads only "infos"'
        readers = _NOTHING_LOST if data["info"] in ({}, None) else None
        infos = data.get("infos")
        if infos not in (None, {}) and infos != data["info"]:
            return (Finding("/info", message, readers=readers),)
        edits = (Edit("remove", "/info"), Edit("add", "/infos", data["info"]))
        fix = Fix('move "info" to "infos"', Applicability.SAFE, edits)
        return (Finding("/info", message, fix, readers),)


#: What the readers do with an empty ``info``: nothing is lost when it is ignored.
_NOTHING_LOST = by_reader(
    datumaro=Claim(
        Reading.READS,
        "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_infos",
        "An empty info holds nothing to lose.",
    ),
    cvat=Claim(
        Reading.READS,
        "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_infos",
        "An empty info holds nothing to lose.",
    ),
)


class IgnoredMediaKey(Rule):
    """A 1.0 item has a `media` key next to its image or point cloud.

    ## What it does
    Reports the generic `media` key on items of 1.0 files that also have `image`, `point_cloud`,
    `video_frame` or `video` (Datumaro 0.4 to 1.0 wrote it on every item; later versions only for
    generic media).

    ## Why is this bad?
    Datumaro uses `media` only when no other media key gave the item its media, so here it is
    ignored: if its path differs from the image's, which one is meant is ambiguous.

    ## Example
    ```json
    {"id": "a", "image": {"path": "a.jpg"}, "media": {"path": "a.jpg"}}
    ```
    """

    code = "DL602"
    name = "ignored-media-key"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._parse_item",
            "The image is used; a different media.path is ignored.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._parse_item",
            "Same code.",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.ITEM

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        if "media" not in node or ctx.file.dialect not in VERSIONED:
            return ()
        other = next(
            (k for k in ("image", "point_cloud", "video_frame", "video") if node.get(k) is not None), None
        )
        if other is None:
            return ()
        return (Finding("/media", f'"media" is ignored next to "{other}" in a 1.0 file'),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return table.none()  # the decode takes items with an image and no other media key


class UppercaseGroupType(Rule):
    """A label group's `group_type` is not written in lower case.

    ## What it does
    Reports `group_type` values such as `"EXCLUSIVE"` that Datumaro accepts case-insensitively
    but never writes.

    ## Why is this bad?
    Older readers and other tools compare the value exactly; Datumaro itself writes lower case, so
    the file is not in the normal form and diffs after a round trip.

    ## Example
    ```json
    {"name": "kind", "group_type": "Exclusive", "labels": ["car", "bus"]}
    ```

    ## Fix safety
    Lower-casing the value changes nothing for Datumaro: a safe fix.
    """

    code = "DL603"
    name = "uppercase-group-type"
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/components/annotation.py: GroupType.from_str",
            "'EXCLUSIVE' is read as exclusive.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/components/annotation.py: GroupType.from_str",
            "Case-insensitive in the fork as well.",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.CATEGORIES
    fix = FixAvailability.SAFE

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        label = node.get("label")
        groups = label.get("label_groups") if isinstance(label, dict) else None
        if not isinstance(groups, list):
            return ()
        findings = []
        for index, group in enumerate(groups):
            value = group.get("group_type") if isinstance(group, dict) else None
            if isinstance(value, str) and value != value.lower() and value.lower() in GROUP_TYPES:
                pointer = f"/label/label_groups/{index}/group_type"
                lower = Fix(
                    "lower-case the group type",
                    Applicability.SAFE,
                    (Edit("replace", pointer, value.lower()),),
                )
                findings.append(Finding(pointer, f"group_type {short(value)} is not lower-case", lower))
        return findings


class CvatSkeletons(Rule):
    """The file holds skeleton annotations, which only CVAT reads.

    ## What it does
    Reports, once per file, the `skeleton` annotations of a file in one of CVAT's dialects
    (`legacy-info`, `cvat-1.0`), where they belong to the format. In the other dialects
    `unsupported-annotation-type` reports each of them.

    ## Why is this bad?
    CVAT, through its fork of Datumaro, reads skeletons; mainline Datumaro has no such type and
    fails on the whole import (`KeyError: 'skeleton'`). Checked for CVAT (the default for CVAT's
    dialects), this is a note that the export cannot go to a Datumaro pipeline as it is; checked for
    Datumaro (`--target datumaro`), it is an error.

    ## Example
    ```json
    {"id": 5, "type": "skeleton", "label_id": 2, "points": [1, 1, 2, 2, 2, 2], "points_attributes": [{}, {}]}
    ```
    """

    code = "DL604"
    name = "cvat-skeletons"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations",
            "Its annotation types have no skeleton: KeyError 'skeleton' fails the import.",
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: "
            "JsonReader._load_skeleton_elements_annotations",
            "The fork reads skeletons and their points.",
        ),
    )
    severity = Severity.INFO
    scope = Scope.ANNOTATION
    annotation_types = frozenset({"skeleton"})

    def __init__(self) -> None:
        self._count = 0
        self._first = ""

    def check(self, node: dict[str, Any], ctx: Context) -> Iterable[Finding]:
        if ctx.file.dialect in CVAT_DIALECTS:
            if not self._count:
                self._first = f"/items/{ctx.item_index}/annotations/{ctx.annotation_index}/type"
            self._count += 1
        return ()

    def finish(self, ctx: Context) -> Iterable[Finding]:
        if not self._count:
            return ()
        many = f"{self._count} skeleton annotations" if self._count > 1 else "a skeleton annotation"
        return (Finding(self._first, f"the file holds {many}, a type of CVAT's alone"),)

    @classmethod
    def columns(cls, table: Table, ctx: Context) -> Rows:
        return table.none()  # the typed decode takes no skeleton: such rows are read precisely
