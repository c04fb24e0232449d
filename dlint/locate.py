"""Map JSON Pointers to byte offsets in the raw text, only for what is reported.

Parsing with a fast parser loses positions, so positions are recovered afterwards by scanning the raw
bytes along the pointer's path. Skipping over siblings is the costly part; two tricks keep it cheap:

* compact files (what Datumaro's writer produces) are mostly byte-identical to ``orjson.dumps`` of the
  parsed siblings, so a run of siblings is skipped with one comparison; the comparison verifies the
  guess, and anything else (indented files, other float spellings) falls back to a token scan;
* offsets found for array elements are remembered, so many pointers into one big array cost one pass.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import orjson

from dlint.diagnostics import split_pointer

_WS = re.compile(rb"[ \t\r\n]*")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(rb"[^,\]}\s]*")
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.DOTALL)


class PointerNotFound(LookupError):
    """The pointer does not resolve in the raw text."""


class Locator:
    """Finds the byte offset of the value (or, for object members, the key) that a pointer names."""

    def __init__(self, raw: bytes, data: Any) -> None:
        self._raw = raw
        self._data = data
        self._root = _WS.match(raw).end()  # type: ignore[union-attr]
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
            bisect.insort(indices, index)
            offsets.insert(indices.index(index), pos)
        return pos

    def _skip_elements(self, pos: int, siblings: list[Any]) -> int:
        """From the start of one element, skip ``len(siblings)`` elements; return the next one's start."""
        dumped = orjson.dumps(siblings)[1:-1]
        end = pos + len(dumped)
        if self._raw.startswith(dumped, pos) and self._raw[end : end + 1] == b",":
            return self._after_ws(end + 1)
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
        if before:
            dumped = orjson.dumps(before)[1:-1]
            end = pos + len(dumped)
            if self._raw.startswith(dumped, pos) and self._raw[end : end + 1] == b",":
                pos = self._after_ws(end + 1)
        wanted = orjson.dumps(key)
        while True:
            match = _STRING.match(self._raw, pos)
            if match is None:
                raise PointerNotFound(key)
            value_pos = self._after_ws(self._expect(self._after_ws(match.end()), b":") + 1)
            if match.group() == wanted or orjson.loads(match.group()) == key:
                return pos, value_pos
            pos = self._after_ws(self._skip_value(value_pos))
            pos = self._after_ws(self._expect(pos, b",") + 1)

    def _skip_value(self, pos: int) -> int:
        """Offset just after the value starting at ``pos``."""
        first = self._raw[pos : pos + 1]
        if first == b'"':
            match = _STRING.match(self._raw, pos)
            if match is None:
                raise PointerNotFound("unterminated string")
            return match.end()
        if first not in (b"{", b"["):
            return _SCALAR.match(self._raw, pos).end()  # type: ignore[union-attr]
        depth = 0
        for match in _TOKEN.finditer(self._raw, pos):
            char = match.group()
            if char in (b"{", b"["):
                depth += 1
            elif char in (b"}", b"]"):
                depth -= 1
                if depth == 0:
                    return match.end()
        raise PointerNotFound("unbalanced container")

    def _after_ws(self, pos: int) -> int:
        return _WS.match(self._raw, pos).end()  # type: ignore[union-attr]

    def _expect(self, pos: int, char: bytes) -> int:
        if self._raw[pos : pos + 1] != char:
            raise PointerNotFound(f"expected {char!r} at byte {pos}")
        return pos
