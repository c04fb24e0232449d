"""The media a dataset carries (``images/``, ``point_clouds/``, ``related_images/``, ``videos/``), in a
folder or in an archive, for checks that need file existence and image sizes (read from headers only).
"""

from __future__ import annotations

import bisect
import hashlib
import os
import stat
import struct
import weakref
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

#: What reading an image header from a hostile file or archive member may raise.
_UNREADABLE = (
    OSError,
    ValueError,
    KeyError,
    IndexError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    struct.error,
    zlib.error,
    zipfile.BadZipFile,
)

#: Top-level folders of a dataset that hold media.
MEDIA_DIRS = ("images", "point_clouds", "related_images", "videos")


class MediaStore(Protocol):
    """What media checks may ask of a dataset."""

    def files(self) -> frozenset[str]:
        """Every media file, as a POSIX path relative to the dataset root (``images/train/a.jpg``)."""
        ...

    def open(self, path: str) -> IO[bytes]:
        """A seekable binary stream of a media file."""
        ...

    def carries(self, folder: str) -> bool:
        """Whether the dataset holds any file below a media folder (say ``images``)."""
        ...

    def header_size(self, path: str) -> tuple[int, int] | None:
        """(height, width) from an image file's header (read once per file), or None."""
        ...

    def fingerprint(self) -> bytes:
        """A digest of what media checks read, to tell whether cached results still hold."""
        ...

    def refused(self) -> dict[str, str]:
        """Media files that are present but never read, each with the reason (a link out of the
        dataset, to nothing, or in a loop)."""
        ...


def locate(store: MediaStore, folder: str, subset: str, path: str) -> str | None:
    """Where Datumaro finds a media file: ``<folder>/<subset>/<path>``, then ``<folder>/<path>``."""
    files = store.files()
    for candidate in (f"{folder}/{subset}/{path}", f"{folder}/{path}"):
        if candidate in files:
            return candidate
    return None


def _folders(files: frozenset[str]) -> frozenset[str]:
    return frozenset(name.split("/", 1)[0] for name in files)


def _read_size(store: MediaStore, path: str) -> tuple[int, int] | None:
    """(height, width) read from an image file's header, or None when the header is not understood."""
    try:
        with store.open(path) as stream:
            import imagesize  # its import pulls in an HTTP client: paid only when images are read

            width, height = imagesize.get(stream)
    except _UNREADABLE:
        return None
    return (height, width) if width > 0 and height > 0 else None


class _Derived:
    """What a store derives from its file list, computed once: the folders present, image sizes,
    and a fingerprint of the media (for the cache)."""

    def files(self) -> frozenset[str]:
        raise NotImplementedError

    def open(self, path: str) -> IO[bytes]:
        raise NotImplementedError

    def _stamp(self, name: str) -> str:
        raise NotImplementedError

    def refused(self) -> dict[str, str]:
        return {}

    def carries(self, folder: str) -> bool:
        folders = self.__dict__.get("_folder_set")
        if folders is None:
            folders = self.__dict__["_folder_set"] = _folders(self.files() | self.refused().keys())
        return folder in folders

    def header_size(self, path: str) -> tuple[int, int] | None:
        sizes: dict[str, tuple[int, int] | None] = self.__dict__.setdefault("_size_cache", {})
        if path not in sizes:
            sizes[path] = _read_size(self, path)
        return sizes[path]

    def fingerprint(self) -> bytes:
        """A digest of every media file's name and size and time (or archive checksum)."""
        found = self.__dict__.get("_fingerprint")
        if found is None:
            digest = hashlib.sha256()
            for name in sorted(self.files()):
                digest.update(f"{name}\0{self._stamp(name)}\n".encode())
            found = self.__dict__["_fingerprint"] = digest.digest()
        return found


@dataclass
class FolderMedia(_Derived):
    """Media below a dataset folder on disk (listed once, lazily). Nothing outside the dataset is
    read: a media file that is a symbolic link out of the dataset folder, to nothing or in a loop
    is listed among the refused files, never opened; a media folder that is itself a link out of
    the dataset is not looked into."""

    root: Path
    _files: frozenset[str] | None = field(default=None, repr=False)
    _refused: dict[str, str] = field(default_factory=dict, repr=False)
    _real_root: Path | None = field(default=None, repr=False)

    def files(self) -> frozenset[str]:
        if self._files is None:
            found: set[str] = set()
            root = self._real_root = _real(self.root)
            for top in MEDIA_DIRS:
                start = _real(self.root / top)
                if root is None or start is None or not start.is_relative_to(root):
                    continue
                pending = [self.root / top]
                while pending:  # the folder entries tell links apart without a call per file
                    folder = pending.pop()
                    relative = folder.relative_to(self.root).as_posix()
                    try:
                        entries = list(os.scandir(folder))
                    except OSError:
                        continue
                    for entry in entries:
                        name = f"{relative}/{entry.name}"
                        reason = _link_problem(Path(entry.path), root) if entry.is_symlink() else None
                        if reason:
                            self._refused[name] = reason
                        elif reason is None and entry.is_dir(follow_symlinks=False):
                            pending.append(Path(entry.path))
                        elif reason is None:
                            found.add(name)
            self._files = frozenset(found)
        return self._files

    def refused(self) -> dict[str, str]:
        self.files()
        return self._refused

    def open(self, path: str) -> IO[bytes]:
        """A regular file inside the dataset only (looked at again: it may have become a link since
        it was listed); a pipe or a device planted among the images must not block a run."""
        self.files()
        root = self._real_root
        if root is None or _link_problem(self.root / path, root) is not None:
            raise OSError(f"{path} is a symbolic link that is not followed")
        descriptor = os.open(self.root / path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        stream = os.fdopen(descriptor, "rb")
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            stream.close()
            raise OSError(f"{path} is not a regular file")
        return stream

    def fingerprint(self) -> bytes:
        refused = "".join(f"{name}\0{why}\n" for name, why in sorted(self.refused().items()))
        return hashlib.sha256(super().fingerprint() + refused.encode()).digest()

    def _stamp(self, name: str) -> str:
        try:
            status = os.stat(self.root / name)
        except OSError as exc:  # removed, or replaced by a broken link, since it was listed
            return f"unreadable\0{exc.errno}"
        return f"{status.st_size}\0{status.st_mtime_ns}"


def _real(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None


def _link_problem(path: Path, root: Path) -> str | None:
    """Why a media file listed below ``root`` must not be read (None: it may; "" a link to a
    folder, which is no media file, nor followed). Only links are looked at closely."""
    if not path.is_symlink():
        return None
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        return "it is a symbolic link to a file that does not exist"
    except (OSError, RuntimeError):
        return "it is a symbolic link that leads to itself (a loop of links)"
    if not real.is_relative_to(root):
        return "it is a symbolic link leading out of the dataset; it was not read"
    return "" if real.is_dir() else None


#: Per open archive, the names of its files in sorted order (see :func:`_names_below`).
_SORTED_NAMES: weakref.WeakKeyDictionary[zipfile.ZipFile, list[str]] = weakref.WeakKeyDictionary()


def _names_below(archive: zipfile.ZipFile, folder: str) -> Iterator[str]:
    """The file names of an archive that lie below ``folder`` (a prefix ending in ``/``), and a file
    named ``folder`` without its slash: a range of the archive's names sorted once, so that each of
    many datasets costs the names it holds, not every name of the archive."""
    names = _SORTED_NAMES.get(archive)
    if names is None:
        names = _SORTED_NAMES[archive] = sorted(n for n in archive.namelist() if not n.endswith("/"))
    at = bisect.bisect_left(names, folder[:-1])
    if at < len(names) and names[at] == folder[:-1]:
        yield names[at]
    at = bisect.bisect_left(names, folder, at)
    while at < len(names) and names[at].startswith(folder):
        yield names[at]
        at += 1


@dataclass
class ArchiveMedia(_Derived):
    """Media inside a zip archive, below ``prefix`` (the archive folder holding ``annotations/``)."""

    archive: zipfile.ZipFile
    prefix: str
    _files: frozenset[str] | None = field(default=None, repr=False)

    def files(self) -> frozenset[str]:
        if self._files is None:
            cut = len(self.prefix)
            self._files = frozenset(
                name[cut:]
                for top in MEDIA_DIRS
                for name in _names_below(self.archive, f"{self.prefix}{top}/")
            )
        return self._files

    def open(self, path: str) -> IO[bytes]:
        """Members zipfile reads in bounded pieces only (stored or deflated, not encrypted)."""
        info = self.archive.getinfo(self.prefix + path)
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise OSError(f"{path} is encrypted or compressed with method {info.compress_type}")
        return self.archive.open(info)

    def _stamp(self, name: str) -> str:
        info = self.archive.getinfo(self.prefix + name)
        return f"{info.file_size}\0{info.CRC}"
