"""What a file costs grows with the file, not with what is wrong with it.

Costs are asserted structurally, never by the clock: the memory a step allocates (``tracemalloc``),
how many Python calls a step makes for n and for 2n defects (``cProfile``), how many times the
archive's names are listed or the text parsed. Speed targets live in ``benchmarks/run.py --cost``.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from dlint import parsecheck
from dlint.diagnostics import Applicability, Edit, Fix
from dlint.document import Document, ParseFailure, parse
from dlint.engine import lint_bytes
from dlint.fixloop import apply_fixes
from dlint.rules import ALL_RULES
from dlint.rules.messages import short
from dlint.sources import discover
from dlint.validation import schema_failures
from tests.hardening.conftest import BASE

MIB = 1 << 20
SAFE = Applicability.SAFE


def _peak(step: Callable[[], object]) -> int:
    """Bytes allocated at the peak of ``step``, over what was allocated before it."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def _calls(step: Callable[[], object]) -> int:
    """How many function calls ``step`` makes (every Python call and generator step counts)."""
    profile = cProfile.Profile()
    profile.runcall(step)
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def _builtin_calls(step: Callable[[], object], name: str) -> int:
    """How many times ``step`` calls the function named ``name`` (a built-in one included)."""
    profile = cProfile.Profile()
    profile.runcall(step)
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return sum(entry[1] for (_, _, function), entry in stats.items() if name in function)


def _lint(raw: bytes) -> list[Any]:
    return lint_bytes(raw, file="f.json", subset="default", rules=ALL_RULES)


def _after_long_string(text: str, *, indent: bool) -> bytes:
    """The base document with ``text`` in ``infos`` and a defect (a string label id) after it."""
    doc = json.loads(json.dumps(BASE))
    doc["infos"] = {"note": text}
    doc["items"][0]["annotations"][0]["label_id"] = "zero"
    return json.dumps(doc, indent=1 if indent else None, ensure_ascii=False).encode()


# 1. Long strings --------------------------------------------------------------------------------


def test_locating_after_a_long_string_allocates_about_the_string_not_hundreds_of_times_it() -> None:
    """An indented file cannot be skipped by comparing it with its re-serialisation: the locator
    steps over the string itself, by its quotes, without a pattern that keeps state per byte."""
    raw = _after_long_string("a" * MIB + '\\"' * 1000, indent=True)
    document = parse(raw)
    assert isinstance(document, Document)
    pointer = "/items/0/annotations/0/label_id"
    peak = _peak(lambda: document.locations(document.offsets([pointer]).values()))
    assert peak < 3 * len(raw), f"locating one pointer allocated {peak:,} bytes for a {len(raw):,}-byte file"
    offset = document.offsets([pointer])[pointer]
    assert raw[offset:].startswith(b'"label_id"')


def test_a_column_after_a_long_non_ascii_string_is_counted_without_decoding_the_line() -> None:
    raw = _after_long_string("é" * (2 * MIB), indent=False)
    document = parse(raw)
    assert isinstance(document, Document)
    offset = raw.index(b'"label_id": "zero"')
    peak = _peak(lambda: document.locations([offset]))
    assert peak < 3 * MIB, f"one column allocated {peak:,} bytes"
    assert document.locations([offset])[offset].column == len(raw[:offset].decode()) + 1


def test_a_message_quotes_the_start_of_a_huge_value_without_rendering_all_of_it() -> None:
    huge = ["x" * 1000] * 10_000
    assert short(huge) == '["' + "x" * 37 + "…"
    assert _peak(lambda: short(huge)) < 64 * 1024
    text = "y" * (8 * MIB)
    assert _peak(lambda: short(text)) < 64 * 1024


def test_the_diagnostic_after_a_long_string_is_exact_and_its_excerpt_is_short() -> None:
    raw = _after_long_string("é" * MIB + "\\\\" * 1000, indent=False)
    found = [d for d in _lint(raw) if d.code == "DL103"]
    assert len(found) == 1
    offset = raw.index(b'"label_id": "zero"')
    assert found[0].column == len(raw[:offset].decode()) + 1
    assert found[0].excerpt is not None and len(found[0].excerpt[0]) < 200


# 2. Many diagnostics ------------------------------------------------------------------------------


def _items_with_bad_boxes(count: int) -> dict[str, Any]:
    doc = json.loads(json.dumps(BASE))
    annotation = {"id": 1, "type": "bbox", "attributes": {}, "group": 0, "label_id": 0, "z_order": 0}
    doc["items"] = [
        {"id": f"i{k}", "annotations": [{**annotation, "bbox": [1, 2, "3", 4]}], "attr": {}}
        for k in range(count)
    ]
    return doc


def test_filtering_schema_failures_costs_the_same_per_failure_for_twice_as_many() -> None:
    small, large = _items_with_bad_boxes(300), _items_with_bad_boxes(600)
    dialect = "datumaro-1.0"
    assert len(schema_failures(large, dialect)) == 2 * len(schema_failures(small, dialect)) == 600
    ratio = _calls(lambda: schema_failures(large, dialect)) / _calls(lambda: schema_failures(small, dialect))
    assert ratio < 2.2, f"twice the failures cost {ratio:.2f} times the calls"


def _fixes(count: int) -> list[Fix]:
    return [
        Fix(f"fix {k}", Applicability.SAFE, (Edit("replace", f"/items/{k}/annotations/0/label_id", 0),))
        for k in range(count)
    ]


def test_choosing_fixes_that_do_not_overlap_costs_the_same_per_fix_for_twice_as_many() -> None:
    small, large = _items_with_bad_boxes(300), _items_with_bad_boxes(600)
    ratio = _calls(lambda: apply_fixes(large, _fixes(600))) / _calls(lambda: apply_fixes(small, _fixes(300)))
    assert ratio < 2.2, f"twice the fixes cost {ratio:.2f} times the calls"


def test_overlapping_fixes_still_wait_for_the_next_round() -> None:
    doc = _items_with_bad_boxes(3)
    fixes = [
        Fix("inner", SAFE, (Edit("replace", "/items/0/annotations/0/bbox/2", 3),)),
        Fix("whole", SAFE, (Edit("replace", "/items/0/annotations/0", {}),)),
        Fix("same", SAFE, (Edit("replace", "/items/1/id", "a"),)),
        Fix("same again", SAFE, (Edit("replace", "/items/1/id", "b"),)),
        Fix("elsewhere", SAFE, (Edit("replace", "/items/2/id", "c"),)),
    ]
    assert [fix.title for fix in apply_fixes(doc, fixes)] == ["whole", "same", "elsewhere"]


# 3. Archives of many datasets ---------------------------------------------------------------------


def test_the_media_of_many_datasets_of_an_archive_list_its_names_once(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for k in range(40):
            archive.writestr(f"d{k}/annotations/default.json", orjson.dumps(BASE))
            archive.writestr(f"d{k}/images/default/x{k}.jpg", b"")
        archive.writestr("images/top.jpg", b"")  # a dataset folder's name elsewhere: not theirs
        archive.writestr("d1/imagesque/y.jpg", b"")  # a folder whose name only begins like one
    sources = discover([str(path)])
    stores = [source.dataset.media for source in sources]
    calls = _builtin_calls(lambda: [store.files() for store in stores if store is not None], "namelist")
    assert len(stores) == 40 and calls == 1
    for k, source in enumerate(
        sorted(sources, key=lambda source: int(source.name.split("/d")[1].split("/")[0]))
    ):
        assert source.dataset.media is not None
        assert source.dataset.media.files() == {f"images/default/x{k}.jpg"}


# 4. Files that do not parse -----------------------------------------------------------------------


def _nested(levels: int) -> Any:
    node: Any = []
    for _ in range(levels - 1):
        node = [node]
    return node


def test_a_text_of_few_values_is_not_copied_to_be_parsed_and_its_depth_is_still_checked() -> None:
    """A text that is mostly one long string holds few values: it is parsed as it is (no copy of it
    wrapped in brackets), its depth measured on the parsed values."""
    note = "a" * (16 * MIB)
    for levels in (100, 200):
        doc = json.loads(json.dumps(BASE))
        doc["infos"] = {"note": note, "deep": _nested(levels)}
        raw = orjson.dumps(doc)
        copies = _builtin_calls(lambda: parse(raw), "join' of 'bytes")  # noqa: B023
        result = parse(raw)
        if levels == 100:
            assert isinstance(result, Document) and result.data["infos"]["note"] == note
            assert copies == 0
        else:
            assert not isinstance(result, Document) and result.code == "DL006"
            assert result.message.startswith("nesting deeper than 128 levels")
            assert result.offset == raw.index(b"[" * 126) + 126


def test_a_truncated_file_is_called_invalid_without_being_parsed() -> None:
    """A text cut short is found so by a syntax check that builds no value: it costs its reading."""
    raw = orjson.dumps(_items_with_bad_boxes(2000))[:-100]
    assert _builtin_calls(lambda: parse(raw), "orjson.loads") == 0
    failure = parse(raw)
    assert not isinstance(failure, Document) and "truncated" in failure.message
    assert failure.offset == len(raw) and failure.code == "DL001"
    for spaced in (raw + b" \n" * 5000, raw + b"\n"):  # white space after the cut
        again = parse(spaced)
        assert not isinstance(again, Document) and "truncated" in again.message


def test_a_text_that_ends_early_for_another_reason_is_still_named_precisely() -> None:
    raw = orjson.dumps(BASE)
    for text, said in (
        (raw[:-1] + b"x", "unexpected character"),  # the last byte is wrong, the text is whole
        (b'{"a": [1,, 2' + b" " * 10, "unexpected character"),  # an error before the cut
        (b"\xef\xbb\xbf" + raw[:-3], "byte order mark"),
    ):
        failure = parse(text)
        assert not isinstance(failure, Document) and "truncated" not in failure.message, text[-20:]
        assert said in failure.message, failure.message


def test_a_big_malformed_text_is_named_without_being_parsed(monkeypatch: Any) -> None:
    """From :data:`parsecheck.SYNTAX_FIRST` on (64 MiB; lowered here), a character where none may
    stand is found by the syntax check, where the parse names it: at the same place, in other words."""
    raw = orjson.dumps(_items_with_bad_boxes(2000))
    middle = raw.index(b'"bbox":[', len(raw) // 2) + len(b'"bbox":[')
    broken = [
        raw[:middle] + b"}" + raw[middle + 1 :],  # a character where a value belongs
        raw[:middle] + b"NaN" + raw[middle + 1 :],  # a word JSON does not have
        raw.replace(b'"id":', b'"id" ', 1),  # a missing colon
    ]
    parsed = [parse(text) for text in broken]
    monkeypatch.setattr(parsecheck, "SYNTAX_FIRST", 0)
    for text, by_parse in zip(broken, parsed, strict=True):
        assert _builtin_calls(lambda text=text: parse(text), "orjson.loads") == 0
        found = parse(text)
        assert isinstance(found, ParseFailure) and isinstance(by_parse, ParseFailure)
        assert (found.code, found.line, found.column, found.offset) == (
            by_parse.code,
            by_parse.line,
            by_parse.column,
            by_parse.offset,
        )
        assert found.message.split(",")[0] == by_parse.message.split(",")[0]


def test_invalid_utf8_is_found_without_decoding_the_whole_text() -> None:
    raw = orjson.dumps(_items_with_bad_boxes(2000))
    raw = raw[:-10] + b'"\xff"' + raw[-10:]
    assert _builtin_calls(lambda: parse(raw), "orjson.loads") == 1
    assert _builtin_calls(lambda: parse(raw), "decode") <= 2 + len(raw) // MIB
    failure = parse(raw)
    assert not isinstance(failure, Document)
    assert failure.message.startswith("invalid UTF-8: byte 0xff") and failure.offset == raw.index(b"\xff")


def test_content_after_the_value_is_still_named_so() -> None:
    raw = orjson.dumps(BASE) + b" x"
    failure = parse(raw)
    assert not isinstance(failure, Document)
    assert failure.message == "unexpected content after the JSON value" and failure.offset == len(raw) - 1


# 5. Over-long integers and repeated keys ------------------------------------------------------------


def test_an_integer_of_a_million_digits_is_said_to_be_one() -> None:
    raw = orjson.dumps(BASE).replace(b'"infos":{', b'"infos":{"n":' + b"7" * 1_000_000 + b",", 1)
    (diagnostic,) = _lint(raw)
    assert diagnostic.code == "DL006" and diagnostic.severity.value == "error"
    assert "(1,000,000 digits)" in diagnostic.message and "not read" in diagnostic.message
    assert diagnostic.column == raw.index(b"7777") + 1


def test_a_long_digit_run_inside_a_string_is_not_converted_to_an_integer() -> None:
    raw = orjson.dumps(BASE).replace(b'"infos":{', b'"infos":{"n":" ' + b"7" * 10_000 + b' ",', 1)
    assert [d.code for d in _lint(raw)] == []


def test_a_repeated_key_is_located_where_the_value_that_counts_is() -> None:
    doc = json.loads(json.dumps(BASE))
    doc["items"][0]["annotations"][0]["label_id"] = 12345
    text = json.dumps(doc, indent=1)
    raw = text.replace('"label_id": 12345', '"label_id": 0,\n"label_id": "zero"', 1).encode()
    by_code = {d.code: d for d in _lint(raw)}
    last = raw.index(b'"label_id": "zero"')
    assert by_code["DL103"].line == raw.count(b"\n", 0, last) + 1
    assert '"zero"' in by_code["DL103"].message
    assert by_code["DL004"].line == by_code["DL103"].line
