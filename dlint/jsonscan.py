"""Scans of JSON text for integer literals beyond 64 bits, which a fast parser accepts silently (orjson
turns them into floats).

The scan runs on text that already parsed, so every unescaped quote delimits a string. It is cheap
enough to run on every file: a search for a run of 19 digits or more, and only such a run is looked
at closer. A small text is searched through one translation of its bytes, with no numpy imported (a
run on small files does not pay for it); a big one in pieces, vectorised (see :mod:`dlint.bytescan`,
which also finds repeated keys).
"""

from __future__ import annotations

from dataclasses import dataclass

from dlint.integers import INT_MAX, INT_MIN

_BEFORE_NUMBER = frozenset(b"[,: \t\r\n")
_AFTER_INTEGER = frozenset(b",]} \t\r\n")
#: The shortest digit run that can hold an integer outside the 64-bit range (-9223372036854775809).
MIN_RUN = 19
_CLASSES = bytes(0x30 if 0x30 <= b <= 0x39 else 0x31 for b in range(256))
#: The size from which a text is searched for digit runs with numpy, in pieces (below it, one
#: translation costs less than numpy's own overhead, let alone its import).
VECTOR_FROM = 1 << 20


@dataclass(frozen=True)
class HugeInteger:
    """An integer literal outside the 64-bit range, at a byte offset."""

    offset: int
    literal: str


def huge_integers(raw: bytes) -> list[HugeInteger]:
    """Integer literals (outside strings) that orjson cannot read exactly, in text order."""
    runs = long_digit_runs(raw) if has_long_digit_run(raw) else []
    if not runs:
        return []
    found: list[tuple[int, str]] = []
    for start, end in runs:
        begin = start - 1 if start > 0 and raw[start - 1] == ord("-") else start
        before = raw[begin - 1] if begin > 0 else ord(" ")
        after = raw[end] if end < len(raw) else ord(" ")
        if before not in _BEFORE_NUMBER or after not in _AFTER_INTEGER:
            continue  # part of a float, or of a string
        literal = raw[begin:end].decode("ascii")
        if not _in_range(literal):
            found.append((begin, literal))
    if not found:
        return []
    from dlint.bytescan import outside_strings  # (numpy, for the rare text holding such a run)

    outside = outside_strings(raw, [offset for offset, _ in found])
    kept = zip(found, outside, strict=True)
    return [HugeInteger(offset, literal) for (offset, literal), out in kept if out]


def _in_range(literal: str) -> bool:
    """Whether an integer literal is within the 64-bit range; a long one is not, and is never
    converted (a conversion costs the square of the digits, and Python refuses long ones)."""
    return len(literal.lstrip("-")) <= 20 and INT_MIN <= int(literal) <= INT_MAX


def has_long_digit_run(raw: bytes) -> bool:
    """Whether the text holds a run of :data:`MIN_RUN` digits."""
    if len(raw) < VECTOR_FROM:
        return raw.translate(_CLASSES).find(b"0" * MIN_RUN) >= 0
    from dlint.bytescan import has_digit_run

    return has_digit_run(raw, MIN_RUN)


def long_digit_runs(raw: bytes, length: int = MIN_RUN) -> list[tuple[int, int]]:
    """(start, end) offsets of the runs of ``length`` or more ASCII digits: one translation of the
    text to digit / non-digit and a substring search, so a clean file costs one pass."""
    classes = raw.translate(_CLASSES)
    needle = b"0" * length
    runs = []
    at = classes.find(needle)
    while at >= 0:
        end = classes.find(b"1", at + length)
        end = len(raw) if end < 0 else end
        runs.append((at, end))
        at = classes.find(needle, end)
    return runs
