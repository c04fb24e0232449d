"""The staged version of annotation files: what ``git commit`` would record, read from git's index.

``dlint check --staged`` lints these under their real paths, so the repository's configuration
(``[tool.dlint]``, per-file ignores) applies as it does to the working tree, and media checks look
at the working tree's media folders. A dataset's other subset files, for the comparison of subsets,
are read from the index too.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from dlint import limits as run_limits
from dlint.media import FolderMedia
from dlint.parsecheck import Refused, too_large
from dlint.sources import Dataset, Source, SourceError, display_name

_ANNOTATION = re.compile(r"(?:.*/)?annotations/[^/]+\.json")
#: Index modes: a symbolic link's blob is its target's name, a submodule's is no blob at all.
_LINK, _REGULAR = "120000", ("100644", "100755")


def staged_sources(paths: Sequence[str]) -> list[Source]:
    """The annotation files added, copied, modified or renamed in git's index, below ``paths`` (all
    of the repository's when none), in the order a folder walk finds them."""
    top = Path(_git(Path.cwd(), "rev-parse", "--show-toplevel").decode().strip())
    names = _git(top, "diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z").split(b"\0")
    wanted = [os.path.realpath(path) for path in paths]
    chosen = [
        name
        for name in (raw.decode("utf-8", "surrogateescape") for raw in names if raw)
        if _ANNOTATION.fullmatch(name) and _below(str(top / name), wanted)
    ]
    entries = _entries(top, chosen)
    datasets: dict[str, Dataset] = {}
    sources = []
    for name in sorted(chosen, key=lambda name: name.split("/")):
        root = name.rsplit("/annotations/", 1)[0] if "/annotations/" in name else ""
        dataset = datasets.get(root)
        if dataset is None:
            folder = top / root
            dataset = datasets[root] = Dataset(display_name(folder), FolderMedia(folder), folder)
            dataset.subsets = functools.partial(_subsets, dataset, top, root)
        if name in entries:
            sources.append(_source(top, name, entries[name], dataset))
    return sources


def _below(path: str, wanted: list[str]) -> bool:
    return not wanted or any(
        path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in wanted
    )


def _subsets(dataset: Dataset, top: Path, root: str) -> list[Source]:
    """A dataset's subset files as the index holds them."""
    folder = f"{root}/annotations/" if root else "annotations/"
    entries = _entries(top, [folder])
    names = sorted(name for name in entries if name.startswith(folder) and _ANNOTATION.fullmatch(name))
    return [_source(top, name, entries[name], dataset) for name in names if "/" not in name[len(folder) :]]


def _source(top: Path, name: str, entry: tuple[str, str], dataset: Dataset) -> Source:
    path = top / name
    reader = functools.partial(_blob, top, *entry, run_limits.current().max_file_size)
    return Source(display_name(path), path.stem, dataset, reader, path, staged=True)


def _entries(top: Path, pathspecs: list[str]) -> dict[str, tuple[str, str]]:
    """Index entries (mode, object id) by path, for the paths or folders given."""
    if not pathspecs:
        return {}
    listed = _git(top, "ls-files", "--stage", "-z", "--", *pathspecs).split(b"\0")
    found = {}
    for line in listed:
        if not line:
            continue
        info, name = line.decode("utf-8", "surrogateescape").split("\t", 1)
        mode, objectid, stage = info.split()
        if stage == "0":
            found[name] = (mode, objectid)
    return found


def _blob(top: Path, mode: str, objectid: str, limit: int) -> bytes:
    """A staged file's bytes, or a :class:`Refused` value (a link, something not a file, too large)."""
    if mode == _LINK:
        return Refused("it is staged as a symbolic link; it was not read")
    if mode not in _REGULAR:
        return Refused(f"it is staged as something other than a file (mode {mode}); it was not read")
    try:
        size = int(_git(top, "cat-file", "-s", objectid))
        if size > limit:
            return Refused(too_large(size, limit))
        return _git(top, "cat-file", "blob", objectid)
    except SourceError as exc:
        return Refused(f"its staged version cannot be read ({exc}); it was not read")


def _git(where: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=where, capture_output=True, check=False)
    except OSError as exc:
        raise SourceError(f"--staged needs git: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"--staged needs a git repository: {said[-1] if said else 'git failed'}")
    return done.stdout
