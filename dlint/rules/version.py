"""The format version marker."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dlint.diagnostics import Applicability, Edit, Fix, Severity
from dlint.readers import Claim, Reader, Reading, by_reader
from dlint.rules.base import FixAvailability, Rule, Scope
from dlint.rules.messages import describe

if TYPE_CHECKING:
    from dlint.validation import SchemaFailure

FORMAT_VERSION = "1.0"
#: What the readers do with a version of letters and digits alone: the pattern matches it, and the
#: version parse that follows always fails.
_REFUSED = by_reader(
    datumaro=Claim(
        Reading.FAILS,
        "datumaro/plugins/data_formats/datumaro/base.py: DatumaroBase._get_dm_format_version",
        "It aborts the import with Invalid version string.",
    ),
    cvat=Claim(
        Reading.FAILS,
        "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: DatumaroBase._get_dm_format_version",
        "The fork uses the same pattern and fails alike.",
    ),
)


class UnknownFormatVersion(Rule):
    """`dm_format_version` is not `"1.0"`.

    ## What it does
    Checks that a file that declares a format version declares the only one that exists, the string
    `"1.0"`. The version is read from the parsed top level, wherever the key stands in the file.

    ## Why is this bad?
    A wrong marker means the file was not written by a Datumaro-compatible writer, or was edited by
    hand. What readers make of it depends on the value. Datumaro's own check looks only at the first
    kilobyte with a pattern that never matches a dotted value, not even `"1.0"`: `"2.0"`, `"1.1"` or
    an integer `1` are read exactly as `"1.0"` is (a warning), while a value of letters and digits
    alone, `"2"` or `"v2"`, aborts the whole import with `Invalid version string`, in mainline
    Datumaro and in CVAT's fork alike (an error).

    ## Example
    ```json
    {"dm_format_version": "2.0", "categories": {}, "items": []}
    ```
    Use `"dm_format_version": "1.0"`.

    ## Fix safety
    The fix writes `"1.0"`: a safe fix where readers read the file as `"1.0"` already (`"2.0"`,
    `"1.1"`, `1`), an unsafe one where they refuse it (`"2"`, `"v2"`: the file may come from a writer
    that meant something else).
    """

    code = "DL003"
    name = "unknown-format-version"
    severity = Severity.WARNING  # an error for the values readers refuse (see readers_of)
    readers = by_reader(
        datumaro=Claim(
            Reading.READS,
            "datumaro/plugins/data_formats/datumaro/base.py: DatumaroBase._get_dm_format_version",
            'Its pattern never matches a dotted value, not even "1.0": such a file is read like any other.',
        ),
        cvat=Claim(
            Reading.READS,
            "CVAT's fork: datumaro/plugins/data_formats/datumaro/base.py: "
            "DatumaroBase._get_dm_format_version, JsonReader._load_dm_format_version",
            'The fork reads such a file as it reads "1.0".',
        ),
    )
    scope = Scope.SCHEMA
    claims = ("/dm_format_version",)
    fix = FixAvailability.SAFE

    @classmethod
    def repair(cls, failure: SchemaFailure, document: Any) -> Fix | None:
        """Write the only version there is: safe where readers read the file as "1.0" already,
        unsafe where they refuse it (the file may come from a writer that meant something else)."""
        edits = (Edit("replace", "/dm_format_version", FORMAT_VERSION),)
        refused = cls.readers_of(failure, document) is not None
        applicability = Applicability.UNSAFE if refused else Applicability.SAFE
        return Fix(f'write the format version "{FORMAT_VERSION}"', applicability, edits)

    @classmethod
    def readers_of(cls, failure: SchemaFailure, document: Any) -> Mapping[Reader, Claim] | None:
        version = failure.instance
        return _REFUSED if isinstance(version, str) and re.fullmatch(r"\w+", version) else None

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        version = failure.instance
        if isinstance(version, str):
            return f'unknown format version "{version}"; the only format version is "{FORMAT_VERSION}"'
        return f'malformed format version: expected the string "{FORMAT_VERSION}", got {describe(version)}'
