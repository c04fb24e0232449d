"""Schema validation, the engine's first step: one failure per defect, at the most specific pointer.

Failures are routed to rules by the pointer they concern: a rule that ``claims`` a location reports
the schema's verdict there under its own code, with its own message (for example the format version,
DL003); everything else is reported as DL002, schema-violation. The schema is the only judge of
structure either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlint.diagnostics import escape_pointer_token, join_pointer
from dlint.rules.messages import describe, short, subject
from dlint.schemas import item_validator, validator

#: Schema keywords whose failure already says all about the node: errors inside it are a cascade.
_SHAPE_KEYWORDS = frozenset({"type", "minItems", "maxItems", "enum", "const"})


@dataclass(frozen=True)
class SchemaFailure:
    """One schema error: where, which keyword failed, the offending value and a readable message."""

    pointer: str
    #: The pointer of the missing key for ``required`` errors, else ``pointer``: what rules claim.
    target: str
    keyword: str
    instance: Any
    message: str


def compiled(dialect: str) -> None:
    """Compile the dialect's validators now (the first compile imports the validating library)."""
    validator(dialect)
    item_validator(dialect)


def schema_failures(document: Any, dialect: str) -> list[SchemaFailure]:
    """Validate with the dialect's compiled schema; at most one failure per location, no cascades."""
    return _failures(validator(dialect), document, "", document)


def item_failures(item: Any, index: int, dialect: str) -> list[SchemaFailure]:
    """Validate one entry of ``items`` (at ``index``) as :func:`schema_failures` would within its file."""
    return _failures(item_validator(dialect), item, f"/items/{index}", {"items": {index: item}})


def _failures(compiled: Any, instance: Any, prefix: str, document: Any) -> list[SchemaFailure]:
    if compiled.is_valid(instance):
        return []
    found: dict[str, SchemaFailure] = {}
    for error in compiled.iter_errors(instance):
        pointer = prefix + join_pointer(*error.instance_path)
        kind = error.kind
        target = pointer + "/" + escape_pointer_token(kind.property) if kind.name == "required" else pointer
        if target not in found:
            found[target] = SchemaFailure(
                pointer, target, kind.name, error.instance, _message(error, pointer, document)
            )
    shapes = {f.pointer for f in found.values() if f.keyword in _SHAPE_KEYWORDS}
    return [f for f in found.values() if not _inside(f.pointer, shapes)]


def _inside(pointer: str, containers: set[str]) -> bool:
    """Whether a pointer lies strictly inside one of ``containers``: its ancestors are looked up, so
    the cost is the pointer's depth, whatever the number of containers."""
    cut = pointer.rfind("/")
    while cut >= 0:
        if pointer[:cut] in containers:
            return True
        cut = pointer.rfind("/", 0, cut)
    return False


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
