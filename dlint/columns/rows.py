"""Where the rows the column pass flagged lie in a part's text, found without decoding the part again.

A flagged row is read as ordinary data from its own slice of the text (see
:func:`dlint.columns.read_rows`), so each process that flags rows also says where they lie. A row
holding a slice of the text that the typed decode kept (an annotation's coordinates) is found around
it (see :func:`dlint.columns.cut.around`): a guess that reading the row, and finding its id, proves.
The others are found by outlining the part (one decode of it into the items' texts).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import numpy as np
import orjson

from dlint.columns import cut
from dlint.columns.model import DECODE_ERRORS, Item

#: Where an item's text lies in the file's: its start and end offsets.
Span = tuple[int, int]
#: Rows of a part found each by itself at most: one in this many (past it, the part is outlined).
SEARCHED_SHARE = 8


def spans_of(part: cut.Part, items: list[Item], rows: list[int]) -> list[Span]:
    """Where these rows of a part lie in the file's text (none when the part cannot be outlined: then
    the file's items are outlined whole, if needed). A row holding a slice of the text (an
    annotation's coordinates) is found around that slice, and its text must read as the row with its
    id (see :func:`cut.around`); from the first row that cannot be found so, the part is outlined, and
    at once when many rows are flagged."""
    if len(rows) > len(items) // SEARCHED_SHARE:  # many rows: one outline costs less than their reads
        return _outlined(part, rows)
    spans: list[Span] = []
    for at, row in enumerate(rows):
        found = _found(part, items[row])
        if found is None:
            rest = _outlined(part, rows[at:])
            return spans + rest if rest else []
        spans.append(found)
    return spans


def _found(part: cut.Part, item: Item) -> Span | None:
    """Where the item lies in the text, found around a slice of it (None when it holds no slice, or
    the text found is not the item)."""
    inside = next((value for ann in item.annotations or () for value in _slices(ann)), None)
    if inside is None:
        return None
    start, end = cut.around(part, offset_of(inside, part.raw))
    try:
        row = orjson.loads(memoryview(part.raw)[start:end])
    except orjson.JSONDecodeError:
        return None
    return (start, end) if type(row) is dict and row.get("id") == item.id else None


def _slices(annotation: Any) -> Iterator[msgspec.Raw]:
    """The slices of the text an annotation's decode kept (its coordinates)."""
    for key in _SLICED:
        value = getattr(annotation, key, None)
        if type(value) is msgspec.Raw:
            yield value


#: The annotation keys whose values the typed decode keeps as slices of the text.
_SLICED = ("points", "bbox", "position")


def _outlined(part: cut.Part, rows: list[int]) -> list[Span]:
    """Where these rows lie, from the part's items outlined (none when it cannot be outlined)."""
    try:
        texts = _TEXTS_DECODER.decode(part.text)
    except DECODE_ERRORS:
        return []
    starts = [(offset_of(texts[row], part.raw), len(texts[row])) for row in rows]
    return [(start, start + length) for start, length in starts]


_TEXTS_DECODER = msgspec.json.Decoder(list[msgspec.Raw])


def offset_of(text: msgspec.Raw, raw: bytes | memoryview) -> int:
    """Where a slice made by the decode lies in the text it was decoded from (the decode's slices
    are views of that text, never copies)."""
    return _address(text) - _address(raw)


def _address(buffer: Any) -> int:
    return int(np.frombuffer(buffer, dtype=np.uint8).ctypes.data)


__all__ = ["SEARCHED_SHARE", "Span", "offset_of", "spans_of"]
