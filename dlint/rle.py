"""Validation of COCO compressed RLE ``counts`` strings without decoding a single pixel.

The encoding is pycocotools' ``rleToString``/``rleFrString`` (``maskApi.c``). A mask is a column-major
sequence of runs alternating 0s and 1s, starting with 0s. Each run is written as a *group* of characters
in ``'0'..'o'``: a character carries the 5 bits ``(ord(c) - 48) & 0x1F``, least significant first; bit
``0x20`` means "another character of this group follows"; bit ``0x10`` of the last character is the sign.
From run index 3 on, a group holds the difference to the run two places before; runs 0, 1 and 2 are
stored as they are. A mask of size ``[h, w]`` is valid when every run is ``>= 0`` and the runs sum to
exactly ``h * w``; its foreground (pycocotools' ``area()``) is the sum of the odd-index runs.

pycocotools checks none of this: it keeps runs as ``uint32`` (a negative run becomes a huge one), and on a
string that ends inside a group it consumes the terminating NUL as one more character and reads on past
it. Here runs are exact integers (a run of ``2**32`` or more is kept, and then simply makes the total too
large), and every string gets one status, by a precedence that does not depend on positions:

1. ``BAD_CHAR``: a character outside ``'0'..'o'`` anywhere (non-ASCII included), or a group longer than
   :data:`MAX_GROUP_CHARS` characters (60 bits; pycocotools itself never writes more than 7);
2. ``TRUNCATED``: the string ends inside a group;
3. ``NEGATIVE_RUN``: some run is negative.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt


class RleStatus(IntEnum):
    """The verdict on one ``counts`` string; see the module docstring for the precedence."""

    OK = 0
    BAD_CHAR = 1
    TRUNCATED = 2
    NEGATIVE_RUN = 3


OK, BAD_CHAR = RleStatus.OK, RleStatus.BAD_CHAR
TRUNCATED, NEGATIVE_RUN = RleStatus.TRUNCATED, RleStatus.NEGATIVE_RUN

MAX_GROUP_CHARS = 12
"""Longest accepted group: 12 characters hold 60 bits, so a single group value always fits in int64."""
BLOCK_CHARS = 1 << 17
"""Characters per block of :func:`measure_counts` (a block holds whole strings, so it may be longer)."""

_BAD_CHAR_RE = re.compile(r"[^0-o]")
_FIRST, _LAST = ord("0"), ord("o")  # the codes of the characters of a group
_MORE = 80  # the code from which a character has its bit 0x20 ("more follows"): "0" + 32
_INT64_MAX = int(np.iinfo(np.int64).max)
_SAFE_BOUND = 2.0**62  # below this, no int64 intermediate of measure_counts can overflow


class RleError(ValueError):
    """A malformed ``counts`` string; :attr:`status` tells which kind of problem it is."""

    def __init__(self, status: RleStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def decode_runs(counts: str) -> list[int]:
    """Decode ``counts`` to its runs with the semantics of pycocotools' ``rleFrString``.

    This is the readable reference for :func:`measure_counts`. Raises :class:`RleError` (a ``ValueError``)
    naming the offending character and its index, the truncated group, or the negative run's index; when a
    string has several problems, the one of highest precedence (module docstring) is raised.
    """
    bad = _BAD_CHAR_RE.search(counts)
    if bad is not None:
        raise RleError(BAD_CHAR, f"invalid character {bad.group()!r} at index {bad.start()}, not in '0'..'o'")
    values: list[int] = []
    x = k = start = 0
    for i, ch in enumerate(counts):
        if k == MAX_GROUP_CHARS:
            message = f"group starting at index {start} longer than {MAX_GROUP_CHARS} characters"
            raise RleError(BAD_CHAR, f"character {ch!r} at index {i} makes the {message}")
        c = ord(ch) - 48
        x |= (c & 0x1F) << (5 * k)
        k += 1
        if not c & 0x20:  # last character of the group: sign-extend from its bit 0x10
            values.append(x - (1 << (5 * k)) if c & 0x10 else x)
            x = k = 0
            start = i + 1
    if k:
        raise RleError(TRUNCATED, f"string ends inside the group starting at index {start}")
    runs: list[int] = []
    for m, value in enumerate(values):
        run = value + runs[m - 2] if m > 2 else value
        if run < 0:
            raise RleError(NEGATIVE_RUN, f"run {m} is negative ({run})")
        runs.append(run)
    return runs


def _owner(bounds: npt.NDArray[np.intp], positions: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Index of the segment ``[bounds[s], bounds[s+1])`` holding each position (empty segments skipped)."""
    return np.searchsorted(bounds, positions, side="right") - 1


def _chain_sums(values: npt.NDArray[np.int64], firsts: npt.NDArray[np.intp]) -> None:
    """In place, turn ``values`` into cumulative sums that restart at each index of ``firsts``.

    Before one cumulative sum, each segment's first element gets minus the previous segment's sum.
    ``firsts`` must be non-decreasing and start at 0; repeats and indices past the end are ignored.
    """
    firsts = firsts[(np.diff(firsts, append=values.size) != 0) & (firsts < values.size)]
    if firsts.size > 1:
        values[firsts[1:]] -= np.add.reduceat(values, firsts)[:-1]
    np.cumsum(values, out=values)


def _check_block(
    chars: npt.NDArray[np.uint8], bounds: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
    """Check the strings at ``chars[bounds[s]:bounds[s+1]]`` (their characters' codes, all in '0'..'o'
    except in strings that are bad anyway); return their totals, their foreground (odd-index runs),
    their status and whether they may overflow int64.

    A character's 6 bits are its code minus 48: its 5 value bits are then ``(code & 31) ^ 16`` (48
    is 32 + 16), and its bit 0x20, "more follows", is set exactly when the code is 80 or more.
    """
    n = bounds.size - 1
    totals = np.zeros(n, np.int64)
    foreground = np.zeros(n, np.int64)
    status = np.zeros(n, np.int8)
    risky = np.zeros(n, bool)
    if not chars.size:
        return totals, foreground, status, risky
    # A group ends at a character without the 0x20 bit, and also at each string's last character, so the
    # last character of the block always ends a group (ends - 1 == -1 below reads that one).
    is_end = chars < _MORE
    nonempty = np.flatnonzero(bounds[1:] > bounds[:-1])
    last = bounds[nonempty + 1] - 1
    truncated = nonempty[~is_end[last]]
    is_end[last] = True
    ends = np.flatnonzero(is_end)
    # Horner's rule from each group's last, signed, character down to its first: the sign is bit
    # 0x10 of the last value, which is ``((code & 31) ^ 16) - 16`` sign-extended, ``(code & 31) - 16``.
    values = (chars[ends] & np.uint8(31)).astype(np.int64) - 16
    sel = np.flatnonzero(~is_end[ends - 1])  # groups with one more character at pos
    pos = ends[sel] - 1
    for _ in range(MAX_GROUP_CHARS - 1):
        if not sel.size:
            break
        values[sel] = values[sel] * 32 + ((chars[pos] & np.uint8(31)) ^ np.uint8(16))
        more = ~is_end[pos - 1]
        sel, pos = sel[more], pos[more] - 1
    overlong = _owner(bounds, ends[sel])  # groups longer than MAX_GROUP_CHARS

    # |run| <= ng * max|value| and |total| <= ng**2 * max|value|: flag the strings where that could
    # overflow int64, for an exact decoding.
    gfirst = np.searchsorted(ends, bounds)
    ngroups = np.diff(gfirst)
    if float(max(values.max(), -values.min())) * float(ngroups.max()) ** 2 >= _SAFE_BOUND:
        peaks = np.zeros(n)
        peaks[nonempty] = np.maximum.reduceat(np.abs(values), gfirst[nonempty])
        risky = peaks * ngroups.astype(float) ** 2 >= _SAFE_BOUND

    # Run m > 2 adds run m-2: per string, runs 1, 3, 5... and 2, 4, 6... are cumulative sums of values,
    # and run 0 stands alone. The groups of string s are gfirst[s]:gfirst[s+1].
    firsts = gfirst[nonempty]
    run0 = values[firsts]
    values[firsts] = 0
    for parity in (0, 1):
        _chain_sums(values[parity::2], (firsts + 1 - parity) // 2)
    values[firsts] = run0
    if values.min() < 0:
        status[_owner(gfirst, np.flatnonzero(values < 0))] = NEGATIVE_RUN
    totals[nonempty] = np.add.reduceat(values, firsts)  # int64 wrap-around cancels out
    # Run m of string s is values[firsts[s] + m]: the odd runs sit at the odd positions of values when
    # firsts[s] is even, and at the even ones otherwise (then they are the total minus the odd positions).
    values[0::2] = 0
    at_odd = np.add.reduceat(values, firsts)
    foreground[nonempty] = np.where(firsts & 1, totals[nonempty] - at_odd, at_odd)
    status[truncated] = TRUNCATED
    status[overlong] = BAD_CHAR
    return totals, foreground, status, risky


class RleMeasures(NamedTuple):
    """What :func:`measure_counts` finds, one entry per string (0 in both sums unless the status is OK)."""

    #: The sum of all runs (the pixels the string describes), saturated at ``2**63 - 1``.
    totals: npt.NDArray[np.int64]
    #: The sum of the odd-index runs: the foreground pixels, pycocotools' ``area()``, saturated the same way.
    foreground: npt.NDArray[np.int64]
    #: A :class:`RleStatus` code, agreeing with :func:`decode_runs`.
    status: npt.NDArray[np.int8]


def measure_counts(counts: Sequence[str]) -> RleMeasures:
    """Check many ``counts`` strings at once, and sum their runs and their foreground runs.

    The strings are joined into one buffer, which numpy checks in blocks of whole strings of about
    :data:`BLOCK_CHARS` characters (small blocks stay in cache), with no Python loop per character or per
    string. Strings whose values could overflow int64 (far beyond any real mask) are re-decoded exactly
    with :func:`decode_runs`. Raises ``TypeError`` if an item is not a ``str``.
    """
    n = len(counts)
    bounds = np.zeros(n + 1, np.intp)  # character offsets of the strings in the joined text
    np.cumsum(np.fromiter(map(len, counts), np.intp, n), out=bounds[1:])
    totals = np.zeros(n, np.int64)
    foreground = np.zeros(n, np.int64)
    status = np.zeros(n, np.int8)
    risky = np.zeros(n, bool)
    joined = "".join(counts)
    if joined.isascii():  # one byte per character
        chars = np.frombuffer(joined.encode("ascii"), np.uint8)
        wide: npt.NDArray[np.unsignedinteger] = chars
    else:  # one uint32 per code point keeps the offsets right; lone surrogates pass through
        wide = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
        chars = wide.astype(np.uint8)  # (a code beyond 255 wraps around: its string is bad anyway)
    block_starts = np.searchsorted(bounds, np.arange(BLOCK_CHARS, wide.size, BLOCK_CHARS))
    cuts = sorted({0, *block_starts.tolist(), n})
    for lo, hi in itertools.pairwise(cuts):
        block = _check_block(chars[bounds[lo] : bounds[hi]], bounds[lo : hi + 1] - bounds[lo])
        totals[lo:hi], foreground[lo:hi], status[lo:hi], risky[lo:hi] = block
    if wide.size and (wide.min() < _FIRST or wide.max() > _LAST):
        status[_owner(bounds, np.flatnonzero((wide < _FIRST) | (wide > _LAST)))] = BAD_CHAR
    for s in np.flatnonzero(risky & ((status == OK) | (status == NEGATIVE_RUN))):
        try:
            runs = decode_runs(counts[int(s)])
        except RleError as exc:
            status[s] = exc.status
        else:
            totals[s], status[s] = min(sum(runs), _INT64_MAX), OK
            foreground[s] = min(sum(runs[1::2]), _INT64_MAX)
    bad = status != OK
    totals[bad] = 0
    foreground[bad] = 0
    return RleMeasures(totals, foreground, status)


def valid_totals(counts: Iterable[str]) -> dict[str, int]:
    """The sum of the runs of each string of ``counts`` that is valid RLE (the pixels it describes),
    measured all at once by :func:`measure_counts`; a sum it saturates (at ``2**63 - 1``) is left
    out, being no exact sum."""
    distinct = list(dict.fromkeys(counts))
    if not distinct:
        return {}
    found = measure_counts(distinct)
    exact = ((found.status == OK) & (found.totals < _INT64_MAX)).tolist()
    return {text: total for text, total, ok in zip(distinct, found.totals.tolist(), exact, strict=True) if ok}
