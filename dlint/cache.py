"""A content-hash cache of lint results (``.dlint_cache/``), safe under concurrent runs and against
forged entries.

A result is keyed by everything a file's diagnostics depend on: dlint's code (its version and a
fingerprint of its modules and schemas), the file's bytes, its name and subset, the options (rules,
dialect, targets), what the dataset's first subset file declares
(for the files compared with it), and a fingerprint of the media the dataset carries. Entries are
JSON (never pickles), written to a temporary file and renamed into place, so a reader sees a whole
entry or none; an unreadable entry is a miss.

The cache folder may come with a checkout (a pull request can ship one), so no entry is trusted for
being there: each carries a keyed BLAKE3 tag of its kind, its key and its content, made with a secret
that lives outside the working tree, in the user's cache directory (``cache.key``, created on first
use, readable by its owner alone). An entry whose tag does not verify is a miss, then overwritten;
without a secret (no writable user cache directory) the cache is neither read nor written.

Beside the results, ``status/`` records the hash of a plain file's bytes under its status (size,
times, inode), so that an unchanged file is not even read (see :func:`dlint.runner._recorded_digest`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

import orjson
from blake3 import blake3

from dlint import __version__
from dlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity

CACHE_DIR = ".dlint_cache"
#: The secret's file, in the user's cache directory.
KEY_FILE = "cache.key"
_TAG = 32
_README = b"Signature: 8a477f597d28d172789f06886806bc55\n# dlint's cache; safe to delete.\n"


@functools.cache
def code_fingerprint() -> bytes:
    """What the checks are made of: dlint's version and the size and change time of each of its
    modules and schemas. A result is never served by other code than made it, even between two
    releases (a source checkout, an edited installation)."""
    from dlint.schemas import schema_root

    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*Path(__file__).resolve().parent.rglob("*.py"), *schema_root().rglob("*.json")]):
        try:
            info = path.stat()
        except OSError:
            continue
        digest.update(f"{path.name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.digest()


def key(*parts: bytes | str) -> str:
    """The cache key of a file: a hash of the code (see :func:`code_fingerprint`) and of every
    part, each length-prefixed (no ambiguity)."""
    digest = hashlib.sha256(code_fingerprint())
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
    """Lint results by key, below a folder (created on first write, with a CACHEDIR.TAG).

    ``secret`` authenticates the entries; by default it is the user's (see :func:`user_secret`).
    """

    def __init__(self, folder: str | os.PathLike[str], secret: bytes | None = None) -> None:
        self.folder = Path(folder)
        self._secret = secret

    @property
    def secret(self) -> bytes | None:
        if self._secret is None:
            self._secret = user_secret()
        return self._secret or None

    def _path(self, entry: str, kind: str) -> Path:
        return self.folder / __version__ / kind / entry[:2] / f"{entry}.entry"

    def _tag(self, secret: bytes, entry: str, kind: str, payload: bytes) -> bytes:
        return blake3(f"{kind}\0{entry}\0".encode() + payload, key=secret).digest()

    def get(self, entry: str, kind: str = "") -> dict[str, Any] | None:
        """The entry stored under a key (``kind``: results by default, ``status`` for file records),
        or None when there is none, or none that this user's dlint wrote."""
        secret = self.secret
        if secret is None:
            return None
        try:
            stored = self._path(entry, kind).read_bytes()
        except OSError:
            return None
        tag, payload = stored[:_TAG], stored[_TAG:]
        if not hmac.compare_digest(tag, self._tag(secret, entry, kind, payload)):
            return None
        try:
            value = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None

    def put(self, entry: str, value: dict[str, Any], kind: str = "") -> None:
        secret = self.secret
        if secret is None:
            return
        path = self._path(entry, kind)
        payload = orjson.dumps(value)
        with contextlib.suppress(OSError):
            if not self.folder.exists():
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / "CACHEDIR.TAG").write_bytes(_README)
                (self.folder / ".gitignore").write_text("*\n")
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_new(path, self._tag(secret, entry, kind, payload) + payload)


def user_secret() -> bytes:
    """The secret that authenticates this user's cache entries (empty when none can be had): read
    from the user's cache directory, made there on first use. It never lies in a working tree, so a
    cache folder shipped with a repository cannot carry entries this user's dlint would trust."""
    import platformdirs  # only runs with a cache pay for it

    path = platformdirs.user_cache_path("dlint") / KEY_FILE
    for _ in range(2):
        try:
            found = path.read_bytes()
        except FileNotFoundError:
            _create_secret(path)
            continue
        except OSError:
            return b""
        return found if len(found) == _TAG else b""
    return b""


def _create_secret(path: Path) -> None:
    """A new secret at ``path``, readable by its owner alone; when several processes race, the
    first one's stands (it is linked into place, never overwritten)."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(secrets.token_bytes(_TAG))
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)


def _write_new(path: Path, data: bytes) -> None:
    """Write a file whole: to a temporary file beside it, renamed into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
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
