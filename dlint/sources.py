"""Find the annotation files to lint in the paths a user gives: files, dataset folders, zip archives.

Every annotation file belongs to a :class:`Dataset` (the folder or archive folder holding its
``annotations/``), which carries the media checks need and lets the subset files of one dataset be
compared with each other. Archives are read in place, never extracted to disk; their members are named
``archive.zip/annotations/default.json``.
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dlint.media import ArchiveMedia, FolderMedia, MediaStore

#: Folders never searched when walking a directory.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".dlint_cache"}
)
_MEMBER = re.compile(r"(?:(.*)/)?annotations/([^/]+)\.json")


class SourceError(Exception):
    """A path cannot be linted (it does not exist, or an archive cannot be opened)."""


@dataclass(eq=False)
class Dataset:
    """A dataset root: a folder, or a folder inside an archive, that holds ``annotations/``."""

    name: str
    media: MediaStore | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Source:
    """One annotation file: the name diagnostics use, its subset, its dataset, how to read it, and
    where it lives (a file, or a member of the archive at ``path``)."""

    name: str
    subset: str
    dataset: Dataset
    reader: Callable[[], bytes] = field(repr=False, compare=False)
    path: Path = field(default=Path(), compare=False)
    member: str | None = None

    def read(self) -> bytes:
        try:
            return self.reader()
        except (OSError, zipfile.BadZipFile, RuntimeError) as exc:
            raise SourceError(f"cannot read {self.name}: {getattr(exc, 'strerror', None) or exc}") from exc


def discover(paths: Iterable[str]) -> list[Source]:
    """Annotation files named directly, every ``annotations/*.json`` below folders, and those inside
    zip archives (named, or found in folders). Files keep the order of the arguments; files found in a
    folder are sorted. A file named twice is linted once.
    """
    found: dict[str, Source] = {}
    datasets: dict[Path, Dataset] = {}
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            for candidate in sorted(_walk(path)):
                _add(candidate, found, datasets)
        elif path.is_file():
            _add(path, found, datasets)
        else:
            raise SourceError(f"no such file or directory: {arg}")
    return list(found.values())


def _add(path: Path, found: dict[str, Source], datasets: dict[Path, Dataset]) -> None:
    if path.suffix.lower() == ".zip":
        for source in _archive_sources(path):
            found.setdefault(source.name, source)
        return
    key = str(path.resolve())
    if key in found:
        return
    if path.parent.name == "annotations":  # a subset file: its dataset is the folder above
        root = path.parent.parent
        dataset = datasets.get(root.resolve()) or datasets.setdefault(
            root.resolve(), Dataset(_display(root), FolderMedia(root))
        )
    else:  # a lone annotation file is a dataset of its own, without media
        dataset = Dataset(_display(path))
    found[key] = Source(_display(path), path.stem, dataset, path.read_bytes, path)


def _walk(root: Path) -> Iterator[Path]:
    """``annotations/*.json`` and ``*.zip`` anywhere below ``root``."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        in_annotations = Path(folder).name == "annotations"
        for name in files:
            if (in_annotations and name.endswith(".json")) or name.lower().endswith(".zip"):
                yield Path(folder) / name


def _archive_sources(path: Path) -> list[Source]:
    """The annotation files of every dataset inside an archive (an archive may hold a top folder)."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise SourceError(f"cannot open archive {path}: {exc}") from exc
    display = _display(path)
    datasets: dict[str, Dataset] = {}
    sources = []
    for info in archive.infolist():
        match = _MEMBER.fullmatch(info.filename)
        if match is None or info.is_dir():
            continue
        prefix = f"{match.group(1)}/" if match.group(1) else ""
        dataset = datasets.setdefault(
            prefix, Dataset(f"{display}/{prefix}".rstrip("/"), ArchiveMedia(archive, prefix))
        )
        reader = functools.partial(archive.read, info.filename)
        sources.append(
            Source(f"{display}/{info.filename}", match.group(2), dataset, reader, path, info.filename)
        )
    return sorted(sources, key=lambda source: source.name)


def _display(path: Path) -> str:
    """The path relative to the working directory when it lies below it, as given otherwise."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
