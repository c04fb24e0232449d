"""Shared test helpers: run the real CLI, in-process or as the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def dlint(capsys: pytest.CaptureFixture[str]) -> Any:
    """Call the CLI in this process: ``dlint("check", path)`` returns the exit code and output."""

    def call(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return call


def run_console(*args: str, cwd: Path | None = None) -> Run:
    """Run the installed ``dlint`` console script (falling back to ``python -m dlint``)."""
    exe = shutil.which("dlint")
    command = [exe, *args] if exe else [sys.executable, "-m", "dlint", *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)
    return Run(done.returncode, done.stdout, done.stderr)
