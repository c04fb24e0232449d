"""Find the annotation files to lint in the paths a user gives: files, dataset folders, zip archives.

Every annotation file belongs to a :class:`Dataset` (the folder or archive folder holding its
``annotations/``), which carries the media checks need and lets the subset files of one dataset be
compared with each other. Archives are read in place, never extracted to disk; their members are named
``archive.zip/annotations/default.json``.

Reading is bounded (see :mod:`dlint.limits`): a file larger than the limit is not read, an annotation
file that is a symbolic link out of its dataset or not a regular file (a pipe, a device) is not
opened, and archives are checked before anything in them is read (see :mod:`dlint.archives`). What
is not read reads as a :class:`~dlint.parsecheck.Refused` value: the reason, reported as a
diagnostic of its own, and every other file is still checked.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dlint import archives
from dlint import limits as run_limits
from dlint.limits import Limits
from dlint.media import ArchiveMedia, FolderMedia, MediaStore
from dlint.parsecheck import Refused, too_large

#: Folders never searched when walking a directory.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".dlint_cache"}
)
_MEMBER = re.compile(r"(?:(.*)/)?annotations/([^/]+)\.json")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    root = None
    if path.parent.name == "annotations":  # a subset file: its dataset is the folder above
        root = path.parent.parent
        dataset = datasets.get(root.resolve()) or datasets.setdefault(
            root.resolve(), Dataset(_display(root), FolderMedia(root))
        )
    else:  # a lone annotation file is a dataset of its own, without media
        dataset = Dataset(_display(path))
    reader = functools.partial(read_file, path, run_limits.current().max_file_size, root)
    found[key] = Source(_display(path), path.stem, dataset, reader, path)


def read_file(path: Path, limit: int, dataset: Path | None = None) -> bytes:
    """A file's bytes, or a :class:`Refused` value when it is larger than ``limit``, not a regular
    file, or (in a ``dataset`` folder) reached through a symbolic link that leads out of the dataset
    and of the working directory (a link planted to read, or by ``fix`` write, another file; links
    within a repository, such as a data cache's, are followed). Raises OSError."""
    if dataset is not None and not (_inside(path, dataset) or _inside(path, Path.cwd())):
        return Refused("it is a symbolic link leading out of its dataset; it was not read")
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a pipe must not block
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return Refused("it is not a regular file (a pipe, a device...); it was not read")
        if info.st_size > limit:
            return Refused(too_large(info.st_size, limit))
        data = stream.read(info.st_size + 1)
        if len(data) > info.st_size:  # it grows while it is read
            rest = stream.read(limit + 1 - len(data))
            data += rest
            if len(data) > limit:
                return Refused(too_large(len(data), limit, "the file (still growing)"))
    return data


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _walk(root: Path) -> Iterator[Path]:
    """``annotations/*.json`` and ``*.zip`` anywhere below ``root``."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        in_annotations = Path(folder).name == "annotations"
        for name in files:
            if (in_annotations and name.endswith(".json")) or name.lower().endswith(".zip"):
                yield Path(folder) / name


def _archive_sources(path: Path) -> list[Source]:
    """The annotation files of every dataset inside an archive (an archive may hold a top folder);
    a refused archive is one source, named after the archive, that reads as the refusal."""
    limits = run_limits.current()
    try:
        opened = archives.open_archive(path, limits)
    except archives.ArchiveError as exc:
        raise SourceError(f"cannot open archive {path}: {exc}") from exc
    display = _display(path)
    if opened.zip is None or opened.refusal is not None:
        refusal = Refused(f"archive refused: {opened.refusal}; nothing in it was read")
        reader = functools.partial(_constant, refusal)
        return [Source(display, path.stem, Dataset(display), reader, path)]
    archive = opened.zip
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
        reader = functools.partial(_read_member, path, info, limits)
        sources.append(
            Source(f"{display}/{info.filename}", match.group(2), dataset, reader, path, info.filename)
        )
    return sorted(sources, key=lambda source: source.name)


def _read_member(path: Path, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    refusal = archives.member_refusal(info, limits)
    if refusal is not None:
        return Refused(f"archive member refused: {refusal}; it was not read")
    try:
        return archives.read_member(path, info, limits.max_file_size)
    except archives.MemberError as exc:
        return Refused(f"archive member refused: {exc}")


def _constant(value: bytes) -> bytes:
    return value


def _display(path: Path) -> str:
    """The path relative to the working directory when it lies below it, as given otherwise; control
    characters escaped (``\\x0a``), so that a file name cannot forge lines of the report."""
    try:
        shown = str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = str(path)
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", shown)
