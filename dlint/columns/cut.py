"""Where the text of a file's items splits in two, found without parsing it.

Two processes share out the items of a big file (see :mod:`dlint.columns.split`). Scanning the whole
file first to find where each item begins would cost a tenth of the check before the second process
could start; instead the split is found by searching the text, and the decodes of the parts prove
it right. A file in which the search goes wrong can only fail a decode; it never yields a wrong
"clean". The text is cut into four parts::

    {"dm_format_version": ..., "categories": ..., "items": [{"id": "a", ...}, ..., {"id": "x", ...}]}
    |------------------- head -------------------------| |---------- first -------| |-- second --|
                                                  start^              first_end^   ^second_start ^end

* ``head`` is the text before the ``[`` of an ``"items":`` key followed by an array. Then
  ``head + "[]}"`` decodes as a whole file only if that key belongs to the top-level object: ``[]``
  is then its value and ``}`` closes the object. So the top level is decoded from ``head`` alone.
  The categories before it may hold keys ``items`` of their own (those of ``points``): the keys are
  tried in order, the first few of them only, near the start of the file.
* ``end`` is the last ``]`` of the file, followed only by ``}`` and white space.
* Between ``start`` and ``end``, a boundary between two items is searched for: the ``}`` closing one,
  a comma, and the ``{"id": "`` opening the next. Datumaro writes the id of an item first and as a
  string; the id of an annotation is an integer. A ``"`` directly after ``{`` cannot be inside a
  string (it would have to be escaped there), so the pattern occurs nowhere else in a valid file.
* ``text[start:first_end + 1] + "]"`` and ``"[" + text[second_start:end + 1]`` must each decode as a
  list of items. The first succeeds only if the boundary closes an item of the items' array itself;
  then, the comma between them being valid there, the second part's items continue that array up to
  ``end``, which closes it; ``}`` closes the top level, and nothing follows.

A part is decoded in place, not copied (a copy of half a big file costs as much as a twentieth of
its check, most of it in the memory it takes): the byte next to it (the comma between the parts, or
white space) is read as the missing bracket while the part is read, see :meth:`Cut.first_part`.

When any of this does not hold (another key order, a single item, no items key at the top level), the
file is decoded whole instead, in one process.
"""

from __future__ import annotations

import contextlib
import ctypes
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

_SPACE = b"[ \t\r\n]*"
#: A key ``items`` with an array for its value (its ``[`` ends the match).
_ITEMS = re.compile(_SPACE.join([b'"items"', b":", rb"\["]))
#: The end of an item, a comma, and the start of the next, whose first key is its string ``id``.
BOUNDARY = re.compile(_SPACE.join([rb"\}", b",", rb"\{", b'"id"', b":", b'"']))
#: The same boundary as the compact writer writes it (a literal: searched for far faster than a pattern).
COMPACT_BOUNDARY = b'},{"id":"'
_NOT_WHITE = re.compile(rb"[^ \t\r\n]")
#: Where the key ``items`` is looked for: the first quarter of the file, and its first few keys.
HEAD_SHARE, MAX_TRIES = 0.25, 8


@dataclass(frozen=True)
class Cut:
    """Offsets in the file's text (see the module docstring)."""

    start: int  # the items' ``[``
    first_end: int  # the ``}`` closing the first part's last item
    second_start: int  # the ``{`` opening the second part's first item
    end: int  # the items' ``]``

    def head(self, raw: bytes) -> bytes:
        """The file without its items: the top level, with an empty items array."""
        return b"".join((memoryview(raw)[: self.start], b"[]}"))

    def first_part(self, raw: bytes) -> contextlib.AbstractContextManager[Part]:
        """The first part's items as a JSON array, for the time of a ``with`` block: the text from the
        items' ``[`` to the byte after the part's last item, read as ``]``."""
        return _bracketed(raw, self.start, self.first_end + 2, b"]")

    def second_part(self, raw: bytes) -> contextlib.AbstractContextManager[Part]:
        """The second part's items as a JSON array, for the time of a ``with`` block: the text from the
        byte before the part's first item, read as ``[``, to the items' ``]``."""
        return _bracketed(raw, self.second_start - 1, self.end + 1, b"[")


@dataclass(frozen=True)
class Part:
    """A part of the items as a JSON array: ``raw[lo:hi]``, read in place through ``text``."""

    raw: bytes
    lo: int
    hi: int
    text: memoryview


@contextlib.contextmanager
def _bracketed(raw: bytes, lo: int, hi: int, bracket: bytes) -> Iterator[Part]:
    """``raw[lo:hi]`` with the byte at its end (``]``) or its start (``[``) read as ``bracket`` inside
    the block, and as it was after.

    The byte is written in place, in the buffer of a bytes object, which Python code never changes:
    this is the one place that does. It is safe because the byte written is the comma or white space
    between two items (no value holds it, so no slice of a decode sees it), because the items are
    cut in two only in a process with no other thread (see :func:`dlint.columns.split.can_fork`),
    and because a forked child writes in its own copy of the memory. The byte is put back however
    the block ends."""
    at = hi - 1 if bracket == b"]" else lo
    kept = raw[at : at + 1]
    _write(raw, at, bracket)
    try:
        yield Part(raw, lo, hi, memoryview(raw)[lo:hi])
    finally:
        _write(raw, at, kept)


def _write(raw: bytes, at: int, byte: bytes) -> None:
    ctypes.memmove(int(np.frombuffer(raw, np.uint8).ctypes.data) + at, byte, 1)


def candidates(raw: bytes, share: float) -> Iterator[Cut]:
    """The possible cuts, giving the first part about ``share`` of the items' text: one for each of
    the first :data:`MAX_TRIES` keys ``items`` with an array value in the first :data:`HEAD_SHARE` of
    the file, in order (the right one is the first whose head decodes)."""
    end = _closing_bracket(raw)
    if end is None:
        return
    boundary = None
    for tries, items in enumerate(_ITEMS.finditer(raw, 0, int(end * HEAD_SHARE))):
        start = items.end() - 1
        if boundary is None:
            boundary = BOUNDARY.search(raw, start + int((end - start) * share), end)
        if boundary is None or boundary.start() <= start or tries == MAX_TRIES:
            return
        yield Cut(start, boundary.start(), raw.index(b"{", boundary.start() + 1), end)


def around(part: Part, inside: int) -> tuple[int, int]:
    """The guessed start and end offsets, in the file's text, of the item of ``part`` whose text holds
    offset ``inside``: from the compact boundary before it, or the part's first item, to the compact
    boundary after it, or the part's end.

    Only a guess: the boundary's pattern occurs elsewhere only inside a value that is not a checked
    structure (an array of numbers holding objects), or not at all where the writer adds white
    space. Any such miss gives a text that is not one JSON value (a value cut in two, or several
    items), so parsing the text as one item, and finding its id, proves the guess right."""
    raw = part.raw
    before = raw.rfind(COMPACT_BOUNDARY, part.lo, inside)
    if before >= 0:
        start = before + 2
    else:
        first = _NOT_WHITE.search(raw, part.lo + 1, part.hi)
        start = part.lo + 1 if first is None else first.start()
    after = raw.find(COMPACT_BOUNDARY, inside, part.hi)
    end = after + 1 if after >= 0 else part.lo + _skip_white_back(part.text, len(part.text) - 1)
    return start, end


def _closing_bracket(raw: bytes) -> int | None:
    """The offset of the ``]`` before the file's final ``}`` (white space aside), if it ends so."""
    end = _skip_white_back(raw, len(raw))
    if not end or raw[end - 1] != ord("}"):
        return None
    end = _skip_white_back(raw, end - 1)
    if not end or raw[end - 1] != ord("]"):
        return None
    return end - 1


def _skip_white_back(raw: bytes | memoryview, end: int) -> int:
    """``end`` moved back over white space: read in pieces that double in size (a file of white
    space costs its length once, never a step per byte)."""
    size = 64
    while end:
        start = max(0, end - size)
        kept = len(bytes(raw[start:end]).rstrip(b" \t\r\n"))
        if kept:
            return start + kept
        end, size = start, size * 2
    return 0


__all__ = ["Cut", "Part", "around", "candidates"]
