"""Hostile and broken zip archives: refused with a one-line diagnostic (or, for a file that is no
archive at all, a one-line error), nothing extracted to disk, nothing written, memory bounded."""

from __future__ import annotations

import bz2
import io
import stat
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from dlint import archives
from dlint.limits import Limits
from tests.hardening.conftest import (
    CVAT_DOCS,
    EXPORT,
    assert_clean_exit,
    dlint,
    patch_member,
    rename_member,
    snapshot,
    zip_bytes,
)

GOOD = CVAT_DOCS.read_bytes()
ANNOTATIONS = "annotations/default.json"


def _symlink(name: str, target: bytes) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def _zeros_deflated(size: int) -> bytes:
    """``size`` zero bytes, raw-deflated, compressed piece by piece (quick and small)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + compressor.flush()


def _lying_bomb(real_size: int, declared: int, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An archive whose annotation member declares ``declared`` bytes but inflates to ``real_size``."""
    small = zip_bytes([(ANNOTATIONS, b"{}")], method)
    if method == zipfile.ZIP_DEFLATED:
        payload = _zeros_deflated(real_size)
    else:
        payload = bz2.compress(bytes(real_size), 9)
    # rebuild the archive with the big payload in place of the member's data
    header_end = 30 + len(ANNOTATIONS)
    old_size = struct.unpack("<L", small[18:22])[0]
    local = bytearray(small[:header_end])
    local[18:22] = struct.pack("<L", len(payload))
    rest = small[header_end + old_size :]
    central = bytearray(rest)
    at = central.find(b"PK\x01\x02")
    central[at + 20 : at + 24] = struct.pack("<L", len(payload))
    end = central.find(b"PK\x05\x06")
    central[end + 16 : end + 20] = struct.pack("<L", header_end + len(payload))
    blob = bytes(local) + payload + bytes(central)
    return patch_member(blob, ANNOTATIONS, size=declared, crc=zlib.crc32(bytes(declared)))


def _encrypted() -> bytes:
    blob = zip_bytes([(ANNOTATIONS, GOOD)], zipfile.ZIP_STORED)
    return patch_member(blob, ANNOTATIONS, flags=0x1)


HOSTILE: dict[str, tuple[bytes, str]] = {
    "member escaping with ..": (
        zip_bytes([(ANNOTATIONS, GOOD), ("../../home/user/.bashrc", b"echo pwned")]),
        "member '../../home/user/.bashrc' escapes the archive with '..'",
    ),
    "member escaping with backslashes": (
        zip_bytes([(ANNOTATIONS, GOOD), ("images\\..\\..\\evil.json", b"{}")]),
        "escapes the archive",
    ),
    "absolute member": (zip_bytes([(ANNOTATIONS, GOOD), ("/etc/cron.d/x", b"* * * * *")]), "absolute path"),
    "drive letter": (zip_bytes([(ANNOTATIONS, GOOD), ("C:/Windows/evil.dll", b"MZ")]), "names a drive"),
    "symbolic link": (
        zip_bytes([(ANNOTATIONS, GOOD), _symlink("images/a.jpg", b"/etc/shadow")]),
        "member 'images/a.jpg' is a symbolic link",
    ),
    "symbolic link as the annotation file": (
        zip_bytes([_symlink(ANNOTATIONS, b"/etc/passwd")]),
        "is a symbolic link",
    ),
    "two members of one name": (
        rename_member(
            zip_bytes([(ANNOTATIONS, GOOD), ("annotations/defaulx.json", b"{}")]), "defaulx", "default"
        ),
        "two members are named 'annotations/default.json'",
    ),
    "control character in a name": (
        zip_bytes([(ANNOTATIONS, GOOD), ("images/a\nDL000 all clear.jpg", b"")]),
        "has a control character in its name",
    ),
    "zip bomb by ratio": (
        zip_bytes([(ANNOTATIONS, b"{}" + b" " * (64 << 20))]),
        "inflates 1,0",
    ),
    "zip bomb among the images": (
        zip_bytes([(ANNOTATIONS, GOOD), ("images/a.png", bytes(64 << 20))]),
        "member 'images/a.png' inflates",
    ),
}
MEMBERS: dict[str, tuple[bytes, str]] = {
    "lying size, deflate": (_lying_bomb(256 << 20, 1024), "it inflates beyond 1 KiB"),
    "lying size, bzip2": (_lying_bomb(64 << 20, 1024, zipfile.ZIP_BZIP2), "it inflates beyond 1 KiB"),
    "encrypted member": (_encrypted(), "it is encrypted"),
    "bad checksum": (patch_member(zip_bytes([(ANNOTATIONS, GOOD)]), ANNOTATIONS, crc=1234), "checksum"),
    "corrupt deflate stream": (
        zip_bytes([(ANNOTATIONS, GOOD)])[:60] + b"\xff" * 16 + zip_bytes([(ANNOTATIONS, GOOD)])[76:],
        "its data is corrupt",
    ),
    "unknown compression method": (
        patch_member(zip_bytes([(ANNOTATIONS, GOOD)], zipfile.ZIP_STORED), ANNOTATIONS, method=99),
        "compressed with method 99",
    ),
    "local header naming another file": (
        zip_bytes([(ANNOTATIONS, GOOD)]).replace(b"default", b"defaulx", 1),
        "its local header names another file",
    ),
    "shorter than declared": (
        patch_member(zip_bytes([(ANNOTATIONS, GOOD)], zipfile.ZIP_STORED), ANNOTATIONS, size=len(GOOD) + 10),
        "not the",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_unsafe_archive_is_refused_whole(tmp_path: Path, name: str) -> None:
    data, message = HOSTILE[name]
    upload = tmp_path / "uploads" / "upload.zip"
    upload.parent.mkdir()
    upload.write_bytes(data)
    before = snapshot(tmp_path)
    run = dlint("check", str(upload), "--output-format", "json", cwd=tmp_path)
    assert_clean_exit(run, 1)
    [diagnostic] = run.json()
    assert diagnostic["code"] == "DL006" and diagnostic["file"] == "uploads/upload.zip"
    assert diagnostic["message"].startswith("archive refused: ") and message in diagnostic["message"]
    assert diagnostic["message"].endswith("; nothing in it was read") and "\n" not in diagnostic["message"]
    fixed = dlint("fix", str(upload), cwd=tmp_path)
    assert_clean_exit(fixed, 1)
    assert snapshot(tmp_path) == before  # nothing extracted, nothing written, the archive untouched


@pytest.mark.parametrize("name", sorted(MEMBERS))
def test_unreadable_member_is_refused_alone(tmp_path: Path, name: str) -> None:
    data, message = MEMBERS[name]
    upload = tmp_path / "upload.zip"
    upload.write_bytes(data)
    before = snapshot(tmp_path)
    run = dlint("check", str(upload), "--output-format", "json", cwd=tmp_path)
    assert_clean_exit(run, 1)
    [diagnostic] = run.json()
    assert (diagnostic["code"], diagnostic["file"]) == ("DL006", f"upload.zip/{ANNOTATIONS}")
    assert diagnostic["message"].startswith("archive member refused: ") and message in diagnostic["message"]
    assert_clean_exit(dlint("fix", str(upload), cwd=tmp_path), 1)
    assert snapshot(tmp_path) == before


def test_other_members_of_an_archive_are_still_checked(tmp_path: Path) -> None:
    data = zip_bytes([("a/" + ANNOTATIONS, GOOD), ("b/" + ANNOTATIONS, GOOD)])
    upload = tmp_path / "two.zip"
    upload.write_bytes(patch_member(data, "b/" + ANNOTATIONS, crc=1))
    run = dlint("check", str(upload), "--output-format", "concise", cwd=tmp_path)
    assert_clean_exit(run, 1)
    assert "two.zip/a/annotations/default.json:48:11: DL302 " in run.out
    assert "two.zip/b/annotations/default.json:1:1: DL006 archive member refused: its checksum" in run.out


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("not a zip", b"PK\x03\x04 this is not really a zip"),
        ("empty", b""),
        ("truncated", zip_bytes([(ANNOTATIONS, GOOD)])[:200]),
        ("end record only", zip_bytes([(ANNOTATIONS, GOOD)])[-22:]),
    ],
)
def test_a_file_that_is_no_archive_is_a_one_line_error(tmp_path: Path, name: str, data: bytes) -> None:
    upload = tmp_path / "upload.zip"
    upload.write_bytes(data)
    run = dlint("check", str(upload), cwd=tmp_path)
    assert_clean_exit(run, 2)
    assert run.err.startswith("dlint: error: cannot open archive") and run.err.count("\n") == 1


def test_too_many_members_are_refused_before_the_directory_is_read(tmp_path: Path) -> None:
    members = [(ANNOTATIONS, GOOD)] + [(f"images/{i}.jpg", b"") for i in range(50)]
    upload = tmp_path / "many.zip"
    upload.write_bytes(zip_bytes(members))
    assert archives.end_record(upload)[0] == 51
    run = dlint("check", str(upload), "--config", "limits.max-archive-members = 50", cwd=tmp_path)
    assert_clean_exit(run, 1)
    assert "DL006 archive refused: it has 51 members, more than limits.max-archive-members = 50" in run.out
    assert_clean_exit(dlint("check", str(upload), cwd=tmp_path), 1)  # DL302 only


def test_a_zip64_end_record_is_read(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(70_000):  # more than 65,535 members: counted in the zip64 end record
            archive.writestr(f"images/{i}.jpg", b"")
    path = tmp_path / "big.zip"
    path.write_bytes(buffer.getvalue())
    assert archives.end_record(path)[0] == 70_000
    assert archives.open_archive(path, Limits(max_archive_members=69_999)).refusal is not None


def test_memory_stays_bounded_on_a_bomb(tmp_path: Path) -> None:
    """A member declaring 1 KiB that inflates to 1 GiB: refused after 1 KiB, in a few megabytes."""
    upload = tmp_path / "bomb.zip"
    upload.write_bytes(_lying_bomb(1 << 30, 1024))
    assert upload.stat().st_size < 2 << 20
    script = (
        "import resource, sys\n"
        "from dlint.cli import main\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"code = main(['check', {str(upload)!r}, '--no-cache', '--jobs', '1'])\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(code, after - before, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    code, grown_kib = done.stderr.split()[-2:]
    assert code == "1" and "it inflates beyond 1 KiB" in done.stdout
    assert int(grown_kib) < 64 * 1024, f"the run grew by {grown_kib} KiB"


def test_a_member_too_large_for_the_limit_is_not_inflated(tmp_path: Path) -> None:
    text = GOOD + b" " * 4096
    upload = tmp_path / "large.zip"
    upload.write_bytes(zip_bytes([(ANNOTATIONS, text)]))
    limit = f"limits.max-file-size = {len(text) - 1}"
    run = dlint("check", str(upload), "--config", limit, "--output-format", "concise", cwd=tmp_path)
    assert_clean_exit(run, 1)
    size = f"{len(text):,} bytes"
    assert f"DL006 archive member refused: it is {size} uncompressed, larger than the" in run.out


def test_a_dataset_archive_is_still_fixed_in_place(tmp_path: Path, dlint_in_process: Any) -> None:
    """The checks keep real archives working: a Datumaro export, zipped, is checked and rewritten."""
    upload = tmp_path / "export.zip"
    members = [(str(p.relative_to(EXPORT)), p.read_bytes()) for p in sorted(EXPORT.rglob("*")) if p.is_file()]
    members = [(name, data.replace(b'"group":0', b'"group":"0"', 1)) for name, data in members]
    upload.write_bytes(zip_bytes(members))
    run = dlint_in_process("fix", str(upload))
    assert run.code == 1 and "Fixed" in run.out
    with zipfile.ZipFile(upload) as archive:
        assert sorted(archive.namelist()) == sorted(name for name, _ in members)
    assert dlint_in_process("fix", str(upload)).code == 0
