"""Vectorised scans over the bytes of a JSON text that parsed: runs of digits, the quotes that delimit
strings, and object keys repeated in one object (orjson keeps the last value). The duplicate-key scan
is exact but costs about as much as a parse: see :mod:`dlint.parsecheck` for when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import orjson

_SPACE = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 13, 32]] = True
_MULTIPLIERS = tuple(np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9))
#: Bytes looked at a time by the digit-run test.
_PIECE = 8 << 20

Index = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DuplicateKey:
    """A key that appears again in the same object: the earlier and the later occurrence (byte
    offsets of their opening quotes)."""

    key: str
    first: int
    later: int


def has_digit_run(raw: bytes, length: int) -> bool:
    """Whether the text holds a run of ``length`` (17 to 32) digits, looked for in overlapping pieces
    of :data:`_PIECE` bytes (the temporary arrays stay small whatever the size of the text)."""
    step = _PIECE
    return any(
        _digit_run_in(
            np.frombuffer(raw, dtype=np.uint8, count=min(len(raw) - at, step + length - 1), offset=at),
            length,
        )
        for at in range(0, len(raw), step)
    )


def _digit_run_in(data: npt.NDArray[np.uint8], length: int) -> bool:
    """The digit bytes as a bit string, 64 to a word, and-ed with itself shifted by 1, 2, 4, 8 and
    ``length - 16`` bits (a run of ``length`` leaves a bit)."""
    bits = np.packbits((data - np.uint8(48)) < 10, bitorder="little")
    words = np.concatenate((bits, np.zeros(16 - bits.size % 8, dtype=np.uint8))).view("<u8")
    for shift in (1, 2, 4, 8, length - 16):
        carried = np.concatenate((words[1:], words[:1] * np.uint64(0))) << np.uint64(64 - shift)
        words = words & ((words >> np.uint64(shift)) | carried)
    return bool(words.any())


def duplicate_keys(raw: bytes) -> list[DuplicateKey]:
    """Every later occurrence of a key already present in the same object (keys compared as decoded
    strings, so ``"a"`` and ``"\\u0061"`` are the same key), in text order."""
    data = np.frombuffer(raw, dtype=np.uint8)
    quotes = structural_quotes(data)
    starts, ends = _keys(data, quotes)
    if starts.size < 2:
        return []
    owner = _objects(data, quotes, starts)
    signature = _signatures(data, starts, ends, owner)
    order = np.argsort(signature, kind="stable")
    ordered = signature[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    candidates = {int(k) for k in order[same]} | {int(k) for k in order[same + 1]}
    candidates |= _escaped(data, starts, ends, owner)
    found: dict[tuple[int, int], DuplicateKey] = {}
    first_of: dict[tuple[int, str], int] = {}
    for k in sorted(candidates):  # keys are in text order already
        key = _decode(raw, int(starts[k]), int(ends[k]))
        slot = (int(owner[k]), key)
        if slot in first_of:
            found[slot[0], int(starts[k])] = DuplicateKey(key, first_of[slot], int(starts[k]))
        else:
            first_of[slot] = int(starts[k])
    return sorted(found.values(), key=lambda d: d.later)


def structural_quotes(data: npt.NDArray[np.uint8]) -> Index:
    """Offsets of the quotes that open or close strings (those not escaped by a backslash)."""
    quotes = np.flatnonzero(data == ord('"'))
    slashes = np.flatnonzero(data == ord("\\"))
    if not slashes.size or not quotes.size:
        return quotes
    breaks = np.flatnonzero(np.diff(slashes) != 1)
    run_start = np.concatenate((slashes[:1], slashes[breaks + 1]))
    run_end = np.concatenate((slashes[breaks], slashes[-1:]))
    at = np.minimum(np.searchsorted(run_end, quotes - 1), run_end.size - 1)
    escaped = (run_end[at] == quotes - 1) & ((run_end[at] - run_start[at]) % 2 == 0)
    structural: Index = quotes[~escaped]
    return structural


def outside_strings(raw: bytes, offsets: list[int]) -> list[bool]:
    """For each byte offset, whether it lies outside every string of the (valid) JSON text."""
    quotes = structural_quotes(np.frombuffer(raw, dtype=np.uint8))
    before = np.searchsorted(quotes, np.asarray(offsets, dtype=np.int64))
    return [bool(count % 2 == 0) for count in before]


def _keys(data: npt.NDArray[np.uint8], quotes: Index) -> tuple[Index, Index]:
    """Offsets of the opening and closing quotes of every object key (a string followed by ``:``)."""
    opening, closing = quotes[0::2], quotes[1::2]
    after = np.minimum(closing + 1, data.size - 1)
    following = data[after]
    spaced = np.flatnonzero(_SPACE[following])
    while spaced.size:  # white space between a key and its colon (rare: indented or odd layouts)
        after[spaced] = np.minimum(after[spaced] + 1, data.size - 1)
        following[spaced] = data[after[spaced]]
        spaced = spaced[_SPACE[following[spaced]] & (after[spaced] < data.size - 1)]
    is_key = following == ord(":")
    return opening[is_key], closing[is_key]


def _objects(data: npt.NDArray[np.uint8], quotes: Index, keys: Index) -> Index:
    """For each key, the offset of the ``{`` of the object it belongs to."""
    braces = np.flatnonzero((data == ord("{")) | (data == ord("}")))
    braces = braces[np.searchsorted(quotes, braces) % 2 == 0]
    is_open = data[braces] == ord("{")
    opens, closes = braces[is_open], braces[~is_open]
    key_depth = np.searchsorted(opens, keys) - np.searchsorted(closes, keys)
    open_depth = np.arange(1, opens.size + 1) - np.searchsorted(closes, opens)
    span = np.int64(data.size + 1)
    ranked = open_depth.astype(np.int64) * span + opens
    order = np.argsort(ranked, kind="stable")
    at = np.searchsorted(ranked[order], key_depth.astype(np.int64) * span + keys) - 1
    owners: Index = opens[order[np.maximum(at, 0)]]
    return owners


def _signatures(
    data: npt.NDArray[np.uint8], starts: Index, ends: Index, owner: Index
) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of (object, key length, first and last 8 bytes of the key) for every key."""
    length = ends - starts - 1
    padded = np.concatenate((data, np.zeros(8, dtype=np.uint8)))
    # the 8 bytes starting at every offset, as one little-endian word (unaligned loads)
    words = np.ndarray((data.size + 1,), dtype="<u8", buffer=padded, strides=(1,))
    masks = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
    first = words[starts + 1] & masks[np.minimum(length, 8)]
    last = np.where(length > 8, words[np.maximum(ends - 8, 0)], np.uint64(0))
    m1, m2, m3 = _MULTIPLIERS
    mixed: npt.NDArray[np.uint64] = owner.astype(np.uint64) * m1 + length.astype(np.uint64) * m2
    mixed ^= (first * m3) ^ last
    return mixed


def _escaped(data: npt.NDArray[np.uint8], starts: Index, ends: Index, owner: Index) -> set[int]:
    """Keys to compare after decoding: every key of an object that has a key with an escape."""
    slashes = np.flatnonzero(data == ord("\\"))
    if not slashes.size:
        return set()
    escaped = np.searchsorted(slashes, starts) != np.searchsorted(slashes, ends)
    if not escaped.any():
        return set()
    return {int(k) for k in np.flatnonzero(np.isin(owner, np.unique(owner[escaped])))}


def _decode(raw: bytes, start: int, end: int) -> str:
    text = raw[start + 1 : end]
    if b"\\" not in text:
        return text.decode("utf-8", "replace")
    value = orjson.loads(raw[start : end + 1])
    return value if isinstance(value, str) else text.decode("utf-8", "replace")
