"""Colour in a real terminal (a pseudo-terminal), never through a pipe unless asked for."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "cvat-docs"
ESCAPE = "\x1b["


def _in_terminal(*args: str, env: dict[str, str]) -> str:
    """What ``dlint check`` writes to a terminal."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "dlint", "check", str(EXAMPLE), "--no-cache", *args],
        stdout=follower,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 1
    return b"".join(chunks).decode()


def _piped(*args: str, env: dict[str, str]) -> str:
    command = [sys.executable, "-m", "dlint", "check", str(EXAMPLE), "--no-cache", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1
    return done.stdout


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return env | {"TERM": "xterm-256color"} | extra


def test_a_terminal_gets_colour_for_code_severity_and_caret() -> None:
    shown = _in_terminal(env=_env())
    assert "\x1b[1;31mDL302\x1b[0m" in shown  # an error's code in red
    assert "\x1b[1;33mwarning:\x1b[0m" in shown  # a warning's severity in yellow
    assert "\x1b[1;33m^ DL211\x1b[0m" in shown  # the caret line in the severity's colour
    assert "DL302" in shown.replace("\x1b[1;31m", "").replace("\x1b[0m", "")


@pytest.mark.parametrize(
    ("how", "args", "extra"),
    [
        ("--color never", ("--color", "never"), {}),
        ("NO_COLOR", (), {"NO_COLOR": "1"}),
        ("a dumb terminal", (), {"TERM": "dumb"}),
        ("a machine format", ("--output-format", "json"), {}),
    ],
)
def test_a_terminal_gets_no_colour_when_told(how: str, args: tuple[str, ...], extra: dict[str, str]) -> None:
    assert ESCAPE not in _in_terminal(*args, env=_env(**extra)), how


def test_a_pipe_gets_no_colour_unless_asked() -> None:
    plain = _piped(env=_env())
    assert ESCAPE not in plain and "DL302" in plain
    for args, extra in ((("--color", "always"), {}), ((), {"FORCE_COLOR": "1"})):
        coloured = _piped(*args, env=_env(**extra))
        assert "\x1b[1;31mDL302\x1b[0m" in coloured
    assert ESCAPE not in _piped("--color", "always", "--output-format", "sarif", env=_env())
