"""Bytes to parsed data, once; parse errors as values; positions computed lazily for what is reported."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dlint import limits as run_limits
from dlint.diagnostics import Location, is_index
from dlint.limits import Limits
from dlint.locate import Locator, PointerNotFound, line_columns
from dlint.parsecheck import ParseFailure, ParseNote, Refused, inspect, load, too_large

#: Characters of source shown on each side of the column when a line is long (compact files are one line).
SNIPPET_RADIUS = 60


@dataclass
class Document:
    """A parsed annotation file with its raw bytes kept for positions and snippets."""

    raw: bytes
    data: Any
    _locator: Locator | None = field(default=None, repr=False)
    #: What the parser accepted silently (integers beyond 64 bits, repeated keys), in text order.
    notes: tuple[ParseNote, ...] = ()
    #: Whether the text was searched for repeated keys (see :attr:`Limits.duplicate_key_scan`).
    keys_checked: bool = False
    #: Where keys repeat: a key's first occurrence -> its last one, whose value the data holds (a
    #: pointer names that one). Known when the keys were checked.
    repeats: dict[int, int] = field(default_factory=dict)
    #: Whether the text is ASCII, when that is known already (it is looked at otherwise).
    ascii: bool | None = None
    #: Whether the text holds a line break, when that is known already (it is looked for otherwise).
    breaks: bool | None = None

    def item(self, index: int) -> Any:
        """The entry ``index`` of ``items`` (None when there is none)."""
        items = self.data.get("items") if isinstance(self.data, dict) else None
        return items[index] if isinstance(items, list) and 0 <= index < len(items) else None

    def offsets(self, pointers: Iterable[str]) -> dict[str, int]:
        """Byte offsets for pointers; a pointer that does not resolve maps to the closest ancestor."""
        if self._locator is None:
            self._locator = Locator(self.raw, self.data, self.repeats)
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
        found = line_columns(self.raw, offsets, ascii_only=self.ascii, breaks=self.breaks)
        return {offset: Location(*at) for offset, at in found.items()}

    def snippet(self, offset: int) -> tuple[str, int]:
        """The source line around a byte offset, and the caret's 0-based column within that text."""
        return source_snippet(self.raw, offset)


def source_snippet(raw: bytes, offset: int) -> tuple[str, int]:
    """The line holding ``offset`` (cut to a window when long) and the caret's column in that text.

    Line ends are looked for within the window only: a compact file is one line of hundreds of MB.
    """
    window = 4 * SNIPPET_RADIUS
    floor, ceiling = max(0, offset - window), min(len(raw), offset + window)
    newline = raw.rfind(b"\n", floor, offset)
    low, cut_before = (newline + 1, False) if newline >= 0 else (floor, floor > 0)
    newline = raw.find(b"\n", offset, ceiling)
    high, cut_after = (newline, False) if newline >= 0 else (ceiling, ceiling < len(raw))
    before = raw[low:offset].decode("utf-8", "replace")
    after = raw[offset:high].decode("utf-8", "replace").rstrip("\r")
    if len(before) > SNIPPET_RADIUS or cut_before:
        before = "…" + before[-SNIPPET_RADIUS:]
    if len(after) > SNIPPET_RADIUS or cut_after:
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


def parse(raw: bytes, limits: Limits | None = None) -> Document | ParseFailure:
    """Parse once. A failure is returned as a value, with the precise reason and position; what the
    parser accepted silently is noted on the document (see :mod:`dlint.parsecheck`).

    Call it with the collector paused (:func:`collector_paused`) when the file may be large.
    """
    if isinstance(raw, Refused):
        return raw.failure
    limits = limits or run_limits.current()
    if len(raw) > limits.max_file_size:
        return Refused(too_large(len(raw), limits.max_file_size)).failure
    data = load(raw, limits.max_depth)
    if isinstance(data, ParseFailure):
        return data
    notes, keys_checked, repeats = inspect(raw, data, limits)
    return Document(raw, data, notes=notes, keys_checked=keys_checked, repeats=repeats)


__all__ = [
    "Document",
    "ParseFailure",
    "ParseNote",
    "Refused",
    "collector_paused",
    "parse",
    "pointer_order",
    "source_snippet",
]
