"""A content-hash cache of lint results (``.dlint_cache/``), safe under concurrent runs.

A result is keyed by everything a file's diagnostics depend on: dlint's version, the file's bytes,
its name and subset, the options (rules, dialect), what the dataset's first subset file declares
(for the files compared with it), and a fingerprint of the media the dataset carries. Entries are
JSON (never pickles: a cache folder may come from a checkout), written to a temporary file and
renamed into place, so a reader sees a whole entry or none; an unreadable entry is a miss.

Beside the results, ``status/`` records the hash of a plain file's bytes under its status (size,
times, inode), so that an unchanged file is not even read (see :func:`dlint.runner._recorded_digest`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson
from blake3 import blake3

from dlint import __version__
from dlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity

CACHE_DIR = ".dlint_cache"
_README = b"Signature: 8a477f597d28d172789f06886806bc55\n# dlint's cache; safe to delete.\n"


def key(*parts: bytes | str) -> str:
    """The cache key of a file: a hash of every part, each length-prefixed (no ambiguity)."""
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def content_digest(data: bytes) -> bytes:
    """The hash a file's bytes are cached under: BLAKE3, a cryptographic hash about four times as fast
    as SHA-256 here, so that a first run over a big file barely pays for caching it."""
    return blake3(data).digest()


class Cache:
    """Lint results by key, below a folder (created on first write, with a CACHEDIR.TAG)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _path(self, entry: str, kind: str) -> Path:
        return self.folder / __version__ / kind / entry[:2] / f"{entry}.json"

    def get(self, entry: str, kind: str = "") -> dict[str, Any] | None:
        """The entry stored under a key (``kind``: results by default, ``status`` for file records)."""
        try:
            value = orjson.loads(self._path(entry, kind).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        return value if isinstance(value, dict) else None

    def put(self, entry: str, value: dict[str, Any], kind: str = "") -> None:
        path = self._path(entry, kind)
        with contextlib.suppress(OSError):
            if not self.folder.exists():
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / "CACHEDIR.TAG").write_bytes(_README)
                (self.folder / ".gitignore").write_text("*\n")
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(orjson.dumps(value))
                os.replace(temporary, path)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


def dump_diagnostic(diagnostic: Diagnostic) -> dict[str, Any]:
    """A diagnostic as JSON, with its excerpt (the cache's form)."""
    return diagnostic.as_dict() | {"excerpt": list(diagnostic.excerpt) if diagnostic.excerpt else None}


def load_diagnostic(data: dict[str, Any]) -> Diagnostic:
    """The inverse of :func:`dump_diagnostic`."""
    fix = data.get("fix")
    return Diagnostic(
        code=data["code"],
        name=data["name"],
        severity=Severity(data["severity"]),
        message=data["message"],
        file=data["file"],
        pointer=data["pointer"],
        line=data["line"],
        column=data["column"],
        subset=data["subset"],
        item_id=data["item_id"],
        annotation_id=data["annotation_id"],
        fix=_load_fix(fix) if fix else None,
        excerpt=(data["excerpt"][0], data["excerpt"][1]) if data.get("excerpt") else None,
    )


def _load_fix(data: dict[str, Any]) -> Fix:
    edits = tuple(Edit(e["op"], e["pointer"], e.get("value")) for e in data["edits"])
    return Fix(data["title"], Applicability(data["applicability"]), edits)
