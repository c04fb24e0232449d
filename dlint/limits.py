"""Limits that keep a run bounded in time and memory whatever the input, with defaults that accept the
largest real datasets (a 1 GB annotation file is legitimate; a 1 GB file inflated from 1 MB is not).

The limits of a run come from the ``[limits]`` table of the working directory's configuration (see
:mod:`dlint.config`); :func:`activate` installs them for the whole process, :func:`use` for one
block of code (a service answering requests with limits of its own), and :func:`current` is what
the readers and the parser consult.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

#: orjson's own nesting limit: deeper documents never parse, whatever the configuration says.
PARSER_DEPTH = 1024
#: The deepest nesting the canonical writer (orjson) can serialise, with room for a wrapper level.
WRITER_DEPTH = 250
#: Archive members below this size are never refused for their compression ratio.
RATIO_FLOOR = 1 * MIB

_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?i?B?)\s*", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": KIB, "m": 1000**2, "mb": 1000**2, "mib": MIB}
_UNITS |= {"g": 1000**3, "gb": 1000**3, "gib": GIB, "t": 1000**4, "tb": 1000**4, "tib": 1024 * GIB}
_UNITS |= {"ki": KIB, "mi": MIB, "gi": GIB, "ti": 1024 * GIB}


class LimitError(ValueError):
    """A limit that cannot be honoured (a malformed size, a value out of range)."""


@dataclass(frozen=True)
class Limits:
    """What a run accepts. Sizes are in bytes."""

    #: The largest annotation file read: on disk, or uncompressed inside an archive.
    max_file_size: int = 2 * GIB
    #: The deepest nesting of arrays and objects accepted in a file.
    max_depth: int = 128
    #: The largest ratio of uncompressed to compressed size of an archive member (above 1 MiB).
    max_expansion_ratio: float = 500.0
    #: The most members an archive may have (checked before its directory is read).
    max_archive_members: int = 1_000_000
    #: ``dlint check`` looks for duplicate object keys in files up to this size (``fix`` always looks
    #: before it rewrites a file); -1: every file.
    duplicate_key_scan: int = 16 * MIB

    def __post_init__(self) -> None:
        if not 1 <= self.max_depth <= WRITER_DEPTH:
            raise LimitError(f"max-depth must be from 1 to {WRITER_DEPTH}, not {self.max_depth}")
        if self.max_file_size < 0 or self.max_archive_members < 0:
            raise LimitError("sizes and counts cannot be negative")
        if self.max_expansion_ratio < 1:
            raise LimitError(f"max-expansion-ratio must be at least 1, not {self.max_expansion_ratio}")

    def scans_duplicate_keys(self, size: int) -> bool:
        """Whether ``dlint check`` looks for duplicate keys in a file of ``size`` bytes."""
        return self.duplicate_key_scan < 0 or size <= self.duplicate_key_scan

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> Limits:
        """Limits from a validated ``[limits]`` configuration table (sizes as numbers or ``"2GiB"``)."""
        found: dict[str, Any] = {}
        for key, value in table.items():
            name = key.replace("-", "_")
            if name in ("max_file_size", "duplicate_key_scan"):
                found[name] = parse_size(value)
            elif name == "max_expansion_ratio":
                found[name] = float(value)
            else:
                found[name] = int(value)
        return cls(**found)


def parse_size(value: int | float | str) -> int:
    """A size in bytes from a number or a text such as ``2GiB``, ``500MB`` or ``1048576``."""
    if isinstance(value, bool):
        raise LimitError(f"not a size: {value!r}")
    if isinstance(value, (int, float)):
        if value < -1:
            raise LimitError(f"not a size: {value!r}")
        return int(value)
    match = _SIZE.fullmatch(value)
    if match is None or match.group(2).lower() not in _UNITS:
        raise LimitError(f"not a size: {value!r} (examples: 2GiB, 500MB, 1048576)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def describe_size(size: int) -> str:
    """A size for messages: ``2 GiB`` when round, else exact (``5,222 bytes``, ``3.2 GiB (3,435,973,837
    bytes)``), so that a size and the limit it exceeds never read the same."""
    for unit, factor in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    for unit, factor in (("GiB", GIB), ("MiB", MIB)):
        if size >= factor:
            return f"{size / factor:.1f} {unit} ({size:,} bytes)"
    return f"{size:,} bytes"


_ACTIVE = Limits()
_OVERRIDE: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("dlint_limits", default=None)


def current() -> Limits:
    """The limits in force here: those of an enclosing :func:`use`, else the activated ones."""
    return _OVERRIDE.get() or _ACTIVE


def activate(limits: Limits) -> None:
    """Install limits for the whole process (the command line does it once, from the configuration)."""
    global _ACTIVE
    _ACTIVE = limits


@contextlib.contextmanager
def use(limits: Limits) -> Iterator[Limits]:
    """Apply limits within a block only (in this thread or task)."""
    token = _OVERRIDE.set(limits)
    try:
        yield limits
    finally:
        _OVERRIDE.reset(token)
