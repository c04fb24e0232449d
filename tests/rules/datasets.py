"""Dataset cases: subset files, real image files, optionally zipped (for cross-file and media rules)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image


def make_dataset(root: Path, spec: dict[str, Any], build: Callable[[dict[str, Any]], bytes]) -> None:
    """Write each entry of ``spec``: ``{image: [H, W]}`` a real image of that size, ``{text: ...}`` raw
    text, anything else a base document with the case's edits (``set``/``remove``/``raw``)."""
    for relative, entry in spec.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = entry or {}
        if "image" in entry:
            height, width = entry["image"]
            kind = "PNG" if path.suffix.lower() == ".png" else "JPEG"
            Image.new("RGB", (width, height), (90, 120, 150)).save(path, kind)
        elif "text" in entry:
            path.write_text(entry["text"])
        else:
            path.write_bytes(build(entry))


def zip_folder(root: Path, target: Path) -> Path:
    """A real zip archive of a folder, members named relative to it."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root).as_posix())
    return target
