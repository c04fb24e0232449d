"""The media a dataset carries (``images/``, ``point_clouds/``, ``related_images/``, ``videos/``), in a
folder or in an archive, for checks that need file existence and image sizes (read from headers only).
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
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


@dataclass
class FolderMedia:
    """Media below a dataset folder on disk (listed once, lazily)."""

    root: Path
    _files: frozenset[str] | None = field(default=None, repr=False)
    _folders: frozenset[str] | None = field(default=None, repr=False)
    _sizes: dict[str, tuple[int, int] | None] = field(default_factory=dict, repr=False)

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

    def carries(self, folder: str) -> bool:
        if self._folders is None:
            self._folders = _folders(self.files())
        return folder in self._folders

    def header_size(self, path: str) -> tuple[int, int] | None:
        if path not in self._sizes:
            self._sizes[path] = _read_size(self, path)
        return self._sizes[path]


@dataclass
class ArchiveMedia:
    """Media inside a zip archive, below ``prefix`` (the archive folder holding ``annotations/``)."""

    archive: zipfile.ZipFile
    prefix: str
    _files: frozenset[str] | None = field(default=None, repr=False)
    _folders: frozenset[str] | None = field(default=None, repr=False)
    _sizes: dict[str, tuple[int, int] | None] = field(default_factory=dict, repr=False)

    def files(self) -> frozenset[str]:
        if self._files is None:
            cut = len(self.prefix)
            self._files = frozenset(
                name[cut:]
                for name in self.archive.namelist()
                if name.startswith(self.prefix)
                and not name.endswith("/")
                and name[cut:].split("/")[0] in MEDIA_DIRS
            )
        return self._files

    def open(self, path: str) -> IO[bytes]:
        """Members zipfile reads in bounded pieces only (stored or deflated, not encrypted)."""
        info = self.archive.getinfo(self.prefix + path)
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise OSError(f"{path} is encrypted or compressed with method {info.compress_type}")
        return self.archive.open(info)

    def carries(self, folder: str) -> bool:
        if self._folders is None:
            self._folders = _folders(self.files())
        return folder in self._folders

    def header_size(self, path: str) -> tuple[int, int] | None:
        if path not in self._sizes:
            self._sizes[path] = _read_size(self, path)
        return self._sizes[path]
