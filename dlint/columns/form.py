"""Whether text the column pass decoded is in canonical compact form (``dlint fix`` then has nothing to
write), told from its typed structures, without building its Python tree.

The structures of :mod:`dlint.columns.model` list their fields in the canonical writer's key order,
so encoding them gives the text back byte for byte when it has no white space, no key out of place
and no key twice, but for one difference: the encoder writes an annotation's ``type`` (the tag of its
struct) first, where the writer puts it second, after ``id``; it is moved back before the texts are
compared. The pattern moved, ``{"type":"...","id":...,`` after ``[`` or ``,``, is an annotation's
beginning and nothing else in encoded items: it cannot occur in a string, and the other objects
encoded there are attribute values, which open after ``:``.

What stays text in the structures (coordinates, ``info``, ``categories``) is its own text, so it must
also be what the writer would write for its value: one parse and one serialisation of all those
slices together tells. Strings and integers are encoded alike by both encoders (a test checks every
character), floats too but for one form: from 1e16 up, one writes ``1e16`` where the other writes
``1e+16``. An attribute holding such a float leaves the text judged not canonical, and ``dlint fix``
takes the longer road to the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from operator import attrgetter

import msgspec
import orjson
from msgspec import UNSET, Raw

from dlint.columns.model import FREE_FORM, KINDS, Dataset, Item
from dlint.columns.numbers import array_text
from dlint.columns.table import Table
from dlint.writer import canonical

_ENCODER = msgspec.json.Encoder()
#: Slices parsed and written again at once.
CHUNK = 4096
#: Items encoded and compared at once.
ITEMS_CHUNK = 1024
#: An encoded annotation's first two keys (after ``[`` or ``,``: see :func:`_moved`).
_TAGGED = re.compile(rb'\{"type":"([a-z0-9_]+)",("id":-?[0-9]+,)')
#: A float the encoders write apart: its exponent is positive (an attribute's value is after ``:``).
_BIG_FLOAT = re.compile(rb":-?[0-9]+(?:\.[0-9]+)?e[0-9]")
#: The annotation keys whose values the typed decode keeps as text.
_SLICED = ("points", "bbox", "visibility", "position", "rotation", "scale")
#: Those of each annotation type.
_SLICED_BY_KIND = {
    name: tuple(key for key in kind.__struct_fields__ if key in _SLICED) for name, kind in KINDS.items()
}


def dataset_as_written(dataset: Dataset, text: bytes, table: Table | None) -> bool:
    """Whether ``text``, decoded into ``dataset``, is what the canonical compact writer writes for it:
    the whole file, with the ``table`` of its items, or its top level with ``"items":[]`` (no table)."""
    head = _ENCODER.encode(dataset if table is None else msgspec.structs.replace(dataset, items=[]))
    if table is None:
        if head != text:
            return False
    else:  # the top level up to its items' "[", the items, then "]}"
        start = len(head) - len(b"[]}")
        view = memoryview(text)
        if bytes(view[:start]) != head[:start] or bytes(view[-1:]) != b"}":
            return False
        if not items_as_written(table, view[start:-1]):
            return False
    for key in FREE_FORM:
        value = getattr(dataset, key)
        if value is not UNSET:
            written = bytes(value)
            if orjson.dumps(canonical({key: orjson.loads(written)})[key]) != written:
                return False
    return True


def items_as_written(table: Table, text: bytes | memoryview) -> bool:
    """Whether ``text``, a JSON array decoded into the items of ``table``, is what the canonical
    compact writer writes for them."""
    return _same(table.items, memoryview(text)) and _values_as_written(table)


def _same(items: list[Item], text: memoryview) -> bool:
    """Whether ``text`` is the items encoded, with each annotation's ``type`` moved after its ``id``:
    compared a chunk of items at a time (the encoded text is never whole in memory)."""
    if not items:
        return bytes(text) == b"[]"
    at = 0
    for lo in range(0, len(items), ITEMS_CHUNK):
        encoded = _moved(_ENCODER.encode(items[lo : lo + ITEMS_CHUNK]))
        body = memoryview(encoded)[1:-1]  # (without its brackets)
        if bytes(text[at : at + 1]) != (b"," if lo else b"["):
            return False
        at += 1
        if text[at : at + len(body)] != body:
            return False
        at += len(body)
    return bytes(text[at:]) == b"]"


def _moved(encoded: bytes) -> bytes:
    """Encoded items with each annotation's ``type`` moved after its ``id``."""

    def moved(found: re.Match[bytes]) -> bytes:
        if encoded[found.start() - 1 : found.start()] not in (b"[", b","):
            return found[0]  # (not an annotation's beginning: then the texts differ anyway)
        return b"".join((b"{", found[2], b'"type":"', found[1], b'",'))

    return _TAGGED.sub(moved, encoded)


def _values_as_written(table: Table) -> bool:
    """Whether the items' float attributes are written alike by both encoders, and the values they
    kept as text are as the writer writes them."""
    attributes = [*table.attributes, *(attr for attr in table.attrs if attr is not UNSET)]
    if _BIG_FLOAT.search(_ENCODER.encode(attributes)):
        return False
    slices: list[Raw] = []
    for kind, keys in _SLICED_BY_KIND.items():
        for key in keys:
            slices += [value for value in map(attrgetter(key), table.of(kind)) if value is not UNSET]
    return _as_written(slices)


def _as_written(slices: Sequence[Raw]) -> bool:
    """Whether each slice is its value as the writer writes it (one parse and one dump per chunk)."""
    for lo in range(0, len(slices), CHUNK):
        blob = array_text(slices[lo : lo + CHUNK])
        if orjson.dumps(orjson.loads(blob)) != blob:
            return False
    return True


__all__ = ["dataset_as_written", "items_as_written"]
