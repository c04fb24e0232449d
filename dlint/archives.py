"""Zip archives read in place, defensively: nothing is extracted, memory stays bounded.

Before an archive's directory is parsed, its end record says how many members it has and how large
the directory is: too many, and the archive is refused unread. Then the directory is checked as a
whole; an archive is refused when a member's name escapes it (``..``, an absolute path, a drive
letter), when a member is a symbolic link, when two members share a name, when members overlap or a
member inflates more than the configured ratio (zip bombs). Annotation members are read with a
decompressor whose output is capped at the member's declared size (and the file-size limit), and
checked against their CRC; a member that is encrypted, corrupt, or compressed with a method other
than stored, deflate or bzip2 is refused on its own.
"""

from __future__ import annotations

import bz2
import itertools
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from dlint.limits import RATIO_FLOOR, Limits, describe_size

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
_LOCAL = b"PK\x03\x04"
_DRIVE = re.compile(r"^[A-Za-z]:")
#: Methods whose members dlint decompresses itself, output capped (zipfile's bzip2 reader is not).
READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2})
#: Methods whose members zipfile itself reads in bounded pieces (media headers, archive rewrites).
STREAMABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_CHUNK = 1024 * 1024
#: Bytes of central directory allowed per member the limit admits (names are rarely that long).
_DIRECTORY_PER_MEMBER = 512


class ArchiveError(Exception):
    """The file cannot be opened as a zip archive at all."""


class MemberError(Exception):
    """A member cannot be read faithfully (encrypted, corrupt, larger than its declared size...)."""


class _Decompressor(Protocol):
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


@dataclass
class Archive:
    """An opened archive and, when it is refused as a whole, why."""

    zip: zipfile.ZipFile | None
    refusal: str | None = None


def open_archive(path: Path, limits: Limits) -> Archive:
    """Open an archive after checking its end record, then check its directory as a whole."""
    try:
        count, directory = end_record(path)
    except OSError as exc:
        raise ArchiveError(exc.strerror or str(exc)) from exc
    if count is not None and count > limits.max_archive_members:
        limit = f"limits.max-archive-members = {limits.max_archive_members:,}"
        return Archive(None, f"it has {count:,} members, more than {limit}")
    if directory is not None and directory > _DIRECTORY_PER_MEMBER * max(limits.max_archive_members, 1):
        limit = f"limits.max-archive-members = {limits.max_archive_members:,}"
        return Archive(None, f"its directory takes {describe_size(directory)}, too much for {limit}")
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError, struct.error, NotImplementedError) as exc:
        raise ArchiveError(str(exc) or type(exc).__name__) from exc
    problems = unsafe_members(archive.infolist(), limits)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Archive(archive, problems[0] + more)
    return Archive(archive)


def end_record(path: Path) -> tuple[int | None, int | None]:
    """(members, directory size) as the archive's end record states them, without reading the
    directory; (None, None) when there is no end record (zipfile then says what is wrong)."""
    with open(path, "rb") as stream:
        stream.seek(0, 2)
        size = stream.tell()
        tail_size = min(size, 22 + 0xFFFF)
        stream.seek(size - tail_size)
        tail = stream.read(tail_size)
        at = tail.rfind(_END)
        if at < 0 or len(tail) < at + 22:
            return None, None
        _, _, _, _, count, directory, offset, _ = struct.unpack("<4s4H2LH", tail[at : at + 22])
        locator = tail[at - 20 : at] if at >= 20 else b""
        if (count == 0xFFFF or directory == 0xFFFFFFFF or offset == 0xFFFFFFFF) and locator.startswith(
            _END64_LOCATOR
        ):
            _, _, record, _ = struct.unpack("<4sLQL", locator)
            stream.seek(record)
            end64 = stream.read(56)
            if len(end64) == 56 and end64.startswith(_END64):
                fields = struct.unpack("<4sQ2H2L4Q", end64)
                count, directory = fields[7], fields[8]
        return count, directory


def unsafe_members(infos: list[zipfile.ZipInfo], limits: Limits) -> list[str]:
    """Why the archive as a whole is unsafe to hand to any tool that extracts it (empty: it is not)."""
    problems = []
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        shown = repr(name if len(name) <= 80 else name[:79] + "…")
        reason = unsafe_name(info.orig_filename)
        if reason:
            problems.append(f"member {shown} {reason}")
        if is_symlink(info):
            problems.append(f"member {shown} is a symbolic link")
        if name in seen:
            problems.append(f"two members are named {shown}")
        seen.add(name)
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_expansion_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            problems.append(
                f"member {shown} inflates {ratio:,.0f} times ({describe_size(info.compress_size)} to "
                f"{describe_size(info.file_size)}), more than limits.max-expansion-ratio = "
                f"{limits.max_expansion_ratio:g} (a zip bomb?)"
            )
    ordered = sorted(infos, key=lambda info: info.header_offset)
    for before, after in itertools.pairwise(ordered):
        if before.header_offset + 30 + before.compress_size > after.header_offset:
            problems.append(
                f"members {before.filename!r} and {after.filename!r} overlap (a zip bomb construction)"
            )
            break
    return problems


def unsafe_name(name: str) -> str | None:
    """Why a member name would escape the folder an archive is extracted to (None: it would not)."""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        return "has a control character in its name"
    if name.startswith(("/", "\\")):
        return "has an absolute path"
    if _DRIVE.match(name):
        return "names a drive"
    if ".." in re.split(r"[/\\]", name):
        return "escapes the archive with '..'"
    return None


def is_symlink(info: zipfile.ZipInfo) -> bool:
    """Whether a member is stored as a symbolic link (Unix mode bits in its external attributes)."""
    return stat.S_ISLNK(info.external_attr >> 16)


def member_refusal(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    """Why an annotation member is not read (None: it is)."""
    if info.flag_bits & 0x1:
        return "it is encrypted"
    if info.compress_type not in READABLE_METHODS:
        return f"it is compressed with method {info.compress_type}, which dlint does not read"
    if info.file_size > limits.max_file_size:
        return (
            f"it is {describe_size(info.file_size)} uncompressed, larger than the "
            f"{describe_size(limits.max_file_size)} limit (limits.max-file-size)"
        )
    return None


def read_member(path: Path, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, decompressed with the output capped at its declared size (and ``limit``)
    and checked against its CRC. Raises :class:`MemberError`."""
    cap = min(info.file_size, limit)
    try:
        with open(path, "rb") as stream:
            stream.seek(info.header_offset)
            header = stream.read(30)
            if len(header) < 30 or not header.startswith(_LOCAL):
                raise MemberError("its local header is missing or corrupt")
            name_length, extra_length = struct.unpack("<2H", header[26:30])
            encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
            if stream.read(name_length) != info.orig_filename.encode(encoding):
                raise MemberError("its local header names another file (the archive is corrupt)")
            stream.seek(extra_length, 1)
            data = _inflate(stream, info, cap)
    except (OSError, zlib.error, EOFError, ValueError) as exc:
        raise MemberError(f"its data is corrupt ({exc})") from exc
    if len(data) != info.file_size:
        raise MemberError(
            f"it holds {describe_size(len(data))}, not the {describe_size(info.file_size)} "
            "its header declares"
        )
    if zlib.crc32(data) != info.CRC:
        raise MemberError("its checksum does not match (the archive is corrupt)")
    return data


def _inflate(stream: IO[bytes], info: zipfile.ZipInfo, cap: int) -> bytes:
    left = info.compress_size
    out = bytearray()
    decompressor: _Decompressor | None = None
    if info.compress_type == zipfile.ZIP_DEFLATED:
        decompressor = zlib.decompressobj(-15)
    elif info.compress_type == zipfile.ZIP_BZIP2:
        decompressor = bz2.BZ2Decompressor()
    while left > 0:
        chunk = stream.read(min(_CHUNK, left))
        if not chunk:
            raise MemberError("its data is cut short (the archive is truncated)")
        left -= len(chunk)
        if decompressor is None:
            out += chunk
        else:
            _feed(decompressor, chunk, out, cap)
        if len(out) > cap:
            raise MemberError(
                f"it inflates beyond {describe_size(cap)} (its declared size or the file-size limit)"
            )
    return bytes(out)


def _feed(decompressor: _Decompressor, chunk: bytes, out: bytearray, cap: int) -> None:
    """Decompress one chunk, never producing more than the cap allows (plus one byte, to tell)."""
    data = chunk
    while True:
        room = cap + 1 - len(out)
        if room <= 0:
            return
        piece = decompressor.decompress(data, room)
        out += piece
        if isinstance(decompressor, bz2.BZ2Decompressor):
            if decompressor.needs_input or decompressor.eof:
                return
            data = b""
        else:
            data = decompressor.unconsumed_tail  # type: ignore[attr-defined]
            if not data and len(piece) < room:
                return
