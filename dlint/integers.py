"""The range of integers that the parser reads exactly (an i64 when negative, a u64 otherwise)."""

from __future__ import annotations

INT_MIN, INT_MAX = -(2**63), 2**64 - 1

__all__ = ["INT_MAX", "INT_MIN"]
