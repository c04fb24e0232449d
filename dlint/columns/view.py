"""A file of which only some rows were read, seen as the engine sees a parsed document: its data,
and where pointers lie in its text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dlint.columns import Decoded
from dlint.diagnostics import Location, is_index, split_pointer
from dlint.document import Document


class ReadRows(list[Any]):
    """The ``items`` of a file of which only some rows were read: indexing reaches those (what rules
    explaining a schema failure look up), iterating goes over none."""

    def __init__(self, rows: dict[int, Any]) -> None:
        super().__init__()
        self._rows = rows

    def __getitem__(self, index: Any) -> Any:
        try:
            return self._rows[index]
        except (KeyError, TypeError):
            raise IndexError(index) from None


class RowsView:
    """The top level and the read rows of a decoded file, and the offsets of pointers into them."""

    def __init__(self, decoded: Decoded, rows: dict[int, Any]) -> None:
        self.raw = decoded.raw
        self.rows = rows
        self.data = {**decoded.top, "items": ReadRows(rows)}
        self._spans = decoded.spans
        self._top = Document(decoded.raw, decoded.top, ascii=decoded.ascii, breaks=decoded.breaks)
        self._documents: dict[int, tuple[int, Document]] = {}

    def item(self, index: int) -> Any:
        """A read row (None for another)."""
        return self.rows.get(index)

    def offsets(self, pointers: Iterable[str]) -> dict[str, int]:
        """Byte offsets for pointers, as :meth:`Document.offsets` gives them."""
        found: dict[str, int] = {}
        for pointer in set(pointers):
            tokens = split_pointer(pointer)
            row = int(tokens[1]) if len(tokens) > 1 and tokens[0] == "items" and is_index(tokens[1]) else -1
            if row in self.rows:
                base, document = self._row(row)
                rest = pointer[len(f"/items/{row}") :]
                found[pointer] = base + document.offsets([rest])[rest]
            else:
                found[pointer] = self._top.offsets([pointer])[pointer]
        return found

    def _row(self, row: int) -> tuple[int, Document]:
        known = self._documents.get(row)
        if known is None:
            start, end = self._spans[row]
            known = self._documents[row] = (start, Document(self.raw[start:end], self.rows[row]))
        return known

    def locations(self, offsets: Iterable[int]) -> dict[int, Location]:
        return self._top.locations(offsets)

    def snippet(self, offset: int) -> tuple[str, int]:
        return self._top.snippet(offset)


__all__ = ["ReadRows", "RowsView"]
