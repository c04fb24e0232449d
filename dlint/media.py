"""The media a dataset carries (``images/``, ``point_clouds/``, ``related_images/``, ``videos/``), in a
folder or in an archive, for checks that need file existence and image sizes (read from headers only).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

import imagesize

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
            width, height = imagesize.get(stream)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
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
        return (self.root / path).open("rb")

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
        return self.archive.open(self.prefix + path)

    def carries(self, folder: str) -> bool:
        if self._folders is None:
            self._folders = _folders(self.files())
        return folder in self._folders

    def header_size(self, path: str) -> tuple[int, int] | None:
        if path not in self._sizes:
            self._sizes[path] = _read_size(self, path)
        return self._sizes[path]
