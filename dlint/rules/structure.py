"""File-level rules: the file is read and parses (checked by the parser, see :mod:`dlint.parsecheck`),
and matches its dialect's JSON Schema (checked by the engine)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Severity
from dlint.readers import Claim, Reader, Reading, by_reader
from dlint.rules.base import Rule, Scope

if TYPE_CHECKING:
    from dlint.validation import SchemaFailure


class InvalidJson(Rule):
    """The file is not valid JSON.

    ## What it does
    Reports a file that the JSON parser rejects, at the line and column where parsing stopped, and
    names the problem: an empty file (or only white space), a file that ends before its value is
    complete (a truncated download or copy), text that is not JSON at all, `NaN` or `Infinity`
    (which Python's `json` module writes but JSON does not have), content after the value (two
    documents in one file), a trailing comma, a control character in a string; and text that is not
    UTF-8: a byte order mark, UTF-16 or UTF-32 (recognised by its null bytes), or bytes that are not
    valid UTF-8 (at the first of them).

    ## Why is this bad?
    Nothing can read the file: Datumaro's importer (and any platform using it) fails on the whole
    dataset, usually with a message that does not name the position. A file with `NaN` is worse:
    Datumaro reads it, most other JSON readers refuse it. JSON exchanged between tools must be UTF-8
    without a byte order mark (RFC 8259); some editors save UTF-16 or add the mark without telling.

    ## Example
    ```json
    {"categories": {}, "items": [],}
    ```
    A trailing comma is not allowed in JSON; remove it.

    ## Selection
    A file that does not parse could not be checked at all, so this diagnostic is always reported
    as an error: `--ignore`, `per-file-ignores`, severity overrides and baselines do not apply to it.
    """

    code = "DL001"
    name = "invalid-json"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/util/__init__.py: parse_json , called by JsonReader._init_reader",
            "The whole import fails with a JSONDecodeError.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/util/__init__.py: parse_json , via JsonReader._init_reader",
            "Fork also parses with orjson; the import fails as a DatasetImportError (HTTP 400).",
        ),
    )
    scope = Scope.PARSE
    refusal = True


#: What mainline Datumaro does with the points of the shapes whose points it does not check.
_UNCHECKED_POINTS = {
    kind: Claim(Reading.READS, f"datumaro/components/annotation.py: {name}", text)
    for kind, name, text in (
        ("polyline", "PolyLine", "A polyline with too few points is kept as written."),
        ("cuboid_2d", "Cuboid2D", "A cuboid_2d of fewer than 8 vertices is kept as written."),
    )
}
#: What it does with a polyline that has no points at all.
_POINTLESS_POLYLINE = Claim(
    Reading.CORRUPTS,
    "datumaro/components/annotation.py: PolyLine",
    "A polyline without points is read with NaN for its points.",
)


class SchemaViolation(Rule):
    """The file does not match the JSON Schema of its dialect.

    ## What it does
    Validates the whole file against the versioned JSON Schema of its dialect (see `dlint schema`):
    required keys, value types, the fixed shapes of geometries (a `bbox` is 4 numbers, a `cuboid_3d`
    `position` is 3 numbers, a `cuboid_2d` is 8 `[x, y]` pairs), and the allowed annotation types.
    One diagnostic is given per defect, at the most specific location.

    ## Why is this bad?
    Datumaro's importer fails on structural errors, often with a bare `KeyError` or `TypeError` and no
    location; some of them are fatal for the whole dataset, others drop the annotation or item.

    ## Example
    ```json
    {"id": 1, "type": "bbox", "label_id": 0, "bbox": [10, 20, 30]}
    ```
    A box needs four numbers `[x, y, width, height]`.
    """

    code = "DL002"
    name = "schema-violation"
    readers = by_reader(
        datumaro=Claim(
            Reading.FAILS,
            "datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations / _parse_item / "
            "_load_categories",
            "Main case: bbox of 3 numbers, a mask without rle, items as an object: the annotation, item or "
            "whole import fails.",
        ),
        cvat=Claim(
            Reading.FAILS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: JsonReader._load_annotations",
            "Same construction code in the fork; the default error policy re-raises, so CVAT's import fails.",
        ),
    )
    inherent = True  # the schema is the format: a file outside it is wrong whoever reads it
    scope = Scope.SCHEMA

    @classmethod
    def readers_of(cls, failure: SchemaFailure, document: Any) -> Mapping[Reader, Claim] | None:
        tokens = failure.target.split("/")
        if len(tokens) != 6 or tokens[1:4:2] != ["items", "annotations"] or tokens[5] != "points":
            return None
        try:
            annotation = document["items"][int(tokens[2])]["annotations"][int(tokens[4])]
            kind = annotation.get("type")
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            return None
        if kind not in _UNCHECKED_POINTS:
            return None
        claim = (
            _POINTLESS_POLYLINE
            if kind == "polyline" and "points" not in annotation
            else _UNCHECKED_POINTS[kind]
        )
        return by_reader(datumaro=claim, cvat=cls.readers[Reader.CVAT])


class DuplicateKey(Rule):
    """An object has the same key twice.

    ## What it does
    Reports every repeated key of an object, at the repeated occurrence, with the line and column of
    the first one. Keys are compared as decoded text, so `"id"` and `"\\u0069d"` are the same key.
    `dlint check` looks for repeated keys in files up to `limits.duplicate-key-scan` (16 MiB by
    default: the search costs about as much as the parse); `dlint fix` always looks before it
    rewrites a file.

    ## Why is this bad?
    JSON does not say which value counts. Datumaro, dlint and most parsers keep the last one, some
    keep the first, some refuse the file: the same file means different things to different tools,
    and a check passed by one value does not vouch for the other. Rewriting the file (as any fix
    does) silently drops all but one value.

    ## Example
    ```json
    {"id": 1, "type": "bbox", "label_id": 0, "label_id": 7, "bbox": [0, 0, 4, 4]}
    ```
    Keep one `label_id`. `dlint fix` leaves a file with repeated keys as it is.
    """

    code = "DL004"
    name = "duplicate-key"
    readers = by_reader(
        datumaro=Claim(
            Reading.CORRUPTS,
            "datumaro/util/__init__.py: parse_json",
            "Keeps the last value silently (label_id 0 then 2 read as 2).",
        ),
        cvat=Claim(
            Reading.CORRUPTS,
            "CVAT's fork: datumaro/util/__init__.py: parse_json",
            "Same orjson parser; it keeps the last value.",
        ),
    )
    scope = Scope.PARSE


class HugeInteger(Rule):
    """An integer is beyond the 64-bit range.

    ## What it does
    Reports an integer literal below -9223372036854775808 or above 18446744073709551615, the range
    every fast JSON parser (dlint's included) reads exactly.

    ## Why is this bad?
    dlint, Datumaro (which parses with orjson), CVAT, JavaScript and many other readers turn such a
    number into a float and lose its last digits: an id or a frame number silently changes. Python's
    `json` module reads it exactly, which makes the file mean different things to different tools.

    ## Example
    ```json
    {"id": 1, "type": "label", "label_id": 0, "attributes": {"track": 123456789012345678901234}}
    ```
    Store such identifiers as strings. `dlint fix` leaves a file with such integers as it is, since
    it could not write the number back exactly.
    """

    code = "DL005"
    name = "huge-integer"
    readers = by_reader(
        datumaro=Claim(
            Reading.CORRUPTS,
            "datumaro/util/__init__.py: parse_json",
            "orjson reads integers beyond the 64-bit range as floats (123456789012345678901234 -> "
            "1.2345678901234569e+23); values up to 2^64-1 are exact.",
        ),
        cvat=Claim(
            Reading.CORRUPTS,
            "CVAT's fork: datumaro/util/__init__.py: parse_json ; cvat/apps/dataset_manager/bindings.py: "
            "import_dm_annotations",
            "Same orjson float conversion; CVAT then stores str() of the float.",
        ),
    )
    severity = Severity.WARNING
    scope = Scope.PARSE


class RefusedInput(Rule):
    """The file or archive is refused: it exceeds a limit, or reading it is unsafe.

    ## What it does
    Reports an input that dlint does not read, and why, in one line:

    - a file larger than `limits.max-file-size` (2 GiB by default), on disk or inside an archive;
    - nesting of arrays and objects deeper than `limits.max-depth` (128 by default);
    - an archive with more members than `limits.max-archive-members` (checked before its directory
      is read), a member that inflates more than `limits.max-expansion-ratio` times its compressed
      size, or overlapping members (zip bombs);
    - an archive member whose name escapes the archive (`..`, an absolute path, a drive letter) or
      holds a control character, a symbolic link, two members of the same name: the archive is
      refused as a whole;
    - an encrypted or corrupt member (bad checksum, truncated, inflating beyond its declared size,
      an unsupported compression method);
    - an annotation file reached through a symbolic link that leads out of its dataset folder (the
      working directory does not matter), to nothing or round in a loop, or that is not a regular
      file (a pipe, a socket, a device), or that cannot be read;
    - an integer too large even for a 64-bit float (a file that no fast JSON reader can read).

    Nothing is ever extracted to disk, and memory stays bounded by the limits.

    ## Why is this bad?
    Such inputs exhaust memory or time, or make tools write outside the folder they unpack to.
    Datumaro's importer extracts archives before reading them.

    ## Example
    An archive `upload.zip` holding `../../.bashrc` next to `annotations/default.json` is refused:
    unpacking it would write outside the dataset. Raise a limit in the configuration when a real
    dataset exceeds it (see the README).

    ## Selection
    What was refused was not checked, so this diagnostic is always reported as an error:
    `--ignore`, `per-file-ignores`, severity overrides and baselines do not apply to it.
    """

    code = "DL006"
    name = "refused-input"
    scope = Scope.PARSE
    refusal = True


#: The rules reported by the parser and the readers, by code.
PARSE_RULES: dict[str, type[Rule]] = {
    rule.code: rule for rule in (InvalidJson, DuplicateKey, HugeInteger, RefusedInput)
}
