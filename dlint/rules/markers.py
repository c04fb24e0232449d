"""Dialect markers: keys of one dialect found in a file of another, which Datumaro ignores or misreads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Finding, Fix, Severity
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
    severity = Severity.WARNING
    scope = Scope.DOCUMENT
    fix = FixAvailability.SAFE

    def check(self, node: Any, ctx: Context) -> Iterable[Finding]:
        data = ctx.file.data
        if ctx.file.dialect not in VERSIONED or "info" not in data:
            return ()
        message = 'legacy "info" in a 1.0 file: Datumaro ignores it and reads only "infos"'
        infos = data.get("infos")
        if infos not in (None, {}) and infos != data["info"]:
            return (Finding("/info", message),)
        edits = (Edit("remove", "/info"), Edit("add", "/infos", data["info"]))
        return (Finding("/info", message, Fix('move "info" to "infos"', Applicability.SAFE, edits)),)


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
