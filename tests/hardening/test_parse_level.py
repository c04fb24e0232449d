"""Hostile and broken annotation files: each ends in one precise diagnostic (code, line, column), a
clean exit code, no traceback, and nothing written, by ``check`` or by ``fix``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.hardening.conftest import BASE, CVAT_DOCS, assert_clean_exit, dataset, dlint, inside, snapshot

VALID = json.dumps(BASE, indent=1).encode()
COMPACT = orjson.dumps(BASE)


def _with(text: str) -> bytes:
    """The valid base document with ``text`` as the value of an ``infos`` member."""
    return COMPACT.replace(b'"infos":{', b'"infos":{"x":' + text.encode() + b",", 1)


def _position(raw: bytes, needle: bytes, nth: int = 0) -> tuple[int, int]:
    offset = -1
    for _ in range(nth + 1):
        offset = raw.index(needle, offset + 1)
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    return line, len(raw[start:offset].decode("utf-8", "replace")) + 1


# name: (bytes, code, (line, column) or None for 1:1, a part of the message)
CASES: dict[str, tuple[bytes, str, tuple[int, int] | None, str]] = {
    "empty file": (b"", "DL001", None, "the file is empty"),
    "only white space": (b" \n\t\n", "DL001", None, "only white space"),
    "truncated": (VALID[: len(VALID) // 2], "DL001", "end", "truncated"),
    "cut in a string": (b'{"categories": {}, "items": [{"id": "abc', "DL001", "end", "truncated"),
    "not JSON at all": (
        b"<!DOCTYPE html><html>502 Bad Gateway</html>",
        "DL001",
        None,
        "unexpected character",
    ),
    "a CSV file": (b"id,label\n1,car\n", "DL001", None, ""),
    "NaN": (_with("NaN"), "DL001", b"NaN", "NaN is not a JSON value"),
    "Infinity": (_with("Infinity"), "DL001", b"Infinity", "Infinity is not a JSON value"),
    "-Infinity": (_with("-Infinity"), "DL001", b"-Infinity", "-Infinity is not a JSON value"),
    "trailing comma": (COMPACT[:-1] + b",}", "DL001", b",}", "trailing comma"),
    "two documents": (
        COMPACT + b"\n" + COMPACT,
        "DL001",
        "second",
        "unexpected content after the JSON value",
    ),
    "lone surrogate escape": (_with('"\\ud800"'), "DL001", b"\\ud800", "surrogate"),
    "control character": (_with('"a\x01b"'), "DL001", b"\x01", "control character"),
    "invalid UTF-8": (
        _with('"caf').replace(b'"caf', b'"caf\xe9"', 1),
        "DL001",
        b"\xe9",
        "invalid UTF-8: byte 0xe9",
    ),
    "UTF-8 byte order mark": (b"\xef\xbb\xbf" + COMPACT, "DL001", None, "UTF-8 with a byte order mark"),
    "UTF-16 with a byte order mark": (
        COMPACT.decode().encode("utf-16"),
        "DL001",
        None,
        "UTF-16 (little-endian)",
    ),
    "UTF-16 big-endian, no mark": (
        COMPACT.decode().encode("utf-16-be"),
        "DL001",
        None,
        "UTF-16 (big-endian)",
    ),
    "UTF-32": (COMPACT.decode().encode("utf-32"), "DL001", None, "UTF-32"),
    "duplicate key": (
        COMPACT.replace(b'"label_id":0,', b'"label_id":0,"label_id":2,', 1),
        "DL004",
        ("dup", b'"label_id"', 1),
        'key "label_id" appears twice in one object',
    ),
    "duplicate top-level items": (
        COMPACT[:-1] + b',"items":[]}',
        "DL004",
        ("last", b'"items"'),
        'key "items" appears twice',
    ),
    "integer beyond 64 bits": (
        _with("123456789012345678901234567890"),
        "DL005",
        b"123456789012345678901234567890",
        "beyond the 64-bit range",
    ),
    "negative integer beyond 64 bits": (
        _with("-9223372036854775809"),
        "DL005",
        b"-9223372036854775809",
        "64-bit",
    ),
    "nesting deeper than the limit": (
        _with("[" * 200 + "]" * 200),
        "DL006",
        ("dup", b"[", 126),
        "nesting deeper than 128 levels",
    ),
    "nesting deeper than the parser": (
        _with("[" * 5000 + "]" * 5000),
        "DL006",
        ("dup", b"[", 126),
        "nesting",
    ),
    "nesting bomb, never closed": (b"[" * 1_000_000, "DL006", (1, 129), "nesting deeper than 128 levels"),
    "top level is an array": (b"[1, 2, 3]", "DL501", None, "the top level is array"),
    "top level is a string": (b'"categories"', "DL501", None, "the top level is string"),
    "top level is null": (b"null", "DL501", None, "the top level is null"),
    "top level is a number": (b"  42", "DL501", (1, 3), "the top level is integer 42"),
}


def _expected_place(raw: bytes, where: Any) -> tuple[int, int]:
    if where is None:
        return 1, 1
    if where == "end":
        lines = raw.split(b"\n")
        return len(lines), len(lines[-1].decode("utf-8", "replace")) + 1
    if where == "second":
        return 2, 1
    if isinstance(where, tuple) and where and where[0] == "dup":
        return _position(raw, where[1], where[2])
    if isinstance(where, tuple) and where and where[0] == "last":
        return _position(raw, where[1], raw.count(where[1]) - 1)
    if isinstance(where, bytes):
        return _position(raw, where)
    return where  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_reports_one_precise_diagnostic(dlint_in_process: Any, tmp_path: Path, name: str) -> None:
    raw, code, where, message = CASES[name]
    path = dataset(tmp_path / "ds", raw)
    run = dlint_in_process("check", str(path), "--output-format", "json", "--select", "DL0,DL501")
    assert_clean_exit(run, 1)  # (an integer beyond 64 bits: every reader reads it as a float)
    [diagnostic] = run.json()
    assert diagnostic["code"] == code, diagnostic
    assert message in diagnostic["message"], diagnostic["message"]
    assert (diagnostic["line"], diagnostic["column"]) == _expected_place(raw, where), diagnostic
    assert inside(raw, diagnostic["line"], diagnostic["column"])
    assert diagnostic["pointer"] == ""


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_reports_and_writes_nothing(dlint_in_process: Any, tmp_path: Path, name: str) -> None:
    raw, code, _, _ = CASES[name]
    path = dataset(tmp_path / "ds", raw)
    before = snapshot(tmp_path)
    run = dlint_in_process("fix", str(path), "--unsafe-fixes")
    assert_clean_exit(run, 1)
    assert "not fixed:" in run.out and code in run.out
    assert snapshot(tmp_path) == before  # left exactly as it was, no temporary file


def test_the_real_command_line_on_every_case_at_once(tmp_path: Path) -> None:
    """One process over all the broken files: each gets its diagnostic, none stops the others."""
    root = tmp_path / "all"
    for index, name in enumerate(sorted(CASES)):
        dataset(root / f"ds{index:02d}", CASES[name][0])
    dataset(root / "fine", CVAT_DOCS.read_bytes())
    before = snapshot(tmp_path)
    run = dlint("check", str(root), "--output-format", "json", "--select", "DL0,DL501,DL302")
    assert_clean_exit(run, 1)
    found = {Path(d["file"]).parent.parent.name: d["code"] for d in run.json()}
    for index, name in enumerate(sorted(CASES)):
        assert found[f"ds{index:02d}"] == CASES[name][1], name
    assert found["fine"] == "DL302"
    fixed = dlint("fix", str(root))
    assert_clean_exit(fixed, 1)
    after = snapshot(tmp_path)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {"all/fine/annotations/default.json"} and set(after) == set(before)


def test_file_larger_than_the_limit_is_not_read(dlint_in_process: Any, tmp_path: Path) -> None:
    path = dataset(tmp_path / "ds", COMPACT)
    limit = f"limits.max-file-size = {len(COMPACT) - 1}"
    run = dlint_in_process("check", str(path), "--config", limit, "--output-format", "concise")
    assert_clean_exit(run, 1)
    assert "DL006 the file is " in run.out and "limits.max-file-size" in run.out
    assert (
        dlint_in_process("check", str(path), "--config", f"limits.max-file-size = {len(COMPACT)}").code == 0
    )


def test_the_depth_limit_is_configurable(dlint_in_process: Any, tmp_path: Path) -> None:
    path = dataset(tmp_path / "ds", _with("[" * 20 + "]" * 20))
    assert dlint_in_process("check", str(path), "--select", "DL006").code == 0
    limit = "limits.max-depth = 16"
    run = dlint_in_process("check", str(path), "--select", "DL006", "--config", limit)
    assert_clean_exit(run, 1)
    assert "nesting deeper than 16 levels" in run.out


def test_duplicate_keys_in_big_files_are_found_by_fix(dlint_in_process: Any, tmp_path: Path) -> None:
    """Above ``limits.duplicate-key-scan`` check does not look; fix looks before it rewrites."""
    raw = json.dumps(BASE, indent=2).encode().replace(b'"group": 7,', b'"group": 7, "group": 8,', 1)
    path = dataset(tmp_path / "ds", raw)
    small = "limits.duplicate-key-scan = 100"
    assert "DL004" not in dlint_in_process("check", str(path), "--config", small).out
    run = dlint_in_process("fix", str(path), "--config", small)
    assert_clean_exit(run, 1)
    assert "not fixed: an object has a key twice" in run.out and "DL004" in run.out
    assert path.read_bytes() == raw
    every = dlint_in_process("check", str(path), "--config", "limits.duplicate-key-scan = -1")
    assert "DL004" in every.out


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("limits.max-depth = 0", "limits.max-depth: 0 is less than the minimum of 1"),
        ("limits.max-depth = 251", "limits.max-depth: 251 is greater than the maximum of 250"),
        ("limits.max-file-size = 'huge'", "limits.max-file-size"),
        ("limits.max-deep = 3", "unknown key 'max-deep' (did you mean 'max-depth'?)"),
    ],
)
def test_bad_limits_are_one_line_errors(
    dlint_in_process: Any, tmp_path: Path, setting: str, message: str
) -> None:
    path = dataset(tmp_path / "ds", COMPACT)
    run = dlint_in_process("check", str(path), "--config", setting)
    assert_clean_exit(run, 2)
    assert run.err.startswith("dlint: error: ") and run.err.count("\n") == 1
    assert message in run.err, run.err
