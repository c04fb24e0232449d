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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from dlint.limits import PARSER_DEPTH, Limits, describe_size

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
_SPACE = b" \t\r\n"


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
    """The parsed value, or the failure: one parse on the main path (see the module docstring)."""
    wrap = PARSER_DEPTH - max_depth
    try:
        wrapped = orjson.loads(b"".join((b"[" * wrap, raw, b"]" * wrap)))
    except orjson.JSONDecodeError as exc:
        if exc.msg == "depth limit exceeded":
            plain = _diagnose(raw)  # a syntax error further on says more than the depth
            if not isinstance(plain, ParseFailure) or plain.code == REFUSED:
                offset = _byte_offset(exc, raw, wrap) - 1
                return _failure(raw, offset, f"nesting deeper than {max_depth} levels", REFUSED, max_depth)
            return plain
    else:
        node = wrapped
        for _ in range(wrap):
            if type(node) is not list or len(node) != 1:
                break
            node = node[0]
        else:
            return node
    return _diagnose(raw)


def _diagnose(raw: bytes) -> Any | ParseFailure:
    """Parse the bare text again (only on the error path) and name the problem precisely."""
    if not raw.strip(_SPACE):
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
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return _syntax(exc, raw)


def _syntax(exc: orjson.JSONDecodeError, raw: bytes) -> ParseFailure:
    if "UTF-8" in exc.msg:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            byte = raw[bad.start]
            message = f"invalid UTF-8: byte 0x{byte:02x} {_utf8_reason(bad.reason)}"
            return _failure(raw, bad.start, message, INVALID_JSON)
    offset = _byte_offset(exc, raw, 0)
    if exc.msg == "depth limit exceeded":
        return _failure(raw, offset - 1, f"nesting deeper than {PARSER_DEPTH} levels", REFUSED, PARSER_DEPTH)
    start = offset - 1 if raw[offset - 1 : offset] == b"-" else offset
    for word in (b"NaN", b"Infinity", b"-NaN", b"-Infinity"):
        if raw.startswith(word, start):
            message = (
                f"{word.decode()} is not a JSON value (JSON has no NaN or Infinity; Python's json module "
                "writes them, most readers refuse them): write null or a number"
            )
            return _failure(raw, start, message, INVALID_JSON)
    message = {
        "unexpected end of data": "the file ends before the JSON value is complete (is it truncated?)",
        "unexpected content after document": "unexpected content after the JSON value",
    }.get(exc.msg, exc.msg[:1].lower() + exc.msg[1:])
    return _failure(raw, offset, message, INVALID_JSON)


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


def _byte_offset(exc: orjson.JSONDecodeError, raw: bytes, wrap: int) -> int:
    """The byte offset in ``raw`` of the parser's character position (the text may be wrapped)."""
    position = max(0, exc.pos - wrap)
    if raw[:position].isascii():
        return position
    text = exc.doc[wrap : wrap + position] if exc.doc else raw.decode("utf-8", "replace")[:position]
    return len(text.encode("utf-8", "surrogatepass"))


def location(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset."""
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    return line, len(raw[start:offset].decode("utf-8", "replace")) + 1


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


def transcode(raw: bytes) -> bytes | None:
    """The same text as UTF-8 without a byte order mark, when it is a whole BOM-prefixed or UTF-16/32
    text (what ``dlint fix`` writes instead); None when it cannot be decoded faithfully."""
    encoding = sniff_encoding(raw)
    if encoding is None:
        return None
    codec = encoding[0]
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff").encode("utf-8")


def inspect(raw: bytes, data: Any, limits: Limits) -> tuple[tuple[ParseNote, ...], bool]:
    """What the parse accepted silently, and whether duplicate keys were looked for."""
    from dlint import jsonscan  # numpy, imported only once a file is parsed

    notes = [_huge(found) for found in jsonscan.huge_integers(raw)[: MAX_NOTES + 1]]
    scanned = limits.scans_duplicate_keys(len(raw))
    if scanned and may_repeat_keys(raw, data):
        notes += duplicate_notes(raw)
    return tuple(_capped(notes)), scanned


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
    notes = []
    from dlint import jsonscan

    for duplicate in jsonscan.duplicate_keys(raw)[: MAX_NOTES + 1]:
        line, column = location(raw, duplicate.first)
        key = duplicate.key if len(duplicate.key) <= 60 else duplicate.key[:59] + "…"
        message = (
            f"key {orjson.dumps(key).decode()} appears twice in one object (first at {line}:{column}); "
            "readers disagree on which value counts (dlint and Datumaro take the last)"
        )
        notes.append(ParseNote(DUPLICATE_KEY, message, duplicate.later))
    return notes


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
