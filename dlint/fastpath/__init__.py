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

Big files are shared out between two processes where that is safe: the items are kept as text at
first, and a forked copy of the process decodes and checks the last half of them (a little less)
while this one does the others (see :mod:`dlint.fastpath.split`).

It serves files the ordinary path does not scan for repeated keys (larger than
``limits.duplicate-key-scan``), since the typed decode, like the parse, keeps the last of two equal keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from dlint import jsonscan
from dlint.fastpath import split
from dlint.fastpath.items import ItemScreen
from dlint.fastpath.model import DECODER, FREE_FORM, ITEM_DECODER, OUTLINE_DECODER, UNSET, Item, Outline, Raw
from dlint.limits import Limits
from dlint.parsecheck import ParseFailure, load
from dlint.rules.base import Context

#: The deepest structure a decoded item may have (an annotation's ``rle`` or ``attributes`` object,
#: at level 6) and one more; a smaller ``limits.max-depth`` leaves every file to the ordinary path.
MIN_DEPTH = 7
#: The share of the items this process checks when a forked child checks the others. The child starts
#: later and first copies the pages both write to: with equal halves it finished about 4% later.
OWN_SHARE = 0.52


@dataclass(frozen=True)
class Decoded:
    """A decoded file: the top level as plain data with ``items`` empty, and the items, either
    decoded or kept as text (to be shared out between two processes)."""

    top: dict[str, Any]
    media_type: Any
    items: list[Item] | None = None
    texts: list[Raw] | None = None
    #: Items decoded from ``texts``, kept with the rest (see :func:`dlint.engine.keep_until_exit`).
    decoded_parts: list[list[Item]] = field(default_factory=list)


def eligible(raw: bytes, limits: Limits) -> bool:
    """Whether the fast path may serve a file of these bytes under these limits."""
    return (
        not limits.scans_duplicate_keys(len(raw))
        and len(raw) <= limits.max_file_size
        and limits.max_depth >= MIN_DEPTH
    )


def decode(raw: bytes, limits: Limits, *, share: bool = False) -> Decoded | None:
    """The decoded file, or None when it is not plain UTF-8 JSON of the typed shape (then the ordinary
    path reads it). With ``share``, the items are kept as text for :func:`items_clean` to share out."""
    if not raw.isascii():
        try:
            raw.decode("utf-8")  # the decode does not check the text of strings it skips
        except UnicodeDecodeError:
            return None
    try:
        dataset = (OUTLINE_DECODER if share else DECODER).decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
    if dataset.items is UNSET:
        return None
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
    if isinstance(dataset, Outline):
        return Decoded(top, dataset.media_type, texts=dataset.items)
    return Decoded(top, dataset.media_type, items=dataset.items)


def items_clean(decoded: Decoded, ctx: Context, selected: frozenset[str]) -> bool:
    """Whether no item or annotation rule can report anything in the decoded file (``ctx`` knows its
    top level; ``selected`` are the codes of the rules that run, for the rules that only some run).

    Items kept as text are shared out: a forked copy of the process decodes and checks the last ones
    while this one does the first :data:`OWN_SHARE` of them; then no item id may be in both parts."""
    if decoded.items is not None:
        return ItemScreen(decoded.items, decoded.media_type, ctx, selected).clean()
    texts = decoded.texts or []
    cut = round(len(texts) * OWN_SHARE)

    def screen(part: list[Raw]) -> list[str] | None:
        try:
            items = list(map(ITEM_DECODER.decode, part))  # each in place: no copy of the text
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            return None
        decoded.decoded_parts.append(items)
        items_screen = ItemScreen(items, decoded.media_type, ctx, selected)
        return items_screen.keys if items_screen.clean() else None

    def theirs() -> bytes | None:
        keys = screen(texts[cut:])
        return None if keys is None else "\x00".join(keys).encode("utf-8", "surrogatepass")

    pending = split.start(theirs, fork=True)
    try:
        mine = screen(texts[:cut])
    finally:
        other = pending()
    if mine is None or other is None:
        return False
    return not other or set(mine).isdisjoint(other.decode("utf-8", "surrogatepass").split("\x00"))


__all__ = ["Decoded", "decode", "eligible", "items_clean"]
