"""File-level rules: the file parses, and matches its dialect's JSON Schema."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import orjson

from dlint.diagnostics import Finding, join_pointer
from dlint.rules.base import Context, Rule, Scope
from dlint.schemas import validator

#: Schema keywords whose failure already says all about the node: errors inside it are a cascade.
_SHAPE_KEYWORDS = frozenset({"type", "minItems", "maxItems", "enum", "const"})
_TYPE_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


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
    scope = Scope.DOCUMENT

    def check(self, node: Any, ctx: Context) -> Iterable[Finding]:
        compiled = validator(ctx.file.dialect)
        if compiled.is_valid(node):
            return ()
        claimed = _claimed_pointers()
        found: dict[str, tuple[str, str]] = {}
        for error in compiled.iter_errors(node):
            pointer = join_pointer(*error.instance_path)
            if pointer not in found and not (claimed and claimed.fullmatch(pointer)):
                found[pointer] = (error.kind.name, _message(error, pointer, node))
        shapes = [p for p, (kind, _) in found.items() if kind in _SHAPE_KEYWORDS]
        return [
            Finding(pointer, message)
            for pointer, (_, message) in found.items()
            if not any(pointer.startswith(shape + "/") for shape in shapes)
        ]


def _claimed_pointers() -> re.Pattern[str] | None:
    """Locations whose schema errors another rule reports itself, with a better message."""
    from dlint.rules import ALL_RULES

    patterns = [p for rule in ALL_RULES for p in getattr(rule, "claims", ())]
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _message(error: Any, pointer: str, document: Any) -> str:
    kind = error.kind
    name = kind.name
    instance = error.instance
    if name == "type":
        detail = f"expected {' or '.join(kind.types)}, got {describe(instance)}"
    elif name == "required":
        detail = f'missing required key "{kind.property}"'
    elif name == "enum":
        allowed = ", ".join(short(option) for option in kind.options)
        detail = f"{short(instance)} is not one of {allowed}"
    elif name == "const":
        detail = f"expected {short(kind.expected_value)}, got {short(instance)}"
    elif name in ("minItems", "maxItems"):
        bound = "at least" if name == "minItems" else "at most"
        detail = f"expected {bound} {kind.limit} items, got {len(instance)}"
    elif name == "pattern":
        detail = f"{short(instance)} is not an allowed value"
    else:
        detail = error.message if len(error.message) < 200 else error.message[:200] + "…"
    return f"{subject(pointer, document)}: {detail}"


def subject(pointer: str, document: Any) -> str:
    """A short name for what a pointer designates, e.g. ``bbox annotation`` or ``image.size``."""
    tokens = pointer.split("/")[1:]
    if not tokens:
        return "top level"
    if tokens[0] == "items" and len(tokens) >= 4 and tokens[2] == "annotations":
        if len(tokens) == 4:
            kind = _annotation_type(document, tokens)
            return f"{kind} annotation" if kind else "annotation"
        return ".".join(tokens[4:])
    if tokens[0] == "items" and len(tokens) >= 2:
        return "item" if len(tokens) == 2 else ".".join(tokens[2:])
    return ".".join(tokens)


def _annotation_type(document: Any, tokens: list[str]) -> str | None:
    try:
        kind = document["items"][int(tokens[1])]["annotations"][int(tokens[3])].get("type")
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
    return kind if isinstance(kind, str) else None


def describe(value: Any) -> str:
    """A JSON type name and a short rendering of a value, for messages."""
    kind = _TYPE_NAMES.get(type(value)) or ("integer" if isinstance(value, int) else "number")
    return kind if kind in ("object", "array", "null") else f"{kind} {short(value)}"


def short(value: Any, limit: int = 40) -> str:
    """A value rendered as JSON, cut to ``limit`` characters."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
