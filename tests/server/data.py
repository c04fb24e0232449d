"""Uploads for the server tests: the bundled examples, as files and zip archives, and broken ones."""

from __future__ import annotations

import functools
import io
import json
import struct
import zipfile
from pathlib import Path

from tests.conftest import ROOT

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
    """An archive of under 1 MiB that takes half a minute to check, far beyond the test servers'
    time budgets: 40,000 items of ten boxes whose every label id is written as a string (400,000
    diagnostics); it compresses about a hundred times, within the expansion limit."""
    box = {"type": "bbox", "attributes": {}, "group": 0, "label_id": "0", "z_order": 0, "bbox": [0, 0, 1, 1]}
    items = [
        {
            "id": f"frame_{n:06}",
            "annotations": [{"id": k, **box} for k in range(1, 11)],
            "image": {"path": f"frame_{n:06}.jpg", "size": [10, 10]},
        }
        for n in range(40_000)
    ]
    label = {"name": "a", "parent": "", "attributes": []}
    categories = {"label": {"labels": [label], "label_groups": [], "attributes": []}}
    document = {"dm_format_version": "1.0", "media_type": 2, "categories": categories, "items": items}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("annotations/default.json", json.dumps(document, separators=(",", ":")))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    return data
