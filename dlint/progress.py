"""A progress bar on stderr for long runs: shown only on a terminal and only when the work is large.

The bar is transient (it disappears when the run ends) and never touches stdout, where the report goes.
"""

from __future__ import annotations

import functools
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from dlint.api import Tracker
from dlint.sources import Source

#: A run is large from this many bytes of annotation files...
LARGE_BYTES = 50 * 1024 * 1024
#: ...or from this many files.
LARGE_FILES = 20


def tracker(stream: TextIO, enabled: bool = True) -> Tracker:
    """A tracker that shows a bar on ``stream`` when it is a terminal and the work is large."""

    def track(sources: Sequence[Source]) -> Iterable[Source]:
        if not enabled or not _is_terminal(stream):
            return sources
        sizes = [source_size(source) for source in sources]
        if not is_large(sizes):
            return sources
        return _with_bar(sources, sizes, stream)

    return track


def is_large(sizes: Sequence[int]) -> bool:
    """Whether files of these sizes are worth a progress bar."""
    return len(sizes) > LARGE_FILES or sum(sizes) > LARGE_BYTES


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _with_bar(sources: Sequence[Source], sizes: Sequence[int], stream: TextIO) -> Iterator[Source]:
    from rich.console import Console  # imported here: most runs never show a bar
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[name]}"),
    )
    console = Console(file=stream, stderr=True)
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("dlint", total=sum(sizes), name="")
        for source, size in zip(sources, sizes, strict=True):
            bar.update(task, name=source.name)
            yield source
            bar.advance(task, size)


def source_size(source: Source) -> int:
    """The size in bytes of an annotation file, or of an archive member (0 when unknown)."""
    try:
        return os.path.getsize(source.name)
    except OSError:
        pass
    path = Path(source.name)
    for archive in path.parents:
        if archive.suffix.lower() == ".zip" and archive.is_file():
            return _member_sizes(str(archive)).get(path.relative_to(archive).as_posix(), 0)
    return 0


@functools.lru_cache(maxsize=16)
def _member_sizes(archive: str) -> dict[str, int]:
    try:
        with zipfile.ZipFile(archive) as opened:
            return {info.filename: info.file_size for info in opened.infolist()}
    except (OSError, zipfile.BadZipFile):
        return {}
