"""Replace files so that, whatever happens, a reader sees either the old bytes or the complete new ones.

A new version is written to a temporary file in the same folder (``.<name>.<random>.dlint-tmp``,
never taken for a dataset file), flushed and synced to disk, given the original's permission bits,
then renamed over the original (an atomic step on POSIX), and the folder is synced so the rename
itself survives a crash. If anything fails before the rename, the temporary file is removed and the
original is untouched; a process killed at any moment leaves the original or the complete new
version, and at worst a temporary file. A symbolic link is never replaced nor written through: its
status is read without following it (``lstat``) when the write begins, and an archive is read
through a descriptor opened with ``O_NOFOLLOW``. An archive is rewritten only when every member it
keeps reads back intact (a member that is corrupt is never repaired).

While it is written, a temporary file is locked (``flock``): a later run removes the temporary files
of the same target that nobody holds and that are older than :data:`STALE_AFTER` seconds, which are
what killed runs leave behind. Two runs fixing one file at once each rename a complete version; the
last rename wins, and the file is never a mix of both.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locks, no clean-up of stale files
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".dlint-tmp"
#: A temporary file nobody has locked for this long was left by a killed run.
STALE_AFTER = 10.0
_COPY_CHUNK = 1024 * 1024


class WriteError(Exception):
    """A file could not be replaced; the original is untouched."""


def replace_file(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` by ``data`` (never a symbolic link: it is refused)."""
    _replace(path, lambda stream: stream.write(data))


#: What reading a damaged archive member may raise.
_CORRUPT = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError)


def replace_archive_members(path: Path, members: Mapping[str, bytes]) -> None:
    """Rewrite a zip archive with some members' content replaced and every other member kept as it
    was (name, order, timestamps, permissions, compression, comments, content), copied in bounded
    pieces. A kept member that does not read back intact (a bad checksum, a broken stream) makes
    the whole rewrite refused: the archive is left as it is."""

    def write(stream: IO[bytes]) -> None:
        with _open_archive(path) as source, zipfile.ZipFile(stream, "w") as target:
            target.comment = source.comment
            for info in source.infolist():
                if info.flag_bits & 0x1:
                    raise WriteError(f"{path}: {info.filename} is encrypted; the archive is left as it is")
                if info.filename in members:
                    target.writestr(info, members[info.filename], compress_type=info.compress_type)
                    continue
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise WriteError(
                        f"{path}: {info.filename} uses compression method {info.compress_type}, which "
                        "dlint does not rewrite; the archive is left as it is"
                    )
                try:
                    with source.open(info) as reader, target.open(copy.copy(info), "w") as writer:
                        shutil.copyfileobj(reader, writer, _COPY_CHUNK)
                except _CORRUPT as exc:
                    raise WriteError(
                        f"{path}: the member {info.filename} is corrupt ({exc}); dlint does not repair "
                        "it, the archive is left as it is"
                    ) from exc

    _replace(path, write)


@contextlib.contextmanager
def _open_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    """The archive read through a descriptor that no symbolic link leads to."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as stream, zipfile.ZipFile(stream) as archive:
        yield archive


def temporary_files(path: Path) -> list[Path]:
    """The temporary files of ``path`` that runs writing it have created (live or stale)."""
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    prefix = f".{path.name}."
    return [path.parent / name for name in names if name.startswith(prefix) and name.endswith(SUFFIX)]


def remove_stale(path: Path, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary files of ``path`` left by killed runs: unlocked, and not touched for
    ``older_than`` seconds. Return those removed."""
    if fcntl is None:
        return []
    removed = []
    now = time.time()
    for candidate in temporary_files(path):
        try:
            descriptor = os.open(candidate, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < older_than:
                continue
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live run holds it
        finally:
            os.close(descriptor)
        with contextlib.suppress(OSError):
            os.unlink(candidate)
            removed.append(candidate)
    return removed


def _replace(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    try:
        status = os.lstat(path)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(status.st_mode):
        raise WriteError(
            f"cannot write {path}: it is a symbolic link, never written through; nothing was changed"
        )
    if not stat.S_ISREG(status.st_mode):
        raise WriteError(f"cannot write {path}: it is not a regular file; nothing was changed")
    mode = stat.S_IMODE(status.st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise WriteError(f"cannot write {path}: the file is read-only; nothing was changed")
    folder = path.parent
    remove_stale(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=SUFFIX, dir=folder)
    except OSError as exc:
        raise WriteError(f"cannot write in {folder}: {exc.strerror or exc}; nothing was changed") from exc
    try:
        with os.fdopen(handle, "wb") as stream, _locked(handle):
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
            os.chmod(temporary, mode)
            if os.path.islink(path):  # replaced by a link while the new version was written
                raise WriteError(f"cannot write {path}: it became a symbolic link; nothing was changed")
            os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, (OSError, zipfile.BadZipFile, ValueError, EOFError, RuntimeError)):
            raise WriteError(f"cannot write {path}: {exc}; nothing was changed") from exc
        raise
    _sync_folder(folder)


@contextlib.contextmanager
def _locked(descriptor: int) -> Iterator[None]:
    """Hold an exclusive lock on the temporary file while it is written (a live run's file is never
    taken for a stale one)."""
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    yield


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
