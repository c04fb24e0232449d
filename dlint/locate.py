"""Map JSON Pointers to byte offsets in the raw text, only for what is reported.

Parsing with a fast parser loses positions, so positions are recovered afterwards by scanning the raw
bytes along the pointer's path. Skipping over siblings is the costly part; two tricks keep it cheap:

* compact files (what Datumaro's writer produces) are mostly byte-identical to ``orjson.dumps`` of the
  parsed siblings, so a run of siblings is skipped with one comparison; the comparison verifies the
  guess, and anything else (indented files, other float spellings) falls back to a token scan;
* offsets found for array elements are remembered, so many pointers into one big array cost one pass.

Memory stays bounded whatever the text holds: a string is skipped by looking for its closing quote
(where it holds escaped quotes, with a possessive pattern that keeps no state per byte), nothing of
it is copied; the siblings' rendering is compared only in text laid out compactly; columns are
counted in pieces of bounded size.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import Any

import orjson

from dlint.diagnostics import split_pointer

_WS = re.compile(rb"[ \t\r\n]*")
_SCALAR = re.compile(rb"[^,\]}\s]*")
_STRUCTURAL = re.compile(rb'["\[\]{}]')
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
try:  # a string's rest up to its closing quote; possessive, so the match keeps no backtracking state
    _STRING_REST: re.Pattern[bytes] | None = re.compile(rb'(?:[^"\\]++|\\.)*+"', re.DOTALL)
except re.error:  # possessive repeats need Python 3.11
    _STRING_REST = None
#: Bytes counted at a time when columns are counted (a compact file is one line of hundreds of MB).
_PIECE = 1 << 20
_CONTINUATION = bytes(range(0x80, 0xC0))


class PointerNotFound(LookupError):
    """The pointer does not resolve in the raw text."""


class Locator:
    """Finds the byte offset of the value (or, for object members, the key) that a pointer names."""

    def __init__(self, raw: bytes, data: Any, repeats: dict[int, int] | None = None) -> None:
        self._raw = raw
        self._data = data
        #: A repeated key's first occurrence -> its last one in the same object (whose value counts).
        self._repeats = repeats or {}
        self._root = _WS.match(raw).end()  # type: ignore[union-attr]
        # whether siblings may be skipped by comparing them with their compact rendering: not in a
        # text laid out otherwise, where the rendering (of a long string, say) would be made in vain
        self._compact = _looks_compact(raw, self._root)
        # container pointer -> sorted element indices and their value offsets
        self._known: dict[str, tuple[list[int], list[int]]] = {}

    def offset(self, pointer: str) -> int:
        """Byte offset for a pointer: the member's key for object members, the value otherwise."""
        pos, node, prefix, key_pos = self._root, self._data, "", self._root
        for token in split_pointer(pointer):
            if isinstance(node, list):
                index = int(token)
                pos = self._element(prefix, pos, node, index)
                key_pos = pos
                node = node[index]
            elif isinstance(node, dict):
                key_pos, pos = self._member(pos, node, token)
                node = node[token]
            else:
                raise PointerNotFound(pointer)
            prefix += "/" + token.replace("~", "~0").replace("/", "~1")
        return key_pos

    def _element(self, prefix: str, start: int, node: list[Any], index: int) -> int:
        if not 0 <= index < len(node):
            raise PointerNotFound(f"{prefix}/{index}")
        indices, offsets = self._known.setdefault(prefix, ([], []))
        at = bisect.bisect_right(indices, index) - 1
        if at >= 0:
            known, pos = indices[at], offsets[at]
        else:
            known, pos = 0, self._after_ws(self._expect(start, b"[") + 1)
        if known != index:
            pos = self._skip_elements(pos, node[known:index])
            at = bisect.bisect_left(indices, index)
            indices.insert(at, index)
            offsets.insert(at, pos)
        return pos

    def _skip_elements(self, pos: int, siblings: list[Any]) -> int:
        """From the start of one element, skip ``len(siblings)`` elements; return the next one's start."""
        end = _skip_written(self._raw, pos, orjson.dumps(siblings)) if self._compact else None
        if end is not None:
            return self._after_ws(end)
        for _ in siblings:
            pos = self._expect(self._after_ws(self._skip_value(pos)), b",")
            pos = self._after_ws(pos + 1)
        return pos

    def _member(self, start: int, node: dict[str, Any], key: str) -> tuple[int, int]:
        """Offsets of a member's key and of its value."""
        if key not in node:
            raise PointerNotFound(key)
        pos = self._after_ws(self._expect(start, b"{") + 1)
        before = {}
        for name, value in node.items():
            if name == key:
                break
            before[name] = value
        if before and self._compact:
            end = _skip_written(self._raw, pos, orjson.dumps(before))
            pos = pos if end is None else self._after_ws(end)
        wanted = orjson.dumps(key)
        while True:
            end = string_end(self._raw, self._expect(pos, b'"'))
            value_pos = self._after_ws(self._expect(self._after_ws(end), b":") + 1)
            if _same_key(self._raw, pos, end, wanted, key):
                last = self._repeats.get(pos)
                if last is None:
                    return pos, value_pos
                end = string_end(self._raw, self._expect(last, b'"'))
                return last, self._after_ws(self._expect(self._after_ws(end), b":") + 1)
            pos = self._after_ws(self._skip_value(value_pos))
            pos = self._after_ws(self._expect(pos, b",") + 1)

    def _skip_value(self, pos: int) -> int:
        """Offset just after the value starting at ``pos``."""
        raw = self._raw
        first = raw[pos : pos + 1]
        if first == b'"':
            return string_end(raw, pos)
        if first not in (b"{", b"["):
            return _SCALAR.match(raw, pos).end()  # type: ignore[union-attr]
        depth = 0
        while (match := _STRUCTURAL.search(raw, pos)) is not None:
            at = match.start()
            char = raw[at]
            if char == _QUOTE:
                pos = string_end(raw, at)
                continue
            pos = at + 1
            depth += 1 if char in b"{[" else -1
            if depth == 0:
                return pos
        raise PointerNotFound("unbalanced container")

    def _after_ws(self, pos: int) -> int:
        return _WS.match(self._raw, pos).end()  # type: ignore[union-attr]

    def _expect(self, pos: int, char: bytes) -> int:
        if self._raw[pos : pos + 1] != char:
            raise PointerNotFound(f"expected {char!r} at byte {pos}")
        return pos


def _looks_compact(raw: bytes, root: int) -> bool:
    """Whether the text starts as the compact layout writes it: no white space after the opening
    bracket, nor after the first key's colon."""
    if raw[root + 1 : root + 2] != b'"':
        return raw[root + 1 : root + 2] not in (b" ", b"\t", b"\r", b"\n")
    try:
        end = string_end(raw, root + 1)
    except PointerNotFound:
        return False
    return raw[end : end + 1] == b":" and raw[end + 1 : end + 2] not in (b" ", b"\t", b"\r", b"\n")


def string_end(raw: bytes, start: int) -> int:
    """Offset just after the string whose opening quote is at ``start``: the next quote that an even
    number of backslashes precedes. Nothing is copied but the backslashes before a quote."""
    at = start + 1
    quote = raw.find(b'"', at)
    if quote >= 0 and raw[quote - 1] != _BACKSLASH:
        return quote + 1  # the usual case: the first quote closes the string
    if _STRING_REST is not None:
        match = _STRING_REST.match(raw, at)
        if match is None:
            raise PointerNotFound("unterminated string")
        return match.end()
    while (quote := raw.find(b'"', at)) >= 0:
        if _backslashes_before(raw, quote, start + 1) % 2 == 0:
            return quote + 1
        at = quote + 1
    raise PointerNotFound("unterminated string")


def _backslashes_before(raw: bytes, end: int, floor: int) -> int:
    """How many backslashes immediately precede ``end`` (not looking before ``floor``): read
    backwards in pieces that double in size, so a long run costs its length, once."""
    if end <= floor or raw[end - 1] != _BACKSLASH:
        return 0
    count, size = 0, 64
    while True:
        start = max(floor, end - size)
        piece = raw[start:end]
        kept = len(piece.rstrip(b"\\"))
        count += len(piece) - kept
        if kept or start == floor:
            return count
        end, size = start, size * 2


def _skip_written(raw: bytes, pos: int, dumped: bytes) -> int | None:
    """When the text at ``pos`` is the members or elements of ``dumped`` (the compact rendering of
    a container, brackets aside) followed by a comma, the offset after that comma; else None."""
    inner = memoryview(dumped)[1:-1]
    end = pos + len(inner)
    if raw.startswith(inner, pos) and raw[end : end + 1] == b",":
        return end + 1
    return None


def _same_key(raw: bytes, start: int, end: int, wanted: bytes, key: str) -> bool:
    """Whether the string ``raw[start:end]`` is ``key``: compared in place when it holds no escape
    (then it is written as ``wanted``), decoded otherwise."""
    if raw.find(b"\\", start, end) < 0:
        return end - start == len(wanted) and raw.startswith(wanted, start)
    decoded = orjson.loads(raw[start:end])
    return isinstance(decoded, str) and decoded == key


def line_columns(
    raw: bytes, offsets: Iterable[int], *, ascii_only: bool | None = None, breaks: bool | None = None
) -> dict[int, tuple[int, int]]:
    """1-based line and character column for byte offsets, in one forward pass over the text
    (``ascii_only``, ``breaks``: whether the text is ASCII and holds a line break, when the caller
    knows it already)."""
    result: dict[int, tuple[int, int]] = {}
    line, counted_to, column_chars = 1, 0, 0
    if ascii_only is None:
        ascii_only = raw.isascii()  # then a character is a byte (one pass, no copy)
    for offset in sorted(set(offsets)):
        # (a compact file is one line: looking for a line end is much faster than counting them)
        looked = breaks is not False and raw.find(b"\n", counted_to, offset) >= 0
        newlines = raw.count(b"\n", counted_to, offset) if looked else 0
        if newlines:
            line += newlines
            counted_to, column_chars = raw.rfind(b"\n", 0, offset) + 1, 0
        column_chars += offset - counted_to if ascii_only else characters(raw, counted_to, offset)
        counted_to = offset
        result[offset] = (line, column_chars + 1)
    return result


def characters(raw: bytes, start: int, end: int) -> int:
    """How many characters the UTF-8 text ``raw[start:end]`` holds: its bytes less those that
    continue a character, counted in pieces of bounded size (the text is not decoded)."""
    count = 0
    for low in range(start, end, _PIECE):
        piece = raw[low : min(end, low + _PIECE)]
        count += len(piece) if piece.isascii() else len(piece.translate(None, _CONTINUATION))
    return count


def byte_offset(raw: bytes, index: int) -> int:
    """The byte offset of the character at ``index`` of the UTF-8 text (its length when beyond the
    end), found piece by piece: the text is never decoded as a whole."""
    low = 0
    while low < len(raw):
        high = _boundary(raw, low + _PIECE)
        piece = raw[low:high]
        if piece.isascii():
            if index < len(piece):
                return low + index
            index -= len(piece)
        else:
            text = piece.decode("utf-8", "replace")
            if index < len(text):
                return low + len(text[:index].encode("utf-8", "surrogatepass"))
            index -= len(text)
        low = high
    return len(raw)


def first_invalid_utf8(raw: bytes | memoryview) -> UnicodeDecodeError | None:
    """Where the text stops being UTF-8 (offsets of the error are in ``raw``), or None: decoded
    piece by piece, so the text is never decoded as a whole."""
    low = 0
    while low < len(raw):
        high = _boundary(raw, low + _PIECE)
        try:
            str(raw[low:high], "utf-8")
        except UnicodeDecodeError as bad:
            return UnicodeDecodeError("utf-8", raw, low + bad.start, low + bad.end, bad.reason)
        low = high
    return None


def _boundary(raw: bytes | memoryview, at: int) -> int:
    """``at``, moved past the bytes that continue a character (three at most), to cut a piece."""
    end = min(at, len(raw))
    for _ in range(3):
        if end >= len(raw) or raw[end] & 0xC0 != 0x80:
            break
        end += 1
    return end
