"""The annotation type: one that Datumaro's importer of this dialect knows."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dlint.readers import Claim, Reader, Reading, by_reader
from dlint.rules.base import Rule, Scope
from dlint.rules.messages import describe, short
from dlint.schemas import DIALECTS, detect_dialect, load_schema

if TYPE_CHECKING:
    from dlint.validation import SchemaFailure

_DROPPED = "the annotation is dropped or the import aborted"
#: Types of Datumaro's model that its exporter and importer of this format refuse.
_NOT_SERIALISABLE = frozenset({"rotated_bbox", "tabular", "depth_annotation", "super_resolution_annotation"})
#: Types that the legacy dialects predate, and the Datumaro release that introduced them.
_INTRODUCED = {"ellipse": "1.0", "cuboid_2d": "1.10"}


@functools.cache
def type_enums() -> dict[str, tuple[str, ...]]:
    """The annotation types each dialect's schema allows."""
    enums: dict[str, tuple[str, ...]] = {}
    for dialect in DIALECTS:
        try:
            enums[dialect] = tuple(load_schema(dialect)["$defs"]["annotation"]["properties"]["type"]["enum"])
        except (KeyError, TypeError):  # pragma: no cover - every released schema has the enum
            continue
    return enums


def checked_as(failure: SchemaFailure, document: Any) -> str:
    """The dialect whose schema gave an enum failure on a type (its message lists the allowed types)."""
    for dialect, kinds in type_enums().items():
        if failure.message.endswith("is not one of " + ", ".join(short(kind) for kind in kinds)):
            return dialect
    return detect_dialect(document)


#: What mainline Datumaro 1.13.12 does with a type newer than the file's dialect: it never tells
#: dialects apart, and reads the type.
_READ_ANYWAY = Claim(
    Reading.READS,
    "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations",
    "Version 1.13.12 reads every type it knows, whatever the file's markers; older versions fail on it.",
)


class UnsupportedAnnotationType(Rule):
    """An annotation has no `type`, or one that Datumaro cannot read in this dialect.

    ## What it does
    Checks that every annotation has a `type` among those of the file's dialect: `label`, `mask`,
    `points`, `polygon`, `polyline`, `bbox`, `caption` and `cuboid_3d` everywhere, `ellipse` since
    Datumaro 1.0 (`legacy-infos` on), `cuboid_2d` since Datumaro 1.10 (`datumaro-1.0`), and
    `skeleton` in CVAT's files only (`legacy-info`, `cvat-1.0`). The message says why a type is
    refused: a CVAT type checked as mainline Datumaro, a type removed from Datumaro (`hash_key`),
    one that this format cannot store (`rotated_bbox`...), one newer than the dialect, or a typo.

    ## Why is this bad?
    Datumaro looks the type up by name: a missing or unknown type fails with a `KeyError`
    (`NotImplementedError` for the types it cannot store), which drops the annotation or, by
    default, aborts the whole import with no location.

    ## Example
    ```json
    {"id": 1, "type": "rectangle", "label_id": 0, "bbox": [0, 0, 4, 3]}
    ```
    A box is `"type": "bbox"`.
    """

    code = "DL206"
    name = "unsupported-annotation-type"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations",
            "KeyError for unknown/missing/skeleton/hash_key; NotImplementedError for rotated_bbox/tabular.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations",
            "An unknown type is refused; the fork reads skeleton, which CVAT's dialects allow.",
        ),
    )
    scope = Scope.SCHEMA
    claims = (r"/items/\d+/annotations/\d+/type",)

    @classmethod
    def readers_of(cls, failure: SchemaFailure, document: Any) -> Mapping[Reader, Claim] | None:
        kind = failure.instance
        if failure.keyword == "required" or not isinstance(kind, str) or kind not in _INTRODUCED:
            return None
        return by_reader(datumaro=_READ_ANYWAY, cvat=cls.readers[Reader.CVAT])

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        if failure.keyword == "required":
            return f"annotation without a type: Datumaro fails on it (KeyError: 'type'): {_DROPPED}"
        kind = failure.instance
        if not isinstance(kind, str):
            return (
                f"annotation type must be a string naming the type, got {describe(kind)}; "
                f"Datumaro fails on it (KeyError): {_DROPPED}"
            )
        dialect = checked_as(failure, document)
        known = type_enums().get(dialect, ())
        name = short(kind)
        if kind == "skeleton":
            return (
                f"annotation type {name} exists only in CVAT's Datumaro (the file is checked as {dialect}; "
                "--dialect cvat-1.0 checks it as CVAT's): mainline Datumaro fails on it "
                f"(KeyError: 'skeleton'): {_DROPPED}"
            )
        if kind == "hash_key":
            return (
                f"annotation type {name} was removed in Datumaro 1.12, which fails on it "
                f"(KeyError: 'hash_key'; earlier versions skipped it): {_DROPPED}"
            )
        if kind in _NOT_SERIALISABLE:
            return (
                f"annotation type {name} cannot be stored in the Datumaro format: its importer fails on it "
                f"(NotImplementedError): {_DROPPED}"
            )
        if kind in _INTRODUCED:
            return (
                f"annotation type {name} appeared in Datumaro {_INTRODUCED[kind]}, but the file is checked "
                f"as {dialect}, an older dialect whose readers fail on it (KeyError: {kind!r}); if a newer "
                "writer made the file, it has lost its dialect markers (infos, dm_format_version): "
                "restore them, or pin the dialect with --dialect"
            )
        if kind.lower() in known:
            return (
                f"annotation type {name} is not lowercase: Datumaro fails on it (KeyError): {_DROPPED}; "
                f"write {short(kind.lower())}"
            )
        return (
            f"unknown annotation type {name}: Datumaro fails on it (KeyError): {_DROPPED}; "
            f"the types of {dialect} are {', '.join(known)}"
        )
