"""The column pass: decode a big file once into typed items, and find the rows a rule might report on.

A big Datumaro 1.0 file is decoded into compact typed structures (:mod:`dlint.columns.model`) instead of
Python trees; its numbers are read in bulk into numpy arrays (:mod:`dlint.columns.numbers`) and laid
out as columns (:mod:`dlint.columns.table`). Each selected rule's column form (``Rule.columns``) flags
the rows (items) where its precise check might report something, and the engine then reads only those
rows as ordinary data and runs the precise checks on them (see :mod:`dlint.engine`). The top level
without its items (``categories``, ``infos``...) is small: it is read as ordinary data at once.

An item that does not fit the typed shape (an unknown key, a string where a number belongs...) is a
flagged row too: it is read as ordinary data and checked precisely, schema included. Where the whole
file cannot be served so (another dialect, invalid JSON, repeated keys to look for), the engine reads
it whole and checks every row precisely.

Big files are shared out between two processes where that is safe: the text of the items is cut in
two where one item ends and the next begins (:mod:`dlint.columns.cut`), and a forked copy of the
process decodes and flags the second part while this one does the first (:mod:`dlint.columns.split`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np
import orjson

from dlint import jsonscan, memory
from dlint.columns import cut, split
from dlint.columns.form import dataset_as_written, items_as_written
from dlint.columns.model import (
    DECODE_ERRORS,
    DECODER,
    FREE_FORM,
    ITEM_DECODER,
    ITEMS_DECODER,
    OUTLINE_DECODER,
    UNSET,
    Dataset,
    Item,
    Top,
)
from dlint.columns.rows import Span, offset_of, spans_of
from dlint.columns.table import Table
from dlint.limits import Limits
from dlint.locate import first_invalid_utf8
from dlint.parsecheck import ParseFailure, load
from dlint.rules.base import SCHEMA_CHECK, Context, Rule

#: The deepest structure a decoded item may have (an annotation's ``rle`` or ``attributes`` object,
#: at level 6) and one more; a smaller ``limits.max-depth`` leaves every file to the whole-file read.
MIN_DEPTH = 7
#: The share of the items' text this process checks when a forked child checks the rest. This
#: process also prepares what it needs afterwards (see :func:`flagged`) while the child starts,
#: which evens out: over eight runs with halves, the two finished within 0.02 s of each other, in
#: either order.
OWN_SHARE = 0.50
#: The first byte value that is not ASCII (a part is ASCII when all its bytes are below it: one numpy
#: reduction, which reads a view of the text faster than ``bytes.isascii`` reads a copy).
_NOT_ASCII = 0x80
#: The rows each rule's column form flagged, by code (``SCHEMA_CHECK`` for the schema's).
Marks = dict[str, list[int]]
#: What a process tells of its part: flagged rows, item ids, which rules flagged which rows, where the
#: rows lie, whether the text is ASCII, whether it holds a line break (None: not looked for), and
#: whether it is in canonical form (False: not asked).
_Part = tuple[list[int], list[str], Marks | None, list[Span], bool, bool | None, bool]


class Malformed(Exception):
    """The items' text is not JSON: the whole-file read names the problem."""


@dataclass
class Decoded:
    """A decoded file: the top level as plain data with ``items`` empty, and either its items or where
    their text is cut in two (for two processes to decode a part each)."""

    top: dict[str, Any]
    media_type: Any
    raw: bytes
    #: Whether the text is ASCII.
    ascii: bool
    #: Whether the text holds a line break (None: not known).
    breaks: bool | None
    items: list[Item] | None = None
    cut: cut.Cut | None = None
    #: The rows read as ordinary data so far (those whose typed decode failed, then the flagged ones).
    rows: dict[int, Any] = field(default_factory=dict)
    #: Where rows lie in the file's text: start and end offsets, found for the flagged ones.
    spans: dict[int, Span] = field(default_factory=dict)
    #: Each item's text, when the items were outlined whole (see :func:`locate_rows`).
    texts: list[msgspec.Raw] | None = None
    #: Which checks each flagged row needs: the codes of the rules whose column form flagged it, and
    #: ``SCHEMA_CHECK`` when the schema might reject it. A row without an entry (one that did not
    #: fit the typed shape) needs them all; None: every row needs them all (a rule has no column
    #: form).
    checks: dict[int, frozenset[str]] | None = None
    #: The top level as decoded, with its items when they were decoded whole and all fit the typed
    #: shape (else with none), for :func:`flagged` to tell whether the text is in canonical form.
    typed: Dataset | None = None
    #: Whether the text is in canonical compact form (None: not asked, see :func:`flagged`).
    canonical: bool | None = None


def eligible(raw: bytes, limits: Limits) -> bool:
    """Whether the column pass may serve a file of these bytes under these limits (the whole-file read
    looks for repeated keys in smaller files, which a decode cannot see)."""
    return (
        not limits.scans_duplicate_keys(len(raw))
        and len(raw) <= limits.max_file_size
        and limits.max_depth >= MIN_DEPTH
    )


def decode(raw: bytes, limits: Limits, *, share: bool = False) -> Decoded | None:
    """The decoded file, or None when the column pass cannot serve it (then it is read whole). With
    ``share``, only the top level is decoded when the items' text can be cut in two, for
    :func:`flagged` to share out."""
    where, dataset = head(raw, OWN_SHARE) if share else (None, None)
    checked = raw if where is None else where.head(raw)  # (two processes check their own parts)
    ascii_only = checked.isascii()
    if not ascii_only and first_invalid_utf8(checked) is not None:
        return None  # (the decode does not check the text of strings it skips)
    rows: dict[int, Any] = {}
    texts = None
    if dataset is None:  # not shared, or no cut found: decode the file whole
        try:
            dataset = DECODER.decode(raw)
        except msgspec.ValidationError:  # some item does not fit the typed shape: decode item by item
            outline = _outline(raw)
            if outline is None:
                return None
            dataset, texts, rows = outline
        except DECODE_ERRORS:
            return None
    top = _top(dataset, limits)
    if top is None or dataset.items is UNSET:
        return None
    if where is not None:
        between = raw[where.first_end : where.second_start] + raw[where.end :]
        breaks = b"\n" in checked or b"\n" in between
        return Decoded(top, dataset.media_type, raw, ascii_only, breaks, cut=where, typed=dataset)
    typed = None if rows else dataset
    return Decoded(
        top,
        dataset.media_type,
        raw,
        ascii_only,
        None,
        items=dataset.items,
        rows=rows,
        texts=texts,
        typed=typed,
    )


def head(raw: bytes, share: float) -> tuple[cut.Cut, Any] | tuple[None, None]:
    """A cut of the items' text giving the first part about ``share`` of it, with the top level decoded
    (its items left out), or Nones when there is none."""
    for where in cut.candidates(raw, share):
        try:
            return where, DECODER.decode(where.head(raw))
        except DECODE_ERRORS:
            continue
    return None, None


def _outline(raw: bytes) -> tuple[Any, list[msgspec.Raw], dict[int, Any]] | None:
    """The file decoded item by item: the top level with the items that fit the typed shape (a stand-in
    for the others), each item's text, and the others read as ordinary data (None when one of them
    does not read as ordinary data reads it)."""
    try:
        outline = OUTLINE_DECODER.decode(raw)
    except DECODE_ERRORS:
        return None
    texts = outline.items
    if texts is UNSET:
        return None
    items: list[Item] = []
    rows: dict[int, Any] = {}
    for index, text in enumerate(texts):
        try:
            items.append(ITEM_DECODER.decode(text))
        except DECODE_ERRORS:
            row = read_row(text)
            if row is None:
                return None
            rows[index] = row
            item_id = row.get("id") if type(row) is dict else None
            items.append(Item(id=item_id if type(item_id) is str else f"\x00{index}"))
    dataset = Dataset(**{name: getattr(outline, name) for name in Top.__struct_fields__}, items=items)
    return dataset, texts, rows


def read_row(text: bytes | msgspec.Raw) -> Any | None:
    """An item's text read as ordinary data, as the whole-file read would read it (None when it holds
    what only the whole-file read explains: a number beyond 64 bits, say)."""
    data = bytes(text)
    if jsonscan.has_long_digit_run(data):
        return None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


def _top(dataset: Any, limits: Limits) -> dict[str, Any] | None:
    """The top level as plain data, with ``items`` empty (None if its free-form values do not parse
    as the whole-file read parses them)."""
    top: dict[str, Any] = {}
    for key in ("dm_format_version", "media_type"):
        value = getattr(dataset, key)
        if value is not UNSET:
            top[key] = value
    for key in FREE_FORM:
        value = getattr(dataset, key)
        if value is UNSET:
            continue
        text = bytes(value)
        parsed = load(text, limits.max_depth - 1)
        if isinstance(parsed, ParseFailure) or jsonscan.has_long_digit_run(text):
            return None
        top[key] = parsed
    top["items"] = []  # the items are the columns'
    return top


def flagged(
    decoded: Decoded,
    ctx: Context,
    rules: Sequence[type[Rule]],
    meanwhile: Callable[[], Any] = lambda: None,
    *,
    form: bool = False,
) -> list[int] | None:
    """The rows (file indices, in order) where a selected rule might report something: those its column
    form flags, those the schema might reject, those that did not fit the typed shape, and those the
    rules comparing items with one another name. None when the items do not fit the typed shape
    where they are shared out (then they are decoded in one process); :class:`Malformed` when this
    process finds its part is not JSON.

    Items whose text is cut in two are shared out: a forked copy of the process flags the second part
    while this one does the first. ``meanwhile`` is called first (once the other process runs): work
    this process needs later anyway. With ``form``, each process also tells whether its text is in
    canonical compact form, and ``decoded.canonical`` says whether the file is."""
    if decoded.items is not None:
        meanwhile()
        table = Table(decoded.items, decoded.media_type, ctx)
        rows, ids, marks = _flag(table, ctx, rules)
        if form:
            typed = decoded.typed
            decoded.canonical = typed is not None and dataset_as_written(typed, decoded.raw, table)
        memory.release(table)  # its items and columns
    else:
        shared = _shared(decoded, ctx, rules, meanwhile, form)
        if shared is None:
            return None
        rows, ids, marks = shared
    found = set(rows) | set(decoded.rows)
    for rule in rules:
        across = rule.across(ids)
        found.update(across)
        if marks is not None and across:
            marks.setdefault(rule.code, []).extend(across)
    decoded.checks = None if marks is None else _checks(marks, decoded.rows)
    return sorted(found)


def _checks(marks: Marks, unread: dict[int, Any]) -> dict[int, frozenset[str]]:
    """Per flagged row, the codes that flagged it (a row that did not fit the typed shape has none:
    it needs every check). Rows flagged alike share one set."""
    codes: dict[int, set[str]] = {}
    for code, rows in marks.items():
        for row in rows:
            codes.setdefault(row, set()).add(code)
    kinds: dict[frozenset[str], frozenset[str]] = {}
    return {
        row: kinds.setdefault(frozen, frozen)
        for row, found in codes.items()
        if row not in unread
        for frozen in (frozenset(found),)
    }


def _flag(
    table: Table, ctx: Context, rules: Sequence[type[Rule]]
) -> tuple[list[int], list[str], Marks | None]:
    """The rows of one table flagged by the schema and the rules' column forms (table indices), the
    table's item ids, and which flagged which (None when a rule has no column form: then every row
    is flagged, for every check)."""
    schema = table.schema_rows
    rows = schema.copy()
    marks: Marks = {SCHEMA_CHECK: np.flatnonzero(schema).tolist()}
    for rule in rules:
        form = rule.columns(table, ctx)
        if form is None:  # no column form: every row is checked precisely, by every rule
            return list(range(len(table.items))), table.ids, None
        if form.any():
            marks[rule.code] = np.flatnonzero(form).tolist()
            rows |= form
    return np.flatnonzero(rows).tolist(), table.ids, marks


def _shared(
    decoded: Decoded, ctx: Context, rules: Sequence[type[Rule]], meanwhile: Callable[[], Any], form: bool
) -> tuple[list[int], list[str], Marks | None] | None:
    """:func:`_flag` over both parts of cut items, the second in a forked child (with ``form``, each
    also tells whether its text is in canonical form)."""
    where = decoded.cut
    assert where is not None

    def part(reading: AbstractContextManager[cut.Part]) -> _Part | None:
        """The part's flagged rows, counted from its first item, its ids, and where the flagged rows
        lie in the file's text; whether the text is ASCII, holds a line break, and (with ``form``)
        is in canonical form. Raises :class:`Malformed` when the text is not JSON."""
        with reading as found:
            text = found.text
            ascii_only = not text or bool(np.frombuffer(text, np.uint8).max() < _NOT_ASCII)
            if not ascii_only and first_invalid_utf8(text) is not None:
                return None  # (the file is then read whole, which names the problem)
            try:
                items = ITEMS_DECODER.decode(text)
            except msgspec.ValidationError:
                return None
            except DECODE_ERRORS as exc:
                raise Malformed from exc
            table = Table(items, decoded.media_type, ctx)
            rows, ids, marks = _flag(table, ctx, rules)
            # (a line break is looked for where rows will be located; the byte read as a bracket
            # is among those that decode() looked at between the parts)
            breaks = decoded.raw.find(b"\n", found.lo, found.hi) >= 0 if rows else None
            written = form and items_as_written(table, text)
            memory.release(table)  # its items and columns
            return rows, ids, marks, spans_of(found, items, rows), ascii_only, breaks, written

    def theirs() -> bytes | None:  # (a child that raises answers nothing)
        found = part(where.second_part(decoded.raw))
        return None if found is None else msgspec.msgpack.encode(found)

    pending = split.start(theirs, fork=True)  # forked first: both parts are decoded side by side
    mine = None
    try:
        meanwhile()
        mine = part(where.first_part(decoded.raw))
    finally:
        answer = pending(abandon=mine is None)
    if mine is None or answer is None:
        return None
    rows, ids, marks, spans, ascii_only, breaks, written = mine
    their_rows, their_ids, their_marks, their_spans, their_ascii, their_breaks, their_written = (
        msgspec.msgpack.decode(answer)
    )
    if form:
        decoded.canonical = written and their_written and _rest_as_written(decoded)
    decoded.ascii = decoded.ascii and ascii_only and their_ascii
    told = (decoded.breaks, breaks, their_breaks)
    decoded.breaks = True if True in told else None if None in told else False
    shift = len(ids)
    their_rows = [shift + row for row in their_rows]
    for part_rows, part_spans in ((rows, spans), (their_rows, their_spans)):
        if len(part_spans) == len(part_rows):  # (a part that could not be outlined tells none)
            decoded.spans.update(zip(part_rows, map(tuple, part_spans), strict=True))
    if marks is not None and their_marks is not None:
        for code, flagged_rows in their_marks.items():
            marks.setdefault(code, []).extend(shift + row for row in flagged_rows)
    else:
        marks = None
    return rows + their_rows, ids + their_ids, marks


def _rest_as_written(decoded: Decoded) -> bool:
    """Whether the text around cut items' parts is in canonical compact form: the top level, the
    comma between the parts, the end."""
    where, raw = decoded.cut, decoded.raw
    assert where is not None and decoded.typed is not None
    between = raw[where.first_end + 1 : where.second_start] == b"," and raw[where.end + 1 :] == b"}"
    return between and dataset_as_written(decoded.typed, where.head(raw), None)


def locate_rows(decoded: Decoded, rows: list[int]) -> bool:
    """Find where these rows lie in the file's text, outlining its items whole for those whose place
    the flagging did not tell (False if the items cannot be outlined)."""
    missing = [row for row in rows if row not in decoded.spans]
    if not missing:
        return True
    if decoded.texts is None:
        try:
            outline = OUTLINE_DECODER.decode(decoded.raw)
        except DECODE_ERRORS:
            return False
        if outline.items is UNSET:
            return False
        decoded.texts = outline.items
    for row in missing:
        text = decoded.texts[row]
        start = offset_of(text, decoded.raw)
        decoded.spans[row] = (start, start + len(text))
    return True


def read_rows(decoded: Decoded, rows: list[int]) -> dict[int, Any] | None:
    """The flagged rows as ordinary data (None when one of them does not read as the whole-file read
    reads it), each from its own text."""
    if not locate_rows(decoded, rows):
        return None
    for row in rows:
        if row not in decoded.rows:
            start, end = decoded.spans[row]
            data = read_row(decoded.raw[start:end])
            if data is None:
                return None
            decoded.rows[row] = data
    return {row: decoded.rows[row] for row in rows}


__all__ = [
    "Decoded",
    "Malformed",
    "Span",
    "decode",
    "eligible",
    "flagged",
    "locate_rows",
    "offset_of",
    "read_rows",
]
