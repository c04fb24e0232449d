"""Find the annotation files to lint in the paths a user gives."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Folders never searched when walking a directory.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".dlint_cache"}
)


class SourceError(Exception):
    """A path cannot be linted (it does not exist or cannot be read)."""


@dataclass(frozen=True)
class Source:
    """One annotation file: the name diagnostics use, its subset, and where to read it."""

    name: str
    subset: str
    path: Path

    def read(self) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read {self.name}: {exc.strerror or exc}") from exc


def discover(paths: Iterable[str]) -> list[Source]:
    """Annotation files named directly, and every ``annotations/*.json`` below directories.

    Files keep the order of the arguments; files found in a directory are sorted. A file named twice
    is linted once.
    """
    found: dict[Path, Source] = {}
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            candidates: Iterable[Path] = sorted(_dataset_files(path))
        elif path.is_file():
            candidates = [path]
        else:
            raise SourceError(f"no such file or directory: {arg}")
        for candidate in candidates:
            key = candidate.resolve()
            if key not in found:
                found[key] = Source(_display(candidate), candidate.stem, candidate)
    return list(found.values())


def _dataset_files(root: Path) -> Iterator[Path]:
    """``annotations/*.json`` anywhere below ``root`` (``root`` itself may be the ``annotations`` folder)."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        if Path(folder).name == "annotations":
            yield from (Path(folder) / f for f in files if f.endswith(".json"))


def _display(path: Path) -> str:
    """The path relative to the working directory when it lies below it, as given otherwise."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
