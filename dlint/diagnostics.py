"""The diagnostic model: immutable records shared by the engine, the reporters and every entry point.

This module imports nothing else of dlint, so that rules, reporters and the API can all depend on it.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dlint.readers import Claim, Reader


class Severity(str, enum.Enum):
    """How bad a diagnostic is; only ``error`` makes ``dlint check`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Applicability(str, enum.Enum):
    """Whether a fix may be applied without asking."""

    #: The dataset means the same afterwards; ``dlint fix`` applies it.
    SAFE = "safe"
    #: It may change what the dataset means; applied only with ``--unsafe-fixes``.
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Edit:
    """One change at a JSON Pointer: ``replace`` or ``add`` a value (``add`` of a missing member,
    or inserted before an array element), or ``remove`` the member or element."""

    op: str
    pointer: str
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"op": self.op, "pointer": self.pointer} | (
            {} if self.op == "remove" else {"value": self.value}
        )

    def moved(self, base: str) -> Edit:
        """The same edit with its pointer made absolute below ``base``."""
        return dataclasses.replace(self, pointer=base + self.pointer)


@dataclass(frozen=True)
class Fix:
    """A repair as data: what it does, how safe it is, and its edits."""

    title: str
    applicability: Applicability
    edits: tuple[Edit, ...]
    #: The readers whose import an unsafe fix repairs: checked for any of them, the fix is safe.
    safe_for: frozenset[Reader] = frozenset()

    def under(self, targets: frozenset[Reader]) -> Fix:
        """This fix as offered to a check for these readers: safe where it repairs a targeted reader."""
        if self.applicability is Applicability.UNSAFE and self.safe_for & targets:
            return Fix(self.title, Applicability.SAFE, self.edits)
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "applicability": self.applicability.value,
            "edits": [edit.as_dict() for edit in self.edits],
        }

    def moved(self, base: str) -> Fix:
        return dataclasses.replace(self, edits=tuple(edit.moved(base) for edit in self.edits))


@dataclass(frozen=True)
class Finding:
    """What a rule reports: a JSON Pointer into the document, a message, and maybe a fix.

    The engine turns findings into :class:`Diagnostic` records by stamping the rule's code, name and
    severity, and the location (file, line, column, subset, item id). Pointers of the finding and of
    its fix's edits are relative to the node the rule visited.
    """

    pointer: str
    message: str
    fix: Fix | None = None
    #: What each reader does with this finding's defect, where it differs from what its rule states
    #: (see :mod:`dlint.readers`).
    readers: Mapping[Reader, Claim] | None = None


@dataclass(frozen=True)
class Location:
    """Where a diagnostic points in its source file (1-based line and column; column in characters)."""

    line: int
    column: int


@dataclass(frozen=True)
class Diagnostic:
    """One defect in one file."""

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    pointer: str
    line: int | None = None
    column: int | None = None
    subset: str | None = None
    item_id: str | None = None
    annotation_id: int | None = None
    fix: Fix | None = field(default=None, compare=False)
    #: The source line around the location, cut to a window, and the caret's column in it.
    excerpt: tuple[str, int] | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``--output-format json``."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "pointer": self.pointer,
            "line": self.line,
            "column": self.column,
            "subset": self.subset,
            "item_id": self.item_id,
            "annotation_id": self.annotation_id,
            "fix": self.fix.as_dict() if self.fix is not None else None,
        }

    def with_owners(self, item_id: str | None, annotation_id: int | None) -> Diagnostic:
        return dataclasses.replace(self, item_id=item_id, annotation_id=annotation_id)

    def with_fix(self, fix: Fix | None) -> Diagnostic:
        return dataclasses.replace(self, fix=fix)

    def with_excerpt(self, excerpt: tuple[str, int]) -> Diagnostic:
        return dataclasses.replace(self, excerpt=excerpt)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Files in order, then by position in the file."""
        return (self.file, self.line or 0, self.column or 0, self.pointer, self.code)


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token of an RFC 6901 JSON Pointer."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(*tokens: str | int) -> str:
    """Build a JSON Pointer from unescaped reference tokens."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


def split_pointer(pointer: str) -> list[str]:
    """Split a JSON Pointer into its unescaped reference tokens ("" is the whole document)."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON Pointer: {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def is_index(token: str) -> bool:
    """A pointer token that is an array index (ASCII digits only)."""
    return token.isascii() and token.isdigit()
