"""Request bodies spooled to a temporary folder, within the size limit, and removed afterwards.

A body is never held whole in memory: it is streamed to disk in chunks, after the declared
``Content-Length`` was checked; past the limit the upload stops with 413 (for an annotation file,
the limit is also ``limits.max-file-size``: the body is the file). A body that does not arrive
within its time gets 408, and its folder is removed at once. What the body is comes from its
``Content-Type``: an annotation file (JSON) or a dataset archive (zip).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import anyio
import anyio.to_thread
from starlette.requests import ClientDisconnect, Request

from dlint.server.problems import Problem

JSON_TYPES = frozenset({"application/json", "text/json"})
ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed", "application/x-zip"})
#: How much of a body is gathered in memory before it is written out.
SPOOL_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DEFAULT_STEMS = {"json": "default", "zip": "upload"}


@dataclass(frozen=True)
class Upload:
    """A spooled body: its file, its kind (``json`` or ``zip``), and the folder that holds it."""

    path: Path
    kind: str
    folder: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def kind_of(content_type: str | None) -> str:
    """``json`` or ``zip`` from a ``Content-Type`` header; 415 for anything else."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in JSON_TYPES or media.endswith("+json"):
        return "json"
    if media in ZIP_TYPES:
        return "zip"
    accepted = "application/json (an annotation file) or application/zip (a dataset archive)"
    raise Problem(415, "unsupported-media-type", f"send {accepted}, not {media or 'no Content-Type'}")


def file_name(filename: str | None, kind: str) -> str:
    """A safe file name for the upload (it names the files in diagnostics, and the subset of an
    annotation file is its stem): the last part of ``filename``, reduced to safe characters."""
    last = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = last[: -len(kind) - 1] if last.lower().endswith(f".{kind}") else last
    stem = _UNSAFE.sub("_", stem).strip("._")[:100]
    return f"{stem or _DEFAULT_STEMS[kind]}.{kind}"


@dataclass(frozen=True)
class BodyLimits:
    """The largest body (``size``), the largest annotation file (``file_size``, from the engine's
    limits), and the seconds a body may take to arrive (``seconds``)."""

    size: int
    file_size: int
    seconds: float

    def of(self, kind: str) -> tuple[int, str]:
        """The size limit of a body of this kind, and its name."""
        if kind == "json" and self.file_size < self.size:
            return self.file_size, "limits.max-file-size"
        return self.size, "the body size limit"


def too_large(limit: int, what: str = "the body size limit") -> Problem:
    return Problem(
        413,
        "body-too-large",
        f"the request body is larger than {what} of {limit} bytes",
        extra={"limit": limit},
        headers={"Connection": "close"},
    )


def too_slow(seconds: float) -> Problem:
    return Problem(
        408,
        "body-timeout",
        f"the request body did not arrive within {seconds:g} s",
        extra={"timeout": seconds},
        headers={"Connection": "close"},
    )


@contextlib.asynccontextmanager
async def received(
    request: Request, limits: BodyLimits, filename: str | None = None
) -> AsyncIterator[Upload]:
    """Spool the body of ``request`` to a temporary folder; remove the folder when done."""
    kind = kind_of(request.headers.get("content-type"))
    limit, what = limits.of(kind)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit, what)
    folder = Path(tempfile.mkdtemp(prefix="dlint-upload-"))
    try:
        upload = Upload(folder / file_name(filename, kind), kind, folder)
        with upload.path.open("wb") as handle:
            try:
                with anyio.fail_after(limits.seconds):
                    await _spool(request, handle, limit, what)
            except TimeoutError as exc:
                raise too_slow(limits.seconds) from exc
        yield upload
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _spool(request: Request, handle: IO[bytes], limit: int, what: str) -> None:
    size = 0
    buffer = bytearray()
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large(limit, what)
            buffer += chunk
            if len(buffer) >= SPOOL_CHUNK:
                await anyio.to_thread.run_sync(handle.write, buffer)
                buffer.clear()
    except ClientDisconnect as exc:
        raise Problem(400, "client-disconnected", "the client went away before the body ended") from exc
    if buffer:
        await anyio.to_thread.run_sync(handle.write, buffer)
