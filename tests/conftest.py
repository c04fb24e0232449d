"""Shared test helpers: run the real CLI, in-process or as the installed console script."""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@functools.cache
def benchmark_generator() -> ModuleType:
    """``benchmarks/generate.py``, the generator of realistic files, loaded as a module."""
    spec = importlib.util.spec_from_file_location("benchmark_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


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
