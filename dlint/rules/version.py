"""The format version marker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dlint.rules.base import Rule, Scope
from dlint.rules.messages import describe

if TYPE_CHECKING:
    from dlint.validation import SchemaFailure

FORMAT_VERSION = "1.0"


class UnknownFormatVersion(Rule):
    """`dm_format_version` is not `"1.0"`.

    ## What it does
    Checks that a file that declares a format version declares the only one that exists, the string
    `"1.0"`. The version is read from the parsed top level, wherever the key stands in the file.

    ## Why is this bad?
    Datumaro's own check is broken: it looks only at the first kilobyte with a pattern that never
    matches `"1.0"`, so `"2.0"`, `"1.1"` or an integer `1` are accepted silently while `"2"` or `"v2"`
    abort the whole import with `Invalid version string`. A wrong marker means the file was not
    written by a Datumaro-compatible writer, or was edited by hand.

    ## Example
    ```json
    {"dm_format_version": "2.0", "categories": {}, "items": []}
    ```
    Use `"dm_format_version": "1.0"`.
    """

    code = "DL003"
    name = "unknown-format-version"
    scope = Scope.SCHEMA
    claims = ("/dm_format_version",)

    @classmethod
    def explain(cls, failure: SchemaFailure, document: Any) -> str:
        version = failure.instance
        if isinstance(version, str):
            return f'unknown format version "{version}"; the only format version is "{FORMAT_VERSION}"'
        return f'malformed format version: expected the string "{FORMAT_VERSION}", got {describe(version)}'
