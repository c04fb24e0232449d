"""Find the annotation files to lint in the paths a user gives: files, dataset folders, zip archives.

Every annotation file belongs to a :class:`Dataset` (the folder or archive folder holding its
``annotations/``), which carries the media checks need and lets the subset files of one dataset be
compared with each other. Archives are read in place, never extracted to disk; their members are named
``archive.zip/annotations/default.json``.

Reading is bounded and contained (see :mod:`dlint.limits`): a file larger than the limit is not read,
an annotation file reached through a symbolic link that leads out of its dataset's root folder (or
to nothing, or round in a loop) or that is not a regular file (a pipe, a socket, a device) is not
opened, and archives are checked before anything in them is read (see :mod:`dlint.archives`). What
is not read, or fails to read, reads as a :class:`~dlint.parsecheck.Refused` value: the reason,
reported as a diagnostic of its own, and every other file is still checked.
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
    """A path named by the user cannot be linted (it does not exist, or an archive cannot be opened)."""


@dataclass(eq=False)
class Dataset:
    """A dataset root: a folder, or a folder inside an archive, that holds ``annotations/``."""

    name: str
    media: MediaStore | None = field(default=None, repr=False)
    #: The dataset folder on disk (None for archives and lone files): nothing outside it is read.
    root: Path | None = None
    #: Every subset file of the dataset, in the order a run over the whole dataset reads them, whether
    #: named or not: the first one that is a dataset file is what the others are compared with, so a
    #: file's diagnostics do not depend on which other files a run was given. None for archives (all
    #: of whose files are always read) and lone files.
    subsets: Callable[[], list[Source]] | None = field(default=None, repr=False)


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
    #: Whether the bytes are the staged version (git's index), not those of the file at ``path``.
    staged: bool = False
    #: How to read only the first bytes (a file on disk; others are read whole).
    head: Callable[..., bytes] | None = field(default=None, repr=False, compare=False)

    def read(self) -> bytes:
        """The bytes, or a :class:`Refused` value saying why there are none: a file that cannot be
        read (removed meanwhile, an input/output error...) is a diagnostic, never the end of a run."""
        return _guarded(self.reader)

    def read_head(self, size: int) -> bytes:
        """At least the first ``size`` bytes, read and refused as :meth:`read` reads and refuses
        (all of them where only that can be done: an archive's member, a staged version)."""
        head = self.head
        return _guarded(self.reader if head is None else lambda: head(upto=size))


def _guarded(reader: Callable[[], bytes]) -> bytes:
    try:
        return reader()
    except (OSError, zipfile.BadZipFile, RuntimeError) as exc:
        return Refused(f"it cannot be read ({getattr(exc, 'strerror', None) or exc}); it was not read")


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
                _add(candidate, found, datasets, path)
        elif path.is_file():
            _add(path, found, datasets)
        elif os.path.lexists(path):  # a pipe, a socket, a device, a link to nothing or in a loop:
            _add_file(path, found, datasets)  # a refusal of its own, never opened as an archive
        else:
            raise SourceError(f"no such file or directory: {arg}")
    return list(found.values())


def _add(
    path: Path, found: dict[str, Source], datasets: dict[Path, Dataset], searched: Path | None = None
) -> None:
    if path.suffix.lower() == ".zip" and path.is_file():
        refusal = link_refusal(path, searched, "the folder searched") if searched is not None else None
        if refusal is not None and searched is not None:  # found in a folder: read only inside it
            display = display_name(path)
            reader = functools.partial(_constant, Refused(f"{refusal}; it was not read"))
            # where it lives: the folder searched, which finds it again (in a worker process) as it is
            source = Source(display, path.stem, Dataset(display), reader, searched)
            found.setdefault(display, source)
            return
        for source in _archive_sources(path):
            found.setdefault(source.name, source)
        return
    _add_file(path, found, datasets)


def _add_file(path: Path, found: dict[str, Source], datasets: dict[Path, Dataset]) -> None:
    key = str(_located(path))
    if key in found:
        return
    if path.parent.name == "annotations":  # a subset file: its dataset is the folder above
        root = path.parent.parent
        dataset = datasets.get(root.resolve())
        if dataset is None:
            dataset = datasets[root.resolve()] = Dataset(display_name(root), FolderMedia(root), root)
            dataset.subsets = functools.partial(_folder_subsets, dataset, root)
    else:  # a lone annotation file is a dataset of its own, without media
        dataset = Dataset(display_name(path))
    found[key] = _file_source(path, dataset)


def _file_source(path: Path, dataset: Dataset) -> Source:
    reader = functools.partial(read_file, path, run_limits.current().max_file_size, dataset.root)
    return Source(display_name(path), path.stem, dataset, reader, path, head=reader)


def _folder_subsets(dataset: Dataset, root: Path) -> list[Source]:
    """The subset files of a dataset folder (``annotations/*.json``), sorted as a folder walk finds them."""
    try:
        names = sorted(entry.name for entry in os.scandir(root / "annotations") if not entry.is_dir())
    except OSError:
        return []
    return [_file_source(root / "annotations" / name, dataset) for name in names if name.endswith(".json")]


def read_file(path: Path, limit: int, dataset: Path | None = None, *, upto: int | None = None) -> bytes:
    """A file's bytes (its first ``upto`` only, when given), or a :class:`Refused` value when it is
    larger than ``limit``, not a regular file, a symbolic link to nothing or in a loop, or (in a
    ``dataset`` folder) reached through a symbolic link that leads out of the dataset's root folder
    (a link planted to read, or by ``fix`` write, another file). A file given alone, outside any
    dataset, is read where its links lead: it is the file the user named. Raises OSError."""
    real = _contained(path, dataset, "its dataset")
    if isinstance(real, str):
        return Refused(f"{real}; it was not read")
    if not stat.S_ISREG(os.stat(real).st_mode):
        return Refused("it is not a regular file (a pipe, a socket, a device...); it was not read")
    # the path checked, no link left in it (a link put in its place meanwhile is not followed); a
    # pipe put there must not block
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(real, flags)
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):  # replaced since it was looked at
            return Refused("it is not a regular file (a pipe, a socket, a device...); it was not read")
        if info.st_size > limit:
            return Refused(too_large(info.st_size, limit))
        if upto is not None and upto < info.st_size:
            return stream.read(upto)
        data = stream.read(info.st_size + 1)
        if len(data) > info.st_size:  # it grows while it is read
            rest = stream.read(limit + 1 - len(data))
            data += rest
            if len(data) > limit:
                return Refused(too_large(len(data), limit, "the file (still growing)"))
    return data


def link_refusal(path: Path, root: Path | None, owner: str) -> str | None:
    """Why a path must not be followed: a symbolic link (the path's own, or a folder's on the way)
    to nothing, in a loop, or, when ``root`` is given, out of ``root`` (``owner`` names it in the
    message). None when the path may be read."""
    found = _contained(path, root, owner)
    return found if isinstance(found, str) else None


def _contained(path: Path, root: Path | None, owner: str) -> Path | str:
    """The path with every link resolved, or why it must not be followed (see :func:`link_refusal`)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a loop of links
        return "it is a symbolic link that leads to itself (a loop of links)"
    if root is not None and not _inside(real, root):
        return f"it is a symbolic link leading out of {owner}"
    if not os.path.lexists(real):
        if os.path.islink(path):
            return "it is a symbolic link to a file that does not exist"
        return "it no longer exists (removed while the run went on)"
    return real


def written_through_link(path: Path, root: Path | None) -> str | None:
    """The first symbolic link a write to ``path`` would go through: the file itself, or a folder
    between ``root`` (the dataset folder, itself excluded) and the file; None when there is none."""
    if path.is_symlink():
        return "it is a symbolic link"
    if root is None:
        return None
    try:
        below = path.absolute().relative_to(root.absolute())
    except ValueError:
        return None
    step = root
    for part in below.parts[:-1]:
        step = step / part
        if step.is_symlink():
            return f"{step.relative_to(root).as_posix()} is a symbolic link"
    return None


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
    display = display_name(path)
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


def _located(path: Path) -> Path:
    """The absolute path, its folders' links resolved but not the file's own (a link is named as
    itself, never after its target)."""
    try:
        return path.absolute().parent.resolve() / path.name
    except (OSError, RuntimeError):  # a loop of links among the folders
        return path.absolute()


def display_name(path: Path) -> str:
    """The path relative to the working directory when it lies below it, as given otherwise; control
    characters escaped (``\\x0a``), so that a file name cannot forge lines of the report."""
    try:
        shown = str(_located(path).relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = str(path)
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", shown)
