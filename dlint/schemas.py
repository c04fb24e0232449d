"""The catalog of versioned JSON Schemas, dialect detection and compiled validators.

The schema files are the source of truth for structure. They live in ``schemas/`` at the top of the
repository and ship inside the wheel as ``dlint/schemas``. Validation runs through a compiled validator
(jsonschema-rs); the pure-Python ``jsonschema`` package serves the metaschema checks in the tests.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The dialects, in the order ``dlint schema`` lists them.
DIALECTS = ("legacy-info", "legacy-infos", "datumaro-1.0", "cvat-1.0")


@dataclass(frozen=True)
class SchemaEntry:
    """One released schema file."""

    dialect: str
    version: int
    path: str
    id: str
    sha256: str


def schema_root() -> Path:
    """The folder holding ``index.json`` and the schema files (inside the wheel, or the source tree)."""
    packaged = importlib.resources.files("dlint") / "schemas"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "schemas"


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, SchemaEntry]:
    """The latest schema of every dialect, keyed by dialect name."""
    index = json.loads((schema_root() / "index.json").read_text(encoding="utf-8"))
    entries = [SchemaEntry(**entry) for entry in index["schemas"]]
    latest: dict[str, int] = index["latest"]
    return {e.dialect: e for e in entries if latest.get(e.dialect) == e.version}


def schema_text(dialect: str) -> str:
    """The schema file of a dialect, exactly as released."""
    entry = catalog()[dialect]
    return (schema_root() / entry.path).read_text(encoding="utf-8")


@functools.cache
def load_schema(dialect: str) -> dict[str, Any]:
    """The parsed schema of a dialect."""
    schema: dict[str, Any] = json.loads(schema_text(dialect))
    return schema


@functools.cache
def validator(dialect: str) -> Any:
    """A compiled draft 2020-12 validator for a dialect (built once per process)."""
    import jsonschema_rs  # imported by the first validation: a run answered from the cache needs none

    return jsonschema_rs.Draft202012Validator(load_schema(dialect))


@functools.cache
def item_validator(dialect: str) -> Any:
    """A compiled validator of one entry of ``items`` in a dialect (the schema's own definition)."""
    import jsonschema_rs

    schema = load_schema(dialect)
    entry: dict[str, Any] = {key: schema[key] for key in ("$schema", "$id", "$defs") if key in schema}
    entry.update(schema["properties"]["items"]["items"])
    return jsonschema_rs.Draft202012Validator(entry)


def detect_dialect(data: Any, raw: bytes | None = None) -> str:
    """Tell the dialect from the parsed top level (never from a byte prefix).

    ``dm_format_version`` or ``media_type`` mark a 1.0 file, whatever the version's value (a bad value
    is the format-version rule's to report); CVAT's skeleton extension is recognised by a ``skeleton``
    annotation. Files without them are legacy: ``infos`` marks Datumaro's 0.4-1.0 layout, anything else
    (``info``, or neither) the layout of CVAT's exports and of early Datumaro. With the raw text at
    hand, a file in which the word ``"skeleton"`` does not occur is not searched for skeletons.
    """
    if not isinstance(data, dict):
        return "datumaro-1.0"
    if "dm_format_version" in data or "media_type" in data:
        maybe_skeleton = raw is None or b'"skeleton"' in raw
        return "cvat-1.0" if maybe_skeleton and _has_skeleton(data) else "datumaro-1.0"
    return "legacy-infos" if "infos" in data else "legacy-info"


def _has_skeleton(data: dict[str, Any]) -> bool:
    items = data.get("items")
    if not isinstance(items, list):
        return False
    for item in items:
        annotations = item.get("annotations") if isinstance(item, dict) else None
        if isinstance(annotations, list):
            for ann in annotations:
                if isinstance(ann, dict) and ann.get("type") == "skeleton":
                    return True
    return False
