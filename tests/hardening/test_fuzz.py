"""Fuzzing: valid datasets mutated (types changed, members deleted and inserted, text truncated, bytes
flipped, keys repeated, nesting deepened) never make dlint raise; every diagnostic points into the
document (or, for a file that does not parse, at the document as a whole) at a line and column inside
the file; what ``fix`` writes parses and fixing it again changes nothing.

A few dozen examples per property run with the suite; the long run sets ``DLINT_FUZZ_EXAMPLES`` (see
the README).
"""

from __future__ import annotations

import copy
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlint.api import LintOptions, lint, lint_data, select_rules
from dlint.cache import dump_diagnostic
from dlint.diagnostics import is_index, split_pointer
from dlint.fixloop import fix_bytes
from dlint.reporters import REPORTERS
from dlint.sources import SourceError
from tests.hardening.conftest import BASE, ROOT, inside

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("DLINT_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
RULES = select_rules(LintOptions())
SEEDS = [
    BASE,
    *(
        json.loads(path.read_bytes())
        for path in sorted(
            [*(ROOT / "examples").glob("*/annotations/*.json"), *(ROOT / "tests" / "data").rglob("*.json")]
        )
    ),
]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.from_regex(r"\A-?[0-9]{1,30}\Z"),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """A seed dataset with a few structural mutations: types changed, members deleted or inserted."""
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["retype", "delete", "insert"]))
        if not path:
            if kind == "retype" and draw(st.booleans()):
                doc = draw(JSON_VALUES)
            continue
        parent, last = _at(doc, path[:-1]), path[-1]
        if kind == "retype":
            parent[last] = draw(JSON_VALUES)
        elif kind == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(JSON_VALUES)
        else:
            parent.insert(draw(st.integers(0, len(parent))), draw(JSON_VALUES))
    return doc


def _serialise(doc: Any, layout: str) -> bytes:
    if layout == "compact":
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    return json.dumps(doc, indent=int(layout), ensure_ascii=layout == "2").encode()


@st.composite
def texts(draw: st.DrawFn) -> bytes:
    """A mutated dataset, serialised, then maybe damaged as text."""
    raw = _serialise(draw(documents()), draw(st.sampled_from(["compact", "1", "2"])))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "repeat-key", "deepen", "huge", "bom"]))
        at = draw(st.integers(0, len(raw)))
        if kind == "truncate":
            raw = raw[:at]
        elif kind == "flip" and raw:
            at = min(at, len(raw) - 1)
            raw = raw[:at] + bytes([raw[at] ^ draw(st.integers(1, 255))]) + raw[at + 1 :]
        elif kind == "insert":
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
        elif kind == "repeat-key":
            brace = raw.find(b"{", at)
            if brace >= 0:
                raw = raw[: brace + 1] + b'"id": 1, "id": 2, ' + raw[brace + 1 :]
        elif kind == "deepen":
            depth = draw(st.sampled_from([100, 127, 128, 129, 300, 1100]))
            raw = raw[:at] + b"[" * depth + raw[at:]
        elif kind == "huge":
            colon = raw.find(b":", at)
            if colon >= 0:
                raw = raw[: colon + 1] + b" 123456789012345678901234," + raw[colon + 1 :]
        elif kind == "bom":
            raw = b"\xef\xbb\xbf" + raw
    return raw


def _resolves(doc: Any, pointer: str) -> bool:
    node = doc
    for token in split_pointer(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and is_index(token) and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return True


_UNPARSED = object()


def _parsed(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _UNPARSED


@FUZZ
@given(texts())
def test_lint_never_raises_and_points_inside_the_file(raw: bytes) -> None:
    report = lint_data(raw, name="fuzz.json")
    for render in REPORTERS.values():  # every output format can print what was found
        render(report)
    for diagnostic in report.diagnostics:  # and the result cache can keep it
        orjson.loads(orjson.dumps(dump_diagnostic(diagnostic)))
    parsed = _parsed(raw)
    for diagnostic in report.diagnostics:
        assert diagnostic.line is not None and diagnostic.column is not None
        assert inside(raw, diagnostic.line, diagnostic.column), diagnostic
        if diagnostic.code in ("DL001", "DL006"):
            assert diagnostic.pointer == ""  # the parse failure names the document
        else:
            assert parsed is not _UNPARSED, diagnostic  # only a document that parses has rule diagnostics
            assert _resolves(parsed, diagnostic.pointer), diagnostic


@FUZZ
@given(texts(), st.booleans(), st.sampled_from(["compact", "lines"]))
def test_fix_writes_what_parses_and_is_idempotent(raw: bytes, unsafe: bool, style: str) -> None:
    first = fix_bytes(raw, file="fuzz.json", subset="default", rules=RULES, unsafe=unsafe, style=style)
    for diagnostic in first.remaining:
        assert diagnostic.line is not None and diagnostic.column is not None
        assert inside(raw if first.fixed is None else first.fixed, diagnostic.line, diagnostic.column)
    if first.fixed is None:
        assert first.refused
        return
    orjson.loads(first.fixed)
    second = fix_bytes(
        first.fixed, file="fuzz.json", subset="default", rules=RULES, unsafe=unsafe, style=style
    )
    assert second.fixed == first.fixed and not second.applied


def _archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("annotations/train.json", orjson.dumps(BASE))
        archive.writestr("annotations/val.json", orjson.dumps(SEEDS[1]))
        archive.writestr("images/default/img_001.jpg", b"\xff\xd8\xff\xe0" + bytes(64))
    return buffer.getvalue()


ARCHIVE = _archive()


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(ARCHIVE) - 1), st.integers(1, 255)), min_size=1, max_size=4))
def test_damaged_archives_never_raise(
    tmp_path_factory: pytest.TempPathFactory, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(ARCHIVE)
    for at, mask in flips:
        data[at] ^= mask
    folder = tmp_path_factory.mktemp("zip")
    path = folder / "upload.zip"
    path.write_bytes(bytes(data))
    try:
        report = lint([str(path)])
    except SourceError as exc:  # not an archive at all: one line
        assert "\n" not in str(exc)
        return
    for diagnostic in report.diagnostics:
        assert "\n" not in diagnostic.message
    assert sorted(p.name for p in Path(folder).iterdir()) == ["upload.zip"]  # nothing extracted


@FUZZ
@given(texts())
def test_the_visual_report_draws_whatever_a_file_holds(raw: bytes) -> None:
    """Every item a diagnostic lies in is read back and drawn, over an image when one is there: no
    file makes the visual report fail."""
    from PIL import Image

    from dlint.visual.page import render

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ds"
        (root / "annotations").mkdir(parents=True)
        (root / "annotations" / "default.json").write_bytes(raw)
        (root / "images").mkdir()
        for name in ("img_001.jpg", "img_002.jpg", "a.jpg", "0.jpg"):
            Image.new("RGB", (8, 6), "white").save(root / "images" / name)
        report = lint([str(root)], LintOptions())
        page = render(report)
    assert page.rstrip().endswith("</html>")
    assert page.count("<script>") == 1  # its own, and nothing from the file
