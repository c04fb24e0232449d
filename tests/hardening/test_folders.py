"""Hostile dataset folders: pipes, devices and links planted among the files never block a run, are
never read through, and nothing outside the dataset is written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.conftest import CVAT_DOCS, assert_clean_exit, dataset, dlint, snapshot

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


def test_a_pipe_as_annotation_file_is_refused_without_blocking(tmp_path: Path) -> None:
    folder = tmp_path / "ds" / "annotations"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "default.json")  # opening it for reading would wait for a writer forever
    run = dlint("check", str(tmp_path / "ds"), "--output-format", "concise", timeout=60)
    assert_clean_exit(run, 1)
    assert "default.json:1:1: DL006 it is not a regular file" in run.out


def test_a_pipe_among_the_images_is_never_opened(tmp_path: Path) -> None:
    dataset(tmp_path / "ds", CVAT_DOCS.read_bytes())
    images = tmp_path / "ds" / "images"
    images.mkdir()
    os.mkfifo(images / "img1.jpg")
    run = dlint("check", str(tmp_path / "ds"), timeout=60)
    assert_clean_exit(run, 1)  # the mask defect of the example; the pipe is just not a readable image


def test_links_out_of_the_dataset_are_neither_read_nor_written(tmp_path: Path) -> None:
    secret = tmp_path / "home" / "notes.json"
    secret.parent.mkdir()
    secret.write_text('{"categories": {}, "items": [], "token": "do not print me"}')
    folder = tmp_path / "ds" / "annotations"
    folder.mkdir(parents=True)
    (folder / "train.json").symlink_to(secret)
    (folder / "val.json").symlink_to("/dev/zero")
    before = snapshot(tmp_path)
    for command in (("check", "--output-format", "concise"), ("fix",)):
        run = dlint(*command, str(tmp_path / "ds"), timeout=60)
        assert_clean_exit(run, 1)
        assert "do not print me" not in run.out
        assert run.out.count("DL006 it is a symbolic link leading out of its dataset") == 2
    assert snapshot(tmp_path) == before


def test_a_file_name_cannot_forge_report_lines(tmp_path: Path) -> None:
    folder = tmp_path / "ds" / "annotations"
    folder.mkdir(parents=True)
    (folder / "x\nreport.json:1:1: DL000 all clear.json").write_bytes(b"{")
    run = dlint("check", str(tmp_path / "ds"), "--output-format", "concise", timeout=60)
    assert_clean_exit(run, 1)
    [line, _summary] = run.out.splitlines()
    assert "annotations/x\\x0areport.json:1:1: DL000 all clear.json:1:2: DL001 invalid JSON" in line


def test_links_out_of_the_dataset_are_refused_even_within_the_working_directory(
    dlint_in_process: Any, tmp_path: Path
) -> None:
    """Containment is decided by the dataset folder alone: a link to a folder of the repository
    outside the dataset (a data cache's, say) is not followed."""
    cached = tmp_path / ".cache" / "ab" / "cdef"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(CVAT_DOCS.read_bytes())
    folder = tmp_path / "ds" / "annotations"
    folder.mkdir(parents=True)
    (folder / "default.json").symlink_to(os.path.relpath(cached, folder))
    run = dlint_in_process("check", "ds", "--output-format", "concise")
    assert_clean_exit(run, 1)
    assert "default.json:1:1: DL006 it is a symbolic link leading out of its dataset" in run.out
    assert "DL302" not in run.out
