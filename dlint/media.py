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

    def carries(self, folder: str) -> bool:
        folders = self.__dict__.get("_folder_set")
        if folders is None:
            folders = self.__dict__["_folder_set"] = _folders(self.files())
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
    """Media below a dataset folder on disk (listed once, lazily)."""

    root: Path
    _files: frozenset[str] | None = field(default=None, repr=False)

    def files(self) -> frozenset[str]:
        if self._files is None:
            found: set[str] = set()
            for top in MEDIA_DIRS:
                for folder, _dirs, names in os.walk(self.root / top):
                    relative = Path(folder).relative_to(self.root).as_posix()
                    found.update(f"{relative}/{name}" for name in names)
            self._files = frozenset(found)
        return self._files

    def open(self, path: str) -> IO[bytes]:
        """A regular file only: a pipe or a device planted among the images must not block a run."""
        descriptor = os.open(self.root / path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        stream = os.fdopen(descriptor, "rb")
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            stream.close()
            raise OSError(f"{path} is not a regular file")
        return stream

    def _stamp(self, name: str) -> str:
        status = os.stat(self.root / name)
        return f"{status.st_size}\0{status.st_mtime_ns}"


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
