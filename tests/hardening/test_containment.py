"""Containment: reads and writes stay inside the dataset (decided by its root, never by the working
directory), ``fix`` rewrites only what it understands and never writes through a link, and one file
that cannot be read is a diagnostic of its own while every other file is still checked.

Every ``check`` runs with the result cache off and on (see ``tests/hardening/conftest.py``): a problem
can hide behind either path.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dlint import atomic
from tests.hardening.conftest import EXPORT, assert_clean_exit, dlint, patch_member, snapshot

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs links and named pipes")

TRAIN = (EXPORT / "annotations" / "train.json").read_bytes()
#: The example with one safe fix to apply (a group given as a string).
FIXABLE = TRAIN.replace(b'"group":0', b'"group":"0"', 1)
SECRET = "do not print me"
#: A file outside every dataset that, read as an annotation file, would show its content in an excerpt.
SECRET_TEXT = b'{"categories": {}, "items": [], "token": "' + SECRET.encode() + b'"'
REFUSED_LINK = "DL006 it is a symbolic link leading out of its dataset"


def check(*args: str, cwd: Path | None = None) -> tuple[str, list[dict[str, object]]]:
    """``check`` in concise, full and JSON form; none of them shows the secret."""
    concise = dlint("check", *args, "--output-format", "concise", cwd=cwd, timeout=120)
    assert_clean_exit(concise, 1)
    full = dlint("check", *args, cwd=cwd, timeout=120)  # excerpts of the source
    assert_clean_exit(full, 1)
    assert SECRET not in concise.out + concise.err + full.out + full.err
    found = dlint("check", *args, "--output-format", "json", cwd=cwd, timeout=120)
    assert_clean_exit(found, 1)
    return concise.out, found.json()


def _export(root: Path, text: bytes = FIXABLE) -> Path:
    """A copy of the example dataset (with its images) whose train subset is ``text``."""
    shutil.copytree(EXPORT, root)
    (root / "annotations" / "train.json").write_bytes(text)
    return root


# 1. links: containment by the dataset root


@pytest.mark.parametrize("where", ["dataset parent", "root"])
def test_a_link_out_of_the_dataset_is_refused_wherever_the_run_starts(tmp_path: Path, where: str) -> None:
    """The target lies inside the working directory (or the working directory is ``/``): still out."""
    secret = tmp_path / "secret.json"
    secret.write_bytes(SECRET_TEXT)
    root = _export(tmp_path / "ds")
    (root / "annotations" / "val.json").unlink()
    (root / "annotations" / "val.json").symlink_to(os.path.relpath(secret, root / "annotations"))
    cwd = tmp_path if where == "dataset parent" else Path("/")
    before = snapshot(tmp_path)
    out, found = check(str(root), cwd=cwd)
    assert out.count(REFUSED_LINK) == 1 and "val.json:1:1: DL006" in out
    assert any(d["code"] == "DL204" for d in found)  # train.json is still checked
    run = dlint("fix", str(root), cwd=cwd)
    assert_clean_exit(run, 1)
    assert SECRET not in run.out and REFUSED_LINK in run.out
    assert secret.read_bytes() == SECRET_TEXT
    assert (root / "annotations" / "train.json").read_bytes() == TRAIN  # the plain file is fixed
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.endswith("train.json")} == {
        k: v for k, v in before.items() if not k.endswith("train.json")
    }


def test_a_file_named_in_annotations_is_contained_like_a_discovered_one(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_bytes(SECRET_TEXT)
    folder = tmp_path / "ds" / "annotations"
    folder.mkdir(parents=True)
    (folder / "default.json").symlink_to(secret)
    out, _ = check(str(folder / "default.json"), cwd=tmp_path)
    assert REFUSED_LINK in out


def test_a_link_inside_the_dataset_is_checked_but_never_written_through(tmp_path: Path) -> None:
    root = _export(tmp_path / "ds")
    store = root / "store" / "train.json"
    store.parent.mkdir()
    (root / "annotations" / "train.json").rename(store)
    (root / "annotations" / "train.json").symlink_to(os.path.relpath(store, root / "annotations"))
    _out, found = check(str(root))
    assert [d["code"] for d in found if str(d["file"]).endswith("train.json")] == ["DL204"]
    before = snapshot(tmp_path)
    run = dlint("fix", str(root))
    assert_clean_exit(run, 1)
    assert "train.json: not fixed: it is a symbolic link" in run.out
    assert snapshot(tmp_path) == before
    assert "Nothing was written" in run.out.splitlines()[-1]


def test_fix_never_writes_below_a_linked_folder_of_the_dataset(tmp_path: Path) -> None:
    root = _export(tmp_path / "ds")
    (root / "annotations").rename(root / "real")
    (root / "annotations").symlink_to("real")
    before = snapshot(tmp_path)
    run = dlint("fix", str(root / "annotations" / "train.json"))
    assert_clean_exit(run, 1)
    assert "not fixed: annotations is a symbolic link" in run.out
    assert snapshot(tmp_path) == before


def test_a_lone_file_named_as_a_link_is_checked_but_not_written_through(tmp_path: Path) -> None:
    """The file given on the command line is what the user asked for: ``check`` reads it."""
    target = tmp_path / "real.json"
    target.write_bytes(FIXABLE)
    link = tmp_path / "lone.json"
    link.symlink_to("real.json")
    _out, found = check(str(link))
    assert [d["code"] for d in found] == ["DL204"]
    run = dlint("fix", str(link))
    assert_clean_exit(run, 1)
    assert "lone.json: not fixed: it is a symbolic link" in run.out
    assert link.is_symlink() and target.read_bytes() == FIXABLE


def test_the_atomic_writer_refuses_to_replace_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_bytes(b"{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    for replace_archive in (False, True):
        with pytest.raises(atomic.WriteError, match="symbolic link"):
            if replace_archive:
                atomic.replace_archive_members(link, {"a": b""})
            else:
                atomic.replace_file(link, b"[]")
        assert link.is_symlink() and target.read_bytes() == b"{}"
        assert atomic.temporary_files(link) == [] and atomic.temporary_files(target) == []


def test_an_image_linked_out_of_the_dataset_is_not_read(tmp_path: Path) -> None:
    root = _export(tmp_path / "ds", TRAIN)
    image = root / "images" / "train" / "img_001.jpg"
    outside = tmp_path / "outside.jpg"
    outside.write_bytes((EXPORT / "images" / "val" / "img_101.jpg").read_bytes())  # another size
    image.unlink()
    image.symlink_to(outside)
    out, found = check(str(root), cwd=tmp_path)
    assert "DL408" not in out  # its header was never read
    [missing] = [d for d in found if d["code"] == "DL407"]
    assert "images/train/img_001.jpg" in str(missing["message"])
    assert "symbolic link leading out of the dataset" in str(missing["message"])


# 2. fix touches only what it understands


def test_fix_leaves_a_file_that_is_not_a_dataset_file_byte_identical(tmp_path: Path) -> None:
    coco = b'{ "images": [ {"id": 1, "file_name": "a.jpg"} ],\n  "annotations": [], "categories": [] }\n'
    root = _export(tmp_path / "ds", TRAIN)
    (root / "annotations" / "instances.json").write_bytes(coco)
    run = dlint("fix", str(root))
    assert_clean_exit(run, 1)
    assert "instances.json: not fixed: not a dataset file" in run.out
    assert (root / "annotations" / "instances.json").read_bytes() == coco


def _archive(path: Path, corrupt: str | None, how: str = "checksum") -> bytes:
    """The example's train subset (one fix to apply) and its images in an archive; one image
    member corrupt: its checksum wrong, or its deflate stream broken (an invalid block type)."""
    method = zipfile.ZIP_STORED if how == "checksum" else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("annotations/train.json", FIXABLE)
        for image in sorted((EXPORT / "images" / "train").iterdir()):
            archive.writestr(f"images/train/{image.name}", image.read_bytes(), method)
    data = path.read_bytes()
    if corrupt is not None:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(corrupt)
        if how == "checksum":
            data = patch_member(data, corrupt, crc=info.CRC ^ 0xFFFF)
        else:
            start = info.header_offset + 30 + len(corrupt.encode())
            data = data[:start] + b"\xff" + data[start + 1 :]
        path.write_bytes(data)
    return data


@pytest.mark.parametrize("how", ["checksum", "stream"])
def test_fix_refuses_to_rewrite_an_archive_holding_a_corrupt_member(tmp_path: Path, how: str) -> None:
    path = tmp_path / "upload.zip"
    data = _archive(path, "images/train/img_001.jpg", how)
    run = dlint("fix", str(path))
    assert_clean_exit(run, 1)
    assert "images/train/img_001.jpg" in run.out and "corrupt" in run.out
    assert run.out.endswith("1 file that could not be written; 1 diagnostic remains (1 error).\n"), run.out
    assert path.read_bytes() == data
    assert atomic.temporary_files(path) == []


def test_fix_keeps_every_other_member_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "upload.zip"
    _archive(path, corrupt=None)
    with zipfile.ZipFile(path) as archive:
        before = {i.filename: (i.CRC, i.compress_type, archive.read(i)) for i in archive.infolist()}
    run = dlint("fix", str(path))
    assert_clean_exit(run, 1)
    with zipfile.ZipFile(path) as archive:
        after = {i.filename: (i.CRC, i.compress_type, archive.read(i)) for i in archive.infolist()}
    assert after.pop("annotations/train.json")[2] == TRAIN
    before.pop("annotations/train.json")
    assert after == before


# 3. one unreadable file is one diagnostic


@pytest.fixture
def unreadable(tmp_path: Path) -> Iterator[Path]:
    """A dataset whose val subset is a socket (opening it fails even for root) and whose test subset
    is a link to a file of the dataset that does not exist; train is a readable file."""
    root = _export(tmp_path / "ds")
    folder = root / "annotations"
    (folder / "val.json").unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(folder / "val.json"))
    (folder / "test.json").symlink_to("gone.json")
    yield root
    server.close()


def test_one_unreadable_file_does_not_abort_the_run(unreadable: Path) -> None:
    out, found = check(str(unreadable))
    assert "val.json:1:1: DL006 it is not a regular file" in out
    assert "test.json:1:1: DL006 it is a symbolic link to a file that does not exist" in out
    assert any(d["code"] == "DL204" and str(d["file"]).endswith("train.json") for d in found)
    run = dlint("fix", str(unreadable))
    assert_clean_exit(run, 1)
    assert (unreadable / "annotations" / "train.json").read_bytes() == TRAIN
    assert stat.S_ISSOCK(os.lstat(unreadable / "annotations" / "val.json").st_mode)


# 4. what is named on the command line


def test_a_pipe_named_on_the_command_line_is_refused_not_missing(tmp_path: Path) -> None:
    pipe = tmp_path / "default.json"
    os.mkfifo(pipe)
    archive_pipe = tmp_path / "upload.zip"
    os.mkfifo(archive_pipe)
    out, _ = check(str(pipe), str(archive_pipe))
    assert "default.json:1:1: DL006 it is not a regular file" in out
    assert "upload.zip:1:1: DL006 it is not a regular file" in out
    assert "no such file" not in out


def test_dangling_and_looping_links_named_on_the_command_line_say_so(tmp_path: Path) -> None:
    (tmp_path / "dangling.json").symlink_to("nowhere.json")
    (tmp_path / "loop.json").symlink_to("loop.json")
    out, _ = check(str(tmp_path / "dangling.json"), str(tmp_path / "loop.json"))
    assert "dangling.json:1:1: DL006 it is a symbolic link to a file that does not exist" in out
    assert "loop.json:1:1: DL006 it is a symbolic link that leads to itself" in out
    missing = dlint("check", str(tmp_path / "absent.json"))
    assert_clean_exit(missing, 2)
    assert "no such file or directory" in missing.err


# 5. broken links among the images


def test_dangling_and_looping_links_among_the_images_are_diagnostics(tmp_path: Path) -> None:
    root = _export(tmp_path / "ds", TRAIN)
    images = root / "images" / "train"
    (images / "img_001.jpg").unlink()
    (images / "img_001.jpg").symlink_to("nowhere.jpg")
    (images / "dir_img_002.jpg").unlink()
    (images / "dir_img_002.jpg").symlink_to("dir_img_002.jpg")
    _out, found = check(str(root))
    messages = sorted(str(d["message"]) for d in found if d["code"] == "DL407")
    assert len(messages) == 2
    assert "images/train/dir_img_002.jpg" in messages[0] and "leads to itself" in messages[0]
    assert "images/train/img_001.jpg" in messages[1] and "does not exist" in messages[1]


# 6. the summary after a fix that could not be written


def test_the_summary_after_an_unwritten_fix_counts_what_is_on_disk(tmp_path: Path) -> None:
    root = _export(tmp_path / "ds")
    train = root / "annotations" / "train.json"
    train.chmod(0o444)
    expected = dlint("check", str(root), "--output-format", "json", "--no-cache").json()
    assert expected
    run = dlint("fix", str(root))
    assert_clean_exit(run, 1)
    assert train.read_bytes() == FIXABLE
    summary = run.out.splitlines()[-1]
    errors = sum(1 for d in expected if d["severity"] == "error")
    assert f"{len(expected)} diagnostic" in summary and f"({errors} error" in summary, summary
    assert "nothing remains" not in summary and "1 file that could not be written" in summary, summary
    assert summary.startswith("Nothing was written: 1 issue found in 1 file"), summary
    shown = [line for line in run.out.splitlines() if ": DL" in line]
    assert len(shown) == len(expected)


def test_the_summary_counts_a_file_without_diagnostics_left_only_when_it_was_written(tmp_path: Path) -> None:
    root = _export(tmp_path / "ds")
    run = dlint("fix", str(root))
    assert_clean_exit(run, 1)
    assert run.out.splitlines()[-1] == "Fixed 1 issue in 1 file; nothing remains."
    assert json.loads((root / "annotations" / "train.json").read_bytes()) == json.loads(TRAIN)


def test_an_archive_found_in_a_folder_is_read_only_inside_it(tmp_path: Path) -> None:
    """An archive named on the command line is read where its link leads; one found while searching
    a folder must lie inside that folder."""
    private = tmp_path / "private" / "data.zip"
    private.parent.mkdir()
    with zipfile.ZipFile(private, "w") as archive:
        archive.writestr("annotations/default.json", SECRET_TEXT)
    searched = tmp_path / "repo"
    searched.mkdir()
    (searched / "upload.zip").symlink_to(private)
    out, _ = check(str(searched))
    assert "upload.zip:1:1: DL006 it is a symbolic link leading out of the folder searched" in out
    named = dlint("check", str(searched / "upload.zip"), "--output-format", "concise")
    assert_clean_exit(named, 1)
    assert "upload.zip/annotations/default.json:1:" in named.out and "DL001" in named.out  # it is read


def test_refusals_hold_when_files_are_spread_over_processes(tmp_path: Path) -> None:
    """Worker processes find every file again from its path: each refusal must come out the same."""
    private = tmp_path / "private.zip"
    with zipfile.ZipFile(private, "w") as archive:
        archive.writestr("annotations/default.json", SECRET_TEXT)
    searched = tmp_path / "repo"
    big = FIXABLE + b" " * (17 << 20)  # enough input to start processes, in each phase of a run
    root = _export(searched / "ds", big)
    _export(searched / "first", big)  # the first file of its dataset: linted with the archive
    (searched / "upload.zip").symlink_to(private)
    (root / "annotations" / "test.json").symlink_to("gone.json")
    (root / "annotations" / "val.json").unlink()
    (root / "annotations" / "val.json").symlink_to(os.path.relpath(private, root / "annotations"))
    out, found = check(str(searched), "--jobs", "2")
    assert "upload.zip:1:1: DL006 it is a symbolic link leading out of the folder searched" in out
    assert "test.json:1:1: DL006 it is a symbolic link to a file that does not exist" in out
    assert "val.json:1:1: DL006 it is a symbolic link leading out of its dataset" in out
    assert [d["code"] for d in found if str(d["file"]).endswith("train.json")] == ["DL204", "DL204"]


def test_an_image_that_becomes_a_link_after_the_listing_is_not_read(tmp_path: Path) -> None:
    from dlint.media import FolderMedia

    root = _export(tmp_path / "ds", TRAIN)
    store = FolderMedia(root)
    assert "images/train/img_001.jpg" in store.files()
    image = root / "images" / "train" / "img_001.jpg"
    image.unlink()
    image.symlink_to(EXPORT / "images" / "val" / "img_101.jpg")  # out of the dataset
    with pytest.raises(OSError, match="not followed"):
        store.open("images/train/img_001.jpg")
    assert store.header_size("images/train/img_001.jpg") is None
    (root / "images" / "train" / "inner.jpg").symlink_to("dir_img_002.jpg")  # inside: read
    assert FolderMedia(root).header_size("images/train/inner.jpg") == (5, 7)
