"""The rule registry: one explicit list, in code order.

Codes are grouped by family: DL0xx the file and its structure, DL1xx labels and categories,
DL2xx shape geometry, DL3xx masks.
"""

from __future__ import annotations

from dlint.rules.base import FixAvailability, Rule, Scope
from dlint.rules.geometry import OddCoordinateCount, TooFewVertices, VisibilityMismatch
from dlint.rules.labels import LabelIdOutOfRange, LabelWithoutLabelId
from dlint.rules.masks import InvalidRleCounts, RleSizeMismatch
from dlint.rules.structure import InvalidJson, SchemaViolation
from dlint.rules.version import UnknownFormatVersion

ALL_RULES: tuple[type[Rule], ...] = (
    InvalidJson,
    SchemaViolation,
    UnknownFormatVersion,
    LabelIdOutOfRange,
    LabelWithoutLabelId,
    OddCoordinateCount,
    TooFewVertices,
    VisibilityMismatch,
    RleSizeMismatch,
    InvalidRleCounts,
)

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "FixAvailability", "Rule", "Scope", "find_rule"]


def find_rule(code_or_name: str) -> type[Rule] | None:
    """A rule by its code (any case) or its kebab-case name."""
    wanted = code_or_name.strip()
    return RULES_BY_CODE.get(wanted.upper()) or next((r for r in ALL_RULES if r.name == wanted), None)
