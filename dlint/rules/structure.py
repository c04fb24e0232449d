"""File-level rules: the file parses, and matches its dialect's JSON Schema (checked by the engine)."""

from __future__ import annotations

from dlint.rules.base import Rule, Scope


class InvalidJson(Rule):
    """The file is not valid JSON.

    ## What it does
    Reports a file that the JSON parser rejects, at the line and column where parsing stopped.

    ## Why is this bad?
    Nothing can read the file: Datumaro's importer (and any platform using it) fails on the whole
    dataset, usually with a message that does not name the position.

    ## Example
    ```json
    {"categories": {}, "items": [],}
    ```
    A trailing comma is not allowed in JSON; remove it.
    """

    code = "DL001"
    name = "invalid-json"
    scope = Scope.PARSE


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
    scope = Scope.SCHEMA
