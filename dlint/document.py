"""Bytes to parsed data, once; parse errors as values; positions computed lazily for what is reported."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson

from dlint.diagnostics import Location, is_index
from dlint.locate import Locator, PointerNotFound

#: Characters of source shown on each side of the column when a line is long (compact files are one line).
SNIPPET_RADIUS = 60


@dataclass(frozen=True)
class ParseFailure:
    """The file is not valid JSON: the parser's message and where it stopped (1-based)."""

    message: str
    line: int
    column: int
    offset: int


@dataclass
class Document:
    """A parsed annotation file with its raw bytes kept for positions and snippets."""

    raw: bytes
    data: Any
    _locator: Locator | None = field(default=None, repr=False)

    def offsets(self, pointers: Iterable[str]) -> dict[str, int]:
        """Byte offsets for pointers; a pointer that does not resolve maps to the closest ancestor."""
        if self._locator is None:
            self._locator = Locator(self.raw, self.data)
        found: dict[str, int] = {}
        for pointer in sorted(set(pointers), key=pointer_order):
            found[pointer] = self._offset_or_ancestor(pointer)
        return found

    def _offset_or_ancestor(self, pointer: str) -> int:
        assert self._locator is not None
        while True:
            try:
                return self._locator.offset(pointer)
            except (PointerNotFound, ValueError, IndexError, KeyError, TypeError):
                if not pointer:
                    return 0
                pointer = pointer[: pointer.rfind("/")]

    def locations(self, offsets: Iterable[int]) -> dict[int, Location]:
        """1-based line and character column for byte offsets, in one forward pass over the text."""
        result: dict[int, Location] = {}
        line, line_start, counted_to, column_chars = 1, 0, 0, 0
        for offset in sorted(set(offsets)):
            newlines = self.raw.count(b"\n", counted_to, offset)
            if newlines:
                line += newlines
                line_start = self.raw.rfind(b"\n", 0, offset) + 1
                counted_to, column_chars = line_start, 0
            column_chars += len(self.raw[counted_to:offset].decode("utf-8", "replace"))
            counted_to = offset
            result[offset] = Location(line, column_chars + 1)
        return result

    def snippet(self, offset: int) -> tuple[str, int]:
        """The source line around a byte offset, and the caret's 0-based column within that text."""
        return source_snippet(self.raw, offset)


def source_snippet(raw: bytes, offset: int) -> tuple[str, int]:
    """The line holding ``offset`` (cut to a window when long) and the caret's column in that text."""
    start = raw.rfind(b"\n", 0, offset) + 1
    end = raw.find(b"\n", offset)
    end = len(raw) if end < 0 else end
    low, high = max(start, offset - 4 * SNIPPET_RADIUS), min(end, offset + 4 * SNIPPET_RADIUS)
    before = raw[low:offset].decode("utf-8", "replace")
    after = raw[offset:high].decode("utf-8", "replace").rstrip("\r")
    if len(before) > SNIPPET_RADIUS or low > start:
        before = "…" + before[-SNIPPET_RADIUS:]
    if len(after) > SNIPPET_RADIUS or high < end:
        after = after[:SNIPPET_RADIUS] + "…"
    return before + after, len(before)


def pointer_order(pointer: str) -> list[tuple[int, int | str]]:
    """Sort pointers in document order as far as possible (array indices numerically)."""
    return [(0, int(t)) if is_index(t) else (1, t) for t in pointer.split("/")[1:]]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (parsed JSON holds no cycles; the collector would re-scan
    millions of fresh objects again and again) and restore its state afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse(raw: bytes) -> Document | ParseFailure:
    """Parse once. A failure is returned as a value, with the parser's own line and column.

    Call it with the collector paused (:func:`collector_paused`) when the file may be large.
    """
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        message = exc.msg[0].lower() + exc.msg[1:] if exc.msg else "invalid JSON"
        offset = len(exc.doc[: exc.pos].encode("utf-8", "replace")) if exc.doc else 0
        return ParseFailure(message, exc.lineno, exc.colno, offset)
    return Document(raw, data)
