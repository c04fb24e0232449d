"""How rules name what they report on: a JSON value rendered short (:func:`short`), with its type
(:func:`describe`), and the thing a pointer designates (:func:`subject`). The schema's messages are
said the same way (see :mod:`dlint.validation`)."""

from __future__ import annotations

from typing import Any

import orjson

_TYPE_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


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
    """A value rendered as JSON, cut to ``limit`` characters; only the beginning of a long value is
    rendered, so the cost is bounded by ``limit`` however big the value."""
    text = _head(value, limit + 1)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _head(value: Any, size: int) -> str:
    """At least the first ``size`` characters of a value's JSON rendering (all of it when shorter)."""
    if isinstance(value, str):
        return orjson.dumps(value[:size]).decode()[: size + 1] if len(value) > size else _dumps(value)
    if isinstance(value, (list, dict)):
        opening, closing = ("[", "]") if isinstance(value, list) else ("{", "}")
        parts, length = [], 1
        for entry in value if isinstance(value, list) else value.items():
            part = _head(entry, size) if isinstance(value, list) else _member(entry, size)
            parts.append(part)
            length += len(part) + 1
            if length > size:
                return opening + ",".join(parts)
        return opening + ",".join(parts) + closing
    return _dumps(value)


def _member(entry: tuple[Any, Any], size: int) -> str:
    key = _head(str(entry[0]), size)
    return key if len(key) > size else f"{key}:{_head(entry[1], size - len(key))}"


def _dumps(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        try:
            return repr(value)[:1000]
        except ValueError:  # an integer too long to convert to text
            return "…"
