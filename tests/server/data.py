"""Uploads for the server tests: the bundled examples, as files and zip archives, and broken ones."""

from __future__ import annotations

import functools
import io
import json
import re
import struct
import zipfile
from pathlib import Path

from tests.conftest import ROOT, benchmark_generator

EXPORT = ROOT / "examples" / "datumaro-export"
CVAT_DOCS = ROOT / "examples" / "cvat-docs" / "annotations" / "default.json"
JSON = {"content-type": "application/json"}
ZIP = {"content-type": "application/zip"}


def archive(folder: Path, replace: dict[str, bytes] | None = None, prefix: str = "") -> bytes:
    """A zip of a dataset folder, some members replaced."""
    replace = replace or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                target.writestr(prefix + name, replace.get(name, path.read_bytes()))
    return buffer.getvalue()


def fixable() -> bytes:
    """The export's train subset with a safe fix (a label id as a string) and an unsafe one (an
    unpaired polygon coordinate) to make."""
    data = json.loads((EXPORT / "annotations" / "train.json").read_bytes())
    data["items"][0]["annotations"][1]["label_id"] = "1"
    data["items"][0]["annotations"][2]["points"].append(5.0)
    return json.dumps(data).encode()


def broken_archives() -> dict[str, bytes]:
    """Archives that cannot be read, each in its own way."""
    good = bytearray(archive(EXPORT))
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as target:
        target.writestr("annotations/default.json", CVAT_DOCS.read_bytes())
    flipped = bytearray(stored.getvalue())
    flipped[60] ^= 0xFF
    method = bytearray(stored.getvalue())
    central = method.find(b"PK\x01\x02")
    method[8:10] = method[central + 10 : central + 12] = struct.pack("<H", 99)
    deflated = bytearray(good)
    start = deflated.find(b"annotations/train.json") + len("annotations/train.json")
    deflated[start + 4 : start + 12] = b"\xff" * 8
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as target:
        target.writestr("readme.txt", "no dataset here")
    return {
        "empty body": b"",
        "not a zip": b"{}",
        "truncated": bytes(good[: len(good) // 2]),
        "end record only": bytes(good[good.rfind(b"PK\x05\x06") :]),
        "bad checksum": bytes(flipped),
        "unknown compression": bytes(method),
        "corrupt deflate stream": bytes(deflated),
        "no annotation file": empty.getvalue(),
    }


@functools.cache
def heavy() -> bytes:
    """An archive of under 2 MiB that takes many seconds to check: 1,500 generated items whose
    every label id is written as a string (tens of thousands of diagnostics)."""
    text, _ = benchmark_generator().generate(1500, 7, 0)
    broken = re.sub(rb'"label_id":(\d+)', rb'"label_id":"\1"', text)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("annotations/default.json", broken)
    return buffer.getvalue()
