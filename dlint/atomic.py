"""Replace files so that, whatever happens, a reader sees either the old bytes or the complete new ones.

A new version is written to a temporary file in the same folder, flushed and synced to disk, given
the original's permission bits, then renamed over the original (an atomic step on POSIX), and the
folder is synced so the rename itself survives a crash. If anything fails before the rename, the
temporary file is removed and the original is untouched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO


class WriteError(Exception):
    """A file could not be replaced; the original is untouched."""


def replace_file(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` by ``data``."""
    _replace(path, lambda stream: stream.write(data))


def replace_archive_members(path: Path, members: Mapping[str, bytes]) -> None:
    """Rewrite a zip archive with some members' content replaced and every other member kept as it
    was (name, order, timestamps, permissions, compression, comments)."""

    def write(stream: IO[bytes]) -> None:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(stream, "w") as target:
            target.comment = source.comment
            for info in source.infolist():
                if info.flag_bits & 0x1:
                    raise WriteError(f"{path}: {info.filename} is encrypted; the archive is left as it is")
                data = members[info.filename] if info.filename in members else source.read(info.filename)
                target.writestr(info, data, compress_type=info.compress_type)

    _replace(path, write)


def _replace(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise WriteError(f"cannot write {path}: the file is read-only; nothing was changed")
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".dlint-tmp", dir=folder)
    except OSError as exc:
        raise WriteError(f"cannot write in {folder}: {exc.strerror or exc}; nothing was changed") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, (OSError, zipfile.BadZipFile)):
            raise WriteError(f"cannot write {path}: {exc}; nothing was changed") from exc
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
