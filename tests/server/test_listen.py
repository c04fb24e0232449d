"""``dlint serve`` on an address it cannot listen on: one line on stderr and exit 2, no log and no
traceback, whether it runs one server process or several."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

#: Seconds ``dlint serve`` may take to give up (it starts in about one).
BOUND = 30.0


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path, workers: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "dlint", "serve", "--port", str(port), "--workers", workers]
        try:
            done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=BOUND)
        except subprocess.TimeoutExpired as exc:  # (the process is killed by then)
            pytest.fail(f"dlint serve kept running on a port in use: {exc.stderr!r}")
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"dlint: error: cannot listen on 127.0.0.1:{port}: address already in use\n"
    assert done.stdout == ""


def test_a_host_that_does_not_resolve_is_one_line_and_exit_2(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "dlint", "serve", "--host", "no-such-host.invalid", "--port", "8765"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=BOUND)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("dlint: error: cannot listen on no-such-host.invalid:8765: ")
    assert done.stderr.count("\n") == 1, done.stderr
