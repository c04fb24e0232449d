"""From bytes to parsed data or to the precise reason there is none, and what a parse accepted silently.

The main path is one ``orjson.loads``. The text is wrapped in ``1024 - max_depth`` array brackets
first: orjson refuses to nest deeper than 1024 levels, so the same call enforces the configured
depth for the cost of copying the text once. Only when the parse fails is the text looked at again,
to name the problem and where it is: an empty file, a truncated one, ``NaN``, a byte order mark,
UTF-16, invalid UTF-8, a nesting too deep.

A successful parse is checked for what orjson accepts silently (see :mod:`dlint.jsonscan`): integers
beyond 64 bits, always; duplicate keys, in files up to ``limits.duplicate-key-scan``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from dlint.limits import PARSER_DEPTH, Limits, describe_size
from dlint.locate import byte_offset, first_invalid_utf8, line_columns

if TYPE_CHECKING:
    from dlint.jsonscan import HugeInteger

INVALID_JSON, DUPLICATE_KEY, HUGE_INTEGER, REFUSED = "DL001", "DL004", "DL005", "DL006"
#: At most this many notes of one kind per file (a hostile file could hold millions).
MAX_NOTES = 100

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 (big-endian)"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with a byte order mark"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 (big-endian)"),
)
_LEADING_SPACE = re.compile(rb"[ \t\r\n]*")
_NUMBER = re.compile(rb"-?[0-9]*")
_END, _TRAILING = "unexpected end of data", "unexpected content after document"
#: The size from which a text is checked by a syntax pass before it is parsed: a malformed one is
#: then named at the cost of reading it, not of parsing half of it (wrapped, and maybe twice).
SYNTAX_FIRST = 64 << 20
#: The size from which a text the column pass would serve is checked by the syntax pass first: a
#: broken file of a gigabyte or more is named at about the cost of reading it, not of decoding up to
#: its break (a valid one pays a tenth more: the pass reads about a gigabyte a second).
SYNTAX_BEFORE_COLUMNS = 1 << 30
#: A syntax check's complaint about a malformed text: what, and at which byte.
_MALFORMED = re.compile(r"JSON is malformed: (?P<reason>.+) \(byte (?P<offset>\d+)\)")
#: What the parser's messages are said as.
_SAID = {
    _END: "the file ends before the JSON value is complete (is it truncated?)",
    _TRAILING: "unexpected content after the JSON value",
}
_INFINITE = "number is infinity when parsed as double"
#: The parser's complaint after an array element: past the end of the value, when the text is wrapped.
_AFTER_ELEMENT = "expected ',' or ']'"


@dataclass(frozen=True)
class ParseFailure:
    """The file was not parsed: why (a message for the rule ``code``) and where (1-based line and
    column, byte offset). ``excerpt`` is False for refusals, where no text was read."""

    message: str
    line: int
    column: int
    offset: int
    code: str = INVALID_JSON
    excerpt: bool = True


@dataclass(frozen=True)
class ParseNote:
    """Something the parser accepted but read in a way other readers may not: a rule code, a
    message and the byte offset it concerns."""

    code: str
    message: str
    offset: int


class Refused(bytes):
    """What a source reads as when it was not read at all (too large, an unsafe archive...): the
    reason travels with the value, as the failure :func:`dlint.document.parse` returns."""

    failure: ParseFailure

    def __new__(cls, message: str) -> Refused:
        refused = super().__new__(cls, message.encode("utf-8"))
        refused.failure = ParseFailure(message, 1, 1, 0, REFUSED, excerpt=False)
        return refused


def load(raw: bytes, max_depth: int) -> Any | ParseFailure:
    """The parsed value, or the failure: one parse on the main path (see the module docstring).

    A text with no more brackets than ``max_depth`` cannot nest deeper: it is parsed as it is, not
    copied into the wrapping (a file that is mostly one long string costs no copy of it)."""
    big = len(raw) >= SYNTAX_FIRST
    if big or ends_early(raw):
        failure = _checked_syntax(raw, name_malformed=big)
        if failure is not None:
            return failure
    wrap = PARSER_DEPTH - max_depth
    if _marks_at_most(raw, b"[{", max_depth):
        wrap = 0  # no more opening brackets than levels allowed: it cannot nest too deep
    elif _marks_at_most(raw, b"[{,", (len(raw) >> 16) + max_depth):
        plain = _load_sparse(raw, max_depth)  # few values in a big text: mostly long strings
        if plain is not _TOO_DEEP:
            return plain
    try:
        parsed = orjson.loads(b"".join((b"[" * wrap, raw, b"]" * wrap)) if wrap else raw)
    except orjson.JSONDecodeError as exc:
        error = (exc.msg, max(0, exc.pos - wrap))  # the exception holds the whole text: let it go
    else:
        node = parsed
        for _ in range(wrap):
            if type(node) is not list or len(node) != 1:
                break
            node = node[0]
        else:
            return node
        return _diagnose(raw)
    return _explain(raw, *error, wrap, max_depth)


def malformed(raw: bytes) -> ParseFailure | None:
    """Why a text is not JSON, found by a syntax pass that builds nothing (None: no syntax error;
    the parse may still fail on depth or on numbers)."""
    return _checked_syntax(raw, name_malformed=True)


def ends_early(raw: bytes) -> bool:
    """Whether a text that opens an object or an array ends without closing one: certainly not JSON
    (most often a truncated file). Only its two ends are looked at."""
    start = _LEADING_SPACE.match(raw).end()  # type: ignore[union-attr]
    if start >= len(raw) or raw[start] not in b"{[":
        return False
    end, size = len(raw), 4096
    while end > start:  # the last byte that is not white space, looked for in growing pieces
        piece = raw[max(start, end - size) : end].rstrip(b" \t\r\n")
        if piece:
            return piece[-1] not in b"}]"
        end, size = max(start, end - size), size * 2
    return True


def _checked_syntax(raw: bytes, *, name_malformed: bool) -> ParseFailure | None:
    """The failure a syntax check that builds nothing finds: a text cut short and, with
    ``name_malformed``, a character where none may stand (the text read, no value built: a broken
    file of gigabytes costs its reading). None when it finds nothing, or something the parse names
    better (then the parse runs). (A text that also nests deeper than ``limits.max-depth``, but not
    deeper than the check itself goes, about 900 levels, is said to be broken rather than too deep:
    refused either way.)"""
    import msgspec  # only texts that end early or are big pay for it

    early = _unreadable(raw)
    if early is not None:
        return early
    try:
        msgspec.json.decode(raw, type=msgspec.Raw)
    except msgspec.DecodeError as exc:
        reason = str(exc)
        if reason == "Input data was truncated":
            return _failure(raw, len(raw), _SAID[_END], INVALID_JSON)
        found = _MALFORMED.fullmatch(reason) if name_malformed else None
        if found is not None and found["reason"] != "trailing characters":
            reason = found["reason"]  # said as the parse says it: "unexpected character, expected ':'"
            said = "unexpected character" + ("" if reason == "invalid character" else f", {reason}")
            return _syntax_at(said, int(found["offset"]), raw)
    except RecursionError:  # nested deeper than the check goes: the parse names the depth
        return None
    return None


def _marks_at_most(raw: bytes, marks: bytes, limit: int) -> bool:
    """Whether the text holds at most ``limit`` of these bytes (in strings too): a search that stops
    at the first ``limit + 1``, so a text full of them costs almost nothing."""
    seen = 0
    for mark in (marks[k : k + 1] for k in range(len(marks))):
        at = raw.find(mark)
        while at >= 0:
            seen += 1
            if seen > limit:
                return False
            at = raw.find(mark, at + 1)
    return True


#: What :func:`_load_sparse` returns for a text that nests too deep (the wrapped parse says where).
_TOO_DEEP = object()


def _load_sparse(raw: bytes, max_depth: int) -> Any:
    """Parse a text of few values without wrapping it (a copy of a text that is mostly one long
    string would cost its size again), then measure its depth: few values, so a short walk."""
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        error = (exc.msg, exc.pos)
    else:
        deepest, stack = 0, [(parsed, 1)] if type(parsed) in (dict, list) else []
        while stack:
            node, depth = stack.pop()
            deepest = max(deepest, depth)
            children = node.values() if type(node) is dict else node
            stack += [(child, depth + 1) for child in children if type(child) in (dict, list)]
        return parsed if deepest <= max_depth else _TOO_DEEP
    if error[0] == "depth limit exceeded":
        return _TOO_DEEP
    return _explain(raw, *error, 0, max_depth)


def _explain(raw: bytes, message: str, position: int, wrap: int, max_depth: int) -> ParseFailure:
    """The failure of a parse of the (wrapped) text, said of the bare text. The text is parsed again
    only when the wrapping may have changed the parser's verdict: past the end of the JSON value
    (trailing content, an extra closing bracket) or for a nesting too deep. A text that ends
    before its value does (the commonest failure, a truncated file) is never parsed twice."""
    if message == "depth limit exceeded":
        plain = _diagnose(raw)  # a syntax error further on says more than the depth
        if not isinstance(plain, ParseFailure) or plain.code == REFUSED:
            offset = byte_offset(raw, position) - 1
            return _failure(raw, offset, f"nesting deeper than {max_depth} levels", REFUSED, max_depth)
        return plain
    early = _unreadable(raw)
    if early is not None:
        return early
    beyond = wrap and byte_offset(raw, position) >= len(raw)
    if beyond and message != _TRAILING:
        message = _END  # the text ends inside its value: the wrapping's closing brackets came early
    elif wrap and message != _END and (beyond or _AFTER_ELEMENT in message):
        failure = _diagnose(raw)
        if isinstance(failure, ParseFailure):
            return failure
    return _syntax(message, position, raw)


def _diagnose(raw: bytes) -> Any | ParseFailure:
    """Parse the bare text again and name the problem precisely (only on the error path)."""
    early = _unreadable(raw)
    if early is not None:
        return early
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        error = (exc.msg, exc.pos)
    return _syntax(*error, raw)


def _unreadable(raw: bytes) -> ParseFailure | None:
    """The failure of a text that is empty, only white space, or not UTF-8 JSON at all."""
    if _LEADING_SPACE.match(raw).end() == len(raw):  # type: ignore[union-attr]
        return ParseFailure("the file is empty" if not raw else "the file holds only white space", 1, 1, 0)
    encoding = sniff_encoding(raw)
    if encoding is not None:
        return ParseFailure(
            f"the file is encoded in {encoding[1]}; JSON files must be UTF-8 without a byte order mark",
            1,
            1,
            0,
            INVALID_JSON,
        )
    return None


def _syntax(error: str, position: int, raw: bytes) -> ParseFailure:
    """The failure for the parser's message ``error`` at character ``position`` of the bare text."""
    if "UTF-8" in error:
        bad = first_invalid_utf8(raw)
        if bad is not None:
            message = f"invalid UTF-8: byte 0x{raw[bad.start]:02x} {_utf8_reason(bad.reason)}"
            return _failure(raw, bad.start, message, INVALID_JSON)
    return _syntax_at(error, byte_offset(raw, position), raw)


def _syntax_at(error: str, offset: int, raw: bytes) -> ParseFailure:
    """The failure for the message ``error`` at byte ``offset`` of the bare text."""
    if error == "depth limit exceeded":
        return _failure(raw, offset - 1, f"nesting deeper than {PARSER_DEPTH} levels", REFUSED, PARSER_DEPTH)
    if error == _INFINITE:
        return _out_of_range(raw, offset)
    start = offset - 1 if raw[offset - 1 : offset] == b"-" else offset
    for word in (b"NaN", b"Infinity", b"-NaN", b"-Infinity"):
        if raw.startswith(word, start):
            message = (
                f"{word.decode()} is not a JSON value (JSON has no NaN or Infinity; Python's json module "
                "writes them, most readers refuse them): write null or a number"
            )
            return _failure(raw, start, message, INVALID_JSON)
    message = _SAID.get(error, error[:1].lower() + error[1:])
    return _failure(raw, offset, message, INVALID_JSON)


def _out_of_range(raw: bytes, offset: int) -> ParseFailure:
    """A number beyond the range of a double (about 1.8e308). An integer literal is said to be one,
    with its length: its digits are counted, never converted (that would cost their square)."""
    end = _NUMBER.match(raw, offset).end()  # type: ignore[union-attr]
    shown = raw[offset : min(end, offset + 39)].decode("ascii") + ("…" if end > offset + 39 else "")
    digits = end - offset - (raw[offset : offset + 1] == b"-")
    if raw[end : end + 1] in (b".", b"e", b"E"):
        message = f"the number {shown} is beyond the range of a 64-bit float (about 1.8e308)"
        return _failure(raw, offset, message, INVALID_JSON)
    message = (
        f"integer {shown} ({digits:,} digits) is beyond the range of a 64-bit float (about 1.8e308): "
        "dlint and most JSON readers cannot read it; the file is not read"
    )
    return _failure(raw, offset, message, REFUSED)  # unread, so unchecked: a refusal (never ignored)


def _utf8_reason(reason: str) -> str:
    if reason == "invalid start byte":
        return "cannot start a character"
    if reason == "invalid continuation byte":
        return "begins a multi-byte character that its next bytes do not complete"
    if reason == "unexpected end of data":
        return "begins a multi-byte character that the file cuts short"
    return f"is not valid here ({reason})"


def _failure(raw: bytes, offset: int, message: str, code: str, depth: int | None = None) -> ParseFailure:
    offset = max(0, min(offset, len(raw)))
    if depth is not None:
        setting = " (limits.max-depth)" if depth != PARSER_DEPTH else " (the parser's own limit)"
        message = f"{message}{setting}; the file is not read"
    line, column = location(raw, offset)
    return ParseFailure(message, line, column, offset, code)


def location(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset."""
    return line_columns(raw, [offset])[offset]


def sniff_encoding(raw: bytes) -> tuple[str, str] | None:
    """(codec, description) when the text is not plain UTF-8 JSON but a BOM-prefixed or UTF-16/32
    one (RFC 4627's null-byte patterns tell the encoding of a text without a byte order mark)."""
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            return (codec + "-sig" if codec == "utf-8" else codec), name
    head = raw[:4]
    if len(head) == 4:
        nulls = tuple(b == 0 for b in head)
        if nulls == (True, True, True, False):
            return "utf-32-be", "UTF-32 (big-endian)"
        if nulls == (False, True, True, True):
            return "utf-32-le", "UTF-32 (little-endian)"
        if nulls[0] and nulls[2] and not nulls[1]:
            return "utf-16-be", "UTF-16 (big-endian)"
        if nulls[1] and nulls[3] and not nulls[0]:
            return "utf-16-le", "UTF-16 (little-endian)"
    return None


def inspect(raw: bytes, data: Any, limits: Limits) -> tuple[tuple[ParseNote, ...], bool, dict[int, int]]:
    """What the parse accepted silently, whether duplicate keys were looked for, and where keys
    repeat (a key's first occurrence -> its last one in the same object)."""
    from dlint import jsonscan

    notes = [_huge(found) for found in jsonscan.huge_integers(raw)[: MAX_NOTES + 1]]
    scanned = limits.scans_duplicate_keys(len(raw))
    repeats: dict[int, int] = {}
    if scanned and may_repeat_keys(raw, data):
        found, repeats = repeated_keys(raw)
        notes += found
    return tuple(_capped(notes)), scanned, repeats


def may_repeat_keys(raw: bytes, data: Any) -> bool:
    """Whether the text may hold a key twice in one object; False is certain.

    Every colon outside strings separates a key from its value, and string contents survive
    serialisation unchanged (an escaped colon aside), so re-serialising the parsed value gives
    exactly as many colons as the text, less one per member a repeated key dropped.
    """
    try:
        written = orjson.dumps(data)
    except TypeError:
        return True
    missing = raw.count(b":") - written.count(b":")
    if missing > 0 or b"\\u003" not in raw:
        return missing > 0
    return missing + raw.count(b"\\u003") > 0


def duplicate_notes(raw: bytes) -> list[ParseNote]:
    """A note for every repeated key (exact; costs about as much as a parse)."""
    return repeated_keys(raw)[0]


def repeated_keys(raw: bytes) -> tuple[list[ParseNote], dict[int, int]]:
    """A note for every repeated key (the first ones), and where each repeated key occurs last."""
    from dlint import bytescan  # numpy, imported only for a text that may repeat a key

    duplicates = bytescan.duplicate_keys(raw)
    last: dict[int, int] = {}
    for duplicate in duplicates:
        last[duplicate.first] = max(duplicate.later, last.get(duplicate.first, duplicate.later))
    shown = duplicates[: MAX_NOTES + 1]
    places = line_columns(raw, [duplicate.first for duplicate in shown])
    notes = []
    for duplicate in shown:
        line, column = places[duplicate.first]
        key = duplicate.key if len(duplicate.key) <= 60 else duplicate.key[:59] + "…"
        message = (
            f"key {orjson.dumps(key).decode()} appears twice in one object (first at {line}:{column}); "
            "readers disagree on which value counts (dlint and Datumaro take the last)"
        )
        notes.append(ParseNote(DUPLICATE_KEY, message, duplicate.later))
    return notes, last


def _huge(found: HugeInteger) -> ParseNote:
    digits = found.literal.lstrip("-")
    shown = found.literal if len(found.literal) <= 40 else found.literal[:39] + "…"
    message = (
        f"integer {shown} ({len(digits)} digits) is beyond the 64-bit range: dlint reads it as "
        f"{float(found.literal):.17g} and many JSON readers lose digits"
    )
    return ParseNote(HUGE_INTEGER, message, found.offset)


def _capped(notes: list[ParseNote]) -> list[ParseNote]:
    kept: list[ParseNote] = []
    for code in (HUGE_INTEGER, DUPLICATE_KEY):
        same = [note for note in notes if note.code == code]
        if len(same) > MAX_NOTES:
            last = same[MAX_NOTES - 1]
            same = [
                *same[: MAX_NOTES - 1],
                ParseNote(code, f"{last.message} (and more not listed)", last.offset),
            ]
        kept += same
    return sorted(kept, key=lambda note: note.offset)


def too_large(size: int, limit: int, what: str = "the file") -> str:
    """The message of a refusal for size."""
    return (
        f"{what} is {describe_size(size)}, larger than the {describe_size(limit)} limit "
        "(limits.max-file-size); it was not read"
    )
