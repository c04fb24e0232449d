"""The progress bar: on stderr only, only on a terminal, only for large runs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from dlint import progress
from dlint.api import lint
from dlint.sources import discover
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "datumaro-export"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_not_a_terminal_means_no_bar() -> None:
    sources = discover([str(EXAMPLE)])
    stream = io.StringIO()
    assert progress.tracker(stream)(sources) is sources
    assert stream.getvalue() == ""


def test_small_work_on_a_terminal_means_no_bar() -> None:
    sources = discover([str(EXAMPLE)])
    assert progress.tracker(Terminal())(sources) is sources
    assert progress.tracker(Terminal(), enabled=False)(sources) is sources


def test_large_work_on_a_terminal_shows_a_transient_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "LARGE_FILES", 1)
    stream = Terminal()
    report = lint([str(EXAMPLE)], track=progress.tracker(stream))
    assert len(report.files) == 2
    assert stream.getvalue()  # the bar was drawn on the terminal stream, and only there


def test_sizes_of_files_and_archive_members(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    with zipfile.ZipFile("export.zip", "w") as archive:
        archive.writestr("annotations/train.json", "x" * 1000)
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "val.json").write_text("y" * 10)
    sizes = [progress.source_size(s) for s in discover(["export.zip", "annotations/val.json"])]
    assert sizes == [1000, 10]
    assert progress.is_large([1] * 21) and progress.is_large([60 * 1024 * 1024])
    assert not progress.is_large([1] * 20)


def test_cli_output_stays_clean_when_captured(dlint: Any) -> None:
    run = dlint("check", str(EXAMPLE))
    assert run.err == ""
