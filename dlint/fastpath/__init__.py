"""The fast path: decide that a big Datumaro 1.0 file is clean without building its Python tree.

Most files a lint gate sees are clean, and for them the ordinary path (parse everything into Python
objects, validate, walk) costs several times a mere parse. Here the file is decoded into compact typed
structures instead (:mod:`dlint.fastpath.model`), its numbers are read in bulk into numpy arrays
(:mod:`dlint.fastpath.numbers`), and each rule's condition is checked column by column
(:mod:`dlint.fastpath.items`). The top level without its items (``categories``, ``infos``...) is small:
it goes through the real JSON Schema and the real document and category rules.

The answer is one bit. *Clean* means that no rule of the catalogue would report anything, so there is
nothing to locate or explain. Anything else, including "not sure", sends the file to the ordinary
path, which finds and explains every problem: the fast path never produces a diagnostic, and it may
only be stricter than the rules, never looser (``tests/fastpath`` checks it against the ordinary path
and the JSON Schemas on every test document and on generated ones).

Big files are shared out between two processes where that is safe: the text of the items is cut in
two where one item ends and the next begins (:mod:`dlint.fastpath.cut`), and a forked copy of the
process decodes and checks the second part while this one does the first (see
:mod:`dlint.fastpath.split`).

It serves files the ordinary path does not scan for repeated keys (larger than
``limits.duplicate-key-scan``), since the typed decode, like the parse, keeps the last of two equal keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from dlint import jsonscan
from dlint.fastpath import cut, split
from dlint.fastpath.items import ItemScreen
from dlint.fastpath.model import DECODER, FREE_FORM, ITEMS_DECODER, UNSET, Dataset, Item
from dlint.limits import Limits
from dlint.parsecheck import ParseFailure, load
from dlint.rules.base import Context

#: The deepest structure a decoded item may have (an annotation's ``rle`` or ``attributes`` object,
#: at level 6) and one more; a smaller ``limits.max-depth`` leaves every file to the ordinary path.
MIN_DEPTH = 7
#: The share of the items' text this process checks when a forked child checks the rest. The child
#: starts later and first copies the pages both write to: with equal halves it finished about 4% later.
OWN_SHARE = 0.52
#: What a failed decode raises.
DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


@dataclass(frozen=True)
class Decoded:
    """A decoded file: the top level as plain data with ``items`` empty, and either the items or
    where their text is cut in two (for two processes to decode a part each)."""

    top: dict[str, Any]
    media_type: Any
    raw: bytes
    items: list[Item] | None = None
    cut: cut.Cut | None = None
    #: The parts' items decoded in this process, kept with the rest (see
    #: :func:`dlint.engine.keep_until_exit`).
    parts: list[list[Item]] = field(default_factory=list)


def eligible(raw: bytes, limits: Limits) -> bool:
    """Whether the fast path may serve a file of these bytes under these limits."""
    return (
        not limits.scans_duplicate_keys(len(raw))
        and len(raw) <= limits.max_file_size
        and limits.max_depth >= MIN_DEPTH
    )


def decode(raw: bytes, limits: Limits, *, share: bool = False) -> Decoded | None:
    """The decoded file, or None when it is not plain UTF-8 JSON of the typed shape (then the ordinary
    path reads it). With ``share``, only the top level is decoded when the items' text can be cut in
    two, for :func:`items_clean` to share out."""
    if not raw.isascii():
        try:
            raw.decode("utf-8")  # the decode does not check the text of strings it skips
        except UnicodeDecodeError:
            return None
    where, dataset = head(raw, OWN_SHARE) if share else (None, None)
    if dataset is None:  # not shared, or no cut found: decode the file whole
        try:
            dataset = DECODER.decode(raw)
        except DECODE_ERRORS:
            return None
    top = _top(dataset, limits)
    if top is None or dataset.items is UNSET:
        return None
    if where is not None:
        return Decoded(top, dataset.media_type, raw, cut=where)
    return Decoded(top, dataset.media_type, raw, items=dataset.items)


def head(raw: bytes, share: float) -> tuple[cut.Cut, Dataset] | tuple[None, None]:
    """A cut of the items' text giving the first part about ``share`` of it, with the top level
    decoded from the head (see :mod:`dlint.fastpath.cut`), or Nones when there is none."""
    for where in cut.candidates(raw, share):
        try:
            return where, DECODER.decode(where.head(raw))
        except DECODE_ERRORS:
            continue
    return None, None


def _top(dataset: Dataset, limits: Limits) -> dict[str, Any] | None:
    """The top level as plain data, with ``items`` empty (None if its free-form values do not parse
    as the ordinary path parses them)."""
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
    top["items"] = []  # the items are the item screen's
    return top


def items_clean(decoded: Decoded, ctx: Context, selected: frozenset[str]) -> bool:
    """Whether no item or annotation rule can report anything in the decoded file (``ctx`` knows its
    top level; ``selected`` are the codes of the rules that run, for the rules that only some run).

    Items whose text is cut in two are shared out: a forked copy of the process decodes and checks
    the second part while this one does the first; then no item id may be in both parts."""
    if decoded.items is not None:
        return ItemScreen(decoded.items, decoded.media_type, ctx, selected).clean()
    where = decoded.cut
    if where is None:
        return False

    def screen(text: bytes) -> list[str] | None:
        try:
            items = ITEMS_DECODER.decode(text)
        except DECODE_ERRORS:
            return None
        decoded.parts.append(items)
        items_screen = ItemScreen(items, decoded.media_type, ctx, selected)
        return items_screen.keys if items_screen.clean() else None

    def theirs() -> bytes | None:
        keys = screen(where.second(decoded.raw))
        return None if keys is None else "\x00".join(keys).encode("utf-8", "surrogatepass")

    pending = split.start(theirs, fork=True)
    mine = None
    try:
        mine = screen(where.first(decoded.raw))
    finally:
        other = pending(abandon=mine is None)  # when this part is not clean, the other's is moot
    if mine is None or other is None:
        return False
    return not other or set(mine).isdisjoint(other.decode("utf-8", "surrogatepass").split("\x00"))


__all__ = ["Decoded", "decode", "eligible", "head", "items_clean"]
