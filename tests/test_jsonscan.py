"""The scans for what a parse accepts silently: the same answers whichever way a text is searched, and
no numpy for a small file that needs none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from dlint import bytescan, jsonscan

RUN = jsonscan.MIN_RUN


@pytest.mark.parametrize("digits", [RUN - 1, RUN, RUN + 1, 40])
@pytest.mark.parametrize("at", [0, 5, 8 << 20, (8 << 20) - 7])
def test_a_digit_run_is_found_alike_in_small_and_big_texts(digits: int, at: int) -> None:
    text = b" " * at + b"7" * digits + b" ]"  # (8 MiB - 7: across the pieces a big text is read in)
    expected = digits >= RUN
    assert bytescan.has_digit_run(text, RUN) is expected
    assert jsonscan.has_long_digit_run(text) is expected
    if len(text) >= jsonscan.VECTOR_FROM:  # the small texts' way, on a big text
        assert (text.translate(jsonscan._CLASSES).find(b"0" * RUN) >= 0) is expected


def test_huge_integers_are_found_in_small_and_big_texts() -> None:
    small = b'{"a": 18446744073709551616, "b": "18446744073709551616"}'
    big = small[:-1] + b', "pad": "' + b"x" * jsonscan.VECTOR_FROM + b'"}'
    for text in (small, big):
        assert [found.literal for found in jsonscan.huge_integers(text)] == ["18446744073709551616"]


def _imports_numpy(path: Path) -> bool:
    code = (
        "import sys\n"
        "from dlint.cli import main\n"
        f"try:\n    main(['check', '--no-cache', {str(path)!r}])\n"
        "except SystemExit:\n    pass\n"
        "print('numpy' in sys.modules)\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return found.stdout.strip().splitlines()[-1] == "True"


def test_a_small_file_without_masks_is_checked_without_numpy(tmp_path: Path) -> None:
    item = {
        "id": "a",
        "annotations": [
            {"id": 0, "type": "bbox", "label_id": 0, "bbox": [1, 2, 3, 4], "attributes": {}, "group": 0},
            {"id": 1, "type": "polygon", "label_id": 0, "points": [0, 0, 4, 0, 0, 3], "attributes": {}},
        ],
        "image": {"path": "a.jpg", "size": [10, 10]},
    }
    doc = {
        "dm_format_version": "1.0",
        "media_type": 2,
        "infos": {},
        "categories": {
            "label": {"labels": [{"name": "x", "parent": "", "attributes": []}], "attributes": []}
        },
        "items": [item],
    }
    path = tmp_path / "default.json"
    path.write_bytes(orjson.dumps(doc))
    assert not _imports_numpy(path)
    item["annotations"].append(
        {"id": 2, "type": "mask", "label_id": 0, "rle": {"counts": "0:", "size": [1, 10]}, "attributes": {}}
    )
    path.write_bytes(orjson.dumps(doc))
    assert _imports_numpy(path)  # masks are measured vectorised
